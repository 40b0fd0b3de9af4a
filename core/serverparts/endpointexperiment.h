#pragma once

#include "endpointdaemon.h"
#include "stopwait.h"
#include "superserver.h"
#include "timeline.h"

#include "common/stats.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace proclab {

/// @brief The two ways of reaching a service that the S2 run compares.
struct EndpointExperimentConfig {
    QStringList services = {QStringLiteral("echo"), QStringLiteral("daytime"), QStringLiteral("upper")};
    int repetitions = 5; ///< connections per service and per way
    int timeoutMs = 5000; ///< per connection
    SuperServerConfig superServer;
};

/// @brief What the S2 run measured (on this machine).
struct EndpointExperimentResult {
    bool ok = false;
    QString error;
    std::vector<TimelineEvent> events; ///< both sequences on one clock, for the animated view
    std::vector<SuperServerPort> superServerPorts;
    std::vector<EndpointEntry> daemonTable; ///< the end-point table while the services ran
    std::uint16_t daemonPort = 0;
    std::vector<SuperServerHandler> handlers; ///< every handler process, spawn to reap
    bool allHandlersReaped = false;
    int distinctHandlerPids = 0; ///< one new process per connection
    Spread superServerFirstLineUs; ///< connect -> greeting through the superserver (a process is started)
    Spread registeredFirstLineUs; ///< connect -> greeting of a registered in-process service (a thread)
    Spread lookupUs; ///< the extra round trip to the end-point daemon
    Spread spawnToReapUs; ///< a handler process's whole life as the superserver saw it
    std::vector<double> superServerSamplesUs; ///< connect -> greeting per superserver connection, in order
    std::vector<double> registeredSamplesUs; ///< connect -> greeting per registered-service connection
};

/**
 * @brief Runs both ways of reaching a service, slide 3.4's two approaches to
 * dynamic end points: an end-point daemon with services that registered their
 * OS-chosen ports (the client looks up, then connects), and a superserver that
 * listens on every service port and starts a handler process per connection.
 * run() blocks; stop() from another thread ends it soon.
 */
class EndpointExperiment {
public:
    explicit EndpointExperiment(EndpointExperimentConfig config);
    EndpointExperimentResult run();
    void stop() { m_stop.set(); }

private:
    EndpointExperimentConfig m_config;
    StopEvent m_stop;
};

} // namespace proclab
