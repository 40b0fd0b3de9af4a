#include "xdrawingscript.h"

#include "bitmapfont.h"

#include <algorithm>

namespace proclab {

namespace {

constexpr std::uint32_t kDesktop = 0x2e6e9e;
constexpr std::uint32_t kWhite = 0xffffff;
constexpr std::uint32_t kBlack = 0x101010;
constexpr std::uint32_t kTitle = 0x35477a;
constexpr std::uint32_t kGrid = 0xd0d4dc;
constexpr std::uint32_t kAxis = 0x404040;
constexpr std::uint32_t kCurve = 0xc0392b;
constexpr std::uint32_t kChartBack = 0xfbfaf5;
constexpr int kTitleHeight = 20;
constexpr int kLineHeight = 15;
constexpr int kTextTop = 24;

// The editor shows a small C program, cycled when the text is longer.
const char *const kSource[] = {
    "#include <X11/Xlib.h>",
    "",
    "int main(void)",
    "{",
    "    Display *d = XOpenDisplay(NULL);",
    "    int s = DefaultScreen(d);",
    "    Window w = XCreateSimpleWindow(d, RootWindow(d, s),",
    "                  10, 10, 400, 300, 1, 0, 0xffffff);",
    "    XSelectInput(d, w, ExposureMask | KeyPressMask);",
    "    XMapWindow(d, w);",
    "    GC gc = XCreateGC(d, w, 0, NULL);",
    "    for (;;) {",
    "        XEvent e;",
    "        XNextEvent(d, &e);",
    "        if (e.type == Expose)",
    "            XDrawString(d, w, gc, 20, 20, \"hello\", 5);",
    "        if (e.type == KeyPress)",
    "            break;",
    "    }",
    "    XCloseDisplay(d);",
    "    return 0;",
    "}",
};
constexpr int kSourceLines = int(sizeof(kSource) / sizeof(kSource[0]));

X11Rectangle toX11(const PixelRect &r)
{
    return {std::int16_t(r.x), std::int16_t(r.y), std::uint16_t(r.w), std::uint16_t(r.h)};
}

} // namespace

XDrawingScript::XDrawingScript(const XDrawingConfig &config)
    : m_config(config)
    , m_server(config.width, config.height, kDesktop)
{
    const int w = m_config.width, h = m_config.height;
    const int editorW = std::min(480, w - 48);
    const int editorH = std::min(kTextTop + m_config.textLines * kLineHeight + 6, h - 48);
    m_editorRect = {24, 32, std::max(40, editorW), std::max(kTextTop + kLineHeight, editorH)};
    m_visibleLines = std::max(1, (m_editorRect.h - kTextTop - 4) / kLineHeight);
    // The chart appears over the right part of the editor; the drag pulls it away to the
    // right and down, uncovering the editor's text step by step.
    const int chartW = std::min(360, w - 80);
    const int chartH = std::min(300, h - 80);
    m_chartRect = {std::min(m_editorRect.x + m_editorRect.w * 11 / 20, w - chartW - 10),
        std::min(m_editorRect.y + 60, h - chartH - 10), chartW, chartH};
    m_pointerX = m_chartRect.x + m_chartRect.w / 2;
    m_pointerY = m_chartRect.y + kTitleHeight / 2;
}

int XDrawingScript::frameCount() const
{
    return 2 + m_config.scrollLines + m_config.dragFrames;
}

QString XDrawingScript::clientName(int client)
{
    switch (client) {
    case Editor:
        return QStringLiteral("editor");
    case Chart:
        return QStringLiteral("chart");
    default:
        return QStringLiteral("window manager");
    }
}

void XDrawingScript::addPacket(XFrame *frame, const X11ServerPacket &packet)
{
    frame->messages.push_back(
        {false, packet.client, X11Encoder::serverPacketName(packet.bytes), packet.bytes});
    frame->bytesToApplication += std::int64_t(packet.bytes.size());
    ++frame->serverPackets;
    const X11Reader r(packet.bytes);
    if (packet.client == Editor && (r.u8(0) & 0x7f) == x11::Expose)
        m_editorExposures.push_back({r.u16(8), r.u16(10), r.u16(12), r.u16(14)});
}

void XDrawingScript::send(XFrame *frame, int client, WireBytes request)
{
    const std::uint8_t opcode = request.empty() ? 0 : request[0];
    std::vector<X11ServerPacket> packets;
    const QString error = m_server.execute(client, request, &packets);
    if (!error.isEmpty() && m_error.isEmpty())
        m_error = X11Encoder::requestName(opcode) + QStringLiteral(": ") + error;
    frame->bytesToTerminal += std::int64_t(request.size());
    ++frame->requests;
    frame->messages.push_back({true, client, X11Encoder::requestName(opcode), std::move(request)});
    for (const X11ServerPacket &p : packets)
        addPacket(frame, p);
    if (m_config.synchronous && opcode != x11::GetInputFocus) {
        // XSynchronize: Xlib follows each request with XSync, a GetInputFocus round trip.
        send(frame, client, X11Encoder::getInputFocus());
        ++frame->roundTrips;
    }
}

void XDrawingScript::setColours(XFrame *frame, int client, std::uint32_t foreground, std::uint32_t background)
{
    GcState &gc = m_gc[client];
    if (!gc.created) {
        // graphics-exposures off: CopyArea then sends no NoExpose event back.
        send(frame, client,
            X11Encoder::createGC(gcId(client), windowId(client),
                x11::GCForeground | x11::GCBackground | x11::GCGraphicsExposures,
                {foreground, background, 0}));
        gc = {true, foreground, background};
        return;
    }
    std::uint32_t mask = 0;
    std::vector<std::uint32_t> values;
    if (gc.foreground != foreground) {
        mask |= x11::GCForeground;
        values.push_back(foreground);
    }
    if (gc.background != background) {
        mask |= x11::GCBackground;
        values.push_back(background);
    }
    if (mask) {
        send(frame, client, X11Encoder::changeGC(gcId(client), mask, values));
        gc.foreground = foreground;
        gc.background = background;
    }
}

void XDrawingScript::createAndMap(
    XFrame *frame, int client, const PixelRect &rect, std::uint32_t background, std::uint32_t eventMask)
{
    std::uint32_t mask = x11::CWBackPixel | x11::CWEventMask;
    std::vector<std::uint32_t> values {background};
    if (m_config.backingStore) {
        mask |= x11::CWBackingStore;
        values.push_back(x11::BackingStoreAlways);
    }
    values.push_back(eventMask);
    send(frame, client,
        X11Encoder::createWindow(windowId(client), XServerModel::kRootWindow, std::int16_t(rect.x),
            std::int16_t(rect.y), std::uint16_t(rect.w), std::uint16_t(rect.h), mask, values));
    send(frame, client, X11Encoder::mapWindow(windowId(client)));
    // The client draws only once the Expose has arrived: it waits for the server.
    ++frame->roundTrips;
}

std::string XDrawingScript::editorLine(int visibleIndex) const
{
    const int n = (m_scrolled + visibleIndex) % kSourceLines;
    return kSource[n];
}

void XDrawingScript::drawEditor(XFrame *frame, const std::vector<PixelRect> &areas)
{
    const auto wanted = [&](const PixelRect &item) {
        return std::any_of(
            areas.begin(), areas.end(), [&](const PixelRect &a) { return a.intersects(item); });
    };
    const std::uint32_t win = windowId(Editor), gc = gcId(Editor);
    const PixelRect title {0, 0, m_editorRect.w, kTitleHeight};
    if (wanted(title)) {
        setColours(frame, Editor, kTitle, kWhite);
        send(frame, Editor, X11Encoder::polyFillRectangle(win, gc, {toX11(title)}));
        setColours(frame, Editor, kWhite, kTitle);
        send(frame, Editor, X11Encoder::imageText8(win, gc, 6, 14, "editor - hello.c"));
    }
    for (int i = 0; i < m_visibleLines; ++i) {
        const std::string text = editorLine(i);
        const int top = kTextTop + i * kLineHeight;
        const PixelRect item {4, top, int(text.size()) * BitmapFont::kWidth, BitmapFont::kHeight};
        if (text.empty() || !wanted(item))
            continue;
        setColours(frame, Editor, kBlack, kWhite);
        send(
            frame, Editor, X11Encoder::imageText8(win, gc, 4, std::int16_t(top + BitmapFont::kAscent), text));
    }
}

void XDrawingScript::drawChart(XFrame *frame)
{
    const std::uint32_t win = windowId(Chart), gc = gcId(Chart);
    const int w = m_chartRect.w, h = m_chartRect.h;
    setColours(frame, Chart, kAxis, kChartBack);
    send(frame, Chart,
        X11Encoder::polyFillRectangle(win, gc, {X11Rectangle {0, 0, std::uint16_t(w), kTitleHeight}}));
    setColours(frame, Chart, kWhite, kAxis);
    send(frame, Chart, X11Encoder::imageText8(win, gc, 6, 14, "requests per second"));
    const int left = 44, top = kTitleHeight + 14, right = w - 14, bottom = h - 30;
    // Grid first (one PolySegment), then the axes over it (another), then the curve.
    std::vector<X11Segment> grid;
    for (int i = 1; i <= 4; ++i) {
        const auto y = std::int16_t(bottom - (bottom - top) * i / 4);
        grid.push_back({std::int16_t(left), y, std::int16_t(right), y});
    }
    for (int i = 1; i <= 6; ++i) {
        const auto x = std::int16_t(left + (right - left) * i / 6);
        grid.push_back({x, std::int16_t(top), x, std::int16_t(bottom)});
    }
    setColours(frame, Chart, kGrid, kChartBack);
    send(frame, Chart, X11Encoder::polySegment(win, gc, grid));
    setColours(frame, Chart, kAxis, kChartBack);
    send(frame, Chart,
        X11Encoder::polySegment(win, gc,
            {X11Segment {std::int16_t(left), std::int16_t(top), std::int16_t(left), std::int16_t(bottom)},
                X11Segment {
                    std::int16_t(left), std::int16_t(bottom), std::int16_t(right), std::int16_t(bottom)}}));
    // A deterministic, noisy curve: a slow triangle wave plus a small pseudo-random wobble.
    std::vector<X11Point> points;
    std::uint32_t lcg = 12345;
    const int n = std::max(2, m_config.chartPoints);
    for (int i = 0; i < n; ++i) {
        lcg = lcg * 1103515245u + 12345u;
        const int wobble = int((lcg >> 16) % 15) - 7;
        const int phase = (i * 4 * 100 / std::max(1, n - 1)) % 200; // two triangles over the width
        const int tri = phase < 100 ? phase : 200 - phase;
        const int y = bottom - 8 - (bottom - top - 16) * tri / 100 + wobble;
        const int x = left + (right - left) * i / (n - 1);
        points.push_back({std::int16_t(x), std::int16_t(std::clamp(y, top, bottom))});
    }
    setColours(frame, Chart, kCurve, kChartBack);
    send(frame, Chart, X11Encoder::polyLine(win, gc, points));
    setColours(frame, Chart, kBlack, kChartBack);
    send(frame, Chart, X11Encoder::imageText8(win, gc, 8, std::int16_t(top + 8), "100"));
    send(frame, Chart, X11Encoder::imageText8(win, gc, 22, std::int16_t(bottom + 4), "0"));
    send(frame, Chart,
        X11Encoder::imageText8(win, gc, std::int16_t(right - 70), std::int16_t(h - 10), "time (s)"));
}

XFrame XDrawingScript::runNextFrame()
{
    XFrame frame;
    if (finished())
        return frame;
    const int index = m_next++;
    const int scrollEnd = 1 + m_config.scrollLines;
    const std::vector<PixelRect> everything {{0, 0, 32767, 32767}};
    if (index == 0) {
        frame.title = QStringLiteral("the editor window appears");
        createAndMap(&frame, Editor, m_editorRect, kWhite, x11::ExposureMask);
        m_editorExposures.clear(); // the map's Expose: the first drawing covers all of it
        drawEditor(&frame, everything);
    } else if (index < scrollEnd) {
        frame.title = QStringLiteral("the editor scrolls one line");
        ++m_scrolled;
        const std::uint32_t win = windowId(Editor), gc = gcId(Editor);
        const int textH = m_visibleLines * kLineHeight;
        // Move the text up by one line on the server, clear the last line, draw the new one.
        send(&frame, Editor,
            X11Encoder::copyArea(win, win, gc, 0, std::int16_t(kTextTop + kLineHeight), 0, kTextTop,
                std::uint16_t(m_editorRect.w), std::uint16_t(textH - kLineHeight)));
        const int lastTop = kTextTop + (m_visibleLines - 1) * kLineHeight;
        send(&frame, Editor,
            X11Encoder::clearArea(win, 0, std::int16_t(lastTop), 0, std::uint16_t(kLineHeight), false));
        const std::string text = editorLine(m_visibleLines - 1);
        if (!text.empty()) {
            setColours(&frame, Editor, kBlack, kWhite);
            send(&frame, Editor,
                X11Encoder::imageText8(win, gc, 4, std::int16_t(lastTop + BitmapFont::kAscent), text));
        }
    } else if (index == scrollEnd) {
        frame.title = QStringLiteral("the chart window appears");
        createAndMap(&frame, Chart, m_chartRect, kChartBack, x11::ExposureMask | x11::StructureNotifyMask);
        drawChart(&frame);
    } else {
        frame.title
            = QStringLiteral("dragging the chart (%1 of %2)").arg(index - scrollEnd).arg(m_config.dragFrames);
        m_pointerX += m_config.dragStepPx;
        m_pointerY += m_config.dragStepPx / 2;
        std::vector<X11ServerPacket> packets;
        m_server.pointerMoved(WindowManager, m_pointerX, m_pointerY, &packets);
        for (const X11ServerPacket &p : packets)
            addPacket(&frame, p);
        // The window manager hears of the motion, then moves the window: one round trip.
        ++frame.roundTrips;
        m_chartRect.x += m_config.dragStepPx;
        m_chartRect.y += m_config.dragStepPx / 2;
        m_editorExposures.clear();
        send(&frame, WindowManager,
            X11Encoder::configureWindowPosition(
                windowId(Chart), std::int16_t(m_chartRect.x), std::int16_t(m_chartRect.y)));
        if (!m_editorExposures.empty()) {
            const std::vector<PixelRect> areas = m_editorExposures;
            m_editorExposures.clear();
            drawEditor(&frame, areas);
        }
    }
    if (finished() && !m_config.synchronous) {
        // XSync at the end: the application knows its drawing has been processed.
        send(&frame, index == 0 ? int(Editor) : int(WindowManager), X11Encoder::getInputFocus());
        ++frame.roundTrips;
    }
    return frame;
}

} // namespace proclab
