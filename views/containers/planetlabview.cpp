#include "planetlabview.h"

#include "planetlabdiagram.h"

#include "containers/planetlabengine.h"

#include <QLabel>
#include <QVBoxLayout>

namespace proclab {

PlanetLabView::PlanetLabView(QWidget *parent)
    : StepView(parent)
    , m_diagram(new PlanetLabDiagram(this))
    , m_caption(new QLabel(this))
    , m_counts(new QLabel(this))
{
    m_caption->setWordWrap(true);
    m_caption->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_counts->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_caption);
    layout->addWidget(m_diagram, 1);
    layout->addWidget(m_counts);
    applyTheme(m_theme);
    showSnapshot(nullptr, RunState::Idle);
}

QString PlanetLabView::caption() const
{
    return m_caption->text();
}

QString PlanetLabView::counts() const
{
    return m_counts->text();
}

void PlanetLabView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_diagram->setTheme(theme);
    m_caption->setFont(theme.font(11));
    m_counts->setFont(theme.font(10));
    if (m_last)
        showSnapshot(m_last, m_lastState);
}

void PlanetLabView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    m_last = snapshot;
    m_lastState = state;
    const auto *s = dynamic_cast<const PlanetLabSnapshot *>(snapshot.get());
    if (!s || s->frame < 0) {
        m_diagram->setFrame({}, false);
        m_caption->setText(tr("PlanetLab: machines contributed by many organizations, shared by slices."));
        m_counts->clear();
        return;
    }
    m_diagram->setFrame(s->current, true);
    m_caption->setText(tr("Step %1 of %2: %3").arg(s->frame + 1).arg(s->frames).arg(s->current.caption));
    const std::vector<PlanetLabNode> &nodes = s->current.nodes;
    m_counts->setText(
        tr("Now (model): %1 nodes, %2 management vservers, %3 vservers of slices, %4 of them your "
           "slice A's; the busiest node holds %5 vservers on one kernel.")
            .arg(nodes.size())
            .arg(PlanetLabModel::managementVservers(nodes))
            .arg(PlanetLabModel::userVservers(nodes))
            .arg(PlanetLabModel::vserversOf(nodes, QStringLiteral("A")))
            .arg(PlanetLabModel::busiestNodeVservers(nodes)));
}

} // namespace proclab
