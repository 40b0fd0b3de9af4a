#pragma once

#include "framebuffer.h"
#include "x11encoder.h"

#include <QString>

#include <array>
#include <memory>

namespace proclab {

/**
 * @brief The pixel encodings of the Remote Framebuffer protocol (VNC) that the C2 model compares.
 *
 * Sources: RFC 6143 "The Remote Framebuffer Protocol", sections 7.5.3 (FramebufferUpdateRequest,
 * 10 bytes), 7.5.5 (PointerEvent, 6 bytes), 7.6.1 (FramebufferUpdate: 4-byte header, 12-byte
 * rectangle header), 7.7.1 (Raw), 7.7.3 (RRE), 7.7.5 (TRLE), 7.7.6 (ZRLE); the Zlib encoding
 * (number 6) from the community RFB specification (rfbproto, "Zlib encoding").
 */
enum class RfbEncoding {
    Raw, ///< 0: every pixel, 4 bytes each
    Rre, ///< 2: a background pixel and uniform sub-rectangles
    Trle, ///< 15: 16x16 tiles, each solid, packed palette, run-length or raw
    Zlib, ///< 6: raw pixels through one zlib stream per connection
    Zrle, ///< 16: 64x64 run-length tiles through one zlib stream per connection
};

/// The encodings in the order of the model's results.
inline constexpr std::array<RfbEncoding, 5> kRfbEncodings {
    RfbEncoding::Raw, RfbEncoding::Rre, RfbEncoding::Trle, RfbEncoding::Zlib, RfbEncoding::Zrle};

/// @brief The encoding-type number sent in each rectangle header.
int rfbEncodingNumber(RfbEncoding e);
/// @brief "raw", "rre", "rle", "zlib", "zrle": the suffix of the result keys.
QString rfbEncodingId(RfbEncoding e);
/// @brief "Raw", "RRE", "TRLE (run-length)", "Zlib", "ZRLE".
QString rfbEncodingLabel(RfbEncoding e);

/**
 * @brief Fixed message sizes of RFB (RFC 6143) used to count the bytes of an update.
 */
struct RfbSizes {
    static constexpr int kUpdateHeader = 4; ///< message-type, padding, number-of-rectangles
    static constexpr int kRectHeader = 12; ///< x, y, width, height, encoding-type
    static constexpr int kUpdateRequest = 10; ///< client asks for the next (incremental) update
    static constexpr int kPointerEvent = 6; ///< client sends the pointer position
    /// The pixel format: 32 bits per pixel, depth 24, true colour, little-endian.
    static constexpr int kBytesPerPixel = 4;
    /// TRLE's and ZRLE's compressed pixel: the three bytes that hold a depth-24 pixel.
    static constexpr int kBytesPerCPixel = 3;
};

/**
 * @brief Encodes rectangles of a framebuffer in one RFB encoding, byte for byte.
 *
 * One encoder is one connection: Zlib and ZRLE keep a single zlib stream across all
 * rectangles (flushed with Z_SYNC_FLUSH after each), as the protocol requires, so later
 * rectangles profit from what earlier ones sent.
 */
class RfbEncoder {
public:
    /// @param zlibLevel 1 (fast) .. 9 (small), for Zlib and ZRLE
    explicit RfbEncoder(RfbEncoding encoding, int zlibLevel = 6);
    ~RfbEncoder();
    RfbEncoder(const RfbEncoder &) = delete;
    RfbEncoder &operator=(const RfbEncoder &) = delete;

    RfbEncoding encoding() const { return m_encoding; }
    /**
     * @brief The data of rectangle @p r of @p fb as it follows the rectangle's 12-byte header.
     * @p r must lie inside the framebuffer (it is clipped otherwise).
     */
    WireBytes encode(const Framebuffer &fb, const PixelRect &r);

    /// @brief TRLE/ZRLE tiles of @p r with @p tileSize, before any compression (public for tests).
    static WireBytes encodeTiles(const Framebuffer &fb, const PixelRect &r, int tileSize);

private:
    WireBytes compress(const WireBytes &data);

    RfbEncoding m_encoding;
    struct ZStream;
    std::unique_ptr<ZStream> m_zlib;
};

} // namespace proclab
