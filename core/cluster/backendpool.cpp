#include "backendpool.h"

#include "clusterprotocol.h"

#include "common/clock.h"
#include "common/errortext.h"
#include "common/helpermode.h"

#include <cerrno>
#include <charconv>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace proclab {

namespace {

int openPidFd(pid_t pid)
{
#ifdef SYS_pidfd_open
    const long fd = ::syscall(SYS_pidfd_open, pid, 0);
    if (fd >= 0) {
        ::fcntl(int(fd), F_SETFD, FD_CLOEXEC);
        return int(fd);
    }
#else
    (void)pid;
#endif
    return -1;
}

} // namespace

BackendPool::~BackendPool()
{
    stop();
}

QString BackendPool::describeStatus(int status)
{
    if (WIFEXITED(status))
        return QStringLiteral("exited with status %1").arg(WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        return QStringLiteral("was killed by signal %1 (%2)")
            .arg(WTERMSIG(status))
            .arg(QString::fromLocal8Bit(::strsignal(WTERMSIG(status))));
    return QStringLiteral("ended");
}

bool BackendPool::spawn(int id, const BackendOptions &options, QString *error)
{
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
        *error = QStringLiteral("back end %1: socketpair failed: %2").arg(id).arg(lastErrorText());
        return false;
    }
    // The child's end must not already be descriptor 3: dup2 onto itself would keep CLOEXEC.
    int childEnd = ::fcntl(pair[1], F_DUPFD_CLOEXEC, 10);
    ::close(pair[1]);
    if (childEnd < 0) {
        ::close(pair[0]);
        *error = QStringLiteral("back end %1: fcntl failed: %2").arg(id).arg(lastErrorText());
        return false;
    }
    std::vector<std::string> args = helperArguments(QString::fromLatin1(kClusterBackendHelper),
        {QString::number(id), QString::number(options.responseBytes), QString::number(options.serviceUs)});
    std::vector<char *> argv = argvPointers(args);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, childEnd, 3);
    // Nothing else of the app (other engines' sockets, files) leaks into the back end.
    posix_spawn_file_actions_addclosefrom_np(&actions, 4);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(childEnd);
    if (rc != 0) {
        ::close(pair[0]);
        *error = QStringLiteral("back end %1: cannot start %2: %3")
                     .arg(id)
                     .arg(QString::fromStdString(args[0]), errnoText(rc));
        return false;
    }
    Proc p;
    p.pid = pid;
    p.pidFd = openPidFd(pid);
    p.controlFd = pair[0];
    m_procs.push_back(p);
    return true;
}

bool BackendPool::waitReady(
    std::chrono::milliseconds timeout, const std::function<bool()> &cancelled, QString *error)
{
    const std::int64_t deadlineNs = monotonicNs() + std::int64_t(timeout.count()) * 1000000;
    std::vector<bool> ready(m_procs.size(), false);
    std::size_t pending = m_procs.size();
    while (pending > 0) {
        if (cancelled && cancelled()) {
            *error = QStringLiteral("stopped while the back ends were starting");
            return false;
        }
        const std::int64_t leftNs = deadlineNs - monotonicNs();
        if (leftNs <= 0) {
            *error = QStringLiteral("the back ends did not report ready within %1 ms").arg(timeout.count());
            return false;
        }
        std::vector<pollfd> fds;
        std::vector<std::size_t> which;
        for (std::size_t i = 0; i < m_procs.size(); ++i) {
            if (!ready[i]) {
                fds.push_back({m_procs[i].controlFd, POLLIN, 0});
                which.push_back(i);
            }
        }
        const int n = ::poll(fds.data(), fds.size(), int(std::min<std::int64_t>(50, leftNs / 1000000 + 1)));
        if (n <= 0)
            continue;
        for (std::size_t k = 0; k < fds.size(); ++k) {
            if (!fds[k].revents)
                continue;
            Proc &p = m_procs[which[k]];
            char buf[64];
            const ssize_t got = ::recv(p.controlFd, buf, sizeof buf - 1, MSG_DONTWAIT);
            const std::string_view text(buf, got > 0 ? std::size_t(got) : 0);
            const std::string_view word = clusterprotocol::kReadyWord;
            std::int64_t port = 0;
            const bool ok = text.size() > word.size() + 1 && text.substr(0, word.size()) == word
                && std::from_chars(text.data() + word.size() + 1, text.data() + text.size(), port).ec
                    == std::errc()
                && port > 0 && port < 65536;
            if (!ok) {
                reap(p, false);
                *error = QStringLiteral("back end %1 (pid %2) did not start: %3")
                             .arg(which[k])
                             .arg(p.pid)
                             .arg(p.reaped ? describeStatus(p.status)
                                           : QStringLiteral("it sent no READY message"));
                return false;
            }
            p.port = std::uint16_t(port);
            ready[which[k]] = true;
            --pending;
        }
    }
    return true;
}

bool BackendPool::start(int count, const BackendOptions &options, std::chrono::milliseconds readyTimeout,
    const std::function<bool()> &cancelled, QString *error)
{
    stop();
    for (int i = 0; i < count; ++i) {
        BackendOptions o = options;
        o.id = i;
        if (!spawn(i, o, error)) {
            stop();
            return false;
        }
    }
    if (!waitReady(readyTimeout, cancelled, error)) {
        stop();
        return false;
    }
    return true;
}

bool BackendPool::reap(Proc &p, bool block)
{
    if (p.reaped || p.pid <= 0)
        return true;
    int status = 0;
    pid_t r;
    do {
        r = ::waitpid(p.pid, &status, block ? 0 : WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r == p.pid || (r < 0 && errno == ECHILD)) {
        p.reaped = true;
        p.status = status;
    }
    return p.reaped;
}

QString BackendPool::checkEnded()
{
    for (std::size_t i = 0; i < m_procs.size(); ++i) {
        Proc &p = m_procs[i];
        if (!p.reaped)
            reap(p, false);
        if (p.reaped)
            return QStringLiteral("back end %1 (pid %2) %3 during the run")
                .arg(i)
                .arg(p.pid)
                .arg(describeStatus(p.status));
    }
    return {};
}

void BackendPool::stop(std::chrono::milliseconds grace)
{
    if (m_procs.empty())
        return;
    for (Proc &p : m_procs) {
        if (p.controlFd >= 0) {
            ::close(p.controlFd);
            p.controlFd = -1;
        }
    }
    const std::int64_t deadlineNs = monotonicNs() + std::int64_t(grace.count()) * 1000000;
    for (Proc &p : m_procs) {
        while (!reap(p, false)) {
            const std::int64_t leftNs = deadlineNs - monotonicNs();
            if (leftNs <= 0)
                break;
            if (p.pidFd >= 0) {
                // Readable once the child ended: a wait with a timeout and no polling loop.
                pollfd pfd {p.pidFd, POLLIN, 0};
                ::poll(&pfd, 1, int(leftNs / 1000000 + 1));
            } else {
                ::usleep(2000); // no pidfd on this kernel: check again shortly
            }
        }
        if (!p.reaped) {
            ::kill(p.pid, SIGKILL);
            reap(p, true);
        }
        if (p.pidFd >= 0) {
            ::close(p.pidFd);
            p.pidFd = -1;
        }
    }
    m_procs.clear();
}

} // namespace proclab
