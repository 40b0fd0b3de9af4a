// Pre-copy's stop rules, checked in order, with figures computed by hand.
#include "migration/precopystoprule.h"

#include <QTest>

using namespace proclab::migration;

class TestPreCopyStopRule : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rules_data();
    void rules();
    void estimateNeverAssumesMoreThanTheCap();
    void autoConvergeSteps();
    void autoConvergeLeavesAShrinkingSetAlone();
};

void TestPreCopyStopRule::rules_data()
{
    QTest::addColumn<double>("dirtyPages");
    QTest::addColumn<int>("rounds");
    QTest::addColumn<double>("pagesSent");
    QTest::addColumn<double>("capBitsPerSec");
    QTest::addColumn<QString>("reason");
    // The link did 4,096,000 bytes in 0.125 s: 32.768 MB/s, so 2000 pages take 250 ms.
    // The VM has 10,000 pages; at most 3 memories may be sent.
    QTest::newRow("idle VM") << 0.0 << 1 << 10000.0 << 0.0 << "converged";
    QTest::newRow("fits the limit exactly") << 2000.0 << 1 << 10000.0 << 0.0 << "converged";
    QTest::newRow("one page too many") << 2001.0 << 1 << 10000.0 << 0.0 << "";
    // An 8 Mbit/s cap is 1e6 B/s: 2000 pages take 8.2 s, not 250 ms.
    QTest::newRow("the cap decides") << 2000.0 << 1 << 10000.0 << 8e6 << "";
    QTest::newRow("converged before max rounds") << 10.0 << 30 << 10000.0 << 0.0 << "converged";
    QTest::newRow("max rounds") << 5000.0 << 30 << 10000.0 << 0.0 << "max_rounds";
    QTest::newRow("max total") << 5000.0 << 2 << 25001.0 << 0.0 << "max_total";
    QTest::newRow("max total, just below") << 5000.0 << 2 << 25000.0 << 0.0 << "";
}

void TestPreCopyStopRule::rules()
{
    QFETCH(double, dirtyPages);
    QFETCH(int, rounds);
    QFETCH(double, pagesSent);
    QFETCH(double, capBitsPerSec);
    QFETCH(QString, reason);
    PreCopyStopRule rule;
    rule.downtimeLimitMs = 250;
    rule.maxRounds = 30;
    rule.maxTotalFactor = 3;
    rule.capBitsPerSec = capBitsPerSec;
    PreCopyStopRule::Progress p;
    p.dirtyPages = dirtyPages;
    p.rounds = rounds;
    p.pagesSent = pagesSent;
    p.memoryPages = 10000;
    p.bytesSent = 4096e3;
    p.sendSeconds = 0.125;
    QCOMPARE(rule.check(p), reason);
}

void TestPreCopyStopRule::estimateNeverAssumesMoreThanTheCap()
{
    PreCopyStopRule rule;
    PreCopyStopRule::Progress p;
    QCOMPARE(rule.expectedBytesPerSec(p), 1e9); // nothing measured yet
    p.bytesSent = 5e8;
    p.sendSeconds = 0.5;
    QCOMPARE(rule.expectedBytesPerSec(p), 1e9);
    rule.capBitsPerSec = 800e6;
    QCOMPARE(rule.expectedBytesPerSec(p), 1e8);
    rule.capBitsPerSec = 80e9; // a cap above what the link does: the measurement decides
    QCOMPARE(rule.expectedBytesPerSec(p), 1e9);
}

void TestPreCopyStopRule::autoConvergeSteps()
{
    // A dirty set that never shrinks: 20 %, then 10 % more each round, never above 99 %.
    AutoConverge ac;
    QCOMPARE(ac.percent(), 0);
    const int expected[] = {20, 30, 40, 50, 60, 70, 80, 90, 99, 99, 99};
    for (int want : expected) {
        QCOMPARE(ac.afterRound(1000, 1000), want);
        QCOMPARE(ac.percent(), want);
        QCOMPARE(ac.maxPercent(), want);
    }
}

void TestPreCopyStopRule::autoConvergeLeavesAShrinkingSetAlone()
{
    AutoConverge ac;
    // Round 0 sent the whole memory and little was dirtied: no throttle.
    QCOMPARE(ac.afterRound(100000, 4000), 0);
    // Exactly half as many dirtied as sent is "not shrinking" (QEMU's test is the same).
    QCOMPARE(ac.afterRound(4000, 2000), AutoConverge::kInitialPercent);
    // Shrinking well now: the throttle stays where it is, it is not lifted.
    QCOMPARE(ac.afterRound(2000, 999), AutoConverge::kInitialPercent);
    QCOMPARE(ac.afterRound(999, 300), AutoConverge::kInitialPercent);
    // Nothing dirtied at all is shrinking.
    QCOMPARE(ac.afterRound(0, 0), AutoConverge::kInitialPercent);
    QCOMPARE(ac.afterRound(300, 200), AutoConverge::kInitialPercent + AutoConverge::kStepPercent);
    QCOMPARE(ac.maxPercent(), AutoConverge::kInitialPercent + AutoConverge::kStepPercent);
}

QTEST_APPLESS_MAIN(TestPreCopyStopRule)
#include "tst_precopystoprule.moc"
