#include "outofbandengine.h"

namespace proclab {

namespace {
const QString kMethod = QStringLiteral("method");
const QString kRepetitions = QStringLiteral("repetitions");
const QString kUnitUs = QStringLiteral("unit_us");
const QString kInterruptAfter = QStringLiteral("interrupt_after_units");
const QString kHoldMs = QStringLiteral("hold_ms");
const QString kUnitsAfterResume = QStringLiteral("units_after_resume");
} // namespace

std::optional<OutOfBandEngineConfig> OutOfBandEngineConfig::fromParams(
    const ParamValues &values, QString *error)
{
    OutOfBandEngineConfig c;
    const QString method = values.value(kMethod).toString();
    c.tcpUrgentData = method != QLatin1String("urgent_port");
    c.urgentPort = method != QLatin1String("urgent_data");
    c.repetitions = values.value(kRepetitions).toInt();
    c.unitUs = values.value(kUnitUs).toInt();
    c.interruptAfterUnits = values.value(kInterruptAfter).toInt();
    c.holdMs = values.value(kHoldMs).toInt();
    c.unitsAfterResume = values.value(kUnitsAfterResume).toInt();
    // One trial runs (hold after + cancel after) units plus the hold: keep it short
    // enough that a run of many trials stays a classroom run.
    const double trialMs = (c.interruptAfterUnits + c.unitsAfterResume) * (c.unitUs / 1000.0) + c.holdMs;
    if (trialMs > 20000) {
        if (error)
            *error = QStringLiteral(
                "unit_us: one trial would take %1 s ((hold after + cancel after) x work unit + "
                "time on hold); keep it under 20 s")
                         .arg(trialMs / 1000, 0, 'f', 1);
        return std::nullopt;
    }
    return c;
}

OutOfBandEngine::OutOfBandEngine()
    : ConfiguredEngine(EngineInfo {QString(kId), QStringLiteral("Interrupting a server: out-of-band data"),
        Provenance::Measured,
        QStringLiteral("A long request is put on hold, resumed and cancelled by TCP urgent "
                       "data on its own connection or by a message to a separate urgent "
                       "port; the time each takes to act is measured."),
        {QStringLiteral("S3")}, {QString(kTimelineView)}})
{
}

ParamSchema OutOfBandEngine::schema() const
{
    return ParamSchema {
        ParamSpec::choice(kMethod, QStringLiteral("Urgent messages"), QStringLiteral("both"),
            {QStringLiteral("both"), QStringLiteral("urgent_data"), QStringLiteral("urgent_port")},
            QStringLiteral("urgent_data: TCP urgent data (MSG_OOB) on the request's connection; "
                           "urgent_port: a message to a separate port served by a higher-priority "
                           "thread; both: trials alternate.")),
        ParamSpec::integer(kRepetitions, QStringLiteral("Trials per method"), 10, 1, 200,
            QStringLiteral("trials"), QStringLiteral("Each trial is one request: hold, resume, cancel.")),
        ParamSpec::integer(kUnitUs, QStringLiteral("Work unit"), 1000, 50, 100000, QStringLiteral("us"),
            QStringLiteral("CPU work between two checks for an interruption: a hold or cancel waits "
                           "for the end of the unit running.")),
        ParamSpec::integer(kInterruptAfter, QStringLiteral("Hold after"), 5, 1, 1000, QStringLiteral("units"),
            QStringLiteral("Units done before the client sends the hold.")),
        ParamSpec::integer(kHoldMs, QStringLiteral("On hold for"), 20, 0, 5000, QStringLiteral("ms"),
            QStringLiteral("How long the client leaves the request on hold before resuming it.")),
        ParamSpec::integer(kUnitsAfterResume, QStringLiteral("Cancel after"), 5, 1, 1000,
            QStringLiteral("units"),
            QStringLiteral("Units done after the resume before the client cancels.")),
    };
}

std::vector<OutputSpec> OutOfBandEngine::outputs() const
{
    return {
        {QStringLiteral("urgent_data_*"), QStringLiteral("us"),
            QStringLiteral(
                "TCP urgent data: urgent_data_<hold|resume|cancel>_<notice|effect|ack>_us_<median|p10|p90>, "
                "from the client's send to the urgent thread noticing, the worker acting, the client "
                "reading the status line")},
        {QStringLiteral("urgent_port_*"), QStringLiteral("us"),
            QStringLiteral("the same through the separate urgent port")},
        {QStringLiteral("trials"), QString(), QStringLiteral("requests started and interrupted")},
        {QStringLiteral("unit_us"), QStringLiteral("us"), QStringLiteral("length of one work unit")},
        {QStringLiteral("realtime_urgent_thread"), QString(),
            QStringLiteral("1 if the urgent thread got SCHED_FIFO, 0 if the workers were niced instead")},
        {QStringLiteral("server_holds"), QString(), QStringLiteral("holds the server carried out")},
        {QStringLiteral("server_cancels"), QString(), QStringLiteral("requests the server cancelled")},
    };
}

QString OutOfBandEngine::methodKey(UrgentMethod method)
{
    return method == UrgentMethod::TcpUrgentData ? QStringLiteral("urgent_data")
                                                 : QStringLiteral("urgent_port");
}

void OutOfBandEngine::onStopRequested()
{
    std::lock_guard lock(m_stopMutex);
    if (m_stopCurrent)
        m_stopCurrent();
}

void OutOfBandEngine::run()
{
    const OutOfBandEngineConfig &cfg = config();
    auto snap = std::make_shared<OutOfBandSnapshot>();
    snap->unitUs = cfg.unitUs;
    snap->status = QStringLiteral("running %1 trials")
                       .arg(cfg.repetitions * ((cfg.tcpUrgentData ? 1 : 0) + (cfg.urgentPort ? 1 : 0)));
    publish(std::make_shared<OutOfBandSnapshot>(*snap));

    OutOfBandExperimentConfig oc;
    oc.repetitions = cfg.repetitions;
    oc.unitUs = cfg.unitUs;
    oc.interruptAfterUnits = cfg.interruptAfterUnits;
    oc.holdMs = cfg.holdMs;
    oc.unitsAfterResume = cfg.unitsAfterResume;
    oc.tcpUrgentData = cfg.tcpUrgentData;
    oc.urgentPort = cfg.urgentPort;
    // The request must outlast every trial: units enough for the longest one, within the server's limits.
    oc.units = std::min<std::int64_t>(oc.server.maxUnits,
        std::max<std::int64_t>(20000, 4LL * (cfg.interruptAfterUnits + cfg.unitsAfterResume)));
    oc.units = std::min<std::int64_t>(
        oc.units, static_cast<std::int64_t>(oc.server.maxRequestMs) * 1000 / cfg.unitUs);
    OutOfBandExperiment experiment(oc);
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
    snap->result = buildResult(snap->run, cfg.unitUs);
    snap->progress = 1;
    snap->status = snap->run.ok ? QStringLiteral("%1 trials; urgent thread %2")
                                      .arg(snap->run.trials.size())
                                      .arg(snap->run.priorityNote.contains(QStringLiteral("SCHED_FIFO"))
                                              ? QStringLiteral("real-time")
                                              : QStringLiteral("not real-time"))
                                : snap->run.error;
    publish(snap);
}

Result OutOfBandEngine::buildResult(const OutOfBandExperimentResult &run, int unitUs) const
{
    Result r = makeResult();
    if (!run.ok)
        r.error = run.error;
    for (const auto &row : run.latency) {
        if (row.sendToEffectUs.count == 0)
            continue;
        const QString prefix = methodKey(row.method) + QLatin1Char('_') + urgentCommandName(row.command);
        auto spread = [&](const QString &what, const Spread &s) {
            r.summary.insert(prefix + QStringLiteral("_%1_us_median").arg(what), s.median);
            r.summary.insert(prefix + QStringLiteral("_%1_us_p10").arg(what), s.p10);
            r.summary.insert(prefix + QStringLiteral("_%1_us_p90").arg(what), s.p90);
        };
        spread(QStringLiteral("notice"), row.sendToNoticeUs);
        spread(QStringLiteral("effect"), row.sendToEffectUs);
        spread(QStringLiteral("ack"), row.sendToAckUs);
    }
    r.summary.insert(QStringLiteral("trials"), static_cast<int>(run.trials.size()));
    r.summary.insert(QStringLiteral("unit_us"), unitUs);
    r.summary.insert(QStringLiteral("realtime_urgent_thread"),
        run.priorityNote.contains(QStringLiteral("SCHED_FIFO")) ? 1 : 0);
    r.summary.insert(QStringLiteral("server_holds"), static_cast<qint64>(run.serverStats.holds));
    r.summary.insert(QStringLiteral("server_cancels"), static_cast<qint64>(run.serverStats.cancelled));

    // One series per method and command: send -> effect for every trial.
    for (UrgentMethod method : {UrgentMethod::TcpUrgentData, UrgentMethod::UrgentPort}) {
        for (UrgentCommand command : {UrgentCommand::Hold, UrgentCommand::Resume, UrgentCommand::Cancel}) {
            Series s;
            s.id = methodKey(method) + QLatin1Char('_') + urgentCommandName(command)
                + QStringLiteral("_effect");
            s.name = QStringLiteral("%1, %2: send to effect")
                         .arg(urgentMethodName(method), urgentCommandName(command));
            s.xLabel = QStringLiteral("trial");
            s.yLabel = QStringLiteral("send to effect (us)");
            s.style = Series::Style::Scatter;
            for (const auto &t : run.trials) {
                if (!t.ok || t.method != method)
                    continue;
                for (const auto &step : t.steps) {
                    if (step.command != command)
                        continue;
                    s.x.push_back(t.repetition + 1);
                    s.y.push_back(static_cast<double>(step.effectNs - step.sentNs) / 1000.0);
                }
            }
            if (!s.x.empty())
                r.series.push_back(std::move(s));
        }
    }
    r.table.columns = {QStringLiteral("method"), QStringLiteral("trial"), QStringLiteral("request"),
        QStringLiteral("command"), QStringLiteral("unit"), QStringLiteral("notice_us"),
        QStringLiteral("effect_us"), QStringLiteral("ack_us")};
    for (const auto &t : run.trials) {
        for (const auto &step : t.steps) {
            r.table.rows.push_back({urgentMethodName(t.method), t.repetition + 1,
                static_cast<qulonglong>(t.requestId), urgentCommandName(step.command),
                static_cast<qlonglong>(step.unit), static_cast<double>(step.noticedNs - step.sentNs) / 1000.0,
                static_cast<double>(step.effectNs - step.sentNs) / 1000.0,
                static_cast<double>(step.ackNs - step.sentNs) / 1000.0});
        }
    }
    return r;
}

} // namespace proclab
