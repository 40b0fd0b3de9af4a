#include "socketio.h"

#include <algorithm>
#include <cerrno>
#include <ctime>

#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

namespace proclab::netio {

namespace {

constexpr std::int64_t kLingerMs = 500; // how long a closing connection's input is drained
constexpr std::size_t kLingerMaxBytes = 256 * 1024; // and how much of it

int msUntil(std::int64_t deadlineNs)
{
    const std::int64_t left = deadlineNs - nowNs();
    if (left <= 0)
        return 0;
    return static_cast<int>(std::min<std::int64_t>((left + 999'999) / 1'000'000, 24LL * 3600 * 1000));
}

} // namespace

std::int64_t nowNs()
{
    timespec ts {};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

Wait waitFd(int fd, short events, std::int64_t deadlineNs, int stopFd, int yieldFd)
{
    for (;;) {
        pollfd p[3];
        int n = 0;
        p[n++] = {fd, events, 0};
        const int stopIndex = stopFd >= 0 ? n : -1;
        if (stopFd >= 0)
            p[n++] = {stopFd, POLLIN, 0};
        const int yieldIndex = yieldFd >= 0 ? n : -1;
        if (yieldFd >= 0)
            p[n++] = {yieldFd, POLLIN, 0};
        const int rc = ::poll(p, nfds_t(n), msUntil(deadlineNs));
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            return Wait::Error;
        }
        if (stopIndex >= 0 && (p[stopIndex].revents & POLLIN))
            return Wait::Stopped;
        if (p[0].revents & events)
            return Wait::Ready;
        if (p[0].revents & (POLLERR | POLLHUP | POLLNVAL))
            return Wait::Error;
        if (yieldIndex >= 0 && (p[yieldIndex].revents & POLLIN))
            return Wait::Yield;
        if (rc == 0 && nowNs() >= deadlineNs)
            return Wait::Timeout;
    }
}

bool sleepUnlessStopped(int stopFd, std::int64_t ms)
{
    const std::int64_t deadline = nowNs() + ms * 1'000'000;
    for (;;) {
        pollfd p {stopFd, POLLIN, 0};
        const int rc = ::poll(&p, stopFd >= 0 ? 1 : 0, msUntil(deadline));
        if (rc > 0)
            return false;
        if (rc < 0 && errno != EINTR)
            return true;
        if (nowNs() >= deadline)
            return true;
    }
}

bool isReadableNow(int fd)
{
    pollfd p {fd, POLLIN, 0};
    return ::poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

Write writeResponse(int fd, ResponseBuffers &response, std::int64_t stallTimeoutMs, int stopFd)
{
    std::int64_t deadlineNs = nowNs() + stallTimeoutMs * 1'000'000;
    while (!response.done()) {
        const char *parts[2];
        std::size_t sizes[2];
        const int count = response.pending(parts, sizes);
        iovec iov[2];
        for (int i = 0; i < count; ++i)
            iov[i] = {const_cast<char *>(parts[i]), sizes[i]};
        msghdr msg {};
        msg.msg_iov = iov;
        msg.msg_iovlen = std::size_t(count);
        const ssize_t n = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
        if (n > 0) {
            response.sent += std::size_t(n);
            deadlineNs = nowNs() + stallTimeoutMs * 1'000'000; // progress: the client is reading
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            switch (waitFd(fd, POLLOUT, deadlineNs, stopFd)) {
            case Wait::Ready:
                continue;
            case Wait::Timeout:
                return Write::Timeout;
            case Wait::Stopped:
                return Write::Stopped;
            default:
                return Write::Error;
            }
        }
        return Write::Error;
    }
    return Write::Done;
}

void lingeringClose(int fd, int stopFd)
{
    ::shutdown(fd, SHUT_WR);
    const std::int64_t deadline = nowNs() + kLingerMs * 1'000'000;
    std::size_t drained = 0;
    char scratch[4096];
    while (drained < kLingerMaxBytes) {
        const ssize_t n = ::recv(fd, scratch, sizeof scratch, 0);
        if (n > 0) {
            drained += std::size_t(n);
            continue;
        }
        if (n == 0)
            break; // the client closed too: a clean end
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            break;
        if (waitFd(fd, POLLIN, deadline, stopFd) != Wait::Ready)
            break;
    }
    ::close(fd);
}

void rejectAtCap(int fd, const HttpHandler &handler, std::string_view reason, ServerCounters &counters)
{
    // Counted first: the client may read its 503 before this thread runs again, and a client
    // that saw the answer must also see the rejection counted.
    counters.capRejections.fetch_add(1, std::memory_order_relaxed);
    counters.responded(503);
    ResponseBuffers response;
    handler.respondError(503, reason, response);
    const char *parts[2];
    std::size_t sizes[2];
    const int count = response.pending(parts, sizes);
    iovec iov[2];
    for (int i = 0; i < count; ++i)
        iov[i] = {const_cast<char *>(parts[i]), sizes[i]};
    msghdr msg {};
    msg.msg_iov = iov;
    msg.msg_iovlen = std::size_t(count);
    // A fresh socket's send buffer takes a few hundred bytes at once; if it does not,
    // the client is not worth waiting for.
    [[maybe_unused]] const ssize_t n = ::sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    ::shutdown(fd, SHUT_WR);
    char scratch[4096];
    // Drop the request bytes already here, so that close() does not reset the 503 away.
    for (int i = 0; i < 16 && ::recv(fd, scratch, sizeof scratch, MSG_DONTWAIT) > 0; ++i) { }
    ::close(fd);
}

} // namespace proclab::netio
