#include "rfbencoder.h"

#include <zlib.h>

#include <algorithm>
#include <map>
#include <unordered_map>

namespace proclab {

namespace {

// RFB sends multi-byte integers big-endian and pixels in the pixel format's byte order
// (little-endian here).
void putU16(WireBytes *out, std::uint32_t v)
{
    out->push_back(std::uint8_t(v >> 8));
    out->push_back(std::uint8_t(v));
}

void putU32(WireBytes *out, std::uint32_t v)
{
    putU16(out, v >> 16);
    putU16(out, v & 0xffff);
}

void putPixel(WireBytes *out, std::uint32_t p)
{
    for (int i = 0; i < RfbSizes::kBytesPerPixel; ++i)
        out->push_back(std::uint8_t(p >> (8 * i)));
}

void putCPixel(WireBytes *out, std::uint32_t p)
{
    for (int i = 0; i < RfbSizes::kBytesPerCPixel; ++i)
        out->push_back(std::uint8_t(p >> (8 * i)));
}

// A run length: (length - 1) as bytes of 255 followed by the remainder (RFC 6143, 7.7.5).
void putRunLength(WireBytes *out, int length)
{
    int rest = length - 1;
    while (rest >= 255) {
        out->push_back(255);
        rest -= 255;
    }
    out->push_back(std::uint8_t(rest));
}

int runLengthBytes(int length)
{
    return (length - 1) / 255 + 1;
}

WireBytes rawPixels(const Framebuffer &fb, const PixelRect &r)
{
    WireBytes out;
    out.reserve(std::size_t(r.area()) * RfbSizes::kBytesPerPixel);
    for (int y = r.y; y < r.bottom(); ++y) {
        for (int x = r.x; x < r.right(); ++x)
            putPixel(&out, fb.pixel(x, y));
    }
    return out;
}

WireBytes encodeRre(const Framebuffer &fb, const PixelRect &r)
{
    // Background: the most common pixel. Sub-rectangles: greedy, each grown right along its
    // row, then down while the whole span keeps the colour and is not yet covered.
    std::unordered_map<std::uint32_t, std::int64_t> counts;
    for (int y = r.y; y < r.bottom(); ++y) {
        for (int x = r.x; x < r.right(); ++x)
            ++counts[fb.pixel(x, y)];
    }
    std::uint32_t background = 0;
    std::int64_t best = -1;
    for (const auto &[p, n] : counts) {
        if (n > best || (n == best && p < background)) {
            best = n;
            background = p;
        }
    }
    std::vector<std::uint8_t> covered(std::size_t(r.area()), 0);
    const auto done
        = [&](int x, int y) -> std::uint8_t & { return covered[std::size_t(y - r.y) * r.w + (x - r.x)]; };
    WireBytes subrects;
    std::uint32_t n = 0;
    for (int y = r.y; y < r.bottom(); ++y) {
        for (int x = r.x; x < r.right(); ++x) {
            const std::uint32_t p = fb.pixel(x, y);
            if (p == background || done(x, y))
                continue;
            int w = 1;
            while (x + w < r.right() && fb.pixel(x + w, y) == p && !done(x + w, y))
                ++w;
            int h = 1;
            for (; y + h < r.bottom(); ++h) {
                bool same = true;
                for (int i = 0; i < w && same; ++i)
                    same = fb.pixel(x + i, y + h) == p && !done(x + i, y + h);
                if (!same)
                    break;
            }
            for (int yy = y; yy < y + h; ++yy) {
                for (int xx = x; xx < x + w; ++xx)
                    done(xx, yy) = 1;
            }
            putPixel(&subrects, p);
            putU16(&subrects, std::uint32_t(x - r.x));
            putU16(&subrects, std::uint32_t(y - r.y));
            putU16(&subrects, std::uint32_t(w));
            putU16(&subrects, std::uint32_t(h));
            ++n;
        }
    }
    WireBytes out;
    putU32(&out, n);
    putPixel(&out, background);
    out.insert(out.end(), subrects.begin(), subrects.end());
    return out;
}

// One TRLE/ZRLE tile: the smallest of solid, packed palette, plain RLE, palette RLE and raw.
void encodeTile(const Framebuffer &fb, const PixelRect &t, WireBytes *out)
{
    std::vector<std::uint32_t> px;
    px.reserve(std::size_t(t.area()));
    for (int y = t.y; y < t.bottom(); ++y) {
        for (int x = t.x; x < t.right(); ++x)
            px.push_back(fb.pixel(x, y) & 0xffffff);
    }
    std::vector<std::uint32_t> palette; // in order of first appearance, at most 128 kept
    std::map<std::uint32_t, int> index;
    for (std::uint32_t p : px) {
        if (index.count(p))
            continue;
        if (palette.size() < 128) {
            index[p] = int(palette.size());
            palette.push_back(p);
        } else {
            index[p] = -1;
        }
    }
    const int colours = int(index.size());
    if (colours == 1) {
        out->push_back(1);
        putCPixel(out, px[0]);
        return;
    }
    std::vector<std::pair<std::uint32_t, int>> runs;
    for (std::uint32_t p : px) {
        if (!runs.empty() && runs.back().first == p)
            ++runs.back().second;
        else
            runs.push_back({p, 1});
    }
    const std::size_t c = RfbSizes::kBytesPerCPixel;
    const std::size_t rawSize = px.size() * c;
    std::size_t plainRle = 0;
    std::size_t paletteRle = colours <= 127 ? std::size_t(colours) * c : SIZE_MAX;
    for (const auto &[p, len] : runs) {
        plainRle += c + std::size_t(runLengthBytes(len));
        if (colours <= 127)
            paletteRle += len == 1 ? 1 : 1 + std::size_t(runLengthBytes(len));
    }
    const int bits = colours == 2 ? 1 : colours <= 4 ? 2 : 4;
    const std::size_t packed = colours <= 16
        ? std::size_t(colours) * c + std::size_t((t.w * bits + 7) / 8) * std::size_t(t.h)
        : SIZE_MAX;
    const std::size_t best = std::min({rawSize, plainRle, paletteRle, packed});
    if (best == packed) {
        out->push_back(std::uint8_t(colours));
        for (int i = 0; i < colours; ++i)
            putCPixel(out, palette[std::size_t(i)]);
        for (int y = 0; y < t.h; ++y) {
            int acc = 0, used = 0;
            for (int x = 0; x < t.w; ++x) {
                acc = (acc << bits) | index[px[std::size_t(y) * t.w + x]];
                used += bits;
                if (used == 8) {
                    out->push_back(std::uint8_t(acc));
                    acc = 0;
                    used = 0;
                }
            }
            if (used > 0)
                out->push_back(std::uint8_t(acc << (8 - used))); // rows end on a byte boundary
        }
    } else if (best == paletteRle) {
        out->push_back(std::uint8_t(128 + colours));
        for (int i = 0; i < colours; ++i)
            putCPixel(out, palette[std::size_t(i)]);
        for (const auto &[p, len] : runs) {
            if (len == 1) {
                out->push_back(std::uint8_t(index[p]));
            } else {
                out->push_back(std::uint8_t(128 | index[p]));
                putRunLength(out, len);
            }
        }
    } else if (best == plainRle) {
        out->push_back(128);
        for (const auto &[p, len] : runs) {
            putCPixel(out, p);
            putRunLength(out, len);
        }
    } else {
        out->push_back(0);
        for (std::uint32_t p : px)
            putCPixel(out, p);
    }
}

} // namespace

int rfbEncodingNumber(RfbEncoding e)
{
    switch (e) {
    case RfbEncoding::Raw:
        return 0;
    case RfbEncoding::Rre:
        return 2;
    case RfbEncoding::Trle:
        return 15;
    case RfbEncoding::Zlib:
        return 6;
    case RfbEncoding::Zrle:
        return 16;
    }
    return -1;
}

QString rfbEncodingId(RfbEncoding e)
{
    switch (e) {
    case RfbEncoding::Raw:
        return QStringLiteral("raw");
    case RfbEncoding::Rre:
        return QStringLiteral("rre");
    case RfbEncoding::Trle:
        return QStringLiteral("rle");
    case RfbEncoding::Zlib:
        return QStringLiteral("zlib");
    case RfbEncoding::Zrle:
        return QStringLiteral("zrle");
    }
    return {};
}

QString rfbEncodingLabel(RfbEncoding e)
{
    switch (e) {
    case RfbEncoding::Raw:
        return QStringLiteral("Raw");
    case RfbEncoding::Rre:
        return QStringLiteral("RRE");
    case RfbEncoding::Trle:
        return QStringLiteral("TRLE (run-length)");
    case RfbEncoding::Zlib:
        return QStringLiteral("Zlib");
    case RfbEncoding::Zrle:
        return QStringLiteral("ZRLE");
    }
    return {};
}

struct RfbEncoder::ZStream {
    z_stream z {};
    bool ok = false;
};

RfbEncoder::RfbEncoder(RfbEncoding encoding, int zlibLevel)
    : m_encoding(encoding)
{
    if (encoding == RfbEncoding::Zlib || encoding == RfbEncoding::Zrle) {
        m_zlib = std::make_unique<ZStream>();
        m_zlib->ok = deflateInit(&m_zlib->z, std::clamp(zlibLevel, 1, 9)) == Z_OK;
    }
}

RfbEncoder::~RfbEncoder()
{
    if (m_zlib && m_zlib->ok)
        deflateEnd(&m_zlib->z);
}

WireBytes RfbEncoder::encodeTiles(const Framebuffer &fb, const PixelRect &r, int tileSize)
{
    WireBytes out;
    for (int ty = r.y; ty < r.bottom(); ty += tileSize) {
        for (int tx = r.x; tx < r.right(); tx += tileSize) {
            const PixelRect t {
                tx, ty, std::min(tileSize, r.right() - tx), std::min(tileSize, r.bottom() - ty)};
            encodeTile(fb, t, &out);
        }
    }
    return out;
}

WireBytes RfbEncoder::compress(const WireBytes &data)
{
    WireBytes out(4, 0); // the length, filled in below
    if (!m_zlib || !m_zlib->ok)
        return out;
    z_stream &z = m_zlib->z;
    z.next_in = const_cast<Bytef *>(data.data());
    z.avail_in = uInt(data.size());
    std::uint8_t chunk[16384];
    // Z_SYNC_FLUSH: the rectangle ends on a byte boundary the client can inflate up to,
    // while the dictionary carries over to the next rectangle.
    do {
        z.next_out = chunk;
        z.avail_out = sizeof(chunk);
        deflate(&z, Z_SYNC_FLUSH);
        out.insert(out.end(), chunk, chunk + (sizeof(chunk) - z.avail_out));
    } while (z.avail_out == 0);
    const std::uint32_t n = std::uint32_t(out.size() - 4);
    out[0] = std::uint8_t(n >> 24);
    out[1] = std::uint8_t(n >> 16);
    out[2] = std::uint8_t(n >> 8);
    out[3] = std::uint8_t(n);
    return out;
}

WireBytes RfbEncoder::encode(const Framebuffer &fb, const PixelRect &rect)
{
    const PixelRect r = rect.intersected(fb.bounds());
    switch (m_encoding) {
    case RfbEncoding::Raw:
        return rawPixels(fb, r);
    case RfbEncoding::Rre:
        return encodeRre(fb, r);
    case RfbEncoding::Trle:
        return encodeTiles(fb, r, 16);
    case RfbEncoding::Zlib:
        return compress(rawPixels(fb, r));
    case RfbEncoding::Zrle:
        return compress(encodeTiles(fb, r, 64));
    }
    return {};
}

} // namespace proclab
