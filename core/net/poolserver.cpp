#include "poolserver.h"

#include "requestreader.h"
#include "socketio.h"

#include <cerrno>
#include <cstdint>
#include <cstring>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

namespace proclab {

using netio::nowNs;

namespace {

// epoll tags of the descriptors that are not connections (a Conn* is never this small).
constexpr std::uint64_t kListenTag = 1;
constexpr std::uint64_t kStopTag = 2;
constexpr std::uint64_t kReturnTag = 3;
constexpr int kSweepIntervalMs = 100; // how often deadlines are checked
constexpr std::int64_t kLingerMs = 500; // a connection closed after an error is drained this long
constexpr std::size_t kLingerMaxBytes = 256 * 1024;
constexpr std::int64_t kAcceptPauseMs = 100; // out of descriptors: stop accepting this long
constexpr int kAcceptBatch = 64;

} // namespace

struct PoolServer::Conn {
    enum class State { Reading, InWorker, Lingering };
    Conn(int socket, const ServerLimits &limits, ServerCounters &counters)
        : fd(socket)
        , reader(limits)
        , phase(counters)
        , m_counters(counters)
    {
        counters.connectionOpened();
    }
    ~Conn() { m_counters.connectionClosed(); }

    int fd;
    RequestReader reader;
    PhaseTracker phase;
    ResponseBuffers response;
    State state = State::Reading;
    std::int64_t deadlineNs = 0;
    bool firstRequest = true;
    int served = 0;
    bool keepAlive = false; // set by the worker: the connection continues after its response
    std::size_t lingerBytes = 0;

private:
    ServerCounters &m_counters;
};

PoolServer::PoolServer(ServerConfig config)
    : HttpServer(std::move(config))
    , m_handler(m_config.handler, "proclab-pool")
{
}

PoolServer::~PoolServer()
{
    stop();
}

ServerActivity PoolServer::activity() const
{
    ServerActivity a = HttpServer::activity();
    a.queueLength = m_queueLength.load(std::memory_order_relaxed);
    a.queueLengthMax = m_queueLengthMax.load(std::memory_order_relaxed);
    if (m_workerPhase) {
        for (int i = 0; i < m_config.poolWorkers; ++i) {
            a.workers.push_back(
                static_cast<ConnectionPhase>(m_workerPhase[i].load(std::memory_order_relaxed)));
            a.workerRequests.push_back(m_workerRequests[i].load(std::memory_order_relaxed));
        }
    }
    return a;
}

bool PoolServer::startServing(int listenFd, QString *error)
{
    auto fail = [&](const QString &what) {
        if (error)
            *error = what;
        for (int fd : {listenFd, m_epollFd, m_returnFd})
            if (fd >= 0)
                ::close(fd);
        m_epollFd = m_returnFd = -1;
        return false;
    };
    m_stop = std::make_unique<StopEvent>();
    if (!m_stop->isValid())
        return fail(m_stop->error());
    m_epollFd = epoll_create1(EPOLL_CLOEXEC);
    m_returnFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (m_epollFd < 0 || m_returnFd < 0)
        return fail(QStringLiteral("pool server: epoll/eventfd failed: %1")
                        .arg(QString::fromLocal8Bit(std::strerror(errno))));
    m_listenFd = listenFd;
    for (auto [fd, tag] :
        {std::pair {m_listenFd, kListenTag}, {m_stop->fd(), kStopTag}, {m_returnFd, kReturnTag}}) {
        epoll_event ev {};
        ev.events = EPOLLIN;
        ev.data.u64 = tag;
        if (epoll_ctl(m_epollFd, EPOLL_CTL_ADD, fd, &ev) != 0)
            return fail(QStringLiteral("pool server: epoll_ctl failed: %1")
                            .arg(QString::fromLocal8Bit(std::strerror(errno))));
    }
    m_stopping = false;
    m_queue.clear();
    m_returns.clear();
    const int workers = m_config.poolWorkers;
    m_workerPhase = std::make_unique<std::atomic<int>[]>(std::size_t(workers));
    m_workerRequests = std::make_unique<std::atomic<std::int64_t>[]>(std::size_t(workers));
    for (int i = 0; i < workers; ++i) {
        m_workerPhase[i] = int(ConnectionPhase::Idle);
        m_workerRequests[i] = 0;
    }
    for (int i = 0; i < workers; ++i)
        m_workers.emplace_back([this, i] { workerLoop(i); });
    m_dispatcher = std::thread([this] { dispatcherLoop(); });
    return true;
}

void PoolServer::stopServing()
{
    m_stop->set();
    if (m_dispatcher.joinable())
        m_dispatcher.join(); // it stops and joins the workers and closes every connection
    for (int fd : {m_listenFd, m_epollFd, m_returnFd})
        if (fd >= 0)
            ::close(fd);
    m_listenFd = m_epollFd = m_returnFd = -1;
}

bool PoolServer::arm(Conn *conn)
{
    // One-shot: after an event the connection is quiet until armed again, so a
    // connection in a worker's hands never shows up in the dispatcher.
    epoll_event ev {};
    ev.events = EPOLLIN | EPOLLONESHOT;
    ev.data.ptr = conn;
    return epoll_ctl(m_epollFd, EPOLL_CTL_MOD, conn->fd, &ev) == 0;
}

void PoolServer::closeConn(Conn *conn)
{
    if (conn->fd >= 0)
        ::close(conn->fd); // also leaves the epoll set
    m_conns.erase(conn);
}

void PoolServer::acceptAll()
{
    const int cap = m_config.effectiveMaxConnections();
    // At most a batch per wake-up: the listener is level-triggered, so the rest come
    // next time, after the other events (a stop among them) have had their turn.
    for (int batch = 0; batch < kAcceptBatch; ++batch) {
        const int fd = ::accept4(m_listenFd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                m_counters.acceptErrors.fetch_add(1, std::memory_order_relaxed);
                epoll_ctl(m_epollFd, EPOLL_CTL_DEL, m_listenFd, nullptr);
                m_acceptPausedUntilNs = nowNs() + kAcceptPauseMs * 1'000'000;
            }
            return;
        }
        if (static_cast<int>(m_conns.size()) >= cap) {
            netio::rejectAtCap(fd, m_handler,
                "this dispatcher/worker server is at its cap of " + std::to_string(cap)
                    + " connections; try again later",
                m_counters);
            continue;
        }
        auto owned = std::make_unique<Conn>(fd, m_config.limits, m_counters);
        Conn *conn = owned.get();
        m_conns.emplace(conn, std::move(owned));
        conn->deadlineNs = nowNs() + m_config.limits.requestTimeoutMs * 1'000'000;
        epoll_event ev {};
        ev.events = EPOLLIN | EPOLLONESHOT;
        ev.data.ptr = conn;
        if (epoll_ctl(m_epollFd, EPOLL_CTL_ADD, fd, &ev) != 0) {
            closeConn(conn);
            continue;
        }
        // A new connection's request is usually here already: read it now rather
        // than after another trip through epoll_wait.
        readFrom(conn);
    }
}

void PoolServer::readFrom(Conn *conn)
{
    bool eof = false;
    for (;;) {
        const bool wasStarted = conn->reader.started();
        const std::size_t space = conn->reader.writeSpace();
        if (space == 0)
            break; // parse() will report the oversized header
        const ssize_t n = ::recv(conn->fd, conn->reader.writePtr(), space, 0);
        if (n > 0) {
            if (!wasStarted && !conn->firstRequest)
                conn->deadlineNs = nowNs() + m_config.limits.requestTimeoutMs * 1'000'000;
            conn->reader.commit(std::size_t(n));
            if (std::size_t(n) < space)
                break; // most likely all there is; a level-triggered re-arm catches the rest
            continue;
        }
        if (n == 0) {
            eof = true;
            break;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            break;
        closeConn(conn);
        return;
    }
    if (eof && !conn->reader.started()) {
        closeConn(conn); // closed between requests: the normal end of a connection
        return;
    }
    const auto status = conn->reader.parse();
    if (status == RequestReader::Status::NeedMore && eof) {
        closeConn(conn); // closed mid-request: nobody left to answer
        return;
    }
    afterParse(conn, status);
}

void PoolServer::afterParse(Conn *conn, RequestReader::Status status)
{
    switch (status) {
    case RequestReader::Status::Complete:
        enqueue(conn);
        return;
    case RequestReader::Status::Error:
        m_counters.badRequests.fetch_add(1, std::memory_order_relaxed);
        answerErrorAndLinger(conn, conn->reader.errorStatus(), conn->reader.errorText());
        return;
    case RequestReader::Status::NeedMore:
        conn->phase.set(conn->reader.started() ? ConnectionPhase::Reading : ConnectionPhase::Idle);
        if (!arm(conn))
            closeConn(conn);
        return;
    }
}

void PoolServer::enqueue(Conn *conn)
{
    conn->state = Conn::State::InWorker;
    conn->phase.set(ConnectionPhase::Queued);
    m_counters.requestStarted();
    {
        std::lock_guard lock(m_mutex);
        m_queue.push_back(conn);
        const int length = static_cast<int>(m_queue.size());
        m_queueLength.store(length, std::memory_order_relaxed);
        if (length > m_queueLengthMax.load(std::memory_order_relaxed))
            m_queueLengthMax.store(length, std::memory_order_relaxed);
    }
    m_wake.notify_one();
}

void PoolServer::answerErrorAndLinger(Conn *conn, int status, const std::string &reason)
{
    // Answered here without waiting: an error response is a few hundred bytes and a
    // fresh socket's send buffer takes them; a client that does not even take those
    // is not worth a worker.
    m_handler.respondError(status, reason, conn->response);
    const char *parts[2];
    std::size_t sizes[2];
    const int count = conn->response.pending(parts, sizes);
    iovec iov[2];
    for (int i = 0; i < count; ++i)
        iov[i] = {const_cast<char *>(parts[i]), sizes[i]};
    msghdr msg {};
    msg.msg_iov = iov;
    msg.msg_iovlen = std::size_t(count);
    if (::sendmsg(conn->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT) == ssize_t(conn->response.total()))
        m_counters.responded(status);
    ::shutdown(conn->fd, SHUT_WR);
    conn->state = Conn::State::Lingering;
    conn->phase.set(ConnectionPhase::Idle);
    conn->deadlineNs = nowNs() + kLingerMs * 1'000'000;
    if (!arm(conn))
        closeConn(conn);
}

void PoolServer::returned(Conn *conn)
{
    conn->state = Conn::State::Reading;
    if (!conn->keepAlive) {
        if (conn->reader.hasBufferedBytes() || netio::isReadableNow(conn->fd)) {
            ::shutdown(conn->fd, SHUT_WR);
            conn->state = Conn::State::Lingering;
            conn->deadlineNs = nowNs() + kLingerMs * 1'000'000;
            if (!arm(conn))
                closeConn(conn);
        } else {
            ::shutdown(conn->fd, SHUT_WR);
            closeConn(conn);
        }
        return;
    }
    ++conn->served;
    conn->reader.next();
    conn->firstRequest = false;
    conn->deadlineNs = nowNs()
        + (conn->reader.started() ? m_config.limits.requestTimeoutMs : m_config.limits.idleTimeoutMs)
            * 1'000'000;
    afterParse(conn, conn->reader.parse());
}

void PoolServer::sweep(std::int64_t now)
{
    std::vector<Conn *> expired;
    for (auto &[conn, owned] : m_conns) {
        if (conn->state != Conn::State::InWorker && now >= conn->deadlineNs)
            expired.push_back(conn);
    }
    for (Conn *conn : expired) {
        if (conn->state == Conn::State::Lingering) {
            closeConn(conn);
        } else if (conn->firstRequest || conn->reader.started()) {
            m_counters.requestTimeouts.fetch_add(1, std::memory_order_relaxed);
            answerErrorAndLinger(conn, 408,
                "the request did not arrive within " + std::to_string(m_config.limits.requestTimeoutMs)
                    + " ms");
        } else {
            m_counters.idleCloses.fetch_add(1, std::memory_order_relaxed);
            closeConn(conn);
        }
    }
}

void PoolServer::dispatcherLoop()
{
    epoll_event events[256];
    std::int64_t lastSweep = nowNs();
    bool stopping = false;
    while (!stopping) {
        const int n = epoll_wait(m_epollFd, events, 256, kSweepIntervalMs);
        if (n < 0 && errno != EINTR)
            break;
        for (int i = 0; i < n; ++i) {
            const std::uint64_t tag = events[i].data.u64;
            if (tag == kStopTag) {
                stopping = true;
            } else if (tag == kListenTag) {
                acceptAll();
            } else if (tag == kReturnTag) {
                std::uint64_t count = 0;
                [[maybe_unused]] const ssize_t r = ::read(m_returnFd, &count, sizeof count);
                std::vector<Conn *> back;
                {
                    std::lock_guard lock(m_mutex);
                    back.swap(m_returns);
                }
                for (Conn *conn : back)
                    returned(conn);
            } else {
                Conn *conn = static_cast<Conn *>(events[i].data.ptr);
                if (conn->state == Conn::State::Lingering) {
                    char scratch[4096];
                    const ssize_t r = ::recv(conn->fd, scratch, sizeof scratch, 0);
                    if (r > 0)
                        conn->lingerBytes += std::size_t(r);
                    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)
                        || conn->lingerBytes > kLingerMaxBytes || !arm(conn))
                        closeConn(conn);
                } else if (conn->state == Conn::State::Reading) {
                    readFrom(conn);
                }
            }
        }
        const std::int64_t now = nowNs();
        if (m_acceptPausedUntilNs != 0 && now >= m_acceptPausedUntilNs) {
            epoll_event ev {};
            ev.events = EPOLLIN;
            ev.data.u64 = kListenTag;
            epoll_ctl(m_epollFd, EPOLL_CTL_ADD, m_listenFd, &ev);
            m_acceptPausedUntilNs = 0;
        }
        if (now - lastSweep >= kSweepIntervalMs * 1'000'000LL) {
            sweep(now);
            lastSweep = now;
        }
    }
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    for (std::thread &t : m_workers)
        t.join();
    m_workers.clear();
    // Every connection is the dispatcher's again: queued, returned or idle.
    m_queue.clear();
    m_returns.clear();
    m_queueLength = 0;
    for (auto &[conn, owned] : m_conns)
        if (conn->fd >= 0)
            ::close(conn->fd);
    m_conns.clear();
}

void PoolServer::workerLoop(int index)
{
    const int stopFd = m_stop->fd();
    for (;;) {
        Conn *conn = nullptr;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
            if (m_stopping)
                return;
            conn = m_queue.front();
            m_queue.pop_front();
            m_queueLength.store(static_cast<int>(m_queue.size()), std::memory_order_relaxed);
        }
        auto setPhase = [&](ConnectionPhase p) {
            m_workerPhase[index].store(int(p), std::memory_order_relaxed);
            conn->phase.set(p);
        };
        const ParsedRequest &request = conn->reader.request();
        setPhase(ConnectionPhase::Working);
        m_handler.doCpuWork();
        bool ok = true;
        if (m_handler.diskMs() > 0) {
            setPhase(ConnectionPhase::Disk);
            ok = netio::sleepUnlessStopped(stopFd, m_handler.diskMs());
        }
        conn->keepAlive = false;
        if (ok) {
            const bool keepAlive
                = request.keepAlive && conn->served + 1 < m_config.limits.maxRequestsPerConnection;
            m_handler.respond(request, keepAlive, conn->response);
            if (conn->response.status >= 400)
                m_counters.badRequests.fetch_add(1, std::memory_order_relaxed);
            setPhase(ConnectionPhase::Writing);
            const auto written
                = netio::writeResponse(conn->fd, conn->response, m_config.limits.writeTimeoutMs, stopFd);
            if (written == netio::Write::Done) {
                m_counters.requestFinished(conn->response.status);
                conn->keepAlive = keepAlive;
            } else {
                m_counters.inFlight.fetch_sub(1, std::memory_order_relaxed);
                if (written == netio::Write::Timeout)
                    m_counters.writeTimeouts.fetch_add(1, std::memory_order_relaxed);
            }
        } else {
            m_counters.inFlight.fetch_sub(1, std::memory_order_relaxed);
        }
        conn->phase.set(ConnectionPhase::Idle);
        m_workerPhase[index].store(int(ConnectionPhase::Idle), std::memory_order_relaxed);
        m_workerRequests[index].fetch_add(1, std::memory_order_relaxed);
        {
            std::lock_guard lock(m_mutex);
            m_returns.push_back(conn);
        }
        const std::uint64_t one = 1;
        [[maybe_unused]] const ssize_t w = ::write(m_returnFd, &one, sizeof one);
    }
}

} // namespace proclab
