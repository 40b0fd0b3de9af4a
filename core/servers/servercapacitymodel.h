#pragma once

#include "net/httpserver.h"

#include <QString>

#include <cstdint>

namespace proclab {

/**
 * @brief The slides' comparison of server organisations as a row of a table: can requests
 * run in parallel, and does a request's wait block the thread that serves it?
 */
struct DesignTraits {
    QString parallelism; ///< "no", "yes (a thread each)", ...
    QString blockingCalls; ///< "yes" or "no (a timer)"
};

/// @brief The traits of @p design (the three-row table of the slides, extended to five designs).
DesignTraits designTraits(ServerDesign design);

/**
 * @brief A model of the most requests per second a design can serve: how many requests it
 * can have under way at once, divided by the time each takes.
 *
 * Each request costs cpuUs of CPU and a diskMs wait. A design with k requests under way
 * serves at most k / (disk + cpu) per second; the CPU work also needs a core, so at most
 * cores / cpu per second (one core for the single-threaded fsm, whose waits are timers but
 * whose CPU work runs on its one thread). The iterative design has one request under way,
 * the pool its workers, thread, process and fsm one per client.
 * Ignores the network and the designs' own costs: it is a bound, labelled "model".
 */
class ServerCapacityModel {
public:
    ServerCapacityModel(std::int64_t diskMs, std::int64_t cpuUs, int cores);

    /// @brief Requests under way at once with @p clients clients and @p poolWorkers workers.
    static int concurrency(ServerDesign design, int clients, int poolWorkers);

    /// @brief The bound in requests per second, or 0 when the request costs nothing the model
    /// counts (disk_ms and cpu_us both 0: then only the designs' own overhead limits them).
    double boundRps(ServerDesign design, int clients, int poolWorkers) const;

private:
    std::int64_t m_diskMs;
    std::int64_t m_cpuUs;
    int m_cores;
};

} // namespace proclab
