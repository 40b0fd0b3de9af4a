#include "shortcutoverlay.h"

#include "common/theme.h"

#include <QApplication>
#include <QEvent>
#include <QKeyEvent>
#include <QLabel>
#include <QPainter>
#include <QVBoxLayout>

namespace proclab {

namespace {

struct KeyLine {
    const char *keys;
    const char *meaning;
};

// Kept in step with the actions of MainWindow, LabPanel and QuestionWidget.
constexpr KeyLine kKeys[] = {
    {QT_TRANSLATE_NOOP("ShortcutOverlay", "Page Down / Page Up"),
        QT_TRANSLATE_NOOP("ShortcutOverlay", "Next / previous step")},
    {QT_TRANSLATE_NOOP("ShortcutOverlay", "F5"), QT_TRANSLATE_NOOP("ShortcutOverlay", "Run / resume")},
    {QT_TRANSLATE_NOOP("ShortcutOverlay", "F6"), QT_TRANSLATE_NOOP("ShortcutOverlay", "Pause")},
    {QT_TRANSLATE_NOOP("ShortcutOverlay", "F10"), QT_TRANSLATE_NOOP("ShortcutOverlay", "Step one event")},
    {QT_TRANSLATE_NOOP("ShortcutOverlay", "Shift+F5"), QT_TRANSLATE_NOOP("ShortcutOverlay", "Stop")},
    {QT_TRANSLATE_NOOP("ShortcutOverlay", "Ctrl+R"),
        QT_TRANSLATE_NOOP("ShortcutOverlay", "Reset the step to its preset")},
    {QT_TRANSLATE_NOOP("ShortcutOverlay", "Ctrl+Shift+A"),
        QT_TRANSLATE_NOOP("ShortcutOverlay", "Go to the answer box")},
    {QT_TRANSLATE_NOOP("ShortcutOverlay", "Up / Down, Enter"),
        QT_TRANSLATE_NOOP("ShortcutOverlay", "Pick a choice, check the answer")},
    {QT_TRANSLATE_NOOP("ShortcutOverlay", "Ctrl+Enter"),
        QT_TRANSLATE_NOOP("ShortcutOverlay", "Check the answer")},
    {QT_TRANSLATE_NOOP("ShortcutOverlay", "Ctrl+= / Ctrl+- / Ctrl+0"),
        QT_TRANSLATE_NOOP("ShortcutOverlay", "Larger / smaller / normal text")},
    {QT_TRANSLATE_NOOP("ShortcutOverlay", "Ctrl+Shift+P"),
        QT_TRANSLATE_NOOP("ShortcutOverlay", "Presenter layout on / off")},
    {QT_TRANSLATE_NOOP("ShortcutOverlay", "Ctrl+L"),
        QT_TRANSLATE_NOOP("ShortcutOverlay", "Show or hide the lesson list")},
    {QT_TRANSLATE_NOOP("ShortcutOverlay", "Ctrl+M"), QT_TRANSLATE_NOOP("ShortcutOverlay", "Syllabus map")},
    {QT_TRANSLATE_NOOP("ShortcutOverlay", "F11"), QT_TRANSLATE_NOOP("ShortcutOverlay", "Full screen")},
    {QT_TRANSLATE_NOOP("ShortcutOverlay", "Ctrl+E / Ctrl+Shift+E"),
        QT_TRANSLATE_NOOP("ShortcutOverlay", "Export the chart as PNG / CSV")},
    {QT_TRANSLATE_NOOP("ShortcutOverlay", "F1 or ?"),
        QT_TRANSLATE_NOOP("ShortcutOverlay", "This list (any key closes it)")},
};

} // namespace

ShortcutOverlay::ShortcutOverlay(QWidget *parent)
    : QWidget(parent)
    , m_table(new QLabel(this))
{
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_NoSystemBackground);
    auto *layout = new QVBoxLayout(this);
    layout->addStretch(1);
    layout->addWidget(m_table, 0, Qt::AlignHCenter);
    layout->addStretch(1);
    m_table->setTextFormat(Qt::RichText);
    m_table->setAutoFillBackground(false);
    m_table->setMargin(24);
    QString rows;
    for (const KeyLine &k : kKeys)
        rows += QStringLiteral("<tr><td align=right><b>%1</b></td><td>%2</td></tr>")
                    .arg(tr(k.keys).toHtmlEscaped(), tr(k.meaning).toHtmlEscaped());
    m_table->setText(QStringLiteral("<h2>%1</h2><table cellspacing=4 cellpadding=4>%2</table>")
                         .arg(tr("Keyboard shortcuts"), rows));
    parent->installEventFilter(this);
    hide();
}

QString ShortcutOverlay::text() const
{
    QStringList lines;
    for (const KeyLine &k : kKeys)
        lines << tr(k.keys) + QStringLiteral("  ") + tr(k.meaning);
    return lines.join(QLatin1Char('\n'));
}

void ShortcutOverlay::open()
{
    QWidget *focused = QApplication::focusWidget();
    m_previousFocus = focused != this ? focused : nullptr;
    setGeometry(parentWidget()->rect());
    raise();
    show();
    setFocus(Qt::ShortcutFocusReason);
}

void ShortcutOverlay::applyTheme(const Theme &theme)
{
    m_table->setFont(theme.font(12.5));
    m_panel = theme.base;
    m_border = theme.text;
    QPalette p = m_table->palette();
    p.setColor(QPalette::WindowText, theme.text);
    m_table->setPalette(p);
    update();
}

void ShortcutOverlay::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.fillRect(rect(), QColor(0, 0, 0, 140));
    const QRect panel = m_table->geometry().adjusted(-4, -4, 4, 4);
    p.setPen(QPen(m_border, 2));
    p.setBrush(m_panel);
    p.drawRoundedRect(panel, 8, 8);
}

void ShortcutOverlay::keyPressEvent(QKeyEvent *event)
{
    // Any key closes it; modifiers alone do not (Shift is half of "?").
    switch (event->key()) {
    case Qt::Key_Shift:
    case Qt::Key_Control:
    case Qt::Key_Alt:
    case Qt::Key_Meta:
        QWidget::keyPressEvent(event);
        return;
    default:
        dismiss();
        event->accept();
    }
}

void ShortcutOverlay::mousePressEvent(QMouseEvent *event)
{
    dismiss();
    event->accept();
}

void ShortcutOverlay::dismiss()
{
    hide();
    // The keyboard goes back where it was (the lesson text, the answer box), so that the
    // next key does what it did before the overlay opened.
    if (m_previousFocus)
        m_previousFocus->setFocus(Qt::OtherFocusReason);
    else if (parentWidget())
        parentWidget()->setFocus(Qt::OtherFocusReason);
}

bool ShortcutOverlay::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == parentWidget() && event->type() == QEvent::Resize && isVisible())
        setGeometry(parentWidget()->rect());
    return QWidget::eventFilter(watched, event);
}

} // namespace proclab
