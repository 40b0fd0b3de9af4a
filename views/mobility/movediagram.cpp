#include "movediagram.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace proclab {

namespace {

const char *const kSegmentNames[3] = {
    QT_TRANSLATE_NOOP("MoveDiagram", "code"),
    QT_TRANSLATE_NOOP("MoveDiagram", "data"),
    QT_TRANSLATE_NOOP("MoveDiagram", "state"),
};

/// "812 instructions", "49.99 M instructions".
QString countText(std::uint64_t n)
{
    if (n < 100'000)
        return MoveDiagram::tr("%1 instructions").arg(n);
    if (n < 100'000'000)
        return MoveDiagram::tr("%1 M instructions").arg(double(n) / 1e6, 0, 'f', 2);
    return MoveDiagram::tr("%1 M instructions").arg(double(n) / 1e6, 0, 'f', 0);
}

void drawArrow(QPainter &p, QPointF from, QPointF to, const QColor &colour, double width)
{
    p.setPen(QPen(colour, width, Qt::SolidLine, Qt::RoundCap));
    p.drawLine(from, to);
    const double dir = to.x() > from.x() ? 1.0 : -1.0;
    const double head = 4 * width + 6;
    QPainterPath tip;
    tip.moveTo(to);
    tip.lineTo(to.x() - dir * head, to.y() - head * 0.6);
    tip.lineTo(to.x() - dir * head, to.y() + head * 0.6);
    tip.closeSubpath();
    p.fillPath(tip, colour);
}

} // namespace

QString mobilityBytesText(std::int64_t bytes)
{
    if (bytes < 0)
        return QStringLiteral("?");
    if (bytes < 10'000)
        return QStringLiteral("%1 B").arg(bytes);
    return QStringLiteral("%1 kB").arg(double(bytes) / 1000.0, 0, 'f', 1);
}

MoveDiagram::MoveDiagram(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void MoveDiagram::setState(const State &state)
{
    m_state = state;
    update();
}

void MoveDiagram::setTheme(const Theme &theme)
{
    m_theme = theme;
    update();
}

bool MoveDiagram::holds(int machine, int segment) const
{
    const bool moved = m_state.moved;
    if (pull()) {
        // The node's repository holds code and data; after the fetch they are here and run here.
        if (machine == 1)
            return segment < 2;
        return moved;
    }
    if (machine == 0) {
        if (m_state.mode == QLatin1String("weak-push"))
            return segment < 2; // the client ships its code and data; it runs nothing itself
        if (m_state.mode == QLatin1String("strong"))
            return !moved; // stopped and shipped: nothing stays
        return true; // clone: the original goes on
    }
    return moved;
}

bool MoveDiagram::sourceStopped() const
{
    return m_state.mode == QLatin1String("strong") && m_state.moved;
}

QStringList MoveDiagram::arrowLabels() const
{
    QStringList labels;
    if (!m_state.moved)
        return labels;
    const std::int64_t bytes[3] = {m_state.bytesCode, m_state.bytesData, m_state.bytesState};
    const int segments = weak() ? 2 : 3;
    for (int i = 0; i < segments; ++i)
        labels << tr("%1 %2").arg(tr(kSegmentNames[i]), mobilityBytesText(bytes[i]));
    return labels;
}

void MoveDiagram::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), m_theme.base);
    const double w = width();
    const double h = height();
    const QFont title = m_theme.font(11, true);
    const QFont body = m_theme.font(10, true);
    const QFont small = m_theme.font(9);
    const double titleH = QFontMetricsF(title).height();
    const double smallH = QFontMetricsF(small).height();

    // Two machines, a gap between them for the arrows; two lines of counts underneath.
    const double boxW = w * 0.3;
    const double top = titleH + smallH + 8;
    const double bottom = h - smallH * 2.4 - 4;
    const QRectF boxes[2]
        = {QRectF(4, top, boxW, bottom - top), QRectF(w - boxW - 4, top, boxW, bottom - top)};
    const QString names[2] = {tr("here (ProcLab)"), tr("node process")};
    const QString subtitles[2] = {pull() ? tr("client: fetches the code") : tr("source"),
        m_state.nodeLabel.isEmpty() ? tr("destination") : m_state.nodeLabel};
    const double segH = (boxes[0].height() - 8) / 3.0;
    for (int m = 0; m < 2; ++m) {
        const QRectF &box = boxes[m];
        p.setPen(QPen(m_theme.axis, m_theme.lineWidth));
        p.setBrush(Qt::NoBrush);
        p.drawRoundedRect(box, 8, 8);
        p.setFont(title);
        p.setPen(m_theme.text);
        p.drawText(QRectF(box.left() - 20, 0, box.width() + 40, titleH), Qt::AlignCenter,
            QFontMetricsF(title).elidedText(names[m], Qt::ElideRight, box.width() + 40));
        p.setFont(small);
        p.setPen(m_theme.muted.darker(150));
        // Within the widget: the right box's line must not run past its edge.
        const QRectF sub = QRectF(box.left() - 20, titleH, box.width() + 40, smallH + 4).intersected(rect());
        p.drawText(sub, Qt::AlignCenter,
            QFontMetricsF(small).elidedText(subtitles[m], Qt::ElideMiddle, sub.width()));
        for (int s = 0; s < 3; ++s) {
            const QRectF seg(box.left() + 6, box.top() + 4 + s * segH + 3, box.width() - 12, segH - 6);
            const bool held = holds(m, s);
            if (held) {
                p.setPen(Qt::NoPen);
                p.setBrush(m_theme.seriesColor(s));
            } else {
                p.setPen(QPen(m_theme.muted, 1.5, Qt::DashLine));
                p.setBrush(Qt::NoBrush);
            }
            p.drawRoundedRect(seg, 6, 6);
            QString text = tr(kSegmentNames[s]);
            if (s == 2 && held) {
                if (m == 1 && !weak())
                    text = tr("state: goes on at pc %1").arg(m_state.pcAtMove);
                else if (m == 1 || (pull() && m == 0))
                    text = tr("state: new, at the entry");
                else if (m_state.mode == QLatin1String("clone") && m_state.moved)
                    text = tr("state: original goes on");
                else
                    text = tr("state: running");
            }
            if (!held)
                text = m == 0 && sourceStopped() ? tr("%1: gone").arg(text) : tr("no %1").arg(text);
            p.setFont(body);
            p.setPen(held ? QColor(Qt::white) : m_theme.muted.darker(140));
            p.drawText(seg.adjusted(4, 0, -4, 0), Qt::AlignCenter | Qt::TextWordWrap, text);
        }
    }

    // The arrows: one per segment that moved, with its measured size.
    const QStringList labels = arrowLabels();
    const double gapL = boxes[0].right() + 6;
    const double gapR = boxes[1].left() - 6;
    for (int i = 0; i < labels.size(); ++i) {
        const double y = top + 4 + i * segH + segH * 0.62;
        const QPointF a(gapL, y);
        const QPointF b(gapR, y);
        const QColor colour = m_theme.seriesColor(i).darker(115);
        drawArrow(p, pull() ? b : a, pull() ? a : b, colour, m_theme.lineWidth + 1);
        p.setFont(body);
        p.setPen(m_theme.text);
        const QFontMetricsF fm(body);
        p.drawText(QRectF(gapL, y - fm.height() * 1.25, gapR - gapL, fm.height()), Qt::AlignCenter,
            fm.elidedText(labels.at(i), Qt::ElideRight, gapR - gapL));
    }
    if (m_state.mode == QLatin1String("clone") && m_state.moved) {
        p.setFont(small);
        p.setPen(m_theme.text);
        p.drawText(QRectF(gapL, bottom - smallH * 1.4, gapR - gapL, smallH * 1.3), Qt::AlignCenter,
            tr("copies: both go on"));
    }

    // Instructions run on each side (measured), and the unmigrated run for comparison.
    p.setFont(small);
    p.setPen(m_theme.text);
    const QString here = pull() ? tr("ran here: %1").arg(countText(m_state.stepsHere))
        : weak()                ? tr("ran here: none")
                                : tr("ran here: %1").arg(countText(m_state.stepsHere));
    const QString there
        = pull() ? tr("ran there: none") : tr("ran there: %1").arg(countText(m_state.stepsAtNode));
    p.drawText(QRectF(boxes[0].left(), bottom + 2, boxW + 40, smallH), Qt::AlignLeft, here);
    p.drawText(QRectF(boxes[1].right() - boxW - 40, bottom + 2, boxW + 40, smallH), Qt::AlignRight, there);
    if (m_state.stepsUnmigrated > 0) {
        p.setPen(m_theme.muted.darker(150));
        p.drawText(QRectF(0, bottom + 2 + smallH * 1.2, w, smallH), Qt::AlignCenter,
            tr("unmigrated run: %1 (measured on this machine)").arg(countText(m_state.stepsUnmigrated)));
    }
}

} // namespace proclab
