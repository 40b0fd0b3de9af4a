#include "indirectview.h"

#include "common/livetextlabel.h"
#include "ctxswitch/ctxswitchseries.h"

#include <QVBoxLayout>

#include <algorithm>

namespace proclab {

IndirectView::IndirectView(QWidget *parent)
    : StepView(parent)
    , m_chart(new ChartWidget(this))
    , m_status(new LiveTextLabel(this))
{
    m_chart->setTitle(tr("Indirect cost of a switch: refilling the cache"));
    m_chart->setProvenance(Provenance::Measured);
    m_chart->setExportName(QStringLiteral("ctxswitch-indirect-cost"));
    // The legend (filled and hollow points) in a row under the title: inside the plot it
    // covered the cache labels or the curve.
    m_chart->placeLegendUnderTitle(true);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_chart, 1);
    layout->addWidget(m_status);
    applyTheme(m_theme);
    showSnapshot(nullptr, RunState::Idle);
}

void IndirectView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_status->setFont(theme.font(11));
    if (m_last)
        showSnapshot(m_last, m_lastState);
}

void IndirectView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    m_last = snapshot;
    m_lastState = state;
    m_chart->clearItems();
    m_items.clear();
    m_cacheMarkers = 0;
    const auto snap = std::dynamic_pointer_cast<const CtxSwitchSnapshot>(snapshot);
    if (!snap || snap->indirect.empty()) {
        m_chart->setSeries({});
        m_status->setText(snapshot
                ? (snapshot->result.error.isEmpty() ? snapshot->status : snapshot->result.error)
                : tr("Press Run (F5) to sweep the working-set size."));
        if (!snap)
            return;
    }
    // The engine built the curve; the view labels it and marks its points.
    Series curve = snap->indirectCurve;
    curve.name = tr("indirect cost (measured)");
    curve.xLabel = tr("working set of each thread (bytes, log scale)");
    curve.yLabel = tr("extra time after a switch (us)");
    // Points above the noise filled; those whose difference lies within the spread of the
    // walks hollow, at their measured value (negative ones too: nothing is clamped).
    Series points = curve;
    points.id = QStringLiteral("indirect_points");
    points.style = Series::Style::Scatter;
    points.name = tr("above the noise");
    points.x.clear();
    points.y.clear();
    points.pointLabels.clear();
    Series noise = points;
    noise.id = QStringLiteral("indirect_below_noise");
    noise.name = tr("below the noise: within the walks' spread");
    QVector<double> errLow, errHigh;
    for (const IndirectPoint &pt : snap->indirect) {
        Series &into = pt.belowNoise() ? noise : points;
        into.x.push_back(double(pt.workingSetBytes));
        into.y.push_back(pt.indirectNs / 1000.0);
        if (!pt.belowNoise()) {
            errLow << (pt.indirectNs - pt.spreadLowNs) / 1000.0;
            errHigh << (pt.spreadHighNs - pt.indirectNs) / 1000.0;
        }
    }
    if (!curve.x.empty())
        m_chart->setSeries({curve, points, noise}, true);
    m_chart->legend->setVisible(false);
    double spreadMin = 0;
    double spreadMax = 0;
    if (m_chart->graphCount() == 3) {
        m_chart->graph(1)->setScatterStyle(QCPScatterStyle(
            QCPScatterStyle::ssDisc, m_theme.seriesColor(0), m_theme.seriesColor(0), 8 * m_theme.fontScale));
        m_chart->graph(2)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle,
            QPen(m_theme.muted.darker(130), 1.5), Qt::NoBrush, 8 * m_theme.fontScale));
        // The spread of each point above the noise: from after-p25 - warm-p75 to after-p75 - warm-p25.
        auto *err = new QCPErrorBars(m_chart->xAxis, m_chart->yAxis);
        err->setName(tr("spread of the walks"));
        err->setDataPlottable(m_chart->graph(1));
        err->setData(errLow, errHigh);
        err->setPen(QPen(m_theme.seriesColor(0), 1.2));
        for (const IndirectPoint &pt : snap->indirect) {
            if (!pt.belowNoise()) {
                spreadMin = std::min(spreadMin, pt.spreadLowNs / 1000.0);
                spreadMax = std::max(spreadMax, pt.spreadHighNs / 1000.0);
            }
        }
        const bool anyNoise = !noise.x.empty();
        m_chart->legend->setVisible(anyNoise);
        if (anyNoise) {
            // Only the two kinds of point in the legend.
            m_chart->graph(0)->removeFromLegend();
            err->removeFromLegend();
            m_chart->legend->setFont(m_theme.font(9));
            m_chart->legend->setBorderPen(Qt::NoPen); // a row of its own: no frame
        }
    }
    m_chart->xAxis->setScaleType(QCPAxis::stLogarithmic);
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (qint64 b = 1024; b <= (qint64(1) << 32); b *= 4)
        ticker->addTick(double(b), formatBytes(b));
    m_chart->xAxis->setTicker(ticker);
    // 30 % past the last point, as left of the first: its marker is not cut by the edge.
    double xMax = curve.x.empty() ? 1 << 20 : curve.x.back() * 1.3;
    const double xMin = curve.x.empty() ? 4096 : curve.x.front();
    for (const auto &c : snap->caches)
        xMax = std::max(xMax, double(c.sizeBytes) * 1.3);
    // Keep absurd reported sizes (some VMs report hundreds of MiB) from squashing the curve.
    xMax = std::min(xMax, std::max(curve.x.empty() ? 0.0 : curve.x.back() * 4, 64.0 * 1024 * 1024));
    m_chart->xAxis->setRange(xMin / 1.3, xMax);
    double yMax = std::max(1.0, spreadMax);
    for (double v : curve.y)
        yMax = std::max(yMax, v);
    double yMin = spreadMin;
    for (double v : curve.y)
        yMin = std::min(yMin, v);
    // Below zero, room for a whole marker under the lowest point (a share of the full span).
    m_chart->yAxis->setRange(yMin < 0 ? yMin - 0.06 * (yMax - yMin) : yMin * 1.1, yMax * 1.25);
    int labelRow = 0;
    for (const auto &c : snap->caches) {
        const double x = double(c.sizeBytes);
        if (x > xMax)
            continue;
        auto *line = new QCPItemStraightLine(m_chart);
        line->point1->setCoords(x, 0);
        line->point2->setCoords(x, 1);
        line->setPen(QPen(m_theme.muted.darker(150), 1.5, Qt::DashLine));
        auto *label = new QCPItemText(m_chart);
        label->position->setTypeX(QCPItemPosition::ptPlotCoords);
        label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        label->position->setCoords(x, 0.02 + 0.07 * (labelRow++ % 3));
        label->setPositionAlignment(Qt::AlignRight | Qt::AlignTop);
        label->setText(QStringLiteral("L%1 %2 ").arg(c.level).arg(formatBytes(c.sizeBytes)));
        label->setFont(m_theme.font(9, true));
        label->setColor(m_theme.text);
        m_items.push_back(line);
        m_items.push_back(label);
        ++m_cacheMarkers;
    }
    double direct = 0;
    for (const auto &s : snap->switches) {
        if (s.id == QLatin1String("thread_switch_pipe"))
            direct = s.medianNs / 1000.0;
    }
    if (direct > 0) {
        auto *line = new QCPItemStraightLine(m_chart);
        line->point1->setCoords(1, direct);
        line->point2->setCoords(2, direct);
        line->setPen(QPen(m_theme.seriesColor(1), 1.5, Qt::DotLine));
        auto *label = new QCPItemText(m_chart);
        label->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
        label->position->setTypeY(QCPItemPosition::ptPlotCoords);
        label->position->setCoords(0.01, direct);
        label->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
        label->setText(tr("direct cost: one thread switch, %1 us (median)").arg(direct, 0, 'f', 1));
        label->setFont(m_theme.font(9));
        label->setColor(m_theme.seriesColor(1).darker(130));
        m_items.push_back(line);
        m_items.push_back(label);
    }
    m_chart->replot(QCustomPlot::rpQueuedReplot);
    QString text = snap->result.error.isEmpty() ? snap->status : snap->result.error;
    if (const IndirectPoint *peak = largestIndirectCost(snap->indirect)) {
        const int below = int(std::count_if(snap->indirect.begin(), snap->indirect.end(),
            [](const IndirectPoint &pt) { return pt.belowNoise(); }));
        if (peak->belowNoise()) {
            text += tr("  |  every difference is below the noise (within the spread of the walks): no "
                       "indirect cost this machine can resolve; cache sizes from %1")
                        .arg(snap->cacheSource);
        } else {
            text += tr("  |  largest indirect cost: %1 us at %2 (measured); cache sizes from %3")
                        .arg(peak->indirectNs / 1000.0, 0, 'f', 1)
                        .arg(formatBytes(peak->workingSetBytes), snap->cacheSource);
            if (below > 0)
                text += tr("  |  %1 of %2 points below the noise (hollow): their difference, negative "
                           "ones too, is within the spread of the walks")
                            .arg(below)
                            .arg(snap->indirect.size());
        }
    }
    m_status->setText(text);
}

} // namespace proclab
