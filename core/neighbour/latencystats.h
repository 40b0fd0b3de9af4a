#pragma once

#include <vector>

namespace proclab {

/**
 * @brief The summary of a latency distribution: percentiles interpolated between the two
 * nearest ranks (common/stats.h), the maximum and the mean, all in microseconds.
 */
struct LatencyStats {
    int count = 0;
    double minUs = 0;
    double p50Us = 0;
    double p90Us = 0;
    double p99Us = 0;
    double maxUs = 0;
    double meanUs = 0;

    /// @brief The statistics of @p samplesUs (all zero for no samples).
    static LatencyStats of(const std::vector<double> &samplesUs);

    /// @brief The empirical distribution function of @p samplesUs, thinned to at most
    /// @p maxPoints points: x the latency, y the percentage of samples at or below it.
    static void cdf(
        const std::vector<double> &samplesUs, int maxPoints, std::vector<double> *x, std::vector<double> *y);

    /**
     * @brief How much @p grown is above @p base, as a class for choice questions:
     * 0 less than 2 times, 1 from 2 to 10 times, 2 from 10 to 100 times, 3 100 times or more.
     */
    static int growthClass(double base, double grown);
};

} // namespace proclab
