#pragma once

#include "common/theme.h"

#include <QImage>
#include <QWidget>

#include <array>
#include <cstdint>
#include <vector>

namespace proclab {

/// Colours of the seven page states (index = PageState value) in @p theme.
std::array<QRgb, 7> pageStateColors(const Theme &theme);
/// Human names of the page states, same order.
QStringList pageStateNames();

/**
 * @brief Renders a page-state array as an image: one pixel per page, row by row,
 * @p columns pages per row. Pixels past the last page get @p background.
 */
QImage renderPageGrid(
    const std::vector<std::uint8_t> &states, int columns, const std::array<QRgb, 7> &colors, QRgb background);

/**
 * @brief The page grid: every page of the VM as one cell, drawn from a QImage
 * (a 2 GiB VM has 524,288 pages: far too many widgets, one cheap image).
 *
 * The image is kept between frames: a new state array changes only the pixels of the
 * pages whose state changed (found by comparing blocks of pages), and an array with no
 * change does not repaint. The whole image is rendered again only when the page count,
 * the columns or the theme change.
 */
class PageGridWidget : public QWidget {
    Q_OBJECT

public:
    explicit PageGridWidget(QWidget *parent = nullptr);
    /// @brief Shows @p states (one PageState per page); repaints only when a page changed.
    void setStates(const std::vector<std::uint8_t> &states);
    void setTheme(const Theme &theme);
    /// Columns chosen for the current size so that cells are about square.
    int columns() const { return m_columns; }
    /// The rectangle the grid occupies in widget coordinates.
    QRect gridRect() const;
    /// Where page @p index is drawn (centre of its cell), for tests and tooltips.
    QPoint cellCenter(qint64 index) const;
    /// The grid's image as it is kept (one pixel per page), for tests.
    const QImage &image() const { return m_image; }
    /// Pages whose pixel the last setStates() changed (the page count after a full render).
    qint64 lastChangedPages() const { return m_lastChanged; }

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void relayout();
    void rebuild();
    /// Copies the pages that differ from m_states into m_states and m_image; their count.
    qint64 applyChanges(const std::vector<std::uint8_t> &states);

    std::vector<std::uint8_t> m_states;
    Theme m_theme;
    std::array<QRgb, 7> m_colors {};
    QImage m_image;
    int m_columns = 1;
    int m_rows = 1;
    qint64 m_lastChanged = 0;
};

} // namespace proclab
