#pragma once

#include "rfbencoder.h"

#include <QString>

#include <memory>

namespace proclab {

/**
 * @brief Decodes what RfbEncoder wrote back into pixels: the check that an encoding lost nothing.
 *
 * Like the encoder, one decoder is one connection (one zlib stream for Zlib and ZRLE).
 * Malformed or truncated data is refused with a one-line message, never read past its end.
 */
class RfbDecoder {
public:
    explicit RfbDecoder(RfbEncoding encoding);
    ~RfbDecoder();
    RfbDecoder(const RfbDecoder &) = delete;
    RfbDecoder &operator=(const RfbDecoder &) = delete;

    /// @brief Draws the decoded rectangle @p r into @p fb. False with @p error on bad data.
    bool decode(const WireBytes &data, const PixelRect &r, Framebuffer *fb, QString *error);

private:
    bool inflate(const WireBytes &data, std::size_t expectedMax, WireBytes *out, QString *error);

    RfbEncoding m_encoding;
    struct ZStream;
    std::unique_ptr<ZStream> m_zlib;
};

} // namespace proclab
