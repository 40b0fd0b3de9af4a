#include "cdnmodel.h"

#include "geomodel.h"

namespace proclab {

namespace {

QString km(double d)
{
    return QStringLiteral("%1 km").arg(qRound(d));
}

QString ms(double d)
{
    return QStringLiteral("%1 ms").arg(d, 0, 'f', 0);
}

QString city(int place)
{
    return GeoModel::places()[std::size_t(place)].name;
}

} // namespace

const std::vector<int> &CdnModel::edgePlaces()
{
    static const std::vector<int> edges = [] {
        std::vector<int> e;
        for (const char *id :
            {"london", "frankfurt", "new_york", "san_francisco", "sao_paulo", "singapore", "tokyo", "sydney"})
            e.push_back(GeoModel::placeIndex(QString::fromLatin1(id)));
        return e;
    }();
    return edges;
}

int CdnModel::originPlace()
{
    return GeoModel::placeIndex(QStringLiteral("chicago"));
}

int CdnModel::regularDnsPlace()
{
    return GeoModel::placeIndex(QStringLiteral("chicago"));
}

int CdnModel::nearestEdge(int place)
{
    const auto &edges = edgePlaces();
    int best = 0;
    for (std::size_t i = 1; i < edges.size(); ++i) {
        if (GeoModel::distanceKm(place, edges[i]) < GeoModel::distanceKm(place, edges[std::size_t(best)]))
            best = int(i);
    }
    return best;
}

CdnLookup CdnModel::lookup(int clientPlace, int resolverPlace, bool clientSubnet)
{
    CdnLookup l;
    const auto &edges = edgePlaces();
    l.clientPlace = clientPlace;
    l.resolverPlace = resolverPlace;
    l.clientSubnet = clientSubnet;
    l.seenPlace = clientSubnet ? clientPlace : resolverPlace;
    l.regularDnsPlace = regularDnsPlace();
    l.cdnDnsPlace = edges[std::size_t(nearestEdge(resolverPlace))];
    l.originPlace = originPlace();
    l.chosenEdge = nearestEdge(l.seenPlace);
    l.bestEdge = nearestEdge(clientPlace);
    const int chosen = edges[std::size_t(l.chosenEdge)];
    const int best = edges[std::size_t(l.bestEdge)];
    l.chosenKm = GeoModel::distanceKm(clientPlace, chosen);
    l.bestKm = GeoModel::distanceKm(clientPlace, best);
    l.rttChosenMs = GeoModel::rttMs(clientPlace, chosen);
    l.rttBestMs = GeoModel::rttMs(clientPlace, best);
    l.extraRttMs = l.rttChosenMs - l.rttBestMs;

    const double clientResolver = GeoModel::rttMs(clientPlace, resolverPlace);
    const double resolverRegular = GeoModel::rttMs(resolverPlace, l.regularDnsPlace);
    const double resolverCdn = GeoModel::rttMs(resolverPlace, l.cdnDnsPlace);
    double t = 0;
    const auto add
        = [&](CdnNode from, CdnNode to, const QString &label, const QString &text, double oneWayMs) {
              t += oneWayMs;
              l.messages.push_back({from, to, label, text, t});
          };
    add(CdnNode::Client, CdnNode::Resolver, QStringLiteral("A? www.example.com"),
        QStringLiteral(
            "The client asks its DNS resolver in %1 for www.example.com. The resolver looks the name up on "
            "the client's behalf: the client never talks to a name server itself.")
            .arg(city(resolverPlace)),
        clientResolver / 2);
    add(CdnNode::Resolver, CdnNode::RegularDns, QStringLiteral("A? www.example.com"),
        QStringLiteral("The resolver asks example.com's own name server (in %1).")
            .arg(city(l.regularDnsPlace)),
        resolverRegular / 2);
    add(CdnNode::RegularDns, CdnNode::Resolver, QStringLiteral("CNAME www.example.com.akamai.net"),
        QStringLiteral(
            "It does not answer with an address: the name is an alias (CNAME) in the CDN's domain, so the "
            "CDN's DNS will decide."),
        resolverRegular / 2);
    add(CdnNode::Resolver, CdnNode::CdnDns,
        clientSubnet ? QStringLiteral("A? www.example.com.akamai.net + client subnet")
                     : QStringLiteral("A? www.example.com.akamai.net"),
        clientSubnet
            ? QStringLiteral("The resolver asks the CDN's DNS and passes on the client's subnet (EDNS Client "
                             "Subnet), so the CDN learns roughly where the client is.")
            : QStringLiteral("The resolver asks the CDN's DNS. The query comes from the resolver's address; "
                             "nothing in it says where the client is."),
        resolverCdn / 2);
    add(CdnNode::CdnDns, CdnNode::CdnDns,
        QStringLiteral("nearest edge to %1: %2").arg(city(l.seenPlace), city(chosen)),
        QStringLiteral(
            "The CDN's DNS picks the edge server nearest to where the query seems to come from, %1: the "
            "edge in %2 (%3 from %1).")
            .arg(city(l.seenPlace), city(chosen), km(GeoModel::distanceKm(l.seenPlace, chosen))),
        0);
    add(CdnNode::CdnDns, CdnNode::Resolver, QStringLiteral("A %1 edge").arg(city(chosen)),
        QStringLiteral(
            "It returns the address of the %1 edge, with a short time to live so it can change its mind "
            "soon.")
            .arg(city(chosen)),
        resolverCdn / 2);
    add(CdnNode::Resolver, CdnNode::Client, QStringLiteral("A %1 edge").arg(city(chosen)),
        QStringLiteral("The resolver hands the address to the client. The lookup took %1 (model).")
            .arg(ms(clientResolver + resolverRegular + resolverCdn)),
        clientResolver / 2);
    l.lookupMs = t;
    add(CdnNode::Client, CdnNode::Edge, QStringLiteral("GET / Host: www.example.com"),
        QStringLiteral("The client fetches the page from the edge in %1, %2 away: %3 per round trip (model).")
            .arg(city(chosen), km(l.chosenKm), ms(l.rttChosenMs)),
        l.rttChosenMs / 2);
    const double edgeOrigin = GeoModel::rttMs(chosen, l.originPlace);
    add(CdnNode::Edge, CdnNode::Origin, QStringLiteral("GET org-www.example.com (cache miss)"),
        QStringLiteral(
            "The edge does not have the page yet (a cache miss), so it fetches it from the origin server "
            "in %1.")
            .arg(city(l.originPlace)),
        edgeOrigin / 2);
    add(CdnNode::Origin, CdnNode::Edge, QStringLiteral("200 (now cached)"),
        QStringLiteral("The origin answers; the edge keeps a copy for the next clients."), edgeOrigin / 2);
    add(CdnNode::Edge, CdnNode::Client, QStringLiteral("200 page"),
        l.chosenEdge == l.bestEdge
            ? QStringLiteral(
                "The page arrives. The edge in %1 is also the one nearest the client: no round trip is "
                "longer than it needs to be.")
                  .arg(city(chosen))
            : QStringLiteral(
                "The page arrives. The edge nearest the client is %1 (%2, %3 per round trip): every round "
                "trip to %4 costs %5 more (model).")
                  .arg(city(best), km(l.bestKm), ms(l.rttBestMs), city(chosen), ms(l.extraRttMs)),
        l.rttChosenMs / 2);
    return l;
}

} // namespace proclab
