#pragma once

#include <QString>

#include <vector>

namespace proclab {

/// @brief The parties of a CDN lookup.
enum class CdnNode { Client, Resolver, RegularDns, CdnDns, Edge, Origin };

/**
 * @brief One message of the lookup (or a decision, when from == to).
 */
struct CdnMessage {
    CdnNode from = CdnNode::Client;
    CdnNode to = CdnNode::Client;
    QString label; ///< what travels, short ("A? www.example.com")
    QString text; ///< one or two sentences for the diagram
    double atMs = 0; ///< model time since the client's first query when this step ends
};

/**
 * @brief A complete lookup and fetch, with the distances that decide it.
 */
struct CdnLookup {
    int clientPlace = 0;
    int resolverPlace = 0;
    bool clientSubnet = false; ///< the resolver forwards the client's subnet (EDNS Client Subnet)
    int seenPlace = 0; ///< where the CDN's DNS believes the query comes from
    int regularDnsPlace = 0; ///< example.com's own name server
    int cdnDnsPlace = 0; ///< the CDN name server that answers (the one nearest the resolver)
    int originPlace = 0;
    int chosenEdge = 0; ///< index into CdnModel::edgePlaces(): the edge the CDN returns
    int bestEdge = 0; ///< the edge nearest the client
    double chosenKm = 0, bestKm = 0;
    double rttChosenMs = 0, rttBestMs = 0;
    double extraRttMs = 0; ///< rttChosenMs - rttBestMs: paid on every round trip to the edge
    double lookupMs = 0; ///< the DNS part, model
    std::vector<CdnMessage> messages;
};

/**
 * @brief S9: DNS-based request dispatching as a simplified Akamai-style CDN does it.
 *
 * The regular DNS answers the site's name with a CNAME into the CDN's domain; the CDN's DNS
 * picks the edge server nearest to the address it sees, which is the resolver's (the client
 * never talks to it) unless the resolver passes on the client's subnet. Distances and round
 * trips come from GeoModel (a model). The first fetch misses the edge's cache and goes on to
 * the origin server.
 */
class CdnModel {
public:
    /// @brief The cities with an edge server, in a fixed order (the index is "chosen_edge").
    static const std::vector<int> &edgePlaces();
    static int originPlace();
    static int regularDnsPlace();
    /// @brief The edge nearest to city @p place (an index into edgePlaces()).
    static int nearestEdge(int place);

    static CdnLookup lookup(int clientPlace, int resolverPlace, bool clientSubnet);
};

} // namespace proclab
