#pragma once

#include "common/stepview.h"

#include "migrationrunrecord.h"

#include <QList>

#include <vector>

class QLabel;
class QCPAbstractItem;
class QCPItemText;
class QCPBarsGroup;

namespace proclab {

class LiveTextLabel;
class PageGridWidget;
struct MigrationSnapshot;

/**
 * @brief The live migration: the page grid, the client's response times with the
 * migration start, pause, resume and end marked (earlier runs of the other
 * strategies from the run history overlaid), and the pages sent vs dirtied per round.
 *
 * Drawn for every snapshot of a run (up to 30 a second), so each part is redrawn only
 * when what it shows changed: the grid repaints the pages whose state changed, the charts
 * keep their graphs and get the new points appended, the markers are made again only
 * when a marked moment changes, an earlier run is read from the history once.
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
    /// The figures under the charts, as rich text (what the run measured, in words).
    QString figuresText() const;
    /// The labels of the start, pause, resume and end markers now drawn.
    QList<QCPItemText *> markerLabels() const;
    /// The page grid's legend, as rich text (empty without a grid).
    QString gridLegendText() const;

private:
    void drawResponse(const std::shared_ptr<const Snapshot> &snapshot, const MigrationSnapshot *snap);
    void drawRounds(const MigrationSnapshot *snap);
    void drawFigures(const MigrationSnapshot *snap, RunState state);
    /// The grid's legend for the states @p postCopy shows: a source's rounds (sent, re-sent) or
    /// post-copy's destination (present, missing, fetched), so no colour stands for two things.
    void updateLegend(bool postCopy);
    /// The earlier runs to overlay (one per strategy, the newest), read once per history change.
    void updateEarlierRuns(const std::shared_ptr<const Snapshot> &snapshot, const MigrationSnapshot *snap);
    void drawMarkers(const MigrationSnapshot *snap, double origin);
    /// Draws the response lines whose samples lie a few pixels apart or closer with a thinner pen.
    void thinDenseLines();
    /// Puts the marker labels in rows so that none overlaps another (run after each layout).
    void layoutMarkerLabels();

    PageGridWidget *m_grid = nullptr;
    QLabel *m_legend = nullptr;
    bool m_legendPostCopy = false; // what the legend lists now
    LiveTextLabel *m_figures = nullptr;
    LiveTextLabel *m_status = nullptr;
    ChartWidget *m_response = nullptr;
    ChartWidget *m_rounds = nullptr;
    QList<QCPAbstractItem *> m_markers;
    /// The markers' labels (in m_markers), in the order of their moments, with their x (s).
    std::vector<std::pair<QCPItemText *, double>> m_markerLabels;
    QCPItemRect *m_downtimeBand = nullptr; ///< in m_markers; its right end follows a paused run
    /// The moments the markers show (start, pause, resume, end, origin), to tell when they move.
    std::vector<double> m_markerMoments;
    /// Identifies the earlier runs overlaid (the history's runs, the strategy shown).
    std::vector<const void *> m_earlierKey;
    std::vector<Series> m_earlierSeries;
    std::vector<int> m_earlierStrategy;
    QCPBarsGroup *m_barsGroup = nullptr; // one group, reused by every frame's bars
};

} // namespace proclab
