#pragma once

#include "activitylanes.h"

#include "common/stepview.h"

#include "tlp/tlpengine.h"

namespace proclab {

class LiveTextLabel;

/**
 * @brief T12: activity lanes, the c_i histogram (whole run and sliding window)
 * with the core count marked, TLP over time under the core-count ceiling, and
 * the current TLP in large type.
 */
class TlpView : public StepView {
    Q_OBJECT

public:
    explicit TlpView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override { return {m_histogram, m_overTime}; }
    void applyTheme(const Theme &theme) override;

    QString headline() const;
    const ActivityLanes *lanes() const { return m_lanes; }

private:
    ActivityLanes *m_lanes;
    ChartWidget *m_histogram;
    ChartWidget *m_overTime;
    LiveTextLabel *m_headline;
    LiveTextLabel *m_status;
    QList<QCPAbstractItem *> m_histItems;
    QList<QCPAbstractItem *> m_timeItems;
    std::shared_ptr<const Snapshot> m_last;
    RunState m_lastState = RunState::Idle;
};

} // namespace proclab
