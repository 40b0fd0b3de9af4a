#pragma once

#include "common/stepview.h"

#include "threadslive/threadsliveengine.h"

namespace proclab {

class LiveTextLabel;

class ArenaWidget;

/**
 * @brief The app's own threads, live: measured CPU share per thread next to the
 * CFS model's share, run and wait time over time; or, for the protection demo,
 * the demo's buffer as seen by a sibling thread, a child process and the parent.
 */
class ThreadsLiveView : public StepView {
    Q_OBJECT

public:
    explicit ThreadsLiveView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override { return {m_shares, m_times}; }
    void applyTheme(const Theme &theme) override;

    /// For tests: the buffer panel of the protection demo.
    QWidget *arenaWidget() const;

private:
    ChartWidget *m_shares;
    ChartWidget *m_times;
    ArenaWidget *m_arena;
    LiveTextLabel *m_status;
};

} // namespace proclab
