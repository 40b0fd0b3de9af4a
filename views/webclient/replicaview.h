#pragma once

#include "common/stepview.h"

#include "webclient/replicaengine.h"

class QLabel;

namespace proclab {

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
