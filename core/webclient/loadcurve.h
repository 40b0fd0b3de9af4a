#pragma once

#include <cstdint>
#include <vector>

namespace proclab {

/**
 * @brief One point of the load-time-versus-threads curve.
 */
struct LoadPoint {
    int threads = 0;
    double loadMs = 0; ///< median over the repeats, measured
    std::vector<double> samples; ///< every repeat's load time
};

/// @brief Thread counts of a sweep up to @p maxThreads: 1, 2, 4, 8, ... and maxThreads itself.
std::vector<int> sweepCounts(int maxThreads);

/**
 * @brief The page load time against the number of client threads: one point per thread
 * count (the median of its repeats), and what the curve says.
 */
class LoadCurve {
public:
    /// @brief Adds the point for @p threads from the load times of its repeats (at least one).
    const LoadPoint &add(int threads, std::vector<double> loadTimesMs);

    const std::vector<LoadPoint> &points() const { return m_points; }
    bool empty() const { return m_points.empty(); }
    /// The fastest load (median) of any thread count; 0 when empty.
    double bestMs() const;
    /// @brief The fewest threads whose load is within 10% of the best: where more threads stop paying.
    int kneeThreads() const;
    /// @brief The first point's load time over @p point's: the speed-up over the fewest threads (0 if
    /// undefined).
    double speedup(const LoadPoint &point) const;

private:
    std::vector<LoadPoint> m_points;
};

/**
 * @brief Lower bounds of a page load (a model, not a measurement): what latency alone and
 * what the link's bandwidth alone allow.
 */
struct PageLoadModel {
    int resources = 0;
    double latencyMs = 0;
    std::int64_t resourceBytes = 0;
    double bandwidthBytesPerSec = 0; ///< 0: unlimited

    /// @brief The page, then ceil(resources / threads) rounds of one latency each.
    double latencyBoundMs(int threads) const;
    /// @brief Every resource byte across the one shared link at its rate; 0 when unlimited.
    double bandwidthBoundMs() const;
};

} // namespace proclab
