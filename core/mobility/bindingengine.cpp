#include "bindingengine.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

namespace proclab {

using namespace mobility;

namespace {

const QStringList kBindings {QStringLiteral("identifier"), QStringLiteral("value"), QStringLiteral("type")};
const QStringList kResources {
    QStringLiteral("unattached"), QStringLiteral("fastened"), QStringLiteral("fixed")};

} // namespace

std::optional<BindingConfig> BindingConfig::fromParams(const ParamValues &values, QString *error)
{
    BindingConfig c;
    const int b = int(kBindings.indexOf(values.value(QStringLiteral("binding")).toString()));
    const int r = int(kResources.indexOf(values.value(QStringLiteral("resource")).toString()));
    if (b < 0 || r < 0) {
        if (error)
            *error = QStringLiteral(
                "binding must be identifier, value or type; resource unattached, fastened or fixed");
        return std::nullopt;
    }
    c.binding = ResourceBindingTable::bindings().at(std::size_t(b));
    c.resource = ResourceBindingTable::resources().at(std::size_t(r));
    return c;
}

BindingEngine::BindingEngine()
    : ConfiguredEngine(EngineInfo {QString(kId), QStringLiteral("Resource bindings"), Provenance::Model,
        QStringLiteral("The binding table of code migration (GR, MV, CP, RB) for a binding and a resource "
                       "kind, with the action carried out on a real file or socket of this machine."),
        {QStringLiteral("M4")}, {QString(kTableView)}})
{
}

ParamSchema BindingEngine::schema() const
{
    return ParamSchema {
        ParamSpec::choice(QStringLiteral("binding"), QStringLiteral("Binding"), QStringLiteral("identifier"),
            kBindings,
            QStringLiteral("How the computation names its resource: that very resource (identifier), its "
                           "contents (value), or any resource of the kind (type).")),
        ParamSpec::choice(QStringLiteral("resource"), QStringLiteral("Resource"), QStringLiteral("fixed"),
            kResources,
            QStringLiteral("How the resource is tied to its machine: it moves easily (unattached), only at a "
                           "high cost (fastened), or not at all (fixed).")),
    };
}

std::vector<OutputSpec> BindingEngine::outputs() const
{
    return {
        {QStringLiteral("action"), QString(), QStringLiteral("the table's answer: GR, MV, CP or RB")},
        {QStringLiteral("action_index"), QString(),
            QStringLiteral("the answer as an index: 0 GR, 1 MV, 2 CP, 3 RB")},
        {QStringLiteral("alternatives"), QString(),
            QStringLiteral("what else would do, as the table prints it")},
        {QStringLiteral("demo_ok"), QString(),
            QStringLiteral("the action was carried out on a real resource without error")},
        {QStringLiteral("source_remains"), QString(), QStringLiteral("the resource is still at the source")},
        {QStringLiteral("destination_holds"), QString(),
            QStringLiteral("the destination holds the resource or a copy of it")},
        {QStringLiteral("same_content"), QString(),
            QStringLiteral(
                "the computation read the same bytes through its binding before and after the move")},
        {QStringLiteral("bytes"), QStringLiteral("bytes"),
            QStringLiteral("bytes moved, copied or read through the reference (measured)")},
    };
}

int BindingEngine::actionIndex(BindingAction action)
{
    switch (action) {
    case BindingAction::GlobalReference:
        return 0;
    case BindingAction::Move:
        return 1;
    case BindingAction::Copy:
        return 2;
    case BindingAction::Rebind:
        return 3;
    }
    return 0;
}

void BindingEngine::buildResult(const BindingSnapshot &s, Result *result)
{
    QJsonObject &sum = result->summary;
    sum.insert(QStringLiteral("action"), ResourceBindingTable::code(s.prescription.action));
    sum.insert(QStringLiteral("action_index"), actionIndex(s.prescription.action));
    sum.insert(QStringLiteral("alternatives"), ResourceBindingTable::cellText(s.binding, s.resource));
    result->table.columns = QStringList {QStringLiteral("step")};
    if (s.outcome) {
        const ResourceOutcome &o = *s.outcome;
        sum.insert(QStringLiteral("demo_ok"), o.ok());
        sum.insert(QStringLiteral("source_remains"), o.sourceRemains);
        sum.insert(QStringLiteral("destination_holds"), o.destinationHolds);
        sum.insert(QStringLiteral("same_content"), o.sameContent);
        sum.insert(QStringLiteral("bytes"), double(o.bytes));
        for (const QString &line : o.steps)
            result->table.rows.push_back({line});
        if (!o.ok() && result->error.isEmpty())
            result->error = o.error;
    }
}

void BindingEngine::run()
{
    const BindingConfig &c = config();
    auto snap = std::make_shared<BindingSnapshot>();
    snap->binding = c.binding;
    snap->resource = c.resource;
    snap->prescription = ResourceBindingTable::prescribe(c.binding, c.resource);
    snap->status
        = QStringLiteral("the table answers %1").arg(ResourceBindingTable::cellText(c.binding, c.resource));
    publish(std::make_shared<BindingSnapshot>(*snap));
    if (!checkpoint() || !pace(1.0))
        return;

    // Frame 1: the action done for real, in a scratch folder that stands for the two machines.
    QTemporaryDir scratch;
    ResourceOutcome outcome;
    if (!scratch.isValid()) {
        outcome.error = QStringLiteral("cannot create a scratch folder: %1").arg(scratch.errorString());
    } else {
        const QString source = scratch.filePath(QStringLiteral("source"));
        const QString node = scratch.filePath(QStringLiteral("node"));
        QDir().mkpath(source);
        QDir().mkpath(node);
        const QString file = source + QStringLiteral("/records.txt");
        QFile f(file);
        if (!f.open(QIODevice::WriteOnly)
            || f.write("the records the computation works on\nline two\nline three\n") < 0) {
            outcome.error = QStringLiteral("cannot write %1").arg(file);
        } else {
            f.close();
            switch (snap->prescription.action) {
            case BindingAction::Move:
                outcome = ResourceDemo::moveFile(file, node);
                break;
            case BindingAction::Copy:
                outcome = ResourceDemo::copyFile(file, node);
                break;
            case BindingAction::Rebind:
                outcome = ResourceDemo::rebindSocket();
                break;
            case BindingAction::GlobalReference:
                outcome = ResourceDemo::globalReference(file);
                break;
            }
        }
    }
    outcome.action = snap->prescription.action;
    snap->frame = 1;
    snap->outcome = outcome;
    snap->status = outcome.ok() ? QStringLiteral("%1 done on a real resource")
                                      .arg(ResourceBindingTable::code(snap->prescription.action))
                                : outcome.error;
    Result r = makeResult();
    buildResult(*snap, &r);
    snap->result = r;
    snap->progress = 1;
    publish(snap);
}

} // namespace proclab
