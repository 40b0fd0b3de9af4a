#pragma once

#include "common/stepview.h"

#include "ctxswitch/ctxswitchengine.h"

class QComboBox;
class QLabel;
class QPushButton;
class QTimer;

namespace proclab {

/**
 * @brief The steps of a context switch on a user/kernel timeline (T2, T3).
 *
 * User A runs; S1 traps into the kernel; A's context is saved; for a process
 * switch the MMU register (page-table root) is loaded with B's; B's context is
 * restored; S3 returns to user space in B. The context fields are listed with
 * what the CPU holds at each step. When measured medians are known, segment
 * widths follow them (S1 + S3 = one system call, the whole = one switch).
 */
class SwitchDiagram : public QWidget {
    Q_OBJECT

public:
    explicit SwitchDiagram(QWidget *parent = nullptr);

    void setProcessSwitch(bool process);
    bool processSwitch() const { return m_process; }
    /// Measured medians (ns) that scale the segments; 0 = unknown (equal widths).
    void setMeasured(double syscallNs, double threadSwitchNs, double processSwitchNs);
    void setTheme(const Theme &theme);

    int stepCount() const;
    int step() const { return m_step; }
    void setStep(int step);
    /// Title of step @p i ("S1: trap into the kernel").
    QString stepTitle(int i) const;
    /// Context field names shown for the current mode (PC, SP, ..., page-table root).
    QStringList fieldNames() const;

    QSize sizeHint() const override { return {640, 330}; }

Q_SIGNALS:
    void stepChanged(int step);

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    struct Segment {
        QString title;
        QString detail;
        bool kernel;
        int owner; // 0 = A, 1 = B, -1 = kernel work
        double weight;
    };
    std::vector<Segment> segments() const;

    bool m_process = true;
    int m_step = 0;
    double m_syscallNs = 0;
    double m_threadNs = 0;
    double m_processNs = 0;
    Theme m_theme;
};

/**
 * @brief The switch view: the animated diagram, and the measured histograms of
 * switch costs (threads vs processes) and of creation costs.
 */
class SwitchView : public StepView {
    Q_OBJECT

public:
    explicit SwitchView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override { return {m_switchChart, m_createChart}; }
    void applyTheme(const Theme &theme) override;
    void setSpeed(double factor) override;

    SwitchDiagram *diagram() const { return m_diagram; }
    ChartWidget *switchChart() const { return m_switchChart; }
    ChartWidget *createChart() const { return m_createChart; }

private:
    void drawSwitches(const CtxSwitchSnapshot &snap);
    void drawCreations(const CtxSwitchSnapshot &snap);
    void updateStepLabel();

    SwitchDiagram *m_diagram;
    QComboBox *m_mode;
    QPushButton *m_back;
    QPushButton *m_next;
    QPushButton *m_play;
    QLabel *m_stepLabel;
    QTimer *m_timer;
    ChartWidget *m_switchChart;
    ChartWidget *m_createChart;
    QLabel *m_status;
    std::shared_ptr<const Snapshot> m_last;
    RunState m_lastState = RunState::Idle;
};

/**
 * @brief The indirect cost of a switch against the working-set size (log axis),
 * with this machine's cache sizes and the direct cost marked.
 */
class IndirectView : public StepView {
    Q_OBJECT

public:
    explicit IndirectView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override { return {m_chart}; }
    void applyTheme(const Theme &theme) override;
    /// Number of cache-size markers drawn (for tests).
    int cacheMarkerCount() const { return m_cacheMarkers; }

private:
    ChartWidget *m_chart;
    QLabel *m_status;
    std::vector<QCPAbstractItem *> m_items;
    int m_cacheMarkers = 0;
    std::shared_ptr<const Snapshot> m_last;
    RunState m_lastState = RunState::Idle;
};

} // namespace proclab
