#include "viewregistry.h"

#include "stepview.h"

namespace proclab {

void ViewRegistry::add(Entry entry)
{
    m_entries.push_back(std::move(entry));
}

const ViewRegistry::Entry *ViewRegistry::find(const QString &id) const
{
    for (const auto &e : m_entries) {
        if (e.id == id)
            return &e;
    }
    return nullptr;
}

StepView *ViewRegistry::create(const QString &viewId, const QString &engineId, QWidget *parent) const
{
    if (const Entry *e = find(viewId))
        return e->create(parent);
    for (const auto &e : m_entries) {
        if (!engineId.isEmpty() && e.engineId == engineId)
            return e.create(parent);
    }
    return find(QStringLiteral("series"))->create(parent);
}

const ViewRegistry &ViewRegistry::builtin()
{
    static const ViewRegistry registry = [] {
        ViewRegistry r;
        registerCommonViews(r);
        registerSharedVarViews(r);
        registerCtxSwitchViews(r);
        registerSchedViews(r);
        registerMigrationViews(r);
        registerClientViews(r);
        return r;
    }();
    return registry;
}

} // namespace proclab
