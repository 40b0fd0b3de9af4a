#pragma once

#include "connectionserver.h"

#include <QString>

#include <cstdint>
#include <memory>

namespace proclab {

class Timeline;

/// @brief Which line service a ServiceHost runs and where it registers.
struct ServiceHostConfig {
    QString service = QStringLiteral("echo"); ///< a LineService name
    QString name; ///< the name registered with the daemon (empty = service)
    std::uint16_t daemonPort = 0; ///< the EndpointDaemon to register with (0 = do not register)
    int maxConnections = 8;
    int ioTimeoutMs = 3000;
};

/**
 * @brief A line service that runs in this process (a thread per connection) on an
 * OS-chosen port and registers that port with an EndpointDaemon, as an RPC
 * server registers with the portmapper. stop() unregisters it.
 */
class ServiceHost {
public:
    explicit ServiceHost(ServiceHostConfig config, Timeline *timeline = nullptr);
    ~ServiceHost();
    ServiceHost(const ServiceHost &) = delete;
    ServiceHost &operator=(const ServiceHost &) = delete;

    /// @brief Listens (OS-chosen port), then registers with the daemon if one is configured.
    bool start(QString *error);
    /// @brief Unregisters (best effort) and stops.
    void stop();
    std::uint16_t port() const;
    QString registeredName() const;

private:
    void serve(TcpSocket &socket, std::uint64_t id, const StopEvent &stop);

    ServiceHostConfig m_config;
    Timeline *m_timeline;
    std::unique_ptr<ConnectionServer> m_server;
    bool m_registered = false;
};

} // namespace proclab
