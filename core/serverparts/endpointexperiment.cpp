#include "endpointexperiment.h"

#include "endpointclient.h"
#include "serviceclient.h"
#include "servicehost.h"

#include <memory>
#include <set>

namespace proclab {

EndpointExperiment::EndpointExperiment(EndpointExperimentConfig config)
    : m_config(std::move(config))
{
}

EndpointExperimentResult EndpointExperiment::run()
{
    EndpointExperimentResult result;
    if (m_config.services.isEmpty() || m_config.repetitions < 1 || m_config.repetitions > 1000) {
        result.error = QStringLiteral("at least one service and 1-1000 repetitions");
        return result;
    }
    Timeline timeline(100000);
    EndpointDaemon daemon({}, &timeline);
    if (!daemon.start(&result.error))
        return result;
    result.daemonPort = daemon.port();
    std::vector<std::unique_ptr<ServiceHost>> hosts;
    for (const QString &service : m_config.services) {
        ServiceHostConfig hc;
        hc.service = service;
        hc.daemonPort = daemon.port();
        auto host = std::make_unique<ServiceHost>(hc, &timeline);
        if (!host->start(&result.error))
            return result;
        hosts.push_back(std::move(host));
    }
    result.daemonTable = daemon.entries();
    SuperServerConfig sc = m_config.superServer;
    sc.services = m_config.services;
    SuperServer superServer(sc, &timeline);
    if (!superServer.start(&result.error))
        return result;
    result.superServerPorts = superServer.ports();

    std::vector<double> viaDaemon, viaSuper, lookups;
    std::set<long> pids;
    const std::vector<std::string> lines = {"hello from the client"};
    for (int rep = 0; rep < m_config.repetitions && result.error.isEmpty(); ++rep) {
        for (const QString &service : m_config.services) {
            if (m_stop.isSet()) {
                result.error = QStringLiteral("stopped");
                break;
            }
            // Way 1: ask the daemon, then connect to the port it names.
            const std::int64_t t0 = Timeline::nowNs();
            const auto port = EndpointClient::lookup(
                daemon.port(), service, &timeline, &result.error, m_config.timeoutMs);
            if (!port)
                break;
            lookups.push_back(static_cast<double>(Timeline::nowNs() - t0) / 1000.0);
            ServiceExchange ex = ServiceClient::exchange(*port, lines, m_config.timeoutMs, &timeline);
            if (!ex.ok) {
                result.error = QStringLiteral("%1 via the daemon: %2").arg(service, ex.error);
                break;
            }
            viaDaemon.push_back(static_cast<double>(ex.greetingNs - ex.connectNs) / 1000.0);
            // Way 2: connect to the superserver's port for the service.
            ex = ServiceClient::exchange(superServer.portOf(service), lines, m_config.timeoutMs, &timeline);
            if (!ex.ok) {
                result.error = QStringLiteral("%1 via the superserver: %2").arg(service, ex.error);
                break;
            }
            viaSuper.push_back(static_cast<double>(ex.greetingNs - ex.connectNs) / 1000.0);
            pids.insert(ex.pid);
        }
    }
    superServer.stop(); // reaps every handler
    for (auto &h : hosts)
        h->stop();
    daemon.stop();

    result.handlers = superServer.handlers();
    result.allHandlersReaped = true;
    std::vector<double> lives;
    for (const auto &h : result.handlers) {
        result.allHandlersReaped = result.allHandlersReaped && h.reaped;
        if (h.reaped)
            lives.push_back(static_cast<double>(h.reapNs - h.spawnNs) / 1000.0);
    }
    result.distinctHandlerPids = static_cast<int>(pids.size());
    result.superServerSamplesUs = viaSuper;
    result.registeredSamplesUs = viaDaemon;
    result.superServerFirstLineUs = spreadOf(viaSuper);
    result.registeredFirstLineUs = spreadOf(viaDaemon);
    result.lookupUs = spreadOf(lookups);
    result.spawnToReapUs = spreadOf(lives);
    result.events = timeline.events();
    result.ok = result.error.isEmpty();
    return result;
}

} // namespace proclab
