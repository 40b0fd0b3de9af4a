#include "clusterengine.h"

#include "clustermeasurement.h"
#include "clusterprotocol.h"

#include <chrono>
#include <memory>

namespace proclab {

ClusterEngine::ClusterEngine()
    : ConfiguredEngine(EngineInfo {QString(kId), QStringLiteral("Server cluster: relay vs TCP handoff"),
        Provenance::Measured,
        QStringLiteral("A first tier dispatches requests to back-end processes, relaying every byte "
                       "or handing the client's connection off (SCM_RIGHTS); throughput and the first "
                       "tier's bytes and CPU are measured as back ends are added."),
        {QStringLiteral("S7")}, {QString(kLoadView)}})
{
}

ParamSchema ClusterEngine::schema() const
{
    return ParamSchema {
        ParamSpec::choice(QStringLiteral("dispatch"), QStringLiteral("Dispatch"), QStringLiteral("both"),
            {QStringLiteral("relay"), QStringLiteral("handoff"), QStringLiteral("both")},
            QStringLiteral("relay: the first tier copies every response byte; handoff: it passes the "
                           "client's connection to the back end; both: measure the two.")),
        ParamSpec::integer(QStringLiteral("backends"), QStringLiteral("Back ends"), 4, 1, 8,
            QStringLiteral("processes"), QStringLiteral("Back-end server processes behind the first tier.")),
        ParamSpec::boolean(QStringLiteral("sweep"), QStringLiteral("Sweep back ends"), true,
            QStringLiteral(
                "Also measure with 1, 2, 4, ... back ends below the chosen number, for the chart.")),
        ParamSpec::integer(QStringLiteral("clients"), QStringLiteral("Clients"), 16, 1, 64,
            QStringLiteral("threads"),
            QStringLiteral("Closed-loop clients: each sends a request, waits for the whole response, "
                           "and sends the next.")),
        ParamSpec::integer(QStringLiteral("requests"), QStringLiteral("Requests at most"), 100000, 10,
            1000000, QStringLiteral("requests"),
            QStringLiteral("Upper bound on requests per configuration.")),
        ParamSpec::real(QStringLiteral("seconds"), QStringLiteral("Time per configuration"), 1.0, 0.2, 10,
            QStringLiteral("s"), QStringLiteral("No request starts after this long, per configuration.")),
        ParamSpec::bytes(QStringLiteral("response_size"), QStringLiteral("Response size"), 256 * 1024, 1024,
            4 * 1024 * 1024, QStringLiteral("Body size of every response.")),
        ParamSpec::integer(QStringLiteral("service_us"), QStringLiteral("Back-end service time"), 500, 0,
            100000, QStringLiteral("us"),
            QStringLiteral("Each back end holds a request this long before answering, one request at a "
                           "time, as if waiting for the third tier: it sets a back end's capacity.")),
    };
}

std::vector<OutputSpec> ClusterEngine::outputs() const
{
    const QString last = QStringLiteral(" (the chosen dispatch mode, largest back-end count)");
    return {
        {QStringLiteral("throughput_rps"), QStringLiteral("requests/s"),
            QStringLiteral("correct responses per second") + last},
        {QStringLiteral("first_tier_bytes"), QStringLiteral("bytes"),
            QStringLiteral("bytes through the first tier's sockets, both directions") + last},
        {QStringLiteral("first_tier_cpu_percent"), QStringLiteral("%"),
            QStringLiteral("CPU time of the first tier's thread during the load, percent of one core")
                + last},
        {QStringLiteral("first_tier_bytes_per_request"), QStringLiteral("bytes"),
            QStringLiteral("first-tier bytes per completed request") + last},
        {QStringLiteral("first_tier_response_bytes"), QStringLiteral("bytes"),
            QStringLiteral("response bytes the first tier read from back ends or wrote to clients") + last},
        {QStringLiteral("requests"), QStringLiteral("requests"), QStringLiteral("completed requests") + last},
        {QStringLiteral("errors"), QStringLiteral("requests"), QStringLiteral("failed requests") + last},
        {QStringLiteral("throughput_rps_*"), QStringLiteral("requests/s"),
            QStringLiteral("throughput per mode (_relay, _handoff: largest count) and per configuration "
                           "(_relay_N, _handoff_N)")},
        {QStringLiteral("first_tier_bytes_*"), QStringLiteral("bytes"),
            QStringLiteral(
                "first-tier bytes per mode and per configuration; _per_request_<mode>[_N] per request")},
        {QStringLiteral("first_tier_cpu_percent_*"), QStringLiteral("%"),
            QStringLiteral("first-tier CPU per mode and per configuration")},
        {QStringLiteral("first_tier_response_bytes_*"), QStringLiteral("bytes"),
            QStringLiteral("response bytes through the first tier, per mode (largest count)")},
        {QStringLiteral("latency_median_us"), QStringLiteral("us"),
            QStringLiteral("median time of one request as a client saw it, connect to last byte") + last},
        {QStringLiteral("latency_p10_us"), QStringLiteral("us"),
            QStringLiteral("10th percentile of the request time") + last},
        {QStringLiteral("latency_p90_us"), QStringLiteral("us"),
            QStringLiteral("90th percentile of the request time") + last},
        {QStringLiteral("latency_*"), QStringLiteral("us"),
            QStringLiteral("latency_median_us_<mode>, latency_p10_us_<mode>, latency_p90_us_<mode> at the "
                           "largest count")},
        {QStringLiteral("handoff_speedup"), QStringLiteral("x"),
            QStringLiteral("throughput with handoff divided by throughput with relay, largest count")},
        {QStringLiteral("faster_dispatch"), QString(),
            QStringLiteral("which mode had the higher throughput at the largest count: 0 relay, 1 handoff")},
        {QStringLiteral("errors_total"), QStringLiteral("requests"),
            QStringLiteral("failed requests, all configurations")},
        {QStringLiteral("backends"), QStringLiteral("processes"), QStringLiteral("largest back-end count")},
        {QStringLiteral("response_bytes"), QStringLiteral("bytes"),
            QStringLiteral("body size of every response")},
        {QStringLiteral("request_bytes"), QStringLiteral("bytes"), QStringLiteral("size of one request")},
    };
}

void ClusterEngine::run()
{
    const ClusterConfig &cfg = config();
    auto snap = std::make_shared<ClusterSnapshot>();
    snap->modes = cfg.modes;
    snap->counts = cfg.backendCounts();
    snap->responseBytes = cfg.responseBytes;
    snap->requestBytes = std::int64_t(clusterprotocol::requestText(0).size());
    const int total = int(snap->counts.size() * snap->modes.size());
    const auto publishCopy = [&] { publish(std::make_shared<ClusterSnapshot>(*snap)); };
    const auto fail = [&](const QString &error) {
        snap->measuring = false;
        snap->result = buildResult(*snap);
        snap->result.error = error;
        snap->status = error;
        publishCopy();
    };

    int done = 0;
    // Modes alternate per back-end count, so a slow phase of the machine hits both alike.
    for (int n : snap->counts) {
        for (DispatchMode mode : snap->modes) {
            if (!checkpoint())
                break;
            ClusterPointConfig pc;
            pc.mode = mode;
            pc.backends = n;
            pc.clients = cfg.clients;
            pc.maxRequests = cfg.requests;
            pc.durationMs = cfg.seconds * 1000.0;
            pc.responseBytes = cfg.responseBytes;
            pc.serviceUs = cfg.serviceUs;
            ClusterMeasurement m(pc);
            snap->status = QStringLiteral("%1 with %2 back ends: starting the back-end processes")
                               .arg(dispatchModeId(mode))
                               .arg(n);
            publishCopy();
            QString error;
            if (!m.setUp([this] { return stopRequested(); }, &error)) {
                if (stopRequested())
                    break;
                fail(error);
                return;
            }
            m.startLoad();
            snap->measuring = true;
            QString failure;
            while (!m.loadDone()) {
                if (!sleepFor(std::chrono::milliseconds(100)))
                    break;
                failure = m.failure();
                if (!failure.isEmpty())
                    break;
                snap->current = m.progress();
                snap->status = QStringLiteral("%1 with %2 back ends: %3 requests")
                                   .arg(dispatchModeId(mode))
                                   .arg(n)
                                   .arg(snap->current.completed);
                snap->progress = (done + std::min(1.0, snap->current.seconds / cfg.seconds)) / total;
                publishCopy();
            }
            if (failure.isEmpty() && !stopRequested())
                failure = m.failure();
            if (!failure.isEmpty()) {
                m.tearDown();
                fail(failure);
                return;
            }
            if (stopRequested()) {
                m.tearDown();
                break;
            }
            const ClusterPoint point = m.finish();
            m.tearDown();
            snap->points.push_back(point);
            snap->measuring = false;
            ++done;
            snap->progress = double(done) / total;
            publishCopy();
        }
        if (stopRequested())
            break;
    }
    snap->measuring = false;
    snap->result = buildResult(*snap);
    snap->progress = 1;
    snap->status = stopRequested() ? QStringLiteral("stopped")
                                   : QStringLiteral("%1 configurations measured").arg(snap->points.size());
    publishCopy();
}

std::vector<Series> ClusterEngine::pointSeries(const std::vector<ClusterPoint> &points)
{
    std::vector<Series> out;
    for (DispatchMode mode : {DispatchMode::Relay, DispatchMode::Handoff}) {
        const QString m = dispatchModeId(mode);
        Series thr, bytes, cpu;
        thr.id = QStringLiteral("throughput_") + m;
        thr.name = QStringLiteral("throughput, %1").arg(m);
        thr.yLabel = QStringLiteral("throughput (requests/s)");
        bytes.id = QStringLiteral("bytes_per_request_") + m;
        bytes.name = QStringLiteral("first-tier bytes per request, %1").arg(m);
        bytes.yLabel = QStringLiteral("first-tier bytes per request");
        cpu.id = QStringLiteral("cpu_percent_") + m;
        cpu.name = QStringLiteral("first-tier CPU, %1").arg(m);
        cpu.yLabel = QStringLiteral("first-tier CPU (% of one core)");
        for (Series *s : {&thr, &bytes, &cpu}) {
            s->xLabel = QStringLiteral("back ends");
            s->style = Series::Style::Line;
        }
        for (const ClusterPoint &p : points) {
            if (p.mode != mode)
                continue;
            thr.x.push_back(p.backends);
            thr.y.push_back(p.throughputRps);
            bytes.x.push_back(p.backends);
            bytes.y.push_back(p.firstTierBytesPerRequest());
            cpu.x.push_back(p.backends);
            cpu.y.push_back(p.firstTierCpuPercent);
        }
        if (thr.x.empty())
            continue;
        out.push_back(thr);
        out.push_back(bytes);
        out.push_back(cpu);
    }
    return out;
}

Result ClusterEngine::buildResult(const ClusterSnapshot &snap) const
{
    Result r = makeResult();
    r.series = pointSeries(snap.points);
    r.table.columns = {QStringLiteral("dispatch"), QStringLiteral("backends"), QStringLiteral("requests"),
        QStringLiteral("errors"), QStringLiteral("seconds"), QStringLiteral("throughput_rps"),
        QStringLiteral("first_tier_bytes"), QStringLiteral("client_bytes_in"),
        QStringLiteral("client_bytes_out"), QStringLiteral("backend_bytes_out"),
        QStringLiteral("backend_bytes_in"), QStringLiteral("first_tier_cpu_percent"),
        QStringLiteral("latency_median_us"), QStringLiteral("latency_p10_us"),
        QStringLiteral("latency_p90_us")};
    std::int64_t errors = 0;
    for (const ClusterPoint &p : snap.points) {
        const QString m = dispatchModeId(p.mode);
        r.table.rows.push_back({m, p.backends, qint64(p.completed), qint64(p.errors), p.seconds,
            p.throughputRps, qint64(p.firstTierBytes()), qint64(p.tier.clientBytesIn),
            qint64(p.tier.clientBytesOut), qint64(p.tier.backendBytesOut), qint64(p.tier.backendBytesIn),
            p.firstTierCpuPercent, p.latencyMedianUs, p.latencyP10Us, p.latencyP90Us});
        errors += p.errors;
        const QString sfx = QStringLiteral("_%1_%2").arg(m).arg(p.backends);
        r.summary.insert(QStringLiteral("throughput_rps") + sfx, p.throughputRps);
        r.summary.insert(QStringLiteral("first_tier_bytes") + sfx, double(p.firstTierBytes()));
        r.summary.insert(QStringLiteral("first_tier_cpu_percent") + sfx, p.firstTierCpuPercent);
        r.summary.insert(QStringLiteral("first_tier_bytes_per_request") + sfx, p.firstTierBytesPerRequest());
    }
    // The largest count measured for each mode stands for the mode.
    const ClusterPoint *largest[2] = {nullptr, nullptr};
    for (const ClusterPoint &p : snap.points) {
        const ClusterPoint *&slot = largest[p.mode == DispatchMode::Relay ? 0 : 1];
        if (!slot || p.backends >= slot->backends)
            slot = &p;
    }
    for (const ClusterPoint *p : largest) {
        if (!p)
            continue;
        const QString sfx = QLatin1Char('_') + dispatchModeId(p->mode);
        r.summary.insert(QStringLiteral("throughput_rps") + sfx, p->throughputRps);
        r.summary.insert(QStringLiteral("first_tier_bytes") + sfx, double(p->firstTierBytes()));
        r.summary.insert(QStringLiteral("first_tier_cpu_percent") + sfx, p->firstTierCpuPercent);
        r.summary.insert(QStringLiteral("first_tier_bytes_per_request") + sfx, p->firstTierBytesPerRequest());
        r.summary.insert(QStringLiteral("first_tier_response_bytes") + sfx, double(p->tier.responseBytes()));
        r.summary.insert(QStringLiteral("latency_median_us") + sfx, p->latencyMedianUs);
        r.summary.insert(QStringLiteral("latency_p10_us") + sfx, p->latencyP10Us);
        r.summary.insert(QStringLiteral("latency_p90_us") + sfx, p->latencyP90Us);
        if (snap.modes.size() == 1) {
            r.summary.insert(QStringLiteral("latency_median_us"), p->latencyMedianUs);
            r.summary.insert(QStringLiteral("latency_p10_us"), p->latencyP10Us);
            r.summary.insert(QStringLiteral("latency_p90_us"), p->latencyP90Us);
            r.summary.insert(QStringLiteral("throughput_rps"), p->throughputRps);
            r.summary.insert(QStringLiteral("first_tier_bytes"), double(p->firstTierBytes()));
            r.summary.insert(QStringLiteral("first_tier_cpu_percent"), p->firstTierCpuPercent);
            r.summary.insert(QStringLiteral("first_tier_bytes_per_request"), p->firstTierBytesPerRequest());
            r.summary.insert(QStringLiteral("first_tier_response_bytes"), double(p->tier.responseBytes()));
            r.summary.insert(QStringLiteral("requests"), double(p->completed));
            r.summary.insert(QStringLiteral("errors"), double(p->errors));
        }
    }
    if (largest[0] && largest[1] && largest[0]->throughputRps > 0) {
        r.summary.insert(
            QStringLiteral("handoff_speedup"), largest[1]->throughputRps / largest[0]->throughputRps);
        r.summary.insert(
            QStringLiteral("faster_dispatch"), largest[1]->throughputRps > largest[0]->throughputRps ? 1 : 0);
    }
    r.summary.insert(QStringLiteral("errors_total"), double(errors));
    r.summary.insert(QStringLiteral("backends"), snap.counts.empty() ? 0 : snap.counts.back());
    r.summary.insert(QStringLiteral("response_bytes"), double(snap.responseBytes));
    r.summary.insert(QStringLiteral("request_bytes"), double(snap.requestBytes));
    return r;
}

} // namespace proclab
