#include "messageview.h"

#include <QLabel>
#include <QVBoxLayout>

namespace proclab {

MessageView::MessageView(const QString &message, QWidget *parent)
    : StepView(parent)
    , m_label(new QLabel(message, this))
{
    m_label->setWordWrap(true);
    m_label->setAlignment(Qt::AlignCenter);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_label);
}

void MessageView::showSnapshot(const std::shared_ptr<const Snapshot> &, RunState)
{
    // The message stays: nothing a run produces replaces it.
}

void MessageView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_label->setFont(theme.font(14));
}

QString MessageView::message() const
{
    return m_label->text();
}

} // namespace proclab
