#include "vmmlayersview.h"

#include "vmmlayersdiagram.h"
#include "vmmstatepanel.h"

#include <QHBoxLayout>
#include <QVBoxLayout>

namespace proclab {

VmmLayersView::VmmLayersView(QWidget *parent)
    : StepView(parent)
    , m_diagram(new VmmLayersDiagram(this))
    , m_panel(new VmmStatePanel(VmmStatePanel::Content::Compact, this))
{
    auto *row = new QHBoxLayout;
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_diagram, 3);
    row->addWidget(m_panel, 2);
    auto *column = new QVBoxLayout(this);
    column->setContentsMargins(0, 0, 0, 0);
    column->addLayout(row, 1);
}

void VmmLayersView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState)
{
    auto s = std::dynamic_pointer_cast<const VmmSnapshot>(snapshot);
    m_diagram->setSnapshot(s);
    m_panel->setSnapshot(s);
    m_statusText = s ? s->status : QString();
}

void VmmLayersView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_diagram->setTheme(theme);
    m_panel->setTheme(theme);
}

void VmmLayersView::setSpeed(double factor)
{
    StepView::setSpeed(factor);
    m_diagram->setSpeed(factor);
}

QString VmmLayersView::statusText() const
{
    return m_statusText;
}

} // namespace proclab
