#include "vmmstateview.h"

#include <QVBoxLayout>

namespace proclab {

VmmStateView::VmmStateView(VmmStatePanel::Content content, QWidget *parent)
    : StepView(parent)
    , m_panel(new VmmStatePanel(content, this))
{
    auto *column = new QVBoxLayout(this);
    column->setContentsMargins(0, 0, 0, 0);
    column->addWidget(m_panel, 1);
}

void VmmStateView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState)
{
    auto s = std::dynamic_pointer_cast<const VmmSnapshot>(snapshot);
    m_panel->setSnapshot(s);
    m_statusText = s ? s->status : QString();
}

void VmmStateView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_panel->setTheme(theme);
}

} // namespace proclab
