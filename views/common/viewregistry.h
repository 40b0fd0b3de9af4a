#pragma once

#include <QString>

#include <functional>
#include <vector>

class QWidget;

namespace proclab {

class StepView;

/**
 * @brief The views ProcLab knows, by id ("sharedvar.timeline", "series").
 *
 * A lesson step names its view; an empty name means the engine's default view
 * (the first registered for that engine), and "series" is the generic chart
 * of a result's series that every engine can use.
 */
class ViewRegistry {
public:
    using Factory = std::function<StepView *(QWidget *parent)>;
    struct Entry {
        QString id;
        QString engineId; ///< the engine it draws ("" for generic views)
        QString title;
        Factory create;
    };

    void add(Entry entry);
    const Entry *find(const QString &id) const;
    /// The view for @p viewId, else the engine's default view, else the generic chart.
    StepView *create(const QString &viewId, const QString &engineId, QWidget *parent) const;
    const std::vector<Entry> &entries() const { return m_entries; }

    static const ViewRegistry &builtin();

private:
    std::vector<Entry> m_entries;
};

// One registration function per view folder of views/.
void registerCommonViews(ViewRegistry &registry);
void registerSharedVarViews(ViewRegistry &registry);
void registerCtxSwitchViews(ViewRegistry &registry);
void registerSchedViews(ViewRegistry &registry);
void registerMigrationViews(ViewRegistry &registry);
void registerClientViews(ViewRegistry &registry);

} // namespace proclab
