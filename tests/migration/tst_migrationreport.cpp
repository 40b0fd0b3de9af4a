// The report builder, from runs built by hand: every figure computed a second way.
#include "migration/migrationreport.h"

#include <QJsonObject>
#include <QSet>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace proclab;
using namespace proclab::migration;

class TestMigrationReport : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void outputsAreUniqueAndDescribed();
    void preCopyRun();
    void postCopyRun();
    void autoConvergeRun();
    void abandonedRun();
    void everyKeyWrittenIsDeclared_data();
    void everyKeyWrittenIsDeclared();
    void snapshotOfARoundInProgress();
    void toyGuestRun();
};

namespace {

// A pre-copy of 1000 pages: round 0 sends all, round 1 the 50 dirtied, then 10 while paused.
MigrationRun preCopyRun()
{
    MigrationRun run;
    run.strategy = WireStrategy::PreCopy;
    run.dirtyRatePagesPerSec = 3000;
    run.capBitsPerSec = 400e6;
    run.pages = 1000;
    run.phase = MigrationPhase::Done;
    run.onDestination = true;
    run.handshakeMs = 4;
    run.startMs = 1000;
    run.pauseMs = 1400;
    run.resumeMs = 1425;
    run.endMs = 1450;
    run.rounds = {{0, false, 1000, 50, 300, 109.2}, {1, false, 50, 10, 20, 81.9}, {2, true, 10, 0, 5, 65.5}};
    run.pagesSent = 1060;
    run.pagesResent = 60;
    run.bytesSent = 1060 * 4104 + 3 * 24 + 200;
    run.sendSeconds = 0.25;
    run.stopReason = QStringLiteral("converged");
    run.verified = true;
    run.equal = true;
    run.sourceChecksum = 0xabc;
    run.destinationChecksum = 0xabc;
    run.sourceChecksumEnd = 0xdef;
    StatsBody stats;
    stats.requestsServed = 77;
    stats.pagesReceived = 1060;
    stats.duplicatePages = 60;
    run.destinationStats = stats;
    // Requests every 100 ms; the one sent at 1350 waits through the pause and answers at 1440.
    for (int i = 0; i < 20; ++i) {
        const double sent = 100.0 * i;
        run.samples.push_back({sent, sent == 1400 ? 40.0 : 1.0 + 0.1 * i, false});
    }
    run.samples.push_back({1350, 90, true});
    return run;
}

double num(const Result &r, const char *key)
{
    return r.summary.value(QLatin1String(key)).toDouble(std::nan(""));
}

} // namespace

void TestMigrationReport::outputsAreUniqueAndDescribed()
{
    QSet<QString> keys;
    for (const OutputSpec &o : MigrationReport::outputs()) {
        QVERIFY2(!keys.contains(o.key), qPrintable(o.key));
        keys.insert(o.key);
        QVERIFY2(!o.help.isEmpty(), qPrintable(o.key));
    }
    QVERIFY(keys.contains(QStringLiteral("downtime_vm_ms")));
}

void TestMigrationReport::preCopyRun()
{
    const MigrationRun run = ::preCopyRun();
    Result base;
    base.engineId = QStringLiteral("migration");
    const Result r = MigrationReport::build(run, base, false);
    QCOMPARE(r.engineId, QStringLiteral("migration"));
    QVERIFY(r.error.isEmpty());
    QCOMPARE(r.summary.value(QStringLiteral("strategy")).toString(), QStringLiteral("precopy"));
    QCOMPARE(num(r, "pages"), 1000.0);
    QCOMPARE(num(r, "memory_mib"), 1000.0 * 4096 / 1048576);
    QCOMPARE(num(r, "dirty_rate_pages_s"), 3000.0);
    QCOMPARE(num(r, "bandwidth_cap_mbit_s"), 400.0);
    QCOMPARE(r.summary.value(QStringLiteral("abandoned")).toBool(), false);
    QCOMPARE(r.summary.value(QStringLiteral("vm_location")).toString(), QStringLiteral("destination"));
    QCOMPARE(num(r, "total_ms"), 450.0);
    QCOMPARE(num(r, "handshake_ms"), 4.0);
    QCOMPARE(num(r, "downtime_vm_ms"), 25.0);
    QCOMPARE(num(r, "pages_sent"), 1060.0);
    QCOMPARE(num(r, "pages_resent"), 60.0);
    QCOMPARE(num(r, "sent_per_memory"), 1.06);
    const double bits = double(run.bytesSent) * 8;
    QCOMPARE(num(r, "throughput_mbit_s"), bits / 0.45 / 1e6);
    QCOMPARE(num(r, "link_mbit_s_while_sending"), bits / 0.25 / 1e6);
    QCOMPARE(num(r, "rounds"), 3.0);
    QCOMPARE(r.summary.value(QStringLiteral("dirty_log")).toString(), QStringLiteral("bitmap"));
    QVERIFY(!r.summary.contains(QStringLiteral("write_faults")));
    QCOMPARE(r.summary.value(QStringLiteral("stop_reason")).toString(), QStringLiteral("converged"));
    QVERIFY(!r.summary.contains(QStringLiteral("demand_fetches"))); // post-copy only
    QCOMPARE(
        r.summary.value(QStringLiteral("checksum_source")).toString(), QStringLiteral("0000000000000abc"));
    QCOMPARE(r.summary.value(QStringLiteral("checksum_destination")).toString(),
        QStringLiteral("0000000000000abc"));
    QCOMPARE(r.summary.value(QStringLiteral("memory_equal")).toBool(), true);
    QCOMPARE(r.summary.value(QStringLiteral("checksum_source_end")).toString(),
        QStringLiteral("0000000000000def"));
    QCOMPARE(num(r, "destination_requests"), 77.0);
    QCOMPARE(num(r, "destination_pages_received"), 1060.0);
    QCOMPARE(num(r, "destination_duplicate_pages"), 60.0);
    QVERIFY(!r.summary.contains(QStringLiteral("destination_faults")));
    // The client: 21 answers. Answers land at 100 i + 1 + 0.1 i (i != 14), 1440 (sent at 1350)
    // and 1440 (sent at 1400): the longest gap is from 1302.3 (i = 13) to 1440.
    QCOMPARE(num(r, "requests"), 21.0);
    QCOMPARE(num(r, "response_max_ms"), 90.0);
    QVERIFY(std::abs(num(r, "downtime_client_ms") - (1440 - 1302.3)) < 1e-9);
    QVERIFY(!r.summary.contains(QStringLiteral("downtime_limit_met"))); // no limit asked for
    // Answered before the start (1000 ms): i = 0..9, responses 1.0..1.9; the upper median is 1.5.
    QVERIFY(std::abs(num(r, "response_median_before_ms") - 1.5) < 1e-12);
    // Nearest rank: the 90th percentile of 10 values is the 9th smallest (index 8), 1.8.
    QVERIFY(std::abs(num(r, "response_p90_before_ms") - 1.8) < 1e-12);
    QCOMPARE(r.summary.value(QStringLiteral("auto_converge")).toBool(), false);
    QVERIFY(!r.summary.contains(QStringLiteral("throttle_percent_max")));
    QVERIFY(!r.summary.contains(QStringLiteral("response_median_throttled_ms")));
    QVERIFY(!r.summary.contains(QStringLiteral("requests_after_abandon")));
    QCOMPARE(num(r, "migration_start_ms"), 1000.0);
    QCOMPARE(num(r, "pause_ms"), 1400.0);
    QCOMPARE(num(r, "resume_ms"), 1425.0);
    QCOMPARE(num(r, "end_ms"), 1450.0);

    // Series by id: the response times, then sent and dirtied per round.
    QCOMPARE(int(r.series.size()), 3);
    QCOMPARE(r.series[0].id, QString(MigrationReport::kResponseSeries));
    QCOMPARE(r.series[0].name, QStringLiteral("response time (precopy)"));
    QCOMPARE(int(r.series[0].x.size()), 21);
    QCOMPARE(r.series[0].x.back(), 1.35);
    QCOMPARE(r.series[0].y.back(), 90.0);
    QCOMPARE(r.series[1].id, QString(MigrationReport::kSentSeries));
    QCOMPARE(r.series[1].y, (std::vector<double> {1000, 50, 10}));
    QCOMPARE(r.series[2].id, QString(MigrationReport::kDirtiedSeries));
    QCOMPARE(r.series[2].y, (std::vector<double> {50, 10, 0}));
    // The table: one row per round, the pages adding up to pages_sent.
    QCOMPARE(int(r.table.rows.size()), 3);
    double sum = 0;
    for (const auto &row : r.table.rows)
        sum += row[2].toDouble();
    QCOMPARE(sum, num(r, "pages_sent"));
    QCOMPARE(r.table.rows[2][1].toBool(), true);
    QCOMPARE(r.table.rows[1][4].toDouble(), 20.0);
}

void TestMigrationReport::postCopyRun()
{
    MigrationRun run;
    run.strategy = WireStrategy::PostCopy;
    run.pages = 4096;
    run.phase = MigrationPhase::Done;
    run.onDestination = true;
    run.startMs = 200;
    run.pauseMs = 210;
    run.resumeMs = 212;
    run.endMs = 900;
    run.pagesSent = 4096;
    run.demandFetches = 30;
    run.requestsInFlight = 5;
    StatsBody stats;
    stats.demandFaults = 35;
    stats.faultWaitNs = 70'000'000; // 70 ms over 35 faults
    stats.maxFaultWaitNs = 9'000'000;
    run.destinationStats = stats;
    const Result r = MigrationReport::build(run, Result {}, false);
    QCOMPARE(num(r, "demand_fetches"), 30.0);
    QCOMPARE(num(r, "requests_for_pages_in_flight"), 5.0);
    QCOMPARE(num(r, "degraded_ms"), 688.0);
    QCOMPARE(num(r, "destination_faults"), 35.0);
    QCOMPARE(num(r, "fault_wait_max_ms"), 9.0);
    QCOMPARE(num(r, "fault_wait_mean_ms"), 2.0);
    QCOMPARE(num(r, "downtime_vm_ms"), 2.0);
    QVERIFY(!r.summary.contains(QStringLiteral("dirty_log"))); // pre-copy only
    QCOMPARE(num(r, "throughput_mbit_s"), 0.0); // nothing counted in this hand-made run
    QCOMPARE(num(r, "requests"), 0.0);
    QCOMPARE(num(r, "downtime_client_ms"), 0.0);
}

void TestMigrationReport::autoConvergeRun()
{
    // The pre-copy run with the vCPU throttled from 1100 ms until the pause at 1400 ms.
    MigrationRun run = ::preCopyRun();
    run.autoConverge = true;
    run.throttleStartMs = 1100;
    run.throttlePercentMax = 30;
    run.rounds[1].throttlePercent = 20;
    run.downtimeLimitMs = 137; // the client's longest gap is 137.7 ms
    const Result r = MigrationReport::build(run, Result {}, false);
    QCOMPARE(r.summary.value(QStringLiteral("downtime_limit_met")).toString(), QStringLiteral("no"));
    run.downtimeLimitMs = 138;
    const Result met = MigrationReport::build(run, Result {}, false);
    QCOMPARE(met.summary.value(QStringLiteral("downtime_limit_met")).toString(), QStringLiteral("yes"));
    QCOMPARE(r.summary.value(QStringLiteral("auto_converge")).toBool(), true);
    QCOMPARE(num(r, "throttle_percent_max"), 30.0);
    // Sent in [1100, 1400): i = 11, 12, 13 (2.1, 2.2, 2.3 ms) and the one sent at 1350 (90 ms).
    QVERIFY(std::abs(num(r, "response_median_throttled_ms") - 2.2) < 1e-12);
    QVERIFY(std::abs(num(r, "response_p90_throttled_ms") - 2.3) < 1e-12);
    // The table says the throttle of each round.
    const int column = int(r.table.columns.indexOf(QStringLiteral("throttle_percent")));
    QVERIFY(column >= 0);
    QCOMPARE(r.table.rows.at(0).value(column).toInt(), 0);
    QCOMPARE(r.table.rows.at(1).value(column).toInt(), 20);
}

void TestMigrationReport::abandonedRun()
{
    MigrationRun run = ::preCopyRun();
    run.phase = MigrationPhase::Abandoned;
    run.onDestination = false;
    run.resumeMs = -1;
    run.endMs = -1;
    run.verified = false;
    run.destinationStats.reset();
    run.abandonMs = 1420;
    run.error = QStringLiteral("migration abandoned: cut; the VM keeps running on the source");
    const Result failed = MigrationReport::build(run, Result {}, false);
    QCOMPARE(failed.error, run.error);
    QCOMPARE(failed.summary.value(QStringLiteral("abandoned")).toBool(), true);
    QCOMPARE(failed.summary.value(QStringLiteral("vm_location")).toString(), QStringLiteral("source"));
    QVERIFY(!failed.summary.contains(QStringLiteral("total_ms")));
    QVERIFY(!failed.summary.contains(QStringLiteral("downtime_vm_ms")));
    QVERIFY(!failed.summary.contains(QStringLiteral("memory_equal")));
    QVERIFY(!failed.summary.contains(QStringLiteral("destination_requests")));
    // Requests sent after 1420 ms: 1500, 1600, ... 1900.
    QCOMPARE(num(failed, "requests_after_abandon"), 5.0);
    // A stop the user asked for is not a failure; the summary stays.
    const Result stopped = MigrationReport::build(run, Result {}, true);
    QVERIFY(stopped.error.isEmpty());
    QCOMPARE(stopped.summary, failed.summary);
}

void TestMigrationReport::everyKeyWrittenIsDeclared_data()
{
    QTest::addColumn<int>("strategy");
    QTest::addColumn<bool>("writeFaults");
    QTest::addColumn<bool>("abandoned");
    for (int s = 0; s < 3; ++s) {
        for (bool faults : {false, true}) {
            for (bool abandoned : {false, true}) {
                QTest::addRow(
                    "strategy %d%s%s", s, faults ? ", write faults" : "", abandoned ? ", abandoned" : "")
                    << s << faults << abandoned;
            }
        }
    }
}

void TestMigrationReport::everyKeyWrittenIsDeclared()
{
    QFETCH(int, strategy);
    QFETCH(bool, writeFaults);
    QFETCH(bool, abandoned);
    MigrationRun run = ::preCopyRun(); // every optional part filled
    run.strategy = static_cast<WireStrategy>(strategy);
    run.writeFaults = writeFaults;
    if (abandoned) {
        run.phase = MigrationPhase::Abandoned;
        run.abandonMs = 1420;
        run.error = QStringLiteral("migration abandoned: test");
    }
    const Result r = MigrationReport::build(run, Result {}, false);
    const std::vector<OutputSpec> outputs = MigrationReport::outputs();
    for (auto it = r.summary.begin(); it != r.summary.end(); ++it)
        QVERIFY2(outputsContain(outputs, it.key()), qPrintable(it.key()));
}

void TestMigrationReport::snapshotOfARoundInProgress()
{
    MigrationRun run = ::preCopyRun();
    run.phase = MigrationPhase::Rounds;
    run.rounds = {{0, false, 1000, 50, 300, 109.2}, {1, false, 0, 0, 0, 0}};
    run.pagesSent = 1030;
    run.pagesResent = 30;
    run.error.clear();
    const auto snap
        = MigrationReport::snapshot(run, std::vector<std::uint8_t>(1000, 2), run.samples, 1234, Result {});
    QCOMPARE(snap->strategy, QStringLiteral("precopy"));
    QCOMPARE(snap->pages, qint64(1000));
    QCOMPARE(int(snap->pageStates.size()), 1000);
    QCOMPARE(int(snap->samples.size()), 21);
    // The round in progress shows what it has sent so far: 1030 - 1000.
    QCOMPARE(snap->rounds.back().pagesSent, qint64(30));
    QCOMPARE(snap->elapsedMs, 1234.0);
    QCOMPARE(snap->pagesSentTotal, qint64(1030));
    // Pre-copy's progress assumes 1.5 memories in all.
    QCOMPARE(snap->progress, 1030.0 / 1000 / 1.5);
    QCOMPARE(snap->status, QStringLiteral("re-sending dirty pages, round 2: 1030 pages sent (30 re-sent)"));
    run.error = QStringLiteral("migration abandoned: x");
    QCOMPARE(MigrationReport::snapshot(run, {}, {}, 0, Result {})->status, run.error);
    run.phase = MigrationPhase::Done;
    QCOMPARE(MigrationReport::snapshot(run, {}, {}, 0, Result {})->progress, 1.0);
}

void TestMigrationReport::toyGuestRun()
{
    // workload=toyos: the guest's progress at the pause (source) and at the end (destination).
    MigrationRun run = ::preCopyRun();
    run.workload = WorkloadKind::ToyOs;
    run.content = MemoryContent::Mixed;
    ToyGuestStatus atPause;
    atPause.instructions = 5000;
    atPause.consoleBytes = 300;
    // Its 1 KiB tail holds more than 64 bytes: only whole lines from the end are reported.
    for (int i = 0; i < 20; ++i)
        atPause.consoleTail += "task A: line " + std::to_string(i % 9 + 1) + "\n";
    atPause.consoleTail = atPause.consoleTail.substr(10); // the first line cut, as in a ring
    run.guestAtPause = atPause;
    StatsBody stats = *run.destinationStats;
    stats.guestInstructions = 9000;
    stats.guestConsoleBytes = 420;
    const char tail[] = "ne 2\ntask B: line 3\n\x01\xff\n";
    std::memcpy(stats.guestConsoleTail, tail, sizeof tail - 1);
    run.destinationStats = stats;
    Result r = MigrationReport::build(run, Result {}, false);
    QCOMPARE(r.summary.value(QStringLiteral("workload")).toString(), QStringLiteral("toyos"));
    QCOMPARE(r.summary.value(QStringLiteral("memory_content")).toString(), QStringLiteral("mixed"));
    QCOMPARE(num(r, "guest_instructions_source"), 5000.0);
    QCOMPARE(num(r, "guest_instructions_destination"), 9000.0);
    QCOMPARE(num(r, "guest_console_bytes_source"), 300.0);
    QCOMPARE(num(r, "guest_console_bytes_destination"), 420.0);
    QCOMPARE(r.summary.value(QStringLiteral("guest_continued")).toString(), QStringLiteral("yes"));
    // Four whole lines of 15 bytes fit in 64; line ends shown as " | ".
    QCOMPARE(r.summary.value(QStringLiteral("guest_console_at_pause")).toString(),
        QStringLiteral("task A: line 8 | task A: line 9 | task A: line 1 | task A: line 2"));
    // What a destination sends is shown as it came, bytes outside printable ASCII as '?'.
    QCOMPARE(r.summary.value(QStringLiteral("guest_console_tail")).toString(),
        QStringLiteral("ne 2 | task B: line 3 | ??"));
    // A destination whose guest started over (fewer instructions than at the pause) did not continue.
    stats.guestInstructions = 100;
    run.destinationStats = stats;
    r = MigrationReport::build(run, Result {}, false);
    QCOMPARE(r.summary.value(QStringLiteral("guest_continued")).toString(), QStringLiteral("no"));
    for (auto it = r.summary.begin(); it != r.summary.end(); ++it)
        QVERIFY2(outputsContain(MigrationReport::outputs(), it.key()), qPrintable(it.key()));
}

QTEST_APPLESS_MAIN(TestMigrationReport)
#include "tst_migrationreport.moc"
