#pragma once

#include "common/stepview.h"

#include <QList>

class QLabel;
class QCPAbstractItem;
class QCPBarsGroup;

namespace proclab {

class PageGridWidget;
struct MigrationSnapshot;

/// Index of a strategy id in the house order (stopcopy 0, precopy 1, postcopy 2); its series colour.
int migrationStrategyIndex(const QString &strategy);

/**
 * @brief The live migration: the page grid, the client's response times with the
 * migration start, pause, resume and end marked (earlier runs of the other
 * strategies overlaid), and the pages sent vs dirtied per round.
 */
class MigrationLiveView : public StepView {
    Q_OBJECT

public:
    explicit MigrationLiveView(QWidget *parent = nullptr, bool showGrid = true);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override;
    void applyTheme(const Theme &theme) override;

    PageGridWidget *grid() const { return m_grid; }
    ChartWidget *responseChart() const { return m_response; }
    ChartWidget *roundsChart() const { return m_rounds; }

private:
    void drawResponse(const MigrationSnapshot *snap);
    void drawRounds(const MigrationSnapshot *snap);
    void drawFigures(const MigrationSnapshot *snap, RunState state);
    void updateLegend();

    PageGridWidget *m_grid = nullptr;
    QLabel *m_legend = nullptr;
    QLabel *m_figures = nullptr;
    QLabel *m_status = nullptr;
    ChartWidget *m_response = nullptr;
    ChartWidget *m_rounds = nullptr;
    QList<QCPAbstractItem *> m_markers;
    QCPBarsGroup *m_barsGroup = nullptr; // one group, reused by every frame's bars
    const Snapshot *m_recorded = nullptr; // the final snapshot already added to the history
};

/**
 * @brief The model's what-if charts: downtime and total time of the three
 * strategies against the dirty rate or the bandwidth, with this session's
 * measured runs as points.
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
