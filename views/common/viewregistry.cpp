#include "viewregistry.h"

#include "messageview.h"
#include "stepview.h"

#include "engine/registry.h"

#include <QCoreApplication>

namespace proclab {

QString ViewRegistry::Entry::displayTitle() const
{
    return QCoreApplication::translate("ViewRegistry", title);
}

QString ViewRegistry::seriesViewId()
{
    return QStringLiteral("series");
}

void ViewRegistry::add(Entry entry)
{
    Q_ASSERT_X(!find(entry.id), "ViewRegistry::add", "view id registered twice");
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

StepView *ViewRegistry::create(
    const QString &viewId, const QString &engineId, QWidget *parent, QString *error) const
{
    if (!viewId.isEmpty()) {
        if (const Entry *e = find(viewId))
            return e->create(parent);
        const QString why
            = QCoreApplication::translate("ViewRegistry", "There is no view '%1' in this ProcLab.")
                  .arg(viewId);
        if (error)
            *error = why;
        return new MessageView(why, parent);
    }
    if (const EngineRegistry::Entry *engine = EngineRegistry::builtin().find(engineId)) {
        for (const QString &id : engine->info.views) {
            if (const Entry *e = find(id))
                return e->create(parent);
        }
    }
    return find(seriesViewId())->create(parent);
}

const ViewRegistry &ViewRegistry::builtin()
{
    static const ViewRegistry registry = [] {
        ViewRegistry r;
        registerCommonViews(r);
        registerModuleViews(r);
        return r;
    }();
    return registry;
}

} // namespace proclab
