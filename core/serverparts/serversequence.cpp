#include "serversequence.h"

#include <functional>

namespace proclab {

namespace {

// Finds the first event at or after index *from that matches, and moves *from past it.
const TimelineEvent *next(const std::vector<TimelineEvent> &events, std::size_t *from,
    const std::function<bool(const TimelineEvent &)> &match)
{
    for (std::size_t i = *from; i < events.size(); ++i) {
        if (match(events[i])) {
            *from = i + 1;
            return &events[i];
        }
    }
    return nullptr;
}

// Times relative to the first message; a step whose event is missing keeps -1.
void makeRelative(ServerSequence *s)
{
    std::int64_t origin = -1;
    for (const auto &m : s->messages) {
        if (m.timeNs >= 0 && (origin < 0 || m.timeNs < origin))
            origin = m.timeNs;
    }
    s->measured = origin >= 0;
    for (auto &m : s->messages) {
        if (m.timeNs >= 0)
            m.timeNs -= origin;
    }
}

} // namespace

ServerSequence ServerSequenceBuilder::daemonWay(
    const std::vector<TimelineEvent> &events, const QString &service)
{
    ServerSequence s;
    s.title = QStringLiteral("End-point daemon: look up, then connect");
    s.lanes = {QStringLiteral("client"), QStringLiteral("end-point daemon"),
        QStringLiteral("service %1 (thread)").arg(service)};
    const QString actor = QStringLiteral("service %1").arg(service);
    std::size_t at = 0;
    auto t = [](const TimelineEvent *e) { return e ? e->timeNs : std::int64_t(-1); };

    const TimelineEvent *listen
        = next(events, &at, [&](const TimelineEvent &e) { return e.actor == actor && e.kind == "listen"; });
    const std::int64_t port = listen ? listen->value : 0;
    const QString portText = port > 0 ? QString::number(port) : QStringLiteral("N");
    s.messages.push_back({2, 2, QStringLiteral("listen on port %1").arg(portText),
        QStringLiteral("The service asks the OS for any free port: nobody can know it in advance."),
        t(listen)});
    const TimelineEvent *reg = next(events, &at,
        [&](const TimelineEvent &e) { return e.actor == actor && e.kind == "register-request"; });
    s.messages.push_back({2, 1, QStringLiteral("REGISTER %1 %2").arg(service, portText),
        QStringLiteral("It tells the end-point daemon, which listens on a port everyone knows."), t(reg)});
    const TimelineEvent *stored = next(events, &at, [&](const TimelineEvent &e) {
        return e.actor == "daemon" && e.kind == "register" && e.detail.startsWith(service + QLatin1Char(' '));
    });
    s.messages.push_back({1, 1, QStringLiteral("table: %1 -> %2").arg(service, portText),
        QStringLiteral("The daemon keeps a table of names and ports (as the portmapper does)."), t(stored)});
    const TimelineEvent *lookup = next(events, &at, [&](const TimelineEvent &e) {
        return e.actor == "client" && e.kind == "lookup-request"
            && e.detail == QStringLiteral("LOOKUP ") + service;
    });
    s.messages.push_back({0, 1, QStringLiteral("LOOKUP %1").arg(service),
        QStringLiteral("A client first asks the daemon where the service is."), t(lookup)});
    const TimelineEvent *reply = next(
        events, &at, [&](const TimelineEvent &e) { return e.actor == "client" && e.kind == "lookup-reply"; });
    s.messages.push_back({1, 0, QStringLiteral("PORT %1").arg(portText),
        QStringLiteral("One extra round trip before the real connection."), t(reply)});
    const TimelineEvent *connect = next(events, &at, [&](const TimelineEvent &e) {
        return e.actor == "client" && e.kind == "connect" && e.value == port;
    });
    s.messages.push_back({0, 2, QStringLiteral("connect to port %1").arg(portText),
        QStringLiteral("Now the client connects to the service itself."), t(connect)});
    const TimelineEvent *greeting = next(
        events, &at, [&](const TimelineEvent &e) { return e.actor == "client" && e.kind == "greeting"; });
    s.messages.push_back({2, 0, QStringLiteral("HELLO (pid %1)").arg(greeting ? greeting->value : 0),
        QStringLiteral("The service already runs: a thread of a process that was started long before."),
        t(greeting)});
    const TimelineEvent *closed = next(
        events, &at, [&](const TimelineEvent &e) { return e.actor == "client" && e.kind == "closed"; });
    s.messages.push_back({0, 2, QStringLiteral("request line, answer, close"),
        QStringLiteral("The exchange itself; the service keeps running for the next client."), t(closed)});
    makeRelative(&s);
    return s;
}

ServerSequence ServerSequenceBuilder::superServerWay(
    const std::vector<TimelineEvent> &events, const QString &service)
{
    ServerSequence s;
    s.title = QStringLiteral("Superserver: one handler process per connection");
    s.lanes = {QStringLiteral("client"), QStringLiteral("superserver"), QStringLiteral("handler process")};
    std::size_t at = 0;
    auto t = [](const TimelineEvent *e) { return e ? e->timeNs : std::int64_t(-1); };

    const TimelineEvent *listen = next(events, &at, [&](const TimelineEvent &e) {
        return e.actor == "superserver" && e.kind == "listen"
            && e.detail.startsWith(service + QLatin1Char(' '));
    });
    const std::int64_t port = listen ? listen->value : 0;
    const QString portText = port > 0 ? QString::number(port) : QStringLiteral("N");
    s.messages.push_back({1, 1, QStringLiteral("listen on %1's port %2").arg(service, portText),
        QStringLiteral("One process listens on the ports of every service it offers."), t(listen)});
    const TimelineEvent *connect = next(events, &at, [&](const TimelineEvent &e) {
        return e.actor == "client" && e.kind == "connect" && e.value == port;
    });
    s.messages.push_back({0, 1, QStringLiteral("connect to port %1").arg(portText),
        QStringLiteral("The client connects; no handler for it exists yet."), t(connect)});
    const TimelineEvent *accept = next(events, &at, [&](const TimelineEvent &e) {
        return e.actor == "superserver" && e.kind == "accept" && e.value == port;
    });
    s.messages.push_back({1, 1, QStringLiteral("accept"),
        QStringLiteral("The superserver takes the connection from the listen queue."), t(accept)});
    const TimelineEvent *spawn = next(
        events, &at, [&](const TimelineEvent &e) { return e.actor == "superserver" && e.kind == "spawn"; });
    const std::int64_t pid = spawn ? spawn->value : 0;
    const QString pidText = pid > 0 ? QString::number(pid) : QStringLiteral("?");
    s.messages.push_back({1, 2, QStringLiteral("posix_spawn pid %1").arg(pidText),
        QStringLiteral("A new process starts with the connection as its standard input and output."),
        t(spawn)});
    const TimelineEvent *greeting = next(events, &at, [&](const TimelineEvent &e) {
        return e.actor == "client" && e.kind == "greeting" && (pid == 0 || e.value == pid);
    });
    s.messages.push_back({2, 0, QStringLiteral("HELLO (pid %1)").arg(pidText),
        QStringLiteral("The handler writes to descriptor 1, which is the client's socket."), t(greeting)});
    // The handler's exit and the client's end of the exchange race: search both from the greeting.
    std::size_t afterGreeting = at;
    const TimelineEvent *closed = next(
        events, &at, [&](const TimelineEvent &e) { return e.actor == "client" && e.kind == "closed"; });
    s.messages.push_back({0, 2, QStringLiteral("request line, answer, close"),
        QStringLiteral("The handler serves this one client and nothing else."), t(closed)});
    at = afterGreeting;
    const TimelineEvent *exited = next(events, &at,
        [&](const TimelineEvent &e) { return e.actor == "handler" && e.kind == "exit" && e.value == pid; });
    s.messages.push_back({2, 1, QStringLiteral("exit"),
        QStringLiteral("The handler ends with its client; its pidfd wakes the superserver."), t(exited)});
    const TimelineEvent *reap = next(events, &at, [&](const TimelineEvent &e) {
        return e.actor == "superserver" && e.kind == "reap" && e.value == pid;
    });
    s.messages.push_back({1, 1, QStringLiteral("waitpid(%1)").arg(pidText),
        QStringLiteral("The superserver collects the exit status: no zombie is left."), t(reap)});
    s.createdLane = 2;
    s.createdAt = 3;
    s.endedAt = 6;
    makeRelative(&s);
    return s;
}

} // namespace proclab
