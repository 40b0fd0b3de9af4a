#include "webclientengine.h"

#include "net/latencyserver.h"

#include <QJsonArray>

#include <algorithm>
#include <chrono>
#include <thread>

namespace proclab {

namespace {

using Clock = std::chrono::steady_clock;

} // namespace

std::optional<WebClientConfig> WebClientConfig::fromParams(const ParamValues &v, QString *)
{
    WebClientConfig c;
    c.threads = v.value(QStringLiteral("threads")).toInt();
    c.resources = v.value(QStringLiteral("resources")).toInt();
    c.resourceBytes = v.value(QStringLiteral("resource_size")).toLongLong();
    c.latencyMs = static_cast<double>(v.value(QStringLiteral("latency_ms")).toLongLong());
    c.bandwidthBytesPerSec = v.value(QStringLiteral("bandwidth")).toDouble() / 8.0;
    c.sweep = v.value(QStringLiteral("sweep")).toBool();
    c.repeats = v.value(QStringLiteral("repeats")).toInt();
    return c;
}

WebClientEngine::WebClientEngine()
    : ConfiguredEngine(
        EngineInfo {QString(kId), QStringLiteral("Multithreaded web client"), Provenance::Measured,
            QStringLiteral("A local HTTP server with injected latency and bandwidth; a client "
                           "fetches a page's embedded resources with k blocking threads "
                           "and records the waterfall."),
            {QStringLiteral("T11")}, {QString(kWaterfallView)}})
{
}

ParamSchema WebClientEngine::schema() const
{
    return ParamSchema {
        ParamSpec::integer(QStringLiteral("threads"), QStringLiteral("Client threads"), 4, 1, 32,
            QStringLiteral("threads"),
            QStringLiteral("How many client threads fetch the embedded resources, each "
                           "with blocking requests.")),
        ParamSpec::integer(QStringLiteral("resources"), QStringLiteral("Embedded resources"), 16, 1, 64,
            QStringLiteral("files"), QStringLiteral("How many resources the page references.")),
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
            QStringLiteral("loads"), QStringLiteral("Loads per thread count; the median is reported.")),
    };
}

std::vector<OutputSpec> WebClientEngine::outputs() const
{
    return {
        {QStringLiteral("threads"), QStringLiteral("threads"),
            QStringLiteral("client threads of the last load")},
        {QStringLiteral("resources"), QStringLiteral("files"),
            QStringLiteral("resources the page references")},
        {QStringLiteral("load_ms"), QStringLiteral("ms"),
            QStringLiteral("time from the page request to the end of the last fetch, last load")},
        {QStringLiteral("loads"), QString(), QStringLiteral("page loads completed")},
        {QStringLiteral("bytes_received"), QStringLiteral("bytes"),
            QStringLiteral("body bytes received in the last load")},
        {QStringLiteral("model_latency_bound_ms"), QStringLiteral("ms"),
            QStringLiteral(
                "model: the page plus ceil(resources / threads) latencies, the least latency allows")},
        {QStringLiteral("model_bandwidth_bound_ms"), QStringLiteral("ms"),
            QStringLiteral("model: all resource bytes across the link at its rate (0: unlimited)")},
        {QStringLiteral("load_ms_k*"), QStringLiteral("ms"),
            QStringLiteral("load_ms_k<n>: median load time with n threads (one per measured thread count)")},
        {QStringLiteral("speedup_k*"), QStringLiteral("x"),
            QStringLiteral("speedup_k<n>: load time with the fewest threads over load time with n threads")},
        {QStringLiteral("best_load_ms"), QStringLiteral("ms"),
            QStringLiteral("fastest median load time of any thread count")},
        {QStringLiteral("knee_threads"), QStringLiteral("threads"),
            QStringLiteral("fewest threads whose load time is within 10% of the best")},
    };
}

void WebClientEngine::run()
{
    const WebClientConfig &cfg = config();
    m_cancel = false;
    auto snap = std::make_shared<WebClientSnapshot>();
    snap->resources = cfg.resources;
    snap->latencyMs = cfg.latencyMs;
    snap->bandwidthBytesPerSec = cfg.bandwidthBytesPerSec;
    snap->resourceBytes = cfg.resourceBytes;
    snap->threads = cfg.threads;
    auto fail = [&](const QString &error) {
        snap->result = makeResult();
        snap->result.error = error;
        snap->status = error;
        publish(std::make_shared<WebClientSnapshot>(*snap));
    };

    LatencyServerConfig serverCfg;
    serverCfg.name = QStringLiteral("web");
    serverCfg.resources = cfg.resources;
    serverCfg.resourceBytes = cfg.resourceBytes;
    serverCfg.latencyMs = cfg.latencyMs;
    serverCfg.bandwidthBytesPerSec = cfg.bandwidthBytesPerSec;
    LatencyServer server(serverCfg);
    QString error;
    if (!server.start(&error)) {
        fail(error);
        return;
    }
    snap->port = server.port();

    // A request may wait for the whole page to cross the link (bandwidth is shared).
    const double requestTimeoutMs = 10000 + cfg.latencyMs + snap->model().bandwidthBoundMs();

    const std::vector<int> counts = cfg.sweep ? sweepCounts(cfg.threads) : std::vector<int> {cfg.threads};
    const int totalLoads = static_cast<int>(counts.size()) * cfg.repeats;
    int loadsDone = 0;
    LoadCurve curve;
    bool cancelled = false;
    for (int k : counts) {
        std::vector<double> samples;
        for (int rep = 0; rep < cfg.repeats; ++rep) {
            if (!checkpoint()) {
                cancelled = true;
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
            if (!loadOnce(server, k, requestTimeoutMs, &m_cancel, snap.get(), &error)) {
                if (!error.isEmpty()) {
                    fail(error);
                    return;
                }
                cancelled = true;
                break;
            }
            samples.push_back(snap->loadMs);
            ++loadsDone;
        }
        if (cancelled || samples.empty())
            break;
        curve.add(k, std::move(samples));
        snap->curve = curve.points();
        publish(std::make_shared<WebClientSnapshot>(*snap));
    }
    m_cancel = true;
    server.stop();

    snap->result = buildResult(*snap, loadsDone);
    snap->progress = 1;
    snap->status = stopRequested() ? QStringLiteral("stopped")
                                   : QStringLiteral("page loaded in %1 ms with %2 thread%3 (measured)")
                                         .arg(snap->loadMs, 0, 'f', 1)
                                         .arg(snap->threads)
                                         .arg(snap->threads == 1 ? "" : "s");
    publish(std::make_shared<WebClientSnapshot>(*snap));
}

void WebClientEngine::onStopRequested()
{
    // Wakes blocking fetches (the page's on this thread, the resources' on the client threads):
    // each looks at the flag at least every 100 ms.
    m_cancel = true;
}

bool WebClientEngine::loadOnce(const LatencyServer &server, int threads, double requestTimeoutMs,
    std::atomic<bool> *cancel, WebClientSnapshot *snap, QString *error)
{
    error->clear();
    const std::uint16_t port = server.port();
    const auto origin = Clock::now();
    // The page itself: one blocking request, then parse its references.
    WaterfallEntry page;
    page.resource = -1;
    page.path = QStringLiteral("/");
    const HttpResponse index = httpGet(port, "/", requestTimeoutMs, origin, &page.timing, cancel);
    page.error = index.error;
    snap->waterfall.push_back(page);
    if (cancel->load())
        return false;
    if (!index.error.isEmpty()) {
        *error = QStringLiteral("fetching the page failed: %1").arg(index.error);
        return false;
    }
    PageLoadRecorder recorder(parseReferences(index.body));

    // k client threads take references from the recorder; each does a blocking GET and
    // records its timing (the engine thread copies them out for live snapshots).
    std::vector<std::thread> workers;
    workers.reserve(threads);
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            for (;;) {
                const int i = recorder.takeNext();
                if (i < 0 || cancel->load())
                    return;
                WaterfallEntry e;
                e.path = QString::fromStdString(recorder.reference(i));
                e.resource = i;
                e.thread = t;
                const HttpResponse resp
                    = httpGet(port, recorder.reference(i), requestTimeoutMs, origin, &e.timing, cancel);
                e.error = resp.error;
                recorder.record(std::move(e));
            }
        });
    }
    // Live waterfall while the workers run; a stop cancels their requests.
    for (;;) {
        if (recorder.drainInto(&snap->waterfall))
            break;
        publish(std::make_shared<WebClientSnapshot>(*snap));
        if (!sleepFor(std::chrono::milliseconds(30))) {
            *cancel = true;
            break;
        }
    }
    for (auto &w : workers)
        w.join();
    if (cancel->load())
        return false;
    const QString firstError = firstFetchError(snap->waterfall);
    if (!firstError.isEmpty()) {
        *error = QStringLiteral("a resource failed: %1").arg(firstError);
        return false;
    }
    snap->loadMs = std::max(page.timing.endMs, loadTimeMs(snap->waterfall));
    return true;
}

std::vector<Series> WebClientEngine::curveSeries(const WebClientSnapshot &s)
{
    if (s.curve.empty())
        return {};
    const PageLoadModel model = s.model();
    Series measured;
    measured.id = QStringLiteral("load_time");
    measured.name = QStringLiteral("page load time (measured)");
    measured.xLabel = QStringLiteral("client threads");
    measured.yLabel = QStringLiteral("page load time (ms)");
    measured.style = Series::Style::Line;
    Series bound = measured;
    bound.id = QStringLiteral("latency_bound");
    bound.name = QStringLiteral("latency bound (model)");
    for (const auto &p : s.curve) {
        measured.x.push_back(p.threads);
        measured.y.push_back(p.loadMs);
        bound.x.push_back(p.threads);
        bound.y.push_back(model.latencyBoundMs(p.threads));
    }
    std::vector<Series> out {measured, bound};
    if (s.bandwidthBytesPerSec > 0) {
        Series link = measured;
        link.id = QStringLiteral("bandwidth_bound");
        link.name = QStringLiteral("bandwidth bound (model)");
        const double bw = model.bandwidthBoundMs();
        link.x = {double(s.curve.front().threads), double(s.curve.back().threads)};
        link.y = {bw, bw};
        out.push_back(link);
    }
    return out;
}

std::vector<Series> WebClientEngine::waterfallSeries(const WebClientSnapshot &snap)
{
    std::vector<Series> out;
    for (int t = 0; t < snap.threads; ++t) {
        Series s;
        s.id = QStringLiteral("thread_%1").arg(t);
        s.name = QStringLiteral("thread %1").arg(t);
        s.xLabel = QStringLiteral("time since the page request (ms)");
        s.yLabel = QStringLiteral("resource");
        s.style = Series::Style::Scatter;
        for (const auto &e : snap.waterfall) {
            if (e.resource >= 0 && e.thread == t) {
                s.x.push_back(e.timing.endMs);
                s.y.push_back(e.resource);
            }
        }
        out.push_back(std::move(s));
    }
    return out;
}

Result WebClientEngine::buildResult(const WebClientSnapshot &snap, int loadsDone) const
{
    // The summary, the curve, and the waterfall of the last load as a table.
    Result result = makeResult();
    const PageLoadModel model = snap.model();
    result.summary.insert(QStringLiteral("threads"), snap.threads);
    result.summary.insert(QStringLiteral("resources"), snap.resources);
    result.summary.insert(QStringLiteral("load_ms"), snap.loadMs);
    result.summary.insert(QStringLiteral("loads"), loadsDone);
    std::int64_t bytes = 0;
    for (const auto &e : snap.waterfall)
        bytes += e.timing.bytes;
    result.summary.insert(QStringLiteral("bytes_received"), static_cast<double>(bytes));
    // Model lower bounds, labelled as such: each thread waits one latency per
    // request it makes, and the link cannot carry the bytes faster than its rate.
    result.summary.insert(QStringLiteral("model_latency_bound_ms"), model.latencyBoundMs(snap.threads));
    result.summary.insert(QStringLiteral("model_bandwidth_bound_ms"), model.bandwidthBoundMs());
    if (!snap.curve.empty()) {
        LoadCurve curve;
        for (const auto &p : snap.curve)
            curve.add(p.threads, p.samples);
        for (const auto &p : snap.curve) {
            result.summary.insert(QStringLiteral("load_ms_k%1").arg(p.threads), p.loadMs);
            result.summary.insert(QStringLiteral("speedup_k%1").arg(p.threads), curve.speedup(p));
        }
        result.summary.insert(QStringLiteral("best_load_ms"), curve.bestMs());
        result.summary.insert(QStringLiteral("knee_threads"), curve.kneeThreads());
        if (snap.curve.size() > 1)
            result.series.push_back(curveSeries(snap).front());
    }
    // Waterfall as one series per thread: each resource's end time against its index.
    if (snap.curve.size() <= 1) {
        for (Series &s : waterfallSeries(snap))
            result.series.push_back(std::move(s));
    }
    result.table.columns = {QStringLiteral("resource"), QStringLiteral("path"), QStringLiteral("thread"),
        QStringLiteral("start_ms"), QStringLiteral("connected_ms"), QStringLiteral("first_byte_ms"),
        QStringLiteral("end_ms"), QStringLiteral("bytes")};
    for (const auto &e : snap.waterfall)
        result.table.rows.push_back({e.resource, e.path, e.thread, e.timing.startMs, e.timing.connectedMs,
            e.timing.firstByteMs, e.timing.endMs, static_cast<double>(e.timing.bytes)});
    return result;
}

} // namespace proclab
