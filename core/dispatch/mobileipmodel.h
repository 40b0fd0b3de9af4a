#pragma once

#include <QString>

#include <vector>

namespace proclab {

/// @brief The parties of the distributed-server picture: two clients, the home agent, two servers.
enum class MipNode { Client1, Client2, HomeAgent, Server1, Server2 };

/**
 * @brief One packet (or a binding update) of the exchange.
 */
struct MipMessage {
    MipNode from = MipNode::Client1;
    MipNode to = MipNode::HomeAgent;
    QString label; ///< what travels ("SYN to HA")
    QString text; ///< one or two sentences for the diagram
    int flow = 1; ///< 1 or 2: which client's connection
    bool tunnel = false; ///< encapsulated by or for the home agent
};

/**
 * @brief A distributed server X with one stable IPv6 home address HA, as in the slides.
 */
struct MipScenario {
    int client1 = 0, client2 = 0; ///< city indices (GeoModel)
    int home = 0; ///< where the home agent of HA is
    int server1 = 0, server2 = 0; ///< where the servers behind care-of addresses CA1, CA2 are
    bool routeOptimization = true;
    double rtt1ViaHomeMs = 0, rtt1DirectMs = 0; ///< client 1 <-> server 1, through the home agent or not
    double rtt2ViaHomeMs = 0, rtt2DirectMs = 0;
    double rtt1Ms = 0, rtt2Ms = 0; ///< what a round trip costs once the connection is set up
    int packetsViaHomeAgent = 0; ///< of the messages below, those that pass the home agent
    std::vector<MipMessage> messages;
};

/**
 * @brief S8: MobileIPv6 used for a distributed server (a model).
 *
 * Both clients connect to the one home address HA. The home agent hands each connection off
 * to a server at its own care-of address (client 1 to server 1 at CA1, client 2 to server 2
 * at CA2) by tunnelling. Without route optimisation every packet keeps going through the home
 * agent; with it, each server tells its client's MIPv6 layer that HA is at its care-of address,
 * and packets go straight there while TCP and the application still see HA. Collaborative
 * CDNs use the same trick: the origin keeps the home address and hands connections to a peer.
 * Round trips from GeoModel.
 */
class MobileIpModel {
public:
    static MipScenario build(
        int client1, int client2, int home, int server1, int server2, bool routeOptimization);
};

} // namespace proclab
