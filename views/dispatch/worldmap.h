#pragma once

#include "common/theme.h"

#include <QWidget>

#include <vector>

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

    /// A label to place beside a mark on the map.
    struct LabelRequest {
        QPointF anchor; ///< the mark's centre
        QSizeF size; ///< the label's box
        double clearance = 8; ///< the mark's radius: the box keeps this far from the centre
        bool above = false; ///< preferred side: above (else below)
    };
    /**
     * @brief Boxes for @p labels, in order of priority: each in the first of the places
     * around its mark (preferred side, other side, right, left, the corners, then a step
     * further out) that is inside the widget and overlaps neither an earlier label nor an
     * @p obstacle; where every place overlaps, the one that overlaps least.
     */
    std::vector<QRectF> placeLabels(
        const std::vector<LabelRequest> &labels, const std::vector<QRectF> &obstacles) const;
    /// @brief Where drawMessage() puts the number of a message from @p a to @p b.
    static QPointF messageBadgeCentre(QPointF a, QPointF b);

protected:
    /// Fills the background and draws the continents; call first in paintEvent().
    void paintMap(QPainter &p) const;
    /// A message from @p a to @p b as a gently curved arrow, with its number in a circle.
    void drawMessage(
        QPainter &p, QPointF a, QPointF b, const QColor &c, double width, int number, bool dashed) const;
    /// A labelled party at @p at: a disc and its name in a box beside it (above when @p above).
    void drawParty(
        QPainter &p, QPointF at, const QString &name, const QColor &c, bool above, bool strong) const;
    /// The same with the name in @p box (from placeLabels()); a leader line when it lies apart.
    void drawPartyAt(
        QPainter &p, QPointF at, const QString &name, const QColor &c, bool strong, const QRectF &box) const;
    /// The box drawParty() needs for @p name (font by @p strong).
    QSizeF partyLabelSize(const QString &name, bool strong) const;
    /// The radius of a party's disc.
    static double partyRadius(bool strong) { return strong ? 8 : 6; }

    QRectF mapRect() const;
};

} // namespace proclab
