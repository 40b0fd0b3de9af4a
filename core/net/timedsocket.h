#pragma once

#include "asio.h"

#include <QString>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace proclab::migration {

/**
 * @brief A TCP socket whose every operation has a deadline and can be cancelled.
 *
 * Asio's synchronous calls have no timeout, so each operation is started
 * asynchronously and the caller's thread runs the private io_context in short
 * slices until it completes, the deadline passes or cancelled() says so; then
 * the socket is closed, which ends the operation. Used from one thread only.
 */
class TimedSocket {
public:
    explicit TimedSocket(std::function<bool()> cancelled = {});
    ~TimedSocket();

    bool connect(
        const std::string &host, std::uint16_t port, std::chrono::milliseconds timeout, QString *error);
    bool write(const std::vector<boost::asio::const_buffer> &buffers, std::chrono::milliseconds timeout,
        QString *error);
    bool read(boost::asio::mutable_buffer buffer, std::chrono::milliseconds timeout, QString *error);
    /// Runs the io_context until @p done, the deadline or cancellation. For callers that
    /// start their own asynchronous operations on socket() (post-copy reads and writes at once).
    bool runUntil(const std::function<bool()> &done, std::chrono::milliseconds timeout, QString *error,
        const QString &what);
    /// Runs ready handlers for at most @p slice without waiting for anything in particular.
    void poll(std::chrono::milliseconds slice);
    /// Simulates a cut cable: both directions shut down, then closed.
    void cut();
    void close();
    bool isOpen() const { return m_socket.is_open(); }
    /**
     * @brief Called at the start of every close() (timeouts and cuts included): closes the
     * other sockets a caller runs on context(), whose pending operations would otherwise keep
     * close() waiting for them.
     */
    void setBeforeClose(std::function<void()> f) { m_beforeClose = std::move(f); }

    boost::asio::io_context &context() { return m_io; }
    boost::asio::ip::tcp::socket &socket() { return m_socket; }
    const boost::asio::ip::tcp::socket &socket() const { return m_socket; }

private:
    void drain();

    boost::asio::io_context m_io;
    boost::asio::ip::tcp::socket m_socket {m_io};
    std::function<bool()> m_cancelled;
    std::function<void()> m_beforeClose;
};

/// Splits "host:port" into its parts; false when it is not of that form.
bool parseHostPort(const QString &text, std::string *host, std::uint16_t *port);

/// Error text of an Asio error code, for one-line messages.
QString asioErrorText(const boost::system::error_code &ec);

} // namespace proclab::migration
