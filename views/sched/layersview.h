#pragma once

#include "common/stepview.h"

#include "sched/schedengine.h"

class QLabel;

namespace proclab {

class LayersDiagram;

/**
 * @brief T1: processor, processes and threads as layers of (virtual) processors.
 *
 * Drawn from the scheduler model's snapshots: the bottom layer is the hardware
 * processors, the middle the processes, the top the threads. Clicking a box
 * shows what it executes right now.
 */
class LayersView : public StepView {
    Q_OBJECT

public:
    explicit LayersView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override { return {m_chart}; }
    void applyTheme(const Theme &theme) override;

    /// For tests and keyboard use: selects a box as a click would ("cpu", "process", "thread").
    void select(const QString &layer, int index);
    QString infoText() const;
    QWidget *diagram() const;

private:
    void updateInfo();

    LayersDiagram *m_diagram;
    ChartWidget *m_chart;
    QLabel *m_info;
    std::shared_ptr<const SchedSnapshot> m_last;
};

} // namespace proclab
