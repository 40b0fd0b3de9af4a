#pragma once

#include <cstdint>

namespace proclab {

/**
 * @brief The 7 x 13 bitmap font the model's X server draws text with (ASCII 32..126).
 *
 * X's core fonts are bitmaps of fixed cells; this one has the cell of the classic "7x13"
 * font. The glyphs were rendered once from DejaVu Sans Mono (Bitstream Vera licence) at
 * 11 px and thresholded; other characters draw as '?'.
 */
class BitmapFont {
public:
    static constexpr int kWidth = 7; ///< cell width in pixels (the advance)
    static constexpr int kHeight = 13; ///< cell height in pixels
    static constexpr int kAscent = 10; ///< rows above the baseline

    /// @brief The 13 rows of @p c, bit 7 of each byte the leftmost column.
    static const std::uint8_t *glyph(char c);
};

} // namespace proclab
