#include "mobileipmodel.h"

#include "geomodel.h"

namespace proclab {

namespace {

QString city(int place)
{
    return GeoModel::places()[std::size_t(place)].name;
}

} // namespace

MipScenario MobileIpModel::build(
    int client1, int client2, int home, int server1, int server2, bool routeOptimization)
{
    MipScenario s;
    s.client1 = client1;
    s.client2 = client2;
    s.home = home;
    s.server1 = server1;
    s.server2 = server2;
    s.routeOptimization = routeOptimization;
    // Through the home agent both ways: client -> HA -> server -> HA -> client.
    s.rtt1ViaHomeMs = GeoModel::rttMs(client1, home) + GeoModel::rttMs(home, server1);
    s.rtt2ViaHomeMs = GeoModel::rttMs(client2, home) + GeoModel::rttMs(home, server2);
    s.rtt1DirectMs = GeoModel::rttMs(client1, server1);
    s.rtt2DirectMs = GeoModel::rttMs(client2, server2);
    s.rtt1Ms = routeOptimization ? s.rtt1DirectMs : s.rtt1ViaHomeMs;
    s.rtt2Ms = routeOptimization ? s.rtt2DirectMs : s.rtt2ViaHomeMs;

    for (int flow = 1; flow <= 2; ++flow) {
        const MipNode c = flow == 1 ? MipNode::Client1 : MipNode::Client2;
        const MipNode srv = flow == 1 ? MipNode::Server1 : MipNode::Server2;
        const int cPlace = flow == 1 ? client1 : client2;
        const int sPlace = flow == 1 ? server1 : server2;
        const QString ca = QStringLiteral("CA%1").arg(flow);
        const double via = flow == 1 ? s.rtt1ViaHomeMs : s.rtt2ViaHomeMs;
        const double direct = flow == 1 ? s.rtt1DirectMs : s.rtt2DirectMs;
        const auto add
            = [&](MipNode from, MipNode to, const QString &label, const QString &text, bool tunnel) {
                  s.messages.push_back({from, to, label, text, flow, tunnel});
                  if (from == MipNode::HomeAgent || to == MipNode::HomeAgent)
                      ++s.packetsViaHomeAgent;
              };
        add(c, MipNode::HomeAgent, QStringLiteral("SYN to HA"),
            QStringLiteral(
                "Client %1 in %2 opens a TCP connection to server X at its home address HA. Its application "
                "and TCP believe X is there.")
                .arg(flow)
                .arg(city(cPlace)),
            false);
        add(MipNode::HomeAgent, srv, QStringLiteral("tunnel: SYN to %1").arg(ca),
            QStringLiteral(
                "The home agent in %1 holds HA. It hands the connection off: it wraps the packet and "
                "tunnels it to the care-of address %2, server %3 in %4.")
                .arg(city(home), ca)
                .arg(flow)
                .arg(city(sPlace)),
            true);
        add(srv, MipNode::HomeAgent, QStringLiteral("tunnel: SYN-ACK from HA"),
            QStringLiteral(
                "Server %1 answers as HA. Its answer goes back through the home agent (a reverse tunnel) so "
                "that the client sees it come from HA.")
                .arg(flow),
            true);
        add(MipNode::HomeAgent, c, QStringLiteral("SYN-ACK from HA"),
            QStringLiteral(
                "Client %1 gets the answer from HA. Through the home agent, one round trip takes %2 ms "
                "(model).")
                .arg(flow)
                .arg(via, 0, 'f', 0),
            false);
        if (routeOptimization) {
            add(srv, c, QStringLiteral("binding update: HA is at %1").arg(ca),
                QStringLiteral(
                    "Route optimisation: server %1 tells client %1's MIPv6 layer that HA can now be reached "
                    "at %2 (after a check that both addresses answer).")
                    .arg(flow)
                    .arg(ca),
                false);
            add(c, srv, QStringLiteral("data to %1 (home address HA)").arg(ca),
                QStringLiteral(
                    "Client %1 now sends straight to %2, carrying HA in the packet. TCP and the application "
                    "still see HA: they never learn that X moved.")
                    .arg(flow)
                    .arg(ca),
                false);
            add(srv, c, QStringLiteral("data from %1 (as HA)").arg(ca),
                QStringLiteral(
                    "A round trip now takes %1 ms instead of %2 ms (model): the home agent is out of the "
                    "path.")
                    .arg(direct, 0, 'f', 0)
                    .arg(via, 0, 'f', 0),
                false);
        } else {
            add(c, MipNode::HomeAgent, QStringLiteral("data to HA"),
                QStringLiteral(
                    "Without route optimisation, every packet of client %1 goes to the home agent first...")
                    .arg(flow),
                false);
            add(MipNode::HomeAgent, srv, QStringLiteral("tunnel: data to %1").arg(ca),
                QStringLiteral("...which tunnels it on to %1.").arg(ca), true);
            add(srv, MipNode::HomeAgent, QStringLiteral("tunnel: data from HA"),
                QStringLiteral("The answers take the same detour back."), true);
            add(MipNode::HomeAgent, c, QStringLiteral("data from HA"),
                QStringLiteral("Every round trip of client %1 costs %2 ms instead of %3 ms directly (model).")
                    .arg(flow)
                    .arg(via, 0, 'f', 0)
                    .arg(direct, 0, 'f', 0),
                false);
        }
    }
    return s;
}

} // namespace proclab
