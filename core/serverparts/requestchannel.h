#pragma once

#include "fileclientconfig.h"
#include "tcpsocket.h"

#include <QString>

#include <atomic>
#include <cstdint>
#include <string>

namespace proclab {

class StopEvent;

/**
 * @brief Request/answer transport of the file clients: one line (plus raw
 * bytes) out, one line (plus the n bytes of a "DATA <n> ..." answer) back, over
 * a persistent connection or a new connection per request.
 */
class RequestChannel {
public:
    enum class Outcome {
        Ok, ///< an answer line arrived
        ConnectionLost, ///< refused, reset or closed before the answer: sending again may work
        Failed, ///< timeout, stop, or an answer that breaks the protocol
    };

    RequestChannel(std::uint16_t port, ConnectionMode mode, int timeoutMs, int maxDataBytes,
        const StopEvent *stop = nullptr);

    /// @brief Sends @p line and @p body; *reply is the answer line, *data a DATA answer's bytes.
    Outcome call(const std::string &line, const std::string &body, std::string *reply, std::string *data,
        QString *error);
    /// @brief Closes the persistent connection (the next call opens a new one).
    void close() { m_socket.close(); }
    bool isConnected() const { return m_socket.isOpen(); }
    std::int64_t connectionsOpened() const { return m_connections.load(); }
    std::int64_t requests() const { return m_requests.load(); }

private:
    std::uint16_t m_port;
    ConnectionMode m_mode;
    int m_timeoutMs;
    int m_maxDataBytes;
    const StopEvent *m_stop;
    TcpSocket m_socket;
    // Atomic: stats() may be read by another thread while requests go on.
    std::atomic<std::int64_t> m_connections {0};
    std::atomic<std::int64_t> m_requests {0};
};

} // namespace proclab
