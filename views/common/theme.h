#pragma once

#include <QColor>
#include <QFont>
#include <QString>

#include <vector>

class QApplication;

namespace proclab {

/**
 * @brief The colours and font scale every view draws with.
 *
 * Three themes: "light" (default), "dark", and "projector" (high contrast,
 * thick lines, large type, for a classroom projector).
 */
struct Theme {
    QString id = QStringLiteral("light");
    QColor window;
    QColor text;
    QColor base; ///< background of text areas and charts
    QColor axis;
    QColor grid;
    QColor accent; ///< selection, "now" markers
    QColor good; ///< hit, correct answer
    QColor bad; ///< miss, wrong answer
    QColor warn; ///< dirty, waiting
    QColor muted; ///< idle, inactive
    std::vector<QColor> series; ///< one colour per process / thread / strategy
    double fontScale = 1.0; ///< Ctrl+= / Ctrl+- multiply this
    double lineWidth = 2.0;

    /// Colour for series @p index (wraps around).
    QColor seriesColor(int index) const;
    /// The base font for charts and diagrams at this scale (points).
    QFont font(double basePointSize = 11.0, bool bold = false) const;

    static Theme byId(const QString &id, double fontScale = 1.0);
    static QStringList ids(); ///< "light", "dark", "projector"
    /// Applies palette and a style sheet to the whole application.
    void applyTo(QApplication &app) const;
};

/// @brief Rich text of a small square in @p colour, for a legend entry's swatch.
QString colourSquareHtml(const QColor &colour);

/**
 * @brief One entry of a legend written as rich text: @p swatchHtml, then @p name (plain text).
 *
 * The entry never breaks inside, whatever its words; entries joined into one label wrap only
 * between each other, so a narrow window never leaves "dirty" on one line and "corner" on the
 * next. The entry ends with the breakable gap to the next one.
 */
QString legendEntryHtml(const QString &swatchHtml, const QString &name);

} // namespace proclab
