#include "helperprocess.h"

#include "clock.h"
#include "errortext.h"
#include "helpermode.h"

#include <cerrno>
#include <climits>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace proclab {

namespace {

constexpr int kMaxErrorBytes = 4096;

/// Milliseconds left until @p deadlineNs (0 when passed), for poll().
int msLeft(std::int64_t deadlineNs)
{
    const std::int64_t left = deadlineNs - monotonicNs();
    if (left <= 0)
        return 0;
    return int(std::min<std::int64_t>(INT_MAX, (left + 999999) / 1000000));
}

void closeFd(int *fd)
{
    if (*fd >= 0)
        ::close(*fd);
    *fd = -1;
}

} // namespace

HelperProcess::~HelperProcess()
{
    kill();
}

bool HelperProcess::start(const QString &helper, const QStringList &args, QString *error,
    const QStringList &prefix, const std::vector<int> &extraFds)
{
    if (m_pid > 0) {
        *error = QStringLiteral("helper '%1' is already started").arg(helper);
        return false;
    }
    // Each extra descriptor is first copied above every target number, so that placing one
    // at 3, 4, ... in the helper can never overwrite another still to be placed.
    const int extraCount = int(extraFds.size());
    std::vector<int> high;
    auto closeHigh = [&high] {
        for (int fd : high)
            ::close(fd);
        high.clear();
    };
    for (int fd : extraFds) {
        const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, kFirstExtraFd + extraCount);
        if (copy < 0) {
            *error = QStringLiteral("cannot pass descriptor %1 to helper '%2': %3")
                         .arg(fd)
                         .arg(helper, lastErrorText());
            closeHigh();
            return false;
        }
        high.push_back(copy);
    }
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) != 0) {
        *error = QStringLiteral("pipe() failed: %1").arg(lastErrorText());
        closeHigh();
        return false;
    }
    if (::pipe2(out, O_CLOEXEC) != 0) {
        *error = QStringLiteral("pipe() failed: %1").arg(lastErrorText());
        ::close(in[0]);
        ::close(in[1]);
        closeHigh();
        return false;
    }
    if (::pipe2(err, O_CLOEXEC) != 0) {
        *error = QStringLiteral("pipe() failed: %1").arg(lastErrorText());
        for (int fd : {in[0], in[1], out[0], out[1]})
            ::close(fd);
        closeHigh();
        return false;
    }

    std::vector<std::string> strings;
    for (const QString &p : prefix)
        strings.push_back(p.toStdString());
    for (std::string &s : helperArguments(helper, args))
        strings.push_back(std::move(s));
    std::vector<char *> argv = argvPointers(strings);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    // dup2 clears close-on-exec on the target: exactly these three and the extra ones reach the
    // helper (a descriptor another thread opened without close-on-exec is closed in it too).
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    for (int i = 0; i < extraCount; ++i)
        posix_spawn_file_actions_adddup2(&actions, high[std::size_t(i)], kFirstExtraFd + i);
    posix_spawn_file_actions_addclosefrom_np(&actions, kFirstExtraFd + extraCount);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    // A prefix program is looked up in PATH; the helper itself is /proc/self/exe resolved.
    const int rc = prefix.isEmpty() ? posix_spawn(&m_pid, argv[0], &actions, &attr, argv.data(), environ)
                                    : posix_spawnp(&m_pid, argv[0], &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    closeHigh();
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    m_in = in[1];
    m_out = out[0];
    m_err = err[0];
    if (rc != 0) {
        m_pid = -1;
        closeAll();
        *error = QStringLiteral("cannot start %1: %2")
                     .arg(prefix.isEmpty() ? QStringLiteral("helper '%1'").arg(helper) : prefix.front(),
                         errnoText(rc));
        return false;
    }
    m_reaped = false;
    m_status = 0;
    m_buffer.clear();
    m_errors.clear();
    // Standard error is only drained when it has something, never waited for.
    ::fcntl(m_err, F_SETFL, ::fcntl(m_err, F_GETFL) | O_NONBLOCK);
    return true;
}

bool HelperProcess::write(const QByteArray &data, int timeoutMs, QString *error)
{
    if (m_in < 0) {
        *error = QStringLiteral("the helper's input is closed");
        return false;
    }
    // Block SIGPIPE on this thread while writing: a helper that ended gives EPIPE instead.
    sigset_t pipeSet, old;
    sigemptyset(&pipeSet);
    sigaddset(&pipeSet, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipeSet, &old);
    const std::int64_t deadline = monotonicNs() + std::int64_t(timeoutMs) * 1000000;
    qsizetype done = 0;
    bool ok = true;
    while (done < data.size()) {
        pollfd pfd {m_in, POLLOUT, 0};
        const int ready = ::poll(&pfd, 1, msLeft(deadline));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0) {
            *error = ready == 0
                ? QStringLiteral("the helper does not read its input (timed out after %1 ms)").arg(timeoutMs)
                : QStringLiteral("poll() failed: %1").arg(lastErrorText());
            ok = false;
            break;
        }
        const ssize_t n = ::write(m_in, data.constData() + done, std::size_t(data.size() - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            *error = QStringLiteral("writing to the helper failed: %1").arg(lastErrorText());
            ok = false;
            break;
        }
        done += n;
    }
    // Consume a SIGPIPE raised while blocked, so it does not fire when unblocked.
    sigset_t pending;
    sigpending(&pending);
    if (sigismember(&pending, SIGPIPE)) {
        const timespec zero {0, 0};
        sigtimedwait(&pipeSet, nullptr, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return ok;
}

void HelperProcess::closeInput()
{
    closeFd(&m_in);
}

HelperProcess::Read HelperProcess::readLine(int timeoutMs, QByteArray *line, QString *error, int maxLength)
{
    const std::int64_t deadline = monotonicNs() + std::int64_t(timeoutMs) * 1000000;
    while (true) {
        const qsizetype nl = m_buffer.indexOf('\n');
        if (nl >= 0) {
            if (nl > maxLength)
                return Read::TooLong;
            *line = m_buffer.left(nl);
            m_buffer.remove(0, nl + 1);
            return Read::Data;
        }
        if (m_buffer.size() > maxLength)
            return Read::TooLong;
        if (m_out < 0)
            return Read::Closed;
        pollfd pfd {m_out, POLLIN, 0};
        const int ready = ::poll(&pfd, 1, msLeft(deadline));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0) {
            *error = QStringLiteral("poll() failed: %1").arg(lastErrorText());
            return Read::Failed;
        }
        if (ready == 0)
            return Read::Timeout;
        char chunk[4096];
        const ssize_t n = ::read(m_out, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            *error = QStringLiteral("reading from the helper failed: %1").arg(lastErrorText());
            return Read::Failed;
        }
        if (n == 0) {
            closeFd(&m_out);
            drainErrors();
            continue; // a last line without its newline is not a line: Closed next round
        }
        m_buffer.append(chunk, n);
    }
}

HelperProcess::Read HelperProcess::readExactly(int bytes, int timeoutMs, QByteArray *data, QString *error)
{
    const std::int64_t deadline = monotonicNs() + std::int64_t(timeoutMs) * 1000000;
    while (m_buffer.size() < bytes) {
        if (m_out < 0)
            return Read::Closed;
        pollfd pfd {m_out, POLLIN, 0};
        const int ready = ::poll(&pfd, 1, msLeft(deadline));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0) {
            *error = QStringLiteral("poll() failed: %1").arg(lastErrorText());
            return Read::Failed;
        }
        if (ready == 0)
            return Read::Timeout;
        char chunk[4096];
        const ssize_t n
            = ::read(m_out, chunk, std::min<std::size_t>(sizeof chunk, std::size_t(bytes - m_buffer.size())));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            *error = QStringLiteral("reading from the helper failed: %1").arg(lastErrorText());
            return Read::Failed;
        }
        if (n == 0) {
            closeFd(&m_out);
            return Read::Closed;
        }
        m_buffer.append(chunk, n);
    }
    *data = m_buffer.left(bytes);
    m_buffer.remove(0, bytes);
    return Read::Data;
}

void HelperProcess::drainErrors()
{
    if (m_err < 0)
        return;
    char chunk[1024];
    while (true) {
        const ssize_t n = ::read(m_err, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                closeFd(&m_err);
            return;
        }
        if (m_errors.size() < kMaxErrorBytes)
            m_errors.append(chunk, std::min<qsizetype>(n, kMaxErrorBytes - m_errors.size()));
    }
}

QString HelperProcess::errorOutput()
{
    drainErrors();
    return QString::fromLocal8Bit(m_errors).trimmed();
}

bool HelperProcess::tryReap()
{
    if (m_pid <= 0 || m_reaped)
        return true;
    int status = 0;
    const pid_t r = ::waitpid(m_pid, &status, WNOHANG);
    if (r == m_pid) {
        m_reaped = true;
        m_status = status;
    }
    return m_reaped;
}

bool HelperProcess::waitExit(int timeoutMs)
{
    if (m_pid <= 0 || tryReap())
        return true;
    const std::int64_t deadline = monotonicNs() + std::int64_t(timeoutMs) * 1000000;
    // A pidfd becomes readable when the child ends: no polling loop.
    // The system call itself: glibc 2.36's wrapper is declared without C linkage.
    const int pidFd = int(::syscall(SYS_pidfd_open, m_pid, 0));
    while (!tryReap()) {
        const int left = msLeft(deadline);
        if (left <= 0)
            break;
        if (pidFd >= 0) {
            pollfd pfd {pidFd, POLLIN, 0};
            const int ready = ::poll(&pfd, 1, left);
            if (ready < 0 && errno != EINTR)
                break;
        } else {
            const timespec shortWait {0, 2000000};
            ::nanosleep(&shortWait, nullptr);
        }
    }
    if (pidFd >= 0)
        ::close(pidFd);
    if (m_reaped)
        drainErrors();
    return m_reaped;
}

void HelperProcess::kill()
{
    if (m_pid > 0 && !tryReap()) {
        // The whole group: a helper started through a wrapper program goes too.
        ::kill(-m_pid, SIGKILL);
        ::kill(m_pid, SIGKILL);
        int status = 0;
        while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) { }
        m_reaped = true;
        m_status = status;
    }
    drainErrors();
    closeAll();
}

void HelperProcess::closeAll()
{
    closeFd(&m_in);
    closeFd(&m_out);
    closeFd(&m_err);
}

QString HelperProcess::exitText() const
{
    if (m_pid <= 0)
        return QStringLiteral("not started");
    if (!m_reaped)
        return QStringLiteral("running");
    if (WIFEXITED(m_status))
        return QStringLiteral("exited with status %1").arg(WEXITSTATUS(m_status));
    if (WIFSIGNALED(m_status))
        return QStringLiteral("ended by signal %1").arg(WTERMSIG(m_status));
    return QStringLiteral("ended");
}

int HelperProcess::exitCode() const
{
    return m_reaped && WIFEXITED(m_status) ? WEXITSTATUS(m_status) : -1;
}

} // namespace proclab
