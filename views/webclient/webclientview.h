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

} // namespace proclab
