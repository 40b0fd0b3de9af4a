#include "threadslive/busythreads.h"
#include "threadslive/ledger.h"
#include "threadslive/threadsliveengine.h"

#include "common/clock.h"
#include "sched/cfsshares.h"
#include "sched/schedmodel.h"

#include "proctasks.h"

#include <QTest>

#include <cerrno>
#include <set>
#include <thread>

#include <sys/resource.h>
#include <unistd.h>

using namespace proclab;
using proclab::testing::settledTaskCount;
using proclab::testing::taskCount;

class TestThreadsLive : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sharesAreSampledFromProc();
    void badParameters_data();
    void badParameters();
    void everySummaryKeyIsDeclared_data();
    void everySummaryKeyIsDeclared();
    void modelShareIsTheSchedModels();
    void ledgerDetectsAStrayWrite();
    void busyThreadsPinSetNiceAndJoin();
    void strayWriteHitsSiblingThreadNotParent_data();
    void strayWriteHitsSiblingThreadNotParent();
    void stopJoinsEveryBusyThread();
};

void TestThreadsLive::sharesAreSampledFromProc()
{
    const auto eOwner = makeEngine<ThreadsLiveEngine>();
    ThreadsLiveEngine &e = *eOwner;
    QString error;
    QVERIFY2(e.configure({{QStringLiteral("nices"), QStringLiteral("0,5")}, {QStringLiteral("seconds"), 0.6},
                             {QStringLiteral("sample_ms"), 100}},
                 &error),
        qPrintable(error));
    const int before = taskCount();
    const Result r = runToCompletion(e, std::chrono::seconds(30));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.provenance, Provenance::Measured);
    QVERIFY(!r.machine.isEmpty());
    const auto snap = std::dynamic_pointer_cast<const ThreadsLiveSnapshot>(e.snapshot());
    QVERIFY(snap);
    QCOMPARE(int(snap->threads.size()), 2);
    std::set<pid_t> tids;
    double shareSum = 0, runSum = 0;
    for (const auto &t : snap->threads) {
        QVERIFY(t.tid > 0);
        QVERIFY(t.tid != ::getpid()); // a thread of its own, with its own task entry
        tids.insert(t.tid);
        shareSum += t.measuredShare;
        QVERIFY(!t.samples.empty());
        for (size_t i = 1; i < t.samples.size(); ++i) {
            QVERIFY(t.samples[i].runMs >= t.samples[i - 1].runMs);
            QVERIFY(t.samples[i].waitMs >= t.samples[i - 1].waitMs);
        }
        runSum += t.samples.back().runMs;
    }
    QCOMPARE(int(tids.size()), 2);
    QVERIFY(std::abs(shareSum - 1.0) < 1e-9);
    // Pinned to one CPU, the threads together cannot run longer than the wall time
    // (10 ms of slack: the samples of the two threads are read one after the other).
    QVERIFY2(runSum <= snap->elapsedMs + 10,
        qPrintable(QStringLiteral("%1 > %2").arg(runSum).arg(snap->elapsedMs)));
    // The model's prediction is the weight share, computed here a second way.
    const double w0 = niceToWeight(0), w5 = niceToWeight(5);
    QVERIFY(std::abs(snap->threads[0].modelShare - w0 / (w0 + w5)) < 0.01);
    QVERIFY(r.summary.contains(QStringLiteral("measured_share_T0")));
    QVERIFY(r.summary.contains(QStringLiteral("model_share_T1")));
    QCOMPARE(r.table.rows.size(), size_t(2));
    QCOMPARE(settledTaskCount(before), before); // every busy thread was joined
}

void TestThreadsLive::badParameters_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QVariant>("value");
    QTest::addColumn<QString>("expected");
    // Text that does not parse is refused by configure(); a CPU this process may not use is
    // a fact of the machine, found when the run starts.
    QTest::addColumn<bool>("refusedByConfigure");
    QTest::newRow("not a number") << "nices" << QVariant(QStringLiteral("0,abc"))
                                  << "'abc' is not a nice value" << true;
    QTest::newRow("out of range") << "nices" << QVariant(QStringLiteral("0,25")) << "'25' is not a nice value"
                                  << true;
    QTest::newRow("none") << "nices" << QVariant(QStringLiteral(" ")) << "give 1 to 8" << true;
    QTest::newRow("too many") << "nices" << QVariant(QStringLiteral("0,0,0,0,0,0,0,0,0")) << "give 1 to 8"
                              << true;
    QTest::newRow("no such cpu") << "cpu" << QVariant(1000) << "not available" << false;
}

void TestThreadsLive::badParameters()
{
    QFETCH(QString, key);
    QFETCH(QVariant, value);
    QFETCH(QString, expected);
    QFETCH(bool, refusedByConfigure);
    const auto eOwner = makeEngine<ThreadsLiveEngine>();
    ThreadsLiveEngine &e = *eOwner;
    QString error;
    if (refusedByConfigure) {
        QVERIFY(!e.configure({{key, value}, {QStringLiteral("seconds"), 0.2}}, &error));
        QVERIFY2(error.contains(expected), qPrintable(error));
        QVERIFY2(error.startsWith(key + QLatin1Char(':')), qPrintable(error)); // names the parameter
        QVERIFY(!error.contains(QLatin1Char('\n')));
        QCOMPARE(e.state(), RunState::Idle);
        // The protection demo does not use the nice values: the same text is accepted there.
        QVERIFY2(e.configure({{key, value}, {QStringLiteral("demo"), QStringLiteral("protection")}}, &error),
            qPrintable(error));
        return;
    }
    QVERIFY2(e.configure({{key, value}, {QStringLiteral("seconds"), 0.2}}, &error), qPrintable(error));
    const Result r = runToCompletion(e, std::chrono::seconds(10));
    QVERIFY2(r.error.contains(expected), qPrintable(r.error));
    QCOMPARE(e.state(), RunState::Failed);
}

void TestThreadsLive::everySummaryKeyIsDeclared_data()
{
    QTest::addColumn<QVariantMap>("params");
    QTest::newRow("shares") << QVariantMap {{QStringLiteral("nices"), QStringLiteral("0,3,5")},
        {QStringLiteral("seconds"), 0.3}, {QStringLiteral("sample_ms"), 50}};
    QTest::newRow("protection") << QVariantMap {{QStringLiteral("demo"), QStringLiteral("protection")}};
}

void TestThreadsLive::everySummaryKeyIsDeclared()
{
    QFETCH(QVariantMap, params);
    const auto eOwner = makeEngine<ThreadsLiveEngine>();
    QString error;
    QVERIFY2(eOwner->configure(params, &error), qPrintable(error));
    const Result r = runToCompletion(*eOwner, std::chrono::seconds(30));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QVERIFY(!r.summary.isEmpty());
    const std::vector<OutputSpec> outputs = eOwner->outputs();
    for (const QString &key : r.summary.keys())
        QVERIFY2(outputsContain(outputs, key), qPrintable(key));
    for (const Series &sr : r.series)
        QVERIFY2(!sr.id.isEmpty(), qPrintable(sr.name));
}

void TestThreadsLive::modelShareIsTheSchedModels()
{
    // threads-live shows the sched model's CFS shares for its nice values, unchanged.
    const auto eOwner = makeEngine<ThreadsLiveEngine>();
    QVERIFY(eOwner->configure({{QStringLiteral("nices"), QStringLiteral("0,5,10")},
        {QStringLiteral("seconds"), 0.4}, {QStringLiteral("sample_ms"), 100}}));
    const Result r = runToCompletion(*eOwner, std::chrono::seconds(30));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    const std::vector<double> model = cfsModelShares({0, 5, 10}, 400000000LL);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(r.summary.value(QStringLiteral("model_share_T%1").arg(i)).toDouble(), model[i]);
    QCOMPARE(r.summary.value(QStringLiteral("nice_T2")).toInt(), 10);
}

void TestThreadsLive::ledgerDetectsAStrayWrite()
{
    std::vector<std::uint64_t> arena(32, 0);
    buildLedger(arena.data() + 16, 16);
    QVERIFY(ledgerOk(arena.data() + 16, 16));
    QCOMPARE(strayWordsIn(arena, 16, 32), 0);
    strayClear(arena, 16, 0); // the loop as meant: its own array only
    QVERIFY(ledgerOk(arena.data() + 16, 16));
    QCOMPARE(strayWordsIn(arena, 0, 16), 16);
    strayClear(arena, 16, 3);
    QVERIFY(!ledgerOk(arena.data() + 16, 16));
    QCOMPARE(strayWordsIn(arena, 16, 32), 3);
    // Never past the arena's end, however far the bug reaches.
    std::vector<std::uint64_t> small(20, 0);
    strayClear(small, 16, 100);
    QCOMPARE(strayWordsIn(small, 0, 20), 20);
    QCOMPARE(strayWordsIn({}, 0, 10), 0);
}

void TestThreadsLive::busyThreadsPinSetNiceAndJoin()
{
    QString error;
    const int cpu = chooseBusyCpu(-1, &error);
    QVERIFY2(cpu >= 0, qPrintable(error));
    QCOMPARE(chooseBusyCpu(cpu, &error), cpu);
    QCOMPARE(chooseBusyCpu(100000, &error), -1);
    QVERIFY2(error.startsWith(QLatin1String("cpu:")), qPrintable(error));
    const int before = taskCount();
    {
        BusyThreads busy(cpu, {0, 4}, monotonicNs() + 20000000000LL);
        const QString ready = busy.waitReady(std::chrono::seconds(5), {});
        QVERIFY2(ready.isEmpty(), qPrintable(ready));
        QCOMPARE(taskCount(), before + 2); // both wait for release(), pinned
        const std::vector<pid_t> tids = busy.tids();
        QCOMPARE(int(tids.size()), 2);
        QVERIFY(tids[0] > 0 && tids[1] > 0 && tids[0] != tids[1]);
        // Each set its own nice value: per thread on Linux.
        errno = 0;
        QCOMPARE(::getpriority(PRIO_PROCESS, static_cast<id_t>(tids[1])), 4);
        busy.release();
        busy.stop();
        QCOMPARE(settledTaskCount(before), before);
        busy.stop(); // twice is harmless
    }
    QCOMPARE(settledTaskCount(before), before);
}

void TestThreadsLive::strayWriteHitsSiblingThreadNotParent_data()
{
    QTest::addColumn<int>("stray");
    QTest::newRow("1 word") << 1;
    QTest::newRow("6 words") << 6;
    QTest::newRow("16 words") << 16;
}

void TestThreadsLive::strayWriteHitsSiblingThreadNotParent()
{
    QFETCH(int, stray);
    const auto eOwner = makeEngine<ThreadsLiveEngine>();
    ThreadsLiveEngine &e = *eOwner;
    QVERIFY(e.configure(
        {{QStringLiteral("demo"), QStringLiteral("protection")}, {QStringLiteral("stray_words"), stray}}));
    const Result r = runToCompletion(e, std::chrono::seconds(30));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.summary.value(QStringLiteral("thread_ledger_ok")).toBool(), false);
    QCOMPARE(r.summary.value(QStringLiteral("thread_ledger_words_overwritten")).toInt(), stray);
    QCOMPARE(r.summary.value(QStringLiteral("child_ledger_ok")).toBool(), false);
    QCOMPARE(r.summary.value(QStringLiteral("child_ledger_words_overwritten")).toInt(), stray);
    QCOMPARE(r.summary.value(QStringLiteral("parent_ledger_ok")).toBool(), true);
    QCOMPARE(r.summary.value(QStringLiteral("parent_ledger_words_overwritten")).toInt(), 0);
    QCOMPARE(
        r.summary.value(QStringLiteral("ledgers_outcome")).toString(), QStringLiteral("thread_corrupted"));
    const auto snap = std::dynamic_pointer_cast<const ThreadsLiveSnapshot>(e.snapshot());
    QVERIFY(snap);
    QVERIFY(snap->protection.childPid > 0);
    QVERIFY(snap->protection.childReaped);
}

void TestThreadsLive::stopJoinsEveryBusyThread()
{
    const int before = taskCount();
    const auto eOwner = makeEngine<ThreadsLiveEngine>();
    ThreadsLiveEngine &e = *eOwner;
    QVERIFY(e.configure({{QStringLiteral("nices"), QStringLiteral("0,0,3")},
        {QStringLiteral("seconds"), 30.0}, {QStringLiteral("sample_ms"), 50}}));
    e.setSpeed(0);
    e.start();
    QTRY_VERIFY_WITH_TIMEOUT(e.snapshot() != nullptr, 10000);
    QVERIFY(taskCount() > before);
    e.stop();
    QCOMPARE(e.state(), RunState::Stopped);
    QCOMPARE(settledTaskCount(before), before);
}

QTEST_APPLESS_MAIN(TestThreadsLive)
#include "tst_threadslive.moc"
