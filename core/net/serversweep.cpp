#include "serversweep.h"

#include "fdlimit.h"

namespace proclab {

void fillPointFromLoad(SweepPoint &point, const LoadResult &r)
{
    point.throughputRps = r.throughputRps;
    point.latencyP50Ms = r.latencyP50Ms;
    point.latencyP95Ms = r.latencyP95Ms;
    point.latencyP99Ms = r.latencyP99Ms;
    point.latencyMaxMs = r.latencyMaxMs;
    point.ok = r.ok;
    point.errors = r.errors;
    point.generatorCpuPercent = r.generatorCpuPercent;
    point.generatorBusiestThreadPercent = r.busiestThreadCpuPercent;
    point.generatorSaturated = r.generatorSaturated;
    point.elapsedS = r.elapsedS;
}

void fillPointFromServer(SweepPoint &point, const ServerStats &s)
{
    point.serverInFlightMax = s.inFlightMax;
    point.serverCapRejections = s.capRejections;
    point.serverWorkersStarted = s.workersStarted;
}

std::vector<SweepPoint> ServerSweep::run(
    const SweepConfig &config, const std::function<void(const SweepPoint &)> &onPoint)
{
    std::vector<SweepPoint> points;
    for (int clients : config.clientLevels) {
        for (ServerDesign design : config.designs) {
            SweepPoint point;
            point.design = design;
            point.clients = clients;

            ServerConfig serverConfig = config.server;
            serverConfig.design = design;
            serverConfig.port = 0;
            LoadConfig load = config.load;
            load.clients = clients;

            // Both ends of every connection are in this process (except for the process design).
            QString error;
            if (!ensureFdLimit(2 * std::int64_t(clients) + 64, &error)) {
                point.error = error;
            } else {
                auto server = makeHttpServer(serverConfig);
                LoadGenerator generator;
                {
                    std::lock_guard lock(m_mutex);
                    if (m_stopped)
                        return points;
                    m_load = &generator;
                }
                if (!server->start(&error)) {
                    point.error = error;
                } else {
                    load.port = server->port();
                    const LoadResult r = generator.run(load);
                    if (!r.error.isEmpty()) {
                        point.error = r.error;
                    } else {
                        fillPointFromLoad(point, r);
                    }
                    fillPointFromServer(point, server->stats());
                }
                {
                    std::lock_guard lock(m_mutex);
                    m_load = nullptr;
                }
                server->stop();
            }
            {
                std::lock_guard lock(m_mutex);
                if (m_stopped)
                    return points; // a point cut short by stop() is not a measurement
            }
            points.push_back(point);
            if (onPoint)
                onPoint(point);
        }
    }
    return points;
}

void ServerSweep::stop()
{
    std::lock_guard lock(m_mutex);
    m_stopped = true;
    if (m_load)
        m_load->stop();
}

} // namespace proclab
