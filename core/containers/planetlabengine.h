#pragma once

#include "planetlabmodel.h"

#include "engine/engine.h"

#include <optional>

namespace proclab {

/**
 * @brief The planetlab engine's parameters, converted and cross-checked once.
 */
struct PlanetLabConfig {
    int nodes = 5;
    std::vector<int> sliceNodes {0, 2, 3}; ///< 0-based nodes of your slice
    int otherSlices = 2;

    /// @brief Refuses a slice that names a node that does not exist.
    static std::optional<PlanetLabConfig> fromParams(const ParamValues &values, QString *error);
};

/// @brief One frame of the PlanetLab diagram.
struct PlanetLabSnapshot : Snapshot {
    int frame = -1; ///< index of the frame shown
    int frames = 0; ///< frames in all
    PlanetLabFrame current;
    std::vector<int> sliceNodes; ///< your slice's nodes (0-based)
};

/**
 * @brief V8 as a steppable diagram: PlanetLab's nodes, their management vservers, and slices
 * made of one vserver per node, your own slice assigned by you (parameter slice_nodes).
 *
 * One checkpoint per frame, pace() between frames, so play, pause, step and speed work as
 * everywhere. The model is PlanetLabModel.
 */
class PlanetLabEngine : public ConfiguredEngine<PlanetLabConfig> {
public:
    static constexpr QLatin1String kId {"planetlab"}; ///< engine id
    static constexpr QLatin1String kSliceView {"planetlab.slices"}; ///< nodes, vservers, slices

    PlanetLabEngine();
    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;

protected:
    void run() override;

private:
    Result buildResult(const PlanetLabModel &model, int framesShown) const;
};

} // namespace proclab
