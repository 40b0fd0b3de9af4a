#include "firsttier.h"

#include "clusterprotocol.h"

#include "common/clock.h"
#include "common/errortext.h"
#include "common/threadpriority.h"

#include <cerrno>
#include <cstring>
#include <unordered_set>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace proclab {

namespace cp = clusterprotocol;

namespace {

std::int64_t clockNs(clockid_t clock)
{
    timespec ts {};
    if (::clock_gettime(clock, &ts) != 0)
        return -1;
    return std::int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

} // namespace

/// The event loop's state; lives on the loop thread's stack.
struct FirstTierLoop {
    enum class State { ReadingRequest, Connecting, SendingRequest, Relaying, HandoffQueued, Draining };
    enum class Kind : std::uint8_t { Listen, Wake, Control, Client, Backend };

    struct Conn;
    /// What an epoll event points at.
    struct Tag {
        Kind kind;
        Conn *conn = nullptr;
        int backend = -1;
    };
    struct Conn {
        int clientFd = -1;
        int backendFd = -1;
        State state = State::ReadingRequest;
        std::string request;
        std::size_t requestSent = 0;
        std::vector<char> buffer; ///< response bytes read from the back end, not yet written
        std::size_t bufStart = 0, bufEnd = 0;
        bool backendEof = false;
        int backend = -1;
        std::int64_t lastActivityNs = 0;
        std::uint32_t clientMask = 0, backendMask = 0; ///< what epoll watches now
        Tag clientTag {Kind::Client, nullptr, -1};
        Tag backendTag {Kind::Backend, nullptr, -1};
        bool closed = false;
    };
    struct Backend {
        FirstTierBackend where;
        bool alive = true;
        std::vector<Conn *> queue; ///< handoffs waiting for room on the control socket
        Tag tag {Kind::Control, nullptr, -1};
        std::uint32_t mask = 0;
    };

    FirstTier &tier;
    const FirstTierOptions &opt;
    int epfd = -1;
    Tag listenTag {Kind::Listen};
    Tag wakeTag {Kind::Wake};
    std::vector<Backend> backends;
    std::unordered_set<Conn *> conns;
    std::vector<Conn *> graveyard; ///< closed this round; freed after the round's events
    int next = 0; ///< round-robin position
    bool stopping = false;

    explicit FirstTierLoop(FirstTier &t)
        : tier(t)
        , opt(t.m_options)
    {
    }

    ~FirstTierLoop()
    {
        for (Conn *c : conns) {
            closeConn(c);
        }
        freeGraveyard();
        if (epfd >= 0)
            ::close(epfd);
    }

    void add(std::int64_t v, std::atomic<std::int64_t> &counter)
    {
        counter.fetch_add(v, std::memory_order_relaxed);
    }

    void watch(int fd, Tag *tag, std::uint32_t *current, std::uint32_t wanted)
    {
        if (*current == wanted)
            return;
        epoll_event ev {};
        ev.events = wanted;
        ev.data.ptr = tag;
        ::epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev);
        *current = wanted;
    }

    void registerFd(int fd, Tag *tag, std::uint32_t mask)
    {
        epoll_event ev {};
        ev.events = mask;
        ev.data.ptr = tag;
        ::epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
    }

    /// Removes @p fd from the epoll set, then closes it. A handed-off socket stays open in
    /// the back end (and in flight), so closing alone would leave it in our set.
    void dropFd(int &fd)
    {
        if (fd < 0)
            return;
        ::epoll_ctl(epfd, EPOLL_CTL_DEL, fd, nullptr);
        ::close(fd);
        fd = -1;
    }

    void closeConn(Conn *c)
    {
        if (c->closed)
            return;
        c->closed = true;
        dropFd(c->clientFd);
        dropFd(c->backendFd);
        if (c->state == State::HandoffQueued && c->backend >= 0) {
            auto &q = backends[std::size_t(c->backend)].queue;
            std::erase(q, c);
        }
        graveyard.push_back(c);
    }

    void freeGraveyard()
    {
        for (Conn *c : graveyard) {
            conns.erase(c);
            delete c;
        }
        graveyard.clear();
    }

    void backendFailed(int b, const QString &why)
    {
        Backend &be = backends[std::size_t(b)];
        if (!be.alive)
            return;
        be.alive = false;
        tier.setFailure(QStringLiteral("back end %1 %2").arg(b).arg(why));
        for (Conn *c : std::vector<Conn *>(be.queue)) {
            add(1, tier.m_counters.backendErrors);
            closeConn(c);
        }
        be.queue.clear();
        if (be.mask) {
            ::epoll_ctl(epfd, EPOLL_CTL_DEL, be.where.controlFd, nullptr);
            be.mask = 0;
        }
    }

    int pickBackend()
    {
        const int n = int(backends.size());
        for (int i = 0; i < n; ++i) {
            const int b = (next + i) % n;
            if (backends[std::size_t(b)].alive) {
                next = (b + 1) % n;
                return b;
            }
        }
        return -1;
    }

    void acceptAll(std::int64_t nowNs)
    {
        for (int i = 0; i < 64; ++i) {
            const int fd = ::accept4(tier.m_listenFd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0)
                return;
            add(1, tier.m_counters.accepted);
            if (int(conns.size()) >= opt.maxConnections) {
                add(1, tier.m_counters.refused);
                ::close(fd);
                continue;
            }
            auto *c = new Conn;
            c->clientFd = fd;
            c->lastActivityNs = nowNs;
            c->clientTag.conn = c;
            c->backendTag.conn = c;
            conns.insert(c);
            registerFd(fd, &c->clientTag, EPOLLIN);
            c->clientMask = EPOLLIN;
        }
    }

    void refuse(Conn *c, const std::string &why)
    {
        add(1, tier.m_counters.badRequests);
        const std::string answer = cp::badRequestResponse(why);
        const ssize_t w = ::send(c->clientFd, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w > 0)
            add(w, tier.m_counters.clientBytesOut);
        // A lingering close: closing with unread input would reset the connection and could
        // destroy the answer before the client reads it. Say we are done and discard the rest.
        ::shutdown(c->clientFd, SHUT_WR);
        c->state = State::Draining;
        watch(c->clientFd, &c->clientTag, &c->clientMask, EPOLLIN);
    }

    void drain(Conn *c)
    {
        char buf[4096];
        const ssize_t n = ::recv(c->clientFd, buf, sizeof buf, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
            closeConn(c);
    }

    void readRequest(Conn *c, std::int64_t nowNs)
    {
        char buf[4096];
        const std::size_t room = cp::kMaxRequestBytes - c->request.size();
        const ssize_t n = ::recv(c->clientFd, buf, std::min(room, sizeof buf), 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
            closeConn(c); // the client left before a whole request
            return;
        }
        if (n < 0)
            return;
        add(n, tier.m_counters.clientBytesIn);
        c->lastActivityNs = nowNs;
        c->request.append(buf, std::size_t(n));
        cp::RequestHead head;
        std::string why;
        const cp::ParseState st = cp::RequestHead::parse(c->request, &head, &why);
        if (st == cp::ParseState::Incomplete)
            return;
        if (st == cp::ParseState::Bad) {
            refuse(c, why);
            return;
        }
        c->request.resize(head.headBytes); // only the head goes on; requests carry no body
        dispatch(c, nowNs);
    }

    void dispatch(Conn *c, std::int64_t nowNs)
    {
        c->backend = pickBackend();
        if (c->backend < 0) {
            add(1, tier.m_counters.backendErrors);
            closeConn(c);
            return;
        }
        add(1, tier.m_counters.dispatched);
        tier.m_perBackend[std::size_t(c->backend)].fetch_add(1, std::memory_order_relaxed);
        watch(c->clientFd, &c->clientTag, &c->clientMask, 0);
        if (opt.mode == DispatchMode::Handoff) {
            c->state = State::HandoffQueued;
            backends[std::size_t(c->backend)].queue.push_back(c);
            flushHandoffs(c->backend);
            return;
        }
        // Relay: a connection of our own to the back end.
        c->backendFd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (c->backendFd < 0) {
            add(1, tier.m_counters.backendErrors);
            closeConn(c);
            return;
        }
        sockaddr_in addr {};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(backends[std::size_t(c->backend)].where.port);
        const int rc = ::connect(c->backendFd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
        if (rc != 0 && errno != EINPROGRESS) {
            backendFailed(
                c->backend, QStringLiteral("refused a relayed connection (%1)").arg(lastErrorText()));
            add(1, tier.m_counters.backendErrors);
            closeConn(c);
            return;
        }
        registerFd(c->backendFd, &c->backendTag, EPOLLOUT);
        c->backendMask = EPOLLOUT;
        c->state = rc == 0 ? State::SendingRequest : State::Connecting;
        c->lastActivityNs = nowNs;
        if (rc == 0)
            sendRequest(c, nowNs);
    }

    void flushHandoffs(int b)
    {
        Backend &be = backends[std::size_t(b)];
        while (!be.queue.empty()) {
            Conn *c = be.queue.front();
            std::string payload(1, cp::kHandoffTag);
            payload += c->request;
            iovec iov {payload.data(), payload.size()};
            alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
            msghdr msg {};
            msg.msg_iov = &iov;
            msg.msg_iovlen = 1;
            msg.msg_control = control;
            msg.msg_controllen = sizeof control;
            cmsghdr *cm = CMSG_FIRSTHDR(&msg);
            cm->cmsg_level = SOL_SOCKET;
            cm->cmsg_type = SCM_RIGHTS;
            cm->cmsg_len = CMSG_LEN(sizeof(int));
            std::memcpy(CMSG_DATA(cm), &c->clientFd, sizeof(int));
            const ssize_t w = ::sendmsg(be.where.controlFd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
                watch(be.where.controlFd, &be.tag, &be.mask, EPOLLIN | EPOLLOUT);
                return; // the back end is behind: wait for room
            }
            if (w < 0) {
                backendFailed(b, QStringLiteral("refused a handoff (%1)").arg(lastErrorText()));
                return;
            }
            add(w, tier.m_counters.backendBytesOut);
            add(1, tier.m_counters.completed);
            be.queue.erase(be.queue.begin());
            c->state = State::Relaying; // nothing left to do: the back end owns the client now
            closeConn(c);
        }
        watch(be.where.controlFd, &be.tag, &be.mask, EPOLLIN);
    }

    void sendRequest(Conn *c, std::int64_t nowNs)
    {
        while (c->requestSent < c->request.size()) {
            const ssize_t w = ::send(c->backendFd, c->request.data() + c->requestSent,
                c->request.size() - c->requestSent, MSG_NOSIGNAL);
            if (w < 0) {
                if (errno == EAGAIN || errno == EINTR)
                    return;
                add(1, tier.m_counters.backendErrors);
                closeConn(c);
                return;
            }
            add(w, tier.m_counters.backendBytesOut);
            c->requestSent += std::size_t(w);
            c->lastActivityNs = nowNs;
        }
        c->state = State::Relaying;
        c->buffer.resize(opt.relayBufferBytes);
        relay(c, nowNs);
    }

    /// Copies back end -> client until one side would block; then watches the side to wait for.
    void relay(Conn *c, std::int64_t nowNs)
    {
        for (;;) {
            if (c->bufStart < c->bufEnd) {
                const ssize_t w = ::send(
                    c->clientFd, c->buffer.data() + c->bufStart, c->bufEnd - c->bufStart, MSG_NOSIGNAL);
                if (w < 0) {
                    if (errno == EAGAIN || errno == EINTR)
                        break;
                    closeConn(c); // the client left
                    return;
                }
                add(w, tier.m_counters.clientBytesOut);
                c->bufStart += std::size_t(w);
                c->lastActivityNs = nowNs;
                continue;
            }
            if (c->backendEof) {
                add(1, tier.m_counters.completed);
                closeConn(c);
                return;
            }
            c->bufStart = c->bufEnd = 0;
            const ssize_t n = ::recv(c->backendFd, c->buffer.data(), c->buffer.size(), 0);
            if (n < 0) {
                if (errno == EAGAIN || errno == EINTR)
                    break;
                add(1, tier.m_counters.backendErrors);
                closeConn(c);
                return;
            }
            if (n == 0) {
                c->backendEof = true;
                continue;
            }
            add(n, tier.m_counters.backendBytesIn);
            c->bufEnd = std::size_t(n);
            c->lastActivityNs = nowNs;
        }
        const bool pending = c->bufStart < c->bufEnd;
        watch(c->clientFd, &c->clientTag, &c->clientMask, pending ? std::uint32_t(EPOLLOUT) : 0u);
        watch(c->backendFd, &c->backendTag, &c->backendMask, pending ? 0u : std::uint32_t(EPOLLIN));
    }

    void onConn(Tag *tag, std::uint32_t events, std::int64_t nowNs)
    {
        Conn *c = tag->conn;
        if (c->closed)
            return;
        switch (c->state) {
        case State::ReadingRequest:
            readRequest(c, nowNs);
            break;
        case State::Connecting: {
            int err = 0;
            socklen_t len = sizeof err;
            ::getsockopt(c->backendFd, SOL_SOCKET, SO_ERROR, &err, &len);
            if (err != 0) {
                backendFailed(
                    c->backend, QStringLiteral("refused a relayed connection (%1)").arg(errnoText(err)));
                add(1, tier.m_counters.backendErrors);
                closeConn(c);
                break;
            }
            c->state = State::SendingRequest;
            sendRequest(c, nowNs);
            break;
        }
        case State::SendingRequest:
            sendRequest(c, nowNs);
            break;
        case State::Relaying:
            relay(c, nowNs);
            break;
        case State::HandoffQueued:
            break;
        case State::Draining:
            drain(c);
            break;
        }
        (void)events;
    }

    void onControl(int b, std::uint32_t events)
    {
        Backend &be = backends[std::size_t(b)];
        if (!be.alive)
            return;
        if (events & (EPOLLHUP | EPOLLERR)) {
            backendFailed(b, QStringLiteral("closed its control socket (the process ended)"));
            return;
        }
        if (events & EPOLLIN) {
            char buf[256];
            const ssize_t n = ::recv(be.where.controlFd, buf, sizeof buf, MSG_DONTWAIT);
            if (n == 0) {
                backendFailed(b, QStringLiteral("closed its control socket (the process ended)"));
                return;
            }
            // Anything else a back end says after READY is ignored.
        }
        if (events & EPOLLOUT)
            flushHandoffs(b);
    }

    void sweep(std::int64_t nowNs)
    {
        const std::int64_t limitNs = std::int64_t(opt.idleTimeoutMs) * 1000000;
        std::vector<Conn *> idle;
        for (Conn *c : conns) {
            if (!c->closed && nowNs - c->lastActivityNs > limitNs)
                idle.push_back(c);
        }
        for (Conn *c : idle) {
            add(1, tier.m_counters.timeouts);
            closeConn(c);
        }
    }

    void run()
    {
        epfd = ::epoll_create1(EPOLL_CLOEXEC);
        if (epfd < 0) {
            tier.setFailure(QStringLiteral("epoll_create1 failed: %1").arg(lastErrorText()));
            return;
        }
        registerFd(tier.m_listenFd, &listenTag, EPOLLIN);
        registerFd(tier.m_wakeFd, &wakeTag, EPOLLIN);
        backends.resize(opt.backends.size());
        for (std::size_t b = 0; b < backends.size(); ++b) {
            backends[b].where = opt.backends[b];
            backends[b].tag.backend = int(b);
            registerFd(backends[b].where.controlFd, &backends[b].tag, EPOLLIN);
            backends[b].mask = EPOLLIN;
        }
        std::int64_t lastSweepNs = monotonicNs();
        epoll_event events[64];
        while (!stopping) {
            const int n = ::epoll_wait(epfd, events, 64, 100);
            const std::int64_t nowNs = monotonicNs();
            for (int i = 0; i < n; ++i) {
                auto *tag = static_cast<Tag *>(events[i].data.ptr);
                switch (tag->kind) {
                case Kind::Listen:
                    acceptAll(nowNs);
                    break;
                case Kind::Wake:
                    stopping = true;
                    break;
                case Kind::Control:
                    onControl(tag->backend, events[i].events);
                    break;
                case Kind::Client:
                case Kind::Backend:
                    onConn(tag, events[i].events, nowNs);
                    break;
                }
            }
            freeGraveyard();
            if (nowNs - lastSweepNs > 100000000) {
                sweep(nowNs);
                freeGraveyard();
                lastSweepNs = nowNs;
            }
        }
    }
};

FirstTier::FirstTier(FirstTierOptions options)
    : m_options(std::move(options))
    , m_perBackend(new std::atomic<std::int64_t>[std::max<std::size_t>(1, m_options.backends.size())])
{
    for (std::size_t i = 0; i < std::max<std::size_t>(1, m_options.backends.size()); ++i)
        m_perBackend[i].store(0);
}

FirstTier::~FirstTier()
{
    stop();
}

bool FirstTier::start(QString *error)
{
    if (m_options.backends.empty()) {
        *error = QStringLiteral("the first tier needs at least one back end");
        return false;
    }
    m_listenFd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    m_wakeFd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m_listenFd < 0 || m_wakeFd < 0) {
        *error = QStringLiteral("first tier: socket/eventfd failed: %1").arg(lastErrorText());
        stop();
        return false;
    }
    const int one = 1;
    ::setsockopt(m_listenFd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(m_listenFd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0
        || ::listen(m_listenFd, 1024) != 0
        || ::getsockname(m_listenFd, reinterpret_cast<sockaddr *>(&addr), &len) != 0) {
        *error = QStringLiteral("first tier: cannot listen on 127.0.0.1: %1").arg(lastErrorText());
        stop();
        return false;
    }
    m_port = ntohs(addr.sin_port);
    m_thread = std::thread([this] { loop(); });
    return true;
}

void FirstTier::loop()
{
    giveWayToWindow();
    {
        std::lock_guard lock(m_mutex);
        m_cpuClockValid = ::pthread_getcpuclockid(::pthread_self(), &m_cpuClock) == 0;
    }
    {
        FirstTierLoop state(*this);
        state.run();
    }
    std::lock_guard lock(m_mutex);
    m_finalCpuNs = threadCpuNs();
    m_cpuClockValid = false;
}

void FirstTier::stop()
{
    if (m_thread.joinable()) {
        const std::uint64_t one = 1;
        [[maybe_unused]] const ssize_t w = ::write(m_wakeFd, &one, sizeof one);
        m_thread.join();
    }
    if (m_listenFd >= 0) {
        ::close(m_listenFd);
        m_listenFd = -1;
    }
    if (m_wakeFd >= 0) {
        ::close(m_wakeFd);
        m_wakeFd = -1;
    }
}

FirstTierCounters FirstTier::counters() const
{
    const auto r = [](const std::atomic<std::int64_t> &a) { return a.load(std::memory_order_relaxed); };
    FirstTierCounters c;
    c.accepted = r(m_counters.accepted);
    c.dispatched = r(m_counters.dispatched);
    c.completed = r(m_counters.completed);
    c.badRequests = r(m_counters.badRequests);
    c.timeouts = r(m_counters.timeouts);
    c.refused = r(m_counters.refused);
    c.backendErrors = r(m_counters.backendErrors);
    c.clientBytesIn = r(m_counters.clientBytesIn);
    c.clientBytesOut = r(m_counters.clientBytesOut);
    c.backendBytesOut = r(m_counters.backendBytesOut);
    c.backendBytesIn = r(m_counters.backendBytesIn);
    return c;
}

std::int64_t FirstTier::dispatchedTo(int i) const
{
    if (i < 0 || std::size_t(i) >= m_options.backends.size())
        return 0;
    return m_perBackend[std::size_t(i)].load(std::memory_order_relaxed);
}

std::int64_t FirstTier::cpuNs() const
{
    std::lock_guard lock(m_mutex);
    if (m_cpuClockValid) {
        const std::int64_t ns = clockNs(m_cpuClock);
        if (ns >= 0)
            return ns;
    }
    return m_finalCpuNs;
}

QString FirstTier::failure() const
{
    std::lock_guard lock(m_mutex);
    return m_failure;
}

void FirstTier::setFailure(const QString &text)
{
    std::lock_guard lock(m_mutex);
    if (m_failure.isEmpty())
        m_failure = text;
}

} // namespace proclab
