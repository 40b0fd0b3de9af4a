#include "net/httpclient.h"
#include "net/latencyserver.h"
#include "webclient/replicaengine.h"
#include "webclient/replicatingstub.h"
#include "webclient/rpcfanoutengine.h"
#include "webclient/webclientengine.h"

#include "engine/registry.h"

#include <QSet>
#include <QTest>

#include <algorithm>
#include <memory>
#include <set>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace proclab;
using Clock = std::chrono::steady_clock;

class TestWebClient : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void serverServesPageResourcesAndErrors();
    void serverAnswersWhatCurlSends();
    void latencyIsATimerNotABlockedThread();
    void waterfallFetchesEveryResourceOnce_data();
    void waterfallFetchesEveryResourceOnce();
    void oneThreadPaysOneLatencyPerResource();
    void bandwidthBoundsTheLoadTime();
    void sweepMeasuresEachThreadCount();
    void fanoutSequentialPaysEveryLatency();
    void stubSurvivesAKilledReplica();
    void killedServerRefusesConnections();
    void stopMidwayEndsTheRun();
    void badParametersAreRefused();
    void stubAloneReturnsTheFirstAnswer();
    void everySummaryKeyIsDeclared_data();
    void everySummaryKeyIsDeclared();
    void enginesAreRegistered();
};

void TestWebClient::serverServesPageResourcesAndErrors()
{
    LatencyServerConfig cfg;
    cfg.resources = 5;
    cfg.resourceBytes = 3000;
    cfg.latencyMs = 0;
    LatencyServer server(cfg);
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    QVERIFY(server.port() != 0);

    const auto origin = Clock::now();
    FetchTiming t;
    HttpResponse page = httpGet(server.port(), "/", 5000, origin, &t);
    QVERIFY2(page.error.isEmpty(), qPrintable(page.error));
    QCOMPARE(page.status, 200);
    const auto refs = parseReferences(page.body);
    QCOMPARE(int(refs.size()), 5);
    QCOMPARE(QString::fromStdString(refs[3]), QStringLiteral("/r/3"));
    QVERIFY(t.startMs <= t.connectedMs && t.connectedMs <= t.firstByteMs && t.firstByteMs <= t.endMs);

    HttpResponse res = httpGet(server.port(), refs[2], 5000, origin, &t);
    QVERIFY2(res.error.isEmpty(), qPrintable(res.error));
    QCOMPARE(int(res.body.size()), 3000);
    QCOMPARE(t.bytes, qint64(3000));

    HttpResponse missing = httpGet(server.port(), "/r/5", 5000, origin);
    QCOMPARE(missing.status, 404);
    QVERIFY(missing.error.contains(QLatin1String("404")));
    HttpResponse rpc = httpGet(server.port(), "/rpc?x=1", 5000, origin);
    QVERIFY(rpc.body.find("x=1") != std::string::npos);
    server.stop();
    QVERIFY(!server.isRunning());
    QCOMPARE(server.responsesSent(), qint64(4));
}

void TestWebClient::serverAnswersWhatCurlSends()
{
    // What curl or a browser sends, with no help from our client code.
    LatencyServerConfig cfg;
    cfg.resources = 2;
    cfg.latencyMs = 1;
    LatencyServer server(cfg);
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    QVERIFY(fd >= 0);
    timeval tv {5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(server.port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    QCOMPARE(::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
    const char req[]
        = "GET /index.html HTTP/1.1\r\nHost: localhost\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n";
    QCOMPARE(::send(fd, req, sizeof req - 1, 0), ssize_t(sizeof req - 1));
    std::string reply;
    char buf[4096];
    ssize_t n;
    while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0)
        reply.append(buf, size_t(n));
    ::close(fd);
    QVERIFY(reply.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    QVERIFY(reply.find("Content-Length: ") != std::string::npos);
    QVERIFY(reply.find("<img src=\"/r/1\"") != std::string::npos);
}

void TestWebClient::latencyIsATimerNotABlockedThread()
{
    // One io thread serves every connection. If the latency blocked it, the
    // server could not even read the second request before answering the first;
    // with a timer, it holds every request at once while none is answered yet.
    LatencyServerConfig cfg;
    cfg.latencyMs = 3000;
    cfg.resources = 0;
    LatencyServer server(cfg);
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    constexpr int kClients = 6;
    std::vector<FetchTiming> timings(kClients);
    std::vector<QString> errors(kClients);
    const auto origin = Clock::now();
    std::vector<std::thread> threads;
    for (int i = 0; i < kClients; ++i)
        threads.emplace_back(
            [&, i] { errors[i] = httpGet(server.port(), "/rpc", 20000, origin, &timings[i]).error; });
    for (int i = 0; i < 2000 && server.requestsReceived() < kClients; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const qint64 received = server.requestsReceived();
    const qint64 answered = server.responsesSent();
    for (auto &t : threads)
        t.join();
    QCOMPARE(received, qint64(kClients));
    QCOMPARE(answered, qint64(0));
    for (int i = 0; i < kClients; ++i) {
        QVERIFY2(errors[i].isEmpty(), qPrintable(errors[i]));
        // The timer never fires early: every answer waited at least the latency.
        QVERIFY(timings[i].firstByteMs - timings[i].connectedMs >= cfg.latencyMs - 1.0);
    }
    QCOMPARE(server.responsesSent(), qint64(kClients));
}

void TestWebClient::waterfallFetchesEveryResourceOnce_data()
{
    QTest::addColumn<int>("threads");
    QTest::addColumn<int>("resources");
    QTest::newRow("1 thread") << 1 << 5;
    QTest::newRow("4 threads") << 4 << 10;
    QTest::newRow("more threads than resources") << 8 << 3;
}

void TestWebClient::waterfallFetchesEveryResourceOnce()
{
    QFETCH(int, threads);
    QFETCH(int, resources);
    const auto eOwner = makeEngine<WebClientEngine>();
    WebClientEngine &e = *eOwner;
    QString error;
    QVERIFY2(e.configure({{QStringLiteral("threads"), threads}, {QStringLiteral("resources"), resources},
                             {QStringLiteral("resource_size"), QStringLiteral("4KiB")},
                             {QStringLiteral("latency_ms"), 10}},
                 &error),
        qPrintable(error));
    const Result r = runToCompletion(e, std::chrono::seconds(60));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    const auto snap = std::dynamic_pointer_cast<const WebClientSnapshot>(e.snapshot());
    QVERIFY(snap);
    QCOMPARE(int(snap->waterfall.size()), resources + 1);
    QCOMPARE(snap->waterfall.front().resource, -1);
    std::set<int> fetched;
    double lastEnd = 0;
    qint64 bytes = 0;
    std::vector<std::vector<std::pair<double, double>>> perThread(threads);
    for (const auto &w : snap->waterfall) {
        QVERIFY(w.timing.startMs <= w.timing.connectedMs);
        QVERIFY(w.timing.connectedMs <= w.timing.firstByteMs);
        QVERIFY(w.timing.firstByteMs <= w.timing.endMs);
        lastEnd = std::max(lastEnd, w.timing.endMs);
        bytes += w.timing.bytes;
        if (w.resource < 0)
            continue;
        QVERIFY(fetched.insert(w.resource).second);
        QVERIFY(w.thread >= 0 && w.thread < threads);
        QCOMPARE(w.timing.bytes, qint64(4096));
        // Resources are fetched after the page, whose references they are.
        QVERIFY(w.timing.startMs >= snap->waterfall.front().timing.endMs);
        perThread[w.thread].push_back({w.timing.startMs, w.timing.endMs});
    }
    QCOMPARE(int(fetched.size()), resources);
    // A blocking thread does one request at a time: its bars never overlap.
    for (auto &bars : perThread) {
        std::sort(bars.begin(), bars.end());
        for (size_t i = 1; i < bars.size(); ++i)
            QVERIFY(bars[i].first >= bars[i - 1].second);
    }
    QCOMPARE(r.summary.value(QStringLiteral("load_ms")).toDouble(), lastEnd);
    QCOMPARE(r.summary.value(QStringLiteral("bytes_received")).toDouble(), double(bytes));
    QCOMPARE(int(r.table.rows.size()), resources + 1);
    const QJsonObject json = r.toJson();
    QVERIFY(json.contains(QStringLiteral("table")));
}

void TestWebClient::oneThreadPaysOneLatencyPerResource()
{
    const auto eOwner = makeEngine<WebClientEngine>();
    WebClientEngine &e = *eOwner;
    QVERIFY(e.configure({{QStringLiteral("threads"), 1}, {QStringLiteral("resources"), 4},
        {QStringLiteral("latency_ms"), 40}}));
    const Result r = runToCompletion(e, std::chrono::seconds(60));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    // Page plus four resources, one after another, each waiting the full latency.
    QVERIFY(r.summary.value(QStringLiteral("load_ms")).toDouble() >= 5 * 40 - 1);
}

void TestWebClient::bandwidthBoundsTheLoadTime()
{
    // 8 x 16 KiB over an 8 Mbit/s link cannot take less than 131 ms, however many threads.
    const auto eOwner = makeEngine<WebClientEngine>();
    WebClientEngine &e = *eOwner;
    QVERIFY(e.configure({{QStringLiteral("threads"), 8}, {QStringLiteral("resources"), 8},
        {QStringLiteral("resource_size"), QStringLiteral("16KiB")}, {QStringLiteral("latency_ms"), 0},
        {QStringLiteral("bandwidth"), QStringLiteral("8Mbit")}}));
    const Result r = runToCompletion(e, std::chrono::seconds(60));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    const double boundMs = 8 * 16384 * 8 / 8e6 * 1000;
    QCOMPARE(r.summary.value(QStringLiteral("model_bandwidth_bound_ms")).toDouble(), boundMs);
    QVERIFY(r.summary.value(QStringLiteral("load_ms")).toDouble() >= boundMs - 1);
}

void TestWebClient::sweepMeasuresEachThreadCount()
{
    const auto eOwner = makeEngine<WebClientEngine>();
    WebClientEngine &e = *eOwner;
    QVERIFY(e.configure({{QStringLiteral("threads"), 6}, {QStringLiteral("resources"), 6},
        {QStringLiteral("resource_size"), QStringLiteral("1KiB")}, {QStringLiteral("latency_ms"), 20},
        {QStringLiteral("sweep"), true}}));
    const Result r = runToCompletion(e, std::chrono::seconds(60));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    const auto snap = std::dynamic_pointer_cast<const WebClientSnapshot>(e.snapshot());
    QVERIFY(snap);
    QCOMPARE(int(snap->curve.size()), 4); // 1, 2, 4, 6
    QCOMPARE(snap->curve.back().threads, 6);
    QCOMPARE(snap->threads, 6);
    // One thread: page + 6 resources, each at least one latency.
    QVERIFY(r.summary.value(QStringLiteral("load_ms_k1")).toDouble() >= 7 * 20 - 1);
    QVERIFY(r.summary.contains(QStringLiteral("knee_threads")));
    QCOMPARE(r.series.front().x.size(), size_t(4));
}

void TestWebClient::fanoutSequentialPaysEveryLatency()
{
    const auto eOwner = makeEngine<RpcFanoutEngine>();
    RpcFanoutEngine &e = *eOwner;
    QVERIFY(e.configure({{QStringLiteral("servers"), 3}, {QStringLiteral("latency_ms"), 30},
        {QStringLiteral("repeats"), 1}}));
    const Result r = runToCompletion(e, std::chrono::seconds(60));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    const auto snap = std::dynamic_pointer_cast<const FanoutSnapshot>(e.snapshot());
    QVERIFY(snap);
    QCOMPARE(int(snap->points.size()), 3);
    for (const auto &p : snap->points) {
        QVERIFY(p.sequentialMs >= p.servers * 30 - 1);
        QVERIFY(p.parallelMs >= 30 - 1);
        QCOMPARE(p.speedup, p.sequentialMs / p.parallelMs);
    }
    QCOMPARE(r.summary.value(QStringLiteral("servers")).toInt(), 3);
}

void TestWebClient::stubSurvivesAKilledReplica()
{
    const auto eOwner = makeEngine<ReplicaEngine>();
    ReplicaEngine &e = *eOwner;
    constexpr int kCalls = 12;
    constexpr int kKillAt = 4;
    QVERIFY(e.configure({{QStringLiteral("requests"), kCalls}, {QStringLiteral("interval_ms"), 5},
        {QStringLiteral("latency_ms"), 5}, {QStringLiteral("jitter_ms"), 20},
        {QStringLiteral("kill_at"), kKillAt}, {QStringLiteral("kill_replica"), 1}}));
    const Result r = runToCompletion(e, std::chrono::seconds(60));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    // The caller never sees the failure...
    QCOMPARE(r.summary.value(QStringLiteral("caller_failures")).toInt(), 0);
    QCOMPARE(r.summary.value(QStringLiteral("calls")).toInt(), kCalls);
    QCOMPARE(r.summary.value(QStringLiteral("killed_replica")).toInt(), 1);
    const auto snap = std::dynamic_pointer_cast<const ReplicaSnapshot>(e.snapshot());
    QVERIFY(snap);
    int firsts = 0;
    for (int rep = 0; rep < 3; ++rep) {
        const auto &c = snap->counters[rep];
        QCOMPARE(c.sent, kCalls);
        // ...every request ended one way or the other at every replica...
        QCOMPARE(c.first + c.late + c.failed, kCalls);
        firsts += c.first;
        if (rep != 1)
            QCOMPARE(c.failed, 0);
    }
    QCOMPARE(firsts, kCalls);
    // ...only the stub's counters show it: every call after the kill failed at replica 1.
    QVERIFY(snap->counters[1].killed);
    QVERIFY(snap->counters[1].failed >= kCalls - kKillAt);
    for (const auto &call : snap->calls) {
        QVERIFY(call.winner >= 0);
        if (call.index >= kKillAt) {
            QVERIFY(call.winner != 1);
            QCOMPARE(call.outcome[1], 3);
        }
    }
}

void TestWebClient::killedServerRefusesConnections()
{
    LatencyServerConfig cfg;
    cfg.latencyMs = 2000;
    LatencyServer server(cfg);
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    const std::uint16_t port = server.port();
    HttpResponse inFlight;
    std::thread client([&] { inFlight = httpGet(port, "/rpc", 10000, Clock::now()); });
    // Wait until the server has the request, then crash it.
    for (int i = 0; i < 500 && server.requestsReceived() == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    QCOMPARE(server.requestsReceived(), qint64(1));
    server.kill();
    client.join();
    QVERIFY(!inFlight.error.isEmpty());
    const HttpResponse after = httpGet(port, "/rpc", 2000, Clock::now());
    QCOMPARE(after.error, QStringLiteral("connection refused"));
}

void TestWebClient::stopMidwayEndsTheRun()
{
    const auto eOwner = makeEngine<WebClientEngine>();
    WebClientEngine &e = *eOwner;
    QVERIFY(e.configure({{QStringLiteral("threads"), 4}, {QStringLiteral("resources"), 16},
        {QStringLiteral("latency_ms"), 2000}}));
    e.setSpeed(0);
    e.start();
    QTest::qWait(300);
    e.stop(); // joins the engine thread, which joins its client threads and the server
    QCOMPARE(e.state(), RunState::Stopped);
    QVERIFY(e.snapshot());
}

void TestWebClient::badParametersAreRefused()
{
    const auto eOwner = makeEngine<WebClientEngine>();
    WebClientEngine &e = *eOwner;
    QString error;
    QVERIFY(!e.configure({{QStringLiteral("threads"), 33}}, &error));
    QVERIFY2(error.contains(QLatin1String("threads")), qPrintable(error));
    const auto reOwner = makeEngine<ReplicaEngine>();
    ReplicaEngine &re = *reOwner;
    QVERIFY(!re.configure({{QStringLiteral("kill_replica"), 3}}, &error));
    QVERIFY2(error.contains(QLatin1String("kill_replica")), qPrintable(error));
}

void TestWebClient::stubAloneReturnsTheFirstAnswer()
{
    // Three replicas; the stub is used directly, as an application would.
    std::vector<std::unique_ptr<LatencyServer>> replicas;
    std::vector<std::uint16_t> ports;
    for (int r = 0; r < 3; ++r) {
        LatencyServerConfig cfg;
        cfg.resources = 0;
        cfg.latencyMs = 1;
        replicas.push_back(std::make_unique<LatencyServer>(cfg));
        QString error;
        QVERIFY2(replicas.back()->start(&error), qPrintable(error));
        ports.push_back(replicas.back()->port());
    }
    // Replica 2 is dead from the start: its port refuses connections.
    replicas[2]->kill();
    std::vector<StubCall> calls;
    std::vector<ReplicaCounters> counters;
    {
        ReplicatingStub stub(ports, 5000, Clock::now());
        stub.markKilled(2);
        for (int i = 0; i < 5; ++i) {
            const StubCall c = stub.call(i);
            QCOMPARE(c.index, i);
            QVERIFY(c.winner == 0 || c.winner == 1);
            QCOMPARE(c.outcome[c.winner], int(StubCall::First));
            QVERIFY(c.latencyMs >= 0);
        }
        stub.drain(std::chrono::seconds(10));
        stub.copyState(&calls, &counters);
    } // joins the workers
    QCOMPARE(int(calls.size()), 5);
    QCOMPARE(int(counters.size()), 3);
    for (const StubCall &c : calls) {
        QCOMPARE(c.outcome[2], int(StubCall::Failed));
        // The other live replica answered too, later.
        QCOMPARE(c.outcome[1 - c.winner], int(StubCall::Late));
    }
    QCOMPARE(counters[2].failed, 5);
    QVERIFY(counters[2].killed);
    QCOMPARE(counters[0].first + counters[1].first, 5);
    QCOMPARE(counters[0].first + counters[0].late, 5);
    QCOMPARE(counters[1].sent, 5);
}

void TestWebClient::everySummaryKeyIsDeclared_data()
{
    QTest::addColumn<QString>("engine");
    QTest::addColumn<QVariantMap>("params");
    QTest::newRow("webclient") << QStringLiteral("webclient")
                               << QVariantMap {{QStringLiteral("threads"), 2},
                                      {QStringLiteral("resources"), 3},
                                      {QStringLiteral("resource_size"), QStringLiteral("1KiB")},
                                      {QStringLiteral("latency_ms"), 5}};
    QTest::newRow("webclient sweep, bandwidth")
        << QStringLiteral("webclient")
        << QVariantMap {{QStringLiteral("threads"), 3}, {QStringLiteral("resources"), 3},
               {QStringLiteral("resource_size"), QStringLiteral("1KiB")}, {QStringLiteral("latency_ms"), 5},
               {QStringLiteral("bandwidth"), QStringLiteral("100Mbit")}, {QStringLiteral("sweep"), true}};
    QTest::newRow("rpc-fanout") << QStringLiteral("rpc-fanout")
                                << QVariantMap {{QStringLiteral("servers"), 2},
                                       {QStringLiteral("latency_ms"), 5}, {QStringLiteral("repeats"), 1}};
    QTest::newRow("replicas") << QStringLiteral("replicas")
                              << QVariantMap {{QStringLiteral("requests"), 4},
                                     {QStringLiteral("interval_ms"), 0}, {QStringLiteral("latency_ms"), 2},
                                     {QStringLiteral("jitter_ms"), 3}, {QStringLiteral("kill_at"), 2}};
}

void TestWebClient::everySummaryKeyIsDeclared()
{
    QFETCH(QString, engine);
    QFETCH(QVariantMap, params);
    const std::unique_ptr<Engine> e = EngineRegistry::builtin().create(engine);
    QVERIFY(e);
    QString error;
    QVERIFY2(e->configure(params, &error), qPrintable(error));
    const Result r = runToCompletion(*e, std::chrono::seconds(60));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QVERIFY(!r.summary.isEmpty());
    const std::vector<OutputSpec> outputs = e->outputs();
    for (const QString &key : r.summary.keys())
        QVERIFY2(outputsContain(outputs, key), qPrintable(key));
    QSet<QString> ids;
    for (const Series &sr : r.series) {
        QVERIFY2(!sr.id.isEmpty(), qPrintable(sr.name));
        QVERIFY2(!ids.contains(sr.id), qPrintable(sr.id));
        ids.insert(sr.id);
    }
}

void TestWebClient::enginesAreRegistered()
{
    const auto &reg = EngineRegistry::builtin();
    for (const char *id : {"webclient", "rpc-fanout", "replicas"}) {
        const auto *entry = reg.find(QString::fromLatin1(id));
        QVERIFY2(entry, id);
        QCOMPARE(entry->info.provenance, Provenance::Measured);
    }
}

QTEST_APPLESS_MAIN(TestWebClient)
#include "tst_webclient.moc"
