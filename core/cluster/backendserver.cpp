#include "backendserver.h"

#include "clusterprotocol.h"

#include "common/clock.h"
#include "common/threadpriority.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

namespace proclab {

namespace cp = clusterprotocol;

namespace {

bool setNonBlocking(int fd)
{
    const int flags = ::fcntl(fd, F_GETFL);
    return flags >= 0 && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

std::string sysError(const char *what)
{
    return std::string(what) + ": " + std::strerror(errno);
}

} // namespace

struct BackendServer::Impl {
    enum class State { Reading, Waiting, Writing, Draining };
    struct Conn {
        int fd = -1;
        State state = State::Reading;
        std::string in;
        std::string head;
        std::size_t sent = 0; ///< bytes of head + body written
        std::int64_t lastActivityNs = 0;
        bool headOnly = false; ///< a 400 answer: no body
        bool closed = false;
    };

    const BackendOptions &options;
    Counters &counters;
    int controlFd;
    int listenFd = -1;
    std::string body;
    std::vector<std::unique_ptr<Conn>> conns;
    std::deque<Conn *> waiting; ///< complete requests in arrival order
    Conn *inService = nullptr; ///< the request holding the back end now
    std::int64_t serviceEndNs = 0;

    Impl(const BackendOptions &o, Counters &c, int control)
        : options(o)
        , counters(c)
        , controlFd(control)
    {
    }

    ~Impl()
    {
        for (auto &c : conns) {
            if (c->fd >= 0)
                ::close(c->fd);
        }
        if (listenFd >= 0)
            ::close(listenFd);
    }

    bool listen(std::uint16_t *port, std::string *error)
    {
        listenFd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (listenFd < 0) {
            *error = sysError("socket");
            return false;
        }
        const int one = 1;
        ::setsockopt(listenFd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in addr {};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        if (::bind(listenFd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0
            || ::listen(listenFd, 1024) != 0) {
            *error = sysError("bind/listen on 127.0.0.1");
            return false;
        }
        socklen_t len = sizeof addr;
        if (::getsockname(listenFd, reinterpret_cast<sockaddr *>(&addr), &len) != 0) {
            *error = sysError("getsockname");
            return false;
        }
        *port = ntohs(addr.sin_port);
        return true;
    }

    Conn *add(int fd, std::int64_t nowNs)
    {
        auto c = std::make_unique<Conn>();
        c->fd = fd;
        c->lastActivityNs = nowNs;
        conns.push_back(std::move(c));
        return conns.back().get();
    }

    void close(Conn *c)
    {
        if (c->closed)
            return;
        ::close(c->fd);
        c->fd = -1;
        c->closed = true;
        if (inService == c)
            inService = nullptr;
        for (auto it = waiting.begin(); it != waiting.end(); ++it) {
            if (*it == c) {
                waiting.erase(it);
                break;
            }
        }
    }

    void refuse(Conn *c, const std::string &reason)
    {
        ++counters.badRequests;
        c->head = cp::badRequestResponse(reason);
        c->headOnly = true;
        c->state = State::Writing;
        c->sent = 0;
    }

    /// A complete request arrived on @p c (read by the back end or handed over with it).
    void requestComplete(Conn *c, std::string_view bytes)
    {
        cp::RequestHead head;
        std::string why;
        const cp::ParseState st = cp::RequestHead::parse(bytes, &head, &why);
        if (st == cp::ParseState::Incomplete) {
            c->state = State::Reading; // keep reading (relayed connections only)
            return;
        }
        if (st == cp::ParseState::Bad) {
            refuse(c, why);
            return;
        }
        c->head = cp::responseHead(options.responseBytes, options.id);
        c->state = State::Waiting;
        waiting.push_back(c);
    }

    void startService(std::int64_t nowNs)
    {
        while (!inService && !waiting.empty()) {
            inService = waiting.front();
            waiting.pop_front();
            serviceEndNs = nowNs + std::int64_t(options.serviceUs) * 1000;
            if (options.serviceUs <= 0) {
                inService->state = State::Writing;
                inService = nullptr;
            }
        }
    }

    void finishService(std::int64_t nowNs)
    {
        if (inService && nowNs >= serviceEndNs) {
            inService->state = State::Writing;
            inService->lastActivityNs = nowNs;
            inService = nullptr;
            startService(nowNs);
        }
    }

    void readFrom(Conn *c, std::int64_t nowNs)
    {
        char buf[4096];
        const ssize_t n = ::recv(c->fd, buf, sizeof buf, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
            close(c);
            return;
        }
        if (n < 0)
            return;
        c->lastActivityNs = nowNs;
        c->in.append(buf, std::size_t(n));
        requestComplete(c, c->in);
    }

    void writeTo(Conn *c, std::int64_t nowNs)
    {
        const bool headOnly = c->headOnly;
        const std::size_t total = c->head.size() + (headOnly ? 0 : body.size());
        while (c->sent < total) {
            iovec iov[2];
            int n = 0;
            if (c->sent < c->head.size()) {
                iov[n++] = {c->head.data() + c->sent, c->head.size() - c->sent};
                if (!headOnly && !body.empty())
                    iov[n++] = {body.data(), body.size()};
            } else {
                const std::size_t off = c->sent - c->head.size();
                iov[n++] = {body.data() + off, body.size() - off};
            }
            msghdr msg {};
            msg.msg_iov = iov;
            msg.msg_iovlen = std::size_t(n);
            const ssize_t w = ::sendmsg(c->fd, &msg, MSG_NOSIGNAL);
            if (w < 0) {
                if (errno == EAGAIN || errno == EINTR)
                    return;
                close(c); // the client went away
                return;
            }
            c->sent += std::size_t(w);
            counters.bytesWritten += w;
            c->lastActivityNs = nowNs;
        }
        if (!headOnly) {
            ++counters.served;
            close(c);
            return;
        }
        // A refused request may have left input unread: closing now would reset the connection
        // and could destroy the 400 before the client reads it. Finish sending, then discard.
        ::shutdown(c->fd, SHUT_WR);
        c->state = State::Draining;
    }

    void drain(Conn *c, std::int64_t nowNs)
    {
        char buf[4096];
        const ssize_t n = ::recv(c->fd, buf, sizeof buf, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
            close(c);
        else
            c->lastActivityNs = nowNs;
    }

    /// @return false when the control socket closed (the owner stops us)
    bool readControl(std::int64_t nowNs)
    {
        std::vector<char> data(cp::kMaxRequestBytes + 1);
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
        iovec iov {data.data(), data.size()};
        msghdr msg {};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        const ssize_t n = ::recvmsg(controlFd, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
        if (n < 0)
            return errno == EAGAIN || errno == EINTR;
        std::vector<int> fds;
        for (cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
            if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
                const std::size_t count = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (std::size_t i = 0; i < count; ++i) {
                    int fd;
                    std::memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof fd);
                    fds.push_back(fd);
                }
            }
        }
        if (n == 0 && fds.empty())
            return false; // orderly close by the owner
        const bool truncated = (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0;
        if (truncated || n < 1 || data[0] != cp::kHandoffTag || fds.size() != 1) {
            ++counters.badControl;
            for (int fd : fds)
                ::close(fd);
            return true;
        }
        // Only a stream socket can be a handed-off client connection.
        int type = 0;
        socklen_t len = sizeof type;
        if (::getsockopt(fds[0], SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM
            || !setNonBlocking(fds[0])) {
            ++counters.badControl;
            ::close(fds[0]);
            return true;
        }
        ++counters.handoffs;
        Conn *c = add(fds[0], nowNs);
        const std::string_view request(data.data() + 1, std::size_t(n - 1));
        c->in.assign(request);
        requestComplete(c, c->in);
        if (c->state == State::Reading)
            refuse(c, "the handed-off request is incomplete");
        return true;
    }

    void acceptAll(std::int64_t nowNs)
    {
        for (int i = 0; i < 64; ++i) {
            const int fd = ::accept4(listenFd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0)
                return;
            ++counters.relayed;
            add(fd, nowNs);
        }
    }

    void sweep(std::int64_t nowNs)
    {
        const std::int64_t limitNs = std::int64_t(options.idleTimeoutMs) * 1000000;
        for (auto &c : conns) {
            if (!c->closed && c->state != State::Waiting && nowNs - c->lastActivityNs > limitNs) {
                ++counters.timeouts;
                close(c.get());
            }
        }
        std::erase_if(conns, [](const std::unique_ptr<Conn> &c) { return c->closed; });
    }
};

BackendServer::BackendServer(BackendOptions options, int controlFd)
    : m_options(options)
    , m_controlFd(controlFd)
{
}

BackendServer::~BackendServer()
{
    if (m_controlFd >= 0)
        ::close(m_controlFd);
}

bool BackendServer::run(std::string *error)
{
    Impl impl(m_options, m_counters, m_controlFd);
    impl.body = cp::makeBody(m_options.responseBytes);
    std::uint16_t port = 0;
    if (!impl.listen(&port, error))
        return false;
    const std::string ready = std::string(cp::kReadyWord) + " " + std::to_string(port);
    if (::send(m_controlFd, ready.data(), ready.size(), MSG_NOSIGNAL) != ssize_t(ready.size())) {
        *error = sysError("sending READY on the control socket");
        return false;
    }
    std::vector<pollfd> fds;
    std::vector<Impl::Conn *> owners;
    std::int64_t lastSweepNs = monotonicNs();
    for (;;) {
        fds.clear();
        owners.clear();
        fds.push_back({m_controlFd, POLLIN, 0});
        fds.push_back({impl.listenFd, POLLIN, 0});
        for (auto &c : impl.conns) {
            if (c->closed || c->state == Impl::State::Waiting)
                continue;
            const bool in = c->state == Impl::State::Reading || c->state == Impl::State::Draining;
            fds.push_back({c->fd, short(in ? POLLIN : POLLOUT), 0});
            owners.push_back(c.get());
        }
        std::int64_t nowNs = monotonicNs();
        // ppoll, not poll: a timeout in whole milliseconds would round a 500 us service time up
        // to 1 ms whenever no other event wakes the loop, and the back end's capacity would then
        // depend on how busy it is rather than on the service time.
        std::int64_t waitNs = 100000000;
        if (impl.inService)
            waitNs = std::clamp<std::int64_t>(impl.serviceEndNs - nowNs, 0, waitNs);
        const timespec timeout {time_t(waitNs / 1000000000), long(waitNs % 1000000000)};
        const int n = ::ppoll(fds.data(), fds.size(), &timeout, nullptr);
        if (n < 0 && errno != EINTR) {
            *error = sysError("poll");
            return false;
        }
        nowNs = monotonicNs();
        impl.finishService(nowNs);
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            if (!impl.readControl(nowNs))
                return true; // the owner closed the control socket: stop
        }
        if (fds[1].revents & POLLIN)
            impl.acceptAll(nowNs);
        for (std::size_t i = 2; i < fds.size(); ++i) {
            Impl::Conn *c = owners[i - 2];
            if (c->closed || !fds[i].revents)
                continue;
            if (c->state == Impl::State::Reading)
                impl.readFrom(c, nowNs);
            else if (c->state == Impl::State::Writing)
                impl.writeTo(c, nowNs);
            else if (c->state == Impl::State::Draining)
                impl.drain(c, nowNs);
        }
        impl.startService(nowNs);
        impl.finishService(nowNs);
        // Connections that just became writable are tried at once: most responses fit the
        // socket buffer, so this saves a poll round per request.
        for (auto &c : impl.conns) {
            if (!c->closed && c->state == Impl::State::Writing && c->sent == 0)
                impl.writeTo(c.get(), nowNs);
        }
        if (nowNs - lastSweepNs > 100000000) {
            impl.sweep(nowNs);
            lastSweepNs = nowNs;
        } else {
            std::erase_if(impl.conns, [](const std::unique_ptr<Impl::Conn> &c) { return c->closed; });
        }
    }
}

namespace {

bool parseArg(const char *text, std::int64_t min, std::int64_t max, std::int64_t *out)
{
    const std::size_t len = std::strlen(text);
    const auto [ptr, ec] = std::from_chars(text, text + len, *out);
    return ec == std::errc() && ptr == text + len && *out >= min && *out <= max;
}

} // namespace

int clusterBackendMain(int argc, char **argv)
{
    std::int64_t id = 0, bytes = 0, serviceUs = 0;
    if (argc != 4 || !parseArg(argv[1], 0, 1000, &id) || !parseArg(argv[2], 0, std::int64_t(1) << 30, &bytes)
        || !parseArg(argv[3], 0, 10000000, &serviceUs)) {
        std::fprintf(stderr, "%s: usage: ID RESPONSE_BYTES SERVICE_US (control socket on descriptor 3)\n",
            kClusterBackendHelper);
        return 2;
    }
    struct stat st { };
    if (::fstat(3, &st) != 0 || !S_ISSOCK(st.st_mode)) {
        std::fprintf(stderr, "%s: descriptor 3 is not the control socket\n", kClusterBackendHelper);
        return 2;
    }
    // If the owner dies without closing the control socket, so does the back end.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    giveWayToWindow();
    BackendOptions options;
    options.id = int(id);
    options.responseBytes = bytes;
    options.serviceUs = int(serviceUs);
    BackendServer server(options, 3);
    std::string error;
    if (!server.run(&error)) {
        std::fprintf(stderr, "%s %d: %s\n", kClusterBackendHelper, options.id, error.c_str());
        return 1;
    }
    return 0;
}

} // namespace proclab
