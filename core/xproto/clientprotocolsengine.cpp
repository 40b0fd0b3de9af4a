#include "clientprotocolsengine.h"

namespace proclab {

std::optional<ClientProtocolsConfig> ClientProtocolsConfig::fromParams(const ParamValues &v, QString *)
{
    ClientProtocolsConfig c;
    c.applications = v.value(QStringLiteral("applications")).toInt();
    return c;
}

ClientProtocolsEngine::ClientProtocolsEngine()
    : ConfiguredEngine(EngineInfo {QString(kId),
        QStringLiteral("Application-specific vs middleware protocols"), Provenance::Diagram,
        QStringLiteral("A request followed through both stacks: a protocol of the "
                       "application's own, and one of the middleware."),
        {QStringLiteral("C1")}, {QString(kDiagramView)}})
{
}

ParamSchema ClientProtocolsEngine::schema() const
{
    return ParamSchema {
        ParamSpec::integer(QStringLiteral("applications"), QStringLiteral("Applications"), 3, 1, 6,
            QStringLiteral("applications"),
            QStringLiteral("How many applications share the machines in the last frame.")),
    };
}

std::vector<OutputSpec> ClientProtocolsEngine::outputs() const
{
    return {
        {QStringLiteral("frames"), QStringLiteral("frames"), QStringLiteral("frames of the diagram")},
        {QStringLiteral("applications"), QStringLiteral("applications"),
            QStringLiteral("applications in the last frame")},
        {QStringLiteral("protocols_app_specific"), QStringLiteral("protocols"),
            QStringLiteral("protocols to design and implement without middleware (one per application)")},
        {QStringLiteral("protocols_middleware"), QStringLiteral("protocols"),
            QStringLiteral("protocols with middleware (the one middleware protocol)")},
    };
}

void ClientProtocolsEngine::run()
{
    const ProtocolsDiagram diagram(config().applications);
    auto snap = std::make_shared<ClientProtocolsSnapshot>();
    snap->frameCount = int(diagram.frames().size());
    snap->applications = diagram.applications();
    for (int i = 0; i < snap->frameCount; ++i) {
        if (!checkpoint())
            break;
        snap->frameIndex = i;
        snap->frame = diagram.frames()[std::size_t(i)];
        snap->status = QStringLiteral("frame %1 of %2").arg(i + 1).arg(snap->frameCount);
        snap->progress = double(i + 1) / snap->frameCount;
        publish(std::make_shared<ClientProtocolsSnapshot>(*snap));
        if (!pace(1.5))
            break;
    }
    Result r = makeResult();
    r.summary.insert(QStringLiteral("frames"), snap->frameIndex + 1);
    r.summary.insert(QStringLiteral("applications"), diagram.applications());
    r.summary.insert(QStringLiteral("protocols_app_specific"), diagram.protocolsAppSpecific());
    r.summary.insert(QStringLiteral("protocols_middleware"), diagram.protocolsMiddleware());
    snap->result = r;
    publish(snap);
}

} // namespace proclab
