#include "clusterconfig.h"

namespace proclab {

std::vector<int> ClusterConfig::backendCounts() const
{
    std::vector<int> counts;
    if (sweep) {
        for (int n = 1; n < backends; n *= 2)
            counts.push_back(n);
    }
    counts.push_back(backends);
    return counts;
}

std::optional<ClusterConfig> ClusterConfig::fromParams(const ParamValues &v, QString *error)
{
    ClusterConfig c;
    const QString dispatch = v.value(QStringLiteral("dispatch")).toString();
    if (dispatch == QLatin1String("both")) {
        c.modes = {DispatchMode::Relay, DispatchMode::Handoff};
    } else if (const auto mode = dispatchModeFromId(dispatch)) {
        c.modes = {*mode};
    } else {
        if (error)
            *error = QStringLiteral("parameter 'dispatch': '%1' is not relay, handoff or both").arg(dispatch);
        return std::nullopt;
    }
    c.backends = v.value(QStringLiteral("backends")).toInt();
    c.sweep = v.value(QStringLiteral("sweep")).toBool();
    c.clients = v.value(QStringLiteral("clients")).toInt();
    c.requests = v.value(QStringLiteral("requests")).toLongLong();
    c.seconds = v.value(QStringLiteral("seconds")).toDouble();
    c.responseBytes = v.value(QStringLiteral("response_size")).toLongLong();
    c.serviceUs = v.value(QStringLiteral("service_us")).toInt();
    return c;
}

} // namespace proclab
