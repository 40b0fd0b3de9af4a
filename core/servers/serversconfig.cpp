#include "serversconfig.h"

#include <algorithm>

namespace proclab {

std::optional<std::vector<ServerDesign>> ServersConfig::parseDesigns(const QString &text, QString *error)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty() || trimmed == QLatin1String("all"))
        return allServerDesigns();
    std::vector<ServerDesign> out;
    const QStringList names = trimmed.split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const QString &raw : names) {
        const QString name = raw.trimmed();
        const auto d = serverDesignFromName(name.toStdString());
        if (!d) {
            if (error)
                *error = QStringLiteral("designs: unknown design '%1' (designs: iterative, process, thread, "
                                        "pool, fsm, or all)")
                             .arg(name.left(40));
            return std::nullopt;
        }
        if (std::find(out.begin(), out.end(), *d) != out.end()) {
            if (error)
                *error = QStringLiteral("designs: '%1' is named twice").arg(name);
            return std::nullopt;
        }
        out.push_back(*d);
    }
    if (out.empty()) {
        if (error)
            *error = QStringLiteral("designs: name at least one design");
        return std::nullopt;
    }
    return out;
}

std::optional<ServersConfig> ServersConfig::fromParams(const ParamValues &v, QString *error)
{
    ServersConfig c;
    const auto design = serverDesignFromName(v.value(QStringLiteral("design")).toString().toStdString());
    if (!design) {
        if (error)
            *error = QStringLiteral("design: unknown design");
        return std::nullopt;
    }
    c.design = *design;
    const auto designs = parseDesigns(v.value(QStringLiteral("designs")).toString(), error);
    if (!designs)
        return std::nullopt;
    c.designs = *designs;
    c.clients = v.value(QStringLiteral("clients")).toInt();
    c.requests = v.value(QStringLiteral("requests")).toLongLong();
    c.seconds = v.value(QStringLiteral("seconds")).toDouble();
    c.diskMs = v.value(QStringLiteral("disk_ms")).toLongLong();
    c.cpuUs = v.value(QStringLiteral("cpu_us")).toLongLong();
    c.keepAlive = v.value(QStringLiteral("keepalive")).toBool();
    c.poolWorkers = v.value(QStringLiteral("pool_workers")).toInt();
    const QString sweep = v.value(QStringLiteral("sweep")).toString();
    c.sweep = sweep == QLatin1String("designs") ? ServersSweep::Designs
        : sweep == QLatin1String("concurrency") ? ServersSweep::Concurrency
                                                : ServersSweep::Off;
    return c;
}

std::vector<ServerDesign> ServersConfig::measuredDesigns() const
{
    return sweep == ServersSweep::Off ? std::vector<ServerDesign> {design} : designs;
}

std::vector<int> ServersConfig::clientLevels() const
{
    if (sweep != ServersSweep::Concurrency)
        return {clients};
    std::vector<int> levels;
    for (int level = 1; level < clients; level *= 10)
        levels.push_back(level);
    levels.push_back(clients);
    return levels;
}

ServerConfig ServersConfig::serverConfig(ServerDesign d) const
{
    ServerConfig s;
    s.design = d;
    s.port = 0;
    s.handler.cpuUs = cpuUs;
    s.handler.diskMs = diskMs;
    s.poolWorkers = poolWorkers;
    return s;
}

LoadConfig ServersConfig::loadConfig(int clientCount, std::uint16_t port) const
{
    LoadConfig l;
    l.port = port;
    l.clients = clientCount;
    l.keepAlive = keepAlive;
    l.requests = requests;
    l.seconds = seconds;
    // A request may wait behind every other client's disk wait (the iterative design).
    l.requestTimeoutMs = std::max<std::int64_t>(10'000, 2 * clientCount * (diskMs + cpuUs / 1000 + 1));
    l.maxSamples = 200'000;
    return l;
}

} // namespace proclab
