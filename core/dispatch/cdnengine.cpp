#include "cdnengine.h"

#include "geomodel.h"

#include <memory>

namespace proclab {

std::optional<CdnConfig> CdnConfig::fromParams(const ParamValues &v, QString *error)
{
    CdnConfig c;
    c.client = GeoModel::placeIndex(v.value(QStringLiteral("client")).toString());
    c.resolver = GeoModel::placeIndex(v.value(QStringLiteral("resolver")).toString());
    if (c.client < 0 || c.resolver < 0) {
        if (error)
            *error = QStringLiteral("unknown city");
        return std::nullopt;
    }
    c.clientSubnet = v.value(QStringLiteral("client_subnet")).toBool();
    return c;
}

CdnEngine::CdnEngine()
    : ConfiguredEngine(EngineInfo {QString(kId), QStringLiteral("CDN lookup: DNS-based dispatching"),
        Provenance::Diagram,
        QStringLiteral(
            "A client looks up www.example.com through its resolver; the regular DNS redirects to the "
            "CDN's DNS, which returns the edge nearest the resolver. Distances and round trips are a model."),
        {QStringLiteral("S9")}, {QString(kLookupView)}})
{
}

ParamSchema CdnEngine::schema() const
{
    return ParamSchema {
        ParamSpec::choice(QStringLiteral("client"), QStringLiteral("Client in"), QStringLiteral("sydney"),
            GeoModel::placeIds(), QStringLiteral("The city the client is in.")),
        ParamSpec::choice(QStringLiteral("resolver"), QStringLiteral("Resolver in"),
            QStringLiteral("san_francisco"), GeoModel::placeIds(),
            QStringLiteral(
                "The city of the DNS resolver the client uses: its provider's (same city) or a public "
                "resolver far away.")),
        ParamSpec::boolean(QStringLiteral("client_subnet"), QStringLiteral("Pass on the client's subnet"),
            false,
            QStringLiteral(
                "The resolver tells the CDN's DNS the client's subnet (EDNS Client Subnet), so the CDN sees "
                "roughly where the client is.")),
    };
}

std::vector<OutputSpec> CdnEngine::outputs() const
{
    return {
        {QStringLiteral("chosen_edge"), QString(),
            QStringLiteral(
                "the edge the CDN returned: 0 London, 1 Frankfurt, 2 New York, 3 San Francisco, 4 São Paulo, "
                "5 Singapore, 6 Tokyo, 7 Sydney")},
        {QStringLiteral("best_edge"), QString(),
            QStringLiteral("the edge nearest the client (same numbering)")},
        {QStringLiteral("chose_best"), QString(),
            QStringLiteral("1 if the CDN returned the edge nearest the client")},
        {QStringLiteral("chosen_edge_km"), QStringLiteral("km"),
            QStringLiteral("client to the chosen edge (model)")},
        {QStringLiteral("best_edge_km"), QStringLiteral("km"),
            QStringLiteral("client to the nearest edge (model)")},
        {QStringLiteral("client_resolver_km"), QStringLiteral("km"),
            QStringLiteral("client to its resolver (model)")},
        {QStringLiteral("rtt_chosen_ms"), QStringLiteral("ms"),
            QStringLiteral("round trip to the chosen edge (model)")},
        {QStringLiteral("rtt_best_ms"), QStringLiteral("ms"),
            QStringLiteral("round trip to the nearest edge (model)")},
        {QStringLiteral("extra_rtt_ms"), QStringLiteral("ms"),
            QStringLiteral("what every round trip costs more than with the nearest edge (model)")},
        {QStringLiteral("lookup_ms"), QStringLiteral("ms"), QStringLiteral("time of the DNS lookup (model)")},
    };
}

void CdnEngine::run()
{
    auto snap = std::make_shared<CdnSnapshot>();
    snap->lookup = CdnModel::lookup(config().client, config().resolver, config().clientSubnet);
    snap->result = buildResult(snap->lookup);
    snap->narration = QStringLiteral("The client wants www.example.com.");
    snap->status = QStringLiteral("DNS lookup: %1 steps (model)").arg(snap->lookup.messages.size());
    publish(std::make_shared<CdnSnapshot>(*snap));
    const int n = int(snap->lookup.messages.size());
    for (int i = 0; i < n; ++i) {
        if (!pace(kSecondsPerMessage) || !checkpoint())
            break;
        snap->shown = i + 1;
        snap->progress = double(i + 1) / n;
        snap->narration = snap->lookup.messages[std::size_t(i)].text;
        snap->status = QStringLiteral("step %1 of %2 (model)").arg(i + 1).arg(n);
        publish(std::make_shared<CdnSnapshot>(*snap));
    }
}

Result CdnEngine::buildResult(const CdnLookup &l) const
{
    Result r = makeResult();
    r.summary.insert(QStringLiteral("chosen_edge"), l.chosenEdge);
    r.summary.insert(QStringLiteral("best_edge"), l.bestEdge);
    r.summary.insert(QStringLiteral("chose_best"), l.chosenEdge == l.bestEdge ? 1 : 0);
    r.summary.insert(QStringLiteral("chosen_edge_km"), l.chosenKm);
    r.summary.insert(QStringLiteral("best_edge_km"), l.bestKm);
    r.summary.insert(
        QStringLiteral("client_resolver_km"), GeoModel::distanceKm(l.clientPlace, l.resolverPlace));
    r.summary.insert(QStringLiteral("rtt_chosen_ms"), l.rttChosenMs);
    r.summary.insert(QStringLiteral("rtt_best_ms"), l.rttBestMs);
    r.summary.insert(QStringLiteral("extra_rtt_ms"), l.extraRttMs);
    r.summary.insert(QStringLiteral("lookup_ms"), l.lookupMs);
    r.table.columns = {QStringLiteral("step"), QStringLiteral("message"), QStringLiteral("at_ms"),
        QStringLiteral("what happens")};
    int step = 1;
    for (const CdnMessage &m : l.messages)
        r.table.rows.push_back({step++, m.label, m.atMs, m.text});
    return r;
}

} // namespace proclab
