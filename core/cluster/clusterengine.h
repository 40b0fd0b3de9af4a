#pragma once

#include "clusterconfig.h"
#include "clusterpoint.h"

#include "engine/engine.h"

#include <vector>

namespace proclab {

/**
 * @brief What the cluster view draws: the configurations measured so far and the live one.
 */
struct ClusterSnapshot : Snapshot {
    std::vector<DispatchMode> modes; ///< in the order measured
    std::vector<int> counts; ///< back-end counts measured
    std::vector<ClusterPoint> points; ///< finished configurations
    bool measuring = false; ///< `current` is a configuration being measured
    ClusterPoint current; ///< its numbers so far
    std::int64_t responseBytes = 0; ///< body size of every response
    std::int64_t requestBytes = 0; ///< size of one request
};

/**
 * @brief S7 for real: a cluster on one machine whose first tier relays every byte or hands the
 * client's TCP connection off to a back-end process (SCM_RIGHTS over a Unix socket).
 *
 * For each back-end count (1, 2, 4, ... up to `backends` with a sweep) and each dispatch mode,
 * ClusterMeasurement starts the back ends as helper processes and the first tier, runs a
 * closed-loop load bounded in requests and time, and measures throughput and the first tier's
 * bytes and CPU. A back end that dies ends the run with an error naming it.
 */
class ClusterEngine : public ConfiguredEngine<ClusterConfig> {
public:
    /// Engine id (the CLI and lesson files name it).
    static constexpr QLatin1String kId {"cluster"};
    static constexpr QLatin1String kLoadView {"cluster.firsttier"}; ///< view id

    ClusterEngine();
    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;
    bool supportsStep() const override { return false; }

    /// @brief The three curves per dispatch mode against back ends, ids "<metric>_<mode>" with
    /// metric throughput, bytes_per_request or cpu_percent.
    static std::vector<Series> pointSeries(const std::vector<ClusterPoint> &points);

protected:
    void run() override;

private:
    Result buildResult(const ClusterSnapshot &snapshot) const;
};

} // namespace proclab
