#include "movediagram.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace proclab {

namespace {

const char *const kSegmentNames[3] = {
    QT_TRANSLATE_NOOP("MoveDiagram", "code segment"),
    QT_TRANSLATE_NOOP("MoveDiagram", "data segment"),
    QT_TRANSLATE_NOOP("MoveDiagram", "execution state"),
};

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
    const QFont title = m_theme.font(12, true);
    const QFont body = m_theme.font(10.5);
    const QFont small = m_theme.font(9.5);
    const double titleH = QFontMetricsF(title).height();
    const double bodyH = QFontMetricsF(body).height();

    // Two machines, a gap between them for the arrows.
    const double boxW = w * 0.31;
    const double top = titleH * 2.6;
    const double bottom = h - bodyH * 2.8;
    const QRectF boxes[2]
        = {QRectF(6, top, boxW, bottom - top), QRectF(w - boxW - 6, top, boxW, bottom - top)};
    const QString names[2] = {tr("this process (ProcLab)"), tr("node process")};
    const QString subtitles[2] = {pull() ? tr("client: fetches the code") : tr("source"),
        m_state.nodeLabel.isEmpty() ? tr("destination") : m_state.nodeLabel};
    const double segH = (boxes[0].height() - 16) / 3.0;
    for (int m = 0; m < 2; ++m) {
        const QRectF &box = boxes[m];
        p.setPen(QPen(m_theme.axis, m_theme.lineWidth));
        p.setBrush(Qt::NoBrush);
        p.drawRoundedRect(box, 8, 8);
        p.setFont(title);
        p.setPen(m_theme.text);
        p.drawText(QRectF(box.left(), 0, box.width(), titleH * 1.3), Qt::AlignCenter, names[m]);
        p.setFont(small);
        p.setPen(m_theme.muted.darker(150));
        p.drawText(QRectF(box.left(), titleH * 1.2, box.width(), titleH * 1.3),
            Qt::AlignCenter | Qt::TextSingleLine,
            QFontMetricsF(small).elidedText(subtitles[m], Qt::ElideMiddle, box.width()));
        for (int s = 0; s < 3; ++s) {
            const QRectF seg(box.left() + 10, box.top() + 4 + s * segH + 4, box.width() - 20, segH - 8);
            const bool held = holds(m, s);
            QColor fill = m_theme.seriesColor(s);
            if (held) {
                p.setPen(Qt::NoPen);
                p.setBrush(fill);
            } else {
                p.setPen(QPen(m_theme.muted, 1.5, Qt::DashLine));
                p.setBrush(Qt::NoBrush);
            }
            p.drawRoundedRect(seg, 6, 6);
            QString text = tr(kSegmentNames[s]);
            if (s == 2 && held) {
                if (m == 1 && !weak())
                    text += m_state.resumed || !m_state.finished
                        ? tr(": goes on at pc %1").arg(m_state.pcAtMove)
                        : tr(": shipped");
                else if (m == 1 || (pull() && m == 0))
                    text += tr(": new, at the entry");
                else if (m_state.mode == QLatin1String("clone") && m_state.moved)
                    text += tr(": the original goes on");
                else
                    text += tr(": running");
            }
            if (!held)
                text = m == 0 && sourceStopped() ? tr("%1: gone (stopped, shipped)").arg(text)
                                                 : tr("(%1: none)").arg(text);
            p.setFont(body);
            p.setPen(held ? QColor(Qt::white) : m_theme.muted.darker(130));
            p.drawText(seg.adjusted(8, 0, -8, 0), Qt::AlignCenter | Qt::TextWordWrap, text);
        }
    }

    // The arrows: one per segment that moved, with its measured size.
    const QStringList labels = arrowLabels();
    const double gapL = boxes[0].right() + 8;
    const double gapR = boxes[1].left() - 8;
    for (int i = 0; i < labels.size(); ++i) {
        const double y = top + 4 + i * segH + segH / 2 + 6;
        const QPointF a(gapL, y);
        const QPointF b(gapR, y);
        drawArrow(
            p, pull() ? b : a, pull() ? a : b, m_theme.seriesColor(i).darker(115), m_theme.lineWidth + 1);
        p.setFont(body);
        p.setPen(m_theme.text);
        p.drawText(QRectF(gapL, y - bodyH * 1.35, gapR - gapL, bodyH * 1.2), Qt::AlignCenter, labels.at(i));
    }
    if (m_state.mode == QLatin1String("clone") && m_state.moved) {
        p.setFont(small);
        p.setPen(m_theme.text);
        p.drawText(QRectF(gapL, top + 3 * segH + 2, gapR - gapL, bodyH * 1.3), Qt::AlignCenter,
            tr("copies: both go on"));
    }

    // Steps under each machine: how far the computation went where (measured).
    p.setFont(body);
    p.setPen(m_theme.text);
    const QString here = pull() ? tr("ran here: %L1 instructions").arg(m_state.stepsHere)
        : weak()                ? tr("ran here: none (the node runs it)")
                                : tr("ran here before the move: %L1 instructions").arg(m_state.stepsHere);
    const QString there = pull() ? tr("serves the code; runs none of it")
                                 : tr("ran at the node: %L1 instructions").arg(m_state.stepsAtNode);
    p.drawText(QRectF(boxes[0].left(), bottom + 4, boxW + 60, bodyH * 1.2), Qt::AlignLeft, here);
    p.drawText(QRectF(boxes[1].left() - 60, bottom + 4, boxW + 60, bodyH * 1.2), Qt::AlignRight, there);
    if (m_state.stepsUnmigrated > 0) {
        p.setFont(small);
        p.setPen(m_theme.muted.darker(150));
        p.drawText(QRectF(0, bottom + 4 + bodyH * 1.25, w, bodyH * 1.2), Qt::AlignCenter,
            tr("unmigrated run: %L1 instructions (measured on this machine)").arg(m_state.stepsUnmigrated));
    }
}

} // namespace proclab
