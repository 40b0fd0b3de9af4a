#include "cluster/backendserver.h"
#include "cluster/clusterengine.h"
#include "cluster/clustermeasurement.h"
#include "cluster/clusterprotocol.h"
#include "helpermain.h"

#include "common/clock.h"
#include "common/threadpriority.h"
#include "engine/registry.h"

#include "proctasks.h"

#include <QDir>
#include <QFile>
#include <QTest>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace proclab;
using proclab::testing::niceFromStat;
using proclab::testing::settledTaskCount;
using proclab::testing::taskCount;
using proclab::testing::threadNices;
namespace cp = proclab::clusterprotocol;

namespace {

/// A connected TCP client to 127.0.0.1:port with receive/send timeouts.
int connectTo(std::uint16_t port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval tv {5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

void sendAll(int fd, const std::string &data)
{
    std::size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t w = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        sent += std::size_t(w);
    }
}

/// Everything until the peer closes (or 5 s of silence).
std::string readAll(int fd)
{
    std::string out;
    char buf[65536];
    for (;;) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            break;
        out.append(buf, std::size_t(n));
    }
    return out;
}

/// One request on a fresh connection; the whole answer.
std::string roundTrip(std::uint16_t port, const std::string &request)
{
    const int fd = connectTo(port);
    if (fd < 0)
        return {};
    sendAll(fd, request);
    std::string answer = readAll(fd);
    ::close(fd);
    return answer;
}

/// Whether @p answer is a correct 200 response of @p bodyBytes from back end @p backend (-1: any).
bool isGoodResponse(const std::string &answer, std::int64_t bodyBytes, int backend = -1)
{
    cp::ResponseHead head;
    std::string why;
    if (cp::ResponseHead::parse(answer, &head, &why) != cp::ParseState::Complete || head.status != 200)
        return false;
    if (backend >= 0 && head.backend != backend)
        return false;
    return head.contentLength == bodyBytes && answer.size() == head.headBytes + std::size_t(bodyBytes)
        && answer.compare(head.headBytes, std::string::npos, cp::makeBody(bodyBytes)) == 0;
}

int statusOf(const std::string &answer)
{
    cp::ResponseHead head;
    std::string why;
    return cp::ResponseHead::parse(answer, &head, &why) == cp::ParseState::Complete ? head.status : 0;
}

/// A back end on a thread of this process, with the owner's end of its control socket.
struct ThreadBackend {
    BackendServer *server = nullptr;
    std::thread thread;
    int control = -1;
    std::uint16_t port = 0;
    bool ran = false;
    std::string error;

    explicit ThreadBackend(BackendOptions options)
    {
        int pair[2];
        ::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair);
        control = pair[0];
        server = new BackendServer(options, pair[1]);
        thread = std::thread([this] { ran = server->run(&error); });
        char buf[64] = {};
        timeval tv {5, 0};
        ::setsockopt(control, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        const ssize_t n = ::recv(control, buf, sizeof buf - 1, 0);
        if (n > 6 && std::strncmp(buf, "READY ", 6) == 0)
            port = std::uint16_t(std::atoi(buf + 6));
    }
    /// Closes the control socket (the back end's signal to stop) and joins.
    void stop()
    {
        if (control >= 0) {
            ::close(control);
            control = -1;
        }
        if (thread.joinable())
            thread.join();
    }
    ~ThreadBackend()
    {
        stop();
        delete server;
    }
};

/// A connected TCP pair on 127.0.0.1: {client end, server end}.
std::pair<int, int> tcpPair()
{
    const int l = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ::bind(l, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
    ::listen(l, 4);
    ::getsockname(l, reinterpret_cast<sockaddr *>(&addr), &len);
    const int c = connectTo(ntohs(addr.sin_port));
    const int s = ::accept4(l, nullptr, nullptr, SOCK_CLOEXEC);
    ::close(l);
    return {c, s};
}

/// Sends a control message: @p data with the descriptors @p fds attached.
bool sendControl(int control, const std::string &data, const std::vector<int> &fds)
{
    iovec iov {const_cast<char *>(data.data()), data.size()};
    msghdr msg {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    std::vector<char> buf(CMSG_SPACE(sizeof(int) * std::max<std::size_t>(1, fds.size())));
    if (!fds.empty()) {
        msg.msg_control = buf.data();
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
        cmsghdr *cm = CMSG_FIRSTHDR(&msg);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
        std::memcpy(CMSG_DATA(cm), fds.data(), sizeof(int) * fds.size());
    }
    return ::sendmsg(control, &msg, MSG_NOSIGNAL) == ssize_t(data.size());
}

/// The pids of this process's children (read from /proc, without reaping anything).
std::vector<pid_t> childPids()
{
    std::vector<pid_t> out;
    const QStringList tasks
        = QDir(QStringLiteral("/proc/self/task")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &t : tasks) {
        QFile f(QStringLiteral("/proc/self/task/%1/children").arg(t));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        for (const QByteArray &p : f.readAll().split(' ')) {
            if (!p.trimmed().isEmpty())
                out.push_back(pid_t(p.trimmed().toInt()));
        }
    }
    return out;
}

/// True when this process has no child at all, running or zombie.
bool noChildren()
{
    int status = 0;
    return ::waitpid(-1, &status, WNOHANG) < 0 && errno == ECHILD;
}

std::int64_t requestBytesFor(std::int64_t requests)
{
    std::int64_t sum = 0;
    for (std::int64_t t = 0; t < requests; ++t)
        sum += std::int64_t(cp::requestText(t).size());
    return sum;
}

ClusterPoint measure(ClusterPointConfig cfg, QString *error)
{
    ClusterMeasurement m(cfg);
    if (!m.setUp({}, error))
        return {};
    m.startLoad();
    const std::int64_t deadline = monotonicNs() + 60'000'000'000;
    while (!m.loadDone() && monotonicNs() < deadline)
        QTest::qWait(20);
    *error = m.failure();
    const ClusterPoint p = m.finish();
    m.tearDown();
    return p;
}

} // namespace

class TestCluster : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void requestParserAcceptsAndRefuses_data();
    void requestParserAcceptsAndRefuses();
    void responseParserReadsHead();
    void backendServesRelayedAndHandedOffConnections();
    void backendSurvivesHostileControlMessagesAndRequests();
    void relayCopiesEveryByteThroughTheFirstTier();
    void handoffLetsTheBackEndWriteTheResponse();
    void firstTierSurvivesHostileClients();
    void helperRefusesBadArguments();
    void backEndDeathIsReportedWithoutHanging();
    void engineReportsABackEndKilledMidRun();
    void engineStopsAtAnyMomentLeavingNothingBehind();
    void engineShortRunDeclaresItsOutputs();
    void engineRefusesAnUnknownDispatch();
    void loadGivesWayToTheWindow();
};

void TestCluster::requestParserAcceptsAndRefuses_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("state");
    QTest::addColumn<QString>("target");
    const int inc = int(cp::ParseState::Incomplete), ok = int(cp::ParseState::Complete),
              bad = int(cp::ParseState::Bad);
    QTest::newRow("good") << QByteArray("GET /item/3 HTTP/1.1\r\nHost: x\r\n\r\n") << ok << "/item/3";
    QTest::newRow("http/1.0") << QByteArray("GET / HTTP/1.0\r\n\r\n") << ok << "/";
    QTest::newRow("half") << QByteArray("GET /item/3 HTTP/1.1\r\nHo") << inc << "";
    QTest::newRow("cr arriving") << QByteArray("GET /item/3 HTTP/1.1\r") << inc << "";
    QTest::newRow("empty") << QByteArray() << inc << "";
    QTest::newRow("post") << QByteArray("POST / HTTP/1.1\r\n\r\n") << bad << "";
    QTest::newRow("no target") << QByteArray("GET  HTTP/1.1\r\n\r\n") << bad << "";
    QTest::newRow("relative") << QByteArray("GET item HTTP/1.1\r\n\r\n") << bad << "";
    QTest::newRow("version") << QByteArray("GET / HTTP/2\r\n\r\n") << bad << "";
    QTest::newRow("nul early") << QByteArray("GE\0T /", 6) << bad << "";
    QTest::newRow("binary") << QByteArray("\x16\x03\x01\x02\x00", 5) << bad << "";
    QTest::newRow("too long") << (QByteArray("GET /") + QByteArray(int(cp::kMaxRequestBytes), 'a')) << bad
                              << "";
    QTest::newRow("long headers") << (QByteArray("GET / HTTP/1.1\r\nX: ")
        + QByteArray(int(cp::kMaxRequestBytes), 'a'))
                                  << bad << "";
}

void TestCluster::requestParserAcceptsAndRefuses()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, state);
    QFETCH(QString, target);
    cp::RequestHead head;
    std::string why;
    const cp::ParseState st
        = cp::RequestHead::parse(std::string_view(bytes.constData(), std::size_t(bytes.size())), &head, &why);
    QCOMPARE(int(st), state);
    if (st == cp::ParseState::Complete) {
        QCOMPARE(QString::fromStdString(head.target), target);
        QVERIFY(head.headBytes <= std::size_t(bytes.size()));
        QCOMPARE(bytes.mid(int(head.headBytes) - 4, 4), QByteArray("\r\n\r\n"));
    }
    if (st == cp::ParseState::Bad)
        QVERIFY(!why.empty());
}

void TestCluster::responseParserReadsHead()
{
    const std::string answer = cp::responseHead(1234, 3) + cp::makeBody(1234);
    cp::ResponseHead head;
    std::string why;
    QCOMPARE(int(cp::ResponseHead::parse(answer, &head, &why)), int(cp::ParseState::Complete));
    QCOMPARE(head.status, 200);
    QCOMPARE(head.contentLength, 1234);
    QCOMPARE(head.backend, 3);
    QCOMPARE(head.headBytes, cp::responseHead(1234, 3).size());
    QVERIFY(isGoodResponse(answer, 1234, 3));
    QVERIFY(!isGoodResponse(answer.substr(0, answer.size() - 1), 1234, 3)); // short
    std::string flipped = answer;
    flipped.back() = char(flipped.back() ^ 1);
    QVERIFY(!isGoodResponse(flipped, 1234, 3)); // a changed byte
    QCOMPARE(statusOf(cp::badRequestResponse("nope")), 400);
    QCOMPARE(int(cp::ResponseHead::parse("HTTP/1.1 2", &head, &why)), int(cp::ParseState::Incomplete));
    QCOMPARE(int(cp::ResponseHead::parse("garbage\r\n\r\n", &head, &why)), int(cp::ParseState::Bad));
}

void TestCluster::backendServesRelayedAndHandedOffConnections()
{
    BackendOptions o;
    o.id = 5;
    o.responseBytes = 300000; // larger than a socket buffer: written in several rounds
    o.serviceUs = 100;
    ThreadBackend be(o);
    QVERIFY(be.port != 0);

    // Relayed: a TCP connection to the back end's own port.
    QVERIFY(isGoodResponse(roundTrip(be.port, cp::requestText(1)), o.responseBytes, 5));

    // Handed off: the back end receives the server end of a connection and answers on it.
    auto [client, serverEnd] = tcpPair();
    QVERIFY(client >= 0 && serverEnd >= 0);
    QVERIFY(sendControl(be.control, std::string(1, cp::kHandoffTag) + cp::requestText(2), {serverEnd}));
    ::close(serverEnd); // ours; the back end holds its own copy now
    QVERIFY(isGoodResponse(readAll(client), o.responseBytes, 5));
    ::close(client);

    be.stop();
    QVERIFY2(be.ran, be.error.c_str());
    QCOMPARE(be.server->counters().served, 2);
    QCOMPARE(be.server->counters().handoffs, 1);
    QCOMPARE(be.server->counters().relayed, 1);
    QCOMPARE(be.server->counters().bytesWritten,
        2 * std::int64_t(cp::responseHead(o.responseBytes, 5).size() + o.responseBytes));
}

void TestCluster::backendSurvivesHostileControlMessagesAndRequests()
{
    BackendOptions o;
    o.responseBytes = 5000;
    o.serviceUs = 0;
    o.idleTimeoutMs = 300;
    ThreadBackend be(o);
    QVERIFY(be.port != 0);
    auto [c1, s1] = tcpPair();
    auto [c2, s2] = tcpPair();
    auto [c3, s3] = tcpPair();
    int pipeFds[2];
    QVERIFY(::pipe2(pipeFds, O_CLOEXEC) == 0);
    // Not a handoff: wrong tag, no descriptor, two descriptors, a pipe instead of a socket.
    QVERIFY(sendControl(be.control, "X" + cp::requestText(1), {s1}));
    QVERIFY(sendControl(be.control, std::string(1, cp::kHandoffTag) + cp::requestText(1), {}));
    QVERIFY(sendControl(be.control, std::string(1, cp::kHandoffTag) + cp::requestText(1), {s2, s3}));
    QVERIFY(sendControl(be.control, std::string(1, cp::kHandoffTag) + cp::requestText(1), {pipeFds[0]}));
    // A handoff whose request is garbage or incomplete is answered 400 on the client's socket.
    auto [c4, s4] = tcpPair();
    auto [c5, s5] = tcpPair();
    QVERIFY(sendControl(be.control, std::string(1, cp::kHandoffTag) + "\x01\x02garbage\r\n\r\n", {s4}));
    QVERIFY(sendControl(be.control, std::string(1, cp::kHandoffTag) + "GET /x HTTP/1.1\r\n", {s5}));
    for (int fd : {s1, s2, s3, s4, s5, pipeFds[0]})
        ::close(fd);
    QCOMPARE(statusOf(readAll(c4)), 400);
    QCOMPARE(statusOf(readAll(c5)), 400);
    // The refused descriptors were closed by the back end: their clients see the end.
    for (int c : {c1, c2, c3})
        QCOMPARE(readAll(c), std::string());
    for (int fd : {c1, c2, c3, c4, c5, pipeFds[1]})
        ::close(fd);

    // Over TCP: garbage, an oversized head, a client that says nothing (closed by the idle timeout).
    QCOMPARE(statusOf(roundTrip(be.port, std::string("\x16\x03\x01 hello\r\n\r\n"))), 400);
    QCOMPARE(statusOf(roundTrip(be.port, "GET /" + std::string(cp::kMaxRequestBytes, 'a'))), 400);
    const int silent = connectTo(be.port);
    QCOMPARE(readAll(silent), std::string()); // closed after the idle timeout, not left hanging
    ::close(silent);

    // And a good request is still served, both ways.
    QVERIFY(isGoodResponse(roundTrip(be.port, cp::requestText(7)), o.responseBytes, 0));
    auto [c6, s6] = tcpPair();
    QVERIFY(sendControl(be.control, std::string(1, cp::kHandoffTag) + cp::requestText(8), {s6}));
    ::close(s6);
    QVERIFY(isGoodResponse(readAll(c6), o.responseBytes, 0));
    ::close(c6);
    be.stop();
    QVERIFY2(be.ran, be.error.c_str());
    QCOMPARE(be.server->counters().badControl, 4);
    QCOMPARE(be.server->counters().badRequests, 4);
    QCOMPARE(be.server->counters().timeouts, 1);
    QCOMPARE(be.server->counters().served, 2);
}

void TestCluster::relayCopiesEveryByteThroughTheFirstTier()
{
    ClusterPointConfig cfg;
    cfg.mode = DispatchMode::Relay;
    cfg.backends = 2;
    cfg.clients = 4;
    cfg.maxRequests = 200;
    cfg.durationMs = 60000; // bounded by the request count
    cfg.responseBytes = 100 * 1024;
    cfg.serviceUs = 0;
    QString error;
    const ClusterPoint p = measure(cfg, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY2(p.firstError.isEmpty(), qPrintable(p.firstError));
    QCOMPARE(p.completed, 200);
    QCOMPARE(p.errors, 0);
    // Every byte the clients received was read from a back end and written by the first tier.
    const std::int64_t perResponse
        = std::int64_t(cp::responseHead(cfg.responseBytes, 0).size()) + cfg.responseBytes;
    QCOMPARE(p.clientBytes, 200 * perResponse);
    QCOMPARE(p.tier.clientBytesOut, p.clientBytes);
    QCOMPARE(p.tier.backendBytesIn, p.clientBytes);
    // And every request byte went in and out of it.
    QCOMPARE(p.tier.clientBytesIn, requestBytesFor(200));
    QCOMPARE(p.tier.backendBytesOut, p.tier.clientBytesIn);
    QCOMPARE(p.firstTierBytes(), 2 * (p.clientBytes + requestBytesFor(200)));
    // Round robin: each back end wrote half of the responses (read from their X-Backend header).
    QCOMPARE(p.perBackend.size(), std::size_t(2));
    QCOMPARE(p.perBackend[0], 100);
    QCOMPARE(p.perBackend[1], 100);
    QCOMPARE(p.tier.completed, 200);
}

void TestCluster::handoffLetsTheBackEndWriteTheResponse()
{
    ClusterPointConfig cfg;
    cfg.mode = DispatchMode::Handoff;
    cfg.backends = 2;
    cfg.clients = 4;
    cfg.maxRequests = 200;
    cfg.durationMs = 60000;
    cfg.responseBytes = 100 * 1024;
    cfg.serviceUs = 0;
    QString error;
    const ClusterPoint p = measure(cfg, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY2(p.firstError.isEmpty(), qPrintable(p.firstError));
    QCOMPARE(p.completed, 200);
    const std::int64_t perResponse
        = std::int64_t(cp::responseHead(cfg.responseBytes, 0).size()) + cfg.responseBytes;
    QCOMPARE(p.clientBytes, 200 * perResponse); // the clients got every response whole...
    QCOMPARE(p.tier.clientBytesOut, 0); // ...and none of it came from the first tier
    QCOMPARE(p.tier.backendBytesIn, 0);
    QCOMPARE(p.tier.responseBytes(), 0);
    // What the first tier moved: the requests it read, and one handoff message per request
    // (a tag byte and the request).
    QCOMPARE(p.tier.clientBytesIn, requestBytesFor(200));
    QCOMPARE(p.tier.backendBytesOut, requestBytesFor(200) + 200);
    QCOMPARE(p.perBackend[0] + p.perBackend[1], 200);
    QCOMPARE(p.perBackend[0], 100);
    QVERIFY(p.firstTierBytesPerRequest() < 300); // a few hundred bytes, not 100 KiB
}

void TestCluster::firstTierSurvivesHostileClients()
{
    for (DispatchMode mode : {DispatchMode::Relay, DispatchMode::Handoff}) {
        ClusterPointConfig cfg;
        cfg.mode = mode;
        cfg.backends = 1;
        cfg.responseBytes = 4096;
        cfg.serviceUs = 0;
        cfg.idleTimeoutMs = 300;
        ClusterMeasurement m(cfg);
        QString error;
        QVERIFY2(m.setUp({}, &error), qPrintable(error));
        const std::uint16_t port = m.port();
        QCOMPARE(statusOf(roundTrip(port, "DELETE / HTTP/1.1\r\n\r\n")), 400);
        QCOMPARE(statusOf(roundTrip(port, std::string("\0\xff\xfe binary", 10))), 400);
        QCOMPARE(statusOf(roundTrip(port, "GET /" + std::string(cp::kMaxRequestBytes + 10, 'x'))), 400);
        // Half a request, then the client leaves.
        int fd = connectTo(port);
        sendAll(fd, "GET /item/1 HT");
        ::close(fd);
        // A client that never finishes its request is closed by the idle timeout.
        fd = connectTo(port);
        sendAll(fd, "GET /item/1 HTTP/1.1\r\n");
        QCOMPARE(readAll(fd), std::string());
        ::close(fd);
        // Good requests are still served, the response written by the back end.
        for (int i = 0; i < 3; ++i)
            QVERIFY(isGoodResponse(roundTrip(port, cp::requestText(i)), cfg.responseBytes, 0));
        const FirstTierCounters c = m.firstTier()->counters();
        QCOMPARE(c.badRequests, 3);
        QCOMPARE(c.timeouts, 1);
        QCOMPARE(c.dispatched, 3);
        QVERIFY(m.failure().isEmpty());
        m.tearDown();
    }
    QVERIFY(noChildren());
}

void TestCluster::helperRefusesBadArguments()
{
    // The helper mode checks its arguments and its descriptor 3 before serving anything.
    char name[] = "cluster-backend";
    char bad[] = "x";
    char bytes[] = "100";
    char us[] = "0";
    char *argv1[] = {name, bad, bytes, us, nullptr};
    QCOMPARE(clusterBackendMain(4, argv1), 2);
    char id[] = "0";
    char *argv2[] = {name, id, bytes, nullptr};
    QCOMPARE(clusterBackendMain(3, argv2), 2);
}

void TestCluster::backEndDeathIsReportedWithoutHanging()
{
    ClusterPointConfig cfg;
    cfg.mode = DispatchMode::Handoff;
    cfg.backends = 2;
    cfg.clients = 4;
    cfg.maxRequests = 10000000;
    cfg.durationMs = 120000; // would run for two minutes: the death must end it
    cfg.responseBytes = 8192;
    cfg.serviceUs = 200;
    ClusterMeasurement m(cfg);
    QString error;
    QVERIFY2(m.setUp({}, &error), qPrintable(error));
    m.startLoad();
    QTRY_VERIFY_WITH_TIMEOUT(m.progress().completed > 20, 20000);
    const pid_t victim = m.backends().pid(1);
    QVERIFY(::kill(victim, SIGKILL) == 0);
    QTRY_VERIFY_WITH_TIMEOUT(!m.failure().isEmpty(), 20000);
    const QString why = m.failure();
    QVERIFY2(why.contains(QStringLiteral("back end 1")), qPrintable(why));
    QVERIFY2(why.contains(QString::number(victim)) || why.contains(QStringLiteral("control socket")),
        qPrintable(why));
    const std::int64_t t0 = monotonicNs();
    m.finish();
    m.tearDown();
    QVERIFY(monotonicNs() - t0 < 30'000'000'000); // ended, not hung (a generous bound)
    QVERIFY(noChildren());
}

namespace {

// Starts a relay run with 2 back ends and 4 clients for 10 s (with @p settings on top) and waits
// until the back ends run and requests flow; a failure is the calling test's.
void startRelayUnderLoad(ClusterEngine &engine, const QVariantMap &settings)
{
    QVariantMap all {{QStringLiteral("dispatch"), QStringLiteral("relay")}, {QStringLiteral("backends"), 2},
        {QStringLiteral("sweep"), false}, {QStringLiteral("seconds"), 10.0}, {QStringLiteral("clients"), 4}};
    all.insert(settings);
    QString error;
    QVERIFY2(engine.configure(all, &error), qPrintable(error));
    engine.setSpeed(0);
    engine.start();
    QTRY_VERIFY_WITH_TIMEOUT(childPids().size() == 2, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(
        engine.snapshot() && engine.snapshot()->status.contains(QStringLiteral("requests")), 20000);
}

} // namespace

void TestCluster::engineReportsABackEndKilledMidRun()
{
    auto engine = makeEngine<ClusterEngine>();
    // Wait until the back ends run and requests flow, then kill one of them.
    startRelayUnderLoad(*engine, {{QStringLiteral("response_size"), 16384}});
    if (QTest::currentTestFailed())
        return;
    const std::vector<pid_t> kids = childPids();
    QVERIFY(::kill(kids.back(), SIGKILL) == 0);
    QVERIFY(engine->waitFinished(std::chrono::seconds(30)));
    QCOMPARE(engine->state(), RunState::Failed);
    const QString message = engine->snapshot()->result.error;
    QVERIFY2(message.startsWith(QStringLiteral("back end ")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("signal 9"))
            || message.contains(QStringLiteral("control socket"))
            || message.contains(QStringLiteral("refused")),
        qPrintable(message));
    engine->stop();
    QVERIFY(noChildren());
}

void TestCluster::engineStopsAtAnyMomentLeavingNothingBehind()
{
    const int baseThreads = taskCount();
    // Stop right away, while the back ends start, and in the middle of the load.
    for (int waitMs : {0, 30, 400, 1500}) {
        auto engine = makeEngine<ClusterEngine>();
        QString error;
        QVERIFY(engine->configure({{QStringLiteral("backends"), 4}, {QStringLiteral("seconds"), 5.0},
                                      {QStringLiteral("clients"), 8}},
            &error));
        engine->setSpeed(0);
        engine->start();
        QTest::qWait(waitMs);
        const std::int64_t t0 = monotonicNs();
        engine->stop();
        QVERIFY2(monotonicNs() - t0 < 10'000'000'000, "stop took more than 10 s");
        QVERIFY(engine->state() == RunState::Stopped || engine->state() == RunState::Finished);
        QVERIFY2(
            noChildren(), qPrintable(QStringLiteral("a back end outlived a stop after %1 ms").arg(waitMs)));
        QCOMPARE(settledTaskCount(baseThreads), baseThreads);
    }
}

void TestCluster::engineShortRunDeclaresItsOutputs()
{
    auto engine = makeEngine<ClusterEngine>();
    QString error;
    QVERIFY2(engine->configure({{QStringLiteral("backends"), 2}, {QStringLiteral("seconds"), 0.3},
                                   {QStringLiteral("response_size"), 65536}, {QStringLiteral("clients"), 4}},
                 &error),
        qPrintable(error));
    engine->setSpeed(0);
    const Result r = runToCompletion(*engine, std::chrono::seconds(120));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.provenance, Provenance::Measured);
    const auto outputs = engine->outputs();
    for (auto it = r.summary.begin(); it != r.summary.end(); ++it)
        QVERIFY2(outputsContain(outputs, it.key()), qPrintable(it.key()));
    for (const char *key : {"throughput_rps_relay", "throughput_rps_handoff", "first_tier_bytes_relay_1",
             "first_tier_cpu_percent_handoff_2", "handoff_speedup", "faster_dispatch"})
        QVERIFY2(r.summary.contains(QLatin1String(key)), key);
    QVERIFY(r.summary.value(QStringLiteral("throughput_rps_relay")).toDouble() > 0);
    QCOMPARE(r.summary.value(QStringLiteral("first_tier_response_bytes_handoff")).toDouble(), 0.0);
    // Relay: a response passes the first tier twice (in from the back end, out to the client).
    QVERIFY(r.summary.value(QStringLiteral("first_tier_bytes_per_request_relay")).toDouble() > 2 * 65536);
    QVERIFY(r.summary.value(QStringLiteral("first_tier_bytes_per_request_handoff")).toDouble() < 400);
    QCOMPARE(r.summary.value(QStringLiteral("errors_total")).toDouble(), 0.0);
    QCOMPARE(r.table.rows.size(), std::size_t(4)); // 1 and 2 back ends, both modes
    QCOMPARE(ClusterEngine::pointSeries({}).size(), std::size_t(0));

    // One mode: the unsuffixed keys are that mode's.
    auto single = makeEngine<ClusterEngine>();
    QVERIFY(single->configure(
        {{QStringLiteral("dispatch"), QStringLiteral("handoff")}, {QStringLiteral("backends"), 1},
            {QStringLiteral("seconds"), 0.2}, {QStringLiteral("response_size"), 4096}},
        &error));
    single->setSpeed(0);
    const Result s = runToCompletion(*single, std::chrono::seconds(60));
    QVERIFY2(s.error.isEmpty(), qPrintable(s.error));
    for (const char *key : {"throughput_rps", "first_tier_bytes", "first_tier_cpu_percent"})
        QVERIFY2(s.summary.contains(QLatin1String(key)), key);
    QCOMPARE(s.summary.value(QStringLiteral("throughput_rps")).toDouble(),
        s.summary.value(QStringLiteral("throughput_rps_handoff_1")).toDouble());
    QVERIFY(!s.summary.contains(QStringLiteral("handoff_speedup")));
    QVERIFY(noChildren());
}

void TestCluster::engineRefusesAnUnknownDispatch()
{
    auto engine = makeEngine<ClusterEngine>();
    QString error;
    QVERIFY(!engine->configure({{QStringLiteral("dispatch"), QStringLiteral("teleport")}}, &error));
    QVERIFY2(error.contains(QStringLiteral("dispatch")), qPrintable(error));
    QVERIFY(!engine->configure({{QStringLiteral("backends"), 99}}, &error));
    QVERIFY(EngineRegistry::builtin().find(QStringLiteral("cluster")));
    bool helper = false;
    for (const HelperMode &h : EngineRegistry::builtin().helpers())
        helper = helper || h.name == QLatin1String(kClusterBackendHelper);
    QVERIFY(helper);
}

void TestCluster::loadGivesWayToTheWindow()
{
    // The window's thread (here the test's) keeps its priority; the first tier, the clients and
    // the back-end processes run kLoadNiceSteps lower, so the view gets a core when it draws.
    const int own = niceFromStat("/proc/thread-self/stat");
    QVERIFY(own >= -20 && own <= 19);
    const int lowered = std::min(19, own + kLoadNiceSteps);
    QVERIFY2(lowered > own, "the test already runs at nice 19");
    auto engine = makeEngine<ClusterEngine>();
    startRelayUnderLoad(*engine, {});
    if (QTest::currentTestFailed())
        return;
    const std::vector<int> nices = threadNices();
    const auto loweredThreads = std::count(nices.begin(), nices.end(), lowered);
    QVERIFY2(loweredThreads >= 5,
        qPrintable(QStringLiteral("%1 threads at nice %2, want the first tier "
                                  "and 4 clients")
                       .arg(loweredThreads)
                       .arg(lowered)));
    QCOMPARE(niceFromStat("/proc/thread-self/stat"), own);
    for (pid_t pid : childPids())
        QCOMPARE(niceFromStat("/proc/" + std::to_string(pid) + "/stat"), lowered);
    engine->stop();
    QVERIFY(noChildren());

    // On its own: steps add up and stop at 19; another thread is not touched.
    int first = 0, second = 0;
    bool ok = false;
    std::thread([&] {
        ok = giveWayToWindow(3) && giveWayToWindow(40);
        first = niceFromStat("/proc/thread-self/stat");
    }).join();
    std::thread([&] { second = niceFromStat("/proc/thread-self/stat"); }).join();
    QVERIFY(ok);
    QCOMPARE(first, 19);
    QCOMPARE(second, own);
}

PROCLAB_TEST_MAIN_WITH_HELPERS(TestCluster)
#include "tst_cluster.moc"
