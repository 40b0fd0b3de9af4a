#include "sequencediagram.h"

#include <QFontMetrics>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace proclab {

QString sequenceTimeText(std::int64_t ns)
{
    if (ns < 0)
        return QString();
    if (ns < 1000000)
        return QStringLiteral("+%1 us").arg(static_cast<double>(ns) / 1000.0, 0, 'f', 0);
    return QStringLiteral("+%1 ms").arg(static_cast<double>(ns) / 1e6, 0, 'f', ns < 10000000 ? 2 : 1);
}

SequenceDiagram::SequenceDiagram(QWidget *parent)
    : QWidget(parent)
    , m_theme(Theme::byId(QStringLiteral("light")))
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void SequenceDiagram::setSequence(const ServerSequence &sequence)
{
    m_sequence = sequence;
    m_step = std::clamp(m_step, 0, std::max(0, stepCount() - 1));
    update();
    Q_EMIT stepChanged(m_step);
}

void SequenceDiagram::setTheme(const Theme &theme)
{
    m_theme = theme;
    update();
}

void SequenceDiagram::setStep(int step)
{
    m_step = std::clamp(step, 0, std::max(0, stepCount() - 1));
    update();
    Q_EMIT stepChanged(m_step);
}

int SequenceDiagram::headerHeight() const
{
    return QFontMetrics(m_theme.font(11, true)).height() * 2 + 8;
}

int SequenceDiagram::timeColumnWidth() const
{
    return QFontMetrics(m_theme.font(10)).horizontalAdvance(QStringLiteral("+0000 us")) + 8;
}

int SequenceDiagram::laneX(int lane) const
{
    const int lanes = std::max(1, static_cast<int>(m_sequence.lanes.size()));
    const int left = timeColumnWidth();
    const double slot = static_cast<double>(width() - left) / lanes;
    return left + static_cast<int>(slot * (lane + 0.5));
}

int SequenceDiagram::rowY(int index) const
{
    const int n = std::max(1, stepCount());
    const int top = headerHeight() + 6;
    const double row = static_cast<double>(height() - top - 4) / n;
    return top + static_cast<int>(row * (index + 0.5));
}

void SequenceDiagram::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), m_theme.base);
    const ServerSequence &s = m_sequence;
    const int lanes = static_cast<int>(s.lanes.size());
    if (lanes == 0)
        return;
    const QFont laneFont = m_theme.font(11, true);
    const QFont labelFont = m_theme.font(10, false);
    const QFont timeFont = m_theme.font(10);
    const int header = headerHeight();
    const int slot = (width() - timeColumnWidth()) / lanes;
    const double line = std::max(1.5, m_theme.lineWidth);

    // Lane heads and lifelines. A lane created per connection is drawn solid only while its
    // process lives (from the spawn to the exit, as far as the animation has got).
    for (int lane = 0; lane < lanes; ++lane) {
        const int x = laneX(lane);
        const bool perConnection = lane == s.createdLane;
        const bool alive = !perConnection || m_step >= s.createdAt;
        QRect head(x - slot / 2 + 4, 2, slot - 8, header - 6);
        p.setPen(QPen(alive ? m_theme.text : m_theme.muted, line));
        p.setBrush(alive ? m_theme.seriesColor(lane).lighter(170) : m_theme.base);
        p.drawRoundedRect(head, 6, 6);
        p.setFont(laneFont);
        p.setPen(alive ? m_theme.text : m_theme.muted);
        p.drawText(head.adjusted(4, 0, -4, 0), Qt::AlignCenter | Qt::TextWordWrap, s.lanes[lane]);
        int from = header;
        int to = height() - 2;
        if (perConnection) {
            p.setPen(QPen(m_theme.muted, 1, Qt::DotLine));
            p.drawLine(x, header, x, height() - 2);
            if (m_step < s.createdAt)
                continue;
            from = rowY(s.createdAt);
            to = m_step >= s.endedAt ? rowY(s.endedAt) : height() - 2;
        }
        p.setPen(QPen(m_theme.text, line * 0.75, perConnection ? Qt::SolidLine : Qt::DashLine));
        p.drawLine(x, from, x, to);
        if (perConnection && m_step >= s.endedAt) {
            const int d = 7;
            p.setPen(QPen(m_theme.bad, line * 1.5));
            p.drawLine(x - d, to - d, x + d, to + d);
            p.drawLine(x - d, to + d, x + d, to - d);
        }
    }

    // Messages up to the current step.
    const QFontMetrics fm(labelFont);
    for (int i = 0; i <= m_step && i < stepCount(); ++i) {
        const SequenceMessage &m = s.messages[static_cast<std::size_t>(i)];
        const bool current = i == m_step;
        const QColor colour = current ? m_theme.accent : m_theme.text;
        const int y = rowY(i);
        p.setFont(timeFont);
        p.setPen(current ? m_theme.accent : m_theme.muted.darker(150));
        p.drawText(QRect(2, y - fm.height(), timeColumnWidth() - 6, 2 * fm.height()),
            Qt::AlignRight | Qt::AlignVCenter, sequenceTimeText(m.timeNs));
        p.setFont(labelFont);
        if (m.from == m.to) {
            // Something a lane does on its own: a box on its lifeline.
            const int x = laneX(m.from);
            const int w = std::min(fm.horizontalAdvance(m.label) + 16, width() - timeColumnWidth() - 4);
            int left = std::clamp(x - w / 2, timeColumnWidth(), width() - w - 2);
            QRect box(left, y - fm.height() / 2 - 4, w, fm.height() + 8);
            p.setPen(QPen(colour, current ? line * 1.5 : line));
            p.setBrush(current ? m_theme.accent.lighter(185) : m_theme.base);
            p.drawRect(box);
            p.setPen(m_theme.text);
            p.drawText(box, Qt::AlignCenter, fm.elidedText(m.label, Qt::ElideRight, w - 8));
            continue;
        }
        const int x1 = laneX(m.from);
        const int x2 = laneX(m.to);
        const int dir = x2 > x1 ? 1 : -1;
        p.setPen(QPen(colour, current ? line * 1.8 : line));
        p.drawLine(x1, y, x2 - dir * 2, y);
        QPainterPath head;
        const int a = 11;
        head.moveTo(x2, y);
        head.lineTo(x2 - dir * a, y - a / 2);
        head.lineTo(x2 - dir * a, y + a / 2);
        head.closeSubpath();
        p.fillPath(head, colour);
        // The label sits above the arrow, centred, clipped to the span (and the widget).
        const int span = std::abs(x2 - x1);
        const int w
            = std::min(std::max(span, fm.horizontalAdvance(m.label) + 8), width() - timeColumnWidth());
        const int left = std::clamp((x1 + x2) / 2 - w / 2, timeColumnWidth(), width() - w);
        QRect text(left, y - fm.height() - 3, w, fm.height());
        // On the base colour, so that lifelines do not cross the text.
        const QString shown = fm.elidedText(m.label, Qt::ElideRight, w);
        const int textWidth = fm.horizontalAdvance(shown) + 6;
        p.fillRect(
            QRect(text.center().x() - textWidth / 2, text.top(), textWidth, text.height()), m_theme.base);
        p.setPen(current ? m_theme.accent.darker(130) : m_theme.text);
        p.drawText(text, Qt::AlignHCenter | Qt::AlignBottom, shown);
    }
}

} // namespace proclab
