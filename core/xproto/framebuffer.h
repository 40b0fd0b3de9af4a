#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace proclab {

/**
 * @brief A rectangle of pixels: x, y of its top-left corner, width and height.
 */
struct PixelRect {
    int x = 0;
    int y = 0;
    int w = 0;
    int h = 0;

    bool isEmpty() const { return w <= 0 || h <= 0; }
    int right() const { return x + w; } ///< one past the last column
    int bottom() const { return y + h; } ///< one past the last row
    std::int64_t area() const { return isEmpty() ? 0 : std::int64_t(w) * h; }
    bool contains(int px, int py) const { return px >= x && py >= y && px < right() && py < bottom(); }
    bool intersects(const PixelRect &o) const { return !intersected(o).isEmpty(); }
    /// The common part (empty when they do not overlap).
    PixelRect intersected(const PixelRect &o) const;
    /// This rectangle moved by @p dx, @p dy.
    PixelRect translated(int dx, int dy) const { return {x + dx, y + dy, w, h}; }
    bool operator==(const PixelRect &) const = default;
};

/// The parts of @p a not covered by @p b: up to four disjoint rectangles.
std::vector<PixelRect> subtractRect(const PixelRect &a, const PixelRect &b);

/**
 * @brief A plain framebuffer: width x height pixels of 0x00RRGGBB, with the few drawing
 * primitives an X server needs for the drawing of the C2 model (thin lines, filled
 * rectangles, image text in a 7x13 bitmap font, area copies).
 *
 * Everything is clipped to the buffer. No QtGui: the model runs headless, and the same
 * pixels are what the pixel protocols encode.
 */
class Framebuffer {
public:
    Framebuffer() = default;
    /// @brief A @p width x @p height buffer filled with @p colour (sizes clamped to 0..8192).
    Framebuffer(int width, int height, std::uint32_t colour = 0);

    int width() const { return m_width; }
    int height() const { return m_height; }
    PixelRect bounds() const { return {0, 0, m_width, m_height}; }
    const std::vector<std::uint32_t> &pixels() const { return m_pixels; }

    /// @brief The pixel at @p x, @p y (0 outside the buffer).
    std::uint32_t pixel(int x, int y) const
    {
        return x >= 0 && y >= 0 && x < m_width && y < m_height ? m_pixels[std::size_t(y) * m_width + x] : 0;
    }
    /// @brief Sets one pixel; ignored outside the buffer.
    void setPixel(int x, int y, std::uint32_t colour)
    {
        if (x >= 0 && y >= 0 && x < m_width && y < m_height)
            m_pixels[std::size_t(y) * m_width + x] = colour;
    }

    /// @brief Fills @p r (clipped) with @p colour.
    void fillRect(const PixelRect &r, std::uint32_t colour);
    /// @brief A zero-width line from (x0, y0) to (x1, y1), both ends drawn (Bresenham).
    void drawLine(int x0, int y0, int x1, int y1, std::uint32_t colour);
    /**
     * @brief Image text as X's ImageText8 draws it: each character cell (7 x 13) is filled
     * with @p background, then the glyph drawn in @p foreground. @p baselineY is the baseline.
     */
    void drawImageText(
        int x, int baselineY, const std::string &text, std::uint32_t foreground, std::uint32_t background);
    /// @brief Copies @p src (clipped) to (dstX, dstY) inside this buffer; overlapping areas are handled.
    void copyArea(const PixelRect &src, int dstX, int dstY);
    /// @brief Copies all of @p source to (dstX, dstY) of this buffer (clipped).
    void blit(const Framebuffer &source, int dstX, int dstY);

    bool operator==(const Framebuffer &o) const
    {
        return m_width == o.m_width && m_height == o.m_height && m_pixels == o.m_pixels;
    }

private:
    int m_width = 0;
    int m_height = 0;
    std::vector<std::uint32_t> m_pixels;
};

} // namespace proclab
