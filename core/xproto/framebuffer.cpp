#include "framebuffer.h"

#include "bitmapfont.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace proclab {

PixelRect PixelRect::intersected(const PixelRect &o) const
{
    const int l = std::max(x, o.x);
    const int t = std::max(y, o.y);
    const int r = std::min(right(), o.right());
    const int b = std::min(bottom(), o.bottom());
    if (r <= l || b <= t)
        return {};
    return {l, t, r - l, b - t};
}

std::vector<PixelRect> subtractRect(const PixelRect &a, const PixelRect &b)
{
    const PixelRect common = a.intersected(b);
    if (common.isEmpty())
        return a.isEmpty() ? std::vector<PixelRect> {} : std::vector<PixelRect> {a};
    std::vector<PixelRect> out;
    // Bands above and below the common part span the full width; the sides only its height.
    if (common.y > a.y)
        out.push_back({a.x, a.y, a.w, common.y - a.y});
    if (common.bottom() < a.bottom())
        out.push_back({a.x, common.bottom(), a.w, a.bottom() - common.bottom()});
    if (common.x > a.x)
        out.push_back({a.x, common.y, common.x - a.x, common.h});
    if (common.right() < a.right())
        out.push_back({common.right(), common.y, a.right() - common.right(), common.h});
    return out;
}

Framebuffer::Framebuffer(int width, int height, std::uint32_t colour)
    : m_width(std::clamp(width, 0, 8192))
    , m_height(std::clamp(height, 0, 8192))
    , m_pixels(std::size_t(m_width) * std::size_t(m_height), colour)
{
}

void Framebuffer::fillRect(const PixelRect &r, std::uint32_t colour)
{
    const PixelRect c = r.intersected(bounds());
    for (int y = c.y; y < c.bottom(); ++y)
        std::fill_n(m_pixels.begin() + std::ptrdiff_t(std::size_t(y) * m_width + c.x), c.w, colour);
}

void Framebuffer::drawLine(int x0, int y0, int x1, int y1, std::uint32_t colour)
{
    // Integer Bresenham over all octants; coordinates are INT16 on the wire, so no overflow.
    const int dx = std::abs(x1 - x0);
    const int dy = -std::abs(y1 - y0);
    const int sx = x0 < x1 ? 1 : -1;
    const int sy = y0 < y1 ? 1 : -1;
    int err = dx + dy;
    for (int guard = 0; guard <= 2 * 65536; ++guard) {
        setPixel(x0, y0, colour);
        if (x0 == x1 && y0 == y1)
            break;
        const int e2 = 2 * err;
        if (e2 >= dy) {
            err += dy;
            x0 += sx;
        }
        if (e2 <= dx) {
            err += dx;
            y0 += sy;
        }
    }
}

void Framebuffer::drawImageText(
    int x, int baselineY, const std::string &text, std::uint32_t foreground, std::uint32_t background)
{
    const int top = baselineY - BitmapFont::kAscent;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const int cellX = x + int(i) * BitmapFont::kWidth;
        fillRect({cellX, top, BitmapFont::kWidth, BitmapFont::kHeight}, background);
        const std::uint8_t *rows = BitmapFont::glyph(text[i]);
        for (int row = 0; row < BitmapFont::kHeight; ++row) {
            for (int col = 0; col < BitmapFont::kWidth; ++col) {
                if (rows[row] & (0x80u >> col))
                    setPixel(cellX + col, top + row, foreground);
            }
        }
    }
}

void Framebuffer::copyArea(const PixelRect &src, int dstX, int dstY)
{
    // Clip the source and the destination together so that both stay inside the buffer.
    PixelRect s = src.intersected(bounds());
    dstX += s.x - src.x;
    dstY += s.y - src.y;
    PixelRect d = PixelRect {dstX, dstY, s.w, s.h}.intersected(bounds());
    s = {s.x + (d.x - dstX), s.y + (d.y - dstY), d.w, d.h};
    if (d.isEmpty())
        return;
    // Rows in the order that never overwrites a source row before it is read.
    const bool down = d.y > s.y;
    for (int i = 0; i < d.h; ++i) {
        const int row = down ? d.h - 1 - i : i;
        std::memmove(&m_pixels[std::size_t(d.y + row) * m_width + d.x],
            &m_pixels[std::size_t(s.y + row) * m_width + s.x], std::size_t(d.w) * sizeof(std::uint32_t));
    }
}

void Framebuffer::blit(const Framebuffer &source, int dstX, int dstY)
{
    const PixelRect d = PixelRect {dstX, dstY, source.width(), source.height()}.intersected(bounds());
    for (int y = d.y; y < d.bottom(); ++y) {
        std::memcpy(&m_pixels[std::size_t(y) * m_width + d.x],
            &source.m_pixels[std::size_t(y - dstY) * source.m_width + (d.x - dstX)],
            std::size_t(d.w) * sizeof(std::uint32_t));
    }
}

} // namespace proclab
