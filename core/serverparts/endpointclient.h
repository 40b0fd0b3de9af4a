#pragma once

#include <QString>

#include <cstdint>
#include <optional>
#include <string>

namespace proclab {

class Timeline;

/**
 * @brief The client side of the EndpointDaemon protocol: register a service,
 * look a name up, remove an entry. Each call is one short connection with
 * timeouts; calls record "register"/"lookup" events for the sequence view.
 */
class EndpointClient {
public:
    /// @brief Sends one request line to the daemon on @p daemonPort; *reply is its answer line.
    static bool request(
        std::uint16_t daemonPort, const std::string &line, std::string *reply, int timeoutMs, QString *error);
    /// @brief REGISTER @p name @p port; false (with the daemon's reason) if refused.
    static bool registerService(std::uint16_t daemonPort, const QString &name, std::uint16_t port,
        Timeline *timeline, QString *error, int timeoutMs = 3000);
    /// @brief UNREGISTER @p name.
    static bool unregisterService(std::uint16_t daemonPort, const QString &name, Timeline *timeline,
        QString *error, int timeoutMs = 3000);
    /// @brief LOOKUP @p name: its port, or nothing with *error = "unknown service 'x'" (or why it failed).
    static std::optional<std::uint16_t> lookup(std::uint16_t daemonPort, const QString &name,
        Timeline *timeline, QString *error, int timeoutMs = 3000);
};

} // namespace proclab
