#pragma once

#include "cachelevelinfo.h"

#include <QString>

#include <functional>
#include <random>
#include <vector>

namespace proclab {

/**
 * @brief One point of the indirect-cost sweep.
 */
struct IndirectPoint {
    qint64 workingSetBytes = 0;
    double warmWalkNs = 0; ///< median walk time with no switch in between
    double afterSwitchWalkNs = 0; ///< median time of the first walk after a switch
    double indirectNs = 0; ///< afterSwitchWalkNs - warmWalkNs
    int repetitions = 0;
};

/**
 * @brief The indirect cost of a switch: the time a thread loses refilling the cache
 * after another thread on the same CPU walked its own working set.
 *
 * Each working set is a random single cycle of 64-byte lines (a dependent pointer
 * chase the prefetchers cannot guess). Per repetition: a warm walk, timed; a
 * hand-off to the partner thread (pinned to the same CPU), which walks its own set;
 * then the first walk after the switch, timed. The partner thread of a point is
 * joined before point() returns.
 */
class IndirectMeasurement {
public:
    /// The automatic sweep stops here: walks of tens of MiB take seconds on a slow VM.
    static constexpr qint64 kAutoMaxBytes = qint64(4) << 20;

    std::function<bool()> keepGoing = [] { return true; }; ///< false when the run should stop
    int cpu = 0; ///< both walkers run on this CPU

    /// @brief One point: @p reps repetitions with working sets of @p bytes each.
    IndirectPoint point(qint64 bytes, int reps, std::mt19937_64 &rng, QString *error);

    /**
     * @brief The working-set sizes of a sweep up to @p maxBytes: powers of two from 4 KiB
     * and the midpoints between them (4, 6, 8, 12, ... KiB); a single size of at least
     * 128 bytes when @p maxBytes is below 4 KiB.
     */
    static std::vector<qint64> sweepSizes(qint64 maxBytes);
    /**
     * @brief The automatic largest working set: 4x the last-level cache, at most
     * kAutoMaxBytes (also when no cache size is known).
     * @param note set when the cap cut the sweep short of 4x the last-level cache
     */
    static qint64 automaticMaxBytes(const std::vector<CacheLevelInfo> &caches, QString *note);
    /// @brief Repetitions when none are asked for: many for small sets, 5 for the largest.
    static int automaticRepetitions(qint64 bytes);
};

} // namespace proclab
