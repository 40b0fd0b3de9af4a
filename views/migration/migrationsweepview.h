#pragma once

#include "common/stepview.h"

class QLabel;

namespace proclab {

/**
 * @brief The model's what-if charts: downtime and total time of the three
 * strategies against the dirty rate or the bandwidth, with this session's
 * measured runs (from the run history) as points.
 */
class MigrationSweepView : public StepView {
    Q_OBJECT

public:
    explicit MigrationSweepView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override { return {m_downtime, m_total}; }
    void applyTheme(const Theme &theme) override;

private:
    ChartWidget *m_downtime;
    ChartWidget *m_total;
    QLabel *m_status;
};

} // namespace proclab
