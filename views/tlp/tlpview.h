#pragma once

#include "common/stepview.h"

#include "tlp/tlpengine.h"

#include <QImage>

class QLabel;

namespace proclab {

/**
 * @brief Per-thread activity lanes, like a profiler's timeline: one row per
 * thread, one column per sample of the last window, green running, orange
 * runnable (ready, no core free), grey blocked. Drawn as one QImage.
 */
class ActivityLanes : public QWidget {
    Q_OBJECT

public:
    explicit ActivityLanes(QWidget *parent = nullptr);
    void setLanes(std::vector<TlpLane> lanes, double windowMs);
    void setTheme(const Theme &theme);
    int laneCount() const { return static_cast<int>(m_lanes.size()); }
    /// The colour a state is drawn with.
    QColor colorFor(ThreadActivity a) const;
    QSize sizeHint() const override { return {600, 220}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    std::vector<TlpLane> m_lanes;
    double m_windowMs = 0;
    Theme m_theme;
};

/**
 * @brief T12: activity lanes, the c_i histogram (whole run and sliding window)
 * with the core count marked, TLP over time under the core-count ceiling, and
 * the current TLP in large type.
 */
class TlpView : public StepView {
    Q_OBJECT

public:
    explicit TlpView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override { return {m_histogram, m_overTime}; }
    void applyTheme(const Theme &theme) override;

    QString headline() const;
    const ActivityLanes *lanes() const { return m_lanes; }

private:
    ActivityLanes *m_lanes;
    ChartWidget *m_histogram;
    ChartWidget *m_overTime;
    QLabel *m_headline;
    QLabel *m_status;
    QList<QCPAbstractItem *> m_histItems;
    QList<QCPAbstractItem *> m_timeItems;
    std::shared_ptr<const Snapshot> m_last;
    RunState m_lastState = RunState::Idle;
};

} // namespace proclab
