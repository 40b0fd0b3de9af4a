#include "net/httphandler.h"
#include "net/httpserver.h"
#include "net/loadgenerator.h"
#include "net/processserver.h"
#include "net/requestreader.h"

#include "common/helpermode.h"

#include "testhttp.h"

#include <QTest>

#include <atomic>
#include <csignal>
#include <memory>
#include <random>
#include <thread>

using namespace proclab;
using namespace testhttp;

Q_DECLARE_METATYPE(proclab::ServerDesign)

namespace {

void addDesignRows()
{
    QTest::addColumn<ServerDesign>("design");
    for (ServerDesign d : allServerDesigns())
        QTest::newRow(serverDesignName(d)) << d;
}

std::unique_ptr<HttpServer> startServer(const ServerConfig &config)
{
    auto server = makeHttpServer(config);
    QString error;
    if (!server->start(&error))
        qWarning("%s", qPrintable(error));
    return server;
}

// A keep-alive client as browsers behave: a response saying Connection: close, or a
// kept-alive connection closed before it answers, means a new connection (once).
struct KeepAliveClient {
    std::uint16_t port;
    int fd = -1;
    int reuses = 0;
    ~KeepAliveClient()
    {
        if (fd >= 0)
            ::close(fd);
    }
    Response get(const std::string &request)
    {
        for (int attempt = 0; attempt < 2; ++attempt) {
            const bool reused = fd >= 0;
            if (fd < 0)
                fd = connectTo(port);
            std::string pending;
            Response r;
            if (fd < 0)
                r.error = "connect failed";
            else if (!sendAll(fd, request))
                r.error = "send failed";
            else
                r = readResponse(fd, pending);
            if (r.error.empty() && pending.empty()) {
                reuses += reused;
                if (r.closes()) {
                    ::close(fd);
                    fd = -1;
                }
                return r;
            }
            if (fd >= 0)
                ::close(fd);
            fd = -1;
            if (!reused)
                return r;
        }
        return {};
    }
};

} // namespace

class TestServers : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void designNamesRoundTrip();
    void configRoundTripsThroughArgs();
    void readerParsesARequestSplitAnywhere();
    void readerBoundsMemoryOnGarbage();
    void servesConcurrentClients_data() { addDesignRows(); }
    void servesConcurrentClients();
    void pipelinedRequestsAnsweredInOrder_data() { addDesignRows(); }
    void pipelinedRequestsAnsweredInOrder();
    void diskWaitSerializesOnlyTheIterative_data() { addDesignRows(); }
    void diskWaitSerializesOnlyTheIterative();
    void threadsMatchTheDesign_data() { addDesignRows(); }
    void threadsMatchTheDesign();
    void hostileClientsThenAGoodRequest_data() { addDesignRows(); }
    void hostileClientsThenAGoodRequest();
    void stopDuringLoadLeavesNothingBehind_data() { addDesignRows(); }
    void stopDuringLoadLeavesNothingBehind();
    void portInUseIsAClearError();
};

void TestServers::designNamesRoundTrip()
{
    QCOMPARE(int(allServerDesigns().size()), 5);
    for (ServerDesign d : allServerDesigns())
        QCOMPARE(serverDesignFromName(serverDesignName(d)), std::optional<ServerDesign>(d));
    QVERIFY(!serverDesignFromName("forking").has_value());
}

void TestServers::configRoundTripsThroughArgs()
{
    ServerConfig c;
    c.design = ServerDesign::Process;
    c.port = 8080;
    c.handler.cpuUs = 250;
    c.handler.diskMs = 40;
    c.limits.maxHeaderBytes = 4096;
    c.limits.idleTimeoutMs = 1234;
    c.limits.maxConnections = 77;
    c.poolWorkers = 3;
    std::string error;
    const auto back = ServerConfig::fromArgs(c.toArgs(), &error);
    QVERIFY2(back.has_value(), error.c_str());
    QCOMPARE(back->design, ServerDesign::Process);
    QCOMPARE(back->port, std::uint16_t(8080));
    QCOMPARE(back->handler.cpuUs, std::int64_t(250));
    QCOMPARE(back->handler.diskMs, std::int64_t(40));
    QCOMPARE(back->limits.maxHeaderBytes, 4096u);
    QCOMPARE(back->limits.idleTimeoutMs, std::int64_t(1234));
    QCOMPARE(back->limits.maxConnections, 77);
    QCOMPARE(back->poolWorkers, 3);

    QVERIFY(!ServerConfig::fromArgs({"disk_ms=-1"}, &error));
    QVERIFY(!ServerConfig::fromArgs({"design=forking"}, &error));
    QVERIFY(!ServerConfig::fromArgs({"cpu_us=12abc"}, &error));
    QVERIFY(!ServerConfig::fromArgs({"nonsense=1"}, &error));

    ServerConfig bad;
    bad.handler.diskMs = 20'000;
    QString why;
    QVERIFY(!bad.validate(&why));
    QVERIFY2(why.contains(QLatin1String("disk_ms")) && why.contains(QLatin1String("20000")), qPrintable(why));
    QCOMPARE(ServerConfig {}.effectiveMaxConnections(), 4096);
    ServerConfig iterative;
    iterative.design = ServerDesign::Iterative;
    QCOMPARE(iterative.effectiveMaxConnections(), 1);
}

void TestServers::readerParsesARequestSplitAnywhere()
{
    const std::string request = "GET /a/b?c=d HTTP/1.1\r\nHost: example\r\nX-Long: " + std::string(300, 'v')
        + "\r\nContent-Length: 5\r\n\r\nhello";
    ServerLimits limits;
    // Every split point into two pieces, and byte by byte: the same request each time.
    for (std::size_t split = 0; split <= request.size(); split += (split < 40 ? 1 : 37)) {
        RequestReader reader(limits);
        auto feed = [&](const std::string &part) {
            std::size_t done = 0;
            while (done < part.size()) {
                const std::size_t n = std::min(reader.writeSpace(), part.size() - done);
                std::memcpy(reader.writePtr(), part.data() + done, n);
                reader.commit(n);
                done += n;
            }
        };
        feed(request.substr(0, split));
        const auto first = reader.parse();
        QVERIFY(split == request.size() ? first == RequestReader::Status::Complete
                                        : first == RequestReader::Status::NeedMore);
        feed(request.substr(split));
        QCOMPARE(reader.parse(), RequestReader::Status::Complete);
        QCOMPARE(reader.request().method, ParsedRequest::Method::Get);
        QVERIFY(reader.request().keepAlive);
        QVERIFY(reader.request().hasHost);
        QVERIFY(!reader.hasBufferedBytes());
    }
    // Two requests in one piece: the second stays for next().
    RequestReader reader(limits);
    const std::string two = "HEAD / HTTP/1.0\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
    std::memcpy(reader.writePtr(), two.data(), two.size());
    reader.commit(two.size());
    QCOMPARE(reader.parse(), RequestReader::Status::Complete);
    QCOMPARE(reader.request().method, ParsedRequest::Method::Head);
    QVERIFY(!reader.request().keepAlive); // HTTP/1.0 without keep-alive
    QVERIFY(reader.hasBufferedBytes());
    reader.next();
    QCOMPARE(reader.parse(), RequestReader::Status::Complete);
    QCOMPARE(reader.request().method, ParsedRequest::Method::Get);
    QVERIFY(!reader.request().keepAlive); // Connection: close
}

void TestServers::readerBoundsMemoryOnGarbage()
{
    ServerLimits limits;
    limits.maxHeaderBytes = 1024;
    limits.maxBodyBytes = 100;
    std::mt19937 rng(7);
    int errors = 0;
    for (int round = 0; round < 300; ++round) {
        RequestReader reader(limits);
        std::string prefix;
        if (round % 3 == 1)
            prefix = "GET / HTTP/1.1\r\n";
        if (round % 3 == 2)
            prefix = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: ";
        std::size_t total = 0;
        auto status = RequestReader::Status::NeedMore;
        for (int piece = 0; piece < 400 && status == RequestReader::Status::NeedMore; ++piece) {
            const std::size_t space = reader.writeSpace();
            // Bounded memory: never more room than the header limit and one receive.
            QVERIFY(space > 0 && space <= limits.maxHeaderBytes + 4096);
            std::string chunk = piece == 0 ? prefix : std::string();
            const std::size_t n = std::min<std::size_t>(space, rng() % 64 + 1);
            for (std::size_t i = chunk.size(); i < n; ++i)
                chunk.push_back(char(rng() % 3 == 0 ? "\r\n: "[rng() % 4] : char(rng() % 256)));
            chunk.resize(std::min(chunk.size(), space));
            std::memcpy(reader.writePtr(), chunk.data(), chunk.size());
            reader.commit(chunk.size());
            total += chunk.size();
            status = reader.parse();
        }
        if (status == RequestReader::Status::Error) {
            ++errors;
            QVERIFY2(
                reader.errorStatus() == 400 || reader.errorStatus() == 413 || reader.errorStatus() == 431,
                qPrintable(QString::number(reader.errorStatus())));
            QVERIFY(!reader.errorText().empty());
        }
    }
    QVERIFY(errors > 200); // random bytes are almost never a request
}

void TestServers::servesConcurrentClients()
{
    QFETCH(ServerDesign, design);
    ServerConfig config;
    config.design = design;
    auto server = startServer(config);
    QVERIFY(server->isRunning());
    const std::uint16_t port = server->port();
    QVERIFY(port != 0);

    constexpr int kClients = 8;
    constexpr int kKeepAliveRequests = 5;
    constexpr int kClosedRequests = 3;
    std::atomic<int> good {0};
    std::vector<std::string> failures(kClients);
    std::vector<std::thread> threads;
    for (int i = 0; i < kClients; ++i) {
        threads.emplace_back([&, i] {
            KeepAliveClient client {port};
            for (int k = 0; k < kKeepAliveRequests; ++k) {
                const Response r = client.get(getRequest("/k" + std::to_string(k)));
                if (r.status == 200 && r.body == HttpHandler::defaultBodyText()
                    && r.header("server") == std::string("proclab-") + serverDesignName(design))
                    ++good;
                else
                    failures[i] = "keep-alive: " + std::to_string(r.status) + " " + r.error;
            }
            for (int k = 0; k < kClosedRequests; ++k) {
                const Response r = fetchOnce(port, getRequest("/c", false));
                if (r.status == 200 && r.closes() && r.body == HttpHandler::defaultBodyText())
                    ++good;
                else
                    failures[i] = "close: " + std::to_string(r.status) + " " + r.error;
            }
        });
    }
    for (auto &t : threads)
        t.join();
    for (const auto &f : failures)
        QVERIFY2(f.empty(), f.c_str());
    QCOMPARE(good.load(), kClients * (kKeepAliveRequests + kClosedRequests));

    // HEAD: the same fields, no body; HTTP/1.0 without keep-alive: closed after.
    const Response head = fetchOnce(port, getRequest("/", false, "HEAD"), true);
    QCOMPARE(head.status, 200);
    QCOMPARE(head.header("content-length"), std::to_string(std::strlen(HttpHandler::defaultBodyText())));
    const Response old = fetchOnce(port, "GET / HTTP/1.0\r\n\r\n");
    QCOMPARE(old.status, 200);
    QVERIFY(old.closes());

    const int total = kClients * (kKeepAliveRequests + kClosedRequests) + 2;
    QVERIFY(waitUntil([&] { return server->stats().responses2xx == total; }));
    const ServerStats s = server->stats();
    QCOMPARE(s.requests, std::int64_t(total));
    QCOMPARE(s.responses4xx + s.responses5xx, std::int64_t(0));
    QVERIFY(s.connectionsAccepted >= kClients * (1 + kClosedRequests) + 2);
    server->stop();
    QVERIFY(!server->isRunning());
    QVERIFY(fetchOnce(port, getRequest()).status == 0); // nobody listens any more
}

void TestServers::pipelinedRequestsAnsweredInOrder()
{
    QFETCH(ServerDesign, design);
    ServerConfig config;
    config.design = design;
    auto server = startServer(config);
    QVERIFY(server->isRunning());
    const int fd = connectTo(server->port());
    QVERIFY(fd >= 0);
    // GET, HEAD, GET in one packet: the HEAD answer (no body) must come second.
    QVERIFY(sendAll(fd, getRequest("/1") + getRequest("/2", true, "HEAD") + getRequest("/3", false)));
    std::string pending;
    const Response a = readResponse(fd, pending);
    const Response b = readResponse(fd, pending, true);
    const Response c = readResponse(fd, pending);
    QCOMPARE(a.status, 200);
    QCOMPARE(a.body, std::string(HttpHandler::defaultBodyText()));
    QCOMPARE(b.status, 200);
    QVERIFY(b.body.empty());
    QCOMPARE(c.status, 200);
    QCOMPARE(c.body, std::string(HttpHandler::defaultBodyText()));
    QVERIFY(c.closes());
    QVERIFY(readUntilClosed(fd));
    ::close(fd);
}

void TestServers::diskWaitSerializesOnlyTheIterative()
{
    QFETCH(ServerDesign, design);
    ServerConfig config;
    config.design = design;
    config.handler.diskMs = 400;
    config.poolWorkers = 4;
    auto server = startServer(config);
    QVERIFY(server->isRunning());
    constexpr int kClients = 4;
    std::atomic<int> good {0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kClients; ++i)
        threads.emplace_back(
            [&] { good += fetchOnce(server->port(), getRequest("/", false)).status == 200; });
    for (auto &t : threads)
        t.join();
    QCOMPARE(good.load(), kClients);
    const ServerStats s = server->stats();
    QCOMPARE(s.requests, std::int64_t(kClients));
    if (design == ServerDesign::Iterative) {
        // One request at a time, whatever the clients do: the disk waits queue up.
        QCOMPARE(s.inFlightMax, std::int64_t(1));
    } else {
        // Threads, workers, processes or timers: the waits overlap.
        QVERIFY2(s.inFlightMax >= 2, qPrintable(QString::number(s.inFlightMax)));
    }
    if (design == ServerDesign::Pool) {
        // A worker counts a request once its response is written, just after the client has it.
        auto served = [&] {
            std::int64_t n = 0;
            for (std::int64_t k : server->activity().workerRequests)
                n += k;
            return n;
        };
        QVERIFY(waitUntil([&] { return served() == kClients; }));
        const ServerActivity a = server->activity();
        QCOMPARE(int(a.workers.size()), 4);
        QCOMPARE(a.queueLength, 0);
        QVERIFY(a.queueLengthMax >= 0 && a.queueLengthMax <= kClients);
        for (ConnectionPhase p : a.workers)
            QCOMPARE(p, ConnectionPhase::Idle);
    }
    QVERIFY(waitUntil([&] { return server->stats().connectionsOpen == 0; }));
    const ServerStats after = server->stats();
    for (int p = 0; p < kConnectionPhaseCount; ++p)
        QCOMPARE(after.connectionsInPhase[p], std::int64_t(0));
}

void TestServers::threadsMatchTheDesign()
{
    QFETCH(ServerDesign, design);
    ServerConfig config;
    config.design = design;
    config.poolWorkers = 3;
    const int before = threadCount();
    auto server = startServer(config);
    QVERIFY(server->isRunning());
    const int added = threadCount() - before;
    switch (design) {
    case ServerDesign::Iterative:
    case ServerDesign::Thread: // the acceptor; connection threads come later
    case ServerDesign::Fsm:
        QCOMPARE(added, 1);
        break;
    case ServerDesign::Pool:
        QCOMPARE(added, 1 + 3); // dispatcher and workers
        break;
    case ServerDesign::Process:
        QCOMPARE(added, 0); // the forking happens in a helper process
        break;
    }
    if (design == ServerDesign::Process) {
        const auto *process = static_cast<ProcessServer *>(server.get());
        const std::vector<int> children = childPids();
        QCOMPARE(int(children.size()), 1);
        QCOMPARE(children.front(), int(process->helperPid()));
        // Connections make children of the helper, not of this process.
        const int fd = connectTo(server->port());
        QVERIFY(sendAll(fd, getRequest()));
        std::string pending;
        QCOMPARE(readResponse(fd, pending).status, 200);
        QCOMPARE(server->stats().workersStarted, std::int64_t(1));
        QCOMPARE(int(childPids().size()), 1);
        ::close(fd);
    }
    if (design == ServerDesign::Thread) {
        const int fd = connectTo(server->port());
        QVERIFY(sendAll(fd, getRequest()));
        std::string pending;
        QCOMPARE(readResponse(fd, pending).status, 200);
        QCOMPARE(threadCount() - before, 2); // the connection's own thread, still serving it
        ::close(fd);
        QVERIFY(waitUntil([&] { return threadCount() - before == 1; }));
        QCOMPARE(server->stats().workersStarted, std::int64_t(1));
    }
    server->stop();
    QVERIFY(waitUntil([&] { return threadCount() == before; }));
    QVERIFY(childPids().empty());
}

void TestServers::hostileClientsThenAGoodRequest()
{
    QFETCH(ServerDesign, design);
    ServerConfig config;
    config.design = design;
    config.handler.responseBytes = 16 << 20; // large enough to fill both socket buffers
    config.limits.maxHeaderBytes = 1024;
    config.limits.maxBodyBytes = 1024;
    config.limits.requestTimeoutMs = 400;
    config.limits.idleTimeoutMs = 400;
    // The write timeout is a stall timeout, and the good request at the end is 16 MiB: a
    // client slowed by ThreadSanitizer on a loaded machine can go 400 ms without reading
    // (seen in CI), so it is longer than the others.
    config.limits.writeTimeoutMs = 1500;
    config.limits.maxConnections = 4;
    config.poolWorkers = 2;
    auto server = startServer(config);
    QVERIFY(server->isRunning());
    const std::uint16_t port = server->port();
    // Between attacks, the server must have let go of the last one (an error answer is
    // followed by a short lingering close), or the next would meet the cap of 4.
    auto settled = [&] { return waitUntil([&] { return server->stats().connectionsOpen == 0; }); };

    struct Case {
        const char *what;
        std::string bytes;
        int status;
    };
    const std::vector<Case> cases = {
        {"garbage", bytesOf("\x16\x03\x01\x02\x00 hello\r\n\r\n"), 400},
        {"oversized header", "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(4000, 'a') + "\r\n\r\n",
            431},
        {"oversized body",
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100000\r\n\r\n" + std::string(2000, 'b'), 413},
        {"bad content length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -5\r\n\r\n", 400},
        {"unknown method", "BREW /pot HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", 405},
        {"no host", "GET / HTTP/1.1\r\n\r\n", 400},
        {"bad target", "GET nothing HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        {"nul bytes", bytesOf("GET /\0 HTTP/1.1\r\nHost: h\r\n\r\n"), 400},
    };
    for (const Case &c : cases) {
        const int fd = connectTo(port);
        QVERIFY(fd >= 0);
        sendAll(fd, c.bytes); // the server may close before it has read everything
        std::string pending;
        const Response r = readResponse(fd, pending);
        QVERIFY2(r.status == c.status,
            (std::string(c.what) + ": got " + std::to_string(r.status) + " " + r.error).c_str());
        QVERIFY2(!r.body.empty() && r.body.find(std::to_string(c.status)) == 0, c.what);
        ::close(fd);
        QVERIFY(settled());
    }

    // A slow trickle: one byte every 50 ms never completes a request in time.
    {
        const int fd = connectTo(port);
        QVERIFY(sendAll(fd, "GET / HTTP/1.1\r\n"));
        const std::string rest = "Host: h\r\nX-Slow: " + std::string(200, 's') + "\r\n\r\n";
        std::string answer;
        for (char ch : rest) {
            if (!sendAll(fd, std::string(1, ch)))
                break; // the server gave up on us: expected
            std::this_thread::sleep_for(std::chrono::milliseconds(50)); // the trickle's pace
            if (isReadableNowForTest(fd))
                break;
        }
        readUntilClosed(fd, &answer);
        QVERIFY2(answer.rfind("HTTP/1.1 408", 0) == 0, answer.substr(0, 40).c_str());
        ::close(fd);
        QVERIFY(server->stats().requestTimeouts >= 1);
        QVERIFY(settled());
    }

    // A client that asks and never reads: the write timeout frees the server.
    {
        const std::int64_t before = server->stats().writeTimeouts;
        const int fd = connectTo(port, 10000, 4096);
        QVERIFY(sendAll(fd, getRequest()));
        QVERIFY(waitUntil([&] { return server->stats().writeTimeouts > before; }));
        ::close(fd);
        QVERIFY(settled());
    }

    // A flood of idle connections beyond the cap.
    {
        const std::int64_t before = server->stats().capRejections;
        std::vector<int> flood;
        for (int i = 0; i < 7; ++i)
            flood.push_back(connectTo(port));
        int rejected = 0;
        for (int fd : flood) {
            QVERIFY(fd >= 0);
            std::string answer;
            readUntilClosed(fd, &answer); // a 503 at once, or a 408 when the idle wait ends
            if (answer.rfind("HTTP/1.1 503", 0) == 0) {
                ++rejected;
                QVERIFY2(answer.find("cap of 4") != std::string::npos, answer.c_str());
            } else {
                QVERIFY2(answer.rfind("HTTP/1.1 408", 0) == 0, answer.substr(0, 40).c_str());
            }
            ::close(fd);
        }
        if (design == ServerDesign::Iterative) {
            QCOMPARE(rejected, 0); // no cap: they wait in the accept queue, one at a time
        } else {
            QVERIFY2(rejected >= 1, qPrintable(QString::number(rejected)));
            QCOMPARE(server->stats().capRejections - before, std::int64_t(rejected));
        }
    }

    // After all that (once the server has seen the flood's connections close), a good
    // request is served in full.
    QVERIFY(settled());
    const std::int64_t writeTimeoutsBefore = server->stats().writeTimeouts;
    const Response good = fetchOnce(port, getRequest("/", false));
    const std::string goodText = std::to_string(good.status) + " " + good.error + " (write timeouts "
        + std::to_string(server->stats().writeTimeouts - writeTimeoutsBefore) + ") "
        + good.body.substr(0, 100);
    QVERIFY2(good.status == 200 && good.error.empty(), goodText.c_str());
    QCOMPARE(good.body.size(), std::size_t(16 << 20));
    const ServerStats s = server->stats();
    QVERIFY(s.badRequests >= std::int64_t(cases.size()));
    QVERIFY(s.responses4xx >= std::int64_t(cases.size()) + 1);
    QVERIFY(s.responses2xx >= 1);
}

void TestServers::stopDuringLoadLeavesNothingBehind()
{
    QFETCH(ServerDesign, design);
    const int threadsBefore = threadCount();
    ServerConfig config;
    config.design = design;
    config.handler.diskMs = 5;
    auto server = startServer(config);
    QVERIFY(server->isRunning());
    pid_t helper = -1;
    if (design == ServerDesign::Process)
        helper = static_cast<ProcessServer *>(server.get())->helperPid();

    LoadGenerator generator;
    LoadConfig load;
    load.port = server->port();
    load.clients = 20;
    load.seconds = 60;
    load.keepAlive = design != ServerDesign::Thread; // new threads (and processes) per connection too
    LoadResult result;
    std::thread runner([&] { result = generator.run(load); });
    const bool loaded = waitUntil([&] { return generator.completedSoFar() >= 40; }, 30000);
    server->stop(); // with connections open and requests in the middle of their disk wait
    generator.stop();
    runner.join();
    QVERIFY(loaded);
    QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
    QVERIFY(result.stopped);
    QVERIFY(result.elapsedS < load.seconds); // ended by the stop, inside the run's own bound
    QVERIFY(result.ok >= 40);

    QVERIFY(waitUntil([&] { return threadCount() == threadsBefore; }));
    QCOMPARE(threadCount(), threadsBefore);
    QVERIFY(childPids().empty());
    if (helper > 0) {
        // The helper's process group, which held every forked child, is empty.
        QCOMPARE(::kill(-helper, 0), -1);
        QCOMPARE(errno, ESRCH);
    }
}

void TestServers::portInUseIsAClearError()
{
    ServerConfig config;
    auto first = startServer(config);
    QVERIFY(first->isRunning());
    for (ServerDesign d : allServerDesigns()) {
        ServerConfig again;
        again.design = d;
        again.port = first->port();
        auto second = makeHttpServer(again);
        QString error;
        QVERIFY(!second->start(&error));
        QVERIFY2(error.contains(QStringLiteral("127.0.0.1:%1").arg(first->port()))
                && error.contains(QLatin1String("in use")),
            qPrintable(error));
    }
}

int main(int argc, char **argv)
{
    // This program is also the process design's forking helper (see helpermode.h).
    if (const int rc = proclab::runHelperModeIfRequested(argc, argv); rc >= 0)
        return rc;
    TestServers tc;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&tc, argc, argv);
}

#include "tst_servers.moc"
