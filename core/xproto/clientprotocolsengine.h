#pragma once

#include "protocolsdiagram.h"

#include "engine/engine.h"

#include <optional>

namespace proclab {

/**
 * @brief What the C1 view draws: the current frame of the diagram.
 */
struct ClientProtocolsSnapshot : Snapshot {
    int frameIndex = -1;
    int frameCount = 0;
    ProtocolsFrame frame;
    int applications = 1;
};

/**
 * @brief The clientprotocols engine's parameters.
 */
struct ClientProtocolsConfig {
    int applications = 3; ///< applications in the last frame

    /// @brief Converts validated parameter values.
    static std::optional<ClientProtocolsConfig> fromParams(const ParamValues &values, QString *error);
};

/**
 * @brief C1 as a steppable diagram: application-specific vs application-independent
 * (middleware) protocols, one checkpoint per frame.
 */
class ClientProtocolsEngine : public ConfiguredEngine<ClientProtocolsConfig> {
public:
    static constexpr QLatin1String kId {"clientprotocols"};
    static constexpr QLatin1String kDiagramView {"clientprotocols.diagram"};

    ClientProtocolsEngine();
    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;

protected:
    void run() override;
};

} // namespace proclab
