#include "sharedvarforkserver.h"

#include "sharedvarchild.h"

#include "common/helpermode.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

namespace proclab {

namespace {

/// In the server: one line to the app, written whole.
void forkServerLine(const char *text)
{
    std::string line(text);
    line += '\n';
    const char *p = line.data();
    std::size_t left = line.size();
    while (left > 0) {
        const ssize_t n = ::write(STDOUT_FILENO, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; // the app went away; the server dies with it (PR_SET_PDEATHSIG)
        p += n;
        left -= std::size_t(n);
    }
}

int forkServerUsage(const char *why)
{
    std::fprintf(stderr,
        "%s: %s (expected START T0_NS SLEEPS... with 1 to %d children, each 1 to %d sleeps in ns "
        "separated by commas)\n",
        SharedVarForkServer::kName, why, SharedVarForkServer::kMaxChildren, SharedVarForkServer::kMaxThreads);
    return 2;
}

/// A child's sleeps, "NS,NS,...", or an empty list when malformed.
std::vector<std::int64_t> forkServerSleeps(const char *text)
{
    std::vector<std::int64_t> sleeps;
    std::string all(text);
    std::size_t from = 0;
    while (true) {
        const std::size_t comma = all.find(',', from);
        const std::string one
            = all.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
        // At most an hour: the engine asks for 20 s at most, the tests for minutes (a stop kills them).
        const auto ns = helperIntegerArgument(one.c_str(), 0, std::int64_t(3600) * 1000000000);
        if (!ns || int(sleeps.size()) == SharedVarForkServer::kMaxThreads)
            return {};
        sleeps.push_back(*ns);
        if (comma == std::string::npos)
            return sleeps;
        from = comma + 1;
    }
}

} // namespace

QStringList SharedVarForkServer::arguments(const SharedVarPlan &plan, std::int64_t t0Ns)
{
    QStringList args {QString::number(plan.initial), QString::number(t0Ns)};
    for (const std::vector<std::int64_t> &sleeps : plan.sleepsNs) {
        QStringList one;
        for (const std::int64_t s : sleeps)
            one << QString::number(s);
        args << one.join(QLatin1Char(','));
    }
    return args;
}

std::optional<SharedVarForkServer::Line> SharedVarForkServer::parseLine(
    const QByteArray &line, int children, QString *error)
{
    auto malformed = [&]() -> std::optional<Line> {
        QString shown = QString::fromUtf8(line.left(80));
        for (QChar &c : shown) {
            if (c.unicode() < 0x20)
                c = QLatin1Char('?');
        }
        *error = QStringLiteral("the fork server sent a malformed line: '%1'").arg(shown);
        return std::nullopt;
    };
    const QList<QByteArray> words = line.split(' ');
    const QByteArray &word = words.front();
    Line out;
    if (word == "error" && words.size() >= 2) {
        out.kind = Line::Kind::Error;
        out.text = QString::fromUtf8(line.mid(6)).trimmed();
        return out;
    }
    auto number = [&](int i, std::int64_t min, std::int64_t max) {
        return i < words.size() ? helperIntegerArgument(words[i].constData(), min, max) : std::nullopt;
    };
    if (word == "child" && words.size() == 3) {
        const auto p = number(1, 0, children - 1);
        const auto pid = number(2, 1, INT32_MAX);
        if (!p || !pid)
            return malformed();
        out.kind = Line::Kind::Child;
        out.process = int(*p);
        out.value = *pid;
        return out;
    }
    if (word == "forked" && words.size() == 2) {
        const auto n = number(1, 0, children);
        if (!n)
            return malformed();
        out.kind = Line::Kind::Forked;
        out.value = *n;
        return out;
    }
    if (word == "reaped" && words.size() == 3) {
        const auto p = number(1, 0, children - 1);
        const auto status = number(2, 0, INT32_MAX);
        if (!p || !status)
            return malformed();
        out.kind = Line::Kind::Reaped;
        out.process = int(*p);
        out.value = *status;
        return out;
    }
    if (word == "parent" && words.size() == 2) {
        const auto value = number(1, INT64_MIN, INT64_MAX);
        if (!value)
            return malformed();
        out.kind = Line::Kind::Parent;
        out.value = *value;
        return out;
    }
    return malformed();
}

int SharedVarForkServer::main(int argc, char **argv)
{
    // Dies with the engine thread that started it; its children die with it in turn.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    // argv[0] is the helper's name: then the start value, t0 and one list of sleeps per child.
    if (argc < 4 || argc > 3 + kMaxChildren)
        return forkServerUsage("wrong number of arguments");
    const auto start = helperIntegerArgument(argv[1], -1000000, 1000000);
    const auto t0 = helperIntegerArgument(argv[2], 0, INT64_MAX);
    if (!start || !t0)
        return forkServerUsage("bad start value or start time");
    const int children = argc - 3;
    std::vector<std::vector<std::int64_t>> sleeps;
    for (int i = 3; i < argc; ++i) {
        sleeps.push_back(forkServerSleeps(argv[i]));
        if (sleeps.back().empty())
            return forkServerUsage("bad sleeps");
    }
    for (int p = 0; p < children; ++p) {
        if (::fcntl(kFirstReportFd + p, F_GETFD) < 0)
            return forkServerUsage("a child's report descriptor is not open");
    }

    // The process the children are copies of: it holds shared_x at the start value, as the
    // slides' program does before it calls fork().
    SharedVarChild::setValue(*start);

    // SIGCHLD through a descriptor, so that one poll() waits for a child's end and for the app.
    sigset_t childSignal, oldMask;
    sigemptyset(&childSignal);
    sigaddset(&childSignal, SIGCHLD);
    sigprocmask(SIG_BLOCK, &childSignal, &oldMask);
    const int signalFd = ::signalfd(-1, &childSignal, SFD_CLOEXEC);
    if (signalFd < 0) {
        std::fprintf(stderr, "%s: signalfd() failed: %s\n", kName, std::strerror(errno));
        return 1;
    }

    char text[kMaxLineBytes];
    std::vector<pid_t> pids(std::size_t(children), -1);
    int forked = 0;
    for (int p = 0; p < children; ++p) {
        const pid_t pid = ::fork();
        if (pid < 0) {
            std::snprintf(text, sizeof text, "error fork() failed: %s", std::strerror(errno));
            forkServerLine(text);
            break;
        }
        if (pid == 0) {
            // The child keeps only its own report pipe (and standard error): the app sees the
            // end of another child's pipe, and of the server's output, when that one ends.
            sigprocmask(SIG_SETMASK, &oldMask, nullptr);
            ::close(signalFd);
            ::close(STDIN_FILENO);
            ::close(STDOUT_FILENO);
            for (int q = p + 1; q < children; ++q)
                ::close(kFirstReportFd + q);
            SharedVarChild::run(kFirstReportFd + p, sleeps[std::size_t(p)], *t0);
        }
        ::close(kFirstReportFd + p);
        pids[std::size_t(p)] = pid;
        ++forked;
        std::snprintf(text, sizeof text, "child %d %d", p, int(pid));
        forkServerLine(text);
    }
    for (int p = forked; p < children; ++p)
        ::close(kFirstReportFd + p); // never forked: the app sees its pipe end
    std::snprintf(text, sizeof text, "forked %d", forked);
    forkServerLine(text);

    int running = forked;
    bool killed = false;
    auto killRunning = [&] {
        for (int p = 0; p < forked; ++p) {
            if (pids[std::size_t(p)] > 0)
                ::kill(pids[std::size_t(p)], SIGKILL);
        }
        killed = true;
    };
    while (running > 0) {
        pollfd fds[2] = {{signalFd, POLLIN, 0}, {killed ? -1 : STDIN_FILENO, POLLIN, 0}};
        const int ready = ::poll(fds, 2, -1);
        if (ready < 0 && errno != EINTR) {
            // Cannot wait for both: end the children now and collect them below.
            killRunning();
        } else if (ready > 0) {
            if (fds[1].revents != 0)
                killRunning(); // the app's input ended or it asks to stop
            if (fds[0].revents & POLLIN) {
                signalfd_siginfo info;
                [[maybe_unused]] const ssize_t n = ::read(signalFd, &info, sizeof info);
            }
        }
        // Signals merge: collect every child that ended, not one per signal.
        int status = 0;
        pid_t done = 0;
        while (running > 0 && (done = ::waitpid(-1, &status, killed && ready < 0 ? 0 : WNOHANG)) > 0) {
            for (int p = 0; p < forked; ++p) {
                if (pids[std::size_t(p)] == done) {
                    pids[std::size_t(p)] = -1;
                    --running;
                    std::snprintf(text, sizeof text, "reaped %d %d", p, status);
                    forkServerLine(text);
                }
            }
        }
        if (done < 0 && errno == ECHILD)
            break; // no child left to wait for (none can be missed: every one was ours)
    }
    ::close(signalFd);
    // Its own copy: the children's increments never reach it.
    std::snprintf(text, sizeof text, "parent %lld", static_cast<long long>(SharedVarChild::value()));
    forkServerLine(text);
    return 0;
}

} // namespace proclab
