#pragma once

#include "common/stepview.h"

#include "servers/serverssnapshot.h"

namespace proclab {

class DispatcherPicture;
class LiveTextLabel;

/**
 * @brief T13, T14, S1: the design under load as a live dispatcher/worker picture, beside
 * throughput and p99 latency per design (measured) with the model bound, and the slides'
 * table (parallelism? blocking calls?) next to the measured throughput.
 *
 * One design: the throughput over time and the latency percentiles of the run. A comparison
 * at one client count: a bar per design. Over client counts: a line per design.
 */
class ServersView : public StepView {
    Q_OBJECT

public:
    explicit ServersView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override { return {m_throughput, m_latency}; }
    void applyTheme(const Theme &theme) override;

    DispatcherPicture *picture() const { return m_picture; }
    /// @brief The text of the design table (for tests).
    QString tableText() const;

private:
    void drawSingle(const ServersSnapshot &s);
    void drawComparison(const ServersSnapshot &s);
    void drawTable(const ServersSnapshot *s);

    DispatcherPicture *m_picture;
    ChartWidget *m_throughput;
    ChartWidget *m_latency;
    LiveTextLabel *m_table;
    LiveTextLabel *m_status;
    std::shared_ptr<const Snapshot> m_last;
    RunState m_lastState = RunState::Idle;
    QList<QCPAbstractItem *> m_throughputItems; // drawn by this view, removed before each redraw
    QList<QCPAbstractItem *> m_latencyItems;
};

} // namespace proclab
