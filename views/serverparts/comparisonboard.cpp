#include "comparisonboard.h"

#include <QFontMetrics>
#include <QPainter>

#include <algorithm>

namespace proclab {

ComparisonBoard::ComparisonBoard(QWidget *parent)
    : QWidget(parent)
    , m_theme(Theme::byId(QStringLiteral("light")))
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
}

void ComparisonBoard::setColumns(const QStringList &names)
{
    m_columns = names;
    updateGeometry();
    update();
}

void ComparisonBoard::setRows(std::vector<Row> rows)
{
    m_rows = std::move(rows);
    updateGeometry();
    update();
}

void ComparisonBoard::setTheme(const Theme &theme)
{
    m_theme = theme;
    updateGeometry();
    update();
}

QSize ComparisonBoard::sizeHint() const
{
    // One bar line per column, in the value font, so that a row stays compact.
    const int head = QFontMetrics(m_theme.font(10, true)).height() + 8;
    const int bar = QFontMetrics(m_theme.font(9)).height();
    const int perRow = bar * static_cast<int>(std::max<qsizetype>(1, m_columns.size())) + 6;
    return {600, head + perRow * static_cast<int>(m_rows.size())};
}

QSize ComparisonBoard::minimumSizeHint() const
{
    return {360, sizeHint().height()};
}

void ComparisonBoard::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), m_theme.base);
    const QFont bold = m_theme.font(10, true);
    const QFont valueFont = m_theme.font(9);
    const QFontMetrics fm(bold);
    const QFontMetrics vm(valueFont);
    const int line = fm.height() + 2;
    const int barLine = vm.height();
    const int columns = static_cast<int>(m_columns.size());
    if (columns == 0)
        return;
    // The key: one coloured square and name per column.
    int x = 4;
    p.setFont(bold);
    for (int c = 0; c < columns; ++c) {
        p.fillRect(QRect(x, 4 + line / 4, line / 2, line / 2), m_theme.seriesColor(c));
        x += line / 2 + 6;
        p.setPen(m_theme.text);
        p.drawText(QPoint(x, 4 + fm.ascent()), m_columns[c]);
        x += QFontMetrics(bold).horizontalAdvance(m_columns[c]) + 24;
    }
    const int labelWidth = width() * 2 / 5;
    const int valueWidth = vm.horizontalAdvance(QStringLiteral("none: checked per read")) + 8;
    const int barLeft = labelWidth + 8;
    const int barWidth = std::max(20, width() - barLeft - valueWidth - 4);
    int y = QFontMetrics(bold).height() + 8;
    const int perRow = barLine * columns + 6;
    for (const Row &row : m_rows) {
        double max = 0;
        for (double v : row.values)
            max = std::max(max, v);
        p.setFont(valueFont);
        p.setPen(m_theme.text);
        p.drawText(QRect(4, y, labelWidth, barLine * columns),
            Qt::AlignLeft | Qt::AlignVCenter | Qt::TextWordWrap, row.label);
        p.setFont(valueFont);
        for (int c = 0; c < columns && c < static_cast<int>(row.values.size()); ++c) {
            const double v = row.values[static_cast<std::size_t>(c)];
            const int top = y + c * barLine;
            const int w = v > 0 && max > 0 ? std::max(2, static_cast<int>(barWidth * v / max)) : 0;
            if (w > 0)
                p.fillRect(QRect(barLeft, top + 2, w, barLine - 4), m_theme.seriesColor(c));
            p.setPen(v < 0 ? m_theme.muted : m_theme.text);
            const QString text = c < row.texts.size() ? row.texts[c] : QString::number(v);
            p.drawText(QRect(barLeft + w + 6, top, valueWidth + barWidth - w, barLine),
                Qt::AlignLeft | Qt::AlignVCenter, text);
        }
        y += perRow;
        p.setPen(QPen(m_theme.grid, 1));
        p.drawLine(4, y - 3, width() - 4, y - 3);
    }
}

} // namespace proclab
