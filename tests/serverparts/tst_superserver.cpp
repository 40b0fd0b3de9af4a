#include "helpermain.h"

#include "serverparts/endpointclient.h"
#include "serverparts/endpointdaemon.h"
#include "serverparts/endpointexperiment.h"
#include "serverparts/inetdhandler.h"
#include "serverparts/serviceclient.h"
#include "serverparts/servicehost.h"
#include "serverparts/superserver.h"
#include "serverparts/tcpsocket.h"
#include "serverparts/timeline.h"

#include "engine/registry.h"

#include <QTest>

#include <cerrno>
#include <csignal>

#include <sys/wait.h>
#include <unistd.h>

using namespace proclab;

class TestSuperServer : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void handOffToAChildProcess_data();
    void handOffToAChildProcess();
    void everyHandlerReapedAtStop();
    void helperModeTable();
    void malformedInputThenGoodRequest();
    void daemonRegisterLookupConnect();
    void daemonErrors_data();
    void daemonErrors();
    void daemonMalformedInputThenGoodRequest();
    void bothSequencesInOneRun();
};

namespace {

constexpr int kTimeoutMs = 10000;

// Waits (bounded) until the superserver has reaped @p pid.
bool waitReaped(const SuperServer &server, pid_t pid, SuperServerHandler *out)
{
    for (int i = 0; i < 1000; ++i) {
        if (server.handler(pid, out) && out->reaped)
            return true;
        QTest::qSleep(10);
    }
    return false;
}

int indexOf(const std::vector<TimelineEvent> &events, const QString &kind, std::int64_t value)
{
    for (std::size_t i = 0; i < events.size(); ++i)
        if (events[i].kind == kind && events[i].value == value)
            return static_cast<int>(i);
    return -1;
}

} // namespace

void TestSuperServer::handOffToAChildProcess_data()
{
    QTest::addColumn<QString>("service");
    QTest::addColumn<QStringList>("lines");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("echo") << QStringLiteral("echo")
                          << QStringList {QStringLiteral("hello"), QStringLiteral("two words")}
                          << QStringList {QStringLiteral("hello"), QStringLiteral("two words")};
    QTest::newRow("upper") << QStringLiteral("upper") << QStringList {QStringLiteral("shout me")}
                           << QStringList {QStringLiteral("SHOUT ME")};
    QTest::newRow("daytime") << QStringLiteral("daytime") << QStringList {} << QStringList {};
}

void TestSuperServer::handOffToAChildProcess()
{
    QFETCH(QString, service);
    QFETCH(QStringList, lines);
    QFETCH(QStringList, expected);
    Timeline timeline;
    SuperServer server(SuperServerConfig {}, &timeline);
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    QCOMPARE(server.ports().size(), std::size_t(3));
    const std::uint16_t port = server.portOf(service);
    QVERIFY(port != 0);

    std::vector<std::string> send;
    for (const QString &l : lines)
        send.push_back(l.toStdString());
    const ServiceExchange ex = ServiceClient::exchange(port, send, kTimeoutMs, &timeline);
    QVERIFY2(ex.ok, qPrintable(ex.error));
    // The answer came from another process whose parent is this one.
    QCOMPARE(ex.via, QStringLiteral("inetd"));
    QCOMPARE(ex.service, service);
    QVERIFY(ex.pid > 0);
    QVERIFY(ex.pid != ::getpid());
    QCOMPARE(ex.ppid, static_cast<long>(::getpid()));
    if (service == QLatin1String("daytime")) {
        QCOMPARE(ex.replies.size(), std::size_t(1));
        QVERIFY(!ex.replies[0].empty());
    } else {
        QCOMPARE(ex.replies.size(), static_cast<std::size_t>(expected.size()));
        for (int i = 0; i < expected.size(); ++i)
            QCOMPARE(QString::fromStdString(ex.replies[i]), expected[i]);
    }

    SuperServerHandler h;
    QVERIFY2(waitReaped(server, static_cast<pid_t>(ex.pid), &h), "the handler was not reaped");
    QCOMPARE(h.service, service);
    QCOMPARE(h.exitStatus, 0);
    QVERIFY(!h.killed);
    // Reaped means no zombie is left: waitpid finds no such child of ours.
    errno = 0;
    QCOMPARE(::waitpid(static_cast<pid_t>(ex.pid), nullptr, WNOHANG), pid_t(-1));
    QCOMPARE(errno, ECHILD);

    // The sequence: listen, accept, spawn (that pid), exit, reap, in this order.
    const auto events = timeline.events();
    const int listen = indexOf(events, QStringLiteral("listen"), port);
    const int accept = indexOf(events, QStringLiteral("accept"), port);
    const int spawn = indexOf(events, QStringLiteral("spawn"), ex.pid);
    const int reap = indexOf(events, QStringLiteral("reap"), ex.pid);
    QVERIFY(listen >= 0 && accept >= 0 && spawn >= 0 && reap >= 0);
    QVERIFY(listen < accept);
    QVERIFY(accept < spawn);
    QVERIFY(spawn < reap);
    const int exited = indexOf(events, QStringLiteral("exit"), ex.pid);
    if (exited >= 0) // absent only where pidfd_open is not available
        QVERIFY(spawn < exited && exited <= reap);
    server.stop();
    const SuperServerStats stats = server.stats();
    QCOMPARE(stats.spawned, std::int64_t(1));
    QCOMPARE(stats.reaped, std::int64_t(1));
    QCOMPARE(stats.running, 0);
}

void TestSuperServer::everyHandlerReapedAtStop()
{
    SuperServerConfig config;
    config.handlerTimeoutMs = 60000; // the handlers would wait long for input: stop() must end them
    SuperServer server(config);
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    // Three open connections, each with a handler process waiting for a line.
    std::vector<TcpSocket> clients;
    std::vector<long> pids;
    for (int i = 0; i < 3; ++i) {
        TcpSocket s
            = TcpSocket::connectLoopback(server.portOf(QStringLiteral("echo")), kTimeoutMs, nullptr, &error);
        QVERIFY2(s.isOpen(), qPrintable(error));
        std::string line;
        QCOMPARE(s.readLine(&line, 4096, kTimeoutMs, nullptr, &error), IoStatus::Ok);
        ServiceExchange ex;
        QVERIFY(ServiceClient::parseGreeting(line, &ex));
        pids.push_back(ex.pid);
        clients.push_back(std::move(s));
    }
    QCOMPARE(server.stats().running, 3);
    server.stop();
    const SuperServerStats stats = server.stats();
    QCOMPARE(stats.running, 0);
    QCOMPARE(stats.reaped, std::int64_t(3));
    QCOMPARE(stats.killed, std::int64_t(3));
    for (long pid : pids) {
        SuperServerHandler h;
        QVERIFY(server.handler(static_cast<pid_t>(pid), &h));
        QVERIFY(h.reaped);
        QCOMPARE(h.signal, SIGKILL);
        errno = 0;
        QCOMPARE(::waitpid(static_cast<pid_t>(pid), nullptr, WNOHANG), pid_t(-1));
        QCOMPARE(errno, ECHILD);
    }
    // The clients see the end of their connection.
    for (auto &s : clients) {
        std::string line;
        const IoStatus st = s.readLine(&line, 4096, kTimeoutMs, nullptr, &error);
        QVERIFY(st == IoStatus::Closed || st == IoStatus::Error);
    }
}

void TestSuperServer::helperModeTable()
{
    // Not a helper invocation: -1 and nothing runs.
    char exe[] = "tst";
    char other[] = "-v2";
    char *plain[] = {exe, other, nullptr};
    QCOMPARE(runHelperModeIfRequested(2, plain), -1);
    // The module registered its handler mode with the engine registry.
    bool found = false;
    for (const auto &m : EngineRegistry::builtin().helpers())
        found = found || m.name == QLatin1String(InetdHandler::kHelperName);
    QVERIFY(found);
    // An unknown helper name is refused with a status, not run.
    char flag[] = "--proclab-helper";
    char bogus[] = "no-such-helper";
    char *unknown[] = {exe, flag, bogus, nullptr};
    QCOMPARE(runHelperModeIfRequested(3, unknown), 127);
}

void TestSuperServer::malformedInputThenGoodRequest()
{
    SuperServerConfig config;
    config.handlerTimeoutMs = 2000;
    SuperServer server(config);
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    const std::uint16_t echo = server.portOf(QStringLiteral("echo"));

    // A line far over the limit: the handler says so and ends with its status.
    const ServiceExchange tooLong = ServiceClient::exchangeRaw(echo, std::string(100000, 'x'), kTimeoutMs);
    QVERIFY2(tooLong.ok, qPrintable(tooLong.error));
    QVERIFY(tooLong.replies.size() >= 2);
    QVERIFY(
        QString::fromStdString(tooLong.replies.back()).startsWith(QStringLiteral("ERROR line longer than")));
    // Binary garbage with NULs and no newline is echoed as one line at end of stream.
    std::string garbage("\x01\x02\0\xff\xfe", 5);
    const ServiceExchange binary = ServiceClient::exchangeRaw(echo, garbage, kTimeoutMs);
    QVERIFY2(binary.ok, qPrintable(binary.error));
    QCOMPARE(binary.replies.size(), std::size_t(2));
    QCOMPARE(binary.replies[1], garbage);
    // A client that sends nothing: the handler's socket timeout ends it.
    const ServiceExchange idle = [&] {
        ServiceExchange ex;
        TcpSocket s = TcpSocket::connectLoopback(echo, kTimeoutMs, nullptr, &error);
        std::string line;
        while (s.readLine(&line, 4096, kTimeoutMs, nullptr, &error) == IoStatus::Ok)
            ex.replies.push_back(line);
        return ex;
    }();
    QCOMPARE(idle.replies.size(), std::size_t(2));
    QVERIFY(QString::fromStdString(idle.replies[1]).startsWith(QStringLiteral("ERROR idle")));

    const ServiceExchange good = ServiceClient::exchange(echo, {"still here"}, kTimeoutMs);
    QVERIFY2(good.ok, qPrintable(good.error));
    QCOMPARE(good.replies, std::vector<std::string> {"still here"});
    SuperServerHandler h;
    QVERIFY(waitReaped(server, static_cast<pid_t>(good.pid), &h));
    server.stop();
    // Every handler ended the way it should have.
    int tooLongEnds = 0, idleEnds = 0, served = 0;
    for (const auto &rec : server.handlers()) {
        QVERIFY(rec.reaped);
        tooLongEnds += rec.exitStatus == InetdHandler::LineTooLong;
        idleEnds += rec.exitStatus == InetdHandler::IdleTimeout;
        served += rec.exitStatus == InetdHandler::Served;
    }
    QCOMPARE(tooLongEnds, 1);
    QCOMPARE(idleEnds, 1);
    QCOMPARE(served, 2);

    // A service the superserver does not know is refused at start.
    SuperServerConfig bad;
    bad.services = {QStringLiteral("echo"), QStringLiteral("chargen")};
    SuperServer refused(bad);
    QVERIFY(!refused.start(&error));
    QVERIFY(error.contains(QStringLiteral("chargen")));
}

void TestSuperServer::daemonRegisterLookupConnect()
{
    Timeline timeline;
    EndpointDaemon daemon({}, &timeline);
    QString error;
    QVERIFY2(daemon.start(&error), qPrintable(error));
    ServiceHostConfig hc;
    hc.service = QStringLiteral("upper");
    hc.name = QStringLiteral("shouter");
    hc.daemonPort = daemon.port();
    ServiceHost host(hc, &timeline);
    QVERIFY2(host.start(&error), qPrintable(error));
    QVERIFY(host.port() != 0);
    QCOMPARE(daemon.entries().size(), std::size_t(1));
    QCOMPARE(daemon.entries()[0].name, QStringLiteral("shouter"));
    QCOMPARE(daemon.entries()[0].port, host.port());

    // The client knows only the daemon's port and the name.
    const auto port = EndpointClient::lookup(daemon.port(), QStringLiteral("shouter"), &timeline, &error);
    QVERIFY2(port.has_value(), qPrintable(error));
    QCOMPARE(*port, host.port());
    const ServiceExchange ex = ServiceClient::exchange(*port, {"quiet"}, kTimeoutMs, &timeline);
    QVERIFY2(ex.ok, qPrintable(ex.error));
    QCOMPARE(ex.via, QStringLiteral("thread"));
    QCOMPARE(ex.pid, static_cast<long>(::getpid())); // served in this process, unlike the superserver
    QCOMPARE(ex.replies, std::vector<std::string> {"QUIET"});

    // An unknown name is an error, and no port.
    const auto none = EndpointClient::lookup(daemon.port(), QStringLiteral("nobody"), &timeline, &error);
    QVERIFY(!none.has_value());
    QCOMPARE(error, QStringLiteral("unknown service 'nobody'"));

    // Order: the service registered before the client looked up, then connected.
    const auto events = timeline.events();
    auto first = [&](const QString &kind) {
        for (std::size_t i = 0; i < events.size(); ++i)
            if (events[i].kind == kind)
                return static_cast<int>(i);
        return -1;
    };
    QVERIFY(first(QStringLiteral("register")) >= 0);
    QVERIFY(first(QStringLiteral("register")) < first(QStringLiteral("lookup")));
    QVERIFY(first(QStringLiteral("lookup")) < first(QStringLiteral("connect")));
    QVERIFY(first(QStringLiteral("connect")) < first(QStringLiteral("lookup-miss")));

    // stop() unregisters.
    host.stop();
    QCOMPARE(daemon.entries().size(), std::size_t(0));
    QVERIFY(!EndpointClient::lookup(daemon.port(), QStringLiteral("shouter"), nullptr, &error).has_value());
}

void TestSuperServer::daemonErrors_data()
{
    QTest::addColumn<QString>("request");
    QTest::addColumn<QString>("reply");
    QTest::newRow("empty") << QString()
                           << QStringLiteral("ERROR unknown request '' (REGISTER, UNREGISTER, LOOKUP, LIST)");
    QTest::newRow("unknown") << QStringLiteral(
        "FETCH x") << QStringLiteral("ERROR unknown request 'FETCH' (REGISTER, UNREGISTER, LOOKUP, LIST)");
    QTest::newRow("bad port") << QStringLiteral("REGISTER x 70000")
                              << QStringLiteral("ERROR bad port '70000' (1-65535)");
    QTest::newRow("port zero") << QStringLiteral("REGISTER x 0")
                               << QStringLiteral("ERROR bad port '0' (1-65535)");
    QTest::newRow("bad name") << QStringLiteral("REGISTER ../x 80")
                              << QStringLiteral("ERROR bad service name '../x' (1-32 of A-Z a-z 0-9 . _ -)");
    QTest::newRow("arguments") << QStringLiteral("LOOKUP")
                               << QStringLiteral("ERROR wrong number of arguments to LOOKUP");
    QTest::newRow("taken") << QStringLiteral("REGISTER time 2000")
                           << QStringLiteral("ERROR 'time' is already registered on port 1000");
    QTest::newRow("same again") << QStringLiteral("REGISTER time 1000")
                                << QStringLiteral("OK registered time 1000");
    QTest::newRow("unknown unregister")
        << QStringLiteral("UNREGISTER ghost") << QStringLiteral("ERROR unknown service 'ghost'");
    QTest::newRow("list") << QStringLiteral("LIST") << QStringLiteral("SERVICES time=1000");
}

void TestSuperServer::daemonErrors()
{
    QFETCH(QString, request);
    QFETCH(QString, reply);
    EndpointDaemon daemon;
    QCOMPARE(QString::fromStdString(daemon.answer("REGISTER time 1000")),
        QStringLiteral("OK registered time 1000"));
    QCOMPARE(QString::fromStdString(daemon.answer(request.toStdString())), reply);
}

void TestSuperServer::daemonMalformedInputThenGoodRequest()
{
    EndpointDaemonConfig config;
    config.maxServices = 2;
    EndpointDaemon daemon(config);
    QString error;
    QVERIFY2(daemon.start(&error), qPrintable(error));
    std::string reply;
    // An oversized line: error, and the daemon closes that connection.
    {
        TcpSocket s = TcpSocket::connectLoopback(daemon.port(), kTimeoutMs, nullptr, &error);
        QCOMPARE(s.writeAll(std::string(5000, 'A'), kTimeoutMs, nullptr, &error), IoStatus::Ok);
        QCOMPARE(s.readLine(&reply, 4096, kTimeoutMs, nullptr, &error), IoStatus::Ok);
        QCOMPARE(QString::fromStdString(reply), QStringLiteral("ERROR request longer than 256 bytes"));
        QCOMPARE(s.readLine(&reply, 4096, kTimeoutMs, nullptr, &error), IoStatus::Closed);
    }
    // Binary junk, a full table, then good requests on the same daemon.
    QVERIFY(EndpointClient::request(
        daemon.port(), std::string("\x00\xff\x01 junk", 8), &reply, kTimeoutMs, &error));
    QVERIFY(QString::fromStdString(reply).startsWith(QStringLiteral("ERROR unknown request")));
    QVERIFY(EndpointClient::registerService(daemon.port(), QStringLiteral("a"), 1001, nullptr, &error));
    QVERIFY(EndpointClient::registerService(daemon.port(), QStringLiteral("b"), 1002, nullptr, &error));
    QVERIFY(!EndpointClient::registerService(daemon.port(), QStringLiteral("c"), 1003, nullptr, &error));
    QCOMPARE(error, QStringLiteral("the table is full (2 services)"));
    const auto port = EndpointClient::lookup(daemon.port(), QStringLiteral("b"), nullptr, &error);
    QVERIFY2(port.has_value(), qPrintable(error));
    QCOMPARE(*port, std::uint16_t(1002));
    QVERIFY(daemon.errors() >= 3);
}

void TestSuperServer::bothSequencesInOneRun()
{
    EndpointExperimentConfig config;
    config.repetitions = 2;
    EndpointExperiment experiment(config);
    const EndpointExperimentResult r = experiment.run();
    QVERIFY2(r.ok, qPrintable(r.error));
    const int connections = config.repetitions * static_cast<int>(config.services.size());
    // A new process per superserver connection, each one reaped.
    QCOMPARE(static_cast<int>(r.handlers.size()), connections);
    QCOMPARE(r.distinctHandlerPids, connections);
    QVERIFY(r.allHandlersReaped);
    for (const auto &h : r.handlers) {
        QVERIFY(h.pid != ::getpid());
        QVERIFY(h.acceptNs <= h.spawnNs && h.spawnNs <= h.reapNs);
    }
    // Every service registered with the daemon under its name, on its own port.
    QCOMPARE(r.daemonTable.size(), static_cast<std::size_t>(config.services.size()));
    for (const auto &e : r.daemonTable) {
        QVERIFY(config.services.contains(e.name));
        QVERIFY(e.port != r.daemonPort);
    }
    // The figures come from as many samples as there were connections.
    QCOMPARE(r.superServerFirstLineUs.count, connections);
    QCOMPARE(r.registeredFirstLineUs.count, connections);
    QCOMPARE(r.lookupUs.count, connections);
    QVERIFY(r.superServerFirstLineUs.min > 0);
    // The events hold both sequences: as many registrations as services, lookups
    // and spawns as connections, and a reap for every spawn.
    int registers = 0, lookups = 0, spawns = 0, reaps = 0;
    for (const auto &e : r.events) {
        registers += e.kind == QLatin1String("register");
        lookups += e.kind == QLatin1String("lookup");
        spawns += e.kind == QLatin1String("spawn");
        reaps += e.kind == QLatin1String("reap");
    }
    QCOMPARE(registers, static_cast<int>(config.services.size()));
    QCOMPARE(lookups, connections);
    QCOMPARE(spawns, connections);
    QCOMPARE(reaps, connections);
}

PROCLAB_TEST_MAIN_WITH_HELPERS(TestSuperServer)
#include "tst_superserver.moc"
