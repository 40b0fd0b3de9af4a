#pragma once

#include "common/stepview.h"

#include "ctxswitch/ctxswitchsnapshot.h"

#include <vector>

namespace proclab {

class LiveTextLabel;

/**
 * @brief The indirect cost of a switch against the working-set size (log axis),
 * with this machine's cache sizes and the direct cost marked.
 */
class IndirectView : public StepView {
    Q_OBJECT

public:
    explicit IndirectView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override { return {m_chart}; }
    void applyTheme(const Theme &theme) override;
    /// Number of cache-size markers drawn (for tests).
    int cacheMarkerCount() const { return m_cacheMarkers; }

private:
    ChartWidget *m_chart;
    LiveTextLabel *m_status;
    std::vector<QCPAbstractItem *> m_items;
    int m_cacheMarkers = 0;
    std::shared_ptr<const Snapshot> m_last;
    RunState m_lastState = RunState::Idle;
};

} // namespace proclab
