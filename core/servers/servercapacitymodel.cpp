#include "servercapacitymodel.h"

#include <algorithm>

namespace proclab {

DesignTraits designTraits(ServerDesign design)
{
    switch (design) {
    case ServerDesign::Iterative:
        return {QStringLiteral("no"), QStringLiteral("yes")};
    case ServerDesign::Process:
        return {QStringLiteral("yes (processes)"), QStringLiteral("yes")};
    case ServerDesign::Thread:
        return {QStringLiteral("yes (threads)"), QStringLiteral("yes")};
    case ServerDesign::Pool:
        return {QStringLiteral("yes (workers)"), QStringLiteral("yes")};
    case ServerDesign::Fsm:
        return {QStringLiteral("waits only (one thread)"), QStringLiteral("no (timers)")};
    }
    return {};
}

ServerCapacityModel::ServerCapacityModel(std::int64_t diskMs, std::int64_t cpuUs, int cores)
    : m_diskMs(std::max<std::int64_t>(0, diskMs))
    , m_cpuUs(std::max<std::int64_t>(0, cpuUs))
    , m_cores(std::max(1, cores))
{
}

int ServerCapacityModel::concurrency(ServerDesign design, int clients, int poolWorkers)
{
    switch (design) {
    case ServerDesign::Iterative:
        return 1;
    case ServerDesign::Pool:
        return std::max(1, std::min(clients, poolWorkers));
    case ServerDesign::Process:
    case ServerDesign::Thread:
    case ServerDesign::Fsm:
        return std::max(1, clients);
    }
    return 1;
}

double ServerCapacityModel::boundRps(ServerDesign design, int clients, int poolWorkers) const
{
    const double serviceS = double(m_diskMs) / 1e3 + double(m_cpuUs) / 1e6;
    if (serviceS <= 0)
        return 0;
    const int underWay = concurrency(design, clients, poolWorkers);
    double bound = underWay / serviceS;
    if (m_cpuUs > 0) {
        int cpus = std::min(underWay, m_cores);
        if (design == ServerDesign::Fsm || design == ServerDesign::Iterative)
            cpus = 1;
        bound = std::min(bound, cpus / (double(m_cpuUs) / 1e6));
    }
    return bound;
}

} // namespace proclab
