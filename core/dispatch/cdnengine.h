#pragma once

#include "cdnmodel.h"

#include "engine/engine.h"

#include <optional>

namespace proclab {

/**
 * @brief What the CDN diagram draws: the lookup and how far it has been stepped.
 */
struct CdnSnapshot : Snapshot {
    CdnLookup lookup;
    int shown = 0; ///< messages stepped so far
    /// The whole sentence about the current step; the status stays short (it sits on one line).
    QString narration;
};

/**
 * @brief The CDN engine's parameters.
 */
struct CdnConfig {
    int client = 0; ///< city index
    int resolver = 0; ///< city index
    bool clientSubnet = false;

    /// @brief Converts validated parameter values.
    static std::optional<CdnConfig> fromParams(const ParamValues &values, QString *error);
};

/**
 * @brief S9 as a steppable diagram: a CDN lookup through the regular DNS and the CDN's DNS,
 * then the fetch from the chosen edge (CdnModel), one checkpoint per message.
 */
class CdnEngine : public ConfiguredEngine<CdnConfig> {
public:
    /// Engine id (the CLI and lesson files name it).
    static constexpr QLatin1String kId {"cdn"};
    static constexpr QLatin1String kLookupView {"cdn.lookup"}; ///< view id
    static constexpr double kSecondsPerMessage = 1.6; ///< playback at speed 1

    CdnEngine();
    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;

protected:
    void run() override;

private:
    Result buildResult(const CdnLookup &lookup) const;
};

} // namespace proclab
