#pragma once

#include <QString>
#include <QStringList>

#include <vector>

namespace proclab {

/**
 * @brief A city on the model's world map.
 */
struct Place {
    QString id; ///< "sydney", used in parameters
    QString name; ///< "Sydney"
    double latDeg; ///< latitude, north positive
    double lonDeg; ///< longitude, east positive
};

/**
 * @brief The distance model behind the S8 and S9 diagrams: a fixed list of cities, great-circle
 * distances, and round-trip times as light in optical fibre would need along the great circle
 * (about 200 km per ms, there and back). Real paths are longer and add queueing: these are
 * lower bounds, a model.
 */
class GeoModel {
public:
    /// @brief Every city the diagrams know, in a fixed order.
    static const std::vector<Place> &places();
    /// @brief Index of the city with id @p id, or -1.
    static int placeIndex(const QString &id);
    static QStringList placeIds();

    /// @brief Great-circle distance between cities @p a and @p b, in km.
    static double distanceKm(int a, int b);
    /// @brief Model round-trip time between @p a and @p b, in ms (distance / 100 km per ms).
    static double rttMs(int a, int b);

    /// Fibre: about 200 km per ms one way.
    static constexpr double kKmPerMsOneWay = 200.0;
};

} // namespace proclab
