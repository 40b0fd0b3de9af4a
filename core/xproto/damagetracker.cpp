#include "damagetracker.h"

#include <algorithm>

namespace proclab {

std::vector<PixelRect> DamageTracker::changedRects(
    const Framebuffer &before, const Framebuffer &after, int tile)
{
    std::vector<PixelRect> done;
    if (before.width() != after.width() || before.height() != after.height()) {
        if (!after.bounds().isEmpty())
            done.push_back(after.bounds());
        return done;
    }
    tile = std::max(1, tile);
    const int w = after.width(), h = after.height();
    const auto &a = before.pixels();
    const auto &b = after.pixels();
    const auto tileChanged = [&](int tx, int ty) {
        const PixelRect t = PixelRect {tx * tile, ty * tile, tile, tile}.intersected(after.bounds());
        for (int y = t.y; y < t.bottom(); ++y) {
            const std::size_t row = std::size_t(y) * std::size_t(w);
            if (!std::equal(a.begin() + std::ptrdiff_t(row + t.x),
                    a.begin() + std::ptrdiff_t(row + t.right()), b.begin() + std::ptrdiff_t(row + t.x)))
                return true;
        }
        return false;
    };
    const int tilesX = (w + tile - 1) / tile, tilesY = (h + tile - 1) / tile;
    std::vector<PixelRect> open; // runs of the previous tile row, still growing downwards
    for (int ty = 0; ty < tilesY; ++ty) {
        std::vector<PixelRect> runs;
        for (int tx = 0; tx < tilesX; ++tx) {
            if (!tileChanged(tx, ty))
                continue;
            if (!runs.empty() && runs.back().right() == tx * tile)
                runs.back().w += tile;
            else
                runs.push_back({tx * tile, ty * tile, tile, tile});
        }
        std::vector<PixelRect> next;
        for (PixelRect run : runs) {
            const auto above = std::find_if(open.begin(), open.end(),
                [&](const PixelRect &o) { return o.x == run.x && o.w == run.w && o.bottom() == run.y; });
            if (above != open.end()) {
                run = {above->x, above->y, above->w, above->h + run.h};
                open.erase(above);
            }
            next.push_back(run);
        }
        done.insert(done.end(), open.begin(), open.end());
        open = std::move(next);
    }
    done.insert(done.end(), open.begin(), open.end());
    for (PixelRect &r : done)
        r = r.intersected(after.bounds());
    return done;
}

} // namespace proclab
