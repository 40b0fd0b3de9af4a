#include "clusterview.h"

#include "common/livetextlabel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QPainterPath>
#include <QVBoxLayout>

#include <cmath>

namespace proclab {

namespace {

QString bytesText(double bytes)
{
    QString text;
    if (bytes >= 1e9)
        text = QObject::tr("%1 GB").arg(bytes / 1e9, 0, 'f', 2);
    else if (bytes >= 1e6)
        text = QObject::tr("%1 MB").arg(bytes / 1e6, 0, 'f', 1);
    else if (bytes >= 1e3)
        text = QObject::tr("%1 kB").arg(bytes / 1e3, 0, 'f', 1);
    else
        text = QObject::tr("%1 B").arg(qRound64(bytes));
    // A wrapped label never parts the number from its unit.
    return text.replace(QLatin1Char(' '), QChar(0x00A0));
}

/// The colour of a dispatch mode, the same in the diagram and the charts.
QColor modeColor(const Theme &t, DispatchMode m)
{
    return t.seriesColor(m == DispatchMode::Relay ? 1 : 0);
}

void arrow(QPainter &p, QPointF a, QPointF b, const QColor &c, double width, bool dashed = false)
{
    QPen pen(c, width, dashed ? Qt::DashLine : Qt::SolidLine, Qt::RoundCap);
    p.setPen(pen);
    p.drawLine(a, b);
    const double angle = std::atan2(b.y() - a.y(), b.x() - a.x());
    const double len = 8 + 2.5 * width;
    QPolygonF head;
    head << b << b - QPointF(len * std::cos(angle - 0.4), len * std::sin(angle - 0.4))
         << b - QPointF(len * std::cos(angle + 0.4), len * std::sin(angle + 0.4));
    p.setPen(Qt::NoPen);
    p.setBrush(c);
    p.drawPolygon(head);
}

} // namespace

/// Clients, first tier and back ends, with the bytes of one configuration on the arrows.
class ClusterDiagram : public QWidget {
public:
    explicit ClusterDiagram(QWidget *parent)
        : QWidget(parent)
    {
        setMinimumSize(520, 190);
    }

    Theme theme = Theme::byId(QStringLiteral("light"));
    bool have = false;
    bool live = false;
    ClusterPoint point;
    QString tierText;

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        p.setRenderHint(QPainter::Antialiasing);
        p.fillRect(rect(), theme.base);
        const double w = width(), h = height();
        p.setFont(theme.font(11, true));
        if (!have) {
            p.setPen(theme.text);
            p.setFont(theme.font(13));
            p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap,
                tr("Press Run: the back ends start as processes and clients load the cluster through its "
                   "first tier, first relaying, then handing off."));
            return;
        }
        const DispatchMode mode = point.mode;
        const QColor mc = modeColor(theme, mode);
        const double boxH = std::min(h * 0.42, 120.0);
        const QRectF clients(w * 0.02, h * 0.5 - boxH / 2, w * 0.17, boxH);
        const QRectF tier(w * 0.38, h * 0.5 - boxH / 2, w * 0.22, boxH);
        const int n = std::max(1, point.backends);
        const double beH = std::min((h - 16) / n - 6, 48.0);
        const double beTop = h * 0.5 - (n * (beH + 6) - 6) / 2;
        const auto beRect = [&](int i) { return QRectF(w * 0.80, beTop + i * (beH + 6), w * 0.18, beH); };

        const auto box = [&](const QRectF &r, const QString &title, const QString &sub, const QColor &edge) {
            p.setPen(QPen(edge, 2.5));
            p.setBrush(theme.window);
            p.drawRoundedRect(r, 8, 8);
            p.setPen(theme.text);
            p.setFont(theme.font(11, true));
            if (sub.isEmpty()) {
                p.drawText(r, Qt::AlignCenter | Qt::TextWordWrap, title);
                return;
            }
            const QRectF top(r.left(), r.top() + 4, r.width(), r.height() * 0.42);
            p.drawText(top, Qt::AlignHCenter | Qt::AlignBottom | Qt::TextWordWrap, title);
            p.setFont(theme.font(10));
            p.drawText(QRectF(r.left() + 4, r.top() + r.height() * 0.48, r.width() - 8, r.height() * 0.5),
                Qt::AlignHCenter | Qt::AlignTop | Qt::TextWordWrap, sub);
        };
        box(clients, tr("clients"), tr("%1 responses").arg(point.completed), theme.axis);
        box(tier, tr("first tier (%1)").arg(mode == DispatchMode::Relay ? tr("relay") : tr("handoff")),
            tierText, mc);
        for (int i = 0; i < n; ++i) {
            const std::int64_t served
                = std::size_t(i) < point.perBackend.size() ? point.perBackend[std::size_t(i)] : 0;
            box(beRect(i), tr("back end %1").arg(i), n <= 4 ? tr("%1 served").arg(served) : QString(),
                theme.axis);
        }

        // Requests: clients -> first tier, always.
        const double lw = 2 + theme.lineWidth;
        const QPointF cR(clients.right(), clients.center().y());
        const QPointF tL(tier.left(), tier.center().y());
        arrow(p, cR + QPointF(4, -boxH * 0.18), tL + QPointF(-4, -boxH * 0.18), theme.axis, lw);
        p.setPen(theme.text);
        p.setFont(theme.font(10));
        const QRectF reqLabel(cR.x(), cR.y() - boxH * 0.18 - 44, tL.x() - cR.x(), 40);
        p.drawText(reqLabel, Qt::AlignCenter | Qt::TextWordWrap,
            tr("requests in: %1").arg(bytesText(double(point.tier.clientBytesIn))));
        // Responses to the clients: through the first tier (relay) or around it (handoff).
        if (mode == DispatchMode::Relay) {
            arrow(p, tL + QPointF(-4, boxH * 0.18), cR + QPointF(4, boxH * 0.18), mc, lw + 2);
            p.setPen(mc.darker(120));
            p.setFont(theme.font(10, true));
            p.drawText(QRectF(cR.x(), cR.y() + boxH * 0.18 + 4, tL.x() - cR.x(), 40),
                Qt::AlignCenter | Qt::TextWordWrap,
                tr("responses out: %1").arg(bytesText(double(point.tier.clientBytesOut))));
        }
        const QPointF tR(tier.right(), tier.center().y());
        for (int i = 0; i < n; ++i) {
            const QRectF b = beRect(i);
            const QPointF bL(b.left(), b.center().y());
            if (mode == DispatchMode::Relay) {
                arrow(p, tR + QPointF(4, -6), bL + QPointF(-4, -6), theme.axis, 2);
                arrow(p, bL + QPointF(-4, 6), tR + QPointF(4, 6), mc, 2 + 0.5 * lw);
            } else {
                arrow(p, tR + QPointF(4, 0), bL + QPointF(-4, 0), mc, 2, true);
            }
        }
        p.setFont(theme.font(10, true));
        const QRectF midLabel(tier.right() + 4, 2, w * 0.80 - tier.right() - 8, h * 0.5 - boxH / 2 - 4);
        if (mode == DispatchMode::Relay) {
            p.setPen(mc.darker(120));
            p.drawText(midLabel, Qt::AlignHCenter | Qt::AlignBottom | Qt::TextWordWrap,
                tr("from back ends:\n%1").arg(bytesText(double(point.tier.backendBytesIn))));
        } else {
            p.setPen(mc.darker(120));
            p.drawText(midLabel, Qt::AlignHCenter | Qt::AlignBottom | Qt::TextWordWrap,
                tr("handoffs:\n%1").arg(bytesText(double(point.tier.backendBytesOut))));
            // The responses bypass the first tier: from the back ends straight to the clients.
            QPainterPath path;
            const QPointF from(beRect(n - 1).center().x(), beRect(n - 1).bottom() + 2);
            const QPointF to(clients.center().x(), clients.bottom() + 4);
            path.moveTo(from);
            path.cubicTo(QPointF(from.x(), h - 4), QPointF(to.x(), h - 4), to + QPointF(0, 10));
            p.setPen(QPen(mc, lw + 2));
            p.setBrush(Qt::NoBrush);
            p.drawPath(path);
            arrow(p, to + QPointF(0, 18), to + QPointF(0, 2), mc, lw + 2);
            p.setPen(mc.darker(120));
            p.drawText(QRectF(clients.right(), h - 8 - 44 - (h - tier.bottom()) * 0.25, w * 0.6, 40),
                Qt::AlignHCenter | Qt::AlignVCenter | Qt::TextWordWrap,
                tr("responses straight from the back ends: %1 (first tier: %2)")
                    .arg(
                        bytesText(double(point.clientBytes)), bytesText(double(point.tier.responseBytes()))));
        }
        // Which configuration this is, and whether it is still running.
        p.setPen(theme.text);
        p.setFont(theme.font(10));
        p.drawText(QRectF(6, 4, w * 0.35, 40), Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
            (live ? tr("measuring: %1, %2 back ends") : tr("last measured: %1, %2 back ends"))
                .arg(mode == DispatchMode::Relay ? tr("relay") : tr("handoff"))
                .arg(point.backends));
    }
};

ClusterView::ClusterView(QWidget *parent)
    : StepView(parent)
    , m_diagram(new ClusterDiagram(this))
    , m_throughput(new ChartWidget(this))
    , m_bytes(new ChartWidget(this))
    , m_cpu(new ChartWidget(this))
    , m_key(new QLabel(this))
    , m_status(new LiveTextLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_diagram, 5);
    layout->addWidget(m_key);
    m_key->setTextFormat(Qt::RichText);
    auto *charts = new QHBoxLayout;
    charts->addWidget(m_throughput);
    charts->addWidget(m_bytes);
    charts->addWidget(m_cpu);
    layout->addLayout(charts, 6);
    layout->addWidget(m_status);
    m_throughput->setTitle(tr("Throughput"));
    m_throughput->setExportName(QStringLiteral("cluster-throughput"));
    m_bytes->setTitle(tr("First-tier bytes"));
    m_bytes->setExportName(QStringLiteral("cluster-first-tier-bytes"));
    m_bytes->yAxis->setScaleType(QCPAxis::stLogarithmic);
    m_bytes->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    m_bytes->yAxis->setNumberFormat(QStringLiteral("eb"));
    m_bytes->yAxis->setNumberPrecision(0);
    m_cpu->setTitle(tr("First-tier CPU"));
    m_cpu->setExportName(QStringLiteral("cluster-first-tier-cpu"));
    for (ChartWidget *c : {m_throughput, m_bytes, m_cpu}) {
        c->setMinimumSize(220, 150);
        QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
        ticker->setTickStep(1);
        ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
        c->xAxis->setTicker(ticker);
    }
    showSnapshot(nullptr, RunState::Idle);
}

QWidget *ClusterView::diagram() const
{
    return m_diagram;
}

QString ClusterView::keyText() const
{
    return m_key->text();
}

QString ClusterView::firstTierText() const
{
    return m_diagram->tierText;
}

void ClusterView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_diagram->theme = theme;
    m_status->setFont(theme.font(11));
    m_key->setFont(theme.font(11));
    m_key->setText(tr("Charts against the number of back ends: "
                      "<b><span style='color:%1'>&#9679; relay</span></b> &nbsp; "
                      "<b><span style='color:%2'>&#9679; handoff</span></b>")
                       .arg(modeColor(theme, DispatchMode::Relay).name(),
                           modeColor(theme, DispatchMode::Handoff).name()));
    showSnapshot(m_last, m_lastState);
}

void ClusterView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    m_last = snapshot;
    m_lastState = state;
    const auto s = std::dynamic_pointer_cast<const ClusterSnapshot>(snapshot);
    m_diagram->have = false;
    m_diagram->tierText.clear();
    if (s && (s->measuring || !s->points.empty())) {
        m_diagram->have = true;
        m_diagram->live = s->measuring;
        m_diagram->point = s->measuring ? s->current : s->points.back();
        // Set here, not while painting, so that what the diagram says is known before a paint.
        m_diagram->tierText = tr("CPU %1% of a core").arg(m_diagram->point.firstTierCpuPercent, 0, 'f', 0);
    }
    m_diagram->update();

    std::vector<Series> thr, bytes, cpu;
    if (s) {
        for (Series sr : ClusterEngine::pointSeries(s->points)) {
            const bool relay = sr.id.endsWith(QLatin1String("_relay"));
            sr.name = relay ? tr("relay") : tr("handoff");
            sr.xLabel = tr("back ends");
            if (sr.id.startsWith(QLatin1String("throughput"))) {
                sr.yLabel = tr("requests/s");
                thr.push_back(sr);
            } else if (sr.id.startsWith(QLatin1String("bytes"))) {
                sr.yLabel = tr("bytes per request");
                // Log scale: a zero would have no place on it.
                for (double &y : sr.y)
                    y = std::max(y, 1.0);
                bytes.push_back(sr);
            } else {
                sr.yLabel = tr("% of one core");
                cpu.push_back(sr);
            }
        }
    }
    // Relay first, in its colour; handoff second: the same colours as the diagram.
    const auto plot = [&](ChartWidget *c, std::vector<Series> series) {
        c->setProvenance(Provenance::Measured);
        c->setSeries(series, true);
        for (int i = 0; i < c->graphCount(); ++i) {
            const bool relay = series[std::size_t(i)].id.endsWith(QLatin1String("_relay"));
            const QColor col = modeColor(m_theme, relay ? DispatchMode::Relay : DispatchMode::Handoff);
            c->graph(i)->setPen(QPen(col, m_theme.lineWidth));
            c->graph(i)->setScatterStyle(
                QCPScatterStyle(QCPScatterStyle::ssDisc, col, col, 8 * m_theme.fontScale));
        }
        if (!series.empty()) {
            double maxX = 1;
            for (const Series &sr : series)
                for (double x : sr.x)
                    maxX = std::max(maxX, x);
            c->xAxis->setRange(0.5, maxX + 0.5);
        }
        if (c != m_bytes && !series.empty())
            c->yAxis->setRangeLower(0);
        if (c == m_bytes && !series.empty()) {
            // Room above and below the points on the log scale (rescaling puts them on the edge).
            double lo = 1e300, hi = 1;
            for (const Series &sr : series)
                for (double y : sr.y) {
                    lo = std::min(lo, y);
                    hi = std::max(hi, y);
                }
            const double bottom = std::max(1.0, lo / 5), top = hi * 5;
            c->yAxis->setRange(bottom, top);
            // One tick per power of ten, named in bytes: the log ticker crowded its labels
            // ("3·10^6", "2·10^6", "2·10^6") on a range under two decades.
            static const char *const kDecades[] = {"1 B", "10 B", "100 B", "1 kB", "10 kB", "100 kB", "1 MB",
                "10 MB", "100 MB", "1 GB", "10 GB"};
            QSharedPointer<QCPAxisTickerText> decades(new QCPAxisTickerText);
            double v = 1;
            for (const char *name : kDecades) {
                if (v >= bottom / 10 && v <= top * 10)
                    decades->addTick(v, QString::fromLatin1(name).replace(QLatin1Char(' '), QChar(0x00A0)));
                v *= 10;
            }
            c->yAxis->setTicker(decades);
        }
        // One key for the three charts (the label above them): a legend in each would cover
        // points in charts this small.
        c->legend->setVisible(false);
        c->replot(QCustomPlot::rpQueuedReplot);
    };
    plot(m_throughput, thr);
    plot(m_bytes, bytes);
    plot(m_cpu, cpu);
    if (!cpu.empty() && m_cpu->yAxis->range().upper < 100)
        m_cpu->yAxis->setRange(0, 105);
    m_cpu->replot(QCustomPlot::rpQueuedReplot);

    if (!s)
        m_status->setText(snapshot ? snapshot->status
                                   : tr("Press Run (F5) to measure the cluster (measured on this machine)."));
    else
        m_status->setText(s->result.error.isEmpty() ? s->status : s->result.error);
    // The run bar shows the status already; the line here is for errors, in full.
    m_status->setVisible(s && !s->result.error.isEmpty());
}

} // namespace proclab
