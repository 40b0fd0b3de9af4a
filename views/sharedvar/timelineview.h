#pragma once

#include "common/stepview.h"

#include <QElapsedTimer>
#include <QTimer>

namespace proclab {

class LiveTextLabel;

struct SharedVarSnapshot;

/**
 * @brief T6 timeline: one lane per thread, grouped per process. A bar shows
 * each thread's sleep; a marker and a label show the value of shared_x it saw
 * when it woke. While the run goes on, sleeping bars grow with the clock.
 */
class TimelineView : public StepView {
    Q_OBJECT

public:
    explicit TimelineView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override { return {m_chart}; }
    void applyTheme(const Theme &theme) override;

    /// Lanes drawn in the last redraw (one per thread of every process).
    int laneCount() const { return m_lanes; }

private:
    void redraw();
    QString csv() const;

    ChartWidget *m_chart;
    LiveTextLabel *m_summary;
    QTimer m_animation;
    QElapsedTimer m_sinceSnapshot;
    std::shared_ptr<const SharedVarSnapshot> m_snap;
    RunState m_state = RunState::Idle;
    int m_lanes = 0;
};

} // namespace proclab
