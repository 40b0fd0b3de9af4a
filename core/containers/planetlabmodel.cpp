#include "planetlabmodel.h"

#include <algorithm>

namespace proclab {

namespace {

const char *const kOtherNames[] = {"B", "C", "D"};

QString nodeList(const std::vector<int> &nodes)
{
    QStringList out;
    for (int n : nodes)
        out << QString::number(n + 1);
    return out.join(QStringLiteral(", "));
}

} // namespace

PlanetLabModel::PlanetLabModel(int nodes, std::vector<int> yourNodes, int otherSlices)
    : m_nodes(std::clamp(nodes, 1, 12))
    , m_yourNodes(std::move(yourNodes))
    , m_otherSlices(std::clamp(otherSlices, 0, 3))
{
    m_yourNodes.erase(
        std::remove_if(m_yourNodes.begin(), m_yourNodes.end(), [&](int n) { return n < 0 || n >= m_nodes; }),
        m_yourNodes.end());
}

std::optional<std::vector<int>> PlanetLabModel::parseNodeList(const QString &text, int nodes, QString *error)
{
    std::vector<int> out;
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty()) {
        *error = QStringLiteral("slice_nodes: name at least one node (for example \"1,3,4\" or \"2-4\")");
        return std::nullopt;
    }
    for (const QString &part : trimmed.split(QLatin1Char(','))) {
        const QString p = part.trimmed();
        const QStringList range = p.split(QLatin1Char('-'));
        bool ok1 = false, ok2 = true;
        const int first = range[0].trimmed().toInt(&ok1);
        const int last = range.size() == 2 ? range[1].trimmed().toInt(&ok2) : first;
        if (range.size() > 2 || !ok1 || !ok2 || first > last) {
            *error = QStringLiteral("slice_nodes: '%1' is not a node number or a range like 2-4").arg(p);
            return std::nullopt;
        }
        if (first < 1 || last > nodes) {
            *error = QStringLiteral("slice_nodes: node %1 does not exist (nodes are 1..%2)")
                         .arg(first < 1 ? first : last)
                         .arg(nodes);
            return std::nullopt;
        }
        for (int n = first; n <= last; ++n) {
            if (std::find(out.begin(), out.end(), n - 1) == out.end())
                out.push_back(n - 1);
        }
    }
    return out;
}

std::vector<int> PlanetLabModel::otherSliceNodes(int k, int nodes)
{
    std::vector<int> out;
    for (int n = 0; n < nodes; ++n) {
        const bool in = k == 0 ? n % 2 == 0 : k == 1 ? n % 2 == 1 : n < (nodes + 1) / 2;
        if (in)
            out.push_back(n);
    }
    return out;
}

std::vector<PlanetLabFrame> PlanetLabModel::frames() const
{
    std::vector<PlanetLabFrame> out;
    PlanetLabFrame f;
    f.nodes.resize(std::size_t(m_nodes));
    for (int n = 0; n < m_nodes; ++n)
        f.nodes[std::size_t(n)].site = QStringLiteral("site %1").arg(n + 1);
    f.caption
        = QStringLiteral("%1 organizations each contribute a machine: %1 nodes, shared by every experiment.")
              .arg(m_nodes);
    out.push_back(f);

    for (PlanetLabNode &node : f.nodes)
        node.osRunning = true;
    f.caption
        = QStringLiteral("Every node runs the same Linux-enhanced operating system: one kernel per node, "
                         "shared by everything on it.");
    out.push_back(f);

    for (PlanetLabNode &node : f.nodes) {
        node.vservers.push_back({QString(), QStringLiteral("node manager"), true, 0});
        node.vservers.push_back({QString(), QStringLiteral("monitoring"), true, 0});
    }
    f.caption = QStringLiteral("Privileged management vservers start on every node: the node manager creates "
                               "vservers and hands out the node's resources.");
    out.push_back(f);

    for (int k = 0; k < m_otherSlices; ++k) {
        const QString name = QLatin1String(kOtherNames[k]);
        const std::vector<int> on = otherSliceNodes(k, m_nodes);
        for (int n : on)
            f.nodes[std::size_t(n)].vservers.push_back({name, QString(), false, 1000});
        f.slices << name;
        f.focusNode = -1;
        f.focusSlice = name;
        f.caption
            = QStringLiteral("Slice %1 (another experiment) already runs: one vserver on each of nodes %2.")
                  .arg(name, nodeList(on));
        out.push_back(f);
    }

    f.slices << QStringLiteral("A");
    for (std::size_t i = 0; i < m_yourNodes.size(); ++i) {
        const int n = m_yourNodes[i];
        f.nodes[std::size_t(n)].vservers.push_back({QStringLiteral("A"), QString(), false, 1000});
        f.focusNode = n;
        f.focusSlice = QStringLiteral("A");
        f.caption
            = QStringLiteral("Your slice A: the node manager of node %1 creates a vserver for it (%2 of %3).")
                  .arg(n + 1)
                  .arg(i + 1)
                  .arg(m_yourNodes.size());
        out.push_back(f);
    }

    f.focusNode = -1;
    f.focusSlice = QStringLiteral("A");
    f.caption = QStringLiteral(
        "Slice A is complete: %1 vserver%2 on nodes %3. In each one your processes have their "
        "own files and user ids; uid 1000 in slice A and uid 1000 in another slice on the same "
        "node are different users.")
                    .arg(m_yourNodes.size())
                    .arg(m_yourNodes.size() == 1 ? QString() : QStringLiteral("s"))
                    .arg(nodeList(m_yourNodes));
    out.push_back(f);
    return out;
}

std::vector<PlanetLabNode> PlanetLabModel::finalNodes() const
{
    return frames().back().nodes;
}

int PlanetLabModel::vserversOf(const std::vector<PlanetLabNode> &nodes, const QString &slice)
{
    int n = 0;
    for (const PlanetLabNode &node : nodes) {
        for (const PlanetLabVserver &v : node.vservers)
            n += !v.management && v.slice == slice ? 1 : 0;
    }
    return n;
}

int PlanetLabModel::managementVservers(const std::vector<PlanetLabNode> &nodes)
{
    int n = 0;
    for (const PlanetLabNode &node : nodes) {
        for (const PlanetLabVserver &v : node.vservers)
            n += v.management ? 1 : 0;
    }
    return n;
}

int PlanetLabModel::userVservers(const std::vector<PlanetLabNode> &nodes)
{
    int n = 0;
    for (const PlanetLabNode &node : nodes) {
        for (const PlanetLabVserver &v : node.vservers)
            n += v.management ? 0 : 1;
    }
    return n;
}

int PlanetLabModel::busiestNodeVservers(const std::vector<PlanetLabNode> &nodes)
{
    std::size_t most = 0;
    for (const PlanetLabNode &node : nodes)
        most = std::max(most, node.vservers.size());
    return int(most);
}

} // namespace proclab
