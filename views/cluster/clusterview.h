#pragma once

#include "common/stepview.h"

#include "cluster/clusterengine.h"

class QLabel;

namespace proclab {

class LiveTextLabel;

class ClusterDiagram;

/**
 * @brief S7: the cluster's first tier under load, relay against handoff.
 *
 * Above, the three tiers' first two as boxes: clients, the first tier and the back ends, with
 * the bytes of the configuration being measured (or the last one) on the arrows and the first
 * tier's CPU; in handoff mode the responses go from the back ends straight to the clients.
 * Below, three charts against the number of back ends, one curve per dispatch mode:
 * throughput, first-tier bytes per request (log scale) and first-tier CPU.
 */
class ClusterView : public StepView {
    Q_OBJECT

public:
    explicit ClusterView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override { return {m_throughput, m_bytes, m_cpu}; }
    void applyTheme(const Theme &theme) override;

    /// For tests: the diagram and the text it draws on the first tier.
    QWidget *diagram() const;
    QString firstTierText() const;
    /// For tests: the key above the charts (which colour is which dispatch mode).
    QString keyText() const;

private:
    ClusterDiagram *m_diagram;
    ChartWidget *m_throughput;
    ChartWidget *m_bytes;
    ChartWidget *m_cpu;
    QLabel *m_key;
    LiveTextLabel *m_status;
    std::shared_ptr<const Snapshot> m_last;
    RunState m_lastState = RunState::Idle;
};

} // namespace proclab
