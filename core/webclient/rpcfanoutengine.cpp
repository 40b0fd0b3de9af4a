#include "rpcfanoutengine.h"

#include "common/clock.h"

#include "common/stats.h"
#include "net/httpclient.h"
#include "net/latencyserver.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

namespace proclab {

namespace {

using Clock = std::chrono::steady_clock;

} // namespace

std::optional<FanoutConfig> FanoutConfig::fromParams(const ParamValues &v, QString *)
{
    FanoutConfig c;
    c.servers = v.value(QStringLiteral("servers")).toInt();
    c.latencyMs = static_cast<double>(v.value(QStringLiteral("latency_ms")).toLongLong());
    c.repeats = v.value(QStringLiteral("repeats")).toInt();
    c.sweep = v.value(QStringLiteral("sweep")).toBool();
    return c;
}

RpcFanoutEngine::RpcFanoutEngine()
    : ConfiguredEngine(
        EngineInfo {QString(kId), QStringLiteral("Parallel RPCs to distinct servers"), Provenance::Measured,
            QStringLiteral("One request to each of m local servers, first one after another "
                           "from one thread, then with one thread per server."),
            {QStringLiteral("T11")}, {QString(kSpeedupView)}})
{
}

ParamSchema RpcFanoutEngine::schema() const
{
    return ParamSchema {
        ParamSpec::integer(QStringLiteral("servers"), QStringLiteral("Servers"), 4, 1, 8,
            QStringLiteral("servers"), QStringLiteral("How many local servers receive one call each.")),
        ParamSpec::integer(QStringLiteral("latency_ms"), QStringLiteral("Latency per server"), 100, 0, 1000,
            QStringLiteral("ms"), QStringLiteral("Delay each server adds before it answers.")),
        ParamSpec::integer(QStringLiteral("repeats"), QStringLiteral("Repeats"), 3, 1, 9,
            QStringLiteral("rounds"), QStringLiteral("Rounds per server count; the median is reported.")),
        ParamSpec::boolean(QStringLiteral("sweep"), QStringLiteral("Sweep server counts"), true,
            QStringLiteral("Measure every server count from 1 up to the chosen one; off "
                           "measures only the chosen count.")),
    };
}

std::vector<OutputSpec> RpcFanoutEngine::outputs() const
{
    return {
        {QStringLiteral("servers"), QStringLiteral("servers"),
            QStringLiteral("servers called in the last point measured")},
        {QStringLiteral("sequential_ms"), QStringLiteral("ms"),
            QStringLiteral("median time for one thread to call them one after another")},
        {QStringLiteral("parallel_ms"), QStringLiteral("ms"),
            QStringLiteral("median time for one thread per server to call all at once")},
        {QStringLiteral("speedup"), QStringLiteral("x"), QStringLiteral("sequential_ms / parallel_ms")},
        {QStringLiteral("speedup_per_server"), QStringLiteral("x"),
            QStringLiteral("speedup / servers: 1 is the linear speed-up")},
    };
}

void RpcFanoutEngine::run()
{
    const FanoutConfig &cfg = config();
    auto snap = std::make_shared<FanoutSnapshot>();
    snap->maxServers = cfg.servers;
    snap->latencyMs = cfg.latencyMs;

    std::vector<std::unique_ptr<LatencyServer>> servers;
    for (int i = 0; i < cfg.servers; ++i) {
        LatencyServerConfig serverCfg;
        serverCfg.name = QStringLiteral("server%1").arg(i + 1);
        serverCfg.latencyMs = cfg.latencyMs;
        serverCfg.resources = 0;
        servers.push_back(std::make_unique<LatencyServer>(serverCfg));
        QString error;
        if (!servers.back()->start(&error)) {
            snap->result = makeResult();
            snap->result.error = error;
            publish(snap);
            return;
        }
    }

    const double timeoutMs = 10000 + cfg.latencyMs;
    std::atomic<bool> cancel {false};
    QString failure;
    auto call = [&](int server, Clock::time_point origin) {
        const HttpResponse r
            = httpGet(servers[server]->port(), "/rpc?from=client", timeoutMs, origin, nullptr, &cancel);
        return r.error;
    };

    std::vector<int> counts;
    for (int m = cfg.sweep ? 1 : cfg.servers; m <= cfg.servers; ++m)
        counts.push_back(m);
    int done = 0;
    for (int m : counts) {
        std::vector<double> seq, par;
        for (int rep = 0; rep < cfg.repeats && failure.isEmpty(); ++rep) {
            if (!checkpoint()) {
                cancel = true;
                break;
            }
            snap->status = QStringLiteral("%1 server%2: round %3 of %4")
                               .arg(m)
                               .arg(m == 1 ? "" : "s")
                               .arg(rep + 1)
                               .arg(cfg.repeats);
            snap->progress = double(done) / (counts.size() * cfg.repeats);
            publish(std::make_shared<FanoutSnapshot>(*snap));
            // Sequential: the calling thread blocks on each server in turn.
            auto t0 = Clock::now();
            for (int i = 0; i < m && failure.isEmpty(); ++i) {
                const QString e = call(i, t0);
                if (!e.isEmpty())
                    failure = QStringLiteral("call to server %1 failed: %2").arg(i + 1).arg(e);
            }
            seq.push_back(msSince(t0));
            // Parallel: one thread per server, each blocking on its own call; wait for all.
            std::vector<QString> errors(m);
            t0 = Clock::now();
            {
                std::vector<std::thread> threads;
                for (int i = 0; i < m; ++i)
                    threads.emplace_back([&, i] { errors[i] = call(i, t0); });
                for (auto &t : threads)
                    t.join();
            }
            par.push_back(msSince(t0));
            for (int i = 0; i < m && failure.isEmpty(); ++i) {
                if (!errors[i].isEmpty())
                    failure = QStringLiteral("call to server %1 failed: %2").arg(i + 1).arg(errors[i]);
            }
            ++done;
        }
        if (cancel.load() || !failure.isEmpty() || seq.empty())
            break;
        FanoutPoint p;
        p.servers = m;
        p.sequentialMs = median(seq);
        p.parallelMs = median(par);
        p.speedup = p.parallelMs > 0 ? p.sequentialMs / p.parallelMs : 0;
        snap->points.push_back(p);
        publish(std::make_shared<FanoutSnapshot>(*snap));
    }
    servers.clear(); // stops and joins every server

    snap->result = buildResult(*snap, failure);
    snap->progress = 1;
    snap->status = !failure.isEmpty() ? failure
        : snap->points.empty()
        ? QStringLiteral("stopped")
        : QStringLiteral("%1 servers: %2 ms one after another, %3 ms in parallel (measured)")
              .arg(snap->points.back().servers)
              .arg(snap->points.back().sequentialMs, 0, 'f', 1)
              .arg(snap->points.back().parallelMs, 0, 'f', 1);
    publish(std::make_shared<FanoutSnapshot>(*snap));
}

std::vector<Series> RpcFanoutEngine::series(const std::vector<FanoutPoint> &points)
{
    Series speedup;
    speedup.id = QStringLiteral("speedup");
    speedup.name = QStringLiteral("speed-up (measured)");
    speedup.xLabel = QStringLiteral("servers called");
    speedup.yLabel = QStringLiteral("speed-up (sequential / parallel)");
    Series ideal = speedup;
    ideal.id = QStringLiteral("linear_speedup");
    ideal.name = QStringLiteral("linear speed-up (model)");
    Series seq;
    seq.id = QStringLiteral("sequential");
    seq.name = QStringLiteral("sequential (measured)");
    seq.xLabel = QStringLiteral("servers called");
    seq.yLabel = QStringLiteral("time for all calls (ms)");
    Series par = seq;
    par.id = QStringLiteral("parallel");
    par.name = QStringLiteral("parallel (measured)");
    for (const auto &p : points) {
        speedup.x.push_back(p.servers);
        speedup.y.push_back(p.speedup);
        ideal.x.push_back(p.servers);
        ideal.y.push_back(p.servers);
        seq.x.push_back(p.servers);
        seq.y.push_back(p.sequentialMs);
        par.x.push_back(p.servers);
        par.y.push_back(p.parallelMs);
    }
    return {speedup, ideal, seq, par};
}

Result RpcFanoutEngine::buildResult(const FanoutSnapshot &snap, const QString &failure) const
{
    Result result = makeResult();
    result.table.columns = {QStringLiteral("servers"), QStringLiteral("sequential_ms"),
        QStringLiteral("parallel_ms"), QStringLiteral("speedup")};
    for (const auto &p : snap.points)
        result.table.rows.push_back({p.servers, p.sequentialMs, p.parallelMs, p.speedup});
    result.series = series(snap.points);
    if (!snap.points.empty()) {
        const auto &last = snap.points.back();
        result.summary.insert(QStringLiteral("servers"), last.servers);
        result.summary.insert(QStringLiteral("sequential_ms"), last.sequentialMs);
        result.summary.insert(QStringLiteral("parallel_ms"), last.parallelMs);
        result.summary.insert(QStringLiteral("speedup"), last.speedup);
        result.summary.insert(QStringLiteral("speedup_per_server"), last.speedup / last.servers);
    }
    if (!failure.isEmpty())
        result.error = failure;
    return result;
}

} // namespace proclab
