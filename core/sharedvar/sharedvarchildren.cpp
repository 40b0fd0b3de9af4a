#include "sharedvarchildren.h"

#include "sharedvarchild.h"

#include "common/errortext.h"
#include "common/helpermode.h"

#include <cerrno>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace proclab {

SharedVarChildren::~SharedVarChildren()
{
    reapAll(true);
}

bool SharedVarChildren::start(const SharedVarPlan &plan, std::int64_t t0Ns, QString *error)
{
    const int processes = static_cast<int>(plan.sleepsNs.size());
    m_pids.assign(std::size_t(processes), -1);
    m_fds.assign(std::size_t(processes), -1);
    m_buffers.assign(std::size_t(processes), SharedVarReportBuffer {});
    m_reaped.assign(std::size_t(processes), false);
    m_open = 0;
    for (int p = 0; p < processes; ++p) {
        int pipeFds[2];
        if (::pipe2(pipeFds, O_CLOEXEC) != 0) {
            *error = QStringLiteral("pipe() failed: %1").arg(lastErrorText());
            return false;
        }
        if (plan.spawn) {
            const pid_t pid = spawnChild(plan, p, pipeFds[1], t0Ns, error);
            ::close(pipeFds[1]);
            if (pid < 0) {
                ::close(pipeFds[0]);
                return false;
            }
            m_fds[std::size_t(p)] = pipeFds[0];
            m_pids[std::size_t(p)] = pid;
            ++m_open;
            continue;
        }
        const pid_t pid = ::fork();
        if (pid < 0) {
            *error = QStringLiteral("fork() failed: %1").arg(lastErrorText());
            ::close(pipeFds[0]);
            ::close(pipeFds[1]);
            return false;
        }
        if (pid == 0) {
            ::close(pipeFds[0]);
            for (int q = 0; q < p; ++q)
                ::close(m_fds[std::size_t(q)]);
            SharedVarChild::run(pipeFds[1], plan.sleepsNs[std::size_t(p)], t0Ns);
        }
        ::close(pipeFds[1]);
        m_fds[std::size_t(p)] = pipeFds[0];
        m_pids[std::size_t(p)] = pid;
        ++m_open;
    }
    return true;
}

pid_t SharedVarChildren::spawnChild(
    const SharedVarPlan &plan, int p, int writeFd, std::int64_t t0Ns, QString *error)
{
    // The child gets the pipe's write end at a fixed descriptor (every other descriptor of
    // this process is close-on-exec) and its start value and sleeps on the command line.
    const int childFd = writeFd == kSpawnedReportFd ? kSpawnedReportFd + 1 : kSpawnedReportFd;
    QStringList args {
        QString::number(childFd), QString::number(plan.childInitial[std::size_t(p)]), QString::number(t0Ns)};
    for (const std::int64_t s : plan.sleepsNs[std::size_t(p)])
        args << QString::number(s);
    std::vector<std::string> argStrings = helperArguments(QString::fromLatin1(kSpawnedChildHelper), args);
    std::vector<char *> argv = argvPointers(argStrings);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, writeFd, childFd);
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        *error = QStringLiteral("posix_spawn(%1) failed: %2")
                     .arg(QString::fromStdString(argStrings[0]), errnoText(rc));
        return -1;
    }
    return pid;
}

SharedVarChildren::Next SharedVarChildren::next(int timeoutMs, SharedVarEvent *event, QString *error)
{
    std::vector<pollfd> pfds;
    std::vector<int> which;
    for (std::size_t p = 0; p < m_fds.size(); ++p) {
        if (m_fds[p] >= 0) {
            pfds.push_back(pollfd {m_fds[p], POLLIN, 0});
            which.push_back(int(p));
        }
    }
    const int ready = ::poll(pfds.data(), pfds.size(), timeoutMs);
    if (ready < 0 && errno != EINTR) {
        *error = QStringLiteral("poll() failed: %1").arg(lastErrorText());
        return Next::Failed;
    }
    for (std::size_t i = 0; i < pfds.size(); ++i) {
        if (!(pfds[i].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        const std::size_t p = std::size_t(which[i]);
        SharedVarReportBuffer &buffer = m_buffers[p];
        const ssize_t n = ::read(m_fds[p], buffer.space(), buffer.spaceLeft());
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            ::close(m_fds[p]);
            m_fds[p] = -1;
            --m_open;
            continue;
        }
        if (const std::optional<SharedVarReport> report = buffer.add(std::size_t(n))) {
            *event = report->toEvent(int(p));
            return Next::Event; // one report per call, so that stepping shows one event
        }
    }
    return Next::Nothing;
}

void SharedVarChildren::reapAll(bool kill)
{
    for (std::size_t p = 0; p < m_pids.size(); ++p) {
        if (m_fds[p] >= 0) {
            ::close(m_fds[p]);
            m_fds[p] = -1;
            --m_open;
        }
        const pid_t pid = m_pids[p];
        if (pid <= 0 || m_reaped[p])
            continue;
        if (kill)
            ::kill(pid, SIGKILL);
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) { }
        m_reaped[p] = true;
    }
}

} // namespace proclab
