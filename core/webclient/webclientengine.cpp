#include "webclientengine.h"

#include "net/latencyserver.h"

#include <QJsonArray>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <thread>

namespace proclab {

namespace {

using Clock = std::chrono::steady_clock;

/// Thread counts of a sweep up to @p maxThreads: 1, 2, 4, 8, ... and maxThreads itself.
std::vector<int> sweepCounts(int maxThreads)
{
    std::vector<int> ks;
    for (int k = 1; k < maxThreads; k *= 2)
        ks.push_back(k);
    ks.push_back(maxThreads);
    return ks;
}

} // namespace

WebClientEngine::WebClientEngine()
    : Engine(EngineInfo{QString(kId), QStringLiteral("Multithreaded web client"),
                        Provenance::Measured,
                        QStringLiteral("A local HTTP server with injected latency and bandwidth; a client "
                                       "fetches a page's embedded resources with k blocking threads "
                                       "and records the waterfall."),
                        {QStringLiteral("T11")},
          {QString(kWaterfallView)}})
{
}


ParamSchema WebClientEngine::schema() const
{
    return ParamSchema{
        ParamSpec::integer(QStringLiteral("threads"), QStringLiteral("Client threads"), 4, 1, 32,
                           QStringLiteral("threads"),
                           QStringLiteral("How many client threads fetch the embedded resources, each "
                                          "with blocking requests.")),
        ParamSpec::integer(QStringLiteral("resources"), QStringLiteral("Embedded resources"), 16, 1, 64,
                           QStringLiteral("files"),
                           QStringLiteral("How many resources the page references.")),
        ParamSpec::bytes(QStringLiteral("resource_size"), QStringLiteral("Resource size"), 32 * 1024, 0,
                         4 * 1024 * 1024, QStringLiteral("Size of each embedded resource.")),
        ParamSpec::integer(QStringLiteral("latency_ms"), QStringLiteral("Network latency"), 100, 0, 2000,
                           QStringLiteral("ms"),
                           QStringLiteral("Delay the server adds before the first byte of every "
                                          "response (a timer, not a blocked thread).")),
        ParamSpec::bitRate(QStringLiteral("bandwidth"), QStringLiteral("Link bandwidth"), 0, 0, 10e9,
                           QStringLiteral("Bandwidth of the one link all responses share; 0 means "
                                          "unlimited (loopback speed).")),
        ParamSpec::boolean(QStringLiteral("sweep"), QStringLiteral("Sweep thread counts"), false,
                           QStringLiteral("Also load the page with 1, 2, 4, ... threads up to the chosen "
                                          "count and chart the load time of each.")),
        ParamSpec::integer(QStringLiteral("repeats"), QStringLiteral("Repeats"), 1, 1, 5,
                           QStringLiteral("loads"),
                           QStringLiteral("Loads per thread count; the median is reported.")),
    };
}

void WebClientEngine::run()
{
    const int maxThreads = static_cast<int>(intParam(QStringLiteral("threads")));
    const int resources = static_cast<int>(intParam(QStringLiteral("resources")));
    const qint64 resourceBytes = intParam(QStringLiteral("resource_size"));
    const double latencyMs = static_cast<double>(intParam(QStringLiteral("latency_ms")));
    const double bandwidthBitsPerSec = realParam(QStringLiteral("bandwidth"));
    const bool sweep = boolParam(QStringLiteral("sweep"));
    const int repeats = static_cast<int>(intParam(QStringLiteral("repeats")));

    auto snap = std::make_shared<WebClientSnapshot>();
    snap->resources = resources;
    snap->latencyMs = latencyMs;
    snap->bandwidthBytesPerSec = bandwidthBitsPerSec / 8.0;
    snap->resourceBytes = resourceBytes;
    snap->threads = maxThreads;

    Result result = makeResult();
    auto fail = [&](const QString &error) {
        result.error = error;
        snap->result = result;
        snap->status = error;
        publish(std::make_shared<WebClientSnapshot>(*snap));
    };

    LatencyServerConfig cfg;
    cfg.name = QStringLiteral("web");
    cfg.resources = resources;
    cfg.resourceBytes = resourceBytes;
    cfg.latencyMs = latencyMs;
    cfg.bandwidthBytesPerSec = bandwidthBitsPerSec / 8.0;
    LatencyServer server(cfg);
    QString error;
    if (!server.start(&error)) {
        fail(error);
        return;
    }
    snap->port = server.port();

    // A request may wait for the whole page to cross the link (bandwidth is shared).
    const double transferMs = cfg.bandwidthBytesPerSec > 0
        ? 1000.0 * static_cast<double>(resourceBytes) * resources / cfg.bandwidthBytesPerSec
        : 0;
    const double requestTimeoutMs = 10000 + latencyMs + transferMs;

    const std::vector<int> counts = sweep ? sweepCounts(maxThreads) : std::vector<int>{maxThreads};
    const int totalLoads = static_cast<int>(counts.size()) * repeats;
    int loadsDone = 0;
    std::atomic<bool> cancel{false};

    for (int k : counts) {
        LoadPoint point;
        point.threads = k;
        for (int rep = 0; rep < repeats; ++rep) {
            if (!checkpoint()) {
                cancel = true;
                break;
            }
            snap->threads = k;
            snap->waterfall.clear();
            snap->loadMs = 0;
            snap->status = QStringLiteral("loading the page with %1 thread%2 (load %3 of %4)")
                               .arg(k)
                               .arg(k == 1 ? "" : "s")
                               .arg(loadsDone + 1)
                               .arg(totalLoads);
            snap->progress = double(loadsDone) / totalLoads;
            publish(std::make_shared<WebClientSnapshot>(*snap));

            const auto origin = Clock::now();
            // The page itself: one blocking request, then parse its references.
            WaterfallEntry page;
            page.resource = -1;
            page.path = QStringLiteral("/");
            const HttpResponse index = httpGet(server.port(), "/", requestTimeoutMs, origin, &page.timing, &cancel);
            page.error = index.error;
            snap->waterfall.push_back(page);
            if (!index.error.isEmpty()) {
                fail(QStringLiteral("fetching the page failed: %1").arg(index.error));
                return;
            }
            const std::vector<std::string> refs = parseReferences(index.body);

            // k worker threads take references from a shared counter; each does a
            // blocking GET and appends its timing under the mutex (the engine thread
            // copies them out for live snapshots).
            std::mutex mutex;
            std::vector<WaterfallEntry> done;
            std::atomic<int> next{0};
            std::vector<std::thread> workers;
            workers.reserve(k);
            for (int t = 0; t < k; ++t) {
                workers.emplace_back([&, t] {
                    for (;;) {
                        const int i = next.fetch_add(1);
                        if (i >= static_cast<int>(refs.size()) || cancel.load())
                            return;
                        WaterfallEntry e;
                        e.path = QString::fromStdString(refs[i]);
                        e.resource = i;
                        e.thread = t;
                        const HttpResponse resp = httpGet(server.port(), refs[i], requestTimeoutMs, origin,
                                                          &e.timing, &cancel);
                        e.error = resp.error;
                        std::lock_guard lock(mutex);
                        done.push_back(std::move(e));
                    }
                });
            }
            // Live waterfall while the workers run; a stop cancels their requests.
            std::size_t shown = 0;
            for (;;) {
                std::size_t count = 0;
                {
                    std::lock_guard lock(mutex);
                    count = done.size();
                    for (std::size_t i = shown; i < count; ++i)
                        snap->waterfall.push_back(done[i]);
                }
                shown = count;
                if (count >= refs.size())
                    break;
                publish(std::make_shared<WebClientSnapshot>(*snap));
                if (!sleepFor(std::chrono::milliseconds(30))) {
                    cancel = true;
                    break;
                }
            }
            for (auto &w : workers)
                w.join();
            if (cancel.load())
                break;
            double loadMs = page.timing.endMs;
            QString firstError;
            for (const auto &e : snap->waterfall) {
                loadMs = std::max(loadMs, e.timing.endMs);
                if (!e.error.isEmpty() && firstError.isEmpty())
                    firstError = QStringLiteral("%1: %2").arg(e.path, e.error);
            }
            if (!firstError.isEmpty()) {
                fail(QStringLiteral("a resource failed: %1").arg(firstError));
                return;
            }
            snap->loadMs = loadMs;
            point.samples.push_back(loadMs);
            ++loadsDone;
        }
        if (cancel.load() || point.samples.empty())
            break;
        point.loadMs = median(point.samples);
        snap->curve.push_back(point);
        publish(std::make_shared<WebClientSnapshot>(*snap));
    }
    cancel = true;
    server.stop();

    // The result: summary, the curve, and the waterfall of the last load as a table.
    result.summary.insert(QStringLiteral("threads"), snap->threads);
    result.summary.insert(QStringLiteral("resources"), resources);
    result.summary.insert(QStringLiteral("load_ms"), snap->loadMs);
    result.summary.insert(QStringLiteral("loads"), loadsDone);
    std::int64_t bytes = 0;
    for (const auto &e : snap->waterfall)
        bytes += e.timing.bytes;
    result.summary.insert(QStringLiteral("bytes_received"), static_cast<double>(bytes));
    // Model lower bounds, labelled as such: each thread waits one latency per
    // request it makes, and the link cannot carry the bytes faster than its rate.
    const double latencyBoundMs = latencyMs + std::ceil(double(resources) / snap->threads) * latencyMs;
    result.summary.insert(QStringLiteral("model_latency_bound_ms"), latencyBoundMs);
    result.summary.insert(QStringLiteral("model_bandwidth_bound_ms"), transferMs);
    if (!snap->curve.empty()) {
        const double base = snap->curve.front().loadMs;
        QJsonArray pts;
        double best = snap->curve.front().loadMs;
        for (const auto &p : snap->curve)
            best = std::min(best, p.loadMs);
        int knee = snap->curve.back().threads;
        for (const auto &p : snap->curve) {
            if (p.loadMs <= best * 1.1) {
                knee = p.threads;
                break;
            }
        }
        for (const auto &p : snap->curve) {
            result.summary.insert(QStringLiteral("load_ms_k%1").arg(p.threads), p.loadMs);
            result.summary.insert(QStringLiteral("speedup_k%1").arg(p.threads), p.loadMs > 0 ? base / p.loadMs : 0);
        }
        result.summary.insert(QStringLiteral("best_load_ms"), best);
        result.summary.insert(QStringLiteral("knee_threads"), knee);
        if (snap->curve.size() > 1) {
            Series curve;
            curve.name = QStringLiteral("page load time (measured)");
            curve.xLabel = QStringLiteral("client threads");
            curve.yLabel = QStringLiteral("page load time (ms)");
            curve.style = Series::Style::Line;
            for (const auto &p : snap->curve) {
                curve.x.push_back(p.threads);
                curve.y.push_back(p.loadMs);
            }
            result.series.push_back(curve);
        }
    }
    // Waterfall as one series per thread: each resource's end time against its index.
    for (int t = 0; t < snap->threads; ++t) {
        Series s;
        s.name = QStringLiteral("thread %1").arg(t);
        s.xLabel = QStringLiteral("time since the page request (ms)");
        s.yLabel = QStringLiteral("resource");
        s.style = Series::Style::Scatter;
        for (const auto &e : snap->waterfall) {
            if (e.resource >= 0 && e.thread == t) {
                s.x.push_back(e.timing.endMs);
                s.y.push_back(e.resource);
            }
        }
        if (snap->curve.size() <= 1)
            result.series.push_back(s);
    }
    result.table.columns = {QStringLiteral("resource"), QStringLiteral("path"), QStringLiteral("thread"),
                            QStringLiteral("start_ms"), QStringLiteral("connected_ms"),
                            QStringLiteral("first_byte_ms"), QStringLiteral("end_ms"), QStringLiteral("bytes")};
    for (const auto &e : snap->waterfall)
        result.table.rows.push_back({e.resource, e.path, e.thread, e.timing.startMs, e.timing.connectedMs,
                                     e.timing.firstByteMs, e.timing.endMs, static_cast<double>(e.timing.bytes)});
    snap->result = result;
    snap->progress = 1;
    snap->status = stopRequested() ? QStringLiteral("stopped")
                                   : QStringLiteral("page loaded in %1 ms with %2 thread%3 (measured)")
                                         .arg(snap->loadMs, 0, 'f', 1)
                                         .arg(snap->threads)
                                         .arg(snap->threads == 1 ? "" : "s");
    publish(std::make_shared<WebClientSnapshot>(*snap));
}

} // namespace proclab
