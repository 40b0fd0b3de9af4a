#pragma once

#include "containerreport.h"

#include <vector>

namespace proclab {

/**
 * @brief A process's measured share of one CPU over time, from its own CPU-time samples.
 */
struct CpuShare {
    std::vector<double> timeS; ///< end of each interval, seconds since the start
    std::vector<double> percent; ///< CPU time / wall time of the interval, in percent
    double beforePercent = 0; ///< over the intervals that end before the limit (0 if none)
    double afterPercent = 0; ///< over the intervals that start after the limit has settled (0 if none)
    int afterIntervals = 0; ///< intervals in afterPercent

    /**
     * @brief Computes the shares from @p samples.
     * @param startNs the monotonic time the run started (time 0)
     * @param limitAtS when the limit took effect, in seconds since the start
     * @param settleS intervals starting before limitAtS + settleS are left out of afterPercent
     */
    static CpuShare fromSamples(const std::vector<ContainerCpuSample> &samples, std::int64_t startNs,
        double limitAtS, double settleS);
};

} // namespace proclab
