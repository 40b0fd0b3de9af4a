#pragma once

#include "common/stepview.h"

class QLabel;

namespace proclab {

struct OutOfBandSnapshot;

/**
 * @brief S3: a timeline of long requests put on hold, resumed and cancelled (one lane per
 * trial, by TCP urgent data or through the urgent port), and the time each urgent message
 * took to be noticed and to take effect.
 */
class OutOfBandView : public StepView {
    Q_OBJECT

public:
    explicit OutOfBandView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override { return {m_timeline, m_latency}; }
    void applyTheme(const Theme &theme) override;

    ChartWidget *timelineChart() const { return m_timeline; }
    ChartWidget *latencyChart() const { return m_latency; }
    /// @brief Trial lanes drawn in the last redraw.
    int laneCount() const { return m_lanes; }
    /// @brief Maximum lanes per method (the first trials of each).
    static constexpr int kLanesPerMethod = 3;

private:
    void redraw();
    void drawTimeline();
    void drawLatency();

    ChartWidget *m_timeline;
    ChartWidget *m_latency;
    QLabel *m_status;
    std::shared_ptr<const OutOfBandSnapshot> m_snap;
    RunState m_state = RunState::Idle;
    int m_lanes = 0;
};

} // namespace proclab
