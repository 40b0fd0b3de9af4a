#include "connectionserver.h"

#include <algorithm>
#include <exception>

namespace proclab {

namespace {
constexpr int kAcceptSliceMs = 250; // finished connection threads are joined at least this often
constexpr int kBusyReplyTimeoutMs = 200;
} // namespace

ConnectionServer::ConnectionServer(QString name, int maxConnections, Handler handler)
    : m_name(std::move(name))
    , m_maxConnections(std::max(1, maxConnections))
    , m_handler(std::move(handler))
{
}

ConnectionServer::~ConnectionServer()
{
    stop();
}

bool ConnectionServer::start(std::uint16_t port, QString *error)
{
    stop();
    m_stop = std::make_unique<StopEvent>();
    QString why;
    m_listener = TcpSocket::listenLoopback(port, &why);
    if (!m_listener.isOpen()) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(m_name, why);
        return false;
    }
    m_port = m_listener.localPort();
    m_running = true;
    m_acceptor = std::thread([this] { acceptLoop(); });
    return true;
}

void ConnectionServer::stop()
{
    if (!m_stop)
        return;
    m_stop->set();
    if (m_acceptor.joinable())
        m_acceptor.join();
    joinFinished(true);
    m_listener.close();
    m_running = false;
    m_stop.reset();
}

void ConnectionServer::joinFinished(bool all)
{
    for (auto it = m_workers.begin(); it != m_workers.end();) {
        if (all || it->done->load(std::memory_order_acquire)) {
            if (it->thread.joinable())
                it->thread.join();
            it = m_workers.erase(it);
        } else {
            ++it;
        }
    }
}

void ConnectionServer::acceptLoop()
{
    const StopEvent &stop = *m_stop;
    while (!stop.isSet()) {
        joinFinished(false);
        TcpSocket connection;
        QString error;
        const IoStatus st = m_listener.accept(&connection, kAcceptSliceMs, &stop, &error);
        if (st == IoStatus::Stopped)
            break;
        if (st != IoStatus::Ok)
            continue; // timeout slice, or a transient accept error (EMFILE...): try again
        if (m_active.load() >= m_maxConnections) {
            m_refused.fetch_add(1);
            (void)connection.writeAll("ERROR busy: " + std::to_string(m_maxConnections)
                    + " connections are being served, try again later\n",
                kBusyReplyTimeoutMs, &stop, nullptr);
            continue;
        }
        m_accepted.fetch_add(1);
        m_active.fetch_add(1);
        auto done = std::make_shared<std::atomic<bool>>(false);
        const std::uint64_t id = m_nextId++;
        // The socket moves into the thread, which owns and closes it.
        m_workers.push_back({std::thread([this, done, id, &stop, socket = std::move(connection)]() mutable {
                                 try {
                                     m_handler(socket, id, stop);
                                 } catch (const std::exception &) {
                                     // A handler that throws (out of memory) loses its connection, not the
                                     // server.
                                 }
                                 socket.close();
                                 m_active.fetch_sub(1);
                                 done->store(true, std::memory_order_release);
                             }),
            done});
    }
}

} // namespace proclab
