#pragma once

#include "framebuffer.h"
#include "linkmodel.h"
#include "rfbencoder.h"
#include "xdrawingscript.h"

#include <QString>

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

namespace proclab {

/// The protocols the C2 model compares: X11 first, then the RFB encodings in kRfbEncodings order.
inline constexpr int kXprotoProtocols = 1 + int(kRfbEncodings.size());

/**
 * @brief One X11 message reduced to what the views list.
 */
struct X11MessageInfo {
    bool toTerminal = true;
    int client = 0;
    QString name;
    int bytes = 0;
};

/**
 * @brief One frame of the comparison: the X11 traffic and the pixel updates for the same change.
 */
struct XprotoFrame {
    QString title;
    std::vector<X11MessageInfo> x11;
    std::int64_t x11Bytes = 0;
    std::int64_t x11BytesToTerminal = 0;
    std::int64_t x11BytesToApplication = 0;
    int x11Requests = 0;
    int x11ServerPackets = 0;
    int x11RoundTrips = 0;
    std::vector<PixelRect> damage; ///< the rectangles the pixel protocol sends
    std::int64_t pixelsChanged = 0; ///< pixels inside them
    /// Bytes per RFB encoding: update request, pointer event, update header, rectangle headers and data.
    std::array<std::int64_t, kRfbEncodings.size()> pixelBytes {};
    int pixelRoundTrips = 1; ///< the client asks for the update and waits for it
};

/**
 * @brief Totals of a comparison so far.
 */
struct XprotoTotals {
    std::int64_t x11Bytes = 0;
    std::int64_t x11BytesToTerminal = 0;
    std::int64_t x11BytesToApplication = 0;
    int x11Requests = 0;
    int x11ServerPackets = 0;
    int x11RoundTrips = 0;
    std::array<std::int64_t, kRfbEncodings.size()> pixelBytes {};
    int pixelRoundTrips = 0;
    int pixelRects = 0;
    std::int64_t pixelsChanged = 0;

    /// @brief Bytes of protocol @p p (0 X11, then the RFB encodings).
    std::int64_t bytes(int p) const { return p == 0 ? x11Bytes : pixelBytes[std::size_t(p - 1)]; }
    /// @brief Round trips of protocol @p p.
    int roundTrips(int p) const { return p == 0 ? x11RoundTrips : pixelRoundTrips; }
};

/**
 * @brief The C2 model without a thread: runs the X11 drawing frame by frame and encodes each
 * frame's changed pixels in every RFB encoding, one encoder (one connection) per encoding.
 */
class XprotoComparison {
public:
    XprotoComparison(const XDrawingConfig &drawing, int zlibLevel);

    int frameCount() const { return m_script.frameCount(); }
    bool finished() const { return m_script.finished(); }
    /// @brief Runs the next frame of both protocols and returns it.
    const XprotoFrame &step();
    const std::vector<XprotoFrame> &frames() const { return m_frames; }
    const XprotoTotals &totals() const { return m_totals; }
    /// @brief The screen after the frames so far (the same pixels for both protocols).
    const Framebuffer &screen() const { return m_screen; }
    /// @brief Non-empty if the model X server refused a request (a bug in the drawing).
    QString error() const { return m_script.error(); }

    /// @brief "X11", "RFB Raw", ... for protocol @p p.
    static QString protocolLabel(int p);
    /// @brief "x11", "raw", ... for protocol @p p (result keys).
    static QString protocolId(int p);

private:
    XDrawingScript m_script;
    std::vector<std::unique_ptr<RfbEncoder>> m_encoders;
    Framebuffer m_screen;
    std::vector<XprotoFrame> m_frames;
    XprotoTotals m_totals;
    int m_dragFramesFrom = 0;
};

} // namespace proclab
