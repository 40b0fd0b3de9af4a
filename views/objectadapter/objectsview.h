#pragma once

#include "common/stepview.h"

#include "objectadapter/objectsengine.h"

namespace proclab {

class AdapterDiagram;
class LiveTextLabel;

/**
 * @brief S5: an object server's adapter under a real request stream.
 *
 * Above, the adapter with one column per object identity and, in it, the objects activated
 * now (per client: one per client; per server: one; per request: the ones serving a call),
 * each with its call count and, with a thread per object, its thread; beside it the counters
 * (activations, threads started, against what the policy implies). Below, activations and
 * threads started against invocations finished.
 */
class ObjectsView : public StepView {
    Q_OBJECT

public:
    explicit ObjectsView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override { return {m_chart}; }
    void applyTheme(const Theme &theme) override;

    /// For tests: the counters text and the number of object boxes drawn.
    QString countersText() const;
    int objectBoxes() const;

private:
    AdapterDiagram *m_diagram;
    LiveTextLabel *m_counters;
    ChartWidget *m_chart;
    LiveTextLabel *m_status;
    QList<QCPAbstractItem *> m_items;
    std::shared_ptr<const Snapshot> m_last;
    RunState m_lastState = RunState::Idle;
};

} // namespace proclab
