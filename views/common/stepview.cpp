#include "stepview.h"

namespace proclab {

StepView::StepView(QWidget *parent)
    : QWidget(parent)
    , m_theme(Theme::byId(QStringLiteral("light")))
{
}

ChartWidget *StepView::primaryChart() const
{
    const QList<ChartWidget *> all = charts();
    return all.isEmpty() ? nullptr : all.front();
}

void StepView::applyTheme(const Theme &theme)
{
    m_theme = theme;
    for (ChartWidget *c : charts())
        c->applyTheme(theme);
    update();
}

} // namespace proclab
