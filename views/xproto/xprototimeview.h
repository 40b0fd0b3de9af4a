#pragma once

#include "common/stepview.h"

#include "xproto/xprotoengine.h"

class QLabel;

namespace proclab {

/**
 * @brief C2 on a link: the time each protocol needs for the drawing as the round-trip time
 * grows (bytes / bandwidth + round trips x RTT, a model), with the chosen RTT marked.
 */
class XprotoTimeView : public StepView {
    Q_OBJECT

public:
    explicit XprotoTimeView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override { return {m_chart}; }
    void applyTheme(const Theme &theme) override;
    /// For tests: the line of times at the chosen RTT.
    QString summaryText() const;

private:
    ChartWidget *m_chart;
    QLabel *m_summary;
    QList<QCPAbstractItem *> m_items;
    std::shared_ptr<const Snapshot> m_last;
    RunState m_lastState = RunState::Idle;
};

} // namespace proclab
