#pragma once

#include "enginereaper.h"

#include "common/enginebridge.h"
#include "common/runhistory.h"
#include "common/theme.h"
#include "lesson/lesson.h"

#include <QWidget>

#include <memory>

class QAction;
class QComboBox;
class QGroupBox;
class QToolButton;
class QLabel;
class QProgressBar;
class QStackedLayout;
class QToolBar;

namespace proclab {

class ParameterPanel;
class StepView;

/**
 * @brief The right-hand side of a lesson step: run controls, the step's view and
 * its parameter panel. Owns the step's engine and the bridge that feeds the view.
 */
class LabPanel : public QWidget {
    Q_OBJECT

public:
    explicit LabPanel(QWidget *parent = nullptr);
    ~LabPanel() override;

    /// Sets up @p step: creates its engine and view and fills the parameter panel.
    void setStep(const LessonStep &step, const QString &exportName);
    void clear();

    Engine *engine() const { return m_engine.get(); }
    StepView *view() const { return m_view; }
    ParameterPanel *parameters() const { return m_params; }
    /// The result of the last run that finished (empty before).
    const Result &lastResult() const { return m_lastResult; }
    bool hasResult() const { return m_hasResult; }
    /// The runs that finished or failed in this panel, which its views compare with.
    const RunHistory &runHistory() const { return m_runHistory; }

    void applyTheme(const Theme &theme);
    /// Compact (the presenter layout): a step's editable parameters, when they need more than
    /// one row, fold behind a "Parameters you can change" strip that opens on demand.
    void setCompact(bool on);
    bool compact() const { return m_compact; }
    /// Whether the editable parameters are folded away now.
    bool parametersFolded() const;
    QToolButton *parametersToggle() const { return m_paramToggle; }

    QAction *runAction() const { return m_run; }
    QAction *pauseAction() const { return m_pause; }
    QAction *stepAction() const { return m_step; }
    QAction *stopAction() const { return m_stop; }
    QAction *resetAction() const { return m_reset; }

    void run();
    void pause();
    void stepOnce();
    void stopRun();
    void reset();
    void setSpeed(double factor);
    /// Runs the step's engine as fast as possible and waits (event loop) until it ends.
    bool runToEnd(int timeoutMs);
    /// Engines asked to stop (Stop, another step) whose run has not returned yet.
    EngineReaper &reaper() { return m_reaper; }

Q_SIGNALS:
    void runFinished(const proclab::Result &result);
    void message(const QString &text);
    /// The user asked to export the chart: "png", "svg", "pdf", "csv" or "copy".
    void exportRequested(const QString &format);

private:
    void onSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state);
    void onStateChanged(RunState state);
    void onFinished(RunState state);
    bool configureEngine();
    void updateActions();

    void replaceEngine();

    EngineReaper m_reaper; // declared first: destroyed last, after m_engine was handed to it
    std::unique_ptr<Engine> m_engine;
    LessonStep m_stepShown;
    EngineBridge m_bridge;
    StepView *m_view = nullptr;
    QWidget *m_viewHolder;
    QStackedLayout *m_viewStack;
    QLabel *m_placeholder;
    ParameterPanel *m_params;
    QGroupBox *m_paramBox;
    QToolButton *m_paramToggle; ///< the box's title: folds and opens the editable parameters
    bool m_compact = false;
    QToolBar *m_toolbar;
    QComboBox *m_speed;
    QProgressBar *m_progress;
    QLabel *m_state;
    QLabel *m_kind;
    QAction *m_run;
    QAction *m_pause;
    QAction *m_step;
    QAction *m_stop;
    QAction *m_reset;
    Theme m_theme;
    Result m_lastResult;
    RunHistory m_runHistory; // the views hold a pointer to it and read it only while drawing
    bool m_hasResult = false;
};

} // namespace proclab
