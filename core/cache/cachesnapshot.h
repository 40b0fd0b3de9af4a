#pragma once

#include "cachemodel.h"
#include "dintracereader.h"

#include "engine/engine.h"

#include <QStringList>

#include <cstdint>
#include <vector>

namespace proclab {

/**
 * @brief The state of one cache line as the grid view draws it.
 */
struct CacheLineView {
    enum class Event : std::uint8_t { None, Hit, Fill, FillAfterEvict };
    bool valid = false;
    bool dirty = false;
    std::uint16_t owner = 0;
    std::uint64_t block = 0; ///< block address (byte address / line size)
    Event event = Event::None; ///< what the current access did to this line
};

/**
 * @brief One frame of the cache model: the grid, the current access and running counts.
 */
struct CacheSnapshot : Snapshot {
    CacheGeometry geometry;
    bool hasGrid = false; ///< false when the cache is too large to draw line by line
    std::vector<CacheLineView> lines; ///< sets x ways, index = set * ways + way
    QStringList ownerNames; ///< "A", "B" for the scenario; "p0", "p1" for traces
    bool scenario = false; ///< the built-in scenario (blocks are named A, B, C, ...)
    std::vector<std::uint64_t> blockBase; ///< scenario: per owner, the block number named "A"

    qint64 accessIndex = -1; ///< 0-based index of the access just simulated
    DinRecord current;
    AccessOutcome outcome;
    QString currentLabel; ///< "A reads block D" (scenario) or "read 0x1f40"
    QString phase; ///< "(a) A runs", "(b) switched to B", "(c) back in A"
    int phaseIndex = 0;

    CacheCounters totals;
    std::vector<CacheCounters> perOwner; ///< one per owner that appeared
    /// Running hit rate (%) against the access number (id "hit_rate"), thinned to a few
    /// thousand points; the result carries the same series.
    Series hitRate;
    qint64 refillMisses = 0; ///< scenario: A's misses after switching back
};

} // namespace proclab
