#include "cachegridwidget.h"

#include "cache/cachescenario.h"

#include <QImage>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace proclab {

CacheGridWidget::CacheGridWidget(QWidget *parent)
    : QWidget(parent)
    , m_theme(Theme::byId(QStringLiteral("light")))
{
    setMinimumSize(260, 200);
}

void CacheGridWidget::setSnapshot(std::shared_ptr<const CacheSnapshot> snapshot)
{
    m_snap = std::move(snapshot);
    update();
}

void CacheGridWidget::setTheme(const Theme &theme)
{
    m_theme = theme;
    update();
}

QColor CacheGridWidget::ownerColor(int owner) const
{
    return m_theme.seriesColor(owner);
}

CacheGridWidget::Layout CacheGridWidget::layout() const
{
    Layout l;
    if (!m_snap || !m_snap->hasGrid)
        return l;
    l.sets = int(m_snap->geometry.sets());
    l.ways = int(m_snap->geometry.ways);
    const QFontMetrics fm(m_theme.font(9));
    // Room for set numbers on the left and way numbers on top, when cells are big enough.
    const bool labels = l.sets <= 64;
    l.left = labels ? fm.horizontalAdvance(QStringLiteral("set 000")) + 6 : 4;
    l.top = labels ? fm.height() + 6 : 4;
    l.cellW = std::max(1, (width() - l.left - 4) / std::max(1, l.ways));
    l.cellH = std::max(1, (height() - l.top - 4) / std::max(1, l.sets));
    // Square-ish cells look like the slides' figure; do not stretch rows too tall.
    l.cellH = std::min(l.cellH, std::max(l.cellW / 2, 18));
    return l;
}

QRect CacheGridWidget::cellRect(int set, int way) const
{
    const Layout l = layout();
    if (l.sets == 0)
        return {};
    return QRect(l.left + way * l.cellW, l.top + set * l.cellH, l.cellW, l.cellH);
}

void CacheGridWidget::paintEvent(QPaintEvent *)
{
    QImage image(size() * devicePixelRatioF(), QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(devicePixelRatioF());
    image.fill(m_theme.base);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing, false);
    if (!m_snap || !m_snap->hasGrid) {
        p.setPen(m_theme.muted.darker(150));
        p.setFont(m_theme.font(11));
        const QString text = !m_snap ? tr("Press Run (F5) or Step to start the model.")
                                     : tr("This cache has %1 lines: too many to draw one by one.\n"
                                          "The counts and the hit-rate chart still show the run.")
                                           .arg(m_snap->geometry.lines());
        p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, text);
        p.end();
        QPainter(this).drawImage(0, 0, image);
        return;
    }
    const Layout l = layout();
    const auto &lines = m_snap->lines;
    const bool text = l.cellH >= 14 && l.cellW >= 24;
    p.setFont(m_theme.font(9));
    if (l.sets <= 64) {
        p.setPen(m_theme.text);
        for (int s = 0; s < l.sets; ++s)
            p.drawText(QRect(0, l.top + s * l.cellH, l.left - 4, l.cellH), Qt::AlignRight | Qt::AlignVCenter,
                tr("set %1").arg(s));
        for (int w = 0; w < l.ways && l.cellW >= 18; ++w)
            p.drawText(QRect(l.left + w * l.cellW, 0, l.cellW, l.top - 2), Qt::AlignCenter,
                l.cellW >= 50 ? tr("way %1").arg(w) : QString::number(w));
    }
    QRect touched;
    CacheLineView::Event touchedEvent = CacheLineView::Event::None;
    for (int s = 0; s < l.sets; ++s) {
        for (int w = 0; w < l.ways; ++w) {
            const std::size_t i = std::size_t(s) * std::size_t(l.ways) + std::size_t(w);
            if (i >= lines.size())
                break;
            const CacheLineView &line = lines[i];
            const QRect r(l.left + w * l.cellW, l.top + s * l.cellH, l.cellW, l.cellH);
            const QRect inner = l.cellW > 3 && l.cellH > 3 ? r.adjusted(1, 1, -1, -1) : r;
            if (!line.valid) {
                p.fillRect(inner, m_theme.muted.lighter(m_theme.id == QLatin1String("dark") ? 60 : 125));
                continue;
            }
            const QColor c = ownerColor(line.owner);
            p.fillRect(inner, c);
            if (line.dirty && l.cellW >= 8 && l.cellH >= 8) {
                // Dirty: a dark triangle in the top-right corner.
                const int t = std::min(inner.width(), inner.height()) / 3;
                QPainterPath tri;
                tri.moveTo(inner.topRight() + QPoint(1, 0));
                tri.lineTo(inner.topRight() + QPoint(1 - t, 0));
                tri.lineTo(inner.topRight() + QPoint(1, t));
                tri.closeSubpath();
                p.fillPath(tri, m_theme.warn.darker(140));
            }
            if (text) {
                QString name;
                const int owner = line.owner;
                const QString who = owner < m_snap->ownerNames.size() ? m_snap->ownerNames.at(owner)
                                                                      : QStringLiteral("p%1").arg(owner);
                if (m_snap->scenario && std::size_t(owner) < m_snap->blockBase.size()
                    && line.block >= m_snap->blockBase[std::size_t(owner)])
                    name = who + QLatin1Char(':')
                        + cacheBlockName(line.block - m_snap->blockBase[std::size_t(owner)]);
                else
                    name = QStringLiteral("%1 %2").arg(who).arg(
                        line.block * m_snap->geometry.lineBytes, 0, 16);
                p.setPen(c.lightness() > 140 ? QColor(Qt::black) : QColor(Qt::white));
                p.drawText(inner, Qt::AlignCenter,
                    p.fontMetrics().elidedText(name, Qt::ElideRight, inner.width() - 2));
            }
            if (line.event != CacheLineView::Event::None) {
                touched = r;
                touchedEvent = line.event;
            }
        }
    }
    if (!touched.isNull()) {
        // The current access: green frame for a hit, red for a miss.
        const QColor c = touchedEvent == CacheLineView::Event::Hit ? m_theme.good : m_theme.bad;
        const int pen = std::max(2, std::min(touched.width(), touched.height()) / 6);
        p.setPen(QPen(c, pen));
        p.setBrush(Qt::NoBrush);
        p.drawRect(touched.adjusted(pen / 2, pen / 2, -pen / 2 - 1, -pen / 2 - 1));
        if (touchedEvent == CacheLineView::Event::FillAfterEvict && m_snap->outcome.evicted && text) {
            // Which line was thrown out, in the evicted owner's colour, beside the row.
            const int o = m_snap->outcome.evictedOwner;
            QString victim
                = o < m_snap->ownerNames.size() ? m_snap->ownerNames.at(o) : QStringLiteral("p%1").arg(o);
            if (m_snap->scenario && std::size_t(o) < m_snap->blockBase.size())
                victim += QLatin1Char(':')
                    + cacheBlockName(m_snap->outcome.evictedBlock - m_snap->blockBase[std::size_t(o)]);
            p.setPen(ownerColor(o).darker(130));
            p.setFont(m_theme.font(9, true));
            const int x = l.left + l.ways * l.cellW + 4;
            if (x + 40 < width())
                p.drawText(QRect(x, touched.top(), width() - x, touched.height()),
                    Qt::AlignLeft | Qt::AlignVCenter, tr("out: %1").arg(victim));
        }
    }
    p.end();
    QPainter(this).drawImage(0, 0, image);
}

} // namespace proclab
