#include "diagrampainter.h"

#include <QFontMetricsF>
#include <QPainterPath>

#include <cmath>

namespace proclab {

QColor DiagramPainter::textOn(const QColor &fill) const
{
    return fill.lightness() > 150 ? QColor(Qt::black) : QColor(Qt::white);
}

void DiagramPainter::fittedText(
    const QRectF &r, const QString &text, double pointSize, bool bold, int flags, const QColor &colour)
{
    m_p->save();
    m_p->setPen(colour.isValid() ? colour : m_theme.text);
    for (double pt = pointSize; pt >= pointSize * 0.6; pt -= pointSize * 0.05) {
        const QFont f = m_theme.font(pt, bold);
        const QRectF need = QFontMetricsF(f).boundingRect(r, flags, text);
        if ((need.width() <= r.width() + 0.5 && need.height() <= r.height() + 0.5)
            || pt - pointSize * 0.05 < pointSize * 0.6) {
            m_p->setFont(f);
            break;
        }
    }
    m_p->drawText(r, flags, text);
    m_p->restore();
}

void DiagramPainter::box(
    const QRectF &r, const QString &text, const QColor &fill, bool emphasis, double pointSize, bool bold)
{
    m_p->save();
    m_p->setPen(QPen(emphasis ? m_theme.accent : m_theme.axis, emphasis ? m_theme.lineWidth * 1.3 : 1.5));
    m_p->setBrush(fill);
    m_p->drawRoundedRect(r, 6, 6);
    m_p->restore();
    fittedText(r.adjusted(6, 3, -6, -3), text, pointSize, bold || emphasis,
        Qt::AlignCenter | Qt::TextWordWrap, textOn(fill));
}

void DiagramPainter::arrow(QPointF a, QPointF b, const QColor &colour, const QString &label, double width,
    bool dashed, QSizeF labelBox)
{
    m_p->save();
    const double w = width > 0 ? width : m_theme.lineWidth;
    m_p->setPen(QPen(colour, w, dashed ? Qt::DashLine : Qt::SolidLine, Qt::RoundCap));
    const QPointF d = b - a;
    const double len = std::hypot(d.x(), d.y());
    if (len < 1) {
        m_p->restore();
        return;
    }
    const QPointF u = d / len;
    const double head = 8 + 2 * w;
    m_p->drawLine(a, b - u * head * 0.6);
    const QPointF n(-u.y(), u.x());
    QPainterPath tip;
    tip.moveTo(b);
    tip.lineTo(b - u * head + n * head * 0.45);
    tip.lineTo(b - u * head - n * head * 0.45);
    tip.closeSubpath();
    m_p->setPen(Qt::NoPen);
    m_p->setBrush(colour);
    m_p->drawPath(tip);
    m_p->restore();
    if (!label.isEmpty()) {
        const QPointF mid = (a + b) / 2;
        // Room above the line for three lines of the smallest size: a long label is never cut.
        const QSizeF room = labelBox.isValid() ? labelBox : QSizeF(std::max(120.0, std::min(len, 420.0)), 46);
        fittedText(
            QRectF(mid.x() - room.width() / 2, mid.y() - room.height() - 4, room.width(), room.height()),
            label, 10, true, Qt::AlignHCenter | Qt::AlignBottom | Qt::TextWordWrap, colour);
    }
}

} // namespace proclab
