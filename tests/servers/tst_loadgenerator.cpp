#include "net/fdlimit.h"
#include "net/httpserver.h"
#include "net/latencyhistogram.h"
#include "net/loadgenerator.h"
#include "net/serversweep.h"

#include "common/helpermode.h"

#include "testhttp.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <random>
#include <thread>

#include <sys/resource.h>

using namespace proclab;
using namespace testhttp;

namespace {

std::unique_ptr<HttpServer> startServer(ServerDesign design, std::int64_t diskMs = 0)
{
    ServerConfig config;
    config.design = design;
    config.handler.diskMs = diskMs;
    auto server = makeHttpServer(config);
    QString error;
    if (!server->start(&error))
        qWarning("%s", qPrintable(error));
    return server;
}

// The nearest-rank percentile, computed the plain way: sort, index.
std::int64_t sortedPercentile(std::vector<std::int64_t> v, double p)
{
    std::sort(v.begin(), v.end());
    const auto n = std::int64_t(v.size());
    std::int64_t rank = std::int64_t(std::ceil(p * double(n) / 100.0 - 1e-9));
    rank = std::clamp<std::int64_t>(rank, 1, n);
    return v[std::size_t(rank - 1)];
}

// A port where nothing listens: bind one, note it, close it.
std::uint16_t deadPort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

} // namespace

class TestLoadGenerator : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void histogramMatchesSortedSamples();
    void histogramMergesLikeOneHistogram();
    void percentilesAgreeWithRawSamples();
    void closedLoopCountsEveryRequest_data();
    void closedLoopCountsEveryRequest();
    void openLoopSendsAtTheRate();
    void refusedConnectionsAreErrors();
    void silentServerTimesOut();
    void serverAtItsCapShowsAs503();
    void badConfigIsRefused();
    void fdLimitTooLowIsAClearError();
    void stopEndsTheRunEarly();
    void sweepMeasuresEveryPoint();
    void thousandConnectionsOnTwoThreads();
};

void TestLoadGenerator::histogramMatchesSortedSamples()
{
    std::mt19937_64 rng(42);
    std::lognormal_distribution<double> dist(11.0, 1.5); // around 60 us, long tail
    std::vector<std::int64_t> samples;
    LatencyHistogram h;
    for (int i = 0; i < 200'000; ++i) {
        const auto v = std::int64_t(dist(rng));
        samples.push_back(v);
        h.record(v);
    }
    samples.push_back(5); // exact region
    h.record(5);
    QCOMPARE(h.count(), std::int64_t(samples.size()));
    for (double p : {0.1, 1.0, 50.0, 90.0, 95.0, 99.0, 99.9, 100.0}) {
        const std::int64_t exact = sortedPercentile(samples, p);
        const std::int64_t approx = h.percentileNs(p);
        // Never below the exact value, at most one bucket (1/128) above it.
        QVERIFY2(approx >= exact && approx <= exact + exact / 128 + 1,
            qPrintable(QStringLiteral("p%1: %2 vs exact %3").arg(p).arg(approx).arg(exact)));
        std::vector<std::int64_t> copy = samples;
        QCOMPARE(LatencyHistogram::exactPercentileNs(copy, p), exact);
    }
    QCOMPARE(h.maxNs(), *std::max_element(samples.begin(), samples.end()));
    QCOMPARE(h.minNs(), std::int64_t(5));
    // Bucket edges: every value lies in a bucket whose highest value is not below it.
    for (std::int64_t v :
        {0LL, 1LL, 127LL, 128LL, 129LL, 255LL, 256LL, 1'000'000LL, (1LL << 42) + 7, 1LL << 50}) {
        const int b = LatencyHistogram::bucketOf(v);
        QVERIFY(LatencyHistogram::bucketHighestNs(b) >= v || v >= (1LL << 43));
        if (b > 0 && v < (1LL << 43))
            QVERIFY(LatencyHistogram::bucketHighestNs(b - 1) < v);
    }
}

void TestLoadGenerator::histogramMergesLikeOneHistogram()
{
    LatencyHistogram a, b, all;
    for (int i = 1; i <= 1000; ++i) {
        (i % 3 ? a : b).record(i * 997);
        all.record(i * 997);
    }
    a.merge(b);
    QCOMPARE(a.count(), all.count());
    for (double p : {1.0, 50.0, 99.0, 100.0})
        QCOMPARE(a.percentileNs(p), all.percentileNs(p));
    QCOMPARE(a.meanNs(), all.meanNs());
}

void TestLoadGenerator::percentilesAgreeWithRawSamples()
{
    auto server = startServer(ServerDesign::Fsm, 1); // 1 ms timer: latencies well above the noise
    QVERIFY(server->isRunning());
    LoadGenerator generator;
    LoadConfig load;
    load.port = server->port();
    load.clients = 8;
    load.requests = 2000;
    load.seconds = 120;
    const LoadResult r = generator.run(load);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.ok, std::int64_t(2000));
    QCOMPARE(r.errors, std::int64_t(0));
    QVERIFY(!r.samplesTruncated);
    QCOMPARE(std::int64_t(r.samplesNs.size()), r.ok);
    // The summary's percentiles, computed a second way from the raw samples.
    auto check = [&](double reportedMs, double p) {
        const double exactMs = double(sortedPercentile(r.samplesNs, p)) / 1e6;
        QVERIFY2(reportedMs >= exactMs && reportedMs <= exactMs * (1 + 1.0 / 128) + 1e-6,
            qPrintable(QStringLiteral("p%1: %2 ms vs %3 ms").arg(p).arg(reportedMs).arg(exactMs)));
    };
    check(r.latencyP50Ms, 50);
    check(r.latencyP95Ms, 95);
    check(r.latencyP99Ms, 99);
    QCOMPARE(r.latencyMaxMs, double(*std::max_element(r.samplesNs.begin(), r.samplesNs.end())) / 1e6);
    QVERIFY(r.latencyP50Ms <= r.latencyP95Ms && r.latencyP95Ms <= r.latencyP99Ms
        && r.latencyP99Ms <= r.latencyMaxMs);
    QVERIFY(r.latencyP50Ms >= 1.0); // every request waited its 1 ms timer
    QCOMPARE(r.throughputRps, double(r.ok) / r.elapsedS);
    QVERIFY(r.generatorCpuS > 0 && r.generatorCpuPercent > 0);
    QVERIFY(r.busiestThreadCpuPercent <= r.generatorCpuPercent + 1e-9);
    // The server counts a response once it is written, which may be just after the client has it.
    QVERIFY(waitUntil([&] { return server->stats().responses2xx == 2000; }));
}

void TestLoadGenerator::closedLoopCountsEveryRequest_data()
{
    QTest::addColumn<bool>("keepAlive");
    QTest::addColumn<int>("design");
    QTest::newRow("keep-alive fsm") << true << int(ServerDesign::Fsm);
    QTest::newRow("new connections fsm") << false << int(ServerDesign::Fsm);
    QTest::newRow("keep-alive iterative") << true << int(ServerDesign::Iterative);
    QTest::newRow("new connections process") << false << int(ServerDesign::Process);
}

void TestLoadGenerator::closedLoopCountsEveryRequest()
{
    QFETCH(bool, keepAlive);
    QFETCH(int, design);
    auto server = startServer(ServerDesign(design));
    QVERIFY(server->isRunning());
    LoadGenerator generator;
    LoadConfig load;
    load.port = server->port();
    load.clients = 5;
    load.requests = 300;
    load.seconds = 120;
    load.keepAlive = keepAlive;
    const LoadResult r = generator.run(load);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QVERIFY2(r.errors == 0, qPrintable(r.firstError));
    QCOMPARE(r.ok, std::int64_t(300));
    QCOMPARE(r.unfinished, std::int64_t(0));
    QVERIFY(!r.stopped);
    QCOMPARE(generator.completedSoFar(), std::int64_t(300));
    QVERIFY(waitUntil([&] { return server->stats().responses2xx == 300; }));
    if (!keepAlive) {
        QCOMPARE(r.connectionsOpened, std::int64_t(300));
    } else if (ServerDesign(design) == ServerDesign::Iterative) {
        // Keep-alive lasts only while nobody else waits: more connections than clients.
        QVERIFY(r.connectionsOpened >= load.clients);
    } else {
        QCOMPARE(r.connectionsOpened, std::int64_t(load.clients));
    }
    // Every connection the generator opened (retries included) was accepted by the server.
    QVERIFY(waitUntil([&] { return server->stats().connectionsAccepted == r.connectionsOpened; }));
}

void TestLoadGenerator::openLoopSendsAtTheRate()
{
    auto server = startServer(ServerDesign::Fsm);
    QVERIFY(server->isRunning());
    LoadGenerator generator;
    LoadConfig load;
    load.port = server->port();
    load.clients = 4;
    load.rateRps = 200;
    load.requests = 100;
    load.seconds = 120;
    const LoadResult r = generator.run(load);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.ok, std::int64_t(100));
    QCOMPARE(r.errors, std::int64_t(0));
    // Requests are never sent before they are due: 100 of them at 200/s span 99 periods.
    QVERIFY2(r.elapsedS >= 99.0 / 200.0 * 0.999, qPrintable(QString::number(r.elapsedS)));
    QVERIFY(r.throughputRps <= 200.0 * 100.0 / 99.0 + 1e-6);
}

void TestLoadGenerator::refusedConnectionsAreErrors()
{
    LoadGenerator generator;
    LoadConfig load;
    load.port = deadPort();
    load.clients = 3;
    load.requests = 12;
    load.seconds = 60;
    const LoadResult r = generator.run(load);
    QVERIFY(r.error.isEmpty());
    QCOMPARE(r.ok, std::int64_t(0));
    QCOMPARE(r.connectErrors, std::int64_t(12));
    QCOMPARE(r.errors, std::int64_t(12));
    QVERIFY2(r.firstError.contains(QLatin1String("refused")), qPrintable(r.firstError));
    QCOMPARE(r.throughputRps, 0.0);
}

void TestLoadGenerator::silentServerTimesOut()
{
    // A listening socket that never accepts: connections complete in the backlog,
    // requests are never answered.
    QString error;
    std::uint16_t port = 0;
    const int fd = openListenSocket(0, &port, &error);
    QVERIFY2(fd >= 0, qPrintable(error));
    LoadGenerator generator;
    LoadConfig load;
    load.port = port;
    load.clients = 2;
    load.requests = 4;
    load.seconds = 60;
    load.requestTimeoutMs = 200;
    const LoadResult r = generator.run(load);
    ::close(fd);
    QCOMPARE(r.ok, std::int64_t(0));
    QCOMPARE(r.timeouts, std::int64_t(4));
    QCOMPARE(r.errors, std::int64_t(4));
    QVERIFY2(r.firstError.contains(QLatin1String("200 ms")), qPrintable(r.firstError));
}

void TestLoadGenerator::serverAtItsCapShowsAs503()
{
    ServerConfig config;
    config.design = ServerDesign::Thread;
    config.limits.maxConnections = 2;
    auto server = makeHttpServer(config);
    QString error;
    QVERIFY2(server->start(&error), qPrintable(error));
    LoadGenerator generator;
    LoadConfig load;
    load.port = server->port();
    load.clients = 6; // keep-alive: two hold the threads, the others keep being turned away
    load.requests = 200;
    load.seconds = 120;
    const LoadResult r = generator.run(load);
    QVERIFY(r.status5xx > 0);
    QCOMPARE(r.errors, r.status5xx + r.ioErrors);
    QVERIFY2(r.firstError.contains(QLatin1String("503")) || r.ioErrors > 0, qPrintable(r.firstError));
    QCOMPARE(r.ok + r.errors, std::int64_t(200));
    QVERIFY(server->stats().capRejections >= r.status5xx);
}

void TestLoadGenerator::badConfigIsRefused()
{
    LoadGenerator generator;
    LoadConfig load;
    load.port = 1;
    load.clients = 0;
    LoadResult r = generator.run(load);
    QVERIFY2(r.error.contains(QLatin1String("clients = 0")), qPrintable(r.error));
    load.clients = 1;
    load.path = "/a b";
    r = generator.run(load);
    QVERIFY2(r.error.contains(QLatin1String("path")), qPrintable(r.error));
    load.path = "/";
    load.port = 0;
    r = generator.run(load);
    QVERIFY2(r.error.contains(QLatin1String("port")), qPrintable(r.error));
}

void TestLoadGenerator::fdLimitTooLowIsAClearError()
{
    const FdLimit now = currentFdLimit();
    QVERIFY(now.soft > 0 && now.hard >= now.soft);
    QString error;
    FdLimit after;
    QVERIFY(ensureFdLimit(64, &error, &after));
    QVERIFY(after.soft >= 64);
    if (now.hard == INT64_MAX)
        QSKIP("no hard limit on descriptors here");
    QVERIFY(!ensureFdLimit(now.hard + 1, &error, &after));
    QVERIFY2(error.contains(QString::number(now.hard + 1)) && error.contains(QLatin1String("ulimit -n")),
        qPrintable(error));
    QCOMPARE(after.soft, now.hard); // raised as far as it goes
}

void TestLoadGenerator::stopEndsTheRunEarly()
{
    auto server = startServer(ServerDesign::Fsm, 2);
    QVERIFY(server->isRunning());
    LoadGenerator generator;
    LoadConfig load;
    load.port = server->port();
    load.clients = 10;
    load.seconds = 600;
    LoadResult r;
    std::thread runner([&] { r = generator.run(load); });
    QVERIFY(waitUntil([&] { return generator.completedSoFar() > 20; }, 30000));
    generator.stop();
    runner.join();
    QVERIFY(r.stopped);
    QVERIFY(r.elapsedS < load.seconds);
    QVERIFY(r.ok > 20);
    // A stopped generator stays stopped.
    const LoadResult again = generator.run(load);
    QVERIFY(again.stopped);
    QCOMPARE(again.ok, std::int64_t(0));
}

void TestLoadGenerator::sweepMeasuresEveryPoint()
{
    SweepConfig config;
    config.designs = {ServerDesign::Iterative, ServerDesign::Fsm};
    config.clientLevels = {1, 4};
    config.server.handler.diskMs = 2;
    config.load.requests = 40;
    config.load.seconds = 60;
    ServerSweep sweep;
    int seen = 0;
    const auto points = sweep.run(config, [&](const SweepPoint &) { ++seen; });
    QCOMPARE(int(points.size()), 4);
    QCOMPARE(seen, 4);
    for (const SweepPoint &p : points) {
        QVERIFY2(p.error.isEmpty(), qPrintable(p.error));
        QCOMPARE(p.ok, std::int64_t(40));
        QCOMPARE(p.errors, std::int64_t(0));
        QVERIFY(p.throughputRps > 0 && p.latencyP50Ms <= p.latencyP99Ms);
        if (p.design == ServerDesign::Iterative)
            QCOMPARE(p.serverInFlightMax, std::int64_t(1));
        else
            QVERIFY(p.serverInFlightMax <= p.clients);
    }
    QCOMPARE(points[0].clients, 1);
    QCOMPARE(points[3].clients, 4);
    QCOMPARE(points[3].design, ServerDesign::Fsm);
}

void TestLoadGenerator::thousandConnectionsOnTwoThreads()
{
    QString error;
    if (!ensureFdLimit(2200, &error))
        QSKIP(qPrintable(error));
    auto server = startServer(ServerDesign::Fsm);
    QVERIFY(server->isRunning());
    const int threadsBefore = threadCount();
    LoadGenerator generator;
    LoadConfig load;
    load.port = server->port();
    load.clients = 1000;
    load.requests = 5000;
    load.seconds = 120;
    int peakThreads = 0;
    LoadResult r;
    std::thread runner([&] { r = generator.run(load); });
    waitUntil(
        [&] {
            peakThreads = std::max(peakThreads, threadCount());
            return generator.completedSoFar() >= 1000;
        },
        60000);
    runner.join();
    QVERIFY2(r.errors == 0, qPrintable(r.firstError));
    QCOMPARE(r.ok, std::int64_t(5000));
    QCOMPARE(r.threads, 2);
    QCOMPARE(r.connectionsOpened, std::int64_t(1000));
    // Keep-alive and no errors: each client kept its one connection to the end. (The
    // server need not hold all 1000 at once: one generator thread may finish and close
    // its half while the server is still accepting the other half.)
    QCOMPARE(server->stats().connectionsAccepted, std::int64_t(1000));
    QVERIFY(peakThreads - threadsBefore <= 3); // the generator's two threads (and this test's runner)
}

int main(int argc, char **argv)
{
    if (const int rc = proclab::runHelperModeIfRequested(argc, argv); rc >= 0)
        return rc;
    TestLoadGenerator tc;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&tc, argc, argv);
}

#include "tst_loadgenerator.moc"
