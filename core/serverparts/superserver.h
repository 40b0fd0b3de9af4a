#pragma once

#include "stopwait.h"
#include "tcpsocket.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <sys/types.h>

namespace proclab {

class Timeline;

/**
 * @brief What a SuperServer offers and how it bounds its handlers.
 */
struct SuperServerConfig {
    QStringList services = {QStringLiteral("echo"), QStringLiteral("daytime"), QStringLiteral("upper")};
    int maxHandlers = 8; ///< handler processes alive at once; further connections wait in the backlog
    int handlerTimeoutMs = 5000; ///< a handler's socket timeouts (an idle client ends it)
    int maxHandlerLifetimeMs = 20000; ///< a handler still alive after this is killed
    QString executable
        = QStringLiteral("/proc/self/exe"); ///< the program started in the inetd-handler helper mode
};

/// @brief One service port of a running SuperServer.
struct SuperServerPort {
    QString service;
    std::uint16_t port = 0;
};

/// @brief One handler process, from spawn to reap.
struct SuperServerHandler {
    pid_t pid = 0;
    QString service;
    std::int64_t acceptNs = 0; ///< Timeline::nowNs() when the connection was accepted
    std::int64_t spawnNs = 0; ///< when posix_spawn returned
    std::int64_t exitNs = 0; ///< when its exit was noticed (0 while it runs)
    std::int64_t reapNs = 0; ///< when waitpid collected it (0 while not reaped)
    bool reaped = false;
    bool killed = false; ///< killed by the superserver (lifetime over, or stop())
    int exitStatus = -1; ///< exit status when it exited normally, else -1
    int signal = 0; ///< the signal that ended it, else 0
    QString endText; ///< "served", "idle timeout", "killed by signal 9", ...
};

/// @brief Counters of a SuperServer.
struct SuperServerStats {
    std::int64_t accepted = 0;
    std::int64_t spawned = 0;
    std::int64_t spawnFailures = 0;
    std::int64_t reaped = 0;
    std::int64_t killed = 0;
    int running = 0; ///< handler processes alive now
};

/**
 * @brief An inetd-like superserver: one thread listens on a port per service and,
 * for each connection, starts a handler process with the connection as its
 * standard input and output.
 *
 * The handler is started with posix_spawn() of this program (/proc/self/exe
 * resolved) in the "inetd-handler" helper mode; file
 * actions dup2 the accepted socket onto descriptors 0 and 1, send 2 to /dev/null
 * and close every other descriptor, so the child holds nothing else of ours. No
 * fork() of this multithreaded process. The thread waits in poll() on the
 * listeners, a pidfd per child (its exit wakes the thread) and the stop event;
 * every child is reaped with waitpid(). stop() closes the listeners, kills the
 * handlers still running, reaps them and joins the thread.
 */
class SuperServer {
public:
    explicit SuperServer(SuperServerConfig config, Timeline *timeline = nullptr);
    ~SuperServer();
    SuperServer(const SuperServer &) = delete;
    SuperServer &operator=(const SuperServer &) = delete;

    /// @brief Opens one listener per service (OS-chosen ports) and starts the thread.
    bool start(QString *error);
    /// @brief Stops listening, kills and reaps every handler, joins the thread.
    void stop();
    bool isRunning() const { return m_running.load(); }

    /// @brief The service ports (valid after start()).
    std::vector<SuperServerPort> ports() const;
    /// @brief The port of @p service, 0 if it is not offered.
    std::uint16_t portOf(const QString &service) const;
    /// @brief Every handler started so far.
    std::vector<SuperServerHandler> handlers() const;
    /// @brief The handler with @p pid, if the superserver started one.
    bool handler(pid_t pid, SuperServerHandler *out) const;
    SuperServerStats stats() const;
    const SuperServerConfig &config() const { return m_config; }

private:
    struct Child {
        pid_t pid = 0;
        int pidfd = -1; // -1 when pidfd_open is not available: the exit is then polled
        std::int64_t spawnNs = 0;
    };

    void run();
    bool spawnHandler(TcpSocket &connection, const QString &service, std::int64_t acceptNs);
    void collect(Child &child, bool block);
    void killOverdue();
    void record(const QString &kind, const QString &detail, std::int64_t value = 0);

    SuperServerConfig m_config;
    Timeline *m_timeline;
    std::unique_ptr<StopEvent> m_stop;
    std::vector<TcpSocket> m_listeners; // parallel to m_ports
    std::vector<SuperServerPort> m_ports;
    std::vector<Child> m_children; // server thread only
    std::thread m_thread;
    std::atomic<bool> m_running {false};

    SuperServerHandler *recordOf(pid_t pid); // m_mutex held

    mutable std::mutex m_mutex; // guards m_handlers and m_stats
    std::vector<SuperServerHandler> m_handlers; // the newest kMaxRecords
    SuperServerStats m_stats;
};

} // namespace proclab
