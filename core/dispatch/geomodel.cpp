#include "geomodel.h"

#include <cmath>

namespace proclab {

const std::vector<Place> &GeoModel::places()
{
    static const std::vector<Place> list = {
        {QStringLiteral("amsterdam"), QStringLiteral("Amsterdam"), 52.37, 4.90},
        {QStringLiteral("london"), QStringLiteral("London"), 51.51, -0.13},
        {QStringLiteral("frankfurt"), QStringLiteral("Frankfurt"), 50.11, 8.68},
        {QStringLiteral("madrid"), QStringLiteral("Madrid"), 40.42, -3.70},
        {QStringLiteral("new_york"), QStringLiteral("New York"), 40.71, -74.01},
        {QStringLiteral("chicago"), QStringLiteral("Chicago"), 41.88, -87.63},
        {QStringLiteral("san_francisco"), QStringLiteral("San Francisco"), 37.77, -122.42},
        {QStringLiteral("sao_paulo"), QStringLiteral("São Paulo"), -23.55, -46.63},
        {QStringLiteral("johannesburg"), QStringLiteral("Johannesburg"), -26.20, 28.05},
        {QStringLiteral("mumbai"), QStringLiteral("Mumbai"), 19.08, 72.88},
        {QStringLiteral("singapore"), QStringLiteral("Singapore"), 1.35, 103.82},
        {QStringLiteral("tokyo"), QStringLiteral("Tokyo"), 35.68, 139.69},
        {QStringLiteral("sydney"), QStringLiteral("Sydney"), -33.87, 151.21},
    };
    return list;
}

int GeoModel::placeIndex(const QString &id)
{
    const auto &p = places();
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (p[i].id == id)
            return int(i);
    }
    return -1;
}

QStringList GeoModel::placeIds()
{
    QStringList ids;
    for (const Place &p : places())
        ids << p.id;
    return ids;
}

double GeoModel::distanceKm(int a, int b)
{
    const Place &p = places()[std::size_t(a)];
    const Place &q = places()[std::size_t(b)];
    constexpr double kRad = M_PI / 180.0;
    constexpr double kEarthRadiusKm = 6371.0;
    const double dLat = (q.latDeg - p.latDeg) * kRad;
    const double dLon = (q.lonDeg - p.lonDeg) * kRad;
    const double h = std::sin(dLat / 2) * std::sin(dLat / 2)
        + std::cos(p.latDeg * kRad) * std::cos(q.latDeg * kRad) * std::sin(dLon / 2) * std::sin(dLon / 2);
    return 2 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(h)));
}

double GeoModel::rttMs(int a, int b)
{
    return 2.0 * distanceKm(a, b) / kKmPerMsOneWay;
}

} // namespace proclab
