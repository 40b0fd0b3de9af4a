#pragma once

#include <QString>

#include <cstdint>
#include <string>
#include <vector>

namespace proclab {

class Timeline;

/// @brief What one conversation with a line service gave.
struct ServiceExchange {
    bool ok = false;
    QString error;
    QString greeting; ///< the HELLO line
    QString service; ///< from the greeting
    QString via; ///< "inetd" (a handler process) or "thread" (a ServiceHost)
    long pid = 0; ///< the pid of the process that served, from the greeting
    long ppid = 0; ///< its parent's pid
    std::vector<std::string> replies; ///< lines after the greeting
    std::int64_t connectNs = 0; ///< Timeline::nowNs() before connect()
    std::int64_t greetingNs = 0; ///< when the greeting line arrived
    std::int64_t doneNs = 0; ///< when the server closed the connection
};

/**
 * @brief A client of the line services (through the superserver or a
 * ServiceHost): connect, read the greeting, send lines, read answers to the end.
 */
class ServiceClient {
public:
    /// @brief Connects to 127.0.0.1:@p port, sends @p lines (then end of stream) and reads every answer.
    static ServiceExchange exchange(std::uint16_t port, const std::vector<std::string> &lines, int timeoutMs,
        Timeline *timeline = nullptr, const QString &actor = QStringLiteral("client"));
    /// @brief Sends raw bytes as they are (for malformed input), then reads what comes back.
    static ServiceExchange exchangeRaw(std::uint16_t port, const std::string &bytes, int timeoutMs);
    /// @brief Parses "HELLO service=S pid=P ppid=Q via=V" into @p out; false if it is not one.
    static bool parseGreeting(const std::string &line, ServiceExchange *out);
};

} // namespace proclab
