#include "browserpipelineengine.h"

namespace proclab {

std::optional<BrowserPipelineConfig> BrowserPipelineConfig::fromParams(const ParamValues &v, QString *error)
{
    BrowserPipelineConfig c;
    const auto client = BrowserPipeline::clientFromId(v.value(QStringLiteral("client")).toString());
    const auto change = BrowserPipeline::changeFromId(v.value(QStringLiteral("change")).toString());
    if (!client || !change) {
        if (error)
            *error = QStringLiteral("unknown client or change");
        return std::nullopt;
    }
    c.client = *client;
    c.change = *change;
    return c;
}

BrowserPipelineEngine::BrowserPipelineEngine()
    : ConfiguredEngine(EngineInfo {QString(kId), QStringLiteral("The browser's pipeline and thin clients"),
        Provenance::Diagram,
        QStringLiteral("A page through loading, parsing, styling, layout, painting and "
                       "compositing, then a change; on the device or as a thin client."),
        {QStringLiteral("C3")}, {QString(kDiagramView)}})
{
}

ParamSchema BrowserPipelineEngine::schema() const
{
    return ParamSchema {
        ParamSpec::choice(QStringLiteral("client"), QStringLiteral("Client"), QStringLiteral("browser"),
            {QStringLiteral("browser"), QStringLiteral("thin")},
            QStringLiteral("browser: the pipeline runs on the user's device; thin: it runs on a "
                           "server and the device shows pixels.")),
        ParamSpec::choice(QStringLiteral("change"), QStringLiteral("Change after loading"),
            QStringLiteral("colour"),
            {QStringLiteral("none"), QStringLiteral("text"), QStringLiteral("colour"),
                QStringLiteral("scroll")},
            QStringLiteral("What happens once the page is shown: a script changes text or a "
                           "colour, or the user scrolls.")),
    };
}

std::vector<OutputSpec> BrowserPipelineEngine::outputs() const
{
    return {
        {QStringLiteral("frames"), QStringLiteral("frames"), QStringLiteral("frames of the diagram")},
        {QStringLiteral("stages_rerun"), QStringLiteral("stages"),
            QStringLiteral(
                "of styling, layout, painting and compositing, how many run again for the change")},
        {QStringLiteral("layout_rerun"), QString(), QStringLiteral("1 when the change needs a new layout")},
        {QStringLiteral("stages_on_client"), QStringLiteral("stages"),
            QStringLiteral("pipeline stages that run on the user's device")},
        {QStringLiteral("network_messages_change"), QStringLiteral("messages"),
            QStringLiteral("messages that cross the network because of the change")},
    };
}

void BrowserPipelineEngine::run()
{
    const BrowserPipeline pipeline(config().client, config().change);
    auto snap = std::make_shared<BrowserPipelineSnapshot>();
    snap->frameCount = int(pipeline.frames().size());
    snap->thin = config().client == BrowserPipeline::Client::Thin;
    for (int i = 0; i < snap->frameCount; ++i) {
        if (!checkpoint())
            break;
        snap->frameIndex = i;
        snap->frame = pipeline.frames()[std::size_t(i)];
        snap->status = QStringLiteral("frame %1 of %2").arg(i + 1).arg(snap->frameCount);
        snap->progress = double(i + 1) / snap->frameCount;
        publish(std::make_shared<BrowserPipelineSnapshot>(*snap));
        if (!pace(1.2))
            break;
    }
    Result r = makeResult();
    r.summary.insert(QStringLiteral("frames"), snap->frameIndex + 1);
    r.summary.insert(QStringLiteral("stages_rerun"), pipeline.stagesRerun());
    r.summary.insert(QStringLiteral("layout_rerun"), pipeline.layoutRerun() ? 1 : 0);
    r.summary.insert(QStringLiteral("stages_on_client"), pipeline.stagesOnClient());
    r.summary.insert(QStringLiteral("network_messages_change"), pipeline.networkMessagesForChange());
    snap->result = r;
    publish(snap);
}

} // namespace proclab
