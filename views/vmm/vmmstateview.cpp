#include "vmmstateview.h"

#include <QLabel>
#include <QVBoxLayout>

namespace proclab {

VmmStateView::VmmStateView(VmmStatePanel::Content content, QWidget *parent)
    : StepView(parent)
    , m_panel(new VmmStatePanel(content, this))
    , m_status(new QLabel(this))
{
    auto *column = new QVBoxLayout(this);
    column->setContentsMargins(0, 0, 0, 0);
    column->addWidget(m_panel, 1);
    m_status->setWordWrap(true);
    column->addWidget(m_status);
}

void VmmStateView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState)
{
    auto s = std::dynamic_pointer_cast<const VmmSnapshot>(snapshot);
    m_panel->setSnapshot(s);
    m_status->setText(s ? s->status : QString());
}

void VmmStateView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_panel->setTheme(theme);
    m_status->setFont(theme.font(10));
}

} // namespace proclab
