#include "rfbdecoder.h"

#include <zlib.h>

#include <algorithm>

namespace proclab {

namespace {

/// Reads the encoder's output with bounds checks: a short read sets the error once.
class Reader {
public:
    Reader(const std::uint8_t *data, std::size_t size)
        : m_data(data)
        , m_size(size)
    {
    }
    bool need(std::size_t n)
    {
        if (m_at + n > m_size) {
            m_short = true;
            return false;
        }
        return true;
    }
    std::uint32_t u8() { return need(1) ? m_data[m_at++] : 0; }
    std::uint32_t u16()
    {
        const std::uint32_t a = u8();
        return (a << 8) | u8();
    }
    std::uint32_t u32()
    {
        const std::uint32_t a = u16();
        return (a << 16) | u16();
    }
    std::uint32_t pixel(int bytes)
    {
        std::uint32_t p = 0;
        for (int i = 0; i < bytes; ++i)
            p |= u8() << (8 * i);
        return p;
    }
    int runLength()
    {
        int len = 1;
        for (int guard = 0; guard < (1 << 20); ++guard) {
            const std::uint32_t b = u8();
            len += int(b);
            if (b != 255 || m_short)
                break;
        }
        return len;
    }
    bool isShort() const { return m_short; }
    bool atEnd() const { return m_at == m_size; }

private:
    const std::uint8_t *m_data;
    std::size_t m_size;
    std::size_t m_at = 0;
    bool m_short = false;
};

bool decodeTiles(Reader &in, const PixelRect &r, int tileSize, Framebuffer *fb, QString *error)
{
    const int c = RfbSizes::kBytesPerCPixel;
    for (int ty = r.y; ty < r.bottom(); ty += tileSize) {
        for (int tx = r.x; tx < r.right(); tx += tileSize) {
            const PixelRect t {
                tx, ty, std::min(tileSize, r.right() - tx), std::min(tileSize, r.bottom() - ty)};
            const std::uint32_t sub = in.u8();
            const int total = t.w * t.h;
            std::vector<std::uint32_t> px;
            px.reserve(std::size_t(total));
            std::vector<std::uint32_t> palette;
            if (sub == 0) {
                for (int i = 0; i < total && !in.isShort(); ++i)
                    px.push_back(in.pixel(c));
            } else if (sub == 1) {
                px.assign(std::size_t(total), in.pixel(c));
            } else if (sub >= 2 && sub <= 16) {
                for (std::uint32_t i = 0; i < sub; ++i)
                    palette.push_back(in.pixel(c));
                const int bits = sub == 2 ? 1 : sub <= 4 ? 2 : 4;
                for (int y = 0; y < t.h && !in.isShort(); ++y) {
                    std::uint32_t acc = 0;
                    int left = 0;
                    for (int x = 0; x < t.w; ++x) {
                        if (left == 0) {
                            acc = in.u8();
                            left = 8;
                        }
                        left -= bits;
                        const std::uint32_t k = (acc >> left) & ((1u << bits) - 1);
                        if (k >= palette.size()) {
                            *error = QStringLiteral("palette index %1 of %2").arg(k).arg(palette.size());
                            return false;
                        }
                        px.push_back(palette[k]);
                    }
                }
            } else if (sub == 128) {
                while (int(px.size()) < total && !in.isShort()) {
                    const std::uint32_t p = in.pixel(c);
                    const int len = in.runLength();
                    if (int(px.size()) + len > total) {
                        *error = QStringLiteral("a run goes past the end of its tile");
                        return false;
                    }
                    px.insert(px.end(), std::size_t(len), p);
                }
            } else if (sub >= 130) {
                for (std::uint32_t i = 0; i < sub - 128; ++i)
                    palette.push_back(in.pixel(c));
                while (int(px.size()) < total && !in.isShort()) {
                    const std::uint32_t b = in.u8();
                    const std::uint32_t k = b & 127;
                    if (k >= palette.size()) {
                        *error = QStringLiteral("palette index %1 of %2").arg(k).arg(palette.size());
                        return false;
                    }
                    const int len = (b & 128) ? in.runLength() : 1;
                    if (int(px.size()) + len > total) {
                        *error = QStringLiteral("a run goes past the end of its tile");
                        return false;
                    }
                    px.insert(px.end(), std::size_t(len), palette[k]);
                }
            } else {
                *error = QStringLiteral("tile subencoding %1 is not one this encoder writes").arg(sub);
                return false;
            }
            if (in.isShort() || int(px.size()) != total) {
                *error = QStringLiteral("the tile data ends early");
                return false;
            }
            for (int i = 0; i < total; ++i)
                fb->setPixel(t.x + i % t.w, t.y + i / t.w, px[std::size_t(i)]);
        }
    }
    return true;
}

bool decodeRaw(Reader &in, const PixelRect &r, Framebuffer *fb)
{
    for (int y = r.y; y < r.bottom(); ++y) {
        for (int x = r.x; x < r.right(); ++x)
            fb->setPixel(x, y, in.pixel(RfbSizes::kBytesPerPixel));
    }
    return !in.isShort();
}

} // namespace

struct RfbDecoder::ZStream {
    z_stream z {};
    bool ok = false;
};

RfbDecoder::RfbDecoder(RfbEncoding encoding)
    : m_encoding(encoding)
{
    if (encoding == RfbEncoding::Zlib || encoding == RfbEncoding::Zrle) {
        m_zlib = std::make_unique<ZStream>();
        m_zlib->ok = inflateInit(&m_zlib->z) == Z_OK;
    }
}

RfbDecoder::~RfbDecoder()
{
    if (m_zlib && m_zlib->ok)
        inflateEnd(&m_zlib->z);
}

bool RfbDecoder::inflate(const WireBytes &data, std::size_t expectedMax, WireBytes *out, QString *error)
{
    Reader head(data.data(), data.size());
    const std::uint32_t n = head.u32();
    if (head.isShort() || std::size_t(n) + 4 != data.size()) {
        *error = QStringLiteral("the zlib length field does not match the data (%1 bytes)").arg(data.size());
        return false;
    }
    if (!m_zlib || !m_zlib->ok) {
        *error = QStringLiteral("zlib could not be initialised");
        return false;
    }
    z_stream &z = m_zlib->z;
    z.next_in = const_cast<Bytef *>(data.data() + 4);
    z.avail_in = uInt(n);
    std::uint8_t chunk[16384];
    // Each pass consumes input or produces output, and the output is bounded: the loop ends.
    for (;;) {
        z.next_out = chunk;
        z.avail_out = sizeof(chunk);
        const int rc = ::inflate(&z, Z_SYNC_FLUSH);
        if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END) {
            *error = QStringLiteral("zlib: %1").arg(QString::fromLatin1(z.msg ? z.msg : "corrupt data"));
            return false;
        }
        out->insert(out->end(), chunk, chunk + (sizeof(chunk) - z.avail_out));
        if (out->size() > expectedMax) {
            *error = QStringLiteral("the data inflates to more than the rectangle can hold");
            return false;
        }
        const bool drained = z.avail_out != 0;
        if ((drained && z.avail_in == 0) || (rc == Z_BUF_ERROR && drained) || rc == Z_STREAM_END)
            break;
    }
    return true;
}

bool RfbDecoder::decode(const WireBytes &data, const PixelRect &r, Framebuffer *fb, QString *error)
{
    QString ignored;
    QString &err = error ? *error : ignored;
    err.clear();
    // The largest data any encoding of this rectangle can need: raw pixels plus tile overhead.
    const std::size_t most
        = std::size_t(r.area()) * RfbSizes::kBytesPerPixel + std::size_t(r.area()) / 16 + 64;
    switch (m_encoding) {
    case RfbEncoding::Raw: {
        Reader in(data.data(), data.size());
        if (!decodeRaw(in, r, fb) || !in.atEnd()) {
            err = QStringLiteral("raw data is %1 bytes, the rectangle needs %2")
                      .arg(data.size())
                      .arg(r.area() * RfbSizes::kBytesPerPixel);
            return false;
        }
        return true;
    }
    case RfbEncoding::Rre: {
        Reader in(data.data(), data.size());
        const std::uint32_t n = in.u32();
        const std::uint32_t background = in.pixel(RfbSizes::kBytesPerPixel);
        if (in.isShort() || std::size_t(n) * 12 + 8 != data.size()) {
            err = QStringLiteral("RRE header says %1 sub-rectangles, the data has %2 bytes")
                      .arg(n)
                      .arg(data.size());
            return false;
        }
        fb->fillRect(r, background);
        for (std::uint32_t i = 0; i < n; ++i) {
            const std::uint32_t p = in.pixel(RfbSizes::kBytesPerPixel);
            const PixelRect s {int(in.u16()), int(in.u16()), int(in.u16()), int(in.u16())};
            if (s.right() > r.w || s.bottom() > r.h) {
                err = QStringLiteral("RRE sub-rectangle %1 lies outside its rectangle").arg(i);
                return false;
            }
            fb->fillRect(s.translated(r.x, r.y), p);
        }
        return true;
    }
    case RfbEncoding::Trle: {
        Reader in(data.data(), data.size());
        if (!decodeTiles(in, r, 16, fb, &err))
            return false;
        if (!in.atEnd()) {
            err = QStringLiteral("TRLE data has bytes after the last tile");
            return false;
        }
        return true;
    }
    case RfbEncoding::Zlib:
    case RfbEncoding::Zrle: {
        WireBytes plain;
        if (!inflate(data, most, &plain, &err))
            return false;
        Reader in(plain.data(), plain.size());
        const bool ok
            = m_encoding == RfbEncoding::Zlib ? decodeRaw(in, r, fb) : decodeTiles(in, r, 64, fb, &err);
        if (!ok || !in.atEnd()) {
            if (err.isEmpty())
                err = QStringLiteral("the inflated data does not fit the rectangle");
            return false;
        }
        return true;
    }
    }
    return false;
}

} // namespace proclab
