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
    /// The difference the walks' spread allows, lowest: after-switch p25 - warm p75.
    double spreadLowNs = 0;
    /// The difference the walks' spread allows, highest: after-switch p75 - warm p25.
    double spreadHighNs = 0;
    int repetitions = 0;

    /**
     * @brief Whether the difference is below the noise: the middle halves (p25 to p75) of
     * the warm walks and of the walks after a switch overlap, so the difference of their
     * medians, whatever its sign, is within the spread of the walks themselves.
     */
    bool belowNoise() const { return spreadLowNs <= 0 && spreadHighNs >= 0; }
    /// @brief The point of working set @p bytes from the timed walks (medians, difference, spread).
    static IndirectPoint fromWalks(
        qint64 bytes, const std::vector<double> &warmNs, const std::vector<double> &afterNs);
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
    /// The automatic sweep never goes past this: a walk of 128 MiB takes about a second.
    static constexpr qint64 kAutoMaxBytes = qint64(128) << 20;
    /// The automatic sweep's end when the OS reports no cache sizes.
    static constexpr qint64 kUnknownCacheMaxBytes = qint64(64) << 20;

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
     * @brief The automatic largest working set: twice the last-level cache, so that the
     * sweep passes every cache level, at most kAutoMaxBytes (kUnknownCacheMaxBytes when no
     * cache size is known).
     * @param note set to the last-level cache size found and where the sweep ends
     */
    static qint64 automaticMaxBytes(const std::vector<CacheLevelInfo> &caches, QString *note);
    /// @brief The largest cache the OS reports (0 when none).
    static qint64 lastLevelBytes(const std::vector<CacheLevelInfo> &caches);
    /**
     * @brief Where a peak of the indirect cost lies: 0 for a tiny working set (at most half
     * the smallest cache), 2 for one past every cache (the sweep's last size, beyond the
     * last-level cache), 1 in between (near a cache level). -1 when no cache size is known.
     */
    static int peakRegion(
        qint64 peakBytes, qint64 largestSweptBytes, const std::vector<CacheLevelInfo> &caches);
    /// @brief Repetitions when none are asked for: many for small sets, 5 for the largest.
    static int automaticRepetitions(qint64 bytes);
};

} // namespace proclab
