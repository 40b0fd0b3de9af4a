#include "migrationliveview.h"

#include "migrationrunrecord.h"
#include "migrationviewstyle.h"
#include "pagegridwidget.h"

#include "common/livetextlabel.h"
#include "common/runhistory.h"
#include "migration/migrationengine.h"
#include "migration/migrationreport.h"
#include "migration/pagememory.h"

#include <QHBoxLayout>
#include <QJsonObject>
#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>
#include <optional>

namespace proclab {

MigrationLiveView::MigrationLiveView(QWidget *parent, bool showGrid)
    : StepView(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *top = new QHBoxLayout;
    if (showGrid) {
        auto *gridBox = new QVBoxLayout;
        m_grid = new PageGridWidget(this);
        m_legend = new QLabel(this);
        m_legend->setWordWrap(true);
        m_legend->setTextFormat(Qt::RichText);
        gridBox->addWidget(m_grid, 1);
        gridBox->addWidget(m_legend);
        top->addLayout(gridBox, 2);
    }
    m_response = new ChartWidget(this);
    m_response->setTitle(tr("Client response time"));
    m_response->setExportName(QStringLiteral("migration-response-time"));
    m_response->setProvenance(Provenance::Measured);
    MigrationViewStyle::useLogY(m_response);
    // A run's response times zigzag over decades: as one thick polyline the raster engine
    // fills a polygon crossing itself at every sample, most of a frame's time. Drawn segment
    // by segment on screen instead (exports to SVG and PDF still get one polyline).
    m_response->setPlottingHint(QCP::phFastPolylines, true);
    // The marker labels' rows depend on where the axes put them: decided once the chart is
    // laid out for a replot, just before it draws.
    connect(m_response, &QCustomPlot::afterLayout, this, &MigrationLiveView::layoutMarkerLabels);
    top->addWidget(m_response, 3);
    layout->addLayout(top, 3);

    auto *bottom = new QHBoxLayout;
    m_rounds = new ChartWidget(this);
    m_rounds->setTitle(tr("Pages per round"));
    m_rounds->setExportName(QStringLiteral("migration-rounds"));
    m_rounds->setProvenance(Provenance::Measured);
    // The legend in a row of its own: inside the plot it covered the bars of a short chart.
    m_rounds->placeLegendUnderTitle(true);
    bottom->addWidget(m_rounds, 3);
    // The figures and the status line change with every frame of a run: labels that lay their
    // text out once per change and need no layout pass unless a line is added or removed.
    m_figures = new LiveTextLabel(this);
    m_figures->setTextFormat(Qt::RichText);
    bottom->addWidget(m_figures, 2, Qt::AlignTop);
    layout->addLayout(bottom, 2);
    m_status = new LiveTextLabel(this);
    layout->addWidget(m_status);
    updateLegend(false);
    showSnapshot(nullptr, RunState::Idle);
}

QList<ChartWidget *> MigrationLiveView::charts() const
{
    return {m_response, m_rounds};
}

void MigrationLiveView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_markerMoments.clear(); // the markers take the new theme's colours and fonts
    if (m_grid)
        m_grid->setTheme(theme);
    m_status->setFont(theme.font(11));
    m_figures->setFont(theme.font(11));
    updateLegend(m_legendPostCopy);
}

QString MigrationLiveView::gridLegendText() const
{
    return m_legend ? m_legend->text() : QString();
}

void MigrationLiveView::updateLegend(bool postCopy)
{
    if (!m_legend)
        return;
    m_legendPostCopy = postCopy;
    const auto colors = pageStateColors(m_theme);
    const QStringList names = pageStateNames();
    using S = PageState;
    const std::vector<S> shown = postCopy
        ? std::vector<S> {S::Clean, S::Dirty, S::Present, S::Missing, S::Fetched}
        : std::vector<S> {S::Clean, S::Dirty, S::Sent, S::Resent};
    QString html;
    for (const S state : shown) {
        const int i = int(state);
        html += legendEntryHtml(colourSquareHtml(QColor(colors[std::size_t(i)])), names[i]);
    }
    m_legend->setText(html);
    m_legend->setFont(m_theme.font(10));
}

void MigrationLiveView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    const auto *snap = dynamic_cast<const MigrationSnapshot *>(snapshot.get());
    if (!snap) {
        if (m_grid)
            m_grid->setStates({});
        drawResponse(nullptr, nullptr);
        m_rounds->setSeries({});
        m_rounds->setVisible(true);
        m_figures->setText(QString());
        m_status->setText(snapshot && !snapshot->result.error.isEmpty()
                ? snapshot->result.error
                : tr("Press Run (F5) to start the migration."));
        return;
    }
    if (const bool postCopy = snap->strategy == QLatin1String("postcopy"); postCopy != m_legendPostCopy)
        updateLegend(postCopy);
    if (m_grid)
        m_grid->setStates(snap->pageStates);
    drawResponse(snapshot, snap);
    drawRounds(snap);
    drawFigures(snap, state);
    const QString status = snap->result.error.isEmpty() ? snap->status : snap->result.error;
    if (m_status->text() != status)
        m_status->setText(status);
    // A new status line or a chart shown changes the layout: laid out now, before the charts'
    // queued replots run, so that a chart resized by it is replotted once, at its new size.
    m_response->setDeferResizeReplot(true);
    m_rounds->setDeferResizeReplot(true);
    if (layout())
        layout()->activate();
    m_response->setDeferResizeReplot(false);
    m_rounds->setDeferResizeReplot(false);
}

void MigrationLiveView::updateEarlierRuns(
    const std::shared_ptr<const Snapshot> &snapshot, const MigrationSnapshot *snap)
{
    const QString current = snap ? snap->strategy : QString();
    const bool recorded = m_runHistory && snap && m_runHistory->contains(snapshot);
    // The newest run of each strategy, by identity: parsed again only when one changes.
    std::vector<const void *> key;
    std::vector<const RunHistory::Run *> newest(
        std::size_t(MigrationViewStyle::strategyIds().size()), nullptr);
    if (m_runHistory) {
        for (const RunHistory::Run *run : m_runHistory->runsOf(MigrationEngine::kId)) {
            const int i = int(MigrationViewStyle::strategyIds().indexOf(
                run->result.summary.value(QStringLiteral("strategy")).toString()));
            if (i >= 0)
                newest[std::size_t(i)] = run;
        }
    }
    for (std::size_t i = 0; i < newest.size(); ++i) {
        // The newest run of this run's strategy is this run once it is recorded: drawn in
        // full colour.
        const bool skip = recorded && MigrationViewStyle::strategyIds()[int(i)] == current;
        key.push_back(skip ? nullptr : newest[i]);
        key.push_back(newest[i] ? &newest[i]->result : nullptr);
    }
    if (key == m_earlierKey)
        return;
    m_earlierKey = key;
    m_earlierSeries.clear();
    m_earlierStrategy.clear();
    for (std::size_t i = 0; i < newest.size(); ++i) {
        if (!key[2 * i])
            continue;
        const std::optional<MigrationRunRecord> rec = MigrationRunRecord::fromResult(newest[i]->result);
        if (!rec || rec->timeSec.empty())
            continue;
        const QString id = MigrationViewStyle::strategyIds()[int(i)];
        Series s;
        s.id = QStringLiteral("earlier_") + id;
        s.name = tr("%1 (earlier run)").arg(MigrationViewStyle::strategyTitle(id));
        s.xLabel = tr("time since the migration started (s)");
        s.yLabel = tr("ms (log scale)");
        s.x = rec->timeSec;
        s.y = rec->responseMs;
        m_earlierSeries.push_back(std::move(s));
        m_earlierStrategy.push_back(int(i));
    }
}

void MigrationLiveView::drawResponse(
    const std::shared_ptr<const Snapshot> &snapshot, const MigrationSnapshot *snap)
{
    // Earlier runs, one per strategy (the newest), aligned on their migration start.
    updateEarlierRuns(snapshot, snap);
    std::vector<Series> series = m_earlierSeries;
    std::vector<int> strategyOf = m_earlierStrategy;
    std::vector<bool> faint(series.size(), true);
    const QString current = snap ? snap->strategy : QString();
    double origin = 0;
    if (snap) {
        origin = snap->migrationStartMs >= 0 ? snap->migrationStartMs : snap->elapsedMs;
        Series s;
        s.id = QString(migration::MigrationReport::kResponseSeries);
        s.name = tr("%1 (this run)").arg(MigrationViewStyle::strategyTitle(current));
        s.xLabel = tr("time since the migration started (s)");
        s.yLabel = tr("ms (log scale)");
        s.x.reserve(snap->samples.size());
        s.y.reserve(snap->samples.size());
        for (const auto &c : snap->samples) {
            s.x.push_back((c.sentMs - origin) / 1000);
            s.y.push_back(std::max(c.responseMs, 1e-3)); // log axis: no zeros
        }
        series.push_back(std::move(s));
        strategyOf.push_back(MigrationViewStyle::strategyIndex(current));
        faint.push_back(false);
    }
    // The graphs stay from frame to frame; a run's new samples are appended.
    m_response->updateSeries(series, true);
    MigrationViewStyle::recolour(m_response, strategyOf, faint);
    thinDenseLines();
    drawMarkers(snap, origin);
}

void MigrationLiveView::thinDenseLines()
{
    // A run's response times zigzag over decades from one sample to the next: where the
    // samples lie closer than a few pixels apart the line is a band of near-vertical strokes,
    // and a thick pen only makes every stroke (the most of a frame's drawing) wider without
    // showing more. Such a line is drawn thinner: this run's at half the theme's width (at
    // least 1.5 px), an earlier run's at 1 px, which the raster engine draws without stroking.
    const double plotPx = std::max(1, m_response->axisRect()->width());
    const QCPRange range = m_response->xAxis->range();
    for (int i = 0; i < m_response->graphCount(); ++i) {
        QCPGraph *g = m_response->graph(i);
        const int n = g->dataCount();
        if (n < 2 || range.size() <= 0)
            continue;
        const double keySpan = (g->data()->constEnd() - 1)->key - g->data()->constBegin()->key;
        const double spanPx = plotPx * keySpan / range.size();
        const bool dense = spanPx < 3.0 * n;
        QPen pen = g->pen();
        const bool faintLine = pen.widthF() < m_theme.lineWidth;
        if (!dense)
            continue;
        pen.setWidthF(faintLine ? 1.0 : std::max(1.5, m_theme.lineWidth / 2));
        g->setPen(pen);
    }
}

void MigrationLiveView::drawMarkers(const MigrationSnapshot *snap, double origin)
{
    std::vector<double> moments;
    if (snap) {
        moments = {snap->migrationStartMs, snap->pauseMs, snap->resumeMs, snap->endMs};
        // Before anything is marked the origin (the run's clock) moves but nothing is drawn.
        const bool marked = std::any_of(moments.begin(), moments.end(), [](double ms) { return ms >= 0; });
        moments.push_back(marked ? origin : 0);
    }
    if (moments == m_markerMoments) {
        // Only the downtime band's right end moves while the VM is paused.
        if (m_downtimeBand && snap && snap->resumeMs < 0) {
            m_downtimeBand->bottomRight->setCoords((snap->elapsedMs - origin) / 1000, 1);
            m_response->replot(QCustomPlot::rpQueuedReplot);
        }
        return;
    }
    m_markerMoments = moments;
    for (QCPAbstractItem *item : m_markers)
        m_response->removeItem(item);
    m_markers.clear();
    m_markerLabels.clear();
    m_downtimeBand = nullptr;
    if (!snap) {
        m_response->replot(QCustomPlot::rpQueuedReplot);
        return;
    }

    // Markers: start, pause/resume (the downtime shaded), end.
    auto vline = [&](double ms, const QString &label, const QColor &c) {
        if (ms < 0)
            return;
        const double x = (ms - origin) / 1000;
        auto *line = new QCPItemStraightLine(m_response);
        line->point1->setCoords(x, 1);
        line->point2->setCoords(x, 2);
        line->setPen(QPen(c, 1.5, Qt::DashLine));
        m_markers << line;
        auto *text = new QCPItemText(m_response);
        text->position->setTypeX(QCPItemPosition::ptPlotCoords);
        text->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        text->position->setCoords(x, 0); // its row: layoutMarkerLabels()
        text->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        text->setText(label);
        text->setColor(c);
        text->setFont(m_theme.font(9));
        // An opaque box: a label in a lower row is never crossed by another marker's line.
        text->setBrush(m_theme.base);
        text->setPadding(QMargins(2, 0, 2, 0));
        m_markers << text;
        m_markerLabels.emplace_back(text, x);
    };
    if (snap->pauseMs >= 0) {
        auto *rect = new QCPItemRect(m_response);
        rect->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
        rect->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
        const double end = snap->resumeMs >= 0 ? snap->resumeMs : snap->elapsedMs;
        rect->topLeft->setCoords((snap->pauseMs - origin) / 1000, 0);
        rect->bottomRight->setCoords((end - origin) / 1000, 1);
        QColor fill = m_theme.bad;
        fill.setAlphaF(0.18);
        rect->setBrush(fill);
        rect->setPen(Qt::NoPen);
        m_markers << rect;
        m_downtimeBand = rect;
    }
    vline(snap->migrationStartMs, tr("start"), m_theme.accent);
    vline(snap->pauseMs, tr("pause"), m_theme.bad);
    vline(snap->resumeMs, tr("resume"), m_theme.good);
    vline(snap->endMs, tr("end"), m_theme.text);
    m_response->replot(QCustomPlot::rpQueuedReplot);
}

QList<QCPItemText *> MigrationLiveView::markerLabels() const
{
    QList<QCPItemText *> out;
    for (const auto &[text, x] : m_markerLabels)
        out << text;
    return out;
}

void MigrationLiveView::layoutMarkerLabels()
{
    if (m_markerLabels.empty())
        return;
    // Pause and resume of a short downtime, or a start right before the pause, lie a few
    // pixels apart at the scale of a whole run: each label takes the highest row where it
    // overlaps no label placed before it (in the order of the moments), and turns to the
    // left of its line when it would run past the plot's right edge.
    const QRect plot = m_response->axisRect()->rect();
    if (plot.height() <= 0)
        return;
    constexpr double kGapPx = 4;
    constexpr double kTopPx = 3;
    std::vector<std::vector<std::pair<double, double>>> rows; // taken spans [left, right] per row
    for (const auto &[text, x] : m_markerLabels) {
        const QFontMetricsF fm(text->font());
        const QMargins pad = text->padding();
        const double width = fm.horizontalAdvance(text->text()) + pad.left() + pad.right();
        const double height = fm.height() + pad.top() + pad.bottom();
        const double px = m_response->xAxis->coordToPixel(x);
        const bool left = px + width > plot.right() && px - width >= plot.left();
        const double from = left ? px - width : px;
        const std::pair<double, double> span(from - kGapPx, from + width + kGapPx);
        std::size_t row = 0;
        for (; row < rows.size(); ++row) {
            const bool free
                = std::none_of(rows[row].begin(), rows[row].end(), [&](const std::pair<double, double> &s) {
                      return s.first < span.second && span.first < s.second;
                  });
            if (free)
                break;
        }
        if (row == rows.size())
            rows.emplace_back();
        rows[row].push_back(span);
        text->setPositionAlignment((left ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignTop);
        text->position->setCoords(x, (kTopPx + double(row) * (height + 1)) / plot.height());
    }
}

void MigrationLiveView::drawRounds(const MigrationSnapshot *snap)
{
    // With the delta cache on, two more bars a round: the pages that went as deltas and
    // what they saved (bytes counted in pages' worth, on the same axis as the pages).
    const bool deltas = std::any_of(snap->rounds.begin(), snap->rounds.end(),
        [](const MigrationRound &r) { return r.deltaPages > 0 || r.bytesSaved > 0; });
    std::vector<Series> series(deltas ? 4 : 2);
    series[0].id = QString(migration::MigrationReport::kSentSeries);
    series[0].name = tr("sent");
    series[1].id = QString(migration::MigrationReport::kDirtiedSeries);
    series[1].name = tr("dirtied in the round");
    if (deltas) {
        series[2].id = QString(migration::MigrationReport::kDeltaSeries);
        series[2].name = tr("as deltas");
        series[3].id = QString(migration::MigrationReport::kSavedSeries);
        series[3].name = tr("saved (pages' worth)");
    }
    for (auto &s : series) {
        s.xLabel = tr("round (last: with the VM paused)");
        s.yLabel = tr("pages");
        s.style = Series::Style::Bars;
    }
    for (const auto &r : snap->rounds) {
        series[0].x.push_back(r.round);
        series[0].y.push_back(double(r.pagesSent));
        series[1].x.push_back(r.round);
        series[1].y.push_back(double(r.pagesDirtied));
        if (deltas) {
            series[2].x.push_back(r.round);
            series[2].y.push_back(double(r.deltaPages));
            series[3].x.push_back(r.round);
            series[3].y.push_back(double(r.bytesSaved) / double(migration::kPageBytes));
        }
    }
    // The bars stay from frame to frame (a round's bars are added when it ends).
    if (m_rounds->updateSeries(series, true)) {
        // Side by side rather than on top of each other.
        if (!m_barsGroup)
            m_barsGroup = new QCPBarsGroup(m_rounds);
        for (int i = 0; i < m_rounds->plottableCount(); ++i) {
            if (auto *b = qobject_cast<QCPBars *>(m_rounds->plottable(i))) {
                b->setWidth(deltas ? 0.2 : 0.38);
                b->setBarsGroup(m_barsGroup);
            }
        }
        // Four entries do not fit one row of the chart's width: two rows of two.
        m_rounds->legend->setWrap(deltas ? 2 : 0);
        m_rounds->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true);
    }
    const QCPRange rounds(-0.6, std::max<double>(1, double(snap->rounds.size())) - 0.4);
    if (m_rounds->xAxis->range() != rounds) {
        m_rounds->xAxis->setRange(rounds);
        m_rounds->replot(QCustomPlot::rpQueuedReplot);
    }
    // Post-copy sends no rounds: no empty chart in their place.
    m_rounds->setVisible(!snap->rounds.empty());
}

QString MigrationLiveView::figuresText() const
{
    return m_figures->text();
}

void MigrationLiveView::drawFigures(const MigrationSnapshot *snap, RunState)
{
    const QJsonObject &s = snap->result.summary;
    auto fig = [&](const QString &key, int decimals) {
        return s.contains(key) ? QString::number(s.value(key).toDouble(), 'f', decimals)
                               : QStringLiteral("–");
    };
    QString html = QStringLiteral("<b>%1</b> &mdash; %2<br>")
                       .arg(MigrationViewStyle::strategyTitle(snap->strategy).toHtmlEscaped(),
                           migrationPhaseName(snap->phase).toHtmlEscaped());
    html += tr("Pages sent: <b>%1</b> of %2 (re-sent %3)<br>")
                .arg(snap->pagesSentTotal)
                .arg(snap->pages)
                .arg(snap->pagesResent);
    if (snap->strategy == QLatin1String("postcopy"))
        html += tr("Fetched on demand: <b>%1</b><br>").arg(snap->demandFetches);
    if (!s.isEmpty()) {
        html += tr("Downtime, VM: <b>%1 ms</b>; client: <b>%2 ms</b><br>")
                    .arg(fig(QStringLiteral("downtime_vm_ms"), 1),
                        fig(QStringLiteral("downtime_client_ms"), 1));
        html += tr("Total migration time: <b>%1 ms</b><br>").arg(fig(QStringLiteral("total_ms"), 0));
        if (s.contains(QStringLiteral("stop_reason")))
            html += tr("Pre-copy stopped: %1<br>").arg(s.value(QStringLiteral("stop_reason")).toString());
        if (s.contains(QStringLiteral("write_faults")))
            html += tr("Dirty pages found by <b>%1</b> write faults<br>")
                        .arg(fig(QStringLiteral("write_faults"), 0));
        const auto megabytes
            = [&](const QString &key) { return QString::number(s.value(key).toDouble() / 1e6, 'f', 1); };
        if (s.contains(QStringLiteral("xbzrle_hits")))
            html += tr("Delta cache: <b>%1</b> pages sent as deltas, %2 MB saved<br>")
                        .arg(fig(QStringLiteral("xbzrle_hits"), 0),
                            megabytes(QStringLiteral("xbzrle_bytes_saved")));
        if (s.contains(QStringLiteral("compressed_pages")))
            html += tr("Compressed: <b>%1</b> pages in %2 MB, %3 ms of the source's CPU<br>")
                        .arg(fig(QStringLiteral("compressed_pages"), 0),
                            megabytes(QStringLiteral("compressed_bytes")),
                            fig(QStringLiteral("compress_cpu_ms"), 0));
        if (s.contains(QStringLiteral("throttle_percent_max")))
            html += tr("Auto-converge: vCPU throttled up to <b>%1 %</b><br>")
                        .arg(fig(QStringLiteral("throttle_percent_max"), 0));
        if (s.contains(QStringLiteral("postcopy_wait_ms_max")))
            html += tr("vCPU waits for a page: median %1 ms, longest <b>%2 ms</b><br>")
                        .arg(fig(QStringLiteral("postcopy_wait_ms_p50"), 2),
                            fig(QStringLiteral("postcopy_wait_ms_max"), 1));
        if (snap->strategy != QLatin1String("postcopy") && s.value(QStringLiteral("channels")).toDouble() > 1)
            html += tr("Pages on <b>%1</b> connections at once (page channels)<br>")
                        .arg(fig(QStringLiteral("channels"), 0));
        if (s.contains(QStringLiteral("urgent_pages")))
            html += tr("Urgent channel: <b>%1</b> pages answered on a connection of their own<br>")
                        .arg(fig(QStringLiteral("urgent_pages"), 0));
        else if (s.contains(QStringLiteral("postcopy_wait_ms_max")))
            html += tr("No urgent channel: requested pages queued behind the push<br>");
        if (s.contains(QStringLiteral("guest_continued"))) {
            // The toy guest OS: did it go on where it stopped? Its instruction counts and the
            // last line it printed before the pause and at the end say so.
            const bool went = s.value(QStringLiteral("guest_continued")).toString() == QLatin1String("yes");
            const auto millions
                = [&](const QString &key) { return QString::number(s.value(key).toDouble() / 1e6, 'f', 2); };
            const auto lastLine = [&](const QString &key) {
                return s.value(key).toString().split(QStringLiteral(" | ")).constLast().toHtmlEscaped();
            };
            html += tr("Guest OS: <b style=\"color:%1\">%2</b> (%3 M instructions at the pause, %4 M "
                       "at the end)<br>")
                        .arg((went ? m_theme.good : m_theme.bad).name(),
                            went ? tr("continued on the destination") : tr("did not continue"),
                            millions(QStringLiteral("guest_instructions_source")),
                            millions(QStringLiteral("guest_instructions_destination")));
            html += tr("Its console: &ldquo;<tt>%1</tt>&rdquo; before the pause, &ldquo;<tt>%2</tt>&rdquo; "
                       "at the end<br>")
                        .arg(lastLine(QStringLiteral("guest_console_at_pause")),
                            lastLine(QStringLiteral("guest_console_tail")));
        }
        if (s.contains(QStringLiteral("memory_equal"))) {
            const bool eq = s.value(QStringLiteral("memory_equal")).toBool();
            html += tr("Checksums: source %1, destination %2: <b "
                       "style=\"color:%3\">%4</b><br>")
                        .arg(s.value(QStringLiteral("checksum_source")).toString(),
                            s.value(QStringLiteral("checksum_destination")).toString(),
                            (eq ? m_theme.good : m_theme.bad).name(), eq ? tr("equal") : tr("DIFFERENT"));
        }
        html += tr("<i>measured on this machine</i>");
    }
    if (m_figures->text() != html) // same figures: no new text layout
        m_figures->setText(html);
}

} // namespace proclab
