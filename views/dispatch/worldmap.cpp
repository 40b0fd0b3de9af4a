#include "worldmap.h"

#include "dispatch/geomodel.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>
#include <vector>

namespace proclab {

namespace {

// Shown latitudes: the map leaves out the polar regions, where no city of the model lies.
constexpr double kTopLat = 75;
constexpr double kBottomLat = -50;

struct LonLat {
    double lon, lat;
};

// Coarse outlines (a few dozen points each): enough to recognise the continents.
const std::vector<std::vector<LonLat>> &continents()
{
    static const std::vector<std::vector<LonLat>> shapes = {
        // North America
        {{-168, 66}, {-156, 71}, {-125, 70}, {-95, 72}, {-80, 64}, {-62, 60}, {-55, 52}, {-66, 44}, {-76, 35},
            {-80, 25}, {-82, 29}, {-90, 29}, {-97, 26}, {-97, 18}, {-88, 15}, {-83, 9}, {-78, 8}, {-86, 12},
            {-105, 20}, {-112, 30}, {-118, 34}, {-124, 40}, {-124, 48}, {-135, 57}, {-150, 60}, {-165, 60}},
        // South America
        {{-78, 8}, {-62, 10}, {-50, 0}, {-35, -6}, {-40, -22}, {-48, -28}, {-58, -38}, {-65, -45}, {-68, -55},
            {-74, -50}, {-72, -30}, {-70, -18}, {-76, -12}, {-81, -4}, {-78, 2}},
        // Europe and Asia
        {{-10, 36}, {-9, 43}, {-2, 44}, {-5, 48}, {2, 51}, {8, 54}, {10, 58}, {5, 62}, {15, 69}, {28, 71},
            {40, 67}, {60, 70}, {80, 73}, {105, 78}, {140, 72}, {170, 70}, {180, 68}, {180, 62}, {160, 60},
            {142, 46}, {135, 34}, {122, 40}, {120, 30}, {110, 20}, {108, 12}, {104, 1}, {98, 8}, {95, 16},
            {90, 22}, {80, 15}, {77, 8}, {72, 20}, {66, 25}, {57, 25}, {52, 27}, {48, 30}, {44, 12}, {42, 16},
            {35, 28}, {34, 31}, {36, 36}, {28, 36}, {26, 40}, {22, 37}, {20, 40}, {14, 41}, {16, 38},
            {12, 44}, {6, 43}, {3, 43}, {-4, 36}},
        // Africa
        {{-17, 21}, {-17, 14}, {-8, 5}, {5, 5}, {9, 4}, {12, -5}, {13, -17}, {19, -34}, {27, -34}, {33, -26},
            {40, -16}, {40, -3}, {51, 11}, {43, 12}, {37, 22}, {32, 31}, {20, 32}, {10, 37}, {-5, 36},
            {-10, 30}},
        // Australia
        {{114, -22}, {114, -34}, {122, -34}, {135, -35}, {140, -38}, {150, -37}, {153, -28}, {146, -19},
            {142, -11}, {136, -12}, {130, -12}, {122, -17}},
        // Great Britain
        {{-5, 50}, {1, 51}, {0, 53}, {-3, 56}, {-5, 58}, {-6, 55}, {-3, 54}, {-5, 52}},
        // Japan
        {{130, 31}, {135, 34}, {140, 35}, {142, 40}, {140, 42}, {139, 38}, {133, 34}},
    };
    return shapes;
}

} // namespace

WorldMap::WorldMap(QWidget *parent)
    : QWidget(parent)
{
    setMinimumSize(440, 200);
}

QRectF WorldMap::mapRect() const
{
    // Keep the projection's aspect (360 degrees by kTopLat - kBottomLat), centred.
    const double aspect = 360.0 / (kTopLat - kBottomLat);
    QRectF r = QRectF(rect()).adjusted(4, 4, -4, -4);
    if (r.width() / r.height() > aspect) {
        const double w = r.height() * aspect;
        r = QRectF(r.center().x() - w / 2, r.top(), w, r.height());
    } else {
        const double h = r.width() / aspect;
        r = QRectF(r.left(), r.center().y() - h / 2, r.width(), h);
    }
    return r;
}

QPointF WorldMap::project(double latDeg, double lonDeg) const
{
    const QRectF r = mapRect();
    return {r.left() + (lonDeg + 180.0) / 360.0 * r.width(),
        r.top() + (kTopLat - latDeg) / (kTopLat - kBottomLat) * r.height()};
}

QPointF WorldMap::placePoint(int place) const
{
    const Place &p = GeoModel::places()[std::size_t(place)];
    return project(p.latDeg, p.lonDeg);
}

void WorldMap::paintMap(QPainter &p) const
{
    p.fillRect(rect(), theme.base);
    const QRectF r = mapRect();
    p.setPen(Qt::NoPen);
    p.setBrush(theme.id == QLatin1String("dark") ? theme.window.lighter(130) : QColor(0xe8, 0xee, 0xf4));
    p.drawRoundedRect(r, 6, 6);
    const QColor land = theme.id == QLatin1String("dark") ? theme.grid : QColor(0xd4, 0xd8, 0xcc);
    p.setBrush(land);
    p.setPen(QPen(land.darker(115), 1));
    for (const auto &shape : continents()) {
        QPolygonF poly;
        for (const LonLat &ll : shape)
            poly << project(ll.lat, ll.lon);
        p.drawPolygon(poly);
    }
}

void WorldMap::drawMessage(
    QPainter &p, QPointF a, QPointF b, const QColor &c, double width, int number, bool dashed) const
{
    const QPointF d = b - a;
    const double len = std::hypot(d.x(), d.y());
    if (len < 1) {
        // A decision in place: a ring around the party.
        p.setPen(QPen(c, width));
        p.setBrush(Qt::NoBrush);
        p.drawEllipse(a, 16, 16);
    } else {
        // Bend to the left of the direction of travel, so that a request and its answer part.
        const QPointF normal(-d.y() / len, d.x() / len);
        const QPointF ctrl = (a + b) / 2 + normal * std::min(60.0, len * 0.18);
        QPainterPath path(a);
        path.quadTo(ctrl, b);
        p.setPen(QPen(c, width, dashed ? Qt::DashLine : Qt::SolidLine, Qt::RoundCap));
        p.setBrush(Qt::NoBrush);
        p.drawPath(path);
        const QPointF tangent = b - ctrl;
        const double angle = std::atan2(tangent.y(), tangent.x());
        const double head = 8 + 2 * width;
        QPolygonF tip;
        tip << b << b - QPointF(head * std::cos(angle - 0.4), head * std::sin(angle - 0.4))
            << b - QPointF(head * std::cos(angle + 0.4), head * std::sin(angle + 0.4));
        p.setPen(Qt::NoPen);
        p.setBrush(c);
        p.drawPolygon(tip);
        a = path.pointAtPercent(0.5);
    }
    if (number > 0) {
        const QFont f = theme.font(9, true);
        const double rad = QFontMetricsF(f).height() * 0.62;
        const QPointF at = len < 1 ? a + QPointF(18, -18) : a;
        p.setPen(QPen(c, 1.5));
        p.setBrush(theme.base);
        p.drawEllipse(at, rad, rad);
        p.setPen(theme.text);
        p.setFont(f);
        p.drawText(
            QRectF(at.x() - rad, at.y() - rad, 2 * rad, 2 * rad), Qt::AlignCenter, QString::number(number));
    }
}

QPointF WorldMap::messageBadgeCentre(QPointF a, QPointF b)
{
    const QPointF d = b - a;
    const double len = std::hypot(d.x(), d.y());
    if (len < 1)
        return a + QPointF(18, -18);
    // The midpoint of the quadratic curve drawMessage() draws: (a + 2 ctrl + b) / 4.
    const QPointF normal(-d.y() / len, d.x() / len);
    const QPointF ctrl = (a + b) / 2 + normal * std::min(60.0, len * 0.18);
    return (a + 2 * ctrl + b) / 4;
}

std::vector<QRectF> WorldMap::placeLabels(
    const std::vector<LabelRequest> &labels, const std::vector<QRectF> &obstacles) const
{
    const QRectF inside = QRectF(rect()).adjusted(2, 2, -2, -2);
    std::vector<QRectF> taken = obstacles;
    std::vector<QRectF> placed;
    placed.reserve(labels.size());
    auto overlap = [&](const QRectF &r) {
        double area = 0;
        for (const QRectF &t : taken) {
            const QRectF i = r.intersected(t);
            if (!i.isEmpty())
                area += i.width() * i.height();
        }
        // Outside the widget counts as overlap too.
        const QRectF in = r.intersected(inside);
        area += r.width() * r.height() - (in.isEmpty() ? 0 : in.width() * in.height());
        return area;
    };
    for (const LabelRequest &l : labels) {
        const double w = l.size.width();
        const double h = l.size.height();
        const double c = l.clearance + 3;
        const QPointF a = l.anchor;
        const QRectF below(a.x() - w / 2, a.y() + c, w, h);
        const QRectF above(a.x() - w / 2, a.y() - c - h, w, h);
        std::vector<QRectF> candidates {l.above ? above : below, l.above ? below : above,
            QRectF(a.x() + c, a.y() - h / 2, w, h), QRectF(a.x() - c - w, a.y() - h / 2, w, h),
            QRectF(a.x() + c * 0.7, a.y() + c * 0.7, w, h),
            QRectF(a.x() - c * 0.7 - w, a.y() + c * 0.7, w, h),
            QRectF(a.x() + c * 0.7, a.y() - c * 0.7 - h, w, h),
            QRectF(a.x() - c * 0.7 - w, a.y() - c * 0.7 - h, w, h)};
        // A step further out, for crowded places (the label then gets a leader line).
        const QRectF right = candidates[2];
        const QRectF left = candidates[3];
        for (const QRectF &r :
            {below.translated(0, h + 2), above.translated(0, -h - 2), right.translated(0, -h - 2),
                right.translated(0, h + 2), left.translated(0, -h - 2), left.translated(0, h + 2),
                below.translated(0, 2 * (h + 2)), above.translated(0, -2 * (h + 2))})
            candidates.push_back(r);
        QRectF best;
        double bestOverlap = -1;
        for (const QRectF &r : candidates) {
            const double o = overlap(r);
            if (bestOverlap < 0 || o < bestOverlap - 0.5) {
                best = r;
                bestOverlap = o;
            }
            if (o <= 0.5)
                break;
        }
        // Kept inside the widget.
        if (best.left() < inside.left())
            best.moveLeft(inside.left());
        if (best.right() > inside.right())
            best.moveRight(inside.right());
        if (best.top() < inside.top())
            best.moveTop(inside.top());
        if (best.bottom() > inside.bottom())
            best.moveBottom(inside.bottom());
        placed.push_back(best);
        taken.push_back(best.adjusted(-2, -1, 2, 1));
    }
    return placed;
}

QSizeF WorldMap::partyLabelSize(const QString &name, bool strong) const
{
    const QFontMetricsF fm(theme.font(9.5, strong));
    return {fm.horizontalAdvance(name) + 10, fm.height() + 4};
}

void WorldMap::drawParty(
    QPainter &p, QPointF at, const QString &name, const QColor &c, bool above, bool strong) const
{
    const double rad = partyRadius(strong);
    const QSizeF size = partyLabelSize(name, strong);
    const double tw = size.width();
    const double th = size.height();
    QRectF box(at.x() - tw / 2, above ? at.y() - rad - 4 - th : at.y() + rad + 4, tw, th);
    // Keep labels inside the widget.
    if (box.left() < 2)
        box.moveLeft(2);
    if (box.right() > width() - 2)
        box.moveRight(width() - 2);
    if (box.top() < 2)
        box.moveTop(2);
    if (box.bottom() > height() - 2)
        box.moveBottom(height() - 2);
    drawPartyAt(p, at, name, c, strong, box);
}

void WorldMap::drawPartyAt(
    QPainter &p, QPointF at, const QString &name, const QColor &c, bool strong, const QRectF &box) const
{
    const double rad = partyRadius(strong);
    // A label moved away from its party is tied to it by a thin line.
    const QPointF nearest(
        std::clamp(at.x(), box.left(), box.right()), std::clamp(at.y(), box.top(), box.bottom()));
    if (std::hypot(nearest.x() - at.x(), nearest.y() - at.y()) > rad + 8) {
        p.setPen(QPen(c, 1.2));
        p.drawLine(at, nearest);
    }
    p.setPen(QPen(theme.base, 2));
    p.setBrush(c);
    p.drawEllipse(at, rad, rad);
    p.setPen(QPen(c, strong ? 2 : 1));
    QColor bg = theme.base;
    bg.setAlpha(230);
    p.setBrush(bg);
    p.drawRoundedRect(box, 4, 4);
    p.setPen(theme.text);
    p.setFont(theme.font(9.5, strong));
    p.drawText(box, Qt::AlignCenter, name);
}

} // namespace proclab
