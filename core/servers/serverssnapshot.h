#pragma once

#include "net/httpserver.h"
#include "net/serversweep.h"

#include "engine/engine.h"

#include <cstdint>
#include <vector>

namespace proclab {

/**
 * @brief The servers engine's state: the design under load now, what its connections and
 * workers are doing (for the dispatcher/worker picture), the throughput of this point over
 * time, and every point measured so far.
 */
struct ServersSnapshot : Snapshot {
    ServerDesign design = ServerDesign::Fsm; ///< the design under load now (or last)
    int clients = 0; ///< concurrent clients of the point under way
    int poolWorkers = 0;
    std::int64_t diskMs = 0;
    std::int64_t cpuUs = 0;
    bool keepAlive = true;
    std::uint16_t port = 0; ///< where the server under load listens (0 between points)
    ServerActivity activity; ///< phases now; the pool's queue and workers
    ServerStats stats; ///< the server's counters now
    std::vector<double> timelineS; ///< seconds since the point started
    std::vector<double> timelineRps; ///< responses per second over the last sampling interval
    std::vector<ServerDesign> designs; ///< the designs this run measures, in order
    std::vector<int> levels; ///< the client counts this run measures
    std::vector<SweepPoint> points; ///< measured points, in the order measured
    std::vector<double> modelBoundRps; ///< model bound of each point (0 = no bound), as points
};

} // namespace proclab
