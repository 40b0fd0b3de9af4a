#include "neighbourview.h"

#include "common/livetextlabel.h"
#include "neighbour/latencystats.h"

#include <QSplitter>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace proclab {

namespace {

constexpr int kCdfPoints = 300;

} // namespace

NeighbourView::NeighbourView(QWidget *parent)
    : StepView(parent)
    , m_headline(new LiveTextLabel(this))
    , m_bars(new ChartWidget(this))
    , m_cdf(new ChartWidget(this))
    , m_notes(new LiveTextLabel(this))
{
    m_bars->setTitle(tr("p50, p99, max per phase"));
    m_bars->setProvenance(Provenance::Measured);
    m_bars->setExportName(QStringLiteral("neighbour-percentiles"));
    m_cdf->setTitle(tr("Distribution"));
    m_cdf->setProvenance(Provenance::Measured);
    m_cdf->setExportName(QStringLiteral("neighbour-cdf"));
    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_bars);
    split->addWidget(m_cdf);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_headline);
    layout->addWidget(split, 1);
    layout->addWidget(m_notes);
    applyTheme(m_theme);
    showSnapshot(nullptr, RunState::Idle);
}

QString NeighbourView::phaseLabel(const QString &id)
{
    if (id == QLatin1String("alone"))
        return tr("alone");
    if (id == QLatin1String("cpu"))
        return tr("+ CPU tenant");
    if (id == QLatin1String("cache"))
        return tr("+ cache tenant");
    return tr("+ CPU tenant, limited");
}

QString NeighbourView::tickLabel(const QString &id)
{
    if (id == QLatin1String("alone"))
        return tr("alone");
    if (id == QLatin1String("cpu"))
        return tr("+ CPU\ntenant");
    if (id == QLatin1String("cache"))
        return tr("+ cache\ntenant");
    return tr("+ CPU tenant\nlimited");
}

QString NeighbourView::headline() const
{
    return m_headline->text();
}

QString NeighbourView::notes() const
{
    return m_notes->text();
}

void NeighbourView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_headline->setFont(theme.font(13, true));
    m_notes->setFont(theme.font(10));
    if (m_last)
        showSnapshot(m_last, m_lastState);
}

void NeighbourView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    m_last = snapshot;
    m_lastState = state;
    const auto *s = dynamic_cast<const NeighbourSnapshot *>(snapshot.get());
    if (!s) {
        m_headline->setText(tr("Press Run: a service answers requests alone, then beside noisy tenants."));
        m_notes->clear();
        m_bars->setSeries({});
        m_cdf->setSeries({});
        m_cdfCache.clear();
        m_bars->clearItems();
        return;
    }
    drawBars(*s);
    drawCdf(*s);

    const NeighbourPhase *alone = nullptr;
    const NeighbourPhase *worst = nullptr;
    for (const NeighbourPhase &p : s->phases) {
        if (p.latency.count == 0)
            continue;
        if (p.id == QLatin1String("alone"))
            alone = &p;
        else if (!worst || p.latency.p99Us > worst->latency.p99Us)
            worst = &p;
    }
    if (alone && worst && alone->latency.p99Us > 0)
        m_headline->setText(tr("p99 latency: %1 us alone, %2 us %3 (%4x), measured on this machine")
                                .arg(alone->latency.p99Us, 0, 'f', 0)
                                .arg(worst->latency.p99Us, 0, 'f', 0)
                                .arg(phaseLabel(worst->id))
                                .arg(worst->latency.p99Us / alone->latency.p99Us, 0, 'f', 1));
    else
        m_headline->setText(s->status);

    QStringList notes;
    notes << tr("Service on CPU %1, tenants on CPU %2 (%3); a request every %4 us, walking %5.")
                 .arg(s->serviceCpu)
                 .arg(s->tenantCpu)
                 .arg(s->sameCore ? tr("the same CPU") : tr("another CPU"))
                 .arg(s->intervalUs)
                 .arg(formatBytes(s->workingSetBytes));
    for (const NeighbourPhase &p : s->phases) {
        if (p.state == NeighbourPhase::State::Skipped)
            notes << tr("%1: skipped, %2").arg(phaseLabel(p.id), p.why);
        else if (p.state == NeighbourPhase::State::Done && p.tenantCpuPercent >= 0)
            notes << tr("%1: the tenant used %2 % of a CPU%3")
                         .arg(phaseLabel(p.id))
                         .arg(p.tenantCpuPercent, 0, 'f', 0)
                         .arg(p.limitMethod.isEmpty() ? QString()
                                                      : QStringLiteral(", limited by %1").arg(p.limitMethod));
    }
    if (!s->result.error.isEmpty())
        notes << s->result.error;
    m_notes->setText(notes.join(QLatin1Char('\n')));
}

void NeighbourView::drawBars(const NeighbourSnapshot &s)
{
    const char *names[3] = {"p50", "p99", "max"};
    std::vector<Series> series(3);
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (int k = 0; k < 3; ++k) {
        series[std::size_t(k)].id = QLatin1String(names[k]);
        series[std::size_t(k)].name = QLatin1String(names[k]);
        series[std::size_t(k)].style = Series::Style::Bars;
        series[std::size_t(k)].xLabel = QString();
        series[std::size_t(k)].yLabel = tr("latency (us), log scale");
    }
    for (std::size_t i = 0; i < s.phases.size(); ++i) {
        const NeighbourPhase &p = s.phases[i];
        ticker->addTick(double(i), tickLabel(p.id));
        if (p.latency.count == 0)
            continue;
        const double v[3] = {p.latency.p50Us, p.latency.p99Us, p.latency.maxUs};
        for (int k = 0; k < 3; ++k) {
            series[std::size_t(k)].x.push_back(double(i) + (k - 1) * 0.27);
            series[std::size_t(k)].y.push_back(std::max(1.0, v[k]));
        }
    }
    m_bars->setSeries(series, false);
    for (int k = 0; k < m_bars->plottableCount(); ++k) {
        if (auto *bars = qobject_cast<QCPBars *>(m_bars->plottable(k)))
            bars->setWidth(0.25);
    }
    m_bars->xAxis->setTicker(ticker);
    m_bars->xAxis->setTickLabelFont(m_theme.font(9));
    m_bars->xAxis->setRange(-0.6, double(std::max<std::size_t>(1, s.phases.size())) - 0.4);
    m_bars->yAxis->setScaleType(QCPAxis::stLogarithmic);
    m_bars->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    double top = 10;
    for (const NeighbourPhase &p : s.phases)
        top = std::max(top, p.latency.maxUs);
    // Two decades of room above the tallest bar for the legend.
    m_bars->yAxis->setRange(1, top * 100);
    m_bars->legend->setVisible(true);
    m_bars->legend->setFont(m_theme.font(9));
    m_bars->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    m_bars->replot(QCustomPlot::rpQueuedReplot);
}

void NeighbourView::drawCdf(const NeighbourSnapshot &s)
{
    std::vector<Series> series;
    double low = 1e18, high = 1;
    for (const NeighbourPhase &p : s.phases) {
        if (p.latencyUs.empty())
            continue;
        Series c;
        c.id = QStringLiteral("cdf_") + p.id;
        c.name = phaseLabel(p.id);
        c.xLabel = tr("latency (us), log scale");
        c.yLabel = tr("requests at or below (%)");
        CdfCache &cache = m_cdfCache[p.id];
        const std::size_t n = p.latencyUs.size();
        const bool same = n == cache.samples && p.latencyUs.back() == cache.lastSample;
        const bool grewLittle = n > cache.samples && n - cache.samples <= cache.samples / 50
            && p.state != NeighbourPhase::State::Done;
        if (!same && !grewLittle) {
            LatencyStats::cdf(p.latencyUs, kCdfPoints, &cache.x, &cache.y);
            cache.samples = n;
            cache.lastSample = p.latencyUs.back();
        }
        c.x = cache.x;
        c.y = cache.y;
        low = std::min(low, c.x.front());
        high = std::max(high, c.x.back());
        series.push_back(c);
    }
    m_cdf->setSeries(series, false);
    // The same colour for a phase in both charts would need one per phase; the legend names them.
    m_cdf->xAxis->setScaleType(QCPAxis::stLogarithmic);
    m_cdf->xAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    if (!series.empty())
        m_cdf->xAxis->setRange(std::max(0.5, low * 0.8), high * 1.3);
    m_cdf->yAxis->setRange(0, 102);
    m_cdf->legend->setVisible(!series.empty());
    m_cdf->legend->setFont(m_theme.font(9));
    m_cdf->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    m_cdf->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace proclab
