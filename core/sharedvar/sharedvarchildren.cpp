#include "sharedvarchildren.h"

#include "sharedvarchild.h"

#include "common/clock.h"
#include "common/errortext.h"
#include "common/helpermode.h"

#include <algorithm>
#include <cerrno>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace proclab {

namespace {

/// The first line the fork server wrote on its standard error, for a one-line message.
QString forkServerSaid(HelperProcess &server)
{
    const QString said = server.errorOutput().section(QLatin1Char('\n'), 0, 0).trimmed();
    return said.isEmpty() ? QString() : QStringLiteral(": ") + said.left(200);
}

} // namespace

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
    m_forked = !plan.spawn;
    m_forkParentValue.reset();
    if (m_forked)
        return startForkServer(plan, t0Ns, error);
    for (int p = 0; p < processes; ++p) {
        int pipeFds[2];
        if (::pipe2(pipeFds, O_CLOEXEC) != 0) {
            *error = QStringLiteral("pipe() failed: %1").arg(lastErrorText());
            return false;
        }
        const pid_t pid = spawnChild(plan, p, pipeFds[1], t0Ns, error);
        ::close(pipeFds[1]);
        if (pid < 0) {
            ::close(pipeFds[0]);
            return false;
        }
        m_fds[std::size_t(p)] = pipeFds[0];
        m_pids[std::size_t(p)] = pid;
        ++m_open;
    }
    return true;
}

bool SharedVarChildren::startForkServer(const SharedVarPlan &plan, std::int64_t t0Ns, QString *error)
{
    const int processes = static_cast<int>(plan.sleepsNs.size());
    // One pipe per child; the server gets the write ends and each child keeps its own.
    std::vector<int> writeEnds;
    auto closeWriteEnds = [&writeEnds] {
        for (int fd : writeEnds)
            ::close(fd);
        writeEnds.clear();
    };
    for (int p = 0; p < processes; ++p) {
        int pipeFds[2];
        if (::pipe2(pipeFds, O_CLOEXEC) != 0) {
            *error = QStringLiteral("pipe() failed: %1").arg(lastErrorText());
            closeWriteEnds();
            reapAll(true);
            return false;
        }
        m_fds[std::size_t(p)] = pipeFds[0];
        ++m_open;
        writeEnds.push_back(pipeFds[1]);
    }
    m_forkServer = std::make_unique<HelperProcess>();
    QString why;
    const bool started = m_forkServer->start(QString::fromLatin1(SharedVarForkServer::kName),
        SharedVarForkServer::arguments(plan, t0Ns), &why, {}, writeEnds);
    closeWriteEnds(); // from here on only the children hold them: a pipe ends when its child does
    if (!started) {
        m_forkServer.reset();
        reapAll(true);
        *error = QStringLiteral("cannot start the fork server: %1").arg(why);
        return false;
    }
    // Its first lines: one per child forked, then "forked N".
    const std::int64_t deadline = monotonicNs() + std::int64_t(kForkServerStartMs) * 1000000;
    QString failure;
    while (true) {
        const int leftMs = int(std::max<std::int64_t>(0, (deadline - monotonicNs()) / 1000000));
        QByteArray line;
        QString readError;
        const HelperProcess::Read read
            = m_forkServer->readLine(leftMs, &line, &readError, SharedVarForkServer::kMaxLineBytes);
        if (read == HelperProcess::Read::Data) {
            const std::optional<SharedVarForkServer::Line> got
                = SharedVarForkServer::parseLine(line, processes, &readError);
            if (!got) {
                failure = readError;
                break;
            }
            if (got->kind == SharedVarForkServer::Line::Kind::Forked)
                break;
            if (got->kind == SharedVarForkServer::Line::Kind::Error)
                failure = QStringLiteral("the fork server: %1").arg(got->text); // it goes on to "forked"
            else
                applyForkServerLine(*got);
            continue;
        }
        if (read == HelperProcess::Read::Timeout)
            failure = QStringLiteral("the fork server did not fork the children within %1 s")
                          .arg(kForkServerStartMs / 1000);
        else if (read == HelperProcess::Read::Closed) {
            m_forkServer->waitExit(1000);
            const QString said = forkServerSaid(*m_forkServer);
            failure = QStringLiteral("the fork server ended before it forked the children (%1)%2")
                          .arg(m_forkServer->exitText(), said);
        } else if (read == HelperProcess::Read::TooLong)
            failure = QStringLiteral("the fork server sent a line longer than %1 bytes")
                          .arg(SharedVarForkServer::kMaxLineBytes);
        else
            failure = readError;
        break;
    }
    if (!failure.isEmpty()) {
        *error = failure;
        return false;
    }
    return true;
}

void SharedVarChildren::applyForkServerLine(const SharedVarForkServer::Line &line)
{
    using Kind = SharedVarForkServer::Line::Kind;
    if (line.kind == Kind::Child)
        m_pids[std::size_t(line.process)] = pid_t(line.value);
    else if (line.kind == Kind::Reaped)
        m_reaped[std::size_t(line.process)] = true;
    else if (line.kind == Kind::Parent)
        m_forkParentValue = line.value;
}

bool SharedVarChildren::readForkServer(int timeoutMs)
{
    const int processes = int(m_pids.size());
    const std::int64_t deadline = monotonicNs() + std::int64_t(timeoutMs) * 1000000;
    while (true) {
        const int leftMs = int(std::max<std::int64_t>(0, (deadline - monotonicNs()) / 1000000));
        QByteArray line;
        QString readError;
        switch (m_forkServer->readLine(leftMs, &line, &readError, SharedVarForkServer::kMaxLineBytes)) {
        case HelperProcess::Read::Data:
            if (const auto got = SharedVarForkServer::parseLine(line, processes, &readError))
                applyForkServerLine(*got);
            else
                return false;
            break;
        case HelperProcess::Read::Closed:
            return true;
        case HelperProcess::Read::Timeout:
        case HelperProcess::Read::TooLong:
        case HelperProcess::Read::Failed:
            return false;
        }
    }
}

void SharedVarChildren::reapForkServer(bool kill)
{
    if (!m_forkServer)
        return;
    // The server reaps its children and says so; its input ending tells it to kill them first.
    if (kill)
        m_forkServer->closeInput();
    bool ended = readForkServer(kill ? 3000 : 10000);
    if (!ended && !kill) {
        m_forkServer->closeInput();
        ended = readForkServer(3000);
    }
    if (ended)
        m_forkServer->waitExit(1000);
    // When it did not end (hung, or malformed output): its whole group, children included.
    m_forkServer->kill();
    m_forkServer.reset();
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
    for (std::size_t p = 0; p < m_fds.size(); ++p) {
        if (m_fds[p] >= 0) {
            ::close(m_fds[p]);
            m_fds[p] = -1;
            --m_open;
        }
    }
    if (m_forked) {
        // The fork server's children: only it may wait for them (or signal them, their pids
        // could be another process's once it reaped them).
        reapForkServer(kill);
        return;
    }
    for (std::size_t p = 0; p < m_pids.size(); ++p) {
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
