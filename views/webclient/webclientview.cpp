#include "webclientview.h"

#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace proclab {

namespace {

QLabel *statusLabel(QWidget *parent)
{
    auto *l = new QLabel(parent);
    l->setWordWrap(true);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return l;
}

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
        QString out = QStringLiteral("resource,path,thread,start_ms,connected_ms,first_byte_ms,end_ms,bytes\n");
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
    std::vector<Series> series;
    if (!s.curve.empty()) {
        Series measured{tr("page load time (measured)"), tr("client threads"), tr("page load time (ms)"),
                        Series::Style::Line, {}, {}, {}};
        Series bound{tr("latency bound (model)"), measured.xLabel, measured.yLabel, Series::Style::Line, {}, {}, {}};
        for (const auto &p : s.curve) {
            measured.x.push_back(p.threads);
            measured.y.push_back(p.loadMs);
            // Page + ceil(N / k) rounds of one latency each: what latency alone allows.
            bound.x.push_back(p.threads);
            bound.y.push_back(s.latencyMs + std::ceil(double(s.resources) / p.threads) * s.latencyMs);
        }
        series = {measured, bound};
        if (s.bandwidthBytesPerSec > 0) {
            const double bw = 1000.0 * double(s.resourceBytes) * s.resources / s.bandwidthBytesPerSec;
            Series link{tr("bandwidth bound (model)"), measured.xLabel, measured.yLabel, Series::Style::Line,
                        {double(s.curve.front().threads), double(s.curve.back().threads)}, {bw, bw}, {}};
            series.push_back(link);
        }
    }
    m_curve->setSeries(series, true);
    if (!series.empty()) {
        m_curve->yAxis->setRangeLower(0);
        m_curve->replot(QCustomPlot::rpQueuedReplot);
    }
}

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
    Series speed{tr("speed-up (measured)"), tr("servers called"), tr("speed-up (sequential / parallel)"),
                 Series::Style::Line, {}, {}, {}};
    Series ideal{tr("linear speed-up (model)"), speed.xLabel, speed.yLabel, Series::Style::Line, {}, {}, {}};
    Series seq{tr("one after another (measured)"), tr("servers called"), tr("time for all calls (ms)"),
               Series::Style::Line, {}, {}, {}};
    Series par{tr("all at once (measured)"), seq.xLabel, seq.yLabel, Series::Style::Line, {}, {}, {}};
    for (const auto &p : s->points) {
        speed.x.push_back(p.servers);
        speed.y.push_back(p.speedup);
        ideal.x.push_back(p.servers);
        ideal.y.push_back(p.servers);
        seq.x.push_back(p.servers);
        seq.y.push_back(p.sequentialMs);
        par.x.push_back(p.servers);
        par.y.push_back(p.parallelMs);
    }
    m_speedup->setProvenance(Provenance::Measured);
    m_times->setProvenance(Provenance::Measured);
    m_speedup->setSeries(s->points.empty() ? std::vector<Series>{} : std::vector<Series>{speed, ideal});
    m_times->setSeries(s->points.empty() ? std::vector<Series>{} : std::vector<Series>{seq, par});
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

ReplicaView::ReplicaView(QWidget *parent)
    : StepView(parent)
    , m_chart(new ChartWidget(this))
    , m_counters(new QLabel(this))
    , m_caller(new QLabel(this))
    , m_status(statusLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_chart, 1);
    layout->addWidget(m_caller);
    layout->addWidget(m_counters);
    layout->addWidget(m_status);
    m_chart->setTitle(tr("What the caller waited, coloured by the replica that answered first"));
    m_chart->setExportName(QStringLiteral("replicas-latency"));
    m_counters->setTextFormat(Qt::RichText);
    // The counters are the point of this step: they keep their full height.
    m_counters->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);
    m_caller->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);
    m_chart->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    showSnapshot(nullptr, RunState::Idle);
}

void ReplicaView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_counters->setFont(theme.font(12));
    m_caller->setFont(theme.font(14, true));
    m_status->setFont(theme.font(11));
    showSnapshot(m_last, m_lastState);
}

QString ReplicaView::countersText() const
{
    return m_counters->text();
}

void ReplicaView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    m_last = snapshot;
    m_lastState = state;
    const auto s = std::dynamic_pointer_cast<const ReplicaSnapshot>(snapshot);
    removeOwnItems(m_chart, &m_items);
    if (!s) {
        m_chart->setSeries({});
        m_counters->clear();
        m_caller->clear();
        m_status->setText(snapshot ? snapshot->status : tr("Press Run (F5) to start calling through the stub."));
        return;
    }
    std::vector<Series> series;
    for (int r = 0; r < s->replicas; ++r) {
        Series sr{tr("answered by replica %1").arg(r), tr("call"), tr("latency seen by the caller (ms)"),
                  Series::Style::Scatter, {}, {}, {}};
        for (const auto &c : s->calls) {
            if (c.winner == r) {
                sr.x.push_back(c.index);
                sr.y.push_back(c.latencyMs);
            }
        }
        series.push_back(sr);
    }
    Series failed{tr("failed for the caller"), tr("call"), tr("latency seen by the caller (ms)"),
                  Series::Style::Scatter, {}, {}, {}};
    for (const auto &c : s->calls) {
        if (c.winner < 0) {
            failed.x.push_back(c.index);
            failed.y.push_back(c.latencyMs);
        }
    }
    if (!failed.x.empty())
        series.push_back(failed);
    m_chart->setProvenance(Provenance::Measured);
    m_chart->setSeries(series, true);
    m_chart->xAxis->setRange(-0.5, std::max(1, s->requests) - 0.5);
    double maxLatency = 1;
    for (const auto &c : s->calls)
        maxLatency = std::max(maxLatency, c.latencyMs);
    m_chart->yAxis->setRange(0, maxLatency * 1.3); // headroom for the kill label
    if (s->killedReplica >= 0 && s->killAt >= 0) {
        auto *line = new QCPItemStraightLine(m_chart);
        line->point1->setCoords(s->killAt - 0.5, 0);
        line->point2->setCoords(s->killAt - 0.5, 1);
        line->setPen(QPen(m_theme.bad, 2.5, Qt::DashLine));
        auto *label = new QCPItemText(m_chart);
        m_items << line << label;
        label->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        label->position->setTypeX(QCPItemPosition::ptPlotCoords);
        label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        label->position->setCoords(s->killAt - 0.3, 0.06);
        label->setText(tr("replica %1 killed").arg(s->killedReplica));
        label->setColor(m_theme.bad);
        label->setFont(m_theme.font(11, true));
    }
    m_chart->replot(QCustomPlot::rpQueuedReplot);

    m_caller->setText(tr("Calls made: %1   ·   failures the caller saw: %2")
                          .arg(s->calls.size())
                          .arg(s->callerFailures));
    QPalette pal = m_caller->palette();
    pal.setColor(QPalette::WindowText, s->callerFailures == 0 ? m_theme.good : m_theme.bad);
    m_caller->setPalette(pal);
    QString html = QStringLiteral("<table cellspacing='0' cellpadding='4'><tr><th align='left'>%1</th>"
                                  "<th>%2</th><th>%3</th><th>%4</th><th>%5</th></tr>")
                       .arg(tr("stub counters"), tr("sent"), tr("answered first"), tr("answered late"), tr("failed"));
    for (std::size_t r = 0; r < s->counters.size(); ++r) {
        const auto &k = s->counters[r];
        const QString name = tr("replica %1").arg(r) + (k.killed ? tr(" (killed)") : QString());
        html += QStringLiteral("<tr><td><span style='color:%1'>&#9632;</span> %2</td><td align='right'>%3</td>"
                               "<td align='right'>%4</td><td align='right'>%5</td><td align='right'%6>%7</td></tr>")
                    .arg(m_theme.seriesColor(static_cast<int>(r)).name(), name)
                    .arg(k.sent)
                    .arg(k.first)
                    .arg(k.late)
                    .arg(k.failed > 0 ? QStringLiteral(" style='color:%1'").arg(m_theme.bad.name()) : QString())
                    .arg(k.failed);
    }
    html += QStringLiteral("</table>");
    m_counters->setText(html);
    m_status->setText(s->result.error.isEmpty() ? s->status : s->result.error);
}

} // namespace proclab
