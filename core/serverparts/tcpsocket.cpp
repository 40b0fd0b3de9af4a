#include "tcpsocket.h"

#include "stopwait.h"
#include "timeline.h"

#include "common/errortext.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace proclab {

namespace {

constexpr std::size_t kReadChunk = 16 * 1024;
// A poll never sleeps longer than this, so a stop is noticed even if the stop
// descriptor could not be created.
constexpr int kPollSliceMs = 200;

sockaddr_in loopback(std::uint16_t port)
{
    sockaddr_in a {};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

std::int64_t deadlineAfter(int timeoutMs)
{
    return Timeline::nowNs() + static_cast<std::int64_t>(std::max(0, timeoutMs)) * 1000000LL;
}

void setError(QString *error, const QString &text)
{
    if (error)
        *error = text;
}

} // namespace

QString ioStatusText(IoStatus status)
{
    switch (status) {
    case IoStatus::Ok:
        return QStringLiteral("ok");
    case IoStatus::Timeout:
        return QStringLiteral("timed out");
    case IoStatus::Closed:
        return QStringLiteral("connection closed by the peer");
    case IoStatus::Stopped:
        return QStringLiteral("stopped");
    case IoStatus::TooLong:
        return QStringLiteral("line too long");
    case IoStatus::Error:
        return QStringLiteral("error");
    }
    return QStringLiteral("?");
}

TcpSocket::TcpSocket(int fd)
    : m_fd(fd)
{
}

TcpSocket::~TcpSocket()
{
    close();
}

TcpSocket::TcpSocket(TcpSocket &&other) noexcept
    : m_fd(other.m_fd)
    , m_buffer(std::move(other.m_buffer))
{
    other.m_fd = -1;
    other.m_buffer.clear();
}

TcpSocket &TcpSocket::operator=(TcpSocket &&other) noexcept
{
    if (this != &other) {
        close();
        m_fd = other.m_fd;
        m_buffer = std::move(other.m_buffer);
        other.m_fd = -1;
        other.m_buffer.clear();
    }
    return *this;
}

void TcpSocket::close()
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
    m_buffer.clear();
}

int TcpSocket::release()
{
    const int fd = m_fd;
    m_fd = -1;
    m_buffer.clear();
    return fd;
}

TcpSocket TcpSocket::listenLoopback(std::uint16_t port, QString *error, int backlog)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        setError(error, QStringLiteral("socket: %1").arg(errnoText(errno)));
        return {};
    }
    TcpSocket s(fd);
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    const sockaddr_in a = loopback(port);
    if (::bind(fd, reinterpret_cast<const sockaddr *>(&a), sizeof a) != 0) {
        setError(error, QStringLiteral("cannot bind 127.0.0.1:%1: %2").arg(port).arg(errnoText(errno)));
        return {};
    }
    if (::listen(fd, backlog) != 0) {
        setError(error, QStringLiteral("cannot listen on 127.0.0.1:%1: %2").arg(port).arg(errnoText(errno)));
        return {};
    }
    return s;
}

TcpSocket TcpSocket::connectLoopback(std::uint16_t port, int timeoutMs, const StopEvent *stop, QString *error)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        setError(error, QStringLiteral("socket: %1").arg(errnoText(errno)));
        return {};
    }
    TcpSocket s(fd);
    const sockaddr_in a = loopback(port);
    if (::connect(fd, reinterpret_cast<const sockaddr *>(&a), sizeof a) != 0) {
        if (errno != EINPROGRESS) {
            setError(
                error, QStringLiteral("cannot connect to 127.0.0.1:%1: %2").arg(port).arg(errnoText(errno)));
            return {};
        }
        QString waitError;
        const IoStatus st = s.waitFor(POLLOUT, deadlineAfter(timeoutMs), stop, &waitError);
        if (st != IoStatus::Ok) {
            setError(error,
                QStringLiteral("cannot connect to 127.0.0.1:%1: %2")
                    .arg(port)
                    .arg(st == IoStatus::Error ? waitError : ioStatusText(st)));
            return {};
        }
        int soError = 0;
        socklen_t len = sizeof soError;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &len);
        if (soError != 0) {
            setError(error,
                QStringLiteral("cannot connect to 127.0.0.1:%1: %2").arg(port).arg(errnoText(soError)));
            return {};
        }
    }
    s.setNoDelay();
    return s;
}

IoStatus TcpSocket::waitFor(
    short events, std::int64_t deadlineNs, const StopEvent *stop, QString *error, short *revents)
{
    for (;;) {
        if (stop && stop->isSet())
            return IoStatus::Stopped;
        const std::int64_t leftNs = deadlineNs - Timeline::nowNs();
        if (leftNs <= 0)
            return IoStatus::Timeout;
        pollfd fds[2] = {{m_fd, events, 0}, {stop ? stop->fd() : -1, POLLIN, 0}};
        const int sliceMs
            = static_cast<int>(std::min<std::int64_t>(kPollSliceMs, (leftNs + 999999) / 1000000));
        const int r = ::poll(fds, 2, sliceMs);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            setError(error, QStringLiteral("poll: %1").arg(errnoText(errno)));
            return IoStatus::Error;
        }
        if (fds[1].revents & POLLIN)
            return IoStatus::Stopped;
        if (fds[0].revents) {
            if (revents)
                *revents = fds[0].revents;
            return IoStatus::Ok;
        }
    }
}

IoStatus TcpSocket::accept(
    TcpSocket *out, int timeoutMs, const StopEvent *stop, QString *error, bool blocking)
{
    const std::int64_t deadline = deadlineAfter(timeoutMs);
    for (;;) {
        const int fd = ::accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC | (blocking ? 0 : SOCK_NONBLOCK));
        if (fd >= 0) {
            *out = TcpSocket(fd);
            out->setNoDelay();
            return IoStatus::Ok;
        }
        if (errno == EINTR || errno == ECONNABORTED)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            setError(error, QStringLiteral("accept: %1").arg(errnoText(errno)));
            return IoStatus::Error;
        }
        const IoStatus st = waitFor(POLLIN, deadline, stop, error);
        if (st != IoStatus::Ok)
            return st;
    }
}

IoStatus TcpSocket::fill(std::int64_t deadlineNs, const StopEvent *stop, QString *error)
{
    char chunk[kReadChunk];
    for (;;) {
        const ssize_t n = ::recv(m_fd, chunk, sizeof chunk, 0);
        if (n > 0) {
            m_buffer.append(chunk, static_cast<std::size_t>(n));
            return IoStatus::Ok;
        }
        if (n == 0)
            return IoStatus::Closed;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            setError(error, errnoText(errno));
            return IoStatus::Error;
        }
        const IoStatus st = waitFor(POLLIN, deadlineNs, stop, error);
        if (st != IoStatus::Ok)
            return st;
    }
}

IoStatus TcpSocket::readLine(
    std::string *line, std::size_t maxBytes, int timeoutMs, const StopEvent *stop, QString *error)
{
    const std::int64_t deadline = deadlineAfter(timeoutMs);
    std::size_t searched = 0;
    for (;;) {
        const std::size_t nl = m_buffer.find('\n', searched);
        if (nl != std::string::npos) {
            if (nl > maxBytes + 1)
                return IoStatus::TooLong;
            std::size_t end = nl;
            if (end > 0 && m_buffer[end - 1] == '\r')
                --end;
            line->assign(m_buffer, 0, end);
            m_buffer.erase(0, nl + 1);
            if (line->size() > maxBytes)
                return IoStatus::TooLong;
            return IoStatus::Ok;
        }
        searched = m_buffer.size();
        // The buffer never holds more than one line's worth plus one read.
        if (m_buffer.size() > maxBytes + 1)
            return IoStatus::TooLong;
        const IoStatus st = fill(deadline, stop, error);
        if (st != IoStatus::Ok)
            return st;
    }
}

IoStatus TcpSocket::readExact(
    std::string *out, std::size_t bytes, int timeoutMs, const StopEvent *stop, QString *error)
{
    const std::int64_t deadline = deadlineAfter(timeoutMs);
    while (m_buffer.size() < bytes) {
        const IoStatus st = fill(deadline, stop, error);
        if (st != IoStatus::Ok)
            return st;
    }
    out->assign(m_buffer, 0, bytes);
    m_buffer.erase(0, bytes);
    return IoStatus::Ok;
}

IoStatus TcpSocket::writeAll(std::string_view data, int timeoutMs, const StopEvent *stop, QString *error)
{
    const std::int64_t deadline = deadlineAfter(timeoutMs);
    std::size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = ::send(m_fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
            return IoStatus::Closed;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            setError(error, errnoText(errno));
            return IoStatus::Error;
        }
        const IoStatus st = waitFor(POLLOUT, deadline, stop, error);
        if (st != IoStatus::Ok)
            return st;
    }
    return IoStatus::Ok;
}

IoStatus TcpSocket::waitReadable(int timeoutMs, const StopEvent *stop, QString *error)
{
    if (!m_buffer.empty())
        return IoStatus::Ok;
    return waitFor(POLLIN | POLLPRI, deadlineAfter(timeoutMs), stop, error);
}

bool TcpSocket::sendUrgent(char byte, QString *error)
{
    for (;;) {
        const ssize_t n = ::send(m_fd, &byte, 1, MSG_OOB | MSG_NOSIGNAL);
        if (n == 1)
            return true;
        if (n < 0 && errno == EINTR)
            continue;
        setError(error,
            QStringLiteral("send MSG_OOB: %1")
                .arg(n < 0 ? errnoText(errno) : QStringLiteral("nothing sent")));
        return false;
    }
}

void TcpSocket::setNoDelay()
{
    const int one = 1;
    ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

void TcpSocket::shutdownWrite()
{
    if (m_fd >= 0)
        ::shutdown(m_fd, SHUT_WR);
}

void TcpSocket::abort()
{
    if (m_fd < 0)
        return;
    const linger l {1, 0};
    ::setsockopt(m_fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    close();
}

std::uint16_t TcpSocket::localPort() const
{
    sockaddr_in a {};
    socklen_t len = sizeof a;
    if (m_fd < 0 || ::getsockname(m_fd, reinterpret_cast<sockaddr *>(&a), &len) != 0)
        return 0;
    return ntohs(a.sin_port);
}

} // namespace proclab
