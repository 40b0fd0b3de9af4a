#pragma once

#include "sharedvarconfig.h"

#include <cstdint>
#include <vector>

namespace proclab {

/**
 * @brief What a run will do, drawn from the seed before anything is forked: the initial
 * value of shared_x and every thread's sleep.
 */
struct SharedVarPlan {
    qint64 initial = 0; ///< shared_x in the parent before fork
    std::vector<std::vector<std::int64_t>> sleepsNs; ///< per process, per thread

    /**
     * @brief The plan of @p config: the initial value (when random) first, then the sleeps
     * process by process, each from 5% to 100% of the longest sleep, so that wake-ups are far
     * enough apart to see on the timeline.
     */
    static SharedVarPlan fromConfig(const SharedVarConfig &config);
};

} // namespace proclab
