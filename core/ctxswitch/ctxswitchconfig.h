#pragma once

#include "engine/parameter.h"

#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

namespace proclab {

/**
 * @brief The ctxswitch engine's parameters, converted once in configure().
 */
struct CtxSwitchConfig {
    bool measureSwitches = true; ///< parts "all" or "switch": switch and system-call cost
    bool measureCreation = true; ///< parts "all" or "create": thread, fork and spawn cost
    bool measureIndirect = true; ///< parts "all" or "indirect": cache cost vs working set
    int roundTrips = 3000; ///< timed round trips per switch variant
    bool pipe = true; ///< mechanism "pipe" or "both"
    bool futex = true; ///< mechanism "futex" or "both"
    bool sameCpu = true; ///< placement "same_cpu": both sides pinned to one CPU
    int creations = 50; ///< samples of each create + destroy
    qint64 forkTouchBytes = qint64(256) << 20; ///< largest memory touched before a fork (0 = skip)
    int forkTouchSamples = 5; ///< forks per touched size
    qint64 indirectMaxBytes = 0; ///< largest working set of the sweep (0 = automatic)
    int indirectRepetitions = 0; ///< walks per working set (0 = automatic)
    std::uint64_t seed = 1; ///< seed of the random pointer chase

    /// @brief The memory sizes fork is timed after touching: 64 MiB when below
    /// forkTouchBytes, then forkTouchBytes (none when it is 0).
    std::vector<qint64> forkTouchSizes() const;

    /**
     * @brief The configuration of validated parameter values.
     * @return nullopt with a one-line @p error naming the parameter when a choice is unknown
     */
    static std::optional<CtxSwitchConfig> fromParams(const ParamValues &values, QString *error);
};

} // namespace proclab
