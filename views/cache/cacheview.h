#pragma once

#include "cachegridwidget.h"

#include "common/stepview.h"

#include "cache/cachesnapshot.h"

class QLabel;

namespace proclab {

class LiveTextLabel;

/**
 * @brief The cache view: the grid, a running hit-rate chart and the counts per process.
 */
class CacheView : public StepView {
    Q_OBJECT

public:
    explicit CacheView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override { return {m_chart}; }
    void applyTheme(const Theme &theme) override;
    CacheGridWidget *grid() const { return m_grid; }

private:
    CacheGridWidget *m_grid;
    ChartWidget *m_chart;
    QLabel *m_phase;
    LiveTextLabel *m_counts;
    LiveTextLabel *m_status;
    QLabel *m_legend;
    std::shared_ptr<const Snapshot> m_last;
    RunState m_lastState = RunState::Idle;
};

} // namespace proclab
