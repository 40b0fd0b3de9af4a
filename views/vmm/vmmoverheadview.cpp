#include "vmmoverheadview.h"

#include "vmm/vmmengine.h"

#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>

namespace proclab {

VmmOverheadView::VmmOverheadView(QWidget *parent)
    : StepView(parent)
    , m_chart(new ChartWidget(this))
    , m_status(new QLabel(this))
{
    auto *column = new QVBoxLayout(this);
    column->setContentsMargins(0, 0, 0, 0);
    column->addWidget(m_chart, 1);
    m_status->setWordWrap(true);
    column->addWidget(m_status);
    m_chart->setProvenance(Provenance::Model);
    m_chart->setExportName(QStringLiteral("vmm-overhead"));
    m_chart->setTitle(tr("The same guest, run five ways: modelled cycles"));
}

void VmmOverheadView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState)
{
    auto s = std::dynamic_pointer_cast<const VmmSnapshot>(snapshot);
    removeOwnItems(m_chart, &m_items);
    m_bars = 0;
    const Series *cycles = nullptr;
    const Series *switches = nullptr;
    if (s) {
        for (const Series &series : s->result.series) {
            if (series.id == QLatin1String("modelled_cycles"))
                cycles = &series;
            else if (series.id == QLatin1String("world_switches"))
                switches = &series;
        }
    }
    if (!cycles) {
        m_chart->setSeries({});
        m_status->setText(s && !s->finished ? tr("The comparison runs once the guest has finished.")
                                            : tr("Run with \"Compare all modes\" on to fill this chart."));
        return;
    }
    Series shown = *cycles;
    shown.name = tr("modelled cycles");
    shown.xLabel = QString();
    shown.yLabel = tr("modelled cycles (model)");
    m_chart->setSeries({shown});
    m_bars = int(shown.x.size());
    // Mode names under the bars; slowdown and world switches above them.
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (std::size_t i = 0; i < shown.x.size(); ++i)
        ticker->addTick(
            shown.x[i], i < std::size_t(shown.pointLabels.size()) ? shown.pointLabels[int(i)] : QString());
    m_chart->xAxis->setTicker(ticker);
    const double nativeCycles = shown.y.empty() ? 0 : shown.y.front();
    const double top = shown.y.empty() ? 1 : *std::max_element(shown.y.begin(), shown.y.end());
    m_chart->xAxis->setRange(-0.6, double(shown.x.size()) - 0.4);
    m_chart->yAxis->setRange(0, top * 1.25);
    for (std::size_t i = 0; i < shown.x.size(); ++i) {
        auto *label = new QCPItemText(m_chart);
        label->position->setType(QCPItemPosition::ptPlotCoords);
        label->position->setCoords(shown.x[i], shown.y[i]);
        label->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
        label->setFont(m_theme.font(10, true));
        label->setColor(m_theme.text);
        QString text = nativeCycles > 0 ? tr("%1x").arg(shown.y[i] / nativeCycles, 0, 'f', 2) : QString();
        if (switches && i < switches->y.size())
            text += tr("\n%1 switches").arg(switches->y[i], 0, 'f', 0);
        label->setText(text);
        m_items.append(label);
    }
    m_chart->replot(QCustomPlot::rpQueuedReplot);
    const QString guest = s->guest;
    m_status->setText(tr("Guest %1, ISA %2 (model; costs from the cost table). Bars: total modelled "
                         "cycles; above them: slowdown against native and guest/VMM round trips.")
                          .arg(guest, ToyIsa::isaName(s->isa)));
}

void VmmOverheadView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_status->setFont(theme.font(10));
}

} // namespace proclab
