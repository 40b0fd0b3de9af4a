#pragma once

#include <map>
#include <vector>

#include "common/stepview.h"

#include "neighbour/neighboursnapshot.h"

namespace proclab {

class LiveTextLabel;

/**
 * @brief V9 measured: the latency-sensitive service's request latencies in each phase (alone,
 * beside a CPU-heavy tenant, beside a cache-heavy tenant, beside the CPU tenant limited):
 * p50, p99 and maximum as bars on a log scale, and the whole distributions as curves.
 */
class NeighbourView : public StepView {
    Q_OBJECT

public:
    explicit NeighbourView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override { return {m_bars, m_cdf}; }
    void applyTheme(const Theme &theme) override;

    /// @brief "alone", "beside a CPU-heavy tenant", ... for a phase id.
    static QString phaseLabel(const QString &id);
    /// @brief The same on two short lines, for the chart's axis.
    static QString tickLabel(const QString &id);

    ChartWidget *barChart() const { return m_bars; }
    ChartWidget *cdfChart() const { return m_cdf; }
    QString headline() const;
    QString notes() const;

private:
    void drawBars(const NeighbourSnapshot &s);
    void drawCdf(const NeighbourSnapshot &s);

    LiveTextLabel *m_headline;
    ChartWidget *m_bars;
    ChartWidget *m_cdf;
    LiveTextLabel *m_notes;
    std::shared_ptr<const Snapshot> m_last;
    RunState m_lastState = RunState::Idle;
    /// A phase's CDF as last computed (sorting every sample of every phase at each frame cost
    /// the window more than a 60 Hz frame): redone when its sample count changed by a 50th.
    struct CdfCache {
        std::size_t samples = 0;
        double lastSample = -1; // with the count: the same samples (not another run's)
        std::vector<double> x, y;
    };
    std::map<QString, CdfCache> m_cdfCache;
};

} // namespace proclab
