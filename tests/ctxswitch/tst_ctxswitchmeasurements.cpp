// The ctxswitch measurements alone, without the engine: counts and invariants of real
// measurements (never their speed), and that a stop leaves no thread or child behind.

#include "ctxswitch/affinityguard.h"
#include "ctxswitch/creationmeasurement.h"
#include "ctxswitch/ctxswitchseries.h"
#include "ctxswitch/indirectmeasurement.h"
#include "ctxswitch/switchmeasurement.h"

#include <QTest>

#include <cerrno>

#include <sys/wait.h>

using namespace proclab;

class TestCtxSwitchMeasurements : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void pingPongCountsItsRoundTrips_data();
    void pingPongCountsItsRoundTrips();
    void stoppedBeforeStartMeasuresNothing();
    void creationSamples();
    void indirectPoint();
    void indirectNoiseRule();
    void affinityIsRestored();
};

namespace {

bool noChildrenLeft()
{
    errno = 0;
    return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

} // namespace

void TestCtxSwitchMeasurements::pingPongCountsItsRoundTrips_data()
{
    QTest::addColumn<bool>("process");
    QTest::addColumn<bool>("futex");
    QTest::newRow("threads, pipe") << false << false;
    QTest::newRow("threads, futex") << false << true;
    QTest::newRow("processes, pipe") << true << false;
    QTest::newRow("processes, futex") << true << true;
}

void TestCtxSwitchMeasurements::pingPongCountsItsRoundTrips()
{
    QFETCH(bool, process);
    QFETCH(bool, futex);
    AffinityGuard restore;
    SwitchMeasurement m;
    m.cpuA = m.cpuB = allowedCpus().front();
    QString error;
    const int n = 100;
    const CostSample s = process ? m.processPingPong(futex, n, &error) : m.threadPingPong(futex, n, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(s.id,
        QStringLiteral("%1_switch_%2")
            .arg(process ? QStringLiteral("process") : QStringLiteral("thread"),
                futex ? QStringLiteral("futex") : QStringLiteral("pipe")));
    // The warm-up round trips are made but not recorded.
    QCOMPARE(int(s.valuesNs.size()), n);
    QCOMPARE(s.roundTrips, qint64(n + SwitchMeasurement::kWarmupRoundTrips));
    QVERIFY(s.p10Ns <= s.medianNs && s.medianNs <= s.p90Ns);
    QVERIFY(s.voluntarySwitches >= 0 && s.involuntarySwitches >= 0);
    QVERIFY(noChildrenLeft());
}

void TestCtxSwitchMeasurements::stoppedBeforeStartMeasuresNothing()
{
    SwitchMeasurement m;
    m.keepGoing = [] { return false; };
    QString error;
    for (bool futex : {false, true}) {
        QVERIFY(m.threadPingPong(futex, 1000, &error).valuesNs.empty());
        QVERIFY(m.processPingPong(futex, 1000, &error).valuesNs.empty());
    }
    QVERIFY2(error.isEmpty(), qPrintable(error)); // a stop is not an error
    QVERIFY(noChildrenLeft());
    QVERIFY(m.syscallCost().valuesNs.empty());
    CreationMeasurement c;
    c.keepGoing = [] { return false; };
    QVERIFY(
        c.creation(QStringLiteral("fork"), QStringLiteral("fork"), 10, &CreationMeasurement::forkOnce, &error)
            .valuesNs.empty());
}

void TestCtxSwitchMeasurements::creationSamples()
{
    CreationMeasurement c;
    QString error;
    const CostSample t = c.creation(QStringLiteral("thread_create"), QStringLiteral("thread"), 6,
        &CreationMeasurement::threadOnce, &error);
    QCOMPARE(int(t.valuesNs.size()), 6);
    QCOMPARE(t.touchedBytes, qint64(0));
    const CostSample f = c.forkAfterTouch(qint64(1) << 20, 3, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(f.id, QStringLiteral("fork_touch_1MiB"));
    QCOMPARE(f.label, QStringLiteral("fork after touching 1MiB"));
    QCOMPARE(f.touchedBytes, qint64(1) << 20);
    QCOMPARE(int(f.valuesNs.size()), 3);
    QVERIFY(f.medianNs > 0);
    QVERIFY(noChildrenLeft());
}

void TestCtxSwitchMeasurements::indirectPoint()
{
    AffinityGuard restore;
    IndirectMeasurement m;
    m.cpu = allowedCpus().front();
    std::mt19937_64 rng(1);
    QString error;
    const IndirectPoint p = m.point(16 * 1024, 4, rng, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(p.workingSetBytes, qint64(16) * 1024);
    QCOMPARE(p.repetitions, 4);
    QVERIFY(p.warmWalkNs > 0 && p.afterSwitchWalkNs > 0);
    QCOMPARE(p.indirectNs, p.afterSwitchWalkNs - p.warmWalkNs);
}

void TestCtxSwitchMeasurements::indirectNoiseRule()
{
    // Walk times 1000..1020 ns; the walks after a switch shifted by some amount.
    std::vector<double> warm;
    for (int i = 0; i <= 20; ++i)
        warm.push_back(1000 + i);
    auto shifted = [&](double by) {
        std::vector<double> v = warm;
        for (double &x : v)
            x += by;
        return v;
    };
    // Shifted far past the spread: a resolved indirect cost, its spread on both sides of it.
    IndirectPoint far = IndirectPoint::fromWalks(4096, warm, shifted(300));
    QCOMPARE(far.workingSetBytes, qint64(4096));
    QCOMPARE(far.repetitions, 21);
    QCOMPARE(far.indirectNs, 300.0);
    QCOMPARE(far.spreadLowNs, 300.0 - 10); // after p25 (1305) - warm p75 (1015)
    QCOMPARE(far.spreadHighNs, 300.0 + 10);
    QVERIFY(!far.belowNoise());
    // Shifted by less than the middle half's width: the same sign, but below the noise.
    const IndirectPoint near = IndirectPoint::fromWalks(4096, warm, shifted(6));
    QCOMPARE(near.indirectNs, 6.0);
    QVERIFY(near.spreadLowNs < 0 && near.spreadHighNs > 0);
    QVERIFY(near.belowNoise());
    // A negative difference is kept as measured (nothing clamped) and said to be noise.
    const IndirectPoint negative = IndirectPoint::fromWalks(4096, warm, shifted(-4));
    QCOMPARE(negative.indirectNs, -4.0);
    QVERIFY(negative.belowNoise());
    // Faster after the switch beyond the spread: shown as it is, not called noise.
    const IndirectPoint faster = IndirectPoint::fromWalks(4096, warm, shifted(-100));
    QCOMPARE(faster.indirectNs, -100.0);
    QVERIFY(!faster.belowNoise());
    // No walks: no point.
    QCOMPARE(IndirectPoint::fromWalks(4096, {}, {}).repetitions, 0);
    // The peak is the largest point above the noise, however large a noisy one is.
    IndirectPoint noisyBig = IndirectPoint::fromWalks(8192, warm, shifted(9));
    std::vector<IndirectPoint> sweep {near, noisyBig, far};
    QCOMPARE(largestIndirectCost(sweep)->indirectNs, 300.0);
    sweep = {near, noisyBig, faster};
    QCOMPARE(largestIndirectCost(sweep)->indirectNs, -100.0);
    // Every point below the noise: the largest of them (the view then says so).
    sweep = {near, noisyBig, negative};
    QCOMPARE(largestIndirectCost(sweep)->workingSetBytes, qint64(8192));
}

void TestCtxSwitchMeasurements::affinityIsRestored()
{
    const std::vector<int> before = allowedCpus();
    {
        AffinityGuard restore;
        QVERIFY(pinThisThread(before.back()));
        QCOMPARE(allowedCpus(), std::vector<int> {before.back()});
    }
    QCOMPARE(allowedCpus(), before);
}

QTEST_APPLESS_MAIN(TestCtxSwitchMeasurements)
#include "tst_ctxswitchmeasurements.moc"
