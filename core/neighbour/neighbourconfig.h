#pragma once

#include "common/cgroupcpulimit.h"
#include "engine/parameter.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace proclab {

/**
 * @brief The neighbour engine's parameters, converted once in configure().
 */
struct NeighbourConfig {
    QStringList phases; ///< in order: "alone" first, then "cpu", "cache", "limited" as asked
    int phaseMs = 1500; ///< how long each phase sends requests
    int intervalUs = 1000; ///< one request every this often
    qint64 workingSetBytes = 256 * 1024; ///< what the service walks per request
    bool sameCore = true; ///< the tenant on the service's CPU (else on another one)
    qint64 cacheBytes = 64 * 1024 * 1024; ///< the cache tenant's buffer
    double quotaPercent = 20; ///< the limited tenant's share of one CPU
    int periodUs = 100000; ///< the limit's period
    CpuLimitMethod method = CpuLimitMethod::Auto;

    static std::optional<NeighbourConfig> fromParams(const ParamValues &values, QString *error);
};

} // namespace proclab
