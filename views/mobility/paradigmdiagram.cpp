#include "paradigmdiagram.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace proclab {

ParadigmDiagram::ParadigmDiagram(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ParadigmDiagram::setFrame(Paradigm paradigm, int frame)
{
    m_paradigm = paradigm;
    m_frame = frame;
    update();
}

void ParadigmDiagram::setTheme(const Theme &theme)
{
    m_theme = theme;
    update();
}

QStringList ParadigmDiagram::tokensAt(int row, int machine) const
{
    QStringList tokens;
    if (m_frame < 0 || (row == 1 && m_frame < 2))
        return tokens;
    const ParadigmPlacement p = ParadigmsEngine::placement(m_paradigm, row == 1);
    if (p.code == machine)
        tokens << tr("code");
    if (p.execution == machine)
        tokens << tr("execution");
    if (p.resource == machine)
        tokens << tr("resource");
    return tokens;
}

void ParadigmDiagram::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), m_theme.base);
    const double w = width();
    const double h = height();
    const QFont title = m_theme.font(12, true);
    const QFont body = m_theme.font(11, true);
    const double titleH = QFontMetricsF(title).height();
    const double labelW = QFontMetricsF(title).horizontalAdvance(tr("before")) + 24;
    const double colW = (w - labelW - 40) * 0.36;
    const double gap = w - labelW - 2 * colW - 10;
    const double x0 = labelW;
    const double x1 = x0 + colW + gap;
    const double rowTop[2] = {titleH * 1.6, titleH * 1.6 + (h - titleH * 1.6) / 2};
    const double rowH = (h - titleH * 1.6) / 2 - 10;

    p.setFont(title);
    p.setPen(m_theme.text);
    p.drawText(QRectF(x0, 0, colW, titleH * 1.4), Qt::AlignCenter, tr("client"));
    p.drawText(QRectF(x1, 0, colW, titleH * 1.4), Qt::AlignCenter, tr("server"));
    const QString rows[2] = {tr("before"), tr("after")};
    const QColor tokenColours[3] = {m_theme.seriesColor(0), m_theme.seriesColor(2), m_theme.seriesColor(3)};
    for (int row = 0; row < 2; ++row) {
        p.setFont(title);
        p.setPen(m_theme.text);
        p.drawText(QRectF(0, rowTop[row], labelW - 8, rowH), Qt::AlignRight | Qt::AlignVCenter, rows[row]);
        for (int m = 0; m < 2; ++m) {
            const QRectF box(m == 0 ? x0 : x1, rowTop[row], colW, rowH);
            p.setPen(QPen(m_theme.axis, m_theme.lineWidth));
            p.setBrush(Qt::NoBrush);
            p.drawRoundedRect(box, 8, 8);
            const QStringList tokens = tokensAt(row, m);
            if (row == 1 && m_frame < 2) {
                p.setFont(m_theme.font(11));
                p.setPen(m_theme.muted.darker(130));
                p.drawText(box, Qt::AlignCenter, tr("?"));
                continue;
            }
            const double th = std::min(rowH / 3.6, QFontMetricsF(body).height() * 1.6);
            for (int i = 0; i < tokens.size(); ++i) {
                const QRectF t(box.left() + 14, box.top() + 8 + i * (th + 6), box.width() - 28, th);
                const int colour = tokens[i] == tr("code") ? 0 : tokens[i] == tr("execution") ? 1 : 2;
                p.setPen(Qt::NoPen);
                p.setBrush(tokenColours[colour]);
                p.drawRoundedRect(t, 6, 6);
                p.setFont(body);
                p.setPen(Qt::white);
                p.drawText(t, Qt::AlignCenter, tokens[i]);
            }
        }
    }
    // The move: an arrow between the columns while moving and after.
    if (m_frame >= 1) {
        const ParadigmPlacement b = ParadigmsEngine::placement(m_paradigm, false);
        const ParadigmPlacement a = ParadigmsEngine::placement(m_paradigm, true);
        QString what;
        int from = 0;
        if (b.code != a.code) {
            what = b.execution >= 0 && b.execution != a.execution ? tr("code + execution state") : tr("code");
            from = b.code;
        } else {
            what = tr("request, then reply");
            from = 0;
        }
        const double y = rowTop[1] - 6;
        const double left = x0 + colW + 10;
        const double right = x1 - 10;
        const QPointF s(from == 0 ? left : right, y);
        const QPointF e(from == 0 ? right : left, y);
        const QColor c = m_theme.accent;
        p.setPen(QPen(c, m_theme.lineWidth + 2, Qt::SolidLine, Qt::RoundCap));
        p.drawLine(s, e);
        const double dir = e.x() > s.x() ? 1 : -1;
        QPainterPath tip;
        tip.moveTo(e);
        tip.lineTo(e.x() - dir * 16, e.y() - 9);
        tip.lineTo(e.x() - dir * 16, e.y() + 9);
        tip.closeSubpath();
        p.fillPath(tip, c);
        p.setFont(m_theme.font(11));
        p.setPen(m_theme.text);
        const QFontMetricsF fm(p.font());
        p.drawText(QRectF(left, y - fm.height() * 2.2, right - left, fm.height() * 2),
            Qt::AlignCenter | Qt::TextWordWrap, what);
    }
}

} // namespace proclab
