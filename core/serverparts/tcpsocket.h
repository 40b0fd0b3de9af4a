#pragma once

#include <QString>

#include <cstdint>
#include <string>
#include <string_view>

namespace proclab {

class StopEvent;

/// @brief How a TcpSocket operation ended.
enum class IoStatus {
    Ok, ///< done
    Timeout, ///< the per-operation deadline passed
    Closed, ///< the peer closed the connection (end of stream)
    Stopped, ///< the StopEvent was set
    TooLong, ///< a line longer than allowed arrived
    Error, ///< a system error (text in *error)
};

/// @brief A short word for @p status ("timeout", "closed", ...).
QString ioStatusText(IoStatus status);

/**
 * @brief A TCP socket on 127.0.0.1 whose every blocking call has a deadline and
 * ends at once when a StopEvent is set.
 *
 * Plain POSIX descriptors rather than Asio, because the server parts need what
 * Asio hides: the accepted descriptor handed to a child process as its standard
 * input and output, MSG_OOB urgent data, sockatmark() and POLLPRI. Descriptors
 * are non-blocking and close-on-exec; calls wait in poll() on the socket and the
 * stop descriptor. One thread uses a socket at a time, except that another thread
 * may poll fd() and receive urgent data on it.
 */
class TcpSocket {
public:
    TcpSocket() = default;
    explicit TcpSocket(int fd);
    ~TcpSocket();
    TcpSocket(TcpSocket &&other) noexcept;
    TcpSocket &operator=(TcpSocket &&other) noexcept;
    TcpSocket(const TcpSocket &) = delete;
    TcpSocket &operator=(const TcpSocket &) = delete;

    /// @brief A listening socket on 127.0.0.1:@p port (0 = OS-chosen); invalid on error.
    static TcpSocket listenLoopback(std::uint16_t port, QString *error, int backlog = 64);
    /// @brief A connection to 127.0.0.1:@p port within @p timeoutMs; invalid on error.
    static TcpSocket connectLoopback(
        std::uint16_t port, int timeoutMs, const StopEvent *stop, QString *error);

    /// @brief Accepts one connection. @p blocking makes the new descriptor blocking
    /// (for a child process that uses plain read/write on it).
    IoStatus accept(
        TcpSocket *out, int timeoutMs, const StopEvent *stop, QString *error, bool blocking = false);
    /// @brief Reads one line (without "\n" and a trailing "\r"). A line longer than
    /// @p maxBytes gives TooLong and the connection should be dropped.
    IoStatus readLine(
        std::string *line, std::size_t maxBytes, int timeoutMs, const StopEvent *stop, QString *error);
    /// @brief Reads exactly @p bytes (bytes already buffered by readLine() come first).
    IoStatus readExact(
        std::string *out, std::size_t bytes, int timeoutMs, const StopEvent *stop, QString *error);
    /// @brief Writes all of @p data.
    IoStatus writeAll(std::string_view data, int timeoutMs, const StopEvent *stop, QString *error);
    /// @brief Waits until the socket is readable (or has urgent data, or the peer closed).
    IoStatus waitReadable(int timeoutMs, const StopEvent *stop, QString *error);
    /// @brief Sends one byte of TCP urgent data (MSG_OOB).
    bool sendUrgent(char byte, QString *error);

    /// @brief Turns Nagle's algorithm off (small request/response messages).
    void setNoDelay();
    /// @brief Ends the sending direction (the peer reads end of stream).
    void shutdownWrite();
    /// @brief Closes with a reset (RST), as a crashed process's connections end.
    void abort();
    void close();

    int fd() const { return m_fd; }
    bool isOpen() const { return m_fd >= 0; }
    /// @brief Gives up ownership of the descriptor.
    int release();
    /// @brief The local port, 0 if unknown.
    std::uint16_t localPort() const;
    /// @brief Bytes received but not yet returned by readLine()/readExact().
    std::size_t bufferedBytes() const { return m_buffer.size(); }

private:
    IoStatus waitFor(short events, std::int64_t deadlineNs, const StopEvent *stop, QString *error,
        short *revents = nullptr);
    IoStatus fill(std::int64_t deadlineNs, const StopEvent *stop, QString *error);

    int m_fd = -1;
    std::string m_buffer;
};

} // namespace proclab
