#include "fanoutview.h"

#include "statuslabel.h"

#include <QLabel>
#include <QVBoxLayout>

namespace proclab {

FanoutView::FanoutView(QWidget *parent)
    : StepView(parent)
    , m_speedup(new ChartWidget(this))
    , m_times(new ChartWidget(this))
    , m_status(statusLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_speedup, 3);
    layout->addWidget(m_times, 2);
    layout->addWidget(m_status);
    m_speedup->setTitle(tr("Speed-up of parallel calls against the number of servers"));
    m_speedup->setExportName(QStringLiteral("rpc-fanout-speedup"));
    m_times->setTitle(tr("Time for all calls: one after another vs all at once"));
    m_times->setExportName(QStringLiteral("rpc-fanout-times"));
    showSnapshot(nullptr, RunState::Idle);
}

void FanoutView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState)
{
    const auto s = std::dynamic_pointer_cast<const FanoutSnapshot>(snapshot);
    if (!s) {
        m_speedup->setSeries({});
        m_times->setSeries({});
        m_status->setText(snapshot ? snapshot->status : tr("Press Run (F5) to call the servers."));
        return;
    }
    // The engine builds the curves; the view only gives them its translated labels.
    std::vector<Series> all = RpcFanoutEngine::series(s->points);
    for (Series &sr : all) {
        const bool isTime = sr.id == QLatin1String("sequential") || sr.id == QLatin1String("parallel");
        if (sr.id == QLatin1String("speedup"))
            sr.name = tr("speed-up (measured)");
        else if (sr.id == QLatin1String("linear_speedup"))
            sr.name = tr("linear speed-up (model)");
        else if (sr.id == QLatin1String("sequential"))
            sr.name = tr("one after another (measured)");
        else
            sr.name = tr("all at once (measured)");
        sr.xLabel = tr("servers called");
        sr.yLabel = isTime ? tr("time for all calls (ms)") : tr("speed-up (sequential / parallel)");
    }
    const std::vector<Series> speedups(all.begin(), all.begin() + 2);
    const std::vector<Series> times(all.begin() + 2, all.end());
    m_speedup->setProvenance(Provenance::Measured);
    m_times->setProvenance(Provenance::Measured);
    m_speedup->setSeries(s->points.empty() ? std::vector<Series> {} : speedups);
    m_times->setSeries(s->points.empty() ? std::vector<Series> {} : times);
    if (!s->points.empty()) {
        m_speedup->xAxis->setRange(0.5, s->maxServers + 0.5);
        m_speedup->yAxis->setRange(0, s->maxServers + 0.5);
        if (auto *g = m_speedup->graph(1))
            g->setPen(QPen(m_theme.muted, m_theme.lineWidth, Qt::DashLine));
        m_speedup->replot(QCustomPlot::rpQueuedReplot);
        m_times->yAxis->setRangeLower(0);
        m_times->replot(QCustomPlot::rpQueuedReplot);
    }
    m_status->setText(s->result.error.isEmpty() ? s->status : s->result.error);
}

} // namespace proclab
