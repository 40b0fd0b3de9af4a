#pragma once

#include "common/stepview.h"

class QLabel;

namespace proclab {

/**
 * @brief The overhead chart: modelled cycles of the same guest run natively and under each
 * VMM technique (bars), each bar labelled with its slowdown and world switches.
 */
class VmmOverheadView : public StepView {
    Q_OBJECT

public:
    explicit VmmOverheadView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override { return {m_chart}; }
    void applyTheme(const Theme &theme) override;

    /// For tests: how many bars the chart holds.
    int barCount() const { return m_bars; }

private:
    ChartWidget *m_chart;
    QLabel *m_status;
    QList<QCPAbstractItem *> m_items;
    int m_bars = 0;
};

} // namespace proclab
