#pragma once

#include "common/stepview.h"

#include "webclient/webclientengine.h"

class QLabel;

namespace proclab {

/**
 * @brief T11: the waterfall of one page load (a bar per resource, coloured by the
 * client thread that fetched it: pale while waiting for the first byte, solid while
 * receiving) above the page load time against the number of client threads.
 */
class WebClientView : public StepView {
    Q_OBJECT

public:
    explicit WebClientView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override { return {m_waterfall, m_curve}; }
    void applyTheme(const Theme &theme) override;

    /// Bars drawn in the waterfall (two per fetched resource: wait and receive).
    int barCount() const { return m_bars; }

private:
    void drawWaterfall(const WebClientSnapshot &s);
    void drawCurve(const WebClientSnapshot &s);

    ChartWidget *m_waterfall;
    ChartWidget *m_curve;
    QLabel *m_status;
    std::shared_ptr<const Snapshot> m_last;
    RunState m_lastState = RunState::Idle;
    QList<QCPAbstractItem *> m_items; // drawn by this view, removed before each redraw
    int m_bars = 0;
};

/**
 * @brief T11: speed-up of parallel RPCs against the number of distinct servers,
 * with the linear speed-up the slides promise, and the two times behind it.
 */
class FanoutView : public StepView {
    Q_OBJECT

public:
    explicit FanoutView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override { return {m_speedup, m_times}; }

private:
    ChartWidget *m_speedup;
    ChartWidget *m_times;
    QLabel *m_status;
};

/**
 * @brief C4: what the caller waited for each call (coloured by the replica whose
 * answer the stub returned), the moment of the kill, and the stub's counters.
 */
class ReplicaView : public StepView {
    Q_OBJECT

public:
    explicit ReplicaView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override { return {m_chart}; }
    void applyTheme(const Theme &theme) override;
    /// The counters text shown under the chart (for tests).
    QString countersText() const;

private:
    ChartWidget *m_chart;
    QLabel *m_counters;
    QLabel *m_caller;
    QLabel *m_status;
    std::shared_ptr<const Snapshot> m_last;
    RunState m_lastState = RunState::Idle;
    QList<QCPAbstractItem *> m_items;
};

} // namespace proclab
