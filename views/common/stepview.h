#pragma once

#include "chartwidget.h"
#include "theme.h"

#include "engine/engine.h"

#include <QList>
#include <QWidget>

#include <memory>

namespace proclab {

class RunHistory;

/**
 * @brief The base of every view a lesson step shows: it draws an engine's snapshots.
 *
 * The step page owns the engine and an EngineBridge; the bridge calls
 * showSnapshot() on the GUI thread at frame rate when the revision changed.
 * A view never touches the engine's thread and never blocks.
 */
class StepView : public QWidget {
    Q_OBJECT

public:
    explicit StepView(QWidget *parent = nullptr);

    /// Draws @p snapshot (may be null: show the empty state). @p state is the engine's state.
    virtual void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) = 0;
    /// Clears everything back to the state before a run.
    virtual void reset() { showSnapshot(nullptr, RunState::Idle); }
    /// The charts of this view, first the one `proclab export` writes.
    virtual QList<ChartWidget *> charts() const { return {}; }
    ChartWidget *primaryChart() const;

    /// Called when the theme or font scale changes; the default re-themes every chart.
    virtual void applyTheme(const Theme &theme);
    const Theme &theme() const { return m_theme; }

    /// Playback speed chosen in the run controls (views that animate between frames use it).
    virtual void setSpeed(double factor) { m_speed = factor; }

    /**
     * @brief The parameters the next run will use: the step's preset (with the engine's
     * defaults filled in) when the step is set up, again whenever the user changes one.
     * A view that shows different parts for different parameters (which charts a run will
     * fill) uses them to look right before the first run; the default ignores them.
     */
    virtual void setParameters(const ParamValues &values) { Q_UNUSED(values); }

    /// The runs that finished earlier in this window (owned by the app; may be null). Views
    /// that compare the current run with earlier ones read it when they draw.
    void setRunHistory(const RunHistory *history) { m_runHistory = history; }
    const RunHistory *runHistory() const { return m_runHistory; }

protected:
    Theme m_theme;
    double m_speed = 1.0;
    const RunHistory *m_runHistory = nullptr;
};

} // namespace proclab
