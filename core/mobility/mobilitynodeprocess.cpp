#include "mobilitynodeprocess.h"

#include "mobilitynode.h"

#include "common/errortext.h"
#include "common/helpermode.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace proclab::mobility {

using Clock = std::chrono::steady_clock;

int mobilityNodeHelperMain(int, char **)
{
    MobilityNodeOptions options;
    QStringList errors;
    options.repository.loadDirectory(QStringLiteral(":/mobility/programs"), options.limits, &errors);
    for (const QString &e : errors)
        std::fprintf(stderr, "mobility node: %s\n", qPrintable(e));
    MobilityNode node(options);
    QString error;
    if (!node.start(&error)) {
        std::fprintf(stderr, "mobility node: %s\n", qPrintable(error));
        return 1;
    }
    std::printf("port %u\n", unsigned(node.port()));
    std::fflush(stdout);
    // The parent closing our standard input is the request to stop: no signal handler needed,
    // and a parent that dies takes its node with it.
    char buffer[256];
    while (true) {
        const ssize_t n = ::read(0, buffer, sizeof buffer);
        if (n == 0 || (n < 0 && errno != EINTR))
            break;
    }
    node.stop();
    for (const QString &line : node.takeLog())
        std::printf("%s\n", qPrintable(line));
    std::printf("stopped\n");
    std::fflush(stdout);
    return 0;
}

MobilityNodeProcess::~MobilityNodeProcess()
{
    stop();
}

bool MobilityNodeProcess::start(std::chrono::milliseconds timeout, QString *error)
{
    auto fail = [&](const QString &message) {
        if (error)
            *error = message;
        stop();
        return false;
    };
    int in[2] = {-1, -1}, out[2] = {-1, -1};
    if (::pipe2(in, O_CLOEXEC) != 0)
        return fail(QStringLiteral("pipe: %1").arg(errnoText(errno)));
    if (::pipe2(out, O_CLOEXEC) != 0) {
        const int e = errno;
        ::close(in[0]);
        ::close(in[1]);
        return fail(QStringLiteral("pipe: %1").arg(errnoText(e)));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    std::vector<std::string> args = helperArguments(QString::fromLatin1(kMobilityNodeHelper));
    std::vector<char *> argv = argvPointers(args);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, args[0].c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    m_stdin = in[1];
    m_stdout = out[0];
    if (rc != 0)
        return fail(
            QStringLiteral("cannot start %1: %2").arg(QString::fromStdString(args[0]), errnoText(rc)));
    m_pid = pid;
    const QString first = readLine(Clock::now() + timeout);
    if (!first.startsWith(QStringLiteral("port ")))
        return fail(first.isNull()
                ? QStringLiteral("the node process did not say its port within %1 ms").arg(timeout.count())
                : QStringLiteral("the node process said \"%1\" instead of its port").arg(first));
    bool ok = false;
    const uint port = first.mid(5).toUInt(&ok);
    if (!ok || port == 0 || port > 65535)
        return fail(QStringLiteral("the node process gave a bad port: %1").arg(first));
    m_port = std::uint16_t(port);
    return true;
}

QString MobilityNodeProcess::readLine(Clock::time_point deadline)
{
    while (true) {
        const qsizetype newline = m_pending.indexOf('\n');
        if (newline >= 0) {
            const QString line = QString::fromUtf8(m_pending.left(newline));
            m_pending.remove(0, newline + 1);
            return line;
        }
        if (m_stdout < 0)
            return QString();
        const auto left
            = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0)
            return QString();
        pollfd p {m_stdout, POLLIN, 0};
        const int n = ::poll(&p, 1, int(std::min<long long>(left, 1000)));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            continue;
        char buffer[4096];
        const ssize_t got = ::read(m_stdout, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            ::close(m_stdout);
            m_stdout = -1;
            if (m_pending.isEmpty())
                return QString();
            const QString rest = QString::fromUtf8(m_pending);
            m_pending.clear();
            return rest;
        }
        // A node that prints without end is not a reason to grow without end.
        if (m_pending.size() < (1 << 20))
            m_pending.append(buffer, qsizetype(got));
    }
}

QStringList MobilityNodeProcess::stop(int *exitCode, std::chrono::milliseconds timeout)
{
    QStringList lines;
    if (m_stdin >= 0) {
        ::close(m_stdin);
        m_stdin = -1;
    }
    const auto deadline = Clock::now() + timeout;
    if (m_pid > 0) {
        while (true) {
            const QString line = readLine(deadline);
            if (line.isNull())
                break;
            lines << line;
        }
    }
    if (m_stdout >= 0) {
        ::close(m_stdout);
        m_stdout = -1;
    }
    m_pending.clear();
    if (m_pid > 0) {
        int status = 0;
        pid_t done = 0;
        // The node has closed its output (or the deadline passed): it is exiting or stuck.
        while ((done = ::waitpid(m_pid, &status, WNOHANG)) == 0 && Clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        if (done == 0) {
            ::kill(m_pid, SIGKILL);
            while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) { }
            lines << QStringLiteral("(the node process did not stop in time and was killed)");
            status = -1;
        }
        if (exitCode)
            *exitCode = (status >= 0 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
        m_pid = -1;
    } else if (exitCode) {
        *exitCode = -1;
    }
    m_port = 0;
    return lines;
}

} // namespace proclab::mobility
