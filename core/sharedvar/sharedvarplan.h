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
    /// Per process: shared_x when its threads start. Fork: the parent's value, copied. Spawn:
    /// the program initialised again in the child (a random initial value drawn anew).
    std::vector<qint64> childInitial;
    bool spawn = false; ///< children start as fresh programs (SharedVarConfig::Start::Spawn)
    std::vector<std::vector<std::int64_t>> sleepsNs; ///< per process, per thread

    /**
     * @brief The plan of @p config: the initial value (when random) first, then the sleeps
     * process by process, each from 5% to 100% of the longest sleep, so that wake-ups are far
     * enough apart to see on the timeline. A spawned child's random initial value comes from
     * a generator of its own, seeded from the seed and its index, as a fresh program's would.
     */
    static SharedVarPlan fromConfig(const SharedVarConfig &config);
};

} // namespace proclab
