#include "migrationsweepview.h"

#include "migrationrunrecord.h"
#include "migrationviewstyle.h"

#include "common/runhistory.h"
#include "migration/migrationengine.h"
#include "migration/migrationmodelengine.h"
#include "migration/migrationmodelsnapshot.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>

namespace proclab {

MigrationSweepView::MigrationSweepView(QWidget *parent)
    : StepView(parent)
    , m_downtime(new ChartWidget(this))
    , m_total(new ChartWidget(this))
    , m_status(new QLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *charts = new QHBoxLayout;
    charts->addWidget(m_downtime, 1);
    charts->addWidget(m_total, 1);
    layout->addLayout(charts, 1);
    layout->addWidget(m_status);
    m_status->setWordWrap(true);
    m_downtime->setTitle(tr("Downtime"));
    m_total->setTitle(tr("Total migration time"));
    m_downtime->setExportName(QStringLiteral("migration-model-downtime"));
    m_total->setExportName(QStringLiteral("migration-model-total"));
    for (ChartWidget *c : {m_downtime, m_total}) {
        c->setProvenance(Provenance::Model);
        MigrationViewStyle::useLogY(c);
        // The legend above the plot, an entry a row (two to a row were cut in a half-width
        // chart): inside the plot it hid the stop-and-copy line.
        c->placeLegendUnderTitle(true);
        c->legend->setWrap(1);
    }
    showSnapshot(nullptr, RunState::Idle);
}

void MigrationSweepView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_status->setFont(theme.font(11));
}

void MigrationSweepView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState)
{
    const auto *snap = dynamic_cast<const MigrationModelSnapshot *>(snapshot.get());
    if (!snap) {
        m_downtime->setSeries({});
        m_total->setSeries({});
        m_status->setText(snapshot ? snapshot->result.error : tr("Press Run (F5) to compute the model."));
        return;
    }
    const bool byRate = snap->sweep == QLatin1String("dirty_rate");
    const bool byBandwidth = snap->sweep == QLatin1String("bandwidth");
    const QString xLabel = byRate ? tr("dirty rate (pages/s)") : tr("bandwidth (Mbit/s)");
    const QString yLabel = tr("time (s, model)");
    // This session's measured runs, from the numbers of their results.
    std::vector<MigrationRunRecord> measured;
    if (m_runHistory) {
        for (const RunHistory::Run *run : m_runHistory->runsOf(MigrationEngine::kId)) {
            if (auto rec = MigrationRunRecord::fromResult(run->result))
                measured.push_back(std::move(*rec));
        }
    }
    for (int chart = 0; chart < 2; ++chart) {
        ChartWidget *c = chart == 0 ? m_downtime : m_total;
        std::vector<Series> series;
        std::vector<int> strategyOf;
        std::vector<bool> faint;
        for (const QString &id : MigrationViewStyle::strategyIds()) {
            const QString seriesId = MigrationModelEngine::sweepSeriesId(id, chart == 0);
            const auto s = std::find_if(snap->result.series.begin(), snap->result.series.end(),
                [&](const Series &x) { return x.id == seriesId; });
            if (s == snap->result.series.end())
                continue;
            Series t = *s;
            t.name = tr("%1 (model)").arg(MigrationViewStyle::strategyTitle(id));
            t.xLabel = xLabel;
            t.yLabel = yLabel;
            for (double &y : t.y)
                y = std::max(y, 1e-5);
            series.push_back(std::move(t));
            strategyOf.push_back(MigrationViewStyle::strategyIndex(id));
            faint.push_back(false);
        }
        // This session's measured runs, as points on the curves.
        if (byRate || byBandwidth) {
            for (const QString &id : MigrationViewStyle::strategyIds()) {
                Series m;
                m.id = QStringLiteral("measured_") + id;
                m.name = tr("%1 (measured)").arg(MigrationViewStyle::strategyTitle(id));
                m.style = Series::Style::Scatter;
                for (const MigrationRunRecord &run : measured) {
                    const double y = chart == 0 ? run.downtimeMs : run.totalMs;
                    if (run.strategy != id || y < 0 || (byBandwidth && run.bandwidthBits <= 0))
                        continue;
                    m.x.push_back(byRate ? run.dirtyRate : run.bandwidthBits / 1e6);
                    m.y.push_back(std::max(y / 1000, 1e-5));
                }
                if (m.x.empty())
                    continue;
                if (!series.empty()) {
                    m.xLabel = series.front().xLabel;
                    m.yLabel = series.front().yLabel;
                }
                series.push_back(std::move(m));
                strategyOf.push_back(MigrationViewStyle::strategyIndex(id));
                faint.push_back(false);
            }
        }
        c->setSeries(series, true);
        MigrationViewStyle::recolour(c, strategyOf, faint);
        // Room above and below: flat curves (stop-and-copy, post-copy) sit on the data's edges.
        const QCPRange yr = c->yAxis->range();
        if (yr.lower > 0)
            c->yAxis->setRange(yr.lower / 1.6, yr.upper * 1.6);
        if (byBandwidth) {
            c->xAxis->setScaleType(QCPAxis::stLogarithmic);
            c->xAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
        } else {
            c->xAxis->setScaleType(QCPAxis::stLinear);
            // Few ticks: five-digit rates side by side ran into each other on a half-width chart.
            QSharedPointer<QCPAxisTicker> ticker(new QCPAxisTicker);
            ticker->setTickCount(3);
            c->xAxis->setTicker(ticker);
        }
        c->replot(QCustomPlot::rpQueuedReplot);
    }
    m_status->setText(snap->status + tr(" (model; diamonds: runs measured on this machine in this session)"));
}

} // namespace proclab
