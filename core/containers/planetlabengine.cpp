#include "planetlabengine.h"

namespace proclab {

namespace {

constexpr double kSecondsPerFrame = 1.5;

} // namespace

std::optional<PlanetLabConfig> PlanetLabConfig::fromParams(const ParamValues &v, QString *error)
{
    PlanetLabConfig c;
    c.nodes = int(v.value(QStringLiteral("nodes")).toLongLong());
    c.otherSlices = int(v.value(QStringLiteral("other_slices")).toLongLong());
    QString why;
    const std::optional<std::vector<int>> nodes
        = PlanetLabModel::parseNodeList(v.value(QStringLiteral("slice_nodes")).toString(), c.nodes, &why);
    if (!nodes) {
        if (error)
            *error = why;
        return std::nullopt;
    }
    c.sliceNodes = *nodes;
    return c;
}

PlanetLabEngine::PlanetLabEngine()
    : ConfiguredEngine(EngineInfo {QString(kId), QStringLiteral("PlanetLab: nodes, vservers and slices"),
        Provenance::Diagram,
        QStringLiteral(
            "Builds PlanetLab step by step: contributed nodes, one Linux-enhanced OS per node, privileged "
            "management vservers, and slices made of one vserver per node; you choose your slice's nodes."),
        {QStringLiteral("V8")}, {QString(kSliceView)}})
{
}

ParamSchema PlanetLabEngine::schema() const
{
    return ParamSchema {
        ParamSpec::integer(QStringLiteral("nodes"), QStringLiteral("Nodes"), 5, 2, 8, QStringLiteral("nodes"),
            QStringLiteral("Machines contributed by organizations.")),
        ParamSpec::text(QStringLiteral("slice_nodes"), QStringLiteral("Your slice's nodes"),
            QStringLiteral("1,3,4"),
            QStringLiteral("The nodes your slice spans, by number: \"1,3,4\" or \"2-5\".")),
        ParamSpec::integer(QStringLiteral("other_slices"), QStringLiteral("Other slices"), 2, 0, 3,
            QStringLiteral("slices"),
            QStringLiteral(
                "Experiments already running: B on every other node from node 1, C on every other node "
                "from node 2, D on the first half of the nodes.")),
    };
}

std::vector<OutputSpec> PlanetLabEngine::outputs() const
{
    const QString v = QStringLiteral("vservers");
    return {
        {QStringLiteral("nodes"), QStringLiteral("nodes"), QStringLiteral("nodes in the picture (model)")},
        {QStringLiteral("slice_vservers"), v,
            QStringLiteral("vservers of your slice A: one per node it spans")},
        {QStringLiteral("slice_nodes"), QString(), QStringLiteral("the nodes of your slice (text)")},
        {QStringLiteral("other_slices"), QStringLiteral("slices"), QStringLiteral("slices already running")},
        {QStringLiteral("user_vservers"), v, QStringLiteral("vservers of all slices together")},
        {QStringLiteral("management_vservers"), v,
            QStringLiteral("privileged management vservers on all nodes")},
        {QStringLiteral("vservers_total"), v, QStringLiteral("every vserver on every node")},
        {QStringLiteral("busiest_node_vservers"), v, QStringLiteral("vservers on the node with the most")},
        {QStringLiteral("frames"), QString(), QStringLiteral("steps the diagram went through")},
    };
}

void PlanetLabEngine::run()
{
    const PlanetLabConfig &cfg = config();
    const PlanetLabModel model(cfg.nodes, cfg.sliceNodes, cfg.otherSlices);
    const std::vector<PlanetLabFrame> frames = model.frames();
    int shown = 0;
    for (std::size_t i = 0; i < frames.size(); ++i) {
        if (!checkpoint())
            break;
        auto snap = std::make_shared<PlanetLabSnapshot>();
        snap->frame = int(i);
        snap->frames = int(frames.size());
        snap->current = frames[i];
        snap->sliceNodes = cfg.sliceNodes;
        snap->progress = double(i + 1) / double(frames.size());
        // The caption is the view's; the status line stays short.
        snap->status = QStringLiteral("step %1 of %2").arg(i + 1).arg(frames.size());
        shown = int(i) + 1;
        if (i + 1 == frames.size())
            snap->result = buildResult(model, shown);
        publish(snap);
        if (i + 1 < frames.size() && !pace(kSecondsPerFrame))
            break;
    }
    if (shown < int(frames.size())) {
        // Stopped early: the last frame shown stays, with the result of the whole model.
        auto snap = std::make_shared<PlanetLabSnapshot>();
        snap->frame = shown - 1;
        snap->frames = int(frames.size());
        if (shown > 0)
            snap->current = frames[std::size_t(shown - 1)];
        snap->sliceNodes = cfg.sliceNodes;
        snap->status = QStringLiteral("stopped at step %1 of %2").arg(shown).arg(frames.size());
        snap->result = buildResult(model, shown);
        publish(snap);
    }
}

Result PlanetLabEngine::buildResult(const PlanetLabModel &model, int framesShown) const
{
    Result result = makeResult();
    const std::vector<PlanetLabNode> nodes = model.finalNodes();
    QStringList slice;
    for (int n : model.yourNodes())
        slice << QString::number(n + 1);
    QJsonObject &s = result.summary;
    s.insert(QStringLiteral("nodes"), model.nodes());
    s.insert(QStringLiteral("slice_vservers"), PlanetLabModel::vserversOf(nodes, QStringLiteral("A")));
    s.insert(QStringLiteral("slice_nodes"), slice.join(QLatin1Char(',')));
    s.insert(QStringLiteral("other_slices"), model.otherSlices());
    s.insert(QStringLiteral("user_vservers"), PlanetLabModel::userVservers(nodes));
    s.insert(QStringLiteral("management_vservers"), PlanetLabModel::managementVservers(nodes));
    s.insert(QStringLiteral("vservers_total"),
        PlanetLabModel::userVservers(nodes) + PlanetLabModel::managementVservers(nodes));
    s.insert(QStringLiteral("busiest_node_vservers"), PlanetLabModel::busiestNodeVservers(nodes));
    s.insert(QStringLiteral("frames"), framesShown);
    result.table.columns
        = {QStringLiteral("node"), QStringLiteral("site"), QStringLiteral("vserver"), QStringLiteral("kind")};
    for (std::size_t n = 0; n < nodes.size(); ++n) {
        for (const PlanetLabVserver &v : nodes[n].vservers) {
            result.table.rows.push_back(
                {int(n + 1), nodes[n].site, v.management ? v.role : QStringLiteral("slice ") + v.slice,
                    v.management ? QStringLiteral("management") : QStringLiteral("slice")});
        }
    }
    return result;
}

} // namespace proclab
