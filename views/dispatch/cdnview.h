#pragma once

#include "common/stepview.h"

#include "dispatch/cdnengine.h"

class QLabel;

namespace proclab {

class CdnMap;

/**
 * @brief S9: a CDN lookup stepped on a world map (model).
 *
 * The client, its resolver, the regular DNS, the CDN's DNS, the edge servers and the origin
 * are drawn where they are; each step of the lookup adds a numbered arrow. Beside the map, the
 * round trip from the client to every edge, with the edge the CDN chose and the nearest one
 * marked; under it what the current step does and the extra latency.
 */
class CdnView : public StepView {
    Q_OBJECT

public:
    explicit CdnView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override { return {m_chart}; }
    void applyTheme(const Theme &theme) override;

    /// For tests.
    QWidget *map() const;
    QString narrative() const;
    QString figures() const;
    /// Where the map draws party @p node now (after a snapshot).
    QPointF nodePoint(CdnNode node) const;

private:
    CdnMap *m_map;
    ChartWidget *m_chart;
    QLabel *m_figures;
    QLabel *m_narrative;
    QList<QCPAbstractItem *> m_items;
    std::shared_ptr<const Snapshot> m_last;
    RunState m_lastState = RunState::Idle;
};

} // namespace proclab
