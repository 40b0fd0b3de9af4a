#include "bindingview.h"

#include "mobility/bindingengine.h"

#include <QLabel>
#include <QVBoxLayout>

namespace proclab {

using namespace mobility;

BindingView::BindingView(QWidget *parent)
    : StepView(parent)
    , m_table(new BindingTableWidget(this))
    , m_answer(new QLabel(this))
    , m_demo(new QLabel(this))
    , m_status(new QLabel(this))
{
    m_answer->setWordWrap(true);
    m_answer->setTextFormat(Qt::RichText);
    m_demo->setWordWrap(true);
    m_demo->setTextFormat(Qt::RichText);
    m_demo->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_status->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table, 3);
    layout->addWidget(m_answer);
    layout->addWidget(m_demo, 2);
    layout->addWidget(m_status);
    applyTheme(m_theme);
    showSnapshot(nullptr, RunState::Idle);
}

void BindingView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_table->setTheme(theme);
    m_answer->setFont(theme.font(12));
    m_demo->setFont(theme.font(10.5));
    m_status->setFont(theme.font(10));
    if (m_last)
        showSnapshot(m_last, m_lastState);
}

QString BindingView::answerText() const
{
    return m_answer->text();
}

QString BindingView::demoText() const
{
    return m_demo->text();
}

void BindingView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    m_last = snapshot;
    m_lastState = state;
    const auto snap = std::dynamic_pointer_cast<const BindingSnapshot>(snapshot);
    if (!snap) {
        m_table->setChoice(BindingKind::ByIdentifier, ResourceKind::Fixed, false);
        m_answer->setText(tr("GR: global reference, MV: move the resource, CP: copy its value, RB: re-bind "
                             "to a local resource of the same type (model: the table)."));
        m_demo->clear();
        m_status->setText(snapshot && !snapshot->result.error.isEmpty() ? snapshot->result.error
                                                                        : tr("Press Run (F5) to start."));
        return;
    }
    m_table->setChoice(snap->binding, snap->resource, true);
    m_answer->setText(tr("Binding <b>%1</b> to a <b>%2</b> resource: the table prescribes <b>%3</b>, %4.")
                          .arg(ResourceBindingTable::bindingName(snap->binding),
                              ResourceBindingTable::resourceName(snap->resource),
                              ResourceBindingTable::cellText(snap->binding, snap->resource),
                              ResourceBindingTable::description(snap->prescription.action)));
    if (snap->outcome) {
        const ResourceOutcome &o = *snap->outcome;
        QStringList lines;
        lines << tr("<b>Done for real on this machine</b> (%1):").arg(ResourceBindingTable::code(o.action));
        for (const QString &s : o.steps)
            lines << QStringLiteral("&bull; %1").arg(s.toHtmlEscaped());
        if (o.ok()) {
            lines << tr("before: %1 &rarr; after: %2").arg(o.before.toHtmlEscaped(), o.after.toHtmlEscaped());
            lines << tr("still at the source: <b>%1</b>; at the destination: <b>%2</b>; same content read: "
                        "<b>%3</b>; %4 bytes")
                         .arg(o.sourceRemains ? tr("yes") : tr("no"),
                             o.destinationHolds ? tr("yes") : tr("no"), o.sameContent ? tr("yes") : tr("no"))
                         .arg(o.bytes);
        } else {
            lines << tr("failed: %1").arg(o.error.toHtmlEscaped());
        }
        m_demo->setText(lines.join(QStringLiteral("<br>")));
    } else {
        m_demo->clear();
    }
    m_status->setText(snap->result.error.isEmpty() ? snap->status : snap->result.error);
}

} // namespace proclab
