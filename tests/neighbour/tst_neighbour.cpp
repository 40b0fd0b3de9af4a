#include "neighbour/latencystats.h"
#include "neighbour/neighbourengine.h"
#include "neighbour/requestloop.h"

#include "engine/registry.h"
#include "helpermain.h"

#include <QTest>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <random>

using namespace proclab;
using namespace std::chrono_literals;

/**
 * The neighbour engine: percentiles checked against a second computation, the service's
 * answers and /proc/<pid>/stat parsed defensively, and short real runs beside each tenant.
 */
class TestNeighbour : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void percentilesComputedASecondWay();
    void cdfEndsAtTheMaximum();
    void growthClasses();
    void replyParsing();
    void statParsing();
    void configRefusesTheModelMethod();
    void realRunWithEachTenant();
    void limitedPhaseRealOrSaysWhy();
    void stopEndsTheService();
};

namespace {

/// The percentile by its definition, written apart from common/stats: sort, then interpolate
/// between the values at ranks floor(p (n-1)) and ceil(p (n-1)).
double secondPercentile(std::vector<double> v, double p)
{
    std::sort(v.begin(), v.end());
    const double rank = p * double(v.size() - 1);
    const auto lo = std::size_t(rank);
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (rank - double(lo)) * (v[hi] - v[lo]);
}

Result runNeighbour(const QVariantMap &params, std::shared_ptr<const NeighbourSnapshot> *last = nullptr)
{
    auto engine = makeEngine<NeighbourEngine>();
    QString error;
    if (!engine->configure(params, &error))
        qFatal("configure failed: %s", qPrintable(error));
    const Result r = runToCompletion(*engine, 120s);
    if (last)
        *last = std::dynamic_pointer_cast<const NeighbourSnapshot>(engine->snapshot());
    for (const QString &key : r.summary.keys()) {
        if (!outputsContain(engine->outputs(), key))
            qFatal("undeclared summary key %s", qPrintable(key));
    }
    return r;
}

} // namespace

void TestNeighbour::percentilesComputedASecondWay()
{
    // 1..100: p50 is 50.5, p99 is 99.01, by hand.
    std::vector<double> hundred;
    for (int i = 100; i >= 1; --i)
        hundred.push_back(i);
    const LatencyStats h = LatencyStats::of(hundred);
    QCOMPARE(h.count, 100);
    QVERIFY(qAbs(h.p50Us - 50.5) < 1e-9);
    QVERIFY(qAbs(h.p99Us - 99.01) < 1e-9);
    QCOMPARE(h.maxUs, 100.0);
    QCOMPARE(h.minUs, 1.0);
    QVERIFY(qAbs(h.meanUs - 50.5) < 1e-9);
    // A long-tailed random sample, like request latencies.
    std::mt19937 rng(7);
    std::lognormal_distribution<double> dist(4.0, 0.8);
    for (int n : {1, 2, 3, 17, 1000, 4097}) {
        std::vector<double> v;
        for (int i = 0; i < n; ++i)
            v.push_back(dist(rng));
        const LatencyStats s = LatencyStats::of(v);
        QCOMPARE(s.count, n);
        QVERIFY(qAbs(s.p50Us - secondPercentile(v, 0.5)) < 1e-9);
        QVERIFY(qAbs(s.p90Us - secondPercentile(v, 0.9)) < 1e-9);
        QVERIFY(qAbs(s.p99Us - secondPercentile(v, 0.99)) < 1e-9);
        QCOMPARE(s.maxUs, *std::max_element(v.begin(), v.end()));
        QVERIFY(s.minUs <= s.p50Us && s.p50Us <= s.p90Us && s.p90Us <= s.p99Us && s.p99Us <= s.maxUs);
    }
    QCOMPARE(LatencyStats::of({}).count, 0);
}

void TestNeighbour::cdfEndsAtTheMaximum()
{
    std::vector<double> v;
    for (int i = 0; i < 1001; ++i)
        v.push_back((i * 37) % 1001);
    std::vector<double> x, y;
    LatencyStats::cdf(v, 100, &x, &y);
    QVERIFY(x.size() <= 102);
    QCOMPARE(x.back(), 1000.0);
    QCOMPARE(y.back(), 100.0);
    QVERIFY(std::is_sorted(x.begin(), x.end()));
    QVERIFY(std::is_sorted(y.begin(), y.end()));
    // Each point is the share of samples at or below x, counted directly.
    for (std::size_t i = 0; i < x.size(); ++i) {
        const auto below = std::count_if(v.begin(), v.end(), [&](double s) { return s <= x[i]; });
        QVERIFY(qAbs(100.0 * double(below) / double(v.size()) - y[i]) < 1e-9);
    }
}

void TestNeighbour::growthClasses()
{
    QCOMPARE(LatencyStats::growthClass(100, 150), 0);
    QCOMPARE(LatencyStats::growthClass(100, 200), 1);
    QCOMPARE(LatencyStats::growthClass(100, 999), 1);
    QCOMPARE(LatencyStats::growthClass(100, 1000), 2);
    QCOMPARE(LatencyStats::growthClass(100, 10000), 3);
    QCOMPARE(LatencyStats::growthClass(0, 10000), 0);
}

void TestNeighbour::replyParsing()
{
    QByteArray ok(NeighbourHelpers::kReplyBytes, '\0');
    const std::uint64_t seq = 42, ns = 12345;
    std::memcpy(ok.data(), &seq, 8);
    std::memcpy(ok.data() + 8, &ns, 8);
    NeighbourHelpers::Reply reply;
    QString error;
    QVERIFY2(RequestLoop::parseReply(ok, 42, &reply, &error), qPrintable(error));
    QCOMPARE(reply.serviceNs, std::uint64_t(12345));
    QVERIFY(!RequestLoop::parseReply(ok, 43, &reply, &error));
    QVERIFY2(error.contains(QLatin1String("answers request 42")), qPrintable(error));
    QVERIFY(!RequestLoop::parseReply(ok.left(9), 42, &reply, &error));
    QVERIFY2(error.contains(QLatin1String("9 bytes instead of 16")), qPrintable(error));
    QByteArray huge = ok;
    const std::uint64_t absurd = ~std::uint64_t(0);
    std::memcpy(huge.data() + 8, &absurd, 8);
    QVERIFY(!RequestLoop::parseReply(huge, 42, &reply, &error));
}

void TestNeighbour::statParsing()
{
    // The name may hold spaces and parentheses; fields 14 and 15 are utime and stime.
    const QByteArray stat = "1234 (a) (b c) R 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 1 0 100 0 0";
    QCOMPARE(NeighbourEngine::parseStatCpuSeconds(stat, 100), 3.0);
    QCOMPARE(NeighbourEngine::parseStatCpuSeconds("1234 (x) R 1 2", 100), -1.0);
    QCOMPARE(NeighbourEngine::parseStatCpuSeconds("no parenthesis", 100), -1.0);
    QCOMPARE(NeighbourEngine::parseStatCpuSeconds(stat, 0), -1.0);
    QVERIFY(NeighbourEngine::processCpuSeconds(int(::getpid())) >= 0);
    QCOMPARE(NeighbourEngine::processCpuSeconds(-5), -1.0);
}

void TestNeighbour::configRefusesTheModelMethod()
{
    auto engine = makeEngine<NeighbourEngine>();
    QString error;
    QVERIFY(!engine->configure({{QStringLiteral("cpu_limit"), QStringLiteral("model")}}, &error));
    QVERIFY(!error.isEmpty());
}

void TestNeighbour::realRunWithEachTenant()
{
    std::shared_ptr<const NeighbourSnapshot> snap;
    const Result r
        = runNeighbour({{QStringLiteral("phases"), QStringLiteral("all")}, {QStringLiteral("phase_ms"), 300},
                           {QStringLiteral("cache_bytes"), 4 * 1024 * 1024},
                           {QStringLiteral("cpu_limit"), QStringLiteral("auto")}},
            &snap);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QVERIFY(snap);
    QCOMPARE(r.provenance, Provenance::Measured);
    for (const QString &id : {QStringLiteral("alone"), QStringLiteral("cpu"), QStringLiteral("cache")}) {
        const double requests = r.summary.value(QStringLiteral("requests_") + id).toDouble();
        QVERIFY2(requests > 0, qPrintable(id));
        // The summary's percentiles, from the samples the run kept, computed a second way.
        const NeighbourPhase *phase = nullptr;
        for (const NeighbourPhase &p : snap->phases) {
            if (p.id == id)
                phase = &p;
        }
        QVERIFY(phase);
        QCOMPARE(double(phase->latencyUs.size()), requests);
        QVERIFY(qAbs(r.summary.value(QStringLiteral("p50_us_") + id).toDouble()
                    - secondPercentile(phase->latencyUs, 0.5))
            < 1e-6);
        QVERIFY(qAbs(r.summary.value(QStringLiteral("p99_us_") + id).toDouble()
                    - secondPercentile(phase->latencyUs, 0.99))
            < 1e-6);
        QCOMPARE(r.summary.value(QStringLiteral("max_us_") + id).toDouble(),
            *std::max_element(phase->latencyUs.begin(), phase->latencyUs.end()));
        // Each request's latency includes the time the service computed for it.
        QCOMPARE(phase->serviceUs.size(), phase->latencyUs.size());
        for (std::size_t i = 0; i < phase->latencyUs.size(); ++i)
            QVERIFY(phase->latencyUs[i] >= phase->serviceUs[i]);
        if (id != QLatin1String("alone")) {
            // The ratios are the two percentiles divided.
            const double ratio = r.summary.value(QStringLiteral("p99_ratio_") + id).toDouble();
            QVERIFY(qAbs(ratio
                        - phase->latency.p99Us / r.summary.value(QStringLiteral("p99_us_alone")).toDouble())
                < 1e-9);
            const int cls = r.summary.value(QStringLiteral("p99_growth_class_") + id).toInt();
            QCOMPARE(cls, LatencyStats::growthClass(1.0, ratio));
            QVERIFY(r.summary.value(QStringLiteral("tenant_cpu_percent_") + id).toDouble() >= 0);
        }
    }
    // Every request was timed once, in order of sending.
    for (const NeighbourPhase &p : snap->phases)
        QVERIFY(std::is_sorted(p.atS.begin(), p.atS.end()));
    // The CDF series end at 100 % at the phase's maximum.
    for (const Series &s : r.series) {
        QVERIFY(s.id.startsWith(QLatin1String("cdf_")));
        QCOMPARE(s.y.back(), 100.0);
        QCOMPARE(s.x.back(), r.summary.value(QStringLiteral("max_us_") + s.id.mid(4)).toDouble());
    }
}

void TestNeighbour::limitedPhaseRealOrSaysWhy()
{
    // A second: ten periods of the quota, so that a tenant slow to start on a loaded machine
    // still runs into it.
    const Result r = runNeighbour({{QStringLiteral("phases"), QStringLiteral("limited")},
        {QStringLiteral("phase_ms"), 1000}, {QStringLiteral("tenant_quota"), 10}});
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    const QString mode = r.summary.value(QStringLiteral("limited_mode")).toString();
    const QString why = r.summary.value(QStringLiteral("limited_why")).toString();
    QVERIFY(!why.isEmpty());
    if (mode == QLatin1String("skipped")) {
        QVERIFY2(why.contains(QLatin1String("the OS refused")), qPrintable(why));
        QVERIFY(!r.summary.contains(QStringLiteral("p99_us_limited")));
        QSKIP(qPrintable(QStringLiteral("no control group for the tenant: ") + why));
    }
    QCOMPARE(mode, QStringLiteral("real"));
    QVERIFY2(why.contains(QLatin1String("10000 us per 100000 us")), qPrintable(why));
    QVERIFY(r.summary.value(QStringLiteral("requests_limited")).toDouble() > 0);
    // The tenant, which always computes, was held to its quota by the kernel: throttled.
    QVERIFY2(r.summary.value(QStringLiteral("limited_throttled_periods")).toDouble() > 0, qPrintable(why));
    const int versus = r.summary.value(QStringLiteral("limited_p99_vs_cpu")).toInt();
    QVERIFY(versus >= 0 && versus <= 2);
}

void TestNeighbour::stopEndsTheService()
{
    auto engine = makeEngine<NeighbourEngine>();
    QVERIFY(engine->configure(
        {{QStringLiteral("phases"), QStringLiteral("cpu")}, {QStringLiteral("phase_ms"), 5000}}));
    engine->start();
    QTRY_VERIFY_WITH_TIMEOUT(
        engine->snapshot() && engine->snapshot()->status.contains(QLatin1String("phase 2")), 30000);
    engine->stop();
    QCOMPARE(engine->state(), RunState::Stopped);
    const auto snap = std::dynamic_pointer_cast<const NeighbourSnapshot>(engine->snapshot());
    QVERIFY(snap);
    QVERIFY(snap->status.contains(QLatin1String("stopped")));
}

PROCLAB_TEST_MAIN_WITH_HELPERS(TestNeighbour)
#include "tst_neighbour.moc"
