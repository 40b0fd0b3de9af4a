#pragma once

#include "cacheconfig.h"
#include "cachesnapshot.h"

#include "engine/engine.h"

#include <vector>

namespace proclab {

class CacheReplay;

/**
 * @brief T5 model: a set-associative cache (LRU/FIFO/random, write-back,
 * write-allocate) replaying the slides' context-switch scenario or a din trace.
 *
 * Scenario (CacheScenario): (a) process A walks its working set and fills the
 * cache; (b) after a switch, process B walks its own blocks and evicts part of
 * A's; (c) back in A, accessing block D misses: the refill cost of the switch.
 * Traces in the classic din format ("label address" per line, optional third
 * column: the process 0..15) replay at full speed from the command line.
 *
 * The model and its running counts are a CacheReplay; run() feeds it records and
 * publishes frames. Pacing: at speed > 0 every access is one checkpoint and one
 * published frame, paced with pace(), so the grid animates and stepOnce() steps
 * one access. At speed 0 the model runs flat out and publishes a few frames per
 * second.
 */
class CacheEngine : public ConfiguredEngine<CacheConfig> {
public:
    /// Engine id (the CLI and lesson files name it).
    static constexpr QLatin1String kId {"cache"};
    static constexpr QLatin1String kGridView {"cache.grid"}; ///< view id

    CacheEngine();
    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;

protected:
    void run() override;

private:
    /// The result of a replay of @p records records that took @p elapsedS seconds.
    Result buildResult(const CacheReplay &replay, std::uint64_t records, qint64 traceLines, double elapsedS,
        const QString &error) const;
};

} // namespace proclab
