#include "xprotocomparison.h"

#include "damagetracker.h"

namespace proclab {

XprotoComparison::XprotoComparison(const XDrawingConfig &drawing, int zlibLevel)
    : m_script(drawing)
    , m_screen(m_script.screen())
    , m_dragFramesFrom(2 + drawing.scrollLines)
{
    for (RfbEncoding e : kRfbEncodings)
        m_encoders.push_back(std::make_unique<RfbEncoder>(e, zlibLevel));
}

QString XprotoComparison::protocolLabel(int p)
{
    return p == 0 ? QStringLiteral("X11")
                  : QStringLiteral("RFB ") + rfbEncodingLabel(kRfbEncodings[std::size_t(p - 1)]);
}

QString XprotoComparison::protocolId(int p)
{
    return p == 0 ? QStringLiteral("x11") : rfbEncodingId(kRfbEncodings[std::size_t(p - 1)]);
}

const XprotoFrame &XprotoComparison::step()
{
    const int index = int(m_frames.size());
    XFrame x = m_script.runNextFrame();
    XprotoFrame f;
    f.title = x.title;
    for (const X11Message &m : x.messages)
        f.x11.push_back({m.toTerminal, m.client, m.name, int(m.bytes.size())});
    f.x11BytesToTerminal = x.bytesToTerminal;
    f.x11BytesToApplication = x.bytesToApplication;
    f.x11Bytes = x.bytesToTerminal + x.bytesToApplication;
    f.x11Requests = x.requests;
    f.x11ServerPackets = x.serverPackets;
    f.x11RoundTrips = x.roundTrips;

    // The pixel protocol sees only the result: what changed on the screen.
    Framebuffer after = m_script.screen();
    f.damage = DamageTracker::changedRects(m_screen, after);
    for (const PixelRect &r : f.damage)
        f.pixelsChanged += r.area();
    // The viewer asks for each update; during the drag it also sends where the pointer is.
    const std::int64_t fromViewer
        = RfbSizes::kUpdateRequest + (index >= m_dragFramesFrom ? RfbSizes::kPointerEvent : 0);
    for (std::size_t e = 0; e < m_encoders.size(); ++e) {
        std::int64_t bytes = fromViewer + RfbSizes::kUpdateHeader;
        for (const PixelRect &r : f.damage)
            bytes += RfbSizes::kRectHeader + std::int64_t(m_encoders[e]->encode(after, r).size());
        f.pixelBytes[e] = bytes;
        m_totals.pixelBytes[e] += bytes;
    }
    f.pixelRoundTrips = 1;
    m_screen = std::move(after);

    m_totals.x11Bytes += f.x11Bytes;
    m_totals.x11BytesToTerminal += f.x11BytesToTerminal;
    m_totals.x11BytesToApplication += f.x11BytesToApplication;
    m_totals.x11Requests += f.x11Requests;
    m_totals.x11ServerPackets += f.x11ServerPackets;
    m_totals.x11RoundTrips += f.x11RoundTrips;
    m_totals.pixelRoundTrips += f.pixelRoundTrips;
    m_totals.pixelRects += int(f.damage.size());
    m_totals.pixelsChanged += f.pixelsChanged;
    m_frames.push_back(std::move(f));
    return m_frames.back();
}

} // namespace proclab
