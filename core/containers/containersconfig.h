#pragma once

#include "common/cgroupcpulimit.h"
#include "engine/parameter.h"

#include <QString>

#include <optional>

namespace proclab {

/**
 * @brief The containers engine's parameters, converted once in configure().
 */
struct ContainersConfig {
    bool overlay = true; ///< build an image from layers and write in the container
    bool cgroup = true; ///< limit the container's CPU and measure its share
    QString hostname = QStringLiteral("container1"); ///< the container's own host name
    QString change = QStringLiteral("all"); ///< what the container writes: all, create, append, delete
    double quotaPercent = 25; ///< CPU limit, percent of one CPU
    int periodUs = 100000; ///< enforcement period of the limit
    double burnSeconds = 3; ///< how long the container computes (the limit starts after a third)
    CpuLimitMethod method = CpuLimitMethod::Auto;

    /// @brief Converts validated values; refuses a host name the kernel would not take.
    static std::optional<ContainersConfig> fromParams(const ParamValues &values, QString *error);
    /// @brief Whether @p name is a host name of 1..63 letters, digits and inner hyphens.
    static bool validHostname(const QString &name);
};

} // namespace proclab
