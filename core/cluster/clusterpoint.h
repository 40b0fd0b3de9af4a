#pragma once

#include "dispatchmode.h"
#include "firsttier.h"

#include <QString>

#include <cstdint>
#include <vector>

namespace proclab {

/**
 * @brief One measured configuration of the cluster: a dispatch mode and a number of back ends.
 */
struct ClusterPointConfig {
    DispatchMode mode = DispatchMode::Relay;
    int backends = 1;
    int clients = 16; ///< closed-loop client threads
    std::int64_t maxRequests = 100000; ///< requests at most
    double durationMs = 1000; ///< and no request starts after this
    std::int64_t responseBytes = 256 * 1024;
    int serviceUs = 500; ///< per request, one at a time per back end
    int idleTimeoutMs = 5000; ///< servers close connections idle this long
};

/**
 * @brief What one configuration measured: throughput and the first tier's bytes and CPU.
 */
struct ClusterPoint {
    DispatchMode mode = DispatchMode::Relay;
    int backends = 1;
    std::int64_t completed = 0; ///< correct responses the clients received
    std::int64_t errors = 0; ///< failed requests
    double seconds = 0; ///< from the load's start to its last response
    double throughputRps = 0; ///< completed / seconds
    FirstTierCounters tier; ///< the first tier's byte and request counters
    std::int64_t firstTierCpuNs = 0; ///< CPU time of the first tier's thread during the load
    double firstTierCpuPercent = 0; ///< of one core, during the load
    std::int64_t clientBytes = 0; ///< response bytes the clients received
    std::vector<std::int64_t> perBackend; ///< responses by the back end that wrote them (X-Backend)
    double latencyMedianUs = 0; ///< per request, connect to last byte, as the client saw it
    double latencyP10Us = 0;
    double latencyP90Us = 0;
    QString firstError; ///< the first failed request, if any

    /// Every byte that passed through the first tier.
    std::int64_t firstTierBytes() const { return tier.totalBytes(); }
    /// First-tier bytes per completed request (0 when none completed).
    double firstTierBytesPerRequest() const
    {
        return completed > 0 ? double(tier.totalBytes()) / double(completed) : 0.0;
    }
};

} // namespace proclab
