#include "ctxswitch/ctxswitchengine.h"

#include "common/stats.h"

#include "engine/registry.h"

#include "helpermain.h"

#include <QTest>

#include <cerrno>

#include <sys/wait.h>

using namespace proclab;

class TestCtxSwitch : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void percentiles_data();
    void percentiles();
    void switchesReallyHappen_data();
    void switchesReallyHappen();
    void creationCostsAndReaping();
    void indirectSweep();
    void stopMidwayJoinsAndReaps();
    void registered();
    void everySummaryKeyIsDeclared();
};

namespace {

bool noChildrenLeft()
{
    // Every child was reaped: waitpid finds none.
    errno = 0;
    return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

} // namespace

void TestCtxSwitch::percentiles_data()
{
    QTest::addColumn<QList<double>>("values");
    QTest::addColumn<double>("fraction");
    QTest::addColumn<double>("expected");
    QTest::newRow("median odd") << QList<double> {5, 1, 3} << 0.5 << 3.0;
    QTest::newRow("median even") << QList<double> {4, 1, 3, 2} << 0.5 << 2.5;
    QTest::newRow("p10 of 0..10") << QList<double> {10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0} << 0.1 << 1.0;
    QTest::newRow("p90 of 0..10") << QList<double> {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10} << 0.9 << 9.0;
    QTest::newRow("single") << QList<double> {42} << 0.9 << 42.0;
}

void TestCtxSwitch::percentiles()
{
    QFETCH(QList<double>, values);
    QFETCH(double, fraction);
    QFETCH(double, expected);
    QCOMPARE(percentile(std::vector<double>(values.begin(), values.end()), fraction), expected);
}

void TestCtxSwitch::switchesReallyHappen_data()
{
    QTest::addColumn<QString>("mechanism");
    QTest::addColumn<QString>("placement");
    QTest::newRow("pipe, same cpu") << QStringLiteral("pipe") << QStringLiteral("same_cpu");
    QTest::newRow("futex, same cpu") << QStringLiteral("futex") << QStringLiteral("same_cpu");
    QTest::newRow("pipe, different cpus") << QStringLiteral("pipe") << QStringLiteral("different_cpus");
}

void TestCtxSwitch::switchesReallyHappen()
{
    QFETCH(QString, mechanism);
    QFETCH(QString, placement);
    const int roundTrips = 300;
    const auto eOwner = makeEngine<CtxSwitchEngine>();
    CtxSwitchEngine &e = *eOwner;
    QString error;
    QVERIFY2(
        e.configure(
            {{QStringLiteral("parts"), QStringLiteral("switch")}, {QStringLiteral("round_trips"), roundTrips},
                {QStringLiteral("mechanism"), mechanism}, {QStringLiteral("placement"), placement}},
            &error),
        qPrintable(error));
    const Result r = runToCompletion(e, std::chrono::seconds(120));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.provenance, Provenance::Measured);
    QVERIFY(!r.machine.isEmpty());
    const auto snap = std::dynamic_pointer_cast<const CtxSwitchSnapshot>(e.snapshot());
    QVERIFY(snap);
    QCOMPARE(int(snap->switches.size()), 2); // thread and process
    for (const CostSample &s : snap->switches) {
        QVERIFY2(s.id.endsWith(mechanism), qPrintable(s.id));
        QCOMPARE(int(s.valuesNs.size()), roundTrips);
        QVERIFY(s.roundTrips >= roundTrips);
        QVERIFY(s.p10Ns <= s.medianNs && s.medianNs <= s.p90Ns);
        QVERIFY(s.p10Ns > 0);
        // Proof that the hand-offs were switches: each round trip blocks each
        // side at least once (voluntary) or preempts it (involuntary).
        const qint64 counted = s.voluntarySwitches + s.involuntarySwitches;
        QVERIFY2(counted >= s.roundTrips,
            qPrintable(QStringLiteral("%1: %2 switches for %3 round trips")
                           .arg(s.id)
                           .arg(counted)
                           .arg(s.roundTrips)));
        QCOMPARE(r.summary.value(s.id + QStringLiteral("_us_median")).toDouble(), s.medianNs / 1000.0);
        QVERIFY(r.summary.value(s.id + QStringLiteral("_switches_per_round_trip")).toDouble() >= 1.0);
    }
    // The syscall figure and the ratio computed a second way.
    QVERIFY(snap->syscall.medianNs > 0);
    const double ratio = r.summary.value(QStringLiteral("process_thread_switch_ratio")).toDouble();
    QCOMPARE(ratio, snap->switches[1].medianNs / snap->switches[0].medianNs);
    QCOMPARE(snap->sameCpu, placement == QLatin1String("same_cpu") || snap->cpuA == snap->cpuB);
    QVERIFY(noChildrenLeft());
    // Histograms in the result: one per variant, counting every sample at most once.
    int histograms = 0;
    for (const auto &series : r.series) {
        if (series.xLabel.contains(QStringLiteral("per switch"))) {
            ++histograms;
            double n = 0;
            for (double y : series.y)
                n += y;
            QCOMPARE(n, double(roundTrips));
        }
    }
    QCOMPARE(histograms, 2);
}

void TestCtxSwitch::creationCostsAndReaping()
{
    const auto eOwner = makeEngine<CtxSwitchEngine>();
    CtxSwitchEngine &e = *eOwner;
    QString error;
    QVERIFY2(
        e.configure({{QStringLiteral("parts"), QStringLiteral("create")}, {QStringLiteral("creations"), 8},
                        {QStringLiteral("fork_touch"), QStringLiteral("4MiB")},
                        {QStringLiteral("fork_touch_samples"), 3}},
            &error),
        qPrintable(error));
    const Result r = runToCompletion(e, std::chrono::seconds(120));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    const auto snap = std::dynamic_pointer_cast<const CtxSwitchSnapshot>(e.snapshot());
    QVERIFY(snap);
    QStringList ids;
    for (const auto &s : snap->creations) {
        ids << s.id;
        QVERIFY2(s.medianNs > 0 || !s.note.isEmpty(), qPrintable(s.id));
    }
    QCOMPARE(ids,
        (QStringList {QStringLiteral("thread_create"), QStringLiteral("fork"), QStringLiteral("spawn"),
            QStringLiteral("fork_touch_4MiB")}));
    QCOMPARE(int(snap->creations[0].valuesNs.size()), 8);
    QCOMPARE(int(snap->creations[1].valuesNs.size()), 8); // timed in the fork helper
    QCOMPARE(int(snap->creations[3].valuesNs.size()), 3);
    QCOMPARE(snap->creations[3].touchedBytes, qint64(4) << 20);
    QCOMPARE(r.summary.value(QStringLiteral("fork_thread_creation_ratio")).toDouble(),
        snap->creations[1].medianNs / snap->creations[0].medianNs);
    QVERIFY(r.summary.contains(QStringLiteral("fork_touch_growth_ratio")));
    QVERIFY(noChildrenLeft());
    QVERIFY(snap->switches.empty());
    QVERIFY(snap->indirect.empty());
}

void TestCtxSwitch::indirectSweep()
{
    const auto eOwner = makeEngine<CtxSwitchEngine>();
    CtxSwitchEngine &e = *eOwner;
    QString error;
    QVERIFY2(e.configure({{QStringLiteral("parts"), QStringLiteral("indirect")},
                             {QStringLiteral("indirect_max"), QStringLiteral("64KiB")},
                             {QStringLiteral("indirect_reps"), 5}},
                 &error),
        qPrintable(error));
    const Result r = runToCompletion(e, std::chrono::seconds(120));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    const auto snap = std::dynamic_pointer_cast<const CtxSwitchSnapshot>(e.snapshot());
    QVERIFY(snap);
    // 4, 6, 8, 12, 16, 24, 32, 48, 64 KiB
    QCOMPARE(int(snap->indirect.size()), 9);
    qint64 last = 0;
    for (const auto &pt : snap->indirect) {
        QVERIFY(pt.workingSetBytes > last);
        last = pt.workingSetBytes;
        QCOMPARE(pt.repetitions, 5);
        QVERIFY(pt.warmWalkNs > 0);
        QVERIFY(pt.afterSwitchWalkNs > 0);
        QCOMPARE(pt.indirectNs, pt.afterSwitchWalkNs - pt.warmWalkNs);
    }
    QCOMPARE(last, qint64(64) * 1024);
    QCOMPARE(int(r.series.size()), 1);
    QCOMPARE(int(r.series[0].x.size()), 9);
}

void TestCtxSwitch::stopMidwayJoinsAndReaps()
{
    const auto eOwner = makeEngine<CtxSwitchEngine>();
    CtxSwitchEngine &e = *eOwner;
    QVERIFY(e.configure({{QStringLiteral("parts"), QStringLiteral("switch")},
        {QStringLiteral("round_trips"), 1000000}, {QStringLiteral("mechanism"), QStringLiteral("futex")}}));
    e.setSpeed(0);
    e.start();
    // Wait until a process ping-pong is running or done, then stop.
    QTRY_VERIFY_WITH_TIMEOUT(e.snapshot() != nullptr, 30000);
    QTest::qWait(300);
    e.stop();
    QVERIFY(e.state() == RunState::Stopped || e.state() == RunState::Finished);
    QVERIFY(noChildrenLeft());
    const auto snap = std::dynamic_pointer_cast<const CtxSwitchSnapshot>(e.snapshot());
    QVERIFY(snap);
    QVERIFY(snap->result.error.isEmpty());
}

void TestCtxSwitch::registered()
{
    const auto *entry = EngineRegistry::builtin().find(QStringLiteral("ctxswitch"));
    QVERIFY(entry);
    QCOMPARE(entry->info.provenance, Provenance::Measured);
    QVERIFY(entry->info.syllabus.contains(QStringLiteral("T3")));
    QVERIFY(EngineRegistry::builtin().find(QStringLiteral("cache")));
}

void TestCtxSwitch::everySummaryKeyIsDeclared()
{
    // A short run of every part, so that every kind of key appears.
    const auto eOwner = makeEngine<CtxSwitchEngine>();
    CtxSwitchEngine &e = *eOwner;
    QString error;
    QVERIFY2(e.configure(
                 {{QStringLiteral("parts"), QStringLiteral("all")}, {QStringLiteral("round_trips"), 50},
                     {QStringLiteral("mechanism"), QStringLiteral("both")}, {QStringLiteral("creations"), 5},
                     {QStringLiteral("fork_touch"), QStringLiteral("4MiB")},
                     {QStringLiteral("fork_touch_samples"), 2},
                     {QStringLiteral("indirect_max"), QStringLiteral("16KiB")},
                     {QStringLiteral("indirect_reps"), 2}},
                 &error),
        qPrintable(error));
    const Result r = runToCompletion(e, std::chrono::seconds(120));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    const std::vector<OutputSpec> outputs = e.outputs();
    for (auto it = r.summary.begin(); it != r.summary.end(); ++it)
        QVERIFY2(
            outputsContain(outputs, it.key()), qPrintable(QStringLiteral("undeclared key: ") + it.key()));
    for (const char *key : {"process_thread_switch_ratio", "fork_thread_creation_ratio",
             "fork_touch_4MiB_us_median", "fork_touch_max_bytes", "indirect_peak_us", "switch_syscall_ratio",
             "process_switch_futex_switches_per_round_trip"})
        QVERIFY2(r.summary.contains(QLatin1String(key)), key);
    QCOMPARE(r.summary.value(QStringLiteral("fork_touch_max_bytes")).toDouble(), double(4 << 20));
    // Series ids: the indirect curve, then one histogram per switch variant.
    QStringList ids;
    for (const Series &series : r.series)
        ids << series.id;
    QCOMPARE(ids,
        (QStringList {QStringLiteral("indirect_cost"), QStringLiteral("thread_switch_pipe"),
            QStringLiteral("process_switch_pipe"), QStringLiteral("thread_switch_futex"),
            QStringLiteral("process_switch_futex")}));
    // The views' series are in the snapshot, built from the same samples.
    const auto snap = std::dynamic_pointer_cast<const CtxSwitchSnapshot>(e.snapshot());
    QVERIFY(snap);
    QCOMPARE(int(snap->switchHistograms.size()), 4);
    QCOMPARE(snap->indirectCurve.x.size(), snap->indirect.size());
    QVERIFY(noChildrenLeft());
}

// Process ping-pong and fork run in the fork helper: this program started again in helper mode.
PROCLAB_TEST_MAIN_WITH_HELPERS(TestCtxSwitch)
#include "tst_ctxswitch.moc"
