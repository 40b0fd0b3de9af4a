#include "livetextlabel.h"

#include <QAbstractTextDocumentLayout>
#include <QEvent>
#include <QPainter>
#include <QTextOption>

#include <algorithm>
#include <cmath>
#include <memory>

namespace proclab {

LiveTextLabel::LiveTextLabel(QWidget *parent)
    : QWidget(parent)
{
    QSizePolicy policy(QSizePolicy::Preferred, QSizePolicy::Preferred);
    policy.setHeightForWidth(true);
    setSizePolicy(policy);
    m_doc.setDocumentMargin(0);
    m_doc.setDefaultFont(font());
    m_doc.setUndoRedoEnabled(false);
    // Break lines between words only, as QLabel does (a document's default also breaks inside a
    // word that does not fit, which cut a table's narrow column mid-word).
    QTextOption option = m_doc.defaultTextOption();
    option.setWrapMode(QTextOption::WordWrap);
    m_doc.setDefaultTextOption(option);
}

void LiveTextLabel::setTextFormat(Qt::TextFormat format)
{
    const Qt::TextFormat f = format == Qt::PlainText ? Qt::PlainText : Qt::RichText;
    if (f == m_format)
        return;
    m_format = f;
    m_minWidth = -1;
    relayout();
}

void LiveTextLabel::setVerticalCentre(bool centre)
{
    if (centre == m_centre)
        return;
    m_centre = centre;
    update();
}

void LiveTextLabel::setText(const QString &text)
{
    if (text == m_text)
        return; // the same text: no layout, no repaint
    m_text = text;
    m_minWidth = -1;
    relayout();
}

void LiveTextLabel::relayout()
{
    if (m_format == Qt::RichText)
        m_doc.setHtml(m_text);
    else
        m_doc.setPlainText(m_text);
    m_doc.setTextWidth(width());
    const int h = documentHeight();
    if (h != m_height) {
        // A line more or fewer: the one case that needs the parent layout.
        m_height = h;
        updateGeometry();
    }
    update();
}

int LiveTextLabel::documentHeight() const
{
    return m_text.isEmpty() ? 0 : int(std::ceil(m_doc.size().height()));
}

QSize LiveTextLabel::sizeHint() const
{
    // As wide as the longest line would like (up to a sensible width), as high as the text at
    // the label's width needs; heightForWidth() says more for other widths.
    const int wide = std::min(int(std::ceil(m_doc.idealWidth())), 600);
    return {std::max(wide, minimumSizeHint().width()), m_height};
}

QSize LiveTextLabel::minimumSizeHint() const
{
    // As narrow as the text goes without breaking a word or squeezing a table column, worked
    // out only when the layout asks after the text changed (a frame that only redraws does not
    // ask); never more than kMaxMinimumWidth, so a long word does not widen the window.
    if (m_minWidth < 0)
        m_minWidth = std::clamp(int(std::ceil(copyAt(0)->idealWidth())), 80, kMaxMinimumWidth);
    return {m_minWidth, 0};
}

int LiveTextLabel::heightForWidth(int w) const
{
    if (m_text.isEmpty())
        return 0;
    if (std::abs(m_doc.textWidth() - w) < 0.5)
        return documentHeight();
    // Another width (the layout trying one): a copy laid out at it, the shown text untouched.
    return int(std::ceil(copyAt(w)->size().height()));
}

std::unique_ptr<QTextDocument> LiveTextLabel::copyAt(int width) const
{
    std::unique_ptr<QTextDocument> copy(m_doc.clone());
    copy->setDefaultTextOption(m_doc.defaultTextOption());
    copy->setTextWidth(width);
    return copy;
}

void LiveTextLabel::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    if (m_centre && height() > m_height)
        p.translate(0, (height() - m_height) / 2);
    QAbstractTextDocumentLayout::PaintContext context;
    context.palette = palette();
    context.palette.setColor(QPalette::Text, palette().color(foregroundRole()));
    context.clip = rect();
    m_doc.documentLayout()->draw(&p, context);
}

void LiveTextLabel::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    if (std::abs(m_doc.textWidth() - width()) >= 0.5) {
        m_doc.setTextWidth(width());
        const int h = documentHeight();
        if (h != m_height) {
            m_height = h;
            updateGeometry();
        }
    }
}

void LiveTextLabel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange) {
        m_doc.setDefaultFont(font());
        m_minWidth = -1;
        updateGeometry();
        relayout();
    } else if (event->type() == QEvent::PaletteChange) {
        update();
    }
}

} // namespace proclab
