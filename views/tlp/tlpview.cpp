#include "tlpview.h"

#include "common/livetextlabel.h"

#include <QHBoxLayout>
#include <QVBoxLayout>

#include <algorithm>

namespace proclab {

TlpView::TlpView(QWidget *parent)
    : StepView(parent)
    , m_lanes(new ActivityLanes(this))
    , m_histogram(new ChartWidget(this))
    , m_overTime(new ChartWidget(this))
    , m_headline(new LiveTextLabel(this))
    , m_status(new LiveTextLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_headline);
    layout->addWidget(m_lanes, 1);
    auto *row = new QHBoxLayout;
    row->addWidget(m_histogram, 1);
    row->addWidget(m_overTime, 1);
    layout->addLayout(row, 2);
    layout->addWidget(m_status);
    m_histogram->setTitle(tr("c_i: fraction of time exactly i threads execute"));
    m_histogram->setExportName(QStringLiteral("tlp-histogram"));
    // Inside the plot the legend covered the tallest bar.
    m_histogram->placeLegendUnderTitle(true);
    m_overTime->setTitle(tr("TLP over the sliding window"));
    m_overTime->setExportName(QStringLiteral("tlp-over-time"));
    m_headline->setFont(m_theme.font(14, true));
    showSnapshot(nullptr, RunState::Idle);
}

void TlpView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_lanes->setTheme(theme);
    m_headline->setFont(theme.font(14, true));
    m_status->setFont(theme.font(10));
    showSnapshot(m_last, m_lastState);
}

QString TlpView::headline() const
{
    return m_headline->text();
}

void TlpView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    m_last = snapshot;
    m_lastState = state;
    removeOwnItems(m_histogram, &m_histItems);
    removeOwnItems(m_overTime, &m_timeItems);
    m_histogram->clearPlottables();
    const auto s = std::dynamic_pointer_cast<const TlpSnapshot>(snapshot);
    if (!s) {
        m_lanes->setLanes({}, 0);
        m_overTime->setSeries({});
        m_histogram->replot(QCustomPlot::rpQueuedReplot);
        m_headline->setText(tr("TLP = sum(i · c_i) / (1 − c_0)"));
        m_status->setText(snapshot ? snapshot->status : tr("Press Run (F5) to start sampling."));
        return;
    }
    m_lanes->setLanes(s->lanes, std::min(s->windowMs, s->rateHz > 0 ? 1000.0 * 1000 / s->rateHz : 0.0));

    // Histogram: whole run and the live window side by side, core count marked.
    const bool running = state == RunState::Running || state == RunState::Paused;
    const int maxI = std::max({s->cores, s->overall.maxConcurrent, s->window.maxConcurrent, 1});
    auto addBars = [&](const TlpStats &st, double offset, const QColor &color, const QString &name) {
        // The engine's c_i series; the view places the bars and names them.
        const Series hist = TlpEngine::histogramSeries(st);
        auto *bars = new QCPBars(m_histogram->xAxis, m_histogram->yAxis);
        bars->setName(name);
        bars->setWidth(0.38);
        bars->setPen(QPen(color.darker(130)));
        bars->setBrush(color);
        for (std::size_t i = 0; i < hist.x.size(); ++i)
            bars->addData(hist.x[i] + offset, hist.y[i]);
    };
    // Short names: the legend is one row, and the chart's corner says "measured".
    addBars(s->overall, running ? -0.2 : 0, m_theme.seriesColor(0), tr("whole run"));
    if (running)
        addBars(s->window, 0.2, m_theme.seriesColor(1), tr("last %1 ms").arg(s->windowMs, 0, 'f', 0));
    else if (auto *b = qobject_cast<QCPBars *>(m_histogram->plottable(0)))
        b->setWidth(0.7);
    m_histogram->legend->setVisible(true);
    m_histogram->xAxis->setLabel(tr("threads executing at once (i)"));
    m_histogram->yAxis->setLabel(tr("c_i")); // the title says what it is: a fraction of the time
    m_histogram->xAxis->setRange(-0.6, maxI + 0.6);
    m_histogram->yAxis->setRange(0, 1.05);
    QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
    ticker->setTickStep(1);
    m_histogram->xAxis->setTicker(ticker);
    auto *coreLine = new QCPItemStraightLine(m_histogram);
    coreLine->point1->setCoords(s->cores + 0.5, 0);
    coreLine->point2->setCoords(s->cores + 0.5, 1);
    coreLine->setPen(QPen(m_theme.bad, 2, Qt::DashLine));
    m_histItems << coreLine;
    m_histogram->setProvenance(Provenance::Measured);
    m_histogram->replot(QCustomPlot::rpQueuedReplot);

    // TLP over time with the ceiling: no more threads can execute than there are cores.
    Series tlp = TlpEngine::overTimeSeries(*s);
    tlp.name = tr("TLP, last %1 ms (measured)").arg(s->windowMs, 0, 'f', 0);
    tlp.xLabel = tr("time (s)");
    tlp.yLabel = tr("TLP");
    m_overTime->setSeries({tlp}, false);
    const double tEnd = s->timeS.empty() ? 1.0 : std::max(1.0, s->timeS.back());
    m_overTime->xAxis->setRange(0, tEnd);
    m_overTime->yAxis->setRange(0, s->cores + 0.5);
    auto *ceiling = new QCPItemStraightLine(m_overTime);
    ceiling->point1->setCoords(0, s->cores);
    ceiling->point2->setCoords(1, s->cores);
    ceiling->setPen(QPen(m_theme.bad, 2, Qt::DashLine));
    auto *ceilingLabel = new QCPItemText(m_overTime);
    ceilingLabel->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
    ceilingLabel->position->setTypeY(QCPItemPosition::ptPlotCoords);
    ceilingLabel->position->setCoords(0.02, s->cores);
    ceilingLabel->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
    ceilingLabel->setText(tr("ceiling: %1 cores").arg(s->cores));
    ceilingLabel->setColor(m_theme.bad);
    ceilingLabel->setFont(m_theme.font(10, true));
    m_timeItems << ceiling << ceilingLabel;
    m_overTime->setProvenance(Provenance::Measured);
    m_overTime->replot(QCustomPlot::rpQueuedReplot);

    const TlpStats &shown = running ? s->window : s->overall;
    const QString value
        = shown.defined ? QString::number(shown.tlp, 'f', 2) : tr("undefined (nothing executed)");
    m_headline->setText(
        tr("TLP %1 · %2 (measured) · ceiling %3 cores")
            .arg(value, running ? tr("last %1 ms").arg(s->windowMs, 0, 'f', 0) : tr("whole run"))
            .arg(s->cores));
    QString info = tr("%1 · %2 samples at %3 Hz (asked %4 Hz) · sampler CPU %5 % · %6 seen")
                       .arg(s->target)
                       .arg(s->overall.samples)
                       .arg(s->achievedHz, 0, 'f', 0)
                       .arg(s->rateHz, 0, 'f', 0)
                       .arg(s->samplerCpuPercent, 0, 'f', 2)
                       .arg(s->threadsSeen == 1 ? tr("1 thread") : tr("%1 threads").arg(s->threadsSeen));
    if (!s->result.error.isEmpty())
        info = s->result.error;
    m_status->setText(info);
}

} // namespace proclab
