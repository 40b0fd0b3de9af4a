#pragma once

#include "framebuffer.h"

#include <vector>

namespace proclab {

/**
 * @brief Finds what changed between two frames, as a VNC server that polls the screen does:
 * it compares tiles and sends the changed ones, merged into rectangles.
 *
 * Changed tiles are merged along each tile row into runs, and a run is merged with the one
 * just above it when both span the same columns. Rectangles are clipped to the screen.
 */
class DamageTracker {
public:
    /// @brief The changed rectangles between @p before and @p after (same size), tiles of @p tile pixels.
    static std::vector<PixelRect> changedRects(
        const Framebuffer &before, const Framebuffer &after, int tile = 16);
};

} // namespace proclab
