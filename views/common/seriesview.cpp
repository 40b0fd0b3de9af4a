#include "seriesview.h"

#include "livetextlabel.h"
#include "viewregistry.h"

#include <QVBoxLayout>

namespace proclab {

SeriesView::SeriesView(QWidget *parent)
    : StepView(parent)
    , m_chart(new ChartWidget(this))
    , m_status(new LiveTextLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_chart, 1);
    layout->addWidget(m_status);
}

void SeriesView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    if (!snapshot) {
        m_chart->setSeries({});
        m_status->setText(tr("Press Run (F5) to start."));
        return;
    }
    m_chart->setProvenance(snapshot->result.provenance);
    m_chart->setSeries(snapshot->result.series, state != RunState::Running);
    m_status->setText(snapshot->result.error.isEmpty() ? snapshot->status : snapshot->result.error);
}

void SeriesView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_status->setFont(theme.font(11));
}

void registerCommonViews(ViewRegistry &registry)
{
    registry.add(
        {ViewRegistry::seriesViewId(), QString(), QT_TRANSLATE_NOOP("ViewRegistry", "Chart of the result"),
            [](QWidget *parent) -> StepView * { return new SeriesView(parent); }});
}

} // namespace proclab
