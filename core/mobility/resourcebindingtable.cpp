#include "resourcebindingtable.h"

#include <QStringList>

namespace proclab::mobility {

BindingPrescription ResourceBindingTable::prescribe(BindingKind binding, ResourceKind resource)
{
    using A = BindingAction;
    switch (binding) {
    case BindingKind::ByIdentifier:
        switch (resource) {
        case ResourceKind::Unattached:
            return {A::Move, {A::GlobalReference}};
        case ResourceKind::Fastened:
            return {A::GlobalReference, {A::Move}};
        case ResourceKind::Fixed:
            return {A::GlobalReference, {}};
        }
        break;
    case BindingKind::ByValue:
        switch (resource) {
        case ResourceKind::Unattached:
            return {A::Copy, {A::Move, A::GlobalReference}};
        case ResourceKind::Fastened:
            return {A::GlobalReference, {A::Copy}};
        case ResourceKind::Fixed:
            return {A::GlobalReference, {}};
        }
        break;
    case BindingKind::ByType:
        switch (resource) {
        case ResourceKind::Unattached:
            return {A::Rebind, {A::Move, A::GlobalReference}};
        case ResourceKind::Fastened:
            return {A::Rebind, {A::GlobalReference, A::Copy}};
        case ResourceKind::Fixed:
            return {A::Rebind, {A::GlobalReference}};
        }
        break;
    }
    return {};
}

QString ResourceBindingTable::code(BindingAction action)
{
    switch (action) {
    case BindingAction::GlobalReference:
        return QStringLiteral("GR");
    case BindingAction::Move:
        return QStringLiteral("MV");
    case BindingAction::Copy:
        return QStringLiteral("CP");
    case BindingAction::Rebind:
        return QStringLiteral("RB");
    }
    return QString();
}

QString ResourceBindingTable::description(BindingAction action)
{
    switch (action) {
    case BindingAction::GlobalReference:
        return QStringLiteral("establish a global system-wide reference");
    case BindingAction::Move:
        return QStringLiteral("move the resource");
    case BindingAction::Copy:
        return QStringLiteral("copy the value of the resource");
    case BindingAction::Rebind:
        return QStringLiteral("re-bind to a locally available resource");
    }
    return QString();
}

QString ResourceBindingTable::cellText(BindingKind binding, ResourceKind resource)
{
    const BindingPrescription p = prescribe(binding, resource);
    QString text = code(p.action);
    if (!p.alternatives.empty()) {
        QStringList alternatives;
        for (BindingAction a : p.alternatives)
            alternatives << code(a);
        text += QStringLiteral(" (or %1)").arg(alternatives.join(QStringLiteral(", ")));
    }
    return text;
}

QString ResourceBindingTable::bindingName(BindingKind binding)
{
    switch (binding) {
    case BindingKind::ByIdentifier:
        return QStringLiteral("by identifier");
    case BindingKind::ByValue:
        return QStringLiteral("by value");
    case BindingKind::ByType:
        return QStringLiteral("by type");
    }
    return QString();
}

QString ResourceBindingTable::resourceName(ResourceKind resource)
{
    switch (resource) {
    case ResourceKind::Unattached:
        return QStringLiteral("unattached");
    case ResourceKind::Fastened:
        return QStringLiteral("fastened");
    case ResourceKind::Fixed:
        return QStringLiteral("fixed");
    }
    return QString();
}

const std::vector<BindingKind> &ResourceBindingTable::bindings()
{
    static const std::vector<BindingKind> all {
        BindingKind::ByIdentifier, BindingKind::ByValue, BindingKind::ByType};
    return all;
}

const std::vector<ResourceKind> &ResourceBindingTable::resources()
{
    static const std::vector<ResourceKind> all {
        ResourceKind::Unattached, ResourceKind::Fastened, ResourceKind::Fixed};
    return all;
}

} // namespace proclab::mobility
