#include "cacheview.h"

#include "common/livetextlabel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QSplitter>
#include <QVBoxLayout>

#include <algorithm>

namespace proclab {

CacheView::CacheView(QWidget *parent)
    : StepView(parent)
    , m_grid(new CacheGridWidget(this))
    , m_chart(new ChartWidget(this))
    , m_phase(new QLabel(this))
    , m_counts(new LiveTextLabel(this))
    , m_status(new LiveTextLabel(this))
    , m_legend(new QLabel(this))
{
    m_chart->setTitle(tr("Running hit rate"));
    m_chart->setProvenance(Provenance::Model);
    m_chart->setExportName(QStringLiteral("cache-hit-rate"));
    m_chart->setMinimumWidth(280);
    auto *split = new QSplitter(Qt::Horizontal, this);
    auto *left = new QWidget(split);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_phase);
    leftLayout->addWidget(m_grid, 1);
    leftLayout->addWidget(m_legend);
    split->addWidget(left);
    split->addWidget(m_chart);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split, 1);
    layout->addWidget(m_counts);
    layout->addWidget(m_status);
    m_legend->setWordWrap(true);
    m_legend->setTextFormat(Qt::RichText);
    m_counts->setTextFormat(Qt::RichText);
    applyTheme(m_theme);
    showSnapshot(nullptr, RunState::Idle);
}

void CacheView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_grid->setTheme(theme);
    m_phase->setFont(theme.font(13, true));
    m_counts->setFont(theme.font(11));
    m_status->setFont(theme.font(11));
    m_legend->setFont(theme.font(10));
    auto swatch = [](const QColor &c) {
        return QStringLiteral("<span style='background:%1'>&nbsp;&nbsp;&nbsp;&nbsp;</span>").arg(c.name());
    };
    m_legend->setText(legendEntryHtml(swatch(theme.seriesColor(0)), tr("process A / p0"))
        + legendEntryHtml(swatch(theme.seriesColor(1)), tr("process B / p1"))
        + legendEntryHtml(swatch(theme.muted.lighter(125)), tr("empty"))
        + legendEntryHtml(swatch(theme.warn.darker(140)), tr("dirty corner"))
        + legendEntryHtml(swatch(theme.good), tr("hit frame"))
        + legendEntryHtml(swatch(theme.bad), tr("miss frame (model)")));
    if (m_last)
        showSnapshot(m_last, m_lastState);
}

void CacheView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    m_last = snapshot;
    m_lastState = state;
    const auto snap = std::dynamic_pointer_cast<const CacheSnapshot>(snapshot);
    m_grid->setSnapshot(snap);
    if (!snap) {
        m_chart->setSeries({});
        m_phase->setText(tr("Cache model"));
        m_counts->clear();
        m_status->setText(snapshot && !snapshot->result.error.isEmpty()
                ? snapshot->result.error
                : tr("Press Run (F5) or Step to start."));
        return;
    }
    m_phase->setText(snap->phase.isEmpty() ? tr("%1 sets x %2 ways, %3 B lines, %4")
                                                 .arg(snap->geometry.sets())
                                                 .arg(snap->geometry.ways)
                                                 .arg(snap->geometry.lineBytes)
                                                 .arg(replacementId(snap->geometry.replacement).toUpper())
                                           : snap->phase);
    // The engine built the series; the view only gives it its translated labels.
    Series s = snap->hitRate;
    s.name = tr("hit rate (model)");
    s.xLabel = tr("access number");
    s.yLabel = tr("hit rate (%)");
    m_chart->setSeries({s}, true);
    m_chart->yAxis->setRange(0, 100);
    m_chart->xAxis->setRange(0, std::max(10.0, s.x.empty() ? 0.0 : s.x.back() * 1.02));
    m_chart->replot(QCustomPlot::rpQueuedReplot);
    QStringList parts;
    parts << tr("<b>model</b>: %1 accesses, %2 hits, %3 misses, %4 evictions, %5 write-backs, hit rate %6%")
                 .arg(snap->totals.accesses())
                 .arg(snap->totals.hits)
                 .arg(snap->totals.misses)
                 .arg(snap->totals.evictions)
                 .arg(snap->totals.writeBacks)
                 .arg(100.0 * snap->totals.hitRate(), 0, 'f', 1);
    for (std::size_t o = 0; o < snap->perOwner.size(); ++o) {
        const auto &c = snap->perOwner[o];
        const QString name
            = int(o) < snap->ownerNames.size() ? snap->ownerNames.at(int(o)) : QString::number(o);
        parts << tr("<span style='color:%1'><b>%2</b></span>: %3 hits, %4 misses, %5 of its lines evicted")
                     .arg(m_theme.seriesColor(int(o)).darker(120).name(), name)
                     .arg(c.hits)
                     .arg(c.misses)
                     .arg(c.evictions);
    }
    if (snap->scenario && snap->phaseIndex == 2)
        parts << tr("refill misses of A after the switch: <b>%1</b>").arg(snap->refillMisses);
    m_counts->setText(parts.join(QStringLiteral("<br>")));
    m_status->setText(snap->result.error.isEmpty() ? snap->status : snap->result.error);
}

} // namespace proclab
