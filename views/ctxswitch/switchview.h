#pragma once

#include "switchdiagram.h"

#include "common/stepview.h"

#include "ctxswitch/ctxswitchsnapshot.h"

class QComboBox;
class QLabel;
class QPushButton;
class QTimer;

namespace proclab {

class LiveTextLabel;

/**
 * @brief The switch view: the animated diagram, and the measured histograms of
 * switch costs (threads vs processes) and of creation costs.
 *
 * Before a run the diagram takes most of the height. Once a run has measured something,
 * the diagram folds away so that the charts get the whole view (readable on a 1280x800
 * projector); the Diagram button, or stepping the diagram, brings it back.
 */
class SwitchView : public StepView {
    Q_OBJECT

public:
    explicit SwitchView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override { return {m_switchChart, m_createChart}; }
    void applyTheme(const Theme &theme) override;
    void setSpeed(double factor) override;
    /// Reads `parts`: only the charts a run with it fills are shown (before a run as well).
    void setParameters(const ParamValues &values) override;

    /// @brief The translated label of a measurement, by its id (core names it in English).
    static QString measurementLabel(const CostSample &sample);
    /// @brief @p text broken into lines of at most @p maxChars at spaces ("+ step" kept whole).
    static QString wrapTickLabel(const QString &text, int maxChars);

    SwitchDiagram *diagram() const { return m_diagram; }
    /// Whether the diagram is shown (it folds away once a run has measured something).
    bool diagramShown() const;
    ChartWidget *switchChart() const { return m_switchChart; }
    ChartWidget *createChart() const { return m_createChart; }

private:
    void drawSwitches(const CtxSwitchSnapshot &snap);
    void drawCreations(const CtxSwitchSnapshot &snap);
    void updateStepLabel();
    void showDiagram(bool on);
    /// Shows the charts the parts to measure and the snapshot shown call for.
    void updateChartVisibility(const CtxSwitchSnapshot *snap, RunState state);

    SwitchDiagram *m_diagram;
    QComboBox *m_mode;
    QPushButton *m_back;
    QPushButton *m_next;
    QPushButton *m_play;
    QPushButton *m_showDiagram;
    QLabel *m_stepLabel;
    QTimer *m_timer;
    ChartWidget *m_switchChart;
    ChartWidget *m_createChart;
    QWidget *m_charts = nullptr; ///< the splitter holding both charts (hidden when neither is shown)
    /// What the next run measures (`parts`): whether it fills the switch and the creation chart.
    bool m_partsSwitch = true;
    bool m_partsCreate = true;
    LiveTextLabel *m_status;
    std::shared_ptr<const Snapshot> m_last;
    RunState m_lastState = RunState::Idle;
    /// The diagram was folded for the run now shown (once per run: the user may open it again).
    bool m_foldedForRun = false;
};

} // namespace proclab
