#pragma once

#include "common/stepview.h"

#include "dispatch/mobileipengine.h"

namespace proclab {

class LiveTextLabel;

class MobileIpMap;

/**
 * @brief S8: a distributed server behind one IPv6 home address, stepped on a world map (model).
 *
 * The two clients, the home agent and the two servers at their care-of addresses; each step
 * adds a numbered arrow (tunnelled packets dashed), client 1's in one colour, client 2's in
 * another. Beside the map, each client's round trip through the home agent against directly.
 */
class MobileIpView : public StepView {
    Q_OBJECT

public:
    explicit MobileIpView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override { return {m_chart}; }
    void applyTheme(const Theme &theme) override;

    /// For tests.
    QWidget *map() const;
    QString narrative() const;
    QString figures() const;

private:
    MobileIpMap *m_map;
    ChartWidget *m_chart;
    LiveTextLabel *m_figures;
    LiveTextLabel *m_narrative;
    std::shared_ptr<const Snapshot> m_last;
    RunState m_lastState = RunState::Idle;
};

} // namespace proclab
