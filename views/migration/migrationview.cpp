#include "migrationview.h"

#include "migrationrunhistory.h"
#include "pagegridwidget.h"

#include "common/viewregistry.h"
#include "migration/migrationengine.h"
#include "migration/migrationmodel.h"

#include <QHBoxLayout>
#include <QJsonObject>
#include <QLabel>
#include <QVBoxLayout>

#include <cmath>

namespace proclab {

namespace {

const QStringList kStrategies
    = {QStringLiteral("stopcopy"), QStringLiteral("precopy"), QStringLiteral("postcopy")};

QString strategyTitle(const QString &id)
{
    if (id == QLatin1String("stopcopy"))
        return QObject::tr("stop-and-copy");
    if (id == QLatin1String("precopy"))
        return QObject::tr("pre-copy");
    if (id == QLatin1String("postcopy"))
        return QObject::tr("post-copy");
    return id;
}

void useLogY(ChartWidget *chart)
{
    chart->yAxis->setScaleType(QCPAxis::stLogarithmic);
    QSharedPointer<QCPAxisTickerLog> ticker(new QCPAxisTickerLog);
    chart->yAxis->setTicker(ticker);
    chart->yAxis->setNumberFormat(QStringLiteral("gb"));
}

// Colours graphs by strategy rather than by position: the same strategy keeps its
// colour in every chart. @p strategyOf maps a plottable index to a strategy index.
void recolour(ChartWidget *chart, const std::vector<int> &strategyOf, const std::vector<bool> &faint)
{
    const Theme &t = chart->theme();
    for (int i = 0; i < chart->plottableCount() && i < int(strategyOf.size()); ++i) {
        QColor c = t.seriesColor(strategyOf[std::size_t(i)]);
        const bool thin = i < int(faint.size()) && faint[std::size_t(i)];
        if (thin)
            c.setAlphaF(0.45);
        if (auto *g = qobject_cast<QCPGraph *>(chart->plottable(i))) {
            g->setPen(QPen(c, thin ? std::max(1.0, t.lineWidth / 2) : t.lineWidth));
            if (g->lineStyle() == QCPGraph::lsNone)
                g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, t.text, c, 11 * t.fontScale));
        }
    }
}

} // namespace

int migrationStrategyIndex(const QString &strategy)
{
    const int i = int(kStrategies.indexOf(strategy));
    return i < 0 ? 0 : i;
}

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
    useLogY(m_response);
    top->addWidget(m_response, 3);
    layout->addLayout(top, 3);

    auto *bottom = new QHBoxLayout;
    m_rounds = new ChartWidget(this);
    m_rounds->setTitle(tr("Pages per round"));
    m_rounds->setExportName(QStringLiteral("migration-rounds"));
    m_rounds->setProvenance(Provenance::Measured);
    bottom->addWidget(m_rounds, 3);
    m_figures = new QLabel(this);
    m_figures->setTextFormat(Qt::RichText);
    m_figures->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_figures->setWordWrap(true);
    m_figures->setTextInteractionFlags(Qt::TextSelectableByMouse);
    bottom->addWidget(m_figures, 2);
    layout->addLayout(bottom, 2);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);
    updateLegend();
    showSnapshot(nullptr, RunState::Idle);
}

QList<ChartWidget *> MigrationLiveView::charts() const
{
    return {m_response, m_rounds};
}

void MigrationLiveView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    if (m_grid)
        m_grid->setTheme(theme);
    m_status->setFont(theme.font(11));
    m_figures->setFont(theme.font(11));
    updateLegend();
}

void MigrationLiveView::updateLegend()
{
    if (!m_legend)
        return;
    const auto colors = pageStateColors(m_theme);
    const QStringList names = pageStateNames();
    QString html;
    for (int i = 0; i < 7; ++i) {
        html += QStringLiteral("<span style=\"color:%1\">&#9632;</span>&nbsp;%2&nbsp;&nbsp; ")
                    .arg(QColor(colors[std::size_t(i)]).name(), names[i].toHtmlEscaped());
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
        drawResponse(nullptr);
        m_rounds->setSeries({});
        m_figures->setText(QString());
        m_status->setText(snapshot && !snapshot->result.error.isEmpty()
                ? snapshot->result.error
                : tr("Press Run (F5) to start the migration."));
        return;
    }
    if (m_grid)
        m_grid->setStates(snap->pageStates);
    drawResponse(snap);
    drawRounds(snap);
    drawFigures(snap, state);
    m_status->setText(snap->result.error.isEmpty() ? snap->status : snap->result.error);

    // A finished run joins the history (overlays, the model's measured points).
    const bool final = state == RunState::Finished || state == RunState::Failed;
    if (final && snapshot.get() != m_recorded && !snap->result.summary.isEmpty()) {
        m_recorded = snapshot.get();
        const QJsonObject &s = snap->result.summary;
        const QJsonObject &p = snap->result.parameters;
        MigrationRunRecord rec;
        rec.strategy = snap->strategy;
        rec.dirtyRate = p.value(QStringLiteral("dirty_rate")).toVariant().toDouble();
        rec.bandwidthBits = parseBitRate(p.value(QStringLiteral("bandwidth")).toString()).value_or(0);
        rec.memoryBytes = double(parseBytes(p.value(QStringLiteral("memory")).toString()).value_or(0));
        rec.downtimeMs = s.value(QStringLiteral("downtime_vm_ms")).toDouble(-1);
        rec.totalMs = s.value(QStringLiteral("total_ms")).toDouble(-1);
        rec.clientDowntimeMs = s.value(QStringLiteral("downtime_client_ms")).toDouble(-1);
        const double origin = snap->migrationStartMs >= 0 ? snap->migrationStartMs : 0;
        for (const auto &c : snap->samples) {
            rec.timeSec.push_back((c.sentMs - origin) / 1000);
            rec.responseMs.push_back(std::max(c.responseMs, 1e-3));
        }
        if (!snap->result.error.isEmpty())
            rec.downtimeMs = -1; // abandoned runs are not points on the model's curves
        MigrationRunHistory::instance().add(std::move(rec));
    }
}

void MigrationLiveView::drawResponse(const MigrationSnapshot *snap)
{
    for (QCPAbstractItem *item : m_markers)
        m_response->removeItem(item);
    m_markers.clear();

    std::vector<Series> series;
    std::vector<int> strategyOf;
    std::vector<bool> faint;
    const QString current = snap ? snap->strategy : QString();
    // Earlier runs, one per strategy (the newest), aligned on their migration start.
    for (const QString &id : kStrategies) {
        const MigrationRunRecord *rec = MigrationRunHistory::instance().last(id);
        if (!rec || rec->timeSec.empty())
            continue;
        if (snap && m_recorded && snap == m_recorded && id == current)
            continue; // the current run is drawn below, in full colour
        Series s;
        s.name = tr("%1 (earlier run)").arg(strategyTitle(id));
        s.xLabel = tr("time since the migration started (s)");
        s.yLabel = tr("response time (ms, log scale)");
        s.x = rec->timeSec;
        s.y = rec->responseMs;
        series.push_back(std::move(s));
        strategyOf.push_back(migrationStrategyIndex(id));
        faint.push_back(true);
    }
    double origin = 0;
    if (snap) {
        origin = snap->migrationStartMs >= 0 ? snap->migrationStartMs : snap->elapsedMs;
        Series s;
        s.name = tr("%1 (this run)").arg(strategyTitle(current));
        s.xLabel = tr("time since the migration started (s)");
        s.yLabel = tr("response time (ms, log scale)");
        for (const auto &c : snap->samples) {
            s.x.push_back((c.sentMs - origin) / 1000);
            s.y.push_back(std::max(c.responseMs, 1e-3)); // log axis: no zeros
        }
        series.push_back(std::move(s));
        strategyOf.push_back(migrationStrategyIndex(current));
        faint.push_back(false);
    }
    m_response->setSeries(series, true);
    recolour(m_response, strategyOf, faint);
    if (!snap) {
        m_response->replot(QCustomPlot::rpQueuedReplot);
        return;
    }

    // Markers: start, pause/resume (the downtime shaded), end.
    auto vline = [&](double ms, const QString &label, const QColor &c, double labelY) {
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
        text->position->setCoords(x, labelY); // staggered: markers can coincide
        text->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        text->setText(label);
        text->setColor(c);
        text->setFont(m_theme.font(9));
        m_markers << text;
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
    }
    vline(snap->migrationStartMs, tr("start"), m_theme.accent, 0.02);
    vline(snap->pauseMs, tr("pause"), m_theme.bad, 0.09);
    vline(snap->resumeMs, tr("resume"), m_theme.good, 0.16);
    vline(snap->endMs, tr("end"), m_theme.text, 0.02);
    m_response->replot(QCustomPlot::rpQueuedReplot);
}

void MigrationLiveView::drawRounds(const MigrationSnapshot *snap)
{
    std::vector<Series> series(2);
    series[0].name = tr("pages sent");
    series[1].name = tr("pages dirtied during the round");
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
    }
    m_rounds->setSeries(series, true);
    // Side by side rather than on top of each other.
    if (!m_barsGroup)
        m_barsGroup = new QCPBarsGroup(m_rounds);
    QCPBarsGroup *group = m_barsGroup;
    for (int i = 0; i < m_rounds->plottableCount(); ++i) {
        if (auto *b = qobject_cast<QCPBars *>(m_rounds->plottable(i))) {
            b->setWidth(0.38);
            b->setBarsGroup(group);
        }
    }
    m_rounds->xAxis->setRange(-0.6, std::max<double>(1, double(snap->rounds.size())) - 0.4);
    m_rounds->replot(QCustomPlot::rpQueuedReplot);
}

void MigrationLiveView::drawFigures(const MigrationSnapshot *snap, RunState)
{
    const QJsonObject &s = snap->result.summary;
    auto fig = [&](const QString &key, int decimals) {
        return s.contains(key) ? QString::number(s.value(key).toDouble(), 'f', decimals)
                               : QStringLiteral("–");
    };
    QString html = QStringLiteral("<b>%1</b> &mdash; %2<br>")
                       .arg(strategyTitle(snap->strategy).toHtmlEscaped(),
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
        if (s.contains(QStringLiteral("memory_equal"))) {
            const bool eq = s.value(QStringLiteral("memory_equal")).toBool();
            html += tr("Checksums: source %1, destination %2: <b style=\"color:%3\">%4</b><br>")
                        .arg(s.value(QStringLiteral("checksum_source")).toString(),
                            s.value(QStringLiteral("checksum_destination")).toString(),
                            (eq ? m_theme.good : m_theme.bad).name(), eq ? tr("equal") : tr("DIFFERENT"));
        }
        html += tr("<i>measured on this machine</i>");
    }
    m_figures->setText(html);
}

// ---------------------------------------------------------------------------

MigrationSweepView::MigrationSweepView(QWidget *parent)
    : StepView(parent)
    , m_downtime(new ChartWidget(this))
    , m_total(new ChartWidget(this))
    , m_status(new QLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *charts = new QHBoxLayout;
    charts->addWidget(m_downtime, 1);
    charts->addWidget(m_total, 1);
    layout->addLayout(charts, 1);
    layout->addWidget(m_status);
    m_status->setWordWrap(true);
    m_downtime->setTitle(tr("Downtime"));
    m_total->setTitle(tr("Total migration time"));
    m_downtime->setExportName(QStringLiteral("migration-model-downtime"));
    m_total->setExportName(QStringLiteral("migration-model-total"));
    for (ChartWidget *c : {m_downtime, m_total}) {
        c->setProvenance(Provenance::Model);
        useLogY(c);
    }
    showSnapshot(nullptr, RunState::Idle);
}

void MigrationSweepView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_status->setFont(theme.font(11));
}

void MigrationSweepView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState)
{
    const auto *snap = dynamic_cast<const MigrationModelSnapshot *>(snapshot.get());
    if (!snap) {
        m_downtime->setSeries({});
        m_total->setSeries({});
        m_status->setText(snapshot ? snapshot->result.error : tr("Press Run (F5) to compute the model."));
        return;
    }
    const bool byRate = snap->sweep == QLatin1String("dirty_rate");
    const bool byBandwidth = snap->sweep == QLatin1String("bandwidth");
    for (int chart = 0; chart < 2; ++chart) {
        ChartWidget *c = chart == 0 ? m_downtime : m_total;
        const QString suffix = chart == 0 ? QStringLiteral(" downtime") : QStringLiteral(" total time");
        std::vector<Series> series;
        std::vector<int> strategyOf;
        std::vector<bool> faint;
        for (const Series &s : snap->result.series) {
            if (!s.name.endsWith(suffix))
                continue;
            Series t = s;
            const QString id = s.name.left(s.name.size() - suffix.size());
            t.name = tr("%1 (model)").arg(strategyTitle(id));
            for (double &y : t.y)
                y = std::max(y, 1e-5);
            series.push_back(std::move(t));
            strategyOf.push_back(migrationStrategyIndex(id));
            faint.push_back(false);
        }
        // This session's measured runs, as points on the curves.
        if (byRate || byBandwidth) {
            for (const QString &id : kStrategies) {
                Series m;
                m.name = tr("%1 (measured)").arg(strategyTitle(id));
                m.style = Series::Style::Scatter;
                for (const auto &run : MigrationRunHistory::instance().runs()) {
                    const double y = chart == 0 ? run.downtimeMs : run.totalMs;
                    if (run.strategy != id || y < 0 || (byBandwidth && run.bandwidthBits <= 0))
                        continue;
                    m.x.push_back(byRate ? run.dirtyRate : run.bandwidthBits / 1e6);
                    m.y.push_back(std::max(y / 1000, 1e-5));
                }
                if (m.x.empty())
                    continue;
                if (!series.empty()) {
                    m.xLabel = series.front().xLabel;
                    m.yLabel = series.front().yLabel;
                }
                series.push_back(std::move(m));
                strategyOf.push_back(migrationStrategyIndex(id));
                faint.push_back(false);
            }
        }
        c->setSeries(series, true);
        recolour(c, strategyOf, faint);
        // Room above and below: flat curves (stop-and-copy, post-copy) sit on the data's edges.
        const QCPRange yr = c->yAxis->range();
        if (yr.lower > 0)
            c->yAxis->setRange(yr.lower / 1.6, yr.upper * 1.6);
        if (byBandwidth) {
            c->xAxis->setScaleType(QCPAxis::stLogarithmic);
            c->xAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
        } else {
            c->xAxis->setScaleType(QCPAxis::stLinear);
            c->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
        }
        c->replot(QCustomPlot::rpQueuedReplot);
    }
    m_status->setText(snap->status + tr(" (model; diamonds: runs measured on this machine in this session)"));
}

} // namespace proclab
