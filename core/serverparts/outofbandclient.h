#pragma once

#include "outofbandserver.h"
#include "tcpsocket.h"

#include <QString>

#include <cstdint>
#include <string>

namespace proclab {

/// @brief One status line of an OutOfBandServer request, parsed.
struct OutOfBandStatus {
    enum Kind { Accepted, Progress, Held, Resumed, Cancelled, Done, Error };
    Kind kind = Error;
    std::uint64_t requestId = 0; ///< Accepted
    std::int64_t unit = 0; ///< units done when the line was sent
    std::int64_t noticedNs
        = 0; ///< Held/Resumed/Cancelled: when the urgent thread noticed (0 if not by a command)
    std::int64_t effectNs = 0; ///< Held/Resumed/Cancelled: when the worker acted
    std::int64_t receivedNs = 0; ///< when this client read the line
    QString text; ///< the line as received (an error's reason)
};

/**
 * @brief The client of an OutOfBandServer: starts a long request and interrupts
 * it with TCP urgent data on the same connection or with a message to the
 * urgent port. Every send is stamped with Timeline::nowNs() so the latency to
 * the server's "noticed" and "effect" times can be computed.
 */
class OutOfBandClient {
public:
    /// @brief Makes every blocking call end at once when @p stop is set (nullptr = only timeouts).
    void setStopEvent(const StopEvent *stop) { m_stop = stop; }
    /// @brief Connects to the server's main port.
    bool connect(std::uint16_t port, int timeoutMs, QString *error);
    /// @brief Sends WORK and waits for ACCEPTED; *requestId is the server's id.
    bool startWork(std::int64_t units, int unitUs, std::int64_t progressEvery, std::uint64_t *requestId,
        int timeoutMs, QString *error);
    /// @brief Reads the next status line.
    bool readStatus(OutOfBandStatus *status, int timeoutMs, QString *error);
    /// @brief Sends @p command as one byte of TCP urgent data; *sentNs is the time just before send().
    bool sendUrgentData(UrgentCommand command, std::int64_t *sentNs, QString *error);
    /// @brief Sends @p command for @p requestId to the urgent port; *reply is the server's answer line.
    static bool sendToUrgentPort(std::uint16_t urgentPort, UrgentCommand command, std::uint64_t requestId,
        std::int64_t *sentNs, std::string *reply, int timeoutMs, QString *error,
        const StopEvent *stop = nullptr);
    /// @brief Parses a status line (public for tests).
    static OutOfBandStatus parseStatus(const std::string &line);
    /// @brief The connection (for sending malformed bytes in tests).
    TcpSocket &socket() { return m_socket; }

private:
    TcpSocket m_socket;
    const StopEvent *m_stop = nullptr;
};

} // namespace proclab
