#pragma once

#include "common/stepview.h"

#include <QList>

class QLabel;
class QCPAbstractItem;
class QCPBarsGroup;

namespace proclab {

class PageGridWidget;
struct MigrationSnapshot;

/**
 * @brief The live migration: the page grid, the client's response times with the
 * migration start, pause, resume and end marked (earlier runs of the other
 * strategies from the run history overlaid), and the pages sent vs dirtied per round.
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
    void drawResponse(const std::shared_ptr<const Snapshot> &snapshot, const MigrationSnapshot *snap);
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
};

} // namespace proclab
