#pragma once

#include "connectionserver.h"

#include <QString>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace proclab {

class Timeline;

/// @brief Limits of an EndpointDaemon.
struct EndpointDaemonConfig {
    int maxServices = 64; ///< table entries
    int maxConnections = 8; ///< clients served at once
    int ioTimeoutMs = 3000; ///< per read or write
    int maxRequestsPerConnection = 100;
};

/// @brief One entry of the end-point table.
struct EndpointEntry {
    QString name;
    std::uint16_t port = 0;
};

/**
 * @brief An end-point daemon in the manner of the portmapper (rpcbind): services
 * that listen on an OS-chosen port register "name -> port" here; a client asks
 * the daemon for the port first, then connects to the service.
 *
 * Line protocol, one request per line (at most 256 bytes):
 *   REGISTER <name> <port>  -> "OK registered <name> <port>"
 *   UNREGISTER <name>       -> "OK unregistered <name>"
 *   LOOKUP <name>           -> "PORT <port>"
 *   LIST                    -> "SERVICES <name>=<port> ..."
 * Errors answer "ERROR <reason>" and the connection stays usable; a line that is
 * too long ends the connection after its error. Names are 1-32 characters of
 * [A-Za-z0-9._-].
 */
class EndpointDaemon {
public:
    explicit EndpointDaemon(EndpointDaemonConfig config = {}, Timeline *timeline = nullptr);
    ~EndpointDaemon();
    EndpointDaemon(const EndpointDaemon &) = delete;
    EndpointDaemon &operator=(const EndpointDaemon &) = delete;

    /// @brief Listens on 127.0.0.1:@p port (0 = OS-chosen).
    bool start(QString *error, std::uint16_t port = 0);
    /// @brief Ends every connection and joins every thread.
    void stop();
    std::uint16_t port() const;

    /// @brief The table now.
    std::vector<EndpointEntry> entries() const;
    /// @brief Requests answered so far (errors included).
    std::int64_t requests() const;
    /// @brief Requests answered with an error so far.
    std::int64_t errors() const;

    /// @brief The answer to one request line (without the newline); public so it can be tested alone.
    std::string answer(const std::string &line);

    /// @brief True if @p name is a valid service name.
    static bool validName(const std::string &name);

private:
    void serve(TcpSocket &socket, std::uint64_t id, const StopEvent &stop);

    EndpointDaemonConfig m_config;
    Timeline *m_timeline;
    std::unique_ptr<ConnectionServer> m_server;
    mutable std::mutex m_mutex; // guards the table and counters
    std::map<std::string, std::uint16_t> m_table;
    std::int64_t m_requests = 0;
    std::int64_t m_errors = 0;
};

} // namespace proclab
