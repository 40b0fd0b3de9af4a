#include "bindingtablewidget.h"

#include <QPainter>

#include <algorithm>

namespace proclab {

using namespace mobility;

BindingTableWidget::BindingTableWidget(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void BindingTableWidget::setChoice(BindingKind binding, ResourceKind resource, bool chosen)
{
    m_binding = binding;
    m_resource = resource;
    m_chosen = chosen;
    update();
}

void BindingTableWidget::setTheme(const Theme &theme)
{
    m_theme = theme;
    update();
}

QRectF BindingTableWidget::cellRect(int row, int column) const
{
    // The first row and column hold the headings.
    const QFontMetricsF fm(m_theme.font(11, true));
    double headW = 0;
    for (BindingKind b : ResourceBindingTable::bindings())
        headW = std::max(headW, fm.horizontalAdvance(ResourceBindingTable::bindingName(b)));
    headW = std::min(headW + 16, width() * 0.3);
    const double headH = std::min(fm.height() * 1.8, height() * 0.25);
    const double cw = (width() - headW - 2) / 3.0;
    const double ch = (height() - headH - 2) / 3.0;
    return QRectF(headW + column * cw, headH + row * ch, cw, ch);
}

void BindingTableWidget::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), m_theme.base);
    const auto &bindings = ResourceBindingTable::bindings();
    const auto &resources = ResourceBindingTable::resources();
    const QFont head = m_theme.font(11, true);
    const QFont cell = m_theme.font(13, true);
    p.setFont(head);
    p.setPen(m_theme.text);
    for (int c = 0; c < 3; ++c) {
        const QRectF r = cellRect(0, c);
        p.drawText(QRectF(r.left(), 0, r.width(), r.top()), Qt::AlignCenter,
            ResourceBindingTable::resourceName(resources[std::size_t(c)]));
    }
    for (int row = 0; row < 3; ++row) {
        const QRectF r = cellRect(row, 0);
        p.setFont(head);
        p.setPen(m_theme.text);
        p.drawText(QRectF(0, r.top(), r.left() - 8, r.height()), Qt::AlignRight | Qt::AlignVCenter,
            ResourceBindingTable::bindingName(bindings[std::size_t(row)]));
        for (int c = 0; c < 3; ++c) {
            const QRectF cr = cellRect(row, c).adjusted(2, 2, -2, -2);
            const bool chosen = m_chosen && bindings[std::size_t(row)] == m_binding
                && resources[std::size_t(c)] == m_resource;
            p.setPen(QPen(m_theme.grid.darker(130), 1));
            p.setBrush(chosen ? m_theme.accent : m_theme.window);
            p.drawRect(cr);
            p.setFont(cell);
            p.setPen(chosen ? QColor(Qt::white) : m_theme.text);
            p.drawText(cr, Qt::AlignCenter | Qt::TextWordWrap,
                ResourceBindingTable::cellText(bindings[std::size_t(row)], resources[std::size_t(c)]));
        }
    }
}

} // namespace proclab
