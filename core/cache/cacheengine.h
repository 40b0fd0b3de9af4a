#pragma once

#include "cachemodel.h"

#include "engine/engine.h"

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
    std::uint64_t block = 0;   ///< block address (byte address / line size)
    Event event = Event::None; ///< what the current access did to this line
};

/**
 * @brief One frame of the cache model: the grid, the current access and running counts.
 */
struct CacheSnapshot : Snapshot {
    CacheGeometry geometry;
    bool hasGrid = false;             ///< false when the cache is too large to draw line by line
    std::vector<CacheLineView> lines; ///< sets x ways, index = set * ways + way
    QStringList ownerNames;           ///< "A", "B" for the scenario; "p0", "p1" for traces
    bool scenario = false;            ///< the built-in scenario (blocks are named A, B, C, ...)
    std::vector<std::uint64_t> blockBase; ///< scenario: per owner, the block number named "A"

    qint64 accessIndex = -1;          ///< 0-based index of the access just simulated
    DinRecord current;
    AccessOutcome outcome;
    QString currentLabel;             ///< "A reads block D" (scenario) or "read 0x1f40"
    QString phase;                    ///< "(a) A runs", "(b) switched to B", "(c) back in A"
    int phaseIndex = 0;

    CacheCounters totals;
    std::vector<CacheCounters> perOwner; ///< one per owner that appeared
    std::vector<double> hitRateX;        ///< access number
    std::vector<double> hitRateY;        ///< running hit rate (%) after that access
    qint64 refillMisses = 0;             ///< scenario: A's misses after switching back
};

/**
 * @brief T5 model: a set-associative cache (LRU/FIFO/random, write-back,
 * write-allocate) replaying the slides' context-switch scenario or a din trace.
 *
 * Scenario: (a) process A walks its working set and fills the cache; (b) after
 * a switch, process B walks its own blocks and evicts part of A's; (c) back in
 * A, accessing block D misses: the refill cost of the switch. Traces in the
 * classic din format ("label address" per line, optional third column: the
 * process 0..15) replay at full speed from the command line.
 *
 * Pacing: at speed > 0 every access is one checkpoint and one published frame,
 * paced with pace(), so the grid animates and stepOnce() steps one access. At
 * speed 0 the model runs flat out and publishes a few frames per second.
 */
class CacheEngine : public Engine {
public:
    /// Engine id (the CLI and lesson files name it).
    static constexpr QLatin1String kId{"cache"};
    static constexpr QLatin1String kGridView{"cache.grid"}; ///< view id

    CacheEngine();
    ParamSchema schema() const override;

protected:
    void run() override;
};

/// The name of block @p index of a scenario working set: A, B, ..., Z, AA, AB, ...
QString cacheBlockName(std::uint64_t index);

} // namespace proclab
