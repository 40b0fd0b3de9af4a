#include "xprototimeview.h"

#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>

namespace proclab {

namespace {

QString rfbEncodingShortLabel(int protocol)
{
    static const char *const names[] = {"X11", "Raw", "RRE", "TRLE", "Zlib", "ZRLE"};
    return QString::fromLatin1(names[std::clamp(protocol, 0, kXprotoProtocols - 1)]);
}

} // namespace

XprotoTimeView::XprotoTimeView(QWidget *parent)
    : StepView(parent)
    , m_chart(new ChartWidget(this))
    , m_summary(new QLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_chart, 1);
    layout->addWidget(m_summary);
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);
    m_chart->setTitle(tr("Time = bytes / bandwidth + round trips \u00d7 RTT"));
    m_chart->setProvenance(Provenance::Model);
    m_chart->setExportName(QStringLiteral("xproto-time"));
    showSnapshot(nullptr, RunState::Idle);
}

void XprotoTimeView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_summary->setFont(theme.font(12));
    showSnapshot(m_last, m_lastState);
}

QString XprotoTimeView::summaryText() const
{
    return m_summary->text();
}

void XprotoTimeView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    m_last = snapshot;
    m_lastState = state;
    removeOwnItems(m_chart, &m_items);
    const auto s = std::dynamic_pointer_cast<const XprotoSnapshot>(snapshot);
    if (!s || s->frameIndex < 0) {
        m_chart->setSeries({});
        m_summary->setText(
            tr("Press Run (F5): the times follow from the bytes and round trips of the drawing."));
        return;
    }
    const double maxRtt = std::max(200.0, s->link.rttMs * 2);
    std::vector<Series> curves = XprotoEngine::timeCurves(s->totals, s->link, maxRtt);
    for (std::size_t p = 0; p < curves.size(); ++p) {
        curves[p].name = p == 0 ? (s->synchronous ? tr("X11, a round trip per request") : tr("X11"))
                                : tr("pixels, %1").arg(rfbEncodingLabel(kRfbEncodings[p - 1]));
        curves[p].xLabel = tr("round-trip time of the link (ms)");
        curves[p].yLabel = tr("time (ms, model)");
    }
    m_chart->setSeries(curves, true);
    double most = 1;
    for (const Series &c : curves)
        most = std::max(most, c.y.back());
    m_chart->xAxis->setRange(0, maxRtt);
    // Headroom above the curves for a legend of two rows, so that it covers no curve.
    m_chart->yAxis->setRange(0, most * 1.55);
    m_chart->legend->setVisible(true);
    m_chart->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_chart->legend->setWrap(3);
    m_chart->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    auto *line = new QCPItemStraightLine(m_chart);
    line->point1->setCoords(s->link.rttMs, 0);
    line->point2->setCoords(s->link.rttMs, 1);
    line->setPen(QPen(m_theme.accent, m_theme.lineWidth * 0.7, Qt::DashLine));
    m_items << line;
    auto *label = new QCPItemText(m_chart);
    label->position->setType(QCPItemPosition::ptPlotCoords);
    label->position->setCoords(s->link.rttMs, most * 1.02); // below the legend
    label->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
    label->setPadding(QMargins(6, 0, 0, 0));
    label->setText(tr("this link: %1 ms").arg(s->link.rttMs, 0, 'f', 0));
    label->setFont(m_theme.font(10, true));
    label->setColor(m_theme.accent);
    m_items << label;
    m_chart->replot(QCustomPlot::rpQueuedReplot);

    const int fastest = XprotoEngine::fastestProtocol(s->totals, s->link);
    QStringList parts;
    for (int p = 0; p < kXprotoProtocols; ++p) {
        const double ms = s->link.timeMs(s->totals.bytes(p), s->totals.roundTrips(p));
        // Round trips for X11 and once for the pixels (the same for every encoding).
        QString text = p == 0
            ? tr("X11 %1 s (%2 round trips)").arg(ms / 1000.0, 0, 'f', 2).arg(s->totals.roundTrips(p))
            : tr("%1 %2 s").arg(rfbEncodingShortLabel(p)).arg(ms / 1000.0, 0, 'f', 2);
        parts << (p == fastest ? QStringLiteral("<b>%1</b>").arg(text.toHtmlEscaped())
                               : text.toHtmlEscaped());
    }
    const QString x11Part = parts.takeFirst();
    m_summary->setText(
        tr("At %1 ms RTT and %2 Mbit/s (model, frames so far): %3; pixels with %4 round trips: %5.")
            .arg(s->link.rttMs, 0, 'f', 0)
            .arg(s->link.bandwidthBitsPerSec / 1e6, 0, 'g', 4)
            .arg(x11Part)
            .arg(s->totals.roundTrips(1))
            .arg(parts.join(QStringLiteral(", "))));
}

} // namespace proclab
