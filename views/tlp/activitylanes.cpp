#include "activitylanes.h"

#include <QPainter>

#include <algorithm>

namespace proclab {

ActivityLanes::ActivityLanes(QWidget *parent)
    : QWidget(parent)
    , m_theme(Theme::byId(QStringLiteral("light")))
{
    setMinimumHeight(120);
    setToolTip(tr("One row per thread, newest samples on the right.\n"
                  "Green: running. Orange: ready, waiting for a core. Grey: blocked."));
}

void ActivityLanes::setLanes(std::vector<TlpLane> lanes, double windowMs)
{
    m_lanes = std::move(lanes);
    m_windowMs = windowMs;
    update();
}

void ActivityLanes::setTheme(const Theme &theme)
{
    m_theme = theme;
    update();
}

QColor ActivityLanes::colorFor(ThreadActivity a) const
{
    switch (a) {
    case ThreadActivity::Running:
        return m_theme.good;
    case ThreadActivity::Runnable:
        return m_theme.warn;
    case ThreadActivity::Blocked:
        return m_theme.muted.lighter(m_theme.id == QLatin1String("dark") ? 60 : 125);
    case ThreadActivity::Absent:
        break;
    }
    return m_theme.base;
}

void ActivityLanes::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.fillRect(rect(), m_theme.base);
    p.setFont(m_theme.font(9));
    const QFontMetrics fm(p.font());
    const int legendH = fm.height() + 6;
    const int labelW = fm.horizontalAdvance(QStringLiteral("00000000 mmmmmmmmmmmm"));
    const QRect area(
        labelW + 6, 4, std::max(10, width() - labelW - 10), std::max(10, height() - legendH - 8));
    if (m_lanes.empty()) {
        p.setPen(m_theme.muted);
        p.drawText(area, Qt::AlignCenter, tr("Activity lanes appear here while sampling."));
    } else {
        // The grid as a QImage (one pixel per sample and lane), scaled once: a
        // thousand samples by dozens of threads would be too many rectangles.
        std::size_t columns = 1;
        for (const auto &l : m_lanes)
            columns = std::max(columns, l.states.size());
        QImage img(static_cast<int>(columns), static_cast<int>(m_lanes.size()), QImage::Format_RGB32);
        img.fill(m_theme.base);
        const QRgb colors[4]
            = {colorFor(ThreadActivity::Running).rgb(), colorFor(ThreadActivity::Runnable).rgb(),
                colorFor(ThreadActivity::Blocked).rgb(), colorFor(ThreadActivity::Absent).rgb()};
        for (std::size_t row = 0; row < m_lanes.size(); ++row) {
            const auto &st = m_lanes[row].states;
            auto *line = reinterpret_cast<QRgb *>(img.scanLine(static_cast<int>(row)));
            const std::size_t offset = columns - st.size(); // right-aligned: newest on the right
            for (std::size_t i = 0; i < st.size(); ++i)
                line[offset + i] = colors[static_cast<int>(st[i]) & 3];
        }
        const double rowH = double(area.height()) / m_lanes.size();
        p.drawImage(area, img);
        // Thin separators between lanes, when rows are tall enough to see them.
        if (rowH >= 6) {
            p.setPen(QPen(m_theme.base, 1));
            for (std::size_t row = 1; row < m_lanes.size(); ++row) {
                const int y = area.top() + static_cast<int>(row * rowH);
                p.drawLine(area.left(), y, area.right(), y);
            }
        }
        p.setPen(m_theme.text);
        if (rowH >= fm.height() * 0.8) {
            for (std::size_t row = 0; row < m_lanes.size(); ++row) {
                const QRect r(0, area.top() + static_cast<int>(row * rowH), labelW, static_cast<int>(rowH));
                p.drawText(r, Qt::AlignRight | Qt::AlignVCenter,
                    QStringLiteral("%1 %2").arg(m_lanes[row].tid).arg(m_lanes[row].name.left(12)));
            }
        } else {
            p.drawText(QRect(0, area.top(), labelW, area.height()), Qt::AlignRight | Qt::AlignVCenter,
                tr("%1 threads").arg(m_lanes.size()));
        }
        p.setPen(QPen(m_theme.axis, 1));
        p.drawRect(area.adjusted(0, 0, -1, -1));
    }
    // Legend and time span: the legend starts under the lane labels, so that at 1280x800 it and
    // the span fit on one row; the span is shortened, or left out, rather than drawn over it.
    int x = 0;
    const int y = height() - legendH;
    for (auto a : {ThreadActivity::Running, ThreadActivity::Runnable, ThreadActivity::Blocked}) {
        const QString name = a == ThreadActivity::Running ? tr("running")
            : a == ThreadActivity::Runnable               ? tr("runnable (no free core)")
                                                          : tr("blocked");
        p.fillRect(QRect(x, y + 3, 14, fm.height() - 4), colorFor(a));
        p.setPen(m_theme.text);
        p.drawText(QPoint(x + 18, y + fm.ascent() + 1), name);
        x += 30 + fm.horizontalAdvance(name);
    }
    if (m_windowMs > 0) {
        QString span = tr("last %1 ms, newest on the right").arg(m_windowMs, 0, 'f', 0);
        if (x + fm.horizontalAdvance(span) > area.right())
            span = tr("last %1 ms").arg(m_windowMs, 0, 'f', 0);
        if (x + fm.horizontalAdvance(span) <= area.right())
            p.drawText(QRect(area.left(), y, area.width(), legendH), Qt::AlignRight | Qt::AlignVCenter, span);
    }
}

} // namespace proclab
