#include "iterativeserver.h"

#include "blockingconnection.h"
#include "socketio.h"

#include <cerrno>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace proclab {

IterativeServer::IterativeServer(ServerConfig config)
    : HttpServer(std::move(config))
    , m_handler(m_config.handler, "proclab-iterative")
{
}

IterativeServer::~IterativeServer()
{
    stop();
}

bool IterativeServer::startServing(int listenFd, QString *error)
{
    m_stop = std::make_unique<StopEvent>();
    if (!m_stop->isValid()) {
        if (error)
            *error = m_stop->error();
        ::close(listenFd);
        return false;
    }
    m_listenFd = listenFd;
    m_thread = std::thread([this] { loop(); });
    return true;
}

void IterativeServer::stopServing()
{
    m_stop->set();
    if (m_thread.joinable())
        m_thread.join();
    ::close(m_listenFd);
    m_listenFd = -1;
}

void IterativeServer::loop()
{
    BlockingConnection::Context ctx;
    ctx.handler = &m_handler;
    ctx.limits = &m_config.limits;
    ctx.counters = &m_counters;
    ctx.stopFd = m_stop->fd();
    ctx.yieldFd = m_listenFd;
    for (;;) {
        const auto wait = netio::waitFd(m_listenFd, POLLIN, INT64_MAX, m_stop->fd());
        if (wait == netio::Wait::Stopped)
            return;
        const int fd = ::accept4(m_listenFd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                // Out of descriptors: pause instead of spinning on a listener that stays readable.
                m_counters.acceptErrors.fetch_add(1, std::memory_order_relaxed);
                if (!netio::sleepUnlessStopped(m_stop->fd(), 100))
                    return;
            }
            continue;
        }
        BlockingConnection connection(fd, ctx);
        connection.serve();
    }
}

} // namespace proclab
