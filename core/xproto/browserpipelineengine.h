#pragma once

#include "browserpipeline.h"

#include "engine/engine.h"

#include <optional>

namespace proclab {

/**
 * @brief What the C3 view draws: the current frame and whether the browser is thin.
 */
struct BrowserPipelineSnapshot : Snapshot {
    int frameIndex = -1;
    int frameCount = 0;
    BrowserFrame frame;
    bool thin = false;
};

/**
 * @brief The browserpipeline engine's parameters.
 */
struct BrowserPipelineConfig {
    BrowserPipeline::Client client = BrowserPipeline::Client::Browser;
    BrowserPipeline::Change change = BrowserPipeline::Change::None;

    /// @brief Converts validated parameter values.
    static std::optional<BrowserPipelineConfig> fromParams(const ParamValues &values, QString *error);
};

/**
 * @brief C3 as a steppable diagram: a page through the browser's pipeline, then a change
 * that makes some stages run again; as a browser on the device or as a thin client.
 */
class BrowserPipelineEngine : public ConfiguredEngine<BrowserPipelineConfig> {
public:
    static constexpr QLatin1String kId {"browserpipeline"};
    static constexpr QLatin1String kDiagramView {"browserpipeline.diagram"};

    BrowserPipelineEngine();
    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;

protected:
    void run() override;
};

} // namespace proclab
