#include "superserverengine.h"

#include "lineservice.h"

namespace proclab {

namespace {
const QString kServices = QStringLiteral("services");
const QString kRepetitions = QStringLiteral("repetitions");
const QString kMaxHandlers = QStringLiteral("max_handlers");
const QString kHandlerTimeout = QStringLiteral("handler_timeout_ms");
} // namespace

std::optional<SuperServerEngineConfig> SuperServerEngineConfig::fromParams(
    const ParamValues &values, QString *error)
{
    SuperServerEngineConfig c;
    c.repetitions = values.value(kRepetitions).toInt();
    c.maxHandlers = values.value(kMaxHandlers).toInt();
    c.handlerTimeoutMs = values.value(kHandlerTimeout).toInt();
    c.services.clear();
    for (const QString &part :
        values.value(kServices).toString().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString name = part.trimmed();
        if (name.isEmpty())
            continue;
        if (!LineService::isKnown(name.toStdString()) || c.services.contains(name)) {
            if (error)
                *error = QStringLiteral("services: '%1' is not one of %2 (each at most once)")
                             .arg(name, LineService::names().join(QStringLiteral(", ")));
            return std::nullopt;
        }
        c.services << name;
    }
    if (c.services.isEmpty()) {
        if (error)
            *error = QStringLiteral("services: name at least one of %1")
                         .arg(LineService::names().join(QStringLiteral(", ")));
        return std::nullopt;
    }
    return c;
}

SuperServerEngine::SuperServerEngine()
    : ConfiguredEngine(
        EngineInfo {QString(kId), QStringLiteral("Superserver and end-point daemon"), Provenance::Measured,
            QStringLiteral("Reaching services on OS-chosen ports two ways: ask an end-point "
                           "daemon first, or connect to a superserver that starts a handler "
                           "process for each connection."),
            {QStringLiteral("S2")}, {QString(kSequenceView), QString(kDaemonView)}})
{
}

ParamSchema SuperServerEngine::schema() const
{
    return ParamSchema {
        ParamSpec::text(kServices, QStringLiteral("Services"), QStringLiteral("echo,daytime,upper"),
            QStringLiteral("Comma-separated: echo (lines back), daytime (the time, then close), "
                           "upper (lines in capitals).")),
        ParamSpec::integer(kRepetitions, QStringLiteral("Connections per service"), 5, 1, 200, QString(),
            QStringLiteral("How often each service is reached through the daemon and through the "
                           "superserver.")),
        ParamSpec::integer(kMaxHandlers, QStringLiteral("Handlers at once"), 8, 1, 64,
            QStringLiteral("processes"),
            QStringLiteral("More connections wait in the listen backlog until a handler ends.")),
        ParamSpec::integer(kHandlerTimeout, QStringLiteral("Handler timeout"), 5000, 100, 60000,
            QStringLiteral("ms"), QStringLiteral("A handler whose client sends nothing for this long ends.")),
    };
}

std::vector<OutputSpec> SuperServerEngine::outputs() const
{
    return {
        {QStringLiteral("superserver_first_line_us_*"), QStringLiteral("us"),
            QStringLiteral(
                "connect to greeting through the superserver, which starts a process per connection "
                "(_median, _p10, _p90)")},
        {QStringLiteral("registered_first_line_us_*"), QStringLiteral("us"),
            QStringLiteral("connect to greeting of a registered service that runs in this process (_median, "
                           "_p10, _p90)")},
        {QStringLiteral("lookup_us_median"), QStringLiteral("us"),
            QStringLiteral("the extra round trip to the end-point daemon before connecting")},
        {QStringLiteral("spawn_to_reap_us_median"), QStringLiteral("us"),
            QStringLiteral("a handler process's life, from posix_spawn to waitpid")},
        {QStringLiteral("connections"), QString(), QStringLiteral("connections made each way")},
        {QStringLiteral("handlers"), QString(), QStringLiteral("handler processes the superserver started")},
        {QStringLiteral("handlers_reaped"), QString(), QStringLiteral("of those, collected with waitpid")},
        {QStringLiteral("distinct_handler_pids"), QString(),
            QStringLiteral("different process ids that answered (one new process per connection)")},
        {QStringLiteral("registered_services"), QString(),
            QStringLiteral("entries in the end-point daemon's table")},
        {QStringLiteral("superserver_over_registered_x"), QStringLiteral("x"),
            QStringLiteral("median first line through the superserver / from a registered service")},
        {QStringLiteral("sooner_first_line"), QString(),
            QStringLiteral("which way gave the first line sooner (medians): 0 the registered service, 1 the "
                           "superserver, 2 within 20% of each other")},
    };
}

void SuperServerEngine::onStopRequested()
{
    std::lock_guard lock(m_stopMutex);
    if (m_stopCurrent)
        m_stopCurrent();
}

void SuperServerEngine::run()
{
    const SuperServerEngineConfig &cfg = config();
    auto snap = std::make_shared<SuperServerSnapshot>();
    snap->daemonWay = ServerSequenceBuilder::daemonWay({}, cfg.services.front());
    snap->superServerWay = ServerSequenceBuilder::superServerWay({}, cfg.services.front());
    snap->status = QStringLiteral("starting the daemon, the services and the superserver");
    publish(std::make_shared<SuperServerSnapshot>(*snap));

    EndpointExperimentConfig ec;
    ec.services = cfg.services;
    ec.repetitions = cfg.repetitions;
    ec.superServer.maxHandlers = cfg.maxHandlers;
    ec.superServer.handlerTimeoutMs = cfg.handlerTimeoutMs;
    EndpointExperiment experiment(ec);
    {
        std::lock_guard lock(m_stopMutex);
        m_stopCurrent = [&experiment] { experiment.stop(); };
    }
    if (stopRequested())
        experiment.stop();
    snap->run = experiment.run();
    {
        std::lock_guard lock(m_stopMutex);
        m_stopCurrent = nullptr;
    }
    snap->result = buildResult(snap->run);
    snap->daemonWay = ServerSequenceBuilder::daemonWay(snap->run.events, cfg.services.front());
    snap->superServerWay = ServerSequenceBuilder::superServerWay(snap->run.events, cfg.services.front());
    snap->progress = 1;
    snap->status = !snap->run.ok
        ? snap->run.error
        : QStringLiteral("%1 connections each way; %2 handler processes, all reaped: %3")
              .arg(cfg.repetitions * cfg.services.size())
              .arg(snap->run.handlers.size())
              .arg(snap->run.allHandlersReaped ? QStringLiteral("yes") : QStringLiteral("no"));
    publish(snap);
}

Result SuperServerEngine::buildResult(const EndpointExperimentResult &run) const
{
    Result r = makeResult();
    if (!run.ok)
        r.error = run.error;
    auto spread = [&r](const QString &prefix, const Spread &s) {
        r.summary.insert(prefix + QStringLiteral("_median"), s.median);
        r.summary.insert(prefix + QStringLiteral("_p10"), s.p10);
        r.summary.insert(prefix + QStringLiteral("_p90"), s.p90);
    };
    spread(QStringLiteral("superserver_first_line_us"), run.superServerFirstLineUs);
    spread(QStringLiteral("registered_first_line_us"), run.registeredFirstLineUs);
    r.summary.insert(QStringLiteral("lookup_us_median"), run.lookupUs.median);
    r.summary.insert(QStringLiteral("spawn_to_reap_us_median"), run.spawnToReapUs.median);
    r.summary.insert(QStringLiteral("connections"), run.superServerFirstLineUs.count);
    r.summary.insert(QStringLiteral("handlers"), static_cast<int>(run.handlers.size()));
    int reaped = 0;
    for (const auto &h : run.handlers)
        reaped += h.reaped ? 1 : 0;
    r.summary.insert(QStringLiteral("handlers_reaped"), reaped);
    r.summary.insert(QStringLiteral("distinct_handler_pids"), run.distinctHandlerPids);
    r.summary.insert(QStringLiteral("registered_services"), static_cast<int>(run.daemonTable.size()));
    if (run.registeredFirstLineUs.count > 0 && run.registeredFirstLineUs.median > 0) {
        const double ratio = run.superServerFirstLineUs.median / run.registeredFirstLineUs.median;
        r.summary.insert(QStringLiteral("superserver_over_registered_x"), ratio);
        r.summary.insert(QStringLiteral("sooner_first_line"), ratio > 1.2 ? 0 : (ratio < 1 / 1.2 ? 1 : 2));
    }

    Series viaSuper;
    viaSuper.id = QStringLiteral("superserver_first_line");
    viaSuper.name = QStringLiteral("through the superserver (a process per connection)");
    viaSuper.xLabel = QStringLiteral("connection");
    viaSuper.yLabel = QStringLiteral("connect to first line (us)");
    viaSuper.style = Series::Style::Scatter;
    Series viaDaemon = viaSuper;
    viaDaemon.id = QStringLiteral("registered_first_line");
    viaDaemon.name = QStringLiteral("registered service (a thread in this process)");
    for (std::size_t i = 0; i < run.superServerSamplesUs.size(); ++i) {
        viaSuper.x.push_back(static_cast<double>(i + 1));
        viaSuper.y.push_back(run.superServerSamplesUs[i]);
    }
    for (std::size_t i = 0; i < run.registeredSamplesUs.size(); ++i) {
        viaDaemon.x.push_back(static_cast<double>(i + 1));
        viaDaemon.y.push_back(run.registeredSamplesUs[i]);
    }
    r.series = {viaSuper, viaDaemon};

    // The sequence itself: every event of both ways on one clock.
    r.table.columns = {QStringLiteral("time_ms"), QStringLiteral("actor"), QStringLiteral("event"),
        QStringLiteral("detail"), QStringLiteral("value")};
    for (const auto &e : run.events)
        r.table.rows.push_back({static_cast<double>(e.timeNs) / 1e6, e.actor, e.kind, e.detail,
            static_cast<qlonglong>(e.value)});
    return r;
}

} // namespace proclab
