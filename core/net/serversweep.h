#pragma once

#include "httpserver.h"
#include "loadgenerator.h"

#include <QString>

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace proclab {

/**
 * @brief The same workload over several designs and concurrency levels.
 */
struct SweepConfig {
    std::vector<ServerDesign> designs = allServerDesigns();
    std::vector<int> clientLevels = {1, 10, 100};
    ServerConfig server; ///< the workload (handler) and limits; the design and port are set per point
    LoadConfig load; ///< per point: keep-alive, rate, requests, seconds; clients and port set per point
};

/**
 * @brief One point of a sweep: a design at one concurrency level (plain numbers, for charts).
 */
struct SweepPoint {
    ServerDesign design = ServerDesign::Fsm;
    int clients = 0;
    double throughputRps = 0;
    double latencyP50Ms = 0;
    double latencyP95Ms = 0;
    double latencyP99Ms = 0;
    double latencyMaxMs = 0;
    std::int64_t ok = 0;
    std::int64_t errors = 0;
    double generatorCpuPercent = 0;
    double generatorBusiestThreadPercent = 0; ///< the busiest generator thread's share of one core
    bool generatorSaturated = false;
    std::int64_t serverInFlightMax = 0; ///< most requests the server handled at once
    std::int64_t serverCapRejections = 0;
    std::int64_t serverWorkersStarted = 0; ///< threads (thread) or processes (process) created
    double elapsedS = 0;
    QString error; ///< the point could not be measured (server or load failed to start)
};

/// @brief Copies what a point keeps of a load run (everything but the server's counters).
void fillPointFromLoad(SweepPoint &point, const LoadResult &load);
/// @brief Copies what a point keeps of a server's counters.
void fillPointFromServer(SweepPoint &point, const ServerStats &stats);

/**
 * @brief Runs every design at every level in turn: a fresh server per point, the
 * load generator against it, the server stopped before the next point.
 *
 * Threading: run() blocks the calling thread; stop() from another thread ends the
 * point under way at once and skips the rest.
 */
class ServerSweep {
public:
    /// @brief Measures every point; @p onPoint (if set) gets each as it is done, on the calling thread.
    std::vector<SweepPoint> run(
        const SweepConfig &config, const std::function<void(const SweepPoint &)> &onPoint = {});
    /// @brief Ends the sweep soon (thread-safe); the points done so far are returned.
    void stop();

private:
    std::mutex m_mutex;
    bool m_stopped = false;
    LoadGenerator *m_load = nullptr; // the point under way
};

} // namespace proclab
