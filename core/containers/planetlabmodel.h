#pragma once

#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace proclab {

/// @brief A vserver on a PlanetLab node: a slice's share of the node, or a management one.
struct PlanetLabVserver {
    QString slice; ///< "A" (yours), "B", "C", "D"; empty for a management vserver
    QString role; ///< management vservers: "node manager", "monitoring"
    bool management = false;
    int sliceUid = 1000; ///< the user id the slice's processes run as inside it
};

/// @brief A node: a machine an organization contributed, with its vservers.
struct PlanetLabNode {
    QString site; ///< "site 1", ...
    bool osRunning = false; ///< the Linux-enhanced OS is up
    std::vector<PlanetLabVserver> vservers;
};

/// @brief One step of the diagram: the whole state after it and what happened in it.
struct PlanetLabFrame {
    QString caption;
    std::vector<PlanetLabNode> nodes;
    QStringList slices; ///< slices present so far
    int focusNode = -1; ///< the node this step changed (-1: all or none)
    QString focusSlice; ///< the slice this step is about
};

/**
 * @brief PlanetLab as a model: organizations contribute nodes, each node runs one
 * Linux-enhanced OS with privileged management vservers, and a slice is a set of vservers,
 * one per node it spans.
 *
 * The frames build the picture step by step: the nodes, their OS, the management vservers,
 * the slices already there, then your slice one node at a time. Other slices span fixed
 * nodes (B every other node from the first, C every other node from the second, D the
 * first half).
 */
class PlanetLabModel {
public:
    /// Management vservers per node.
    static constexpr int kManagementPerNode = 2;

    /**
     * @param nodes number of nodes (1..12)
     * @param yourNodes 0-based nodes of your slice
     * @param otherSlices slices already running (0..3)
     */
    PlanetLabModel(int nodes, std::vector<int> yourNodes, int otherSlices);

    /// @brief Parses "1,3,4" or "2-5" (1-based node numbers) for @p nodes nodes, into 0-based
    /// numbers in order without repeats. @return nullopt with a one-line @p error
    static std::optional<std::vector<int>> parseNodeList(const QString &text, int nodes, QString *error);

    /// @brief 0-based nodes of slice @p k (0 = B, 1 = C, 2 = D) among @p nodes.
    static std::vector<int> otherSliceNodes(int k, int nodes);

    std::vector<PlanetLabFrame> frames() const;
    /// @brief The final state (the last frame's nodes).
    std::vector<PlanetLabNode> finalNodes() const;

    int nodes() const { return m_nodes; }
    const std::vector<int> &yourNodes() const { return m_yourNodes; }
    int otherSlices() const { return m_otherSlices; }

    /// @brief Vservers of slice @p slice in @p nodes.
    static int vserversOf(const std::vector<PlanetLabNode> &nodes, const QString &slice);
    static int managementVservers(const std::vector<PlanetLabNode> &nodes);
    static int userVservers(const std::vector<PlanetLabNode> &nodes);
    static int busiestNodeVservers(const std::vector<PlanetLabNode> &nodes);

private:
    int m_nodes;
    std::vector<int> m_yourNodes;
    int m_otherSlices;
};

} // namespace proclab
