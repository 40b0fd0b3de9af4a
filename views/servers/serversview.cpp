#include "serversview.h"

#include "dispatcherpicture.h"

#include "common/livetextlabel.h"

#include "servers/servercapacitymodel.h"
#include "servers/serversengine.h"

#include <QHBoxLayout>
#include <QVBoxLayout>

#include <algorithm>

namespace proclab {

namespace {

QString designName(ServerDesign d)
{
    return QLatin1String(serverDesignName(d));
}

// Back to a linear axis with numbers, after a comparison drew names or a log scale on it.
void plainAxis(QCPAxis *axis)
{
    axis->setScaleType(QCPAxis::stLinear);
    axis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
}

QString clientsText(int clients)
{
    return clients == 1 ? ServersView::tr("1 client") : ServersView::tr("%1 clients").arg(clients);
}

// Room above the highest bar or point for the legend.
void headroom(ChartWidget *c, double top)
{
    if (top > 0)
        c->yAxis->setRange(0, top * 1.35);
}

} // namespace

ServersView::ServersView(QWidget *parent)
    : StepView(parent)
    , m_picture(new DispatcherPicture(this))
    , m_throughput(new ChartWidget(this))
    , m_latency(new ChartWidget(this))
    , m_table(new LiveTextLabel(this))
    , m_status(new LiveTextLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *top = new QHBoxLayout;
    top->addWidget(m_picture, 5);
    top->addWidget(m_table, 3);
    layout->addLayout(top, 4);
    auto *charts = new QHBoxLayout;
    charts->addWidget(m_throughput);
    charts->addWidget(m_latency);
    layout->addLayout(charts, 5);
    layout->addWidget(m_status);
    m_table->setTextFormat(Qt::RichText);
    m_throughput->setExportName(QStringLiteral("servers-throughput"));
    m_latency->setExportName(QStringLiteral("servers-latency"));
    showSnapshot(nullptr, RunState::Idle);
}

void ServersView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_picture->setTheme(theme);
    m_status->setFont(theme.font(11));
    m_table->setFont(theme.font(10));
    showSnapshot(m_last, m_lastState);
}

QString ServersView::tableText() const
{
    return m_table->text();
}

void ServersView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    m_last = snapshot;
    m_lastState = state;
    const auto s = std::dynamic_pointer_cast<const ServersSnapshot>(snapshot);
    m_picture->setSnapshot(s);
    removeOwnItems(m_throughput, &m_throughputItems);
    removeOwnItems(m_latency, &m_latencyItems);
    if (!s) {
        m_throughput->setTitle(tr("Throughput (requests/s)"));
        m_latency->setTitle(tr("p99 latency (ms)"));
        m_throughput->setSeries({});
        m_latency->setSeries({});
        drawTable(nullptr);
        m_status->setText(snapshot ? snapshot->status : QString());
        m_status->setVisible(snapshot && !snapshot->status.isEmpty());
        return;
    }
    m_throughput->setProvenance(Provenance::Measured);
    m_latency->setProvenance(Provenance::Measured);
    if (s->designs.size() > 1 || s->levels.size() > 1)
        drawComparison(*s);
    else
        drawSingle(*s);
    drawTable(s.get());
    // The run controls already show the engine's status line: this one only adds what the
    // student must not miss (an error, a saturated load generator).
    QStringList notes;
    if (!s->result.error.isEmpty())
        notes << s->result.error;
    if (s->result.summary.value(QStringLiteral("generator_saturated")).toInt() == 1)
        notes << tr("The load generator used a whole core: it, not the server, may be the limit.");
    m_status->setText(notes.join(QLatin1Char(' ')));
    m_status->setVisible(!notes.isEmpty());
}

void ServersView::drawSingle(const ServersSnapshot &s)
{
    m_throughput->setTitle(tr("%1: throughput over time (measured)").arg(designName(s.design)));
    Series t;
    t.id = QStringLiteral("throughput_over_time");
    t.name = tr("throughput (measured)");
    t.xLabel = tr("time (s)");
    t.yLabel = tr("requests/s");
    t.x = s.timelineS;
    t.y = s.timelineRps;
    std::vector<Series> series {t};
    plainAxis(m_throughput->xAxis);
    plainAxis(m_latency->xAxis);
    const double bound = s.modelBoundRps.empty() ? 0 : s.modelBoundRps.front();
    if (bound > 0 && !t.x.empty()) {
        Series m;
        m.id = QStringLiteral("model_bound");
        m.name = tr("bound (model)");
        m.xLabel = t.xLabel;
        m.yLabel = t.yLabel;
        m.x = {0, t.x.back()};
        m.y = {bound, bound};
        series.front().xLabel = tr("time (s); flat line: bound (model)");
        series.push_back(m);
    }
    m_throughput->setSeries(series, true);
    m_throughput->legend->setVisible(false); // the axis label names the model line
    double top = bound;
    for (double v : t.y)
        top = std::max(top, v);
    headroom(m_throughput, top);
    m_throughput->replot(QCustomPlot::rpQueuedReplot);

    m_latency->setTitle(tr("%1: latency percentiles (measured)").arg(designName(s.design)));
    Series lat;
    lat.id = QStringLiteral("latency_percentiles");
    lat.name = tr("latency (measured)");
    lat.style = Series::Style::Bars;
    lat.xLabel = tr("percentile");
    lat.yLabel = tr("latency (ms)");
    if (!s.points.empty() && s.points.front().error.isEmpty()) {
        const SweepPoint &p = s.points.front();
        lat.x = {1, 2, 3, 4};
        lat.y = {p.latencyP50Ms, p.latencyP95Ms, p.latencyP99Ms, p.latencyMaxMs};
        lat.pointLabels = {tr("p50"), tr("p95"), tr("p99"), tr("max")};
    }
    m_latency->setSeries({lat}, true);
    if (lat.x.empty()) {
        m_latency->xAxis->setRange(0, 1);
        m_latency->yAxis->setRange(0, 1);
        auto *note = new QCPItemText(m_latency);
        note->position->setType(QCPItemPosition::ptAxisRectRatio);
        note->position->setCoords(0.5, 0.5);
        note->setText(tr("percentiles appear when the run ends"));
        note->setFont(m_theme.font(11));
        note->setColor(m_theme.text);
        m_latencyItems << note;
    } else {
        QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
        for (int i = 0; i < lat.pointLabels.size(); ++i)
            ticker->addTick(lat.x[i], lat.pointLabels[i]);
        m_latency->xAxis->setTicker(ticker);
        m_latency->xAxis->setRange(0.4, 4.6);
        headroom(m_latency, *std::max_element(lat.y.begin(), lat.y.end()));
    }
    m_latency->replot(QCustomPlot::rpQueuedReplot);
}

void ServersView::drawComparison(const ServersSnapshot &s)
{
    const std::vector<Series> all = ServersEngine::designSeries(s);
    const bool oneLevel = s.levels.size() == 1;
    std::vector<Series> rps;
    std::vector<Series> p99;
    for (const Series &sr : all) {
        Series copy = sr;
        const bool isRps = sr.id.startsWith(QLatin1String("throughput_"));
        const QString design = sr.id.section(QLatin1Char('_'), 1);
        copy.name = design;
        copy.xLabel = tr("concurrent clients");
        copy.yLabel = isRps ? tr("requests/s") : tr("p99 latency (ms)");
        (isRps ? rps : p99).push_back(copy);
    }
    if (oneLevel) {
        // A bar per design, the designs named under their bars, the model bound as a marker.
        auto toBars
            = [&](std::vector<Series> &list, const QString &id, const QString &name, const QString &yLabel) {
                  Series bars;
                  bars.id = id;
                  bars.name = name;
                  bars.style = Series::Style::Bars;
                  bars.xLabel = tr("design (%1)").arg(clientsText(s.levels.front()));
                  bars.yLabel = yLabel;
                  for (int i = 0; i < int(list.size()); ++i) {
                      if (list[i].y.empty())
                          continue;
                      bars.x.push_back(i + 1);
                      bars.y.push_back(list[i].y.front());
                      bars.pointLabels << list[i].name;
                  }
                  list = {bars};
              };
        toBars(rps, QStringLiteral("throughput"), tr("throughput (measured)"), tr("requests/s"));
        toBars(p99, QStringLiteral("p99"), tr("p99 latency (measured)"), tr("p99 latency (ms)"));
        Series bound;
        bound.id = QStringLiteral("model_bound");
        bound.name = tr("bound (model)");
        bound.style = Series::Style::Scatter;
        for (int i = 0; i < int(s.points.size()); ++i) {
            const auto at = std::find(s.designs.begin(), s.designs.end(), s.points[i].design);
            if (i < int(s.modelBoundRps.size()) && s.modelBoundRps[i] > 0) {
                bound.x.push_back(double(at - s.designs.begin()) + 1);
                bound.y.push_back(s.modelBoundRps[i]);
            }
        }
        if (!bound.x.empty()) {
            rps.front().xLabel = tr("%1; dots: model bound").arg(clientsText(s.levels.front()));
            rps.push_back(bound);
        }
    }
    m_throughput->setTitle(tr("Throughput per design (measured)"));
    m_latency->setTitle(tr("p99 latency per design (measured)"));
    m_throughput->setSeries(rps, true);
    m_latency->setSeries(p99, true);
    for (ChartWidget *c : {m_throughput, m_latency}) {
        if (oneLevel) {
            c->xAxis->setScaleType(QCPAxis::stLinear);
            QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
            for (int i = 0; i < int(s.designs.size()); ++i)
                ticker->addTick(i + 1, designName(s.designs[i]));
            c->xAxis->setTicker(ticker);
            c->xAxis->setRange(0.4, s.designs.size() + 0.6);
            c->legend->setVisible(false); // the title says what bars and dots are
        } else {
            c->xAxis->setScaleType(QCPAxis::stLogarithmic);
            c->xAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
            c->xAxis->setRange(0.7, s.levels.back() * 1.4);
            c->legend->setVisible(true);
            // Five designs in rows of three above the plot: inside it, at this size, the legend hid
            // the curves wherever it stood.
            c->placeLegendUnderTitle(true);
            c->legend->setWrap(3);
        }
        double top = 0;
        for (const Series &sr : c->series())
            for (double v : sr.y)
                top = std::max(top, v);
        headroom(c, top);
        c->replot(QCustomPlot::rpQueuedReplot);
    }
}

void ServersView::drawTable(const ServersSnapshot *s)
{
    // The slides' table (parallelism? blocking system calls?) beside the measured figure.
    const std::vector<ServerDesign> designs = s ? s->designs : allServerDesigns();
    QString html
        = QStringLiteral("<table cellspacing='0' cellpadding='3' border='1' style='border-collapse:collapse'>"
                         "<tr><th>%1</th><th>%2</th><th>%3</th><th>%4</th></tr>")
              .arg(tr("design"), tr("parallel?"), tr("blocking calls?"), tr("req/s (measured)"));
    for (ServerDesign d : designs) {
        const DesignTraits traits = designTraits(d);
        QString measured = QStringLiteral("-");
        if (s) {
            for (const SweepPoint &p : s->points) {
                if (p.design == d && p.clients == s->levels.back() && p.error.isEmpty())
                    measured = QString::number(p.throughputRps, 'f', 0);
            }
        }
        const bool now = s && s->port != 0 && s->design == d;
        html += QStringLiteral("<tr><td>%1%2</td><td>%3</td><td>%4</td><td align='right'>%5</td></tr>")
                    .arg(now ? QStringLiteral("&#9654; ") : QString(), designName(d),
                        traits.parallelism.toHtmlEscaped(), traits.blockingCalls.toHtmlEscaped(), measured);
    }
    html += QStringLiteral("</table>");
    m_table->setText(html);
}

} // namespace proclab
