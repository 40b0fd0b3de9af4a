#include "cloudlayersengine.h"

namespace proclab {

namespace {

constexpr double kSecondsPerFrame = 2.0;

QString captionFor(int offering)
{
    switch (offering) {
    case CloudLayersModel::OnPremises:
        return QStringLiteral(
            "On premises you manage every layer yourself, from the machines up to your data.");
    case CloudLayersModel::IaaS:
        return QStringLiteral(
            "IaaS: instead of a machine you rent a VM. The provider runs the hardware and the VMM; "
            "you manage the operating system and everything above it.");
    case CloudLayersModel::PaaS:
        return QStringLiteral(
            "PaaS: the provider also runs the operating system and the system-level services "
            "(runtime, middleware, databases); you bring your application and its data.");
    default:
        return QStringLiteral(
            "SaaS: the provider runs the application itself; you use it and manage only what you "
            "put in: your data and who may see it.");
    }
}

} // namespace

std::optional<CloudLayersConfig> CloudLayersConfig::fromParams(const ParamValues &v, QString *)
{
    CloudLayersConfig c;
    const QString only = v.value(QStringLiteral("offering")).toString();
    for (int o = 0; o < CloudLayersModel::OfferingCount; ++o) {
        if (only == CloudLayersModel::offeringId(o))
            c.only = o;
    }
    return c;
}

CloudLayersEngine::CloudLayersEngine()
    : ConfiguredEngine(EngineInfo {QString(kId), QStringLiteral("IaaS, PaaS, SaaS: who manages which layer"),
        Provenance::Diagram,
        QStringLiteral(
            "Steps through a computing stack on premises and in the three cloud service models, shading "
            "what the provider manages, then puts two IaaS customers on one physical machine."),
        {QStringLiteral("V9")}, {QString(kLayersView)}})
{
}

ParamSchema CloudLayersEngine::schema() const
{
    QStringList choices {QStringLiteral("all")};
    for (int o = 0; o < CloudLayersModel::OfferingCount; ++o)
        choices << CloudLayersModel::offeringId(o);
    return ParamSchema {
        ParamSpec::choice(QStringLiteral("offering"), QStringLiteral("Service model"), QStringLiteral("all"),
            choices,
            QStringLiteral(
                "all steps through on premises, IaaS, PaaS, SaaS and a shared machine; one name shows "
                "only that model.")),
    };
}

std::vector<OutputSpec> CloudLayersEngine::outputs() const
{
    const QString l = QStringLiteral("layers");
    return {
        {QStringLiteral("layers"), l, QStringLiteral("layers of the stack (model)")},
        {QStringLiteral("customer_layers_*"), l,
            QStringLiteral("layers the customer manages in onprem, iaas, paas, saas")},
        {QStringLiteral("provider_layers_*"), l,
            QStringLiteral("layers the provider manages in onprem, iaas, paas, saas")},
        {QStringLiteral("frames"), QString(), QStringLiteral("steps the diagram went through")},
    };
}

void CloudLayersEngine::run()
{
    const CloudLayersConfig &cfg = config();
    std::vector<int> order;
    if (cfg.only >= 0)
        order = {cfg.only};
    else
        order = {CloudLayersModel::OnPremises, CloudLayersModel::IaaS, CloudLayersModel::PaaS,
            CloudLayersModel::SaaS};
    const int frames = int(order.size()) + (cfg.only < 0 || cfg.only == CloudLayersModel::IaaS ? 1 : 0);
    std::vector<int> shown;
    int done = 0;
    for (int i = 0; i < frames; ++i) {
        if (!checkpoint())
            break;
        auto snap = std::make_shared<CloudLayersSnapshot>();
        snap->frame = i;
        snap->frames = frames;
        if (i < int(order.size())) {
            snap->offering = order[std::size_t(i)];
            shown.push_back(snap->offering);
            snap->caption = captionFor(snap->offering);
        } else {
            snap->offering = CloudLayersModel::IaaS;
            snap->sharedMachine = true;
            snap->caption
                = QStringLiteral("Two IaaS customers rent VMs on the same physical machine. The VMM keeps "
                                 "them apart (almost complete isolation), but they share cores, caches "
                                 "and memory: one can slow the other down. Performance isolation is not "
                                 "guaranteed.");
        }
        snap->shown = shown;
        snap->progress = double(i + 1) / frames;
        snap->status = QStringLiteral("step %1 of %2").arg(i + 1).arg(frames);
        done = i + 1;
        snap->result = buildResult(done);
        publish(snap);
        if (i + 1 < frames && !pace(kSecondsPerFrame))
            break;
    }
}

Result CloudLayersEngine::buildResult(int framesShown) const
{
    Result result = makeResult();
    result.summary.insert(QStringLiteral("layers"), int(CloudLayersModel::LayerCount));
    for (int o = 0; o < CloudLayersModel::OfferingCount; ++o) {
        result.summary.insert(QStringLiteral("customer_layers_") + CloudLayersModel::offeringId(o),
            CloudLayersModel::customerLayers(o));
        result.summary.insert(QStringLiteral("provider_layers_") + CloudLayersModel::offeringId(o),
            CloudLayersModel::providerLayers(o));
    }
    result.summary.insert(QStringLiteral("frames"), framesShown);
    result.table.columns = {QStringLiteral("layer")};
    for (int o = 0; o < CloudLayersModel::OfferingCount; ++o)
        result.table.columns << CloudLayersModel::offeringId(o);
    for (int l = CloudLayersModel::LayerCount - 1; l >= 0; --l) {
        QVariantList row {CloudLayersModel::layerId(l)};
        for (int o = 0; o < CloudLayersModel::OfferingCount; ++o)
            row << (CloudLayersModel::providerManages(o, l) ? QStringLiteral("provider")
                                                            : QStringLiteral("customer"));
        result.table.rows.push_back(row);
    }
    return result;
}

} // namespace proclab
