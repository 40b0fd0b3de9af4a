#pragma once

#include "backendpool.h"
#include "closedloopload.h"
#include "clusterpoint.h"
#include "firsttier.h"

#include <functional>
#include <memory>

namespace proclab {

/**
 * @brief Measures one cluster configuration for real: back-end processes, the first tier and a
 * closed-loop load, all on 127.0.0.1.
 *
 * setUp() starts the back ends (helper processes) and the first tier; startLoad() starts the
 * clients and takes the first tier's CPU and byte counters as the baseline; once loadDone(),
 * finish() collects the point. tearDown() (also the destructor) stops the clients, the first
 * tier and the back ends, in that order, so nothing outlives the measurement. No thread of its
 * own: the caller polls (the engine between checkpoints, a test in a loop).
 */
class ClusterMeasurement {
public:
    explicit ClusterMeasurement(ClusterPointConfig config);
    ~ClusterMeasurement();
    ClusterMeasurement(const ClusterMeasurement &) = delete;
    ClusterMeasurement &operator=(const ClusterMeasurement &) = delete;

    /// @brief Starts the back ends and the first tier; false with a one-line @p error.
    bool setUp(const std::function<bool()> &cancelled, QString *error);
    void startLoad();
    bool loadDone() const;
    /**
     * @brief A back end that ended or failed during the run, in one line; empty while all is well.
     * Reaps a back end that ended, so call it from the thread that owns the measurement.
     */
    QString failure();
    /// @brief The numbers so far (for a live view); complete after finish().
    ClusterPoint progress() const;
    /// @brief Joins the clients (stopping them if still running) and returns the point.
    ClusterPoint finish();
    void tearDown();

    const ClusterPointConfig &config() const { return m_config; }
    /// @brief The first tier's port (after setUp), for tests that send their own requests.
    std::uint16_t port() const { return m_tier ? m_tier->port() : 0; }
    /// @brief For tests: the back ends.
    BackendPool &backends() { return m_pool; }
    /// @brief For tests: the first tier.
    const FirstTier *firstTier() const { return m_tier.get(); }

private:
    ClusterPoint collect(const LoadTotals &totals, std::int64_t endNs) const;

    ClusterPointConfig m_config;
    BackendPool m_pool;
    std::unique_ptr<FirstTier> m_tier;
    std::unique_ptr<ClosedLoopLoad> m_load;
    std::int64_t m_cpuStartNs = 0;
    FirstTierCounters m_tierStart;
};

} // namespace proclab
