#include "mobileipengine.h"

#include "geomodel.h"

#include <memory>

namespace proclab {

std::optional<MobileIpConfig> MobileIpConfig::fromParams(const ParamValues &v, QString *error)
{
    MobileIpConfig c;
    int *fields[] = {&c.client1, &c.client2, &c.home, &c.server1, &c.server2};
    const char *names[] = {"client1", "client2", "home", "server1", "server2"};
    for (int i = 0; i < 5; ++i) {
        *fields[i] = GeoModel::placeIndex(v.value(QLatin1String(names[i])).toString());
        if (*fields[i] < 0) {
            if (error)
                *error = QStringLiteral("parameter '%1': unknown city").arg(QLatin1String(names[i]));
            return std::nullopt;
        }
    }
    c.routeOptimization = v.value(QStringLiteral("route_optimization")).toBool();
    return c;
}

MobileIpEngine::MobileIpEngine()
    : ConfiguredEngine(EngineInfo {QString(kId), QStringLiteral("Distributed server with MobileIPv6"),
        Provenance::Diagram,
        QStringLiteral(
            "Two clients connect to one home address; the home agent hands each connection to a server at "
            "a care-of address; route optimisation takes the home agent out of the path. Round trips are "
            "a model."),
        {QStringLiteral("S8")}, {QString(kPathsView)}})
{
}

ParamSchema MobileIpEngine::schema() const
{
    const QStringList cities = GeoModel::placeIds();
    return ParamSchema {
        ParamSpec::choice(QStringLiteral("client1"), QStringLiteral("Client 1 in"), QStringLiteral("madrid"),
            cities, QStringLiteral("City of client 1.")),
        ParamSpec::choice(QStringLiteral("client2"), QStringLiteral("Client 2 in"), QStringLiteral("tokyo"),
            cities, QStringLiteral("City of client 2.")),
        ParamSpec::choice(QStringLiteral("home"), QStringLiteral("Home agent in"), QStringLiteral("new_york"),
            cities, QStringLiteral("Where the home network of X's home address HA is.")),
        ParamSpec::choice(QStringLiteral("server1"), QStringLiteral("Server 1 (CA1) in"),
            QStringLiteral("frankfurt"), cities,
            QStringLiteral("City of the server that gets client 1's connection.")),
        ParamSpec::choice(QStringLiteral("server2"), QStringLiteral("Server 2 (CA2) in"),
            QStringLiteral("singapore"), cities,
            QStringLiteral("City of the server that gets client 2's connection.")),
        ParamSpec::boolean(QStringLiteral("route_optimization"), QStringLiteral("Route optimisation"), true,
            QStringLiteral("Servers tell clients their care-of address, and packets stop going through the "
                           "home agent.")),
    };
}

std::vector<OutputSpec> MobileIpEngine::outputs() const
{
    return {
        {QStringLiteral("rtt_client1_via_home_ms"), QStringLiteral("ms"),
            QStringLiteral("client 1 <-> server 1 through the home agent (model)")},
        {QStringLiteral("rtt_client1_direct_ms"), QStringLiteral("ms"),
            QStringLiteral("client 1 <-> server 1 directly (model)")},
        {QStringLiteral("rtt_client2_via_home_ms"), QStringLiteral("ms"),
            QStringLiteral("client 2 <-> server 2 through the home agent (model)")},
        {QStringLiteral("rtt_client2_direct_ms"), QStringLiteral("ms"),
            QStringLiteral("client 2 <-> server 2 directly (model)")},
        {QStringLiteral("rtt_client1_ms"), QStringLiteral("ms"),
            QStringLiteral("client 1's round trip once set up, with the chosen route optimisation (model)")},
        {QStringLiteral("rtt_client2_ms"), QStringLiteral("ms"),
            QStringLiteral("client 2's round trip once set up, with the chosen route optimisation (model)")},
        {QStringLiteral("packets_via_home_agent"), QStringLiteral("packets"),
            QStringLiteral("messages of the diagram that pass the home agent")},
        {QStringLiteral("messages"), QStringLiteral("packets"), QStringLiteral("messages in the diagram")},
    };
}

void MobileIpEngine::run()
{
    const MobileIpConfig &c = config();
    auto snap = std::make_shared<MobileIpSnapshot>();
    snap->scenario
        = MobileIpModel::build(c.client1, c.client2, c.home, c.server1, c.server2, c.routeOptimization);
    snap->result = buildResult(snap->scenario);
    snap->status = QStringLiteral("%1 packets to follow (model)").arg(snap->scenario.messages.size());
    snap->narration = QStringLiteral("Server X has one home address, HA. Its home agent is in %1.")
                          .arg(GeoModel::places()[std::size_t(c.home)].name);
    publish(std::make_shared<MobileIpSnapshot>(*snap));
    const int n = int(snap->scenario.messages.size());
    for (int i = 0; i < n; ++i) {
        if (!pace(kSecondsPerMessage) || !checkpoint())
            break;
        snap->shown = i + 1;
        snap->progress = double(i + 1) / n;
        snap->narration = snap->scenario.messages[std::size_t(i)].text;
        snap->status = QStringLiteral("step %1 of %2 (model)").arg(i + 1).arg(n);
        publish(std::make_shared<MobileIpSnapshot>(*snap));
    }
}

Result MobileIpEngine::buildResult(const MipScenario &s) const
{
    Result r = makeResult();
    r.summary.insert(QStringLiteral("rtt_client1_via_home_ms"), s.rtt1ViaHomeMs);
    r.summary.insert(QStringLiteral("rtt_client1_direct_ms"), s.rtt1DirectMs);
    r.summary.insert(QStringLiteral("rtt_client2_via_home_ms"), s.rtt2ViaHomeMs);
    r.summary.insert(QStringLiteral("rtt_client2_direct_ms"), s.rtt2DirectMs);
    r.summary.insert(QStringLiteral("rtt_client1_ms"), s.rtt1Ms);
    r.summary.insert(QStringLiteral("rtt_client2_ms"), s.rtt2Ms);
    r.summary.insert(QStringLiteral("packets_via_home_agent"), s.packetsViaHomeAgent);
    r.summary.insert(QStringLiteral("messages"), int(s.messages.size()));
    r.table.columns = {QStringLiteral("step"), QStringLiteral("client"), QStringLiteral("message"),
        QStringLiteral("tunnelled"), QStringLiteral("what happens")};
    int step = 1;
    for (const MipMessage &m : s.messages)
        r.table.rows.push_back({step++, m.flow, m.label, m.tunnel, m.text});
    return r;
}

} // namespace proclab
