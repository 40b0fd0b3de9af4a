#include "pagegridwidget.h"

#include <QPainter>

#include <cmath>
#include <cstring>

namespace proclab {

std::array<QRgb, 7> pageStateColors(const Theme &theme)
{
    const bool dark = theme.id == QLatin1String("dark");
    return {
        (dark ? theme.muted.darker(160) : theme.muted.lighter(130)).rgb(), // clean
        theme.warn.rgb(), // dirty
        theme.good.rgb(), // sent once
        theme.accent.rgb(), // re-sent
        theme.good.rgb(), // present at destination
        theme.bad.rgb(), // missing at destination
        theme.seriesColor(4).rgb(), // fetched on demand
    };
}

QStringList pageStateNames()
{
    return {QObject::tr("clean, not sent"), QObject::tr("dirty"), QObject::tr("sent"), QObject::tr("re-sent"),
        QObject::tr("present at destination"), QObject::tr("missing at destination"),
        QObject::tr("fetched on demand")};
}

QImage renderPageGrid(
    const std::vector<std::uint8_t> &states, int columns, const std::array<QRgb, 7> &colors, QRgb background)
{
    columns = std::max(1, columns);
    const int rows = std::max<int>(1, int((states.size() + columns - 1) / columns));
    QImage img(columns, rows, QImage::Format_RGB32);
    img.fill(background);
    for (int y = 0; y < rows; ++y) {
        auto *line = reinterpret_cast<QRgb *>(img.scanLine(y));
        const std::size_t base = std::size_t(y) * columns;
        const int n = int(std::min<std::size_t>(columns, states.size() - std::min(states.size(), base)));
        for (int x = 0; x < n; ++x)
            line[x] = colors[std::min<std::uint8_t>(states[base + x], 6)];
    }
    return img;
}

PageGridWidget::PageGridWidget(QWidget *parent)
    : QWidget(parent)
    , m_theme(Theme::byId(QStringLiteral("light")))
    , m_colors(pageStateColors(m_theme))
{
    setMinimumSize(160, 120);
    setAttribute(Qt::WA_OpaquePaintEvent);
}

void PageGridWidget::setTheme(const Theme &theme)
{
    m_theme = theme;
    m_colors = pageStateColors(theme);
    rebuild();
}

void PageGridWidget::setStates(const std::vector<std::uint8_t> &states)
{
    if (states.size() != m_states.size() || m_image.isNull()) {
        m_states = states;
        relayout();
        rebuild();
        return;
    }
    // Between two frames of a run most pages keep their state: only those that changed are
    // drawn again, and a frame with no change costs one comparison of the arrays.
    m_lastChanged = applyChanges(states);
    if (m_lastChanged > 0)
        update();
}

qint64 PageGridWidget::applyChanges(const std::vector<std::uint8_t> &states)
{
    // Blocks of pages compared with memcmp (fast when equal); a block that differs is
    // walked page by page.
    constexpr std::size_t kBlock = 256;
    const std::size_t n = states.size();
    const std::size_t columns = std::size_t(m_columns);
    uchar *bits = m_image.bits();
    const qsizetype stride = m_image.bytesPerLine();
    qint64 changed = 0;
    for (std::size_t at = 0; at < n; at += kBlock) {
        const std::size_t len = std::min(kBlock, n - at);
        if (std::memcmp(states.data() + at, m_states.data() + at, len) == 0)
            continue;
        for (std::size_t i = at; i < at + len; ++i) {
            if (states[i] == m_states[i])
                continue;
            m_states[i] = states[i];
            auto *line = reinterpret_cast<QRgb *>(bits + qsizetype(i / columns) * stride);
            line[i % columns] = m_colors[std::min<std::uint8_t>(states[i], 6)];
            ++changed;
        }
    }
    return changed;
}

void PageGridWidget::relayout()
{
    // Square cells: columns/rows ~ width/height.
    const double n = double(std::max<std::size_t>(1, m_states.size()));
    const double aspect = double(std::max(1, width())) / double(std::max(1, height()));
    m_columns = std::max(1, int(std::ceil(std::sqrt(n * aspect))));
    m_rows = std::max(1, int(std::ceil(n / m_columns)));
}

void PageGridWidget::rebuild()
{
    m_image = renderPageGrid(m_states, m_columns, m_colors, m_theme.base.rgb());
    m_lastChanged = qint64(m_states.size());
    update();
}

void PageGridWidget::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    const int before = m_columns;
    relayout();
    if (before != m_columns)
        rebuild();
}

QRect PageGridWidget::gridRect() const
{
    // Largest rectangle with the grid's aspect that fits.
    const double cell = std::min(double(width()) / m_columns, double(height()) / m_rows);
    const int w = int(cell * m_columns);
    const int h = int(cell * m_rows);
    return QRect((width() - w) / 2, (height() - h) / 2, w, h);
}

QPoint PageGridWidget::cellCenter(qint64 index) const
{
    const QRect r = gridRect();
    const double cw = double(r.width()) / m_columns;
    const double ch = double(r.height()) / m_rows;
    const qint64 col = index % m_columns;
    const qint64 row = index / m_columns;
    return QPoint(r.left() + int((col + 0.5) * cw), r.top() + int((row + 0.5) * ch));
}

void PageGridWidget::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    if (m_states.empty()) {
        p.fillRect(rect(), m_theme.base);
        p.setPen(m_theme.muted);
        p.setFont(m_theme.font(11));
        p.drawText(rect(), Qt::AlignCenter, tr("The VM's pages appear here when the run starts."));
        return;
    }
    // The background only around the grid: the image covers the rest (every frame of a run
    // would otherwise fill the whole widget and then draw the image over it).
    const QRect grid = gridRect();
    for (const QRect &r : QRegion(rect()).subtracted(QRegion(grid)))
        p.fillRect(r, m_theme.base);
    // Nearest-neighbour scaling: crisp cells, and cheap enough for 30 frames a second.
    p.setRenderHint(QPainter::SmoothPixmapTransform, false);
    p.drawImage(grid, m_image);
}

} // namespace proclab
