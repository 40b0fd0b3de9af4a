#include "cloudlayersview.h"

#include "cloudstackdiagram.h"

#include "containers/cloudlayersengine.h"

#include <QLabel>
#include <QVBoxLayout>

namespace proclab {

CloudLayersView::CloudLayersView(QWidget *parent)
    : StepView(parent)
    , m_diagram(new CloudStackDiagram(this))
    , m_caption(new QLabel(this))
{
    m_caption->setWordWrap(true);
    m_caption->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_caption);
    layout->addWidget(m_diagram, 1);
    applyTheme(m_theme);
    showSnapshot(nullptr, RunState::Idle);
}

QString CloudLayersView::caption() const
{
    return m_caption->text();
}

void CloudLayersView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_diagram->setTheme(theme);
    m_caption->setFont(theme.font(10));
    if (m_last)
        showSnapshot(m_last, m_lastState);
}

void CloudLayersView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    m_last = snapshot;
    m_lastState = state;
    const auto *s = dynamic_cast<const CloudLayersSnapshot *>(snapshot.get());
    if (!s || s->frame < 0) {
        m_diagram->setState({}, -1, false);
        m_caption->setText(tr("Who manages which layer? Press Run or Step to uncover each service model."));
        return;
    }
    m_diagram->setState(s->shown, s->offering, s->sharedMachine);
    m_caption->setText(tr("Step %1 of %2: %3").arg(s->frame + 1).arg(s->frames).arg(s->caption));
}

} // namespace proclab
