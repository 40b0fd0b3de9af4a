#pragma once

#include "mobileipmodel.h"

#include "engine/engine.h"

#include <optional>

namespace proclab {

/**
 * @brief What the MobileIPv6 diagram draws: the scenario and how far it has been stepped.
 */
struct MobileIpSnapshot : Snapshot {
    MipScenario scenario;
    int shown = 0; ///< messages stepped so far
    /// The whole sentence about the current step; the status stays short (it sits on one line).
    QString narration;
};

/**
 * @brief The MobileIPv6 engine's parameters (cities by index).
 */
struct MobileIpConfig {
    int client1 = 0, client2 = 0, home = 0, server1 = 0, server2 = 0;
    bool routeOptimization = true;

    /// @brief Converts validated parameter values.
    static std::optional<MobileIpConfig> fromParams(const ParamValues &values, QString *error);
};

/**
 * @brief S8 as a steppable diagram: a distributed server behind one IPv6 home address, with
 * and without route optimisation (MobileIpModel), one checkpoint per packet.
 */
class MobileIpEngine : public ConfiguredEngine<MobileIpConfig> {
public:
    /// Engine id (the CLI and lesson files name it).
    static constexpr QLatin1String kId {"mobileipv6"};
    static constexpr QLatin1String kPathsView {"mobileipv6.paths"}; ///< view id
    static constexpr double kSecondsPerMessage = 1.4; ///< playback at speed 1

    MobileIpEngine();
    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;

protected:
    void run() override;

private:
    Result buildResult(const MipScenario &scenario) const;
};

} // namespace proclab
