#pragma once

#include "latencystats.h"

#include "common/cgroupcpulimit.h"
#include "engine/engine.h"

#include <QString>

#include <vector>

namespace proclab {

/// @brief One phase of the neighbour run: the service alone or beside one tenant.
struct NeighbourPhase {
    enum class State { Pending, Running, Done, Skipped };
    QString id; ///< "alone", "cpu", "cache", "limited"
    QString tenant; ///< "" (none), "cpu" or "cache"
    State state = State::Pending;
    QString why; ///< Skipped: what the OS refused; limited and Done: how the limit was made
    std::vector<double> atS; ///< when each request was sent (seconds into the phase)
    std::vector<double> latencyUs; ///< each request's latency, in order
    std::vector<double> serviceUs; ///< each request's service time, in order
    LatencyStats latency;
    LatencyStats service;
    double tenantCpuPercent = -1; ///< the tenant's CPU time / wall time over the phase (-1: no tenant)
    QString limitMethod; ///< cpuLimitMethodId() for the limited phase
    QString limitPath;
    CpuThrottleStat throttle;
};

/**
 * @brief The neighbour run so far: per phase the latency of every request and its summary.
 */
struct NeighbourSnapshot : Snapshot {
    std::vector<NeighbourPhase> phases;
    int current = -1; ///< the phase running now
    int serviceCpu = -1; ///< the CPU the service is pinned to
    int tenantCpu = -1; ///< the CPU the tenants are pinned to
    int allowedCpus = 0; ///< CPUs this process may use
    bool sameCore = true;
    int intervalUs = 0;
    qint64 workingSetBytes = 0;
    qint64 cacheBytes = 0;
    double quotaPercent = 0;
    int periodUs = 0;
};

} // namespace proclab
