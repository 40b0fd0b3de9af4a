#pragma once

#include "dispatchmode.h"

#include "engine/parameter.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace proclab {

/**
 * @brief The cluster engine's parameters, converted once.
 */
struct ClusterConfig {
    std::vector<DispatchMode> modes {DispatchMode::Relay, DispatchMode::Handoff}; ///< measured in this order
    int backends = 4; ///< back ends of the last (largest) configuration
    bool sweep = true; ///< also measure 1, 2, 4, ... back ends below `backends`
    int clients = 16; ///< closed-loop client threads
    std::int64_t requests = 100000; ///< at most, per configuration
    double seconds = 1.0; ///< per configuration
    std::int64_t responseBytes = 256 * 1024;
    int serviceUs = 500;

    /// @brief The back-end counts measured: 1, 2, 4, ... and `backends` itself with a sweep.
    std::vector<int> backendCounts() const;
    /// @brief Whether a single dispatch mode was asked for (the unsuffixed summary keys are its).
    bool singleMode() const { return modes.size() == 1; }

    /// @brief Converts validated parameter values.
    static std::optional<ClusterConfig> fromParams(const ParamValues &values, QString *error);
};

} // namespace proclab
