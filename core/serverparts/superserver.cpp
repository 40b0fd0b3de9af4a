#include "superserver.h"

#include "inetdhandler.h"
#include "lineservice.h"
#include "timeline.h"

#include "common/errortext.h"
#include "common/helpermode.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace proclab {

namespace {

constexpr std::size_t kMaxRecords = 4096; // handler records kept for the view
constexpr int kIdleSliceMs = 250; // poll slice when every child has a pidfd
constexpr int kPolledSliceMs = 20; // poll slice when some exit must be polled for
const QString kActor = QStringLiteral("superserver");

QString endTextOf(int status, bool killed)
{
    if (WIFEXITED(status))
        return QString::fromStdString(InetdHandler::exitStatusText(WEXITSTATUS(status)));
    if (WIFSIGNALED(status))
        return QStringLiteral("%1 by signal %2")
            .arg(killed ? QStringLiteral("killed") : QStringLiteral("ended"))
            .arg(WTERMSIG(status));
    return QStringLiteral("ended");
}

} // namespace

SuperServer::SuperServer(SuperServerConfig config, Timeline *timeline)
    : m_config(std::move(config))
    , m_timeline(timeline)
{
}

SuperServer::~SuperServer()
{
    stop();
}

void SuperServer::record(const QString &kind, const QString &detail, std::int64_t value)
{
    if (m_timeline)
        m_timeline->record(kActor, kind, detail, value);
}

bool SuperServer::start(QString *error)
{
    stop();
    m_listeners.clear();
    m_ports.clear();
    if (m_config.services.isEmpty()) {
        if (error)
            *error = QStringLiteral("superserver: no services to offer");
        return false;
    }
    for (const QString &service : m_config.services) {
        if (!LineService::isKnown(service.toStdString())) {
            if (error)
                *error = QStringLiteral("superserver: unknown service '%1' (known: %2)")
                             .arg(service, LineService::names().join(QStringLiteral(", ")));
            m_listeners.clear();
            m_ports.clear();
            return false;
        }
        QString why;
        TcpSocket listener = TcpSocket::listenLoopback(0, &why);
        if (!listener.isOpen()) {
            if (error)
                *error = QStringLiteral("superserver: %1").arg(why);
            m_listeners.clear();
            m_ports.clear();
            return false;
        }
        m_ports.push_back({service, listener.localPort()});
        record(QStringLiteral("listen"),
            QStringLiteral("%1 on 127.0.0.1:%2").arg(service).arg(listener.localPort()),
            listener.localPort());
        m_listeners.push_back(std::move(listener));
    }
    m_stop = std::make_unique<StopEvent>();
    m_running = true;
    m_thread = std::thread([this] { run(); });
    return true;
}

void SuperServer::stop()
{
    if (!m_stop)
        return;
    m_stop->set();
    if (m_thread.joinable())
        m_thread.join();
    m_stop.reset();
    m_listeners.clear();
    m_running = false;
}

std::vector<SuperServerPort> SuperServer::ports() const
{
    return m_ports;
}

std::uint16_t SuperServer::portOf(const QString &service) const
{
    for (const auto &p : m_ports)
        if (p.service == service)
            return p.port;
    return 0;
}

std::vector<SuperServerHandler> SuperServer::handlers() const
{
    std::lock_guard lock(m_mutex);
    return m_handlers;
}

bool SuperServer::handler(pid_t pid, SuperServerHandler *out) const
{
    std::lock_guard lock(m_mutex);
    for (auto it = m_handlers.rbegin(); it != m_handlers.rend(); ++it) {
        if (it->pid == pid) {
            *out = *it;
            return true;
        }
    }
    return false;
}

SuperServerStats SuperServer::stats() const
{
    std::lock_guard lock(m_mutex);
    return m_stats;
}

SuperServerHandler *SuperServer::recordOf(pid_t pid)
{
    for (auto it = m_handlers.rbegin(); it != m_handlers.rend(); ++it)
        if (it->pid == pid)
            return &*it;
    return nullptr;
}

bool SuperServer::spawnHandler(TcpSocket &connection, const QString &service, std::int64_t acceptNs)
{
    std::vector<std::string> args = InetdHandler::arguments(service.toStdString(), m_config.handlerTimeoutMs);
    std::vector<char *> argv = argvPointers(args);
    if (args[0].empty()) {
        record(QStringLiteral("spawn-failed"),
            QStringLiteral("%1: cannot find this program's path").arg(service));
        return false;
    }

    // The child gets the connection as fds 0 and 1 and nothing else of ours:
    // closefrom(3) also covers descriptors other threads opened without
    // close-on-exec (Asio's sockets, for one).
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, connection.fd(), 0);
    posix_spawn_file_actions_adddup2(&actions, connection.fd(), 1);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    // Its own process group: a Ctrl+C in the terminal goes to us, and stop() ends the handlers.
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, args[0].c_str(), &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    const std::int64_t spawnNs = Timeline::nowNs();
    if (rc != 0) {
        {
            std::lock_guard lock(m_mutex);
            ++m_stats.spawnFailures;
        }
        record(QStringLiteral("spawn-failed"), QStringLiteral("%1: %2").arg(service, errnoText(rc)));
        (void)connection.writeAll("ERROR cannot start a handler: " + errnoText(rc).toStdString() + "\n", 200,
            m_stop.get(), nullptr);
        return false;
    }
    // The raw system call: glibc 2.36's <sys/pidfd.h> lacks extern "C" for C++.
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    m_children.push_back({pid, pidfd, spawnNs});
    {
        std::lock_guard lock(m_mutex);
        ++m_stats.spawned;
        ++m_stats.running;
        SuperServerHandler h;
        h.pid = pid;
        h.service = service;
        h.acceptNs = acceptNs;
        h.spawnNs = spawnNs;
        m_handlers.push_back(h);
        if (m_handlers.size() > kMaxRecords)
            m_handlers.erase(m_handlers.begin());
    }
    if (m_timeline)
        m_timeline->recordAt(spawnNs, kActor, QStringLiteral("spawn"),
            QStringLiteral("%1 handler pid %2 (fds 0,1 = the connection)").arg(service).arg(pid), pid);
    // The child has its own copy of the connection; ours closes now, as inetd's does.
    connection.close();
    return true;
}

void SuperServer::collect(Child &child, bool block)
{
    int status = 0;
    pid_t r;
    do {
        r = ::waitpid(child.pid, &status, block ? 0 : WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r == 0)
        return; // still running
    const std::int64_t reapNs = Timeline::nowNs();
    if (child.pidfd >= 0)
        ::close(child.pidfd);
    child.pidfd = -1;
    QString end;
    bool killed = false;
    {
        std::lock_guard lock(m_mutex);
        SuperServerHandler *h = recordOf(child.pid);
        killed = h && h->killed;
        end = r < 0 ? QStringLiteral("already reaped elsewhere") : endTextOf(status, killed);
        if (h) {
            h->exitNs = h->exitNs ? h->exitNs : reapNs;
            h->reapNs = reapNs;
            h->reaped = true;
            h->endText = end;
            if (r > 0 && WIFEXITED(status))
                h->exitStatus = WEXITSTATUS(status);
            if (r > 0 && WIFSIGNALED(status))
                h->signal = WTERMSIG(status);
        }
        ++m_stats.reaped;
        --m_stats.running;
    }
    if (m_timeline)
        m_timeline->recordAt(reapNs, kActor, QStringLiteral("reap"),
            QStringLiteral("waitpid(%1): %2").arg(child.pid).arg(end), child.pid);
    child.pid = 0;
}

void SuperServer::killOverdue()
{
    const std::int64_t now = Timeline::nowNs();
    const std::int64_t limitNs = static_cast<std::int64_t>(m_config.maxHandlerLifetimeMs) * 1000000LL;
    for (Child &c : m_children) {
        if (c.pid <= 0 || now - c.spawnNs < limitNs)
            continue;
        bool already = false;
        {
            std::lock_guard lock(m_mutex);
            SuperServerHandler *h = recordOf(c.pid);
            already = h && h->killed;
            if (h && !already) {
                h->killed = true;
                ++m_stats.killed;
            }
        }
        if (!already) {
            ::kill(c.pid, SIGKILL);
            record(QStringLiteral("kill"),
                QStringLiteral("pid %1 ran longer than %2 ms").arg(c.pid).arg(m_config.maxHandlerLifetimeMs),
                c.pid);
        }
    }
}

void SuperServer::run()
{
    const StopEvent &stop = *m_stop;
    bool atCapacityNoted = false;
    while (!stop.isSet()) {
        // Reap children that have exited: their pidfd became readable, or (without
        // pidfds) a non-blocking waitpid finds them.
        std::vector<pollfd> fds;
        fds.push_back({stop.fd(), POLLIN, 0});
        const int running = static_cast<int>(m_children.size());
        const bool accepting = running < m_config.maxHandlers;
        if (!accepting && !atCapacityNoted) {
            record(QStringLiteral("at-capacity"),
                QStringLiteral("%1 handlers running: new connections wait in the backlog").arg(running),
                running);
            atCapacityNoted = true;
        }
        if (accepting) {
            atCapacityNoted = false;
            for (const auto &l : m_listeners)
                fds.push_back({l.fd(), POLLIN, 0});
        }
        const std::size_t firstChild = fds.size();
        bool polled = false;
        for (const Child &c : m_children) {
            fds.push_back({c.pidfd, POLLIN, 0});
            polled = polled || c.pidfd < 0;
        }
        const int r = ::poll(fds.data(), fds.size(), polled ? kPolledSliceMs : kIdleSliceMs);
        if (r < 0 && errno != EINTR)
            break;
        if (fds[0].revents & POLLIN)
            break;
        for (std::size_t i = 0; i < m_children.size(); ++i) {
            Child &c = m_children[i];
            if (c.pidfd < 0 || (fds[firstChild + i].revents & POLLIN)) {
                if (c.pidfd >= 0) {
                    // The pidfd says it exited; the reap follows at once.
                    const std::int64_t exitNs = Timeline::nowNs();
                    {
                        std::lock_guard lock(m_mutex);
                        if (SuperServerHandler *h = recordOf(c.pid))
                            h->exitNs = exitNs;
                    }
                    if (m_timeline)
                        m_timeline->recordAt(exitNs, QStringLiteral("handler"), QStringLiteral("exit"),
                            QStringLiteral("handler pid %1 ended").arg(c.pid), c.pid);
                }
                collect(c, false);
            }
        }
        m_children.erase(
            std::remove_if(m_children.begin(), m_children.end(), [](const Child &c) { return c.pid <= 0; }),
            m_children.end());
        killOverdue();
        if (!accepting)
            continue;
        for (std::size_t i = 0; i < m_listeners.size(); ++i) {
            if (!(fds[1 + i].revents & POLLIN))
                continue;
            if (static_cast<int>(m_children.size()) >= m_config.maxHandlers)
                break;
            TcpSocket connection;
            QString error;
            // A zero timeout: the listener is readable, and a vanished connection must not block.
            const IoStatus st = m_listeners[i].accept(&connection, 0, &stop, &error, true);
            if (st != IoStatus::Ok)
                continue;
            const std::int64_t acceptNs = Timeline::nowNs();
            {
                std::lock_guard lock(m_mutex);
                ++m_stats.accepted;
            }
            if (m_timeline)
                m_timeline->recordAt(acceptNs, kActor, QStringLiteral("accept"),
                    QStringLiteral("connection on %1 port %2").arg(m_ports[i].service).arg(m_ports[i].port),
                    m_ports[i].port);
            spawnHandler(connection, m_ports[i].service, acceptNs);
        }
    }
    // Stopping: nothing new is accepted, handlers still running are killed, and
    // every child is reaped before the thread ends.
    for (Child &c : m_children) {
        collect(c, false);
        if (c.pid <= 0)
            continue;
        {
            std::lock_guard lock(m_mutex);
            if (SuperServerHandler *h = recordOf(c.pid)) {
                h->killed = true;
                ++m_stats.killed;
            }
        }
        ::kill(c.pid, SIGKILL);
        record(QStringLiteral("kill"), QStringLiteral("pid %1 still running at stop").arg(c.pid), c.pid);
        collect(c, true);
    }
    m_children.clear();
}

} // namespace proclab
