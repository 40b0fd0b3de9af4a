#pragma once

#include "common/theme.h"

#include <QWidget>

namespace proclab {

/**
 * @brief A schematic world map (coarse continent outlines, equirectangular) on which the S8
 * and S9 diagrams draw cities, parties and messages. Subclasses paint over paintMap().
 */
class WorldMap : public QWidget {
public:
    explicit WorldMap(QWidget *parent = nullptr);

    Theme theme = Theme::byId(QStringLiteral("light"));

    /// @brief The widget point of latitude @p latDeg, longitude @p lonDeg.
    QPointF project(double latDeg, double lonDeg) const;
    /// @brief The widget point of city @p place (GeoModel index).
    QPointF placePoint(int place) const;

protected:
    /// Fills the background and draws the continents; call first in paintEvent().
    void paintMap(QPainter &p) const;
    /// A message from @p a to @p b as a gently curved arrow, with its number in a circle.
    void drawMessage(
        QPainter &p, QPointF a, QPointF b, const QColor &c, double width, int number, bool dashed) const;
    /// A labelled party at @p at: a disc and its name in a box beside it (above when @p above).
    void drawParty(
        QPainter &p, QPointF at, const QString &name, const QColor &c, bool above, bool strong) const;

    QRectF mapRect() const;
};

} // namespace proclab
