#pragma once

#include "net/httpserver.h"
#include "net/loadgenerator.h"

#include "engine/parameter.h"

#include <QString>

#include <optional>
#include <vector>

namespace proclab {

/**
 * @brief What the servers engine measures: one design, or several side by side.
 */
enum class ServersSweep {
    Off, ///< one design at `clients`
    Designs, ///< every design of `designs` at `clients`
    Concurrency, ///< every design of `designs` at 1, 10, 100, ... up to `clients`
};

/**
 * @brief The servers engine's parameters, converted and cross-checked once.
 */
struct ServersConfig {
    ServerDesign design = ServerDesign::Fsm; ///< the design of a single run
    std::vector<ServerDesign> designs; ///< the designs of a sweep, in the order given
    int clients = 10; ///< concurrent clients of the load generator (closed loop)
    std::int64_t requests = 0; ///< requests per point; 0 = bounded by `seconds` only
    double seconds = 2; ///< time bound per point
    std::int64_t diskMs = 0; ///< blocking "disk" wait per request
    std::int64_t cpuUs = 0; ///< CPU work per request
    bool keepAlive = true; ///< false: a new connection per request
    int poolWorkers = 8; ///< workers of the pool design
    ServersSweep sweep = ServersSweep::Off;

    /// @brief Converts validated parameter values; refuses an unknown name in `designs`.
    static std::optional<ServersConfig> fromParams(const ParamValues &values, QString *error);

    /// @brief The designs measured: `designs` in a sweep, else `design` alone.
    std::vector<ServerDesign> measuredDesigns() const;
    /// @brief The client counts measured: `clients`, or 1, 10, 100, ... and `clients` for a
    /// concurrency sweep.
    std::vector<int> clientLevels() const;
    /// @brief The server of one point (OS-chosen port).
    ServerConfig serverConfig(ServerDesign d) const;
    /// @brief The load of one point against @p port.
    LoadConfig loadConfig(int clientCount, std::uint16_t port) const;

    /// @brief Parses "iterative,thread,fsm" (or "all"); nullopt with a one-line @p error.
    static std::optional<std::vector<ServerDesign>> parseDesigns(const QString &text, QString *error);
};

} // namespace proclab
