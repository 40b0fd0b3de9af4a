#include "webclientview.h"

#include "statuslabel.h"

#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>

namespace proclab {

namespace {

QString csvNumber(double v)
{
    return QString::number(v, 'g', 10);
}

} // namespace

WebClientView::WebClientView(QWidget *parent)
    : StepView(parent)
    , m_waterfall(new ChartWidget(this))
    , m_curve(new ChartWidget(this))
    , m_status(statusLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_waterfall, 3);
    layout->addWidget(m_curve, 2);
    layout->addWidget(m_status);
    m_waterfall->setTitle(tr("Waterfall: one bar per resource, colour = client thread"));
    m_waterfall->setExportName(QStringLiteral("webclient-waterfall"));
    m_waterfall->yAxis->setRangeReversed(true);
    m_curve->setTitle(tr("Page load time against client threads"));
    m_curve->setExportName(QStringLiteral("webclient-load-time"));
    m_waterfall->setCsvProvider([this] {
        QString out
            = QStringLiteral("resource,path,thread,start_ms,connected_ms,first_byte_ms,end_ms,bytes\n");
        const auto s = std::dynamic_pointer_cast<const WebClientSnapshot>(m_last);
        if (!s)
            return out;
        for (const auto &e : s->waterfall) {
            out += QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8\n")
                       .arg(e.resource)
                       .arg(csvField(e.path))
                       .arg(e.thread)
                       .arg(csvNumber(e.timing.startMs), csvNumber(e.timing.connectedMs),
                           csvNumber(e.timing.firstByteMs), csvNumber(e.timing.endMs))
                       .arg(e.timing.bytes);
        }
        return out;
    });
    showSnapshot(nullptr, RunState::Idle);
}

void WebClientView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_status->setFont(theme.font(11));
    showSnapshot(m_last, m_lastState);
}

void WebClientView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    m_last = snapshot;
    m_lastState = state;
    const auto s = std::dynamic_pointer_cast<const WebClientSnapshot>(snapshot);
    if (!s) {
        removeOwnItems(m_waterfall, &m_items);
        m_waterfall->clearPlottables();
        m_curve->setSeries({});
        m_bars = 0;
        m_waterfall->replot(QCustomPlot::rpQueuedReplot);
        m_status->setText(snapshot ? snapshot->status : tr("Press Run (F5) to load the page."));
        return;
    }
    m_waterfall->setProvenance(Provenance::Measured);
    m_curve->setProvenance(Provenance::Measured);
    drawWaterfall(*s);
    drawCurve(*s);
    QString text = s->result.error.isEmpty() ? s->status : s->result.error;
    if (s->port)
        text += tr("  ·  server: http://127.0.0.1:%1/").arg(s->port);
    m_status->setText(text);
}

void WebClientView::drawWaterfall(const WebClientSnapshot &s)
{
    ChartWidget *c = m_waterfall;
    // Hand-drawn items: the chart's own series mechanism is not used here, so
    // everything is cleared and redrawn from the snapshot (at most 65 rows).
    removeOwnItems(c, &m_items);
    c->clearPlottables();
    m_bars = 0;
    const int rows = s.resources + 1;
    double maxEnd = 1;
    for (const auto &e : s.waterfall)
        maxEnd = std::max(maxEnd, e.timing.endMs);
    const double barHalf = 0.38;
    for (const auto &e : s.waterfall) {
        const double y = e.resource + 1; // page on row 0
        const QColor col = e.resource < 0 ? m_theme.text : m_theme.seriesColor(e.thread);
        QColor pale = col;
        pale.setAlpha(70);
        auto addRect = [&](double x0, double x1, const QColor &fill) {
            auto *r = new QCPItemRect(c);
            r->topLeft->setCoords(x0, y - barHalf);
            r->bottomRight->setCoords(std::max(x1, x0 + maxEnd * 0.002), y + barHalf);
            r->setPen(QPen(col, 1));
            r->setBrush(fill);
            r->setClipToAxisRect(true);
            m_items << r;
            ++m_bars;
        };
        addRect(e.timing.startMs, e.timing.firstByteMs > 0 ? e.timing.firstByteMs : e.timing.endMs, pale);
        if (e.timing.firstByteMs > 0)
            addRect(e.timing.firstByteMs, e.timing.endMs, col);
    }
    // Legend: one empty graph per thread, so that colours are named (up to 8).
    if (s.threads <= 8) {
        for (int t = 0; t < s.threads; ++t) {
            auto *g = c->addGraph();
            g->setName(tr("thread %1").arg(t));
            g->setPen(QPen(m_theme.seriesColor(t), 6));
        }
        c->legend->setVisible(true);
    } else {
        c->legend->setVisible(false);
    }
    if (s.loadMs > 0) {
        auto *line = new QCPItemStraightLine(c);
        line->point1->setCoords(s.loadMs, 0);
        line->point2->setCoords(s.loadMs, 1);
        line->setPen(QPen(m_theme.accent, 2, Qt::DashLine));
        auto *label = new QCPItemText(c);
        m_items << line << label;
        label->position->setCoords(s.loadMs, rows - 0.5);
        label->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
        label->setText(tr("page loaded: %1 ms ").arg(s.loadMs, 0, 'f', 0));
        label->setColor(m_theme.accent);
        label->setFont(m_theme.font(11, true));
    }
    c->xAxis->setLabel(tr("time since the page request (ms)"));
    c->yAxis->setLabel(tr("resource (0 = the page)"));
    c->xAxis->setRange(0, maxEnd * 1.03);
    c->yAxis->setRange(-0.7, rows - 0.3);
    c->yAxis->setRangeReversed(true);
    c->replot(QCustomPlot::rpQueuedReplot);
}

void WebClientView::drawCurve(const WebClientSnapshot &s)
{
    // The engine builds the curves (measured and the model bounds); the view labels them.
    std::vector<Series> series = WebClientEngine::curveSeries(s);
    for (Series &sr : series) {
        if (sr.id == QLatin1String("latency_bound"))
            sr.name = tr("latency bound (model)");
        else if (sr.id == QLatin1String("bandwidth_bound"))
            sr.name = tr("bandwidth bound (model)");
        else
            sr.name = tr("page load time (measured)");
        sr.xLabel = tr("client threads");
        sr.yLabel = tr("page load time (ms)");
    }
    // One thread count measured (the first steps): a curve of one point is a dot, with room
    // on both sides, not an invisible line on a range rescaled around nothing.
    double lo = 1e300, hi = -1e300;
    for (Series &sr : series) {
        for (double x : sr.x) {
            lo = std::min(lo, x);
            hi = std::max(hi, x);
        }
    }
    const bool onePoint = !series.empty() && lo == hi;
    if (onePoint) {
        for (Series &sr : series)
            sr.style = Series::Style::Scatter;
    }
    m_curve->setSeries(series, true);
    if (!series.empty()) {
        m_curve->yAxis->setRangeLower(0);
        if (onePoint)
            m_curve->xAxis->setRange(std::max(0.0, lo - 1), hi + 1);
        m_curve->replot(QCustomPlot::rpQueuedReplot);
    }
}

} // namespace proclab
