#include "replicaengine.h"

#include "common/clock.h"

#include "common/stats.h"
#include "net/latencyserver.h"

#include <chrono>
#include <memory>

namespace proclab {

namespace {

using Clock = std::chrono::steady_clock;

} // namespace

std::optional<ReplicaConfig> ReplicaConfig::fromParams(const ParamValues &v, QString *)
{
    ReplicaConfig c;
    c.requests = v.value(QStringLiteral("requests")).toInt();
    c.intervalMs = v.value(QStringLiteral("interval_ms")).toInt();
    c.latencyMs = static_cast<double>(v.value(QStringLiteral("latency_ms")).toLongLong());
    c.jitterMs = static_cast<double>(v.value(QStringLiteral("jitter_ms")).toLongLong());
    c.killAt = v.value(QStringLiteral("kill_at")).toInt();
    c.killReplica = v.value(QStringLiteral("kill_replica")).toInt();
    c.seed = static_cast<std::uint64_t>(v.value(QStringLiteral("seed")).toLongLong());
    return c;
}

ReplicaEngine::ReplicaEngine()
    : ConfiguredEngine(EngineInfo {QString(kId), QStringLiteral("Replication transparency: a client stub"),
        Provenance::Measured,
        QStringLiteral("A client stub sends every request to three local replicas and returns "
                       "the first answer; one replica is killed during the run."),
        {QStringLiteral("C4")}, {QString(kStubView)}})
{
}

ParamSchema ReplicaEngine::schema() const
{
    return ParamSchema {
        ParamSpec::integer(QStringLiteral("requests"), QStringLiteral("Requests"), 40, 1, 200,
            QStringLiteral("calls"), QStringLiteral("How many calls the application makes.")),
        ParamSpec::integer(QStringLiteral("interval_ms"), QStringLiteral("Pause between calls"), 40, 0, 1000,
            QStringLiteral("ms"), QStringLiteral("The application waits this long between calls.")),
        ParamSpec::integer(QStringLiteral("latency_ms"), QStringLiteral("Replica latency"), 20, 0, 1000,
            QStringLiteral("ms"), QStringLiteral("Fixed delay every replica adds to an answer.")),
        ParamSpec::integer(QStringLiteral("jitter_ms"), QStringLiteral("Latency jitter"), 30, 0, 1000,
            QStringLiteral("ms"),
            QStringLiteral("Extra random delay, 0 up to this, drawn per answer: it decides "
                           "which replica is fastest.")),
        ParamSpec::integer(QStringLiteral("kill_at"), QStringLiteral("Kill before call"), 20, -1, 200,
            QStringLiteral("call"),
            QStringLiteral("The replica is killed just before this call (-1: never).")),
        ParamSpec::integer(QStringLiteral("kill_replica"), QStringLiteral("Replica to kill"), 0, 0, 2, {},
            QStringLiteral("Which replica (0, 1 or 2) is killed.")),
        ParamSpec::integer(QStringLiteral("seed"), QStringLiteral("Random seed"), 1, 0, 1000000, {},
            QStringLiteral("Seeds the replicas' jitter.")),
    };
}

std::vector<OutputSpec> ReplicaEngine::outputs() const
{
    std::vector<OutputSpec> out {
        {QStringLiteral("calls"), QStringLiteral("calls"), QStringLiteral("calls the application made")},
        {QStringLiteral("caller_failures"), QStringLiteral("calls"),
            QStringLiteral("calls that failed as the application saw them (no replica answered)")},
        {QStringLiteral("median_latency_ms"), QStringLiteral("ms"),
            QStringLiteral("median time the caller waited per call")},
        {QStringLiteral("killed_replica"), QString(),
            QStringLiteral("the replica that was killed, -1 if none")},
    };
    for (int r = 0; r < kReplicas; ++r) {
        const QString p = QStringLiteral("replica%1_").arg(r);
        out.push_back({p + QStringLiteral("sent"), QStringLiteral("requests"),
            QStringLiteral("requests the stub sent to replica %1").arg(r)});
        out.push_back({p + QStringLiteral("first"), QStringLiteral("requests"),
            QStringLiteral("answers of replica %1 that were the first (returned to the caller)").arg(r)});
        out.push_back({p + QStringLiteral("late"), QStringLiteral("requests"),
            QStringLiteral("answers of replica %1 that came after another replica's").arg(r)});
        out.push_back({p + QStringLiteral("failed"), QStringLiteral("requests"),
            QStringLiteral("requests to replica %1 that were refused, reset or timed out").arg(r)});
    }
    return out;
}

void ReplicaEngine::run()
{
    const ReplicaConfig &cfg = config();
    auto snap = std::make_shared<ReplicaSnapshot>();
    snap->replicas = kReplicas;
    snap->requests = cfg.requests;
    snap->killAt = cfg.killAt;

    std::vector<std::unique_ptr<LatencyServer>> replicas;
    std::vector<std::uint16_t> ports;
    for (int r = 0; r < kReplicas; ++r) {
        LatencyServerConfig serverCfg;
        serverCfg.name = QStringLiteral("replica%1").arg(r);
        serverCfg.resources = 0;
        serverCfg.latencyMs = cfg.latencyMs;
        serverCfg.jitterMs = cfg.jitterMs;
        serverCfg.seed = cfg.seed * 7919 + static_cast<std::uint64_t>(r);
        replicas.push_back(std::make_unique<LatencyServer>(serverCfg));
        QString error;
        if (!replicas.back()->start(&error)) {
            snap->result = makeResult();
            snap->result.error = error;
            publish(snap);
            return;
        }
        ports.push_back(replicas.back()->port());
    }

    const auto origin = Clock::now();
    {
        ReplicatingStub stub(ports, 5000 + cfg.latencyMs + cfg.jitterMs, origin);
        auto publishCopy = [&](const QString &status, double progress) {
            stub.copyState(&snap->calls, &snap->counters);
            snap->callerFailures = 0;
            for (const auto &c : snap->calls)
                snap->callerFailures += c.winner < 0 && c.latencyMs > 0 ? 1 : 0;
            snap->status = status;
            snap->progress = progress;
            publish(std::make_shared<ReplicaSnapshot>(*snap));
        };
        for (int i = 0; i < cfg.requests; ++i) {
            if (!checkpoint())
                break;
            if (i == cfg.killAt) {
                // A crash: open connections are reset and the port refuses new ones.
                replicas[cfg.killReplica]->kill();
                stub.markKilled(cfg.killReplica);
                snap->killedReplica = cfg.killReplica;
                snap->killedAtMs = msSince(origin);
            }
            const StubCall c = stub.call(i);
            publishCopy(c.winner >= 0 ? QStringLiteral("call %1 answered by replica %2 after %3 ms")
                                            .arg(i)
                                            .arg(c.winner)
                                            .arg(c.latencyMs, 0, 'f', 1)
                                      : QStringLiteral("call %1 failed: no replica answered").arg(i),
                double(i + 1) / cfg.requests);
            if (cfg.intervalMs > 0 && !sleepFor(std::chrono::milliseconds(cfg.intervalMs)))
                break;
        }
        if (!stopRequested())
            stub.drain(
                std::chrono::milliseconds(static_cast<long long>(6000 + cfg.latencyMs + cfg.jitterMs)));
        stub.copyState(&snap->calls, &snap->counters);
    } // the stub's workers are joined here, before the replicas stop
    replicas.clear();

    snap->result = buildResult(*snap);
    snap->callerFailures = 0;
    for (const auto &c : snap->calls)
        snap->callerFailures += c.winner < 0 ? 1 : 0;
    snap->progress = 1;
    snap->status = stopRequested() ? QStringLiteral("stopped")
                                   : QStringLiteral("%1 calls, %2 failed for the caller; replica %3 killed")
                                         .arg(snap->calls.size())
                                         .arg(snap->callerFailures)
                                         .arg(snap->killedReplica);
    publish(std::make_shared<ReplicaSnapshot>(*snap));
}

std::vector<Series> ReplicaEngine::callSeries(const ReplicaSnapshot &s)
{
    std::vector<Series> series;
    for (int r = 0; r < s.replicas; ++r) {
        Series sr;
        sr.id = QStringLiteral("replica_%1").arg(r);
        sr.name = QStringLiteral("answered by replica %1").arg(r);
        sr.xLabel = QStringLiteral("call");
        sr.yLabel = QStringLiteral("latency seen by the caller (ms)");
        sr.style = Series::Style::Scatter;
        for (const auto &c : s.calls) {
            if (c.winner == r) {
                sr.x.push_back(c.index);
                sr.y.push_back(c.latencyMs);
            }
        }
        series.push_back(sr);
    }
    Series failed;
    failed.id = QStringLiteral("failed");
    failed.name = QStringLiteral("failed for the caller");
    failed.xLabel = QStringLiteral("call");
    failed.yLabel = QStringLiteral("latency seen by the caller (ms)");
    failed.style = Series::Style::Scatter;
    for (const auto &c : s.calls) {
        if (c.winner < 0) {
            failed.x.push_back(c.index);
            failed.y.push_back(c.latencyMs);
        }
    }
    if (!failed.x.empty())
        series.push_back(failed);
    return series;
}

Result ReplicaEngine::buildResult(const ReplicaSnapshot &snap) const
{
    Result result = makeResult();
    int failures = 0;
    Series latency;
    latency.id = QStringLiteral("caller_latency");
    latency.name = QStringLiteral("caller latency (measured)");
    latency.xLabel = QStringLiteral("call");
    latency.yLabel = QStringLiteral("latency seen by the caller (ms)");
    latency.style = Series::Style::Scatter;
    result.table.columns = {QStringLiteral("call"), QStringLiteral("start_ms"), QStringLiteral("latency_ms"),
        QStringLiteral("winner"), QStringLiteral("replica0"), QStringLiteral("replica1"),
        QStringLiteral("replica2")};
    const QStringList outcomeNames = {
        QStringLiteral("pending"), QStringLiteral("first"), QStringLiteral("late"), QStringLiteral("failed")};
    std::vector<double> lat;
    for (const auto &c : snap.calls) {
        if (c.winner < 0)
            ++failures;
        latency.x.push_back(c.index);
        latency.y.push_back(c.latencyMs);
        latency.pointLabels << (c.winner >= 0 ? QStringLiteral("replica %1").arg(c.winner)
                                              : QStringLiteral("failed"));
        QVariantList row {c.index, c.startMs, c.latencyMs, c.winner};
        for (int o : c.outcome)
            row << outcomeNames.value(o);
        result.table.rows.push_back(row);
        lat.push_back(c.latencyMs);
    }
    result.series.push_back(latency);
    result.summary.insert(QStringLiteral("calls"), static_cast<int>(snap.calls.size()));
    result.summary.insert(QStringLiteral("caller_failures"), failures);
    result.summary.insert(QStringLiteral("median_latency_ms"), median(lat));
    result.summary.insert(QStringLiteral("killed_replica"), snap.killedReplica);
    for (int r = 0; r < kReplicas && r < int(snap.counters.size()); ++r) {
        const auto &k = snap.counters[r];
        const QString p = QStringLiteral("replica%1_").arg(r);
        result.summary.insert(p + QStringLiteral("sent"), k.sent);
        result.summary.insert(p + QStringLiteral("first"), k.first);
        result.summary.insert(p + QStringLiteral("late"), k.late);
        result.summary.insert(p + QStringLiteral("failed"), k.failed);
    }
    return result;
}

} // namespace proclab
