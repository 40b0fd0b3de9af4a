#include "processserver.h"

#include "blockingconnection.h"
#include "httphandler.h"
#include "socketio.h"

#include "common/errortext.h"
#include "common/helpermode.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <new>
#include <set>
#include <string>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace proclab {

namespace {

// The helper's descriptors, in the order spawnForkingHelper() places them from 3 on.
constexpr int kHelperFirstFd = 3;
constexpr int kListenFd = kHelperFirstFd;
constexpr int kControlFd = kHelperFirstFd + 1;
constexpr int kStatusFd = kHelperFirstFd + 2;
constexpr int kCountersFd = kHelperFirstFd + 3;

constexpr int kReadyTimeoutMs = 10'000; // a helper that says nothing by then has failed
constexpr int kExitTimeoutMs = 5'000; // a helper that has not exited by then is killed
constexpr int kAcceptBatch = 64;

void writeLine(int fd, const std::string &line)
{
    const std::string text = line + "\n";
    [[maybe_unused]] const ssize_t n = ::write(fd, text.data(), text.size());
}

// Waits for the helper to exit, at most timeoutMs; true if it has.
bool waitForExit(pid_t pid, int timeoutMs)
{
    const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    if (pidfd < 0)
        return false;
    pollfd p {pidfd, POLLIN, 0};
    int rc;
    do {
        rc = ::poll(&p, 1, timeoutMs);
    } while (rc < 0 && errno == EINTR);
    ::close(pidfd);
    return rc == 1;
}

// Starts the forking helper (this executable in helper mode kForkingHelperName) with
// posix_spawn(): @p fds become its descriptors 3, 4, ... in order and every other
// descriptor of the caller is closed in it (a leaked client socket of another thread would
// keep that connection open); signal mask and dispositions are reset; it leads a new
// process group, so a terminal's Ctrl+C reaches only the app, which stops the helper
// itself, and the group names every process the helper started.
pid_t spawnForkingHelper(const QStringList &args, const std::vector<int> &fds, QString *error)
{
    auto fail = [&](const char *what, int err) -> pid_t {
        if (error)
            *error = QStringLiteral("cannot start the forking helper: %1: %2")
                         .arg(QLatin1String(what), errnoText(err));
        return -1;
    };
    // Each passed descriptor is first copied above every target number, so that placing
    // one at 3, 4, ... can never overwrite another still to be placed.
    const int count = static_cast<int>(fds.size());
    std::vector<int> high;
    auto closeHigh = [&high] {
        for (int fd : high)
            ::close(fd);
    };
    for (int fd : fds) {
        const int copy = fcntl(fd, F_DUPFD_CLOEXEC, kHelperFirstFd + count);
        if (copy < 0) {
            const int err = errno;
            closeHigh();
            return fail("dup", err);
        }
        high.push_back(copy);
    }
    std::vector<std::string> strings = helperArguments(QLatin1String(kForkingHelperName), args);
    if (strings.front().empty()) {
        closeHigh();
        return fail("readlink /proc/self/exe", ENOENT);
    }
    std::vector<char *> argv = argvPointers(strings);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    for (int i = 0; i < count; ++i)
        posix_spawn_file_actions_adddup2(&actions, high[i], kHelperFirstFd + i); // dup2 clears FD_CLOEXEC
    posix_spawn_file_actions_addclosefrom_np(&actions, kHelperFirstFd + count);

    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    sigset_t all; // SIGKILL and SIGSTOP cannot be changed; posix_spawn skips them
    sigfillset(&all);
    posix_spawnattr_setsigdefault(&attr, &all);

    pid_t pid = -1;
    const int rc = posix_spawn(&pid, strings.front().c_str(), &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    closeHigh();
    if (rc != 0)
        return fail("posix_spawn", rc);
    return pid;
}

} // namespace

ProcessServer::ProcessServer(ServerConfig config)
    : HttpServer(std::move(config))
{
    m_counters = &m_unmappedCounters;
    m_memFd = memfd_create("proclab-server-counters", MFD_CLOEXEC);
    if (m_memFd < 0 || ftruncate(m_memFd, sizeof(ServerCounters)) != 0) {
        m_memError = QStringLiteral("process server: cannot make shared counters: %1").arg(errnoText(errno));
        return;
    }
    void *mem = mmap(nullptr, sizeof(ServerCounters), PROT_READ | PROT_WRITE, MAP_SHARED, m_memFd, 0);
    if (mem == MAP_FAILED) {
        m_memError = QStringLiteral("process server: cannot map shared counters: %1").arg(errnoText(errno));
        return;
    }
    m_counters = new (mem) ServerCounters;
}

ProcessServer::~ProcessServer()
{
    stop();
    if (m_counters != &m_unmappedCounters) {
        m_counters->~ServerCounters();
        munmap(m_counters, sizeof(ServerCounters));
    }
    if (m_memFd >= 0)
        ::close(m_memFd);
}

bool ProcessServer::startServing(int listenFd, QString *error)
{
    auto fail = [&](const QString &what, std::initializer_list<int> fds) {
        if (error)
            *error = what;
        ::close(listenFd);
        for (int fd : fds)
            if (fd >= 0)
                ::close(fd);
        return false;
    };
    if (m_counters == &m_unmappedCounters)
        return fail(m_memError, {});
    int control[2];
    int status[2];
    if (pipe2(control, O_CLOEXEC) != 0)
        return fail(QStringLiteral("process server: pipe failed: %1").arg(errnoText(errno)), {});
    if (pipe2(status, O_CLOEXEC) != 0)
        return fail(QStringLiteral("process server: pipe failed: %1").arg(errnoText(errno)),
            {control[0], control[1]});

    QStringList args;
    for (const std::string &a : m_config.toArgs())
        args << QString::fromStdString(a);
    args << QStringLiteral("parent=%1").arg(getpid());
    QString spawnError;
    const pid_t pid = spawnForkingHelper(args, {listenFd, control[0], status[1], m_memFd}, &spawnError);
    ::close(control[0]);
    ::close(status[1]);
    ::close(listenFd); // the helper has its own copy
    if (pid < 0)
        return fail(spawnError, {control[1], status[0]});

    // The helper says "ready" once it listens, or why it cannot.
    std::string reply;
    char buf[512];
    pollfd p {status[0], POLLIN, 0};
    while (reply.find('\n') == std::string::npos && reply.size() < 4096) {
        const int rc = ::poll(&p, 1, kReadyTimeoutMs);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0)
            break;
        const ssize_t n = ::read(status[0], buf, sizeof buf);
        if (n <= 0)
            break;
        reply.append(buf, std::size_t(n));
    }
    ::close(status[0]);
    if (reply.rfind("ready", 0) != 0) {
        kill(-pid, SIGKILL);
        waitpid(pid, nullptr, 0);
        ::close(control[1]);
        const std::string why
            = reply.empty() ? std::string("it exited or did not answer") : reply.substr(0, reply.find('\n'));
        if (error)
            *error = QStringLiteral("process server: the forking helper did not start: %1")
                         .arg(QString::fromStdString(why));
        return false;
    }
    m_helperPid = pid;
    m_controlFd = control[1];
    return true;
}

void ProcessServer::stopServing()
{
    if (m_helperPid <= 0)
        return;
    const char quit = 'q';
    [[maybe_unused]] const ssize_t n = ::write(m_controlFd, &quit, 1);
    ::close(m_controlFd);
    m_controlFd = -1;
    if (!waitForExit(m_helperPid, kExitTimeoutMs))
        kill(m_helperPid, SIGKILL);
    // The helper has exited (a zombie until reaped below, so its group id cannot be
    // reused yet): anything left in its group is killed.
    kill(-m_helperPid, SIGKILL);
    while (waitpid(m_helperPid, nullptr, 0) < 0 && errno == EINTR) { }
    m_helperPid = -1;
}

// ---- the helper process -------------------------------------------------------

int forkingHttpServerHelperMain(int argc, char **argv)
{
    std::vector<std::string> args;
    pid_t parent = -1;
    for (int i = 1; i < argc; ++i) { // argv[0] is the helper's name
        const std::string a = argv[i];
        if (a.rfind("parent=", 0) == 0)
            parent = static_cast<pid_t>(std::atoi(a.c_str() + 7));
        else
            args.push_back(a);
    }
    std::string error;
    const auto config = ServerConfig::fromArgs(args, &error);
    if (!config) {
        writeLine(kStatusFd, "error: " + error);
        return 2;
    }
    // Die with the app, even if it is killed; then check it has not died already.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        return 1;

    void *mem = mmap(nullptr, sizeof(ServerCounters), PROT_READ | PROT_WRITE, MAP_SHARED, kCountersFd, 0);
    if (mem == MAP_FAILED) {
        writeLine(kStatusFd, std::string("error: cannot map the counters: ") + std::strerror(errno));
        return 1;
    }
    ::close(kCountersFd);
    auto *counters = static_cast<ServerCounters *>(mem); // constructed by the app

    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, nullptr);
    const int sigFd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
    if (sigFd < 0) {
        writeLine(kStatusFd, std::string("error: signalfd: ") + std::strerror(errno));
        return 1;
    }
    fcntl(kListenFd, F_SETFD, FD_CLOEXEC);
    fcntl(kControlFd, F_SETFD, FD_CLOEXEC);

    const HttpHandler handler(config->handler, "proclab-process");
    const int cap = config->effectiveMaxConnections();
    const std::string capText = "this process-per-connection server is at its cap of " + std::to_string(cap)
        + " connections (one process each); try again later";
    std::set<pid_t> children;

    auto reap = [&] {
        for (;;) {
            const pid_t done = waitpid(-1, nullptr, WNOHANG);
            if (done <= 0)
                return;
            children.erase(done);
        }
    };

    writeLine(kStatusFd, "ready");
    ::close(kStatusFd);

    bool stopping = false;
    while (!stopping) {
        pollfd p[3] = {{kListenFd, POLLIN, 0}, {kControlFd, POLLIN, 0}, {sigFd, POLLIN, 0}};
        // The timeout only backs up SIGCHLD: reaping never depends on it.
        const int rc = ::poll(p, 3, 1000);
        if (rc < 0 && errno != EINTR)
            break;
        if (p[1].revents)
            stopping = true; // a byte or EOF (the app closed its end, or died)
        if (p[2].revents & POLLIN) {
            signalfd_siginfo info;
            while (::read(sigFd, &info, sizeof info) == ssize_t(sizeof info)) { }
        }
        reap();
        if (stopping || !(p[0].revents & POLLIN))
            continue;
        for (int batch = 0; batch < kAcceptBatch; ++batch) { // then the control pipe gets its look
            const int fd = ::accept4(kListenFd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                    counters->acceptErrors.fetch_add(1, std::memory_order_relaxed);
                    netio::sleepUnlessStopped(kControlFd, 100);
                }
                break;
            }
            if (static_cast<int>(children.size()) >= cap) {
                reap();
                if (static_cast<int>(children.size()) >= cap) {
                    netio::rejectAtCap(fd, handler, capText, *counters);
                    continue;
                }
            }
            // Counted before the fork: the child may answer its client before the parent runs
            // again, and a client that saw the answer must also see the process counted.
            counters->workersStarted.fetch_add(1, std::memory_order_relaxed);
            const pid_t child = fork();
            if (child == 0) {
                // The child: this process was single-threaded, so ordinary code is fine here.
                sigprocmask(SIG_UNBLOCK, &chld, nullptr);
                ::close(kListenFd);
                ::close(kControlFd);
                ::close(sigFd);
                prctl(PR_SET_PDEATHSIG, SIGKILL); // dies with the helper
                {
                    BlockingConnection::Context ctx;
                    ctx.handler = &handler;
                    ctx.limits = &config->limits;
                    ctx.counters = counters;
                    ctx.stopFd = -1; // the helper stops children with SIGKILL
                    BlockingConnection connection(fd, ctx);
                    connection.serve();
                }
                _exit(0);
            }
            if (child < 0) {
                counters->workersStarted.fetch_sub(1, std::memory_order_relaxed);
                netio::rejectAtCap(fd, handler,
                    "the system refused to start another process for this connection", *counters);
                continue;
            }
            ::close(fd);
            children.insert(child);
        }
    }

    for (pid_t child : children)
        kill(child, SIGKILL);
    for (pid_t child : children) {
        while (waitpid(child, nullptr, 0) < 0 && errno == EINTR) { }
    }
    ::close(kListenFd);
    ::close(kControlFd);
    ::close(sigFd);
    return 0;
}

} // namespace proclab
