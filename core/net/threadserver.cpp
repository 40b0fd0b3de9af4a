#include "threadserver.h"

#include "blockingconnection.h"
#include "socketio.h"

#include <cerrno>
#include <system_error>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace proclab {

namespace {
// How often the acceptor looks for finished threads to join when no connection comes.
constexpr std::int64_t kJoinIntervalMs = 200;
constexpr int kAcceptBatch = 64;
} // namespace

ThreadServer::ThreadServer(ServerConfig config)
    : HttpServer(std::move(config))
    , m_handler(m_config.handler, "proclab-thread")
{
}

ThreadServer::~ThreadServer()
{
    stop();
}

bool ThreadServer::startServing(int listenFd, QString *error)
{
    m_stop = std::make_unique<StopEvent>();
    if (!m_stop->isValid()) {
        if (error)
            *error = m_stop->error();
        ::close(listenFd);
        return false;
    }
    m_listenFd = listenFd;
    m_acceptor = std::thread([this] { acceptLoop(); });
    return true;
}

void ThreadServer::stopServing()
{
    m_stop->set();
    if (m_acceptor.joinable())
        m_acceptor.join(); // it joins every connection thread before it returns
    ::close(m_listenFd);
    m_listenFd = -1;
}

void ThreadServer::joinFinished(bool all)
{
    for (auto it = m_workers.begin(); it != m_workers.end();) {
        if (all || it->done.load(std::memory_order_acquire)) {
            it->thread.join();
            it = m_workers.erase(it);
        } else {
            ++it;
        }
    }
}

void ThreadServer::acceptLoop()
{
    BlockingConnection::Context ctx;
    ctx.handler = &m_handler;
    ctx.limits = &m_config.limits;
    ctx.counters = &m_counters;
    ctx.stopFd = m_stop->fd();
    const int cap = m_config.effectiveMaxConnections();
    const std::string capText = "this thread-per-connection server is at its cap of " + std::to_string(cap)
        + " connections (one thread each); try again later";
    for (;;) {
        const auto wait
            = netio::waitFd(m_listenFd, POLLIN, netio::nowNs() + kJoinIntervalMs * 1'000'000, m_stop->fd());
        joinFinished(false);
        if (wait == netio::Wait::Stopped)
            break;
        if (wait != netio::Wait::Ready)
            continue;
        // At most a batch per wake-up, so that a stop (checked above) is never starved by
        // clients that reconnect as fast as their connections are closed.
        for (int batch = 0; batch < kAcceptBatch; ++batch) {
            const int fd = ::accept4(m_listenFd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                    m_counters.acceptErrors.fetch_add(1, std::memory_order_relaxed);
                    netio::sleepUnlessStopped(m_stop->fd(), 100);
                }
                break;
            }
            if (static_cast<int>(m_workers.size()) >= cap) {
                joinFinished(false);
                if (static_cast<int>(m_workers.size()) >= cap) {
                    netio::rejectAtCap(fd, m_handler, capText, m_counters);
                    continue;
                }
            }
            Worker &w = m_workers.emplace_back();
            // Counted before the thread starts: it may answer its client before this line runs.
            m_counters.workersStarted.fetch_add(1, std::memory_order_relaxed);
            try {
                w.thread = std::thread([fd, ctx, &w] {
                    {
                        BlockingConnection connection(fd, ctx);
                        connection.serve();
                    }
                    w.done.store(true, std::memory_order_release);
                });
            } catch (const std::system_error &) {
                m_counters.workersStarted.fetch_sub(1, std::memory_order_relaxed);
                // The system refused another thread (memory, thread limit): say so like at the cap.
                m_workers.pop_back();
                netio::rejectAtCap(fd, m_handler,
                    "the system refused to start another thread for this connection", m_counters);
            }
        }
    }
    joinFinished(true);
}

} // namespace proclab
