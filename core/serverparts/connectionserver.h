#pragma once

#include "stopwait.h"
#include "tcpsocket.h"

#include <QString>

#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <thread>

namespace proclab {

/**
 * @brief The accept loop and thread-per-connection machinery the small servers
 * here share (end-point daemon, registered services, file services, the main
 * port of the out-of-band server).
 *
 * One acceptor thread on 127.0.0.1 hands each connection to a thread of its own,
 * at most maxConnections at a time; a connection beyond that gets one
 * "ERROR busy" line and is closed. The handler gets the StopEvent and must pass
 * it to every blocking call, so stop() ends every connection at once and joins
 * every thread.
 */
class ConnectionServer {
public:
    /// @brief Serves one connection; returns when it is done (the socket is closed after).
    using Handler = std::function<void(TcpSocket &socket, std::uint64_t connectionId, const StopEvent &stop)>;

    ConnectionServer(QString name, int maxConnections, Handler handler);
    ~ConnectionServer();
    ConnectionServer(const ConnectionServer &) = delete;
    ConnectionServer &operator=(const ConnectionServer &) = delete;

    /// @brief Listens on 127.0.0.1:@p port (0 = OS-chosen) and starts the acceptor thread.
    bool start(std::uint16_t port, QString *error);
    /// @brief Sets the stop event, then joins the acceptor and every connection thread.
    void stop();
    std::uint16_t port() const { return m_port; }
    bool isRunning() const { return m_running.load(); }
    const QString &name() const { return m_name; }

    /// @brief Connections handed to a handler so far.
    std::int64_t connectionsAccepted() const { return m_accepted.load(); }
    /// @brief Connections turned away because maxConnections were busy.
    std::int64_t connectionsRefused() const { return m_refused.load(); }
    /// @brief Connections being served now.
    int activeConnections() const { return m_active.load(); }

private:
    struct Worker {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done;
    };

    void acceptLoop();
    void joinFinished(bool all);

    QString m_name;
    int m_maxConnections;
    Handler m_handler;
    std::unique_ptr<StopEvent> m_stop;
    TcpSocket m_listener;
    std::thread m_acceptor;
    std::list<Worker> m_workers; // acceptor thread only while running; stop() after joining it
    std::uint16_t m_port = 0;
    std::uint64_t m_nextId = 1;
    std::atomic<bool> m_running {false};
    std::atomic<std::int64_t> m_accepted {0};
    std::atomic<std::int64_t> m_refused {0};
    std::atomic<int> m_active {0};
};

} // namespace proclab
