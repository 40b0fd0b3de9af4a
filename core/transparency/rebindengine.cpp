#include "rebindengine.h"

#include "common/clock.h"

#include "clientstub.h"
#include "counterhelper.h"
#include "nameserver.h"
#include "spawnedhelper.h"

#include "common/stats.h"

#include <chrono>
#include <map>
#include <memory>

namespace proclab {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kTimeout {3000};
const QString kObject = QStringLiteral("counter");

} // namespace

std::optional<RebindConfig> RebindConfig::fromParams(const ParamValues &v, QString *)
{
    RebindConfig c;
    c.calls = v.value(QStringLiteral("calls")).toInt();
    c.moveEvery = v.value(QStringLiteral("move_every")).toInt();
    c.moves = v.value(QStringLiteral("moves")).toInt();
    return c;
}

RebindEngine::RebindEngine()
    : ConfiguredEngine(EngineInfo {QString(kId), QStringLiteral("Location transparency: a stub that rebinds"),
        Provenance::Measured,
        QStringLiteral("A counter object moves to new processes and ports between calls; "
                       "the client's stub asks a name server and rebinds."),
        {QStringLiteral("C4")}, {QString(kSequenceView)}})
{
}

QString RebindEngine::clientCode()
{
    return QStringLiteral("// a stub, bound by name only\n"
                          "Counter counter(\"counter\");\n"
                          "for (int i = 0; i < calls; ++i)\n"
                          "  v = counter.increment(1);");
}

ParamSchema RebindEngine::schema() const
{
    return ParamSchema {
        ParamSpec::integer(QStringLiteral("calls"), QStringLiteral("Calls"), 12, 1, 60,
            QStringLiteral("calls"), QStringLiteral("How many times the client calls counter.increment(1).")),
        ParamSpec::integer(QStringLiteral("move_every"), QStringLiteral("Move every"), 4, 1, 60,
            QStringLiteral("calls"),
            QStringLiteral("The object moves to a new process before every this many calls.")),
        ParamSpec::integer(QStringLiteral("moves"), QStringLiteral("Moves"), 2, 0, 5, QStringLiteral("moves"),
            QStringLiteral("At most this many moves during the run.")),
    };
}

std::vector<OutputSpec> RebindEngine::outputs() const
{
    return {
        {QStringLiteral("calls"), QStringLiteral("calls"), QStringLiteral("calls the client code made")},
        {QStringLiteral("caller_failures"), QStringLiteral("calls"),
            QStringLiteral("calls that failed as the client code saw them")},
        {QStringLiteral("moves"), QStringLiteral("moves"),
            QStringLiteral("times the object moved to a new process")},
        {QStringLiteral("servers"), QStringLiteral("processes"),
            QStringLiteral("processes that served the object")},
        {QStringLiteral("lookups"), QStringLiteral("lookups"),
            QStringLiteral("times the stub asked the name server")},
        {QStringLiteral("rebinds"), QStringLiteral("rebinds"),
            QStringLiteral("times a lookup gave the stub a new address")},
        {QStringLiteral("failed_attempts"), QStringLiteral("attempts"),
            QStringLiteral(
                "attempts the stub made at an address that was dead (hidden from the client code)")},
        {QStringLiteral("final_value"), QString(),
            QStringLiteral("the counter after the last call (state moved along)")},
        {QStringLiteral("call_ms_median"), QStringLiteral("ms"),
            QStringLiteral("measured: median duration of a call that needed no rebind")},
        {QStringLiteral("rebind_call_ms_median"), QStringLiteral("ms"),
            QStringLiteral("measured: median duration of a call that found its server gone and rebound")},
    };
}

void RebindEngine::run()
{
    const RebindConfig &cfg = config();
    const auto origin = Clock::now();
    auto snap = std::make_shared<RebindSnapshot>();
    snap->calls = cfg.calls;
    snap->clientCode = clientCode();
    Result result = makeResult();
    const auto fail = [&](const QString &why) {
        snap->result = result;
        snap->result.error = why;
        snap->status = why;
        publish(snap);
    };

    NameServer names;
    QString error;
    if (!names.start(&error)) {
        fail(error);
        return;
    }
    snap->nameServerPort = names.port();
    std::vector<std::unique_ptr<SpawnedHelper>> processes;
    std::map<int, int> laneOfPort;
    const auto laneFor = [&](int port) {
        const auto it = laneOfPort.find(port);
        return it == laneOfPort.end() ? int(RebindSnapshot::Mover) : it->second;
    };
    const auto add = [&](int from, int to, const QString &label, bool failed = false) {
        snap->events.push_back({msSince(origin), from, to, label, failed});
    };
    // Starts the object in a new process with @p value; returns its port, or 0.
    const auto startServer = [&](int value, int oldPort) -> int {
        auto helper = std::make_unique<SpawnedHelper>();
        if (!helper->start(QString::fromLatin1(CounterHelper::kName),
                {QString::number(names.port()), kObject, QString::number(value), QStringLiteral("300")},
                &error))
            return 0;
        const int lane = RebindSnapshot::FirstServer + int(processes.size());
        add(RebindSnapshot::Mover, lane,
            QStringLiteral("start process %1 (counter = %2)").arg(helper->pid()).arg(value));
        const int port = names.waitForBinding(kObject, oldPort, std::chrono::seconds(10));
        if (port <= 0) {
            error = QStringLiteral("the new server process did not register with the name server");
            return 0;
        }
        laneOfPort[port] = lane;
        add(lane, RebindSnapshot::NameServerLane, QStringLiteral("bind(\"counter\", %1)").arg(port));
        snap->servers.push_back({int(helper->pid()), port, msSince(origin), -1});
        processes.push_back(std::move(helper));
        return port;
    };

    int port = startServer(0, -1);
    if (port == 0) {
        fail(error);
        return;
    }
    snap->status = QStringLiteral("the counter object runs in process %1 on port %2")
                       .arg(processes.back()->pid())
                       .arg(port);
    publish(std::make_shared<RebindSnapshot>(*snap));

    ClientStub counter(
        IdlInterface::counter(), kObject, names.port(), kTimeout, [this] { return stopRequested(); });
    counter.setOrigin(origin);
    int moves = 0, failures = 0;
    std::vector<double> plainMs, reboundMs;
    for (int i = 0; i < cfg.calls; ++i) {
        if (!checkpoint())
            break;
        if (moves < cfg.moves && i > 0 && i % cfg.moveEvery == 0) {
            // Migration: the old process hands over its state and exits; a new one takes over.
            const int lane = laneFor(port);
            add(RebindSnapshot::Mover, lane, QStringLiteral("retire()"));
            ClientStub admin(
                IdlInterface::counter(), std::uint16_t(port), kTimeout, [this] { return stopRequested(); });
            const auto state = admin.invoke(QStringLiteral("retire"), {}, &error);
            if (!state) {
                fail(QStringLiteral("the server did not retire: %1").arg(error));
                return;
            }
            add(lane, RebindSnapshot::Mover,
                QStringLiteral("state: counter = %1").arg(std::get<std::int32_t>(*state)));
            if (!processes.back()->waitExit(std::chrono::seconds(5)))
                processes.back()->kill();
            snap->servers.back().retiredMs = msSince(origin);
            port = startServer(std::get<std::int32_t>(*state), port);
            if (port == 0) {
                fail(error);
                return;
            }
            ++moves;
            snap->status
                = QStringLiteral("the object moved to process %1, port %2; the client does not know yet")
                      .arg(processes.back()->pid())
                      .arg(port);
            publish(std::make_shared<RebindSnapshot>(*snap));
            if (!checkpoint())
                break;
        }
        // The client code: the same call every time.
        const std::size_t seen = counter.events().size();
        const auto t0 = Clock::now();
        const auto value = counter.invoke(QStringLiteral("increment"), {std::int32_t(1)}, &error);
        const double ms = msSince(t0);
        bool rebound = false;
        for (std::size_t k = seen; k < counter.events().size(); ++k) {
            const StubEvent &e = counter.events()[k];
            const auto at = [&](int from, int to, const QString &label, bool failed = false) {
                snap->events.push_back({e.atMs, from, to, label, failed});
            };
            switch (e.kind) {
            case StubEvent::Call:
                at(RebindSnapshot::ClientCode, RebindSnapshot::Stub,
                    QStringLiteral("increment(1)  [call %1]").arg(i + 1));
                break;
            case StubEvent::Lookup:
                at(RebindSnapshot::Stub, RebindSnapshot::NameServerLane, e.text);
                break;
            case StubEvent::Bound:
                at(RebindSnapshot::NameServerLane, RebindSnapshot::Stub,
                    QStringLiteral("port %1").arg(e.port));
                break;
            case StubEvent::Connect:
                break; // part of the request arrow
            case StubEvent::Request:
                at(RebindSnapshot::Stub, laneFor(e.port), QStringLiteral("increment(1)"));
                break;
            case StubEvent::Failure:
                rebound = true;
                at(RebindSnapshot::Stub, laneFor(e.port),
                    QStringLiteral("no answer: %1").arg(e.text.section(QStringLiteral(": "), 1)), true);
                break;
            case StubEvent::Returned:
                at(RebindSnapshot::Stub, RebindSnapshot::ClientCode, e.text);
                break;
            case StubEvent::Error:
                at(RebindSnapshot::Stub, RebindSnapshot::ClientCode, e.text, true);
                break;
            }
        }
        if (!value) {
            if (stopRequested())
                break;
            ++failures;
        }
        snap->values.push_back(value ? std::get<std::int32_t>(*value) : -1);
        snap->callMs.push_back(ms);
        snap->rebound.push_back(rebound);
        (rebound ? reboundMs : plainMs).push_back(ms);
        snap->progress = double(i + 1) / cfg.calls;
        snap->status = value ? QStringLiteral("call %1: counter.increment(1) returned %2 after %3 ms%4")
                                   .arg(i + 1)
                                   .arg(std::get<std::int32_t>(*value))
                                   .arg(ms, 0, 'f', 2)
                                   .arg(rebound ? QStringLiteral(" (the stub rebound first)") : QString())
                             : QStringLiteral("call %1 failed: %2").arg(i + 1).arg(error);
        publish(std::make_shared<RebindSnapshot>(*snap));
        if (!pace(0.6))
            break;
    }
    // Retire the last server politely; the destructors kill whatever is left.
    if (!processes.empty()) {
        ClientStub admin(
            IdlInterface::counter(), std::uint16_t(port), kTimeout, [this] { return stopRequested(); });
        if (admin.invoke(QStringLiteral("retire"), {}, &error)
            && processes.back()->waitExit(std::chrono::seconds(5)))
            snap->servers.back().retiredMs = msSince(origin);
    }
    processes.clear();
    names.stop();

    result.summary.insert(QStringLiteral("calls"), int(snap->values.size()));
    result.summary.insert(QStringLiteral("caller_failures"), failures);
    result.summary.insert(QStringLiteral("moves"), moves);
    result.summary.insert(QStringLiteral("servers"), int(snap->servers.size()));
    result.summary.insert(QStringLiteral("lookups"), counter.lookups());
    result.summary.insert(QStringLiteral("rebinds"), counter.rebinds());
    result.summary.insert(QStringLiteral("failed_attempts"), counter.failedAttempts());
    result.summary.insert(QStringLiteral("final_value"), snap->values.empty() ? 0 : snap->values.back());
    result.summary.insert(QStringLiteral("call_ms_median"), median(plainMs));
    if (!reboundMs.empty())
        result.summary.insert(QStringLiteral("rebind_call_ms_median"), median(reboundMs));
    Series s;
    s.id = QStringLiteral("call_ms");
    s.name = QStringLiteral("call duration (measured)");
    s.xLabel = QStringLiteral("call");
    s.yLabel = QStringLiteral("duration (ms)");
    s.style = Series::Style::Bars;
    for (std::size_t i = 0; i < snap->callMs.size(); ++i) {
        s.x.push_back(double(i + 1));
        s.y.push_back(snap->callMs[i]);
        s.pointLabels << (snap->rebound[i] ? QStringLiteral("rebound") : QString());
    }
    result.series.push_back(s);
    result.table.columns = {QStringLiteral("at_ms"), QStringLiteral("from"), QStringLiteral("to"),
        QStringLiteral("what"), QStringLiteral("failed")};
    for (const SequenceEvent &e : snap->events)
        result.table.rows.push_back({e.atMs, e.from, e.to, e.label, e.failed});
    snap->result = result;
    snap->progress = 1;
    snap->status = stopRequested()
        ? QStringLiteral("stopped")
        : QStringLiteral("%1 calls, %2 failed for the client code; the object moved %3 times")
              .arg(snap->values.size())
              .arg(failures)
              .arg(moves);
    publish(snap);
}

} // namespace proclab
