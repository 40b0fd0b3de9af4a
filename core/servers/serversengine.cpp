#include "serversengine.h"

#include "servercapacitymodel.h"

#include "net/fdlimit.h"
#include "net/loadgenerator.h"

#include "common/clock.h"
#include "common/threadpriority.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <thread>

namespace proclab {

namespace {

constexpr auto kSampleInterval = std::chrono::milliseconds(100);

int coreCount()
{
    return std::max(1, int(std::thread::hardware_concurrency()));
}

QString designKey(ServerDesign d)
{
    return QLatin1String(serverDesignName(d));
}

QStringList designNames()
{
    QStringList names;
    for (ServerDesign d : allServerDesigns())
        names << designKey(d);
    return names;
}

} // namespace

ServersEngine::ServersEngine()
    : ConfiguredEngine(
        EngineInfo {QString(kId), QStringLiteral("Server designs under load"), Provenance::Measured,
            QStringLiteral("Five real HTTP/1.1 servers on 127.0.0.1 (iterative, process per connection, "
                           "thread per connection, dispatcher/worker pool, event-driven state machine) "
                           "under a built-in load generator; throughput and latency side by side."),
            {QStringLiteral("T13"), QStringLiteral("T14"), QStringLiteral("S1")}, {QString(kDesignsView)}})
{
}

ParamSchema ServersEngine::schema() const
{
    return ParamSchema {
        ParamSpec::choice(QStringLiteral("design"), QStringLiteral("Design"), QStringLiteral("fsm"),
            designNames(),
            QStringLiteral("The server organisation of a single run: iterative (one client at a time), "
                           "process (a process per connection), thread (a thread per connection), pool "
                           "(a dispatcher hands requests to a fixed pool of workers), fsm (one thread, "
                           "non-blocking, each connection a state machine).")),
        ParamSpec::integer(QStringLiteral("clients"), QStringLiteral("Clients"), 10, 1, 1000,
            QStringLiteral("clients"),
            QStringLiteral("Concurrent clients of the load generator; each sends a request, waits "
                           "for the answer and sends the next (closed loop).")),
        ParamSpec::integer(QStringLiteral("requests"), QStringLiteral("Requests per point"), 0, 0, 10'000'000,
            QStringLiteral("requests"),
            QStringLiteral("Requests to send against each design; 0 means as many as fit in 'seconds'.")),
        ParamSpec::real(QStringLiteral("seconds"), QStringLiteral("Seconds per point"), 2, 0.2, 60,
            QStringLiteral("s"), QStringLiteral("How long each design is under load (at most).")),
        ParamSpec::integer(QStringLiteral("disk_ms"), QStringLiteral("Disk wait"), 0, 0, 1000,
            QStringLiteral("ms"),
            QStringLiteral("A blocking wait per request, standing for a disk read (fsm waits on a "
                           "timer instead, without blocking its thread).")),
        ParamSpec::integer(QStringLiteral("cpu_us"), QStringLiteral("CPU work"), 0, 0, 100'000,
            QStringLiteral("us"), QStringLiteral("CPU time each request spends computing.")),
        ParamSpec::boolean(QStringLiteral("keepalive"), QStringLiteral("Keep-alive"), true,
            QStringLiteral("Clients keep their connection for the next request; off: a new connection "
                           "per request, which the server accepts (and, per design, forks or starts a "
                           "thread for) every time.")),
        ParamSpec::integer(QStringLiteral("pool_workers"), QStringLiteral("Pool workers"), 8, 1, 256,
            QStringLiteral("threads"), QStringLiteral("Worker threads of the pool design.")),
        ParamSpec::choice(QStringLiteral("sweep"), QStringLiteral("Compare"), QStringLiteral("off"),
            {QStringLiteral("off"), QStringLiteral("designs"), QStringLiteral("concurrency")},
            QStringLiteral("off: the one design above; designs: every design in 'designs' at 'clients'; "
                           "concurrency: every design in 'designs' at 1, 10, 100, ... up to 'clients'.")),
        ParamSpec::text(QStringLiteral("designs"), QStringLiteral("Designs compared"), QStringLiteral("all"),
            QStringLiteral("The designs a comparison measures, in order, separated by commas "
                           "(iterative,process,thread,pool,fsm), or all.")),
    };
}

std::vector<OutputSpec> ServersEngine::outputs() const
{
    const QString ofBest
        = QStringLiteral(" (a comparison: of the design with the highest throughput at the most clients)");
    return {
        {QStringLiteral("throughput_rps"), QStringLiteral("requests/s"),
            QStringLiteral("successful responses per second, measured") + ofBest},
        {QStringLiteral("latency_p50_ms"), QStringLiteral("ms"),
            QStringLiteral("median time from sending a request to its full response") + ofBest},
        {QStringLiteral("latency_p95_ms"), QStringLiteral("ms"),
            QStringLiteral("95th percentile latency") + ofBest},
        {QStringLiteral("latency_p99_ms"), QStringLiteral("ms"),
            QStringLiteral("99th percentile latency") + ofBest},
        {QStringLiteral("latency_max_ms"), QStringLiteral("ms"), QStringLiteral("longest latency") + ofBest},
        {QStringLiteral("errors"), QString(),
            QStringLiteral("failed requests (refused, reset, timed out, 4xx/5xx), all points together")},
        {QStringLiteral("requests_ok"), QString(),
            QStringLiteral("successful responses, all points together")},
        {QStringLiteral("generator_cpu_percent"), QStringLiteral("%"),
            QStringLiteral("CPU the load generator used, 100% = one core") + ofBest},
        {QStringLiteral("generator_busiest_thread_percent"), QStringLiteral("%"),
            QStringLiteral("the busiest generator thread's share of one core; near 100% the generator, not "
                           "the server, is the bottleneck")
                + ofBest},
        {QStringLiteral("generator_saturated"), QString(),
            QStringLiteral("1 if a generator thread was at 90% of a core or more at any point, else 0")},
        {QStringLiteral("server_inflight_max"), QString(),
            QStringLiteral("most requests the server had under way at once") + ofBest},
        {QStringLiteral("server_workers_started"), QString(),
            QStringLiteral("threads (thread design) or processes (process design) started for connections")
                + ofBest},
        {QStringLiteral("cap_rejections"), QString(),
            QStringLiteral("connections turned away with 503 at the design's cap, all points together")},
        {QStringLiteral("model_bound_rps"), QStringLiteral("requests/s"),
            QStringLiteral("model: requests under way at once / (disk_ms + cpu_us), capped by the cores; 0 = "
                           "no bound (no disk wait or CPU work)")
                + ofBest},
        {QStringLiteral("points"), QString(), QStringLiteral("design and client-count points measured")},
        {QStringLiteral("throughput_rps_*"), QStringLiteral("requests/s"),
            QStringLiteral("throughput_rps_<design>: at the most clients; throughput_rps_<design>_c<n>: at n "
                           "clients")},
        {QStringLiteral("latency_p50_ms_*"), QStringLiteral("ms"),
            QStringLiteral("latency_p50_ms_<design>[_c<n>]: median latency of that design")},
        {QStringLiteral("latency_p99_ms_*"), QStringLiteral("ms"),
            QStringLiteral("latency_p99_ms_<design>[_c<n>]: 99th percentile latency of that design")},
        {QStringLiteral("model_bound_rps_*"), QStringLiteral("requests/s"),
            QStringLiteral("model_bound_rps_<design>: the model bound of that design at the most clients")},
        {QStringLiteral("best_index"), QString(),
            QStringLiteral("0-based position in 'designs' of the highest throughput at the most clients")},
        {QStringLiteral("worst_index"), QString(),
            QStringLiteral("0-based position in 'designs' of the lowest throughput at the most clients")},
        {QStringLiteral("best_over_worst"), QStringLiteral("x"),
            QStringLiteral("highest throughput over lowest throughput at the most clients (measured)")},
    };
}

void ServersEngine::run()
{
    // The servers under test and their load keep both cores busy: this thread and everything it
    // starts (server threads, client threads, the forking helper) give way to the window's
    // thread, so the view keeps its frame rate. They all get the same step, so what the run
    // compares among them is unchanged.
    giveWayToWindow();
    const ServersConfig &cfg = config();
    auto snap = std::make_shared<ServersSnapshot>();
    snap->poolWorkers = cfg.poolWorkers;
    snap->diskMs = cfg.diskMs;
    snap->cpuUs = cfg.cpuUs;
    snap->keepAlive = cfg.keepAlive;
    snap->designs = cfg.measuredDesigns();
    snap->levels = cfg.clientLevels();
    snap->design = snap->designs.front();
    snap->clients = snap->levels.front();
    snap->result = makeResult();
    snap->status = QStringLiteral("starting");
    publish(std::make_shared<ServersSnapshot>(*snap));

    const ServerCapacityModel model(cfg.diskMs, cfg.cpuUs, coreCount());
    const int total = int(snap->designs.size() * snap->levels.size());
    int done = 0;
    QString error;
    for (int clients : snap->levels) {
        for (ServerDesign design : snap->designs) {
            if (!checkpoint())
                break;
            const SweepPoint point
                = measurePoint(design, clients, *snap, double(done) / total, double(done + 1) / total);
            if (stopRequested())
                break; // a point cut short is not a measurement
            if (!point.error.isEmpty() && error.isEmpty())
                error = QStringLiteral("%1 at %2 clients: %3")
                            .arg(designKey(design))
                            .arg(clients)
                            .arg(point.error);
            snap->points.push_back(point);
            snap->modelBoundRps.push_back(model.boundRps(design, clients, cfg.poolWorkers));
            ++done;
            snap->progress = double(done) / total;
            snap->result = buildResult(*snap, makeResult());
            publish(std::make_shared<ServersSnapshot>(*snap));
        }
        if (stopRequested())
            break;
    }
    snap->port = 0;
    snap->result = buildResult(*snap, makeResult());
    if (!error.isEmpty())
        snap->result.error = error;
    snap->progress = 1;
    if (stopRequested()) {
        snap->status = QStringLiteral("stopped");
    } else if (!error.isEmpty()) {
        snap->status = error;
    } else {
        const QJsonObject &s = snap->result.summary;
        snap->status = QStringLiteral("%1 requests/s, p99 %2 ms (measured on this machine)")
                           .arg(s.value(QStringLiteral("throughput_rps")).toDouble(), 0, 'f', 0)
                           .arg(s.value(QStringLiteral("latency_p99_ms")).toDouble(), 0, 'f', 2);
    }
    publish(std::make_shared<ServersSnapshot>(*snap));
}

void ServersEngine::onStopRequested()
{
    std::lock_guard lock(m_loadMutex);
    if (m_load)
        m_load->stop(); // the point's sampling loop then sees the run end within a sample
}

SweepPoint ServersEngine::measurePoint(
    ServerDesign design, int clients, ServersSnapshot &snap, double progressFrom, double progressTo)
{
    const ServersConfig &cfg = config();
    SweepPoint point;
    point.design = design;
    point.clients = clients;
    snap.design = design;
    snap.clients = clients;
    snap.timelineS.clear();
    snap.timelineRps.clear();
    snap.activity = {};
    snap.stats = {};

    // Both ends of every connection are in this process (the process design's children hold
    // the server ends, but the helper is started from here).
    QString error;
    if (!ensureFdLimit(2 * std::int64_t(clients) + 64, &error)) {
        point.error = error;
        return point;
    }
    auto server = makeHttpServer(cfg.serverConfig(design));
    if (!server->start(&error)) {
        point.error = error;
        return point;
    }
    snap.port = server->port();
    snap.status = QStringLiteral("%1: %2 clients on http://127.0.0.1:%3/")
                      .arg(designKey(design))
                      .arg(clients)
                      .arg(server->port());
    publish(std::make_shared<ServersSnapshot>(snap));

    LoadGenerator generator;
    {
        std::lock_guard lock(m_loadMutex);
        m_load = &generator;
    }
    if (stopRequested())
        generator.stop();
    const LoadConfig load = cfg.loadConfig(clients, server->port());
    LoadResult loadResult;
    std::atomic<bool> finished {false};
    std::thread loadThread([&] {
        loadResult = generator.run(load);
        finished.store(true, std::memory_order_release);
    });

    const std::int64_t startNs = monotonicNs();
    std::int64_t lastNs = startNs;
    std::int64_t lastDone = 0;
    while (!finished.load(std::memory_order_acquire)) {
        // Not a checkpoint: pausing would not pause the clients, only the picture.
        sleepFor(kSampleInterval);
        if (finished.load(std::memory_order_acquire))
            break; // the last interval holds the end of the run: not a full interval of load
        const std::int64_t now = monotonicNs();
        const std::int64_t completed = generator.completedSoFar();
        const double intervalS = double(now - lastNs) / 1e9;
        if (intervalS > 0) {
            snap.timelineS.push_back(double(now - startNs) / 1e9);
            snap.timelineRps.push_back(double(completed - lastDone) / intervalS);
        }
        lastNs = now;
        lastDone = completed;
        snap.activity = server->activity();
        snap.stats = server->stats();
        const double fraction = std::min(1.0, double(now - startNs) / 1e9 / std::max(0.1, cfg.seconds));
        snap.progress = progressFrom + (progressTo - progressFrom) * fraction;
        publish(std::make_shared<ServersSnapshot>(snap));
    }
    loadThread.join();
    {
        std::lock_guard lock(m_loadMutex);
        m_load = nullptr;
    }
    if (!loadResult.error.isEmpty())
        point.error = loadResult.error;
    else
        fillPointFromLoad(point, loadResult);
    snap.stats = server->stats();
    fillPointFromServer(point, snap.stats);
    server->stop();
    // snap.activity keeps the last sample under load: the picture stays on the run's last moment.
    return point;
}

std::vector<Series> ServersEngine::designSeries(const ServersSnapshot &snap)
{
    std::vector<Series> out;
    for (ServerDesign d : snap.designs) {
        Series rps;
        rps.id = QStringLiteral("throughput_") + designKey(d);
        rps.name = QStringLiteral("%1 throughput").arg(designKey(d));
        rps.xLabel = QStringLiteral("concurrent clients");
        rps.yLabel = QStringLiteral("throughput (requests/s)");
        rps.style = Series::Style::Line;
        Series p99 = rps;
        p99.id = QStringLiteral("p99_") + designKey(d);
        p99.name = QStringLiteral("%1 p99 latency").arg(designKey(d));
        p99.yLabel = QStringLiteral("p99 latency (ms)");
        for (const SweepPoint &p : snap.points) {
            if (p.design != d || !p.error.isEmpty())
                continue;
            rps.x.push_back(p.clients);
            rps.y.push_back(p.throughputRps);
            p99.x.push_back(p.clients);
            p99.y.push_back(p.latencyP99Ms);
        }
        out.push_back(std::move(rps));
        out.push_back(std::move(p99));
    }
    return out;
}

Result ServersEngine::buildResult(const ServersSnapshot &snap, Result r)
{
    QJsonObject &s = r.summary;
    const int topLevel = snap.levels.empty() ? 0 : snap.levels.back();
    const bool comparison = snap.designs.size() > 1 || snap.levels.size() > 1;
    std::int64_t errors = 0;
    std::int64_t ok = 0;
    std::int64_t rejections = 0;
    bool saturated = false;
    int best = -1; // index into snap.points
    int bestDesign = -1;
    int worstDesign = -1;
    double bestRps = -1;
    double worstRps = -1;
    for (int i = 0; i < int(snap.points.size()); ++i) {
        const SweepPoint &p = snap.points[i];
        errors += p.errors;
        ok += p.ok;
        rejections += p.serverCapRejections;
        saturated = saturated || p.generatorSaturated;
        if (!p.error.isEmpty())
            continue;
        const QString name = designKey(p.design);
        const QString level = QStringLiteral("_c%1").arg(p.clients);
        if (comparison) {
            s.insert(QStringLiteral("throughput_rps_") + name + level, p.throughputRps);
            s.insert(QStringLiteral("latency_p50_ms_") + name + level, p.latencyP50Ms);
            s.insert(QStringLiteral("latency_p99_ms_") + name + level, p.latencyP99Ms);
        }
        if (p.clients != topLevel)
            continue;
        s.insert(QStringLiteral("throughput_rps_") + name, p.throughputRps);
        s.insert(QStringLiteral("latency_p50_ms_") + name, p.latencyP50Ms);
        s.insert(QStringLiteral("latency_p99_ms_") + name, p.latencyP99Ms);
        if (i < int(snap.modelBoundRps.size()))
            s.insert(QStringLiteral("model_bound_rps_") + name, snap.modelBoundRps[i]);
        const auto at = std::find(snap.designs.begin(), snap.designs.end(), p.design);
        const int index = int(at - snap.designs.begin());
        if (p.throughputRps > bestRps) {
            bestRps = p.throughputRps;
            best = i;
            bestDesign = index;
        }
        if (worstRps < 0 || p.throughputRps < worstRps) {
            worstRps = p.throughputRps;
            worstDesign = index;
        }
    }
    s.insert(QStringLiteral("points"), int(snap.points.size()));
    s.insert(QStringLiteral("errors"), double(errors));
    s.insert(QStringLiteral("requests_ok"), double(ok));
    s.insert(QStringLiteral("cap_rejections"), double(rejections));
    s.insert(QStringLiteral("generator_saturated"), saturated ? 1 : 0);
    if (best >= 0) {
        const SweepPoint &p = snap.points[best];
        s.insert(QStringLiteral("throughput_rps"), p.throughputRps);
        s.insert(QStringLiteral("latency_p50_ms"), p.latencyP50Ms);
        s.insert(QStringLiteral("latency_p95_ms"), p.latencyP95Ms);
        s.insert(QStringLiteral("latency_p99_ms"), p.latencyP99Ms);
        s.insert(QStringLiteral("latency_max_ms"), p.latencyMaxMs);
        s.insert(QStringLiteral("generator_cpu_percent"), p.generatorCpuPercent);
        s.insert(QStringLiteral("generator_busiest_thread_percent"), p.generatorBusiestThreadPercent);
        s.insert(QStringLiteral("server_inflight_max"), double(p.serverInFlightMax));
        s.insert(QStringLiteral("server_workers_started"), double(p.serverWorkersStarted));
        if (best < int(snap.modelBoundRps.size()))
            s.insert(QStringLiteral("model_bound_rps"), snap.modelBoundRps[best]);
        s.insert(QStringLiteral("best_index"), bestDesign);
        s.insert(QStringLiteral("worst_index"), worstDesign);
        s.insert(QStringLiteral("best_over_worst"), worstRps > 0 ? bestRps / worstRps : 0.0);
    }

    r.series = designSeries(snap);
    if (!comparison && !snap.timelineS.empty()) {
        Series t;
        t.id = QStringLiteral("throughput_over_time");
        t.name = QStringLiteral("throughput over time");
        t.xLabel = QStringLiteral("time (s)");
        t.yLabel = QStringLiteral("throughput (requests/s)");
        t.x = snap.timelineS;
        t.y = snap.timelineRps;
        r.series.push_back(std::move(t));
    }

    r.table.columns = {QStringLiteral("design"), QStringLiteral("clients"), QStringLiteral("throughput_rps"),
        QStringLiteral("latency_p50_ms"), QStringLiteral("latency_p99_ms"), QStringLiteral("errors"),
        QStringLiteral("generator_cpu_percent"), QStringLiteral("model_bound_rps"),
        QStringLiteral("parallelism"), QStringLiteral("blocking_calls"), QStringLiteral("error")};
    for (int i = 0; i < int(snap.points.size()); ++i) {
        const SweepPoint &p = snap.points[i];
        const DesignTraits traits = designTraits(p.design);
        r.table.rows.push_back({designKey(p.design), p.clients, p.throughputRps, p.latencyP50Ms,
            p.latencyP99Ms, qlonglong(p.errors), p.generatorCpuPercent,
            i < int(snap.modelBoundRps.size()) ? snap.modelBoundRps[i] : 0.0, traits.parallelism,
            traits.blockingCalls, p.error});
    }
    return r;
}

} // namespace proclab
