#pragma once

#include "cloudlayersmodel.h"

#include "engine/engine.h"

#include <optional>

namespace proclab {

/**
 * @brief The cloudlayers engine's parameters.
 */
struct CloudLayersConfig {
    int only = -1; ///< one offering to show (CloudLayersModel::Offering), -1 for all in turn

    static std::optional<CloudLayersConfig> fromParams(const ParamValues &values, QString *error);
};

/// @brief One frame of the cloud diagram.
struct CloudLayersSnapshot : Snapshot {
    int frame = -1;
    int frames = 0;
    int offering = -1; ///< the offering this frame explains (-1: none)
    bool sharedMachine = false; ///< the frame that puts two customers' VMs on one machine
    std::vector<int> shown; ///< offerings uncovered so far
    QString caption;
};

/**
 * @brief V9 as a steppable diagram: the layers of a computing stack and who manages each one,
 * on premises and in IaaS, PaaS and SaaS; last, two IaaS customers on one physical machine
 * (isolated, but not in performance: the neighbour engine measures that).
 */
class CloudLayersEngine : public ConfiguredEngine<CloudLayersConfig> {
public:
    static constexpr QLatin1String kId {"cloudlayers"}; ///< engine id
    static constexpr QLatin1String kLayersView {"cloudlayers.stack"}; ///< the stacks side by side

    CloudLayersEngine();
    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;

protected:
    void run() override;

private:
    Result buildResult(int framesShown) const;
};

} // namespace proclab
