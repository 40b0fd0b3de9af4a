#include "xprotoengine.h"

#include <algorithm>

namespace proclab {

std::optional<XprotoConfig> XprotoConfig::fromParams(const ParamValues &v, QString *)
{
    XprotoConfig c;
    c.drawing.width = v.value(QStringLiteral("width")).toInt();
    c.drawing.height = v.value(QStringLiteral("height")).toInt();
    c.drawing.textLines = v.value(QStringLiteral("text_lines")).toInt();
    c.drawing.chartPoints = v.value(QStringLiteral("chart_points")).toInt();
    c.drawing.scrollLines = v.value(QStringLiteral("scroll_lines")).toInt();
    c.drawing.dragFrames = v.value(QStringLiteral("drag_frames")).toInt();
    c.drawing.dragStepPx = v.value(QStringLiteral("drag_step_px")).toInt();
    c.drawing.synchronous = v.value(QStringLiteral("x11_sync")).toBool();
    c.drawing.backingStore = v.value(QStringLiteral("backing_store")).toBool();
    c.link.bandwidthBitsPerSec = v.value(QStringLiteral("bandwidth")).toDouble();
    c.link.rttMs = v.value(QStringLiteral("rtt_ms")).toDouble();
    c.zlibLevel = v.value(QStringLiteral("zlib_level")).toInt();
    return c;
}

XprotoEngine::XprotoEngine()
    : ConfiguredEngine(EngineInfo {QString(kId), QStringLiteral("X11 requests vs pixels"), Provenance::Model,
        QStringLiteral("One drawing (text, a chart, scrolling, a window dragged) sent as "
                       "X11 requests and as VNC pixel updates; bytes counted from the "
                       "real encodings, time on a modelled link."),
        {QStringLiteral("C2")}, {QString(kBytesView), QString(kTimeView), QString(kArchitectureView)}})
{
}

ParamSchema XprotoEngine::schema() const
{
    return ParamSchema {
        ParamSpec::integer(QStringLiteral("width"), QStringLiteral("Screen width"), 800, 320, 1920,
            QStringLiteral("px"), QStringLiteral("Width of the user's screen.")),
        ParamSpec::integer(QStringLiteral("height"), QStringLiteral("Screen height"), 600, 240, 1200,
            QStringLiteral("px"), QStringLiteral("Height of the user's screen.")),
        ParamSpec::integer(QStringLiteral("text_lines"), QStringLiteral("Editor lines"), 14, 1, 40,
            QStringLiteral("lines"), QStringLiteral("Lines of text the editor window shows.")),
        ParamSpec::integer(QStringLiteral("chart_points"), QStringLiteral("Chart points"), 80, 2, 400,
            QStringLiteral("points"), QStringLiteral("Points of the chart's curve (one PolyLine).")),
        ParamSpec::integer(QStringLiteral("scroll_lines"), QStringLiteral("Scroll steps"), 3, 0, 20,
            QStringLiteral("frames"), QStringLiteral("Frames in which the editor scrolls by one line.")),
        ParamSpec::integer(QStringLiteral("drag_frames"), QStringLiteral("Drag steps"), 12, 0, 40,
            QStringLiteral("frames"), QStringLiteral("Frames in which the chart window is dragged.")),
        ParamSpec::integer(QStringLiteral("drag_step_px"), QStringLiteral("Drag step"), 10, 1, 40,
            QStringLiteral("px"),
            QStringLiteral("How far the window moves per frame (right, and half of it down).")),
        ParamSpec::boolean(QStringLiteral("x11_sync"), QStringLiteral("Synchronous X"), false,
            QStringLiteral("Wait for a round trip after every X request, as Xlib does after "
                           "XSynchronize (or a toolkit that waits for each answer).")),
        ParamSpec::boolean(QStringLiteral("backing_store"), QStringLiteral("Backing store"), false,
            QStringLiteral("Windows ask the X server to keep their hidden contents, so "
                           "uncovering them needs no redraw by the application.")),
        ParamSpec::bitRate(QStringLiteral("bandwidth"), QStringLiteral("Link bandwidth"), 10e6, 64e3, 10e9,
            QStringLiteral("Bandwidth of the modelled link between application server and "
                           "terminal.")),
        ParamSpec::real(QStringLiteral("rtt_ms"), QStringLiteral("Round-trip time"), 50, 0, 1000,
            QStringLiteral("ms"), QStringLiteral("Round-trip time of the modelled link.")),
        ParamSpec::integer(QStringLiteral("zlib_level"), QStringLiteral("zlib level"), 6, 1, 9, {},
            QStringLiteral("Compression level of the Zlib and ZRLE encodings (1 fast, 9 small).")),
    };
}

std::vector<OutputSpec> XprotoEngine::outputs() const
{
    return {
        {QStringLiteral("frames"), QStringLiteral("frames"), QStringLiteral("frames of the drawing")},
        {QStringLiteral("bytes_x11"), QStringLiteral("bytes"),
            QStringLiteral("X11 bytes both ways: requests, events and replies as encoded on the wire")},
        {QStringLiteral("bytes_x11_requests"), QStringLiteral("bytes"),
            QStringLiteral("X11 bytes from the applications to the terminal (requests)")},
        {QStringLiteral("bytes_x11_events"), QStringLiteral("bytes"),
            QStringLiteral("X11 bytes from the terminal to the applications (events, replies)")},
        {QStringLiteral("x11_requests"), QStringLiteral("requests"), QStringLiteral("X11 requests sent")},
        {QStringLiteral("x11_events"), QStringLiteral("packets"),
            QStringLiteral("X11 events and replies sent")},
        {QStringLiteral("round_trips_x11"), QStringLiteral("round trips"),
            QStringLiteral("times an X application waited for the server, in the chosen mode")},
        {QStringLiteral("round_trips_x11_async"), QStringLiteral("round trips"),
            QStringLiteral("X11 round trips without a wait after each request")},
        {QStringLiteral("round_trips_x11_sync"), QStringLiteral("round trips"),
            QStringLiteral("X11 round trips with a wait after every request")},
        {QStringLiteral("bytes_x11_async"), QStringLiteral("bytes"),
            QStringLiteral("X11 bytes without per-request waits")},
        {QStringLiteral("bytes_x11_sync"), QStringLiteral("bytes"),
            QStringLiteral("X11 bytes with a wait after every request")},
        {QStringLiteral("bytes_pixels_*"), QStringLiteral("bytes"),
            QStringLiteral("RFB bytes both ways with one encoding (raw, rre, rle = TRLE, zlib, zrle)")},
        {QStringLiteral("round_trips_pixels"), QStringLiteral("round trips"),
            QStringLiteral("RFB update requests the viewer waited for (one per frame)")},
        {QStringLiteral("pixel_rects"), QStringLiteral("rectangles"),
            QStringLiteral("changed rectangles sent")},
        {QStringLiteral("pixels_changed"), QStringLiteral("pixels"), QStringLiteral("pixels inside them")},
        {QStringLiteral("time_x11_ms"), QStringLiteral("ms"),
            QStringLiteral("model time of X11 on the link, chosen mode")},
        {QStringLiteral("time_x11_async_ms"), QStringLiteral("ms"),
            QStringLiteral("model time of X11 without per-request waits")},
        {QStringLiteral("time_x11_sync_ms"), QStringLiteral("ms"),
            QStringLiteral("model time of X11 with a wait per request")},
        {QStringLiteral("time_pixels_*"), QStringLiteral("ms"),
            QStringLiteral(
                "model time of RFB with one encoding: time_pixels_<raw, rre, rle, zlib, zrle>_ms")},
        {QStringLiteral("faster_x11_vs_zlib"), QString(),
            QStringLiteral("0 when X11 (chosen mode) finishes before RFB Zlib on the link, 1 otherwise")},
        {QStringLiteral("fastest_protocol"), QString(),
            QStringLiteral(
                "index of the protocol that finishes first: 0 X11, 1 raw, 2 RRE, 3 TRLE, 4 Zlib, 5 ZRLE")},
        {QStringLiteral("ratio_raw_to_x11"), QStringLiteral("x"),
            QStringLiteral("raw pixel bytes / X11 bytes")},
        {QStringLiteral("raw_to_x11_order"), QString(),
            QStringLiteral("raw pixel bytes / X11 bytes as a class: 0 below 10x, 1 10-100x, 2 100-1000x, 3 "
                           "1000x or more")},
        {QStringLiteral("smallest_pixel_encoding"), QString(),
            QStringLiteral("the RFB encoding with the fewest bytes: 0 raw, 1 RRE, 2 TRLE, 3 Zlib, 4 ZRLE")},
        {QStringLiteral("ratio_zlib_to_x11"), QStringLiteral("x"),
            QStringLiteral("Zlib pixel bytes / X11 bytes")},
        {QStringLiteral("rtt_ms"), QStringLiteral("ms"), QStringLiteral("round-trip time of the link")},
        {QStringLiteral("bandwidth_mbit"), QStringLiteral("Mbit/s"), QStringLiteral("bandwidth of the link")},
    };
}

int XprotoEngine::fastestProtocol(const XprotoTotals &totals, const LinkModel &link)
{
    int best = 0;
    for (int p = 1; p < kXprotoProtocols; ++p) {
        if (link.timeMs(totals.bytes(p), totals.roundTrips(p))
            < link.timeMs(totals.bytes(best), totals.roundTrips(best)))
            best = p;
    }
    return best;
}

std::vector<Series> XprotoEngine::timeCurves(
    const XprotoTotals &totals, const LinkModel &link, double maxRttMs)
{
    std::vector<Series> out;
    for (int p = 0; p < kXprotoProtocols; ++p) {
        Series s;
        s.id = QStringLiteral("time_vs_rtt_") + XprotoComparison::protocolId(p);
        s.name = XprotoComparison::protocolLabel(p) + QStringLiteral(" (model)");
        s.xLabel = QStringLiteral("round-trip time (ms)");
        s.yLabel = QStringLiteral("time on the link (ms)");
        for (int i = 0; i <= 40; ++i) {
            LinkModel l = link;
            l.rttMs = maxRttMs * i / 40.0;
            s.x.push_back(l.rttMs);
            s.y.push_back(l.timeMs(totals.bytes(p), totals.roundTrips(p)));
        }
        out.push_back(std::move(s));
    }
    return out;
}

void XprotoEngine::run()
{
    const XprotoConfig &cfg = config();
    XprotoComparison model(cfg.drawing, cfg.zlibLevel);
    auto snap = std::make_shared<XprotoSnapshot>();
    snap->frameCount = model.frameCount();
    snap->link = cfg.link;
    snap->synchronous = cfg.drawing.synchronous;
    snap->backingStore = cfg.drawing.backingStore;
    snap->screen = std::make_shared<const Framebuffer>(model.screen());
    snap->status = QStringLiteral("the empty desktop");
    publish(std::make_shared<XprotoSnapshot>(*snap));
    while (!model.finished()) {
        if (!checkpoint())
            break;
        const XprotoFrame &f = model.step();
        if (!model.error().isEmpty()) {
            snap->result = makeResult();
            snap->result.error = QStringLiteral("the model X server refused a request: ") + model.error();
            publish(snap);
            return;
        }
        snap->frameIndex = int(model.frames().size()) - 1;
        snap->frames = model.frames();
        snap->totals = model.totals();
        snap->screen = std::make_shared<const Framebuffer>(model.screen());
        snap->progress = double(snap->frameIndex + 1) / std::max(1, snap->frameCount);
        // Short: the status line shares one row with the run controls (the views show the bytes).
        snap->status = QStringLiteral("frame %1 of %2: %3")
                           .arg(snap->frameIndex + 1)
                           .arg(snap->frameCount)
                           .arg(f.title);
        publish(std::make_shared<XprotoSnapshot>(*snap));
        if (!pace(0.6))
            break;
    }
    // The other X mode (with or without a wait per request), for the comparison in the result.
    XDrawingConfig other = cfg.drawing;
    other.synchronous = !other.synchronous;
    XprotoTotals otherTotals;
    if (!stopRequested()) {
        XDrawingScript script(other);
        while (!script.finished()) {
            const XFrame f = script.runNextFrame();
            otherTotals.x11Bytes += f.bytesToTerminal + f.bytesToApplication;
            otherTotals.x11RoundTrips += f.roundTrips;
        }
    }
    snap->result = buildResult(*snap, otherTotals);
    if (stopRequested())
        snap->status = QStringLiteral("stopped");
    snap->progress = 1;
    publish(snap);
}

Result XprotoEngine::buildResult(const XprotoSnapshot &s, const XprotoTotals &other) const
{
    Result r = makeResult();
    const XprotoTotals &t = s.totals;
    const LinkModel &link = s.link;
    r.summary.insert(QStringLiteral("frames"), int(s.frames.size()));
    r.summary.insert(QStringLiteral("bytes_x11"), double(t.x11Bytes));
    r.summary.insert(QStringLiteral("bytes_x11_requests"), double(t.x11BytesToTerminal));
    r.summary.insert(QStringLiteral("bytes_x11_events"), double(t.x11BytesToApplication));
    r.summary.insert(QStringLiteral("x11_requests"), t.x11Requests);
    r.summary.insert(QStringLiteral("x11_events"), t.x11ServerPackets);
    r.summary.insert(QStringLiteral("round_trips_x11"), t.x11RoundTrips);
    const XprotoTotals &async = s.synchronous ? other : t;
    const XprotoTotals &sync = s.synchronous ? t : other;
    r.summary.insert(QStringLiteral("round_trips_x11_async"), async.x11RoundTrips);
    r.summary.insert(QStringLiteral("round_trips_x11_sync"), sync.x11RoundTrips);
    r.summary.insert(QStringLiteral("bytes_x11_async"), double(async.x11Bytes));
    r.summary.insert(QStringLiteral("bytes_x11_sync"), double(sync.x11Bytes));
    r.summary.insert(QStringLiteral("time_x11_async_ms"), link.timeMs(async.x11Bytes, async.x11RoundTrips));
    r.summary.insert(QStringLiteral("time_x11_sync_ms"), link.timeMs(sync.x11Bytes, sync.x11RoundTrips));
    r.summary.insert(QStringLiteral("time_x11_ms"), link.timeMs(t.x11Bytes, t.x11RoundTrips));
    for (std::size_t e = 0; e < kRfbEncodings.size(); ++e) {
        const QString id = rfbEncodingId(kRfbEncodings[e]);
        r.summary.insert(QStringLiteral("bytes_pixels_") + id, double(t.pixelBytes[e]));
        r.summary.insert(
            QStringLiteral("time_pixels_%1_ms").arg(id), link.timeMs(t.pixelBytes[e], t.pixelRoundTrips));
    }
    r.summary.insert(QStringLiteral("round_trips_pixels"), t.pixelRoundTrips);
    r.summary.insert(QStringLiteral("pixel_rects"), t.pixelRects);
    r.summary.insert(QStringLiteral("pixels_changed"), double(t.pixelsChanged));
    const int zlib = 1
        + int(
            std::find(kRfbEncodings.begin(), kRfbEncodings.end(), RfbEncoding::Zlib) - kRfbEncodings.begin());
    r.summary.insert(QStringLiteral("faster_x11_vs_zlib"),
        link.timeMs(t.bytes(0), t.roundTrips(0)) <= link.timeMs(t.bytes(zlib), t.roundTrips(zlib)) ? 0 : 1);
    r.summary.insert(QStringLiteral("fastest_protocol"), fastestProtocol(t, link));
    const double x11 = std::max<double>(1, double(t.x11Bytes));
    r.summary.insert(QStringLiteral("ratio_raw_to_x11"), double(t.pixelBytes[0]) / x11);
    r.summary.insert(QStringLiteral("ratio_zlib_to_x11"), double(t.bytes(zlib)) / x11);
    const double rawRatio = double(t.pixelBytes[0]) / x11;
    r.summary.insert(QStringLiteral("raw_to_x11_order"),
        rawRatio < 10         ? 0
            : rawRatio < 100  ? 1
            : rawRatio < 1000 ? 2
                              : 3);
    int smallest = 0;
    for (std::size_t e = 1; e < kRfbEncodings.size(); ++e) {
        if (t.pixelBytes[e] < t.pixelBytes[std::size_t(smallest)])
            smallest = int(e);
    }
    r.summary.insert(QStringLiteral("smallest_pixel_encoding"), smallest);
    r.summary.insert(QStringLiteral("rtt_ms"), link.rttMs);
    r.summary.insert(QStringLiteral("bandwidth_mbit"), link.bandwidthBitsPerSec / 1e6);

    Series bytes;
    bytes.id = QStringLiteral("bytes");
    bytes.name = QStringLiteral("bytes on the link (model, real encodings)");
    bytes.xLabel = QStringLiteral("protocol");
    bytes.yLabel = QStringLiteral("bytes");
    bytes.style = Series::Style::Bars;
    Series time = bytes;
    time.id = QStringLiteral("time");
    time.name = QStringLiteral("time on the link (model)");
    time.yLabel = QStringLiteral("time (ms)");
    for (int p = 0; p < kXprotoProtocols; ++p) {
        bytes.x.push_back(p);
        bytes.y.push_back(double(t.bytes(p)));
        bytes.pointLabels << XprotoComparison::protocolLabel(p);
        time.x.push_back(p);
        time.y.push_back(link.timeMs(t.bytes(p), t.roundTrips(p)));
        time.pointLabels << XprotoComparison::protocolLabel(p);
    }
    r.series.push_back(bytes);
    r.series.push_back(time);
    for (Series &c : timeCurves(t, link, std::max(200.0, link.rttMs * 2)))
        r.series.push_back(std::move(c));

    r.table.columns = {QStringLiteral("frame"), QStringLiteral("what"), QStringLiteral("x11_bytes"),
        QStringLiteral("x11_requests"), QStringLiteral("x11_round_trips"), QStringLiteral("rects"),
        QStringLiteral("pixels")};
    for (RfbEncoding e : kRfbEncodings)
        r.table.columns << rfbEncodingId(e) + QStringLiteral("_bytes");
    for (std::size_t i = 0; i < s.frames.size(); ++i) {
        const XprotoFrame &f = s.frames[i];
        QVariantList row {int(i + 1), f.title, qint64(f.x11Bytes), f.x11Requests, f.x11RoundTrips,
            int(f.damage.size()), qint64(f.pixelsChanged)};
        for (std::int64_t b : f.pixelBytes)
            row << qint64(b);
        r.table.rows.push_back(row);
    }
    return r;
}

} // namespace proclab
