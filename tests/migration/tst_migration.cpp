#include "migration/migrationengine.h"
#include "migration/migrationmodel.h"
#include "migration/migrationmodelengine.h"
#include "migration/migrationnode.h"
#include "migration/migrationreport.h"
#include "migration/pagememory.h"
#include "migration/precopystoprule.h"
#include "migration/snapshothasher.h"
#include "migration/writefaultlog.h"

#include "engine/registry.h"

#include <QBuffer>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QTest>

#include <atomic>
#include <cmath>
#include <numeric>
#include <thread>

#include <csignal>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace proclab;

class TestMigration : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void modelDirtiedByHand();
    void modelHandComputed_data();
    void modelHandComputed();
    void modelEngineSweeps();
    void snapshotHashIsTheMemoryAtTheStart();
    void writeFaultsLogEachPageOnce();
    void strayFaultStillCrashes_data();
    void strayFaultStillCrashes();
    void handlerRemovedOnDetach();
    void memoryEqualAfterEachStrategy_data();
    void memoryEqualAfterEachStrategy();
    void workloadsKeepMemoryEqual_data();
    void workloadsKeepMemoryEqual();
    void autoConvergeConvergesAnOverrun();
    void preCopyStopRules_data();
    void preCopyStopRules();
    void cutConnectionAbandons_data();
    void cutConnectionAbandons();
    void destinationFailureAbandons();
    void destinationFailureAbandonsEveryChannel();
    void badDestinations_data();
    void badDestinations();
    void nodeCommandLine();
    void nodeArgumentErrors_data();
    void nodeArgumentErrors();
    void registered();
    void summaryKeysAreDeclared_data();
    void summaryKeysAreDeclared();
    void modelSummaryKeysAreDeclared();
    void configureRefusesConflicts_data();
    void configureRefusesConflicts();
};

#if defined(__SANITIZE_ADDRESS__)
#define PROCLAB_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PROCLAB_TEST_ASAN 1
#endif
#endif

namespace {

constexpr qint64 kMiB = 1 << 20;

QString hex64(std::uint64_t v)
{
    return QStringLiteral("%1").arg(v, 16, 16, QLatin1Char('0'));
}

Result runMigration(const QVariantMap &overrides, MigrationEngine *engine = nullptr)
{
    const auto localOwner = makeEngine<MigrationEngine>();
    MigrationEngine &local = *localOwner;
    MigrationEngine &e = engine ? *engine : local;
    QVariantMap p {{QStringLiteral("memory"), 16 * kMiB}, {QStringLiteral("warmup_ms"), 200},
        {QStringLiteral("after_ms"), 200}, {QStringLiteral("bandwidth"), 0},
        {QStringLiteral("hot_set"), 1 * kMiB}, {QStringLiteral("seed"), 5}};
    for (auto it = overrides.begin(); it != overrides.end(); ++it)
        p.insert(it.key(), it.value());
    QString error;
    if (!e.configure(p, &error)) {
        Result r;
        r.error = QStringLiteral("configure: ") + error;
        return r;
    }
    return runToCompletion(e, std::chrono::seconds(120));
}

double num(const Result &r, const char *key)
{
    return r.summary.value(QLatin1String(key)).toDouble(std::nan(""));
}

QString str(const Result &r, const char *key)
{
    return r.summary.value(QLatin1String(key)).toString();
}

std::uint16_t freePort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a {};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

} // namespace

void TestMigration::modelDirtiedByHand()
{
    MigrationModelInput in;
    in.pages = 1000;
    in.dirtyRatePagesPerSec = 500;
    in.hotPages = 0;
    // Uniform writes: each page is written at 0.5/s; clean after 2 s with probability e^-1.
    QCOMPARE(migrationModelDirtied(in, 2.0), 1000 * (1 - std::exp(-1.0)));
    in.hotPages = 100;
    in.hotShare = 1.0;
    // All writes into 100 pages at 5/s each: after 1 s, 100 (1 - e^-5).
    QCOMPARE(migrationModelDirtied(in, 1.0), 100 * (1 - std::exp(-5.0)));
    in.dirtyRatePagesPerSec = 0;
    QCOMPARE(migrationModelDirtied(in, 10.0), 0.0);
}

void TestMigration::modelHandComputed_data()
{
    QTest::addColumn<QString>("strategy");
    QTest::addColumn<double>("dirtyRate");
    QTest::addColumn<double>("hotPages");
    QTest::addColumn<double>("hotShare");
    QTest::addColumn<int>("maxRounds");
    QTest::addColumn<double>("factor");
    QTest::addColumn<double>("downtimeMs");
    QTest::addColumn<double>("totalMs");
    QTest::addColumn<int>("rounds");
    QTest::addColumn<QString>("reason");

    // 64 MiB = 16384 pages at 1 Gbit/s (125e6 B/s): one full pass takes 536.870912 ms.
    // One-way latency 0.5 ms.
    const double pass = 16384.0 * 4096 / 125e6 * 1000;
    QTest::newRow("stop-and-copy") << "stopcopy" << 5000.0 << 0.0 << 0.0 << 30 << 3.0 << pass + 0.5
                                   << pass + 0.5 << 1 << "";
    QTest::newRow("post-copy") << "postcopy" << 5000.0 << 0.0 << 0.0 << 30 << 3.0 << 0.5 << pass + 0.5 << 0
                               << "";
    QTest::newRow("pre-copy, idle VM")
        << "precopy" << 0.0 << 0.0 << 0.0 << 30 << 3.0 << 0.5 << pass + 0.5 << 1 << "converged";
    // 1e6 writes/s into an 8 MiB hot set (2048 pages): it is all dirty after round 0,
    // and 2048 pages take 67.108864 ms < 300 ms.
    const double hot = 2048.0 * 4096 / 125e6 * 1000;
    QTest::newRow("pre-copy, hot set") << "precopy" << 1e6 << 2048.0 << 1.0 << 30 << 3.0 << hot + 0.5
                                       << pass + hot + 0.5 << 1 << "converged";
    // 1e6 uniform writes/s: every page dirty again after each pass (e^-32.8 is 0 here).
    QTest::newRow("pre-copy, max rounds")
        << "precopy" << 1e6 << 0.0 << 0.0 << 1 << 3.0 << pass + 0.5 << 2 * pass + 0.5 << 1 << "max_rounds";
    QTest::newRow("pre-copy, max total")
        << "precopy" << 1e6 << 0.0 << 0.0 << 30 << 2.5 << pass + 0.5 << 3 * pass + 0.5 << 2 << "max_total";
}

void TestMigration::modelHandComputed()
{
    QFETCH(QString, strategy);
    QFETCH(double, dirtyRate);
    QFETCH(double, hotPages);
    QFETCH(double, hotShare);
    QFETCH(int, maxRounds);
    QFETCH(double, factor);
    QFETCH(double, downtimeMs);
    QFETCH(double, totalMs);
    QFETCH(int, rounds);
    QFETCH(QString, reason);
    MigrationModelInput in;
    in.pages = 16384;
    in.bandwidthBytesPerSec = 125e6;
    in.dirtyRatePagesPerSec = dirtyRate;
    in.hotPages = hotPages;
    in.hotShare = hotShare;
    in.latencySec = 0.0005;
    in.maxRounds = maxRounds;
    in.maxTotalFactor = factor;
    const MigrationModelOutcome o = strategy == QLatin1String("stopcopy") ? migrationModelStopCopy(in)
        : strategy == QLatin1String("precopy")                            ? migrationModelPreCopy(in)
                                                                          : migrationModelPostCopy(in);
    QVERIFY2(std::abs(o.downtimeSec * 1000 - downtimeMs) < 1e-3,
        qPrintable(QString::number(o.downtimeSec * 1000)));
    QVERIFY2(std::abs(o.totalSec * 1000 - totalMs) < 1e-3, qPrintable(QString::number(o.totalSec * 1000)));
    QCOMPARE(int(o.rounds.size()), rounds);
    QCOMPARE(o.stopReason, reason);
    if (strategy == QLatin1String("postcopy")) {
        QCOMPARE(o.pagesSent, in.pages);
        QCOMPARE(o.pagesResent, 0.0);
    }
}

void TestMigration::modelEngineSweeps()
{
    const auto eOwner = makeEngine<MigrationModelEngine>();
    MigrationModelEngine &e = *eOwner;
    QString error;
    QVERIFY2(e.configure({{QStringLiteral("memory"), 64 * kMiB}, {QStringLiteral("latency_ms"), 0.5},
                             {QStringLiteral("sweep_points"), 11}, {QStringLiteral("sweep_max"), 100000}},
                 &error),
        qPrintable(error));
    const Result r = runToCompletion(e, std::chrono::seconds(10));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.provenance, Provenance::Model);
    QCOMPARE(int(r.series.size()), 6);
    for (const auto &s : r.series)
        QCOMPARE(int(s.x.size()), 11);
    // Stop-and-copy's downtime does not depend on the dirty rate; post-copy's is the latency.
    const double pass = 16384.0 * 4096 / 125e6;
    for (double y : r.series[0].y)
        QVERIFY(std::abs(y - (pass + 0.0005)) < 1e-9);
    for (double y : r.series[2].y)
        QVERIFY(std::abs(y - 0.0005) < 1e-12);
    // Pre-copy's downtime grows (weakly) with the dirty rate.
    for (std::size_t i = 1; i < r.series[1].y.size(); ++i)
        QVERIFY(r.series[1].y[i] >= r.series[1].y[i - 1] - 1e-12);
}

void TestMigration::memoryEqualAfterEachStrategy_data()
{
    QTest::addColumn<QString>("strategy");
    QTest::addColumn<double>("bandwidth");
    QTest::addColumn<QString>("dirtyLog");
    QTest::addColumn<qint64>("xbzrleCache");
    QTest::addColumn<QString>("compress");
    QTest::newRow("stopcopy") << "stopcopy" << 0.0 << "bitmap" << qint64(0) << "none";
    QTest::newRow("precopy") << "precopy" << 0.0 << "bitmap" << qint64(0) << "none";
    QTest::newRow("precopy capped") << "precopy" << 400e6 << "bitmap" << qint64(0) << "none";
    QTest::newRow("precopy capped, write faults")
        << "precopy" << 400e6 << "write_faults" << qint64(0) << "none";
    QTest::newRow("precopy capped, deltas") << "precopy" << 400e6 << "bitmap" << 4 * kMiB << "none";
    QTest::newRow("precopy capped, deltas, small cache")
        << "precopy" << 400e6 << "bitmap" << 64 * 1024LL << "none";
    QTest::newRow("precopy capped, deltas, write faults")
        << "precopy" << 400e6 << "write_faults" << 4 * kMiB << "none";
    QTest::newRow("stopcopy, zlib") << "stopcopy" << 0.0 << "bitmap" << qint64(0) << "zlib";
    QTest::newRow("precopy capped, zlib") << "precopy" << 400e6 << "bitmap" << qint64(0) << "zlib";
    QTest::newRow("precopy capped, deltas, zlib") << "precopy" << 400e6 << "bitmap" << 4 * kMiB << "zlib";
    QTest::newRow("postcopy, zlib (not used after the resume)")
        << "postcopy" << 0.0 << "bitmap" << qint64(0) << "zlib";
    QTest::newRow("postcopy") << "postcopy" << 0.0 << "bitmap" << qint64(0) << "none";
    QTest::newRow("postcopy capped") << "postcopy" << 200e6 << "bitmap" << qint64(0) << "none";
    // ",single": post-copy without its urgent connection (postcopy_preempt=off).
    QTest::newRow("postcopy, one connection") << "postcopy,single" << 0.0 << "bitmap" << qint64(0) << "none";
    QTest::newRow("postcopy capped, one connection")
        << "postcopy,single" << 200e6 << "bitmap" << qint64(0) << "none";
    QTest::newRow("postcopy, zlib, one connection")
        << "postcopy,single" << 0.0 << "bitmap" << qint64(0) << "zlib";
    // ",chN": pages on N connections at once (channels=N).
    QTest::newRow("stopcopy, 2 channels") << "stopcopy,ch2" << 0.0 << "bitmap" << qint64(0) << "none";
    QTest::newRow("precopy, 3 channels") << "precopy,ch3" << 0.0 << "bitmap" << qint64(0) << "none";
    QTest::newRow("precopy capped, 2 channels, write faults")
        << "precopy,ch2" << 400e6 << "write_faults" << qint64(0) << "none";
    QTest::newRow("precopy capped, 3 channels, deltas")
        << "precopy,ch3" << 400e6 << "bitmap" << 4 * kMiB << "none";
    QTest::newRow("precopy capped, 2 channels, deltas, zlib")
        << "precopy,ch2" << 400e6 << "bitmap" << 4 * kMiB << "zlib";
    QTest::newRow("stopcopy, 4 channels, zlib") << "stopcopy,ch4" << 0.0 << "bitmap" << qint64(0) << "zlib";
}

namespace {

/// "postcopy,single" is post-copy with postcopy_preempt=off, "precopy,ch3" pre-copy with channels=3:
/// the strategy, and the parameters in @p params.
QString splitPreempt(const QString &strategy, QVariantMap *params)
{
    const bool single = strategy.endsWith(QLatin1String(",single"));
    params->insert(QStringLiteral("postcopy_preempt"), single ? QStringLiteral("off") : QStringLiteral("on"));
    for (const QString &part : strategy.split(QLatin1Char(',')))
        if (part.startsWith(QLatin1String("ch")))
            params->insert(QStringLiteral("channels"), part.mid(2).toInt());
    return strategy.section(QLatin1Char(','), 0, 0);
}

/// The connections and the urgent connection's pages of a finished post-copy run @p r, checked.
void checkChannels(const Result &r, const QVariantMap &params)
{
    const bool postCopy = r.summary.value(QStringLiteral("strategy")).toString() == QLatin1String("postcopy");
    const bool preempt = postCopy && params.value(QStringLiteral("postcopy_preempt")) != QLatin1String("off");
    QCOMPARE(num(r, "channels"), preempt ? 2.0 : params.value(QStringLiteral("channels"), 1).toDouble());
    if (!postCopy)
        return;
    QCOMPARE(r.summary.value(QStringLiteral("postcopy_preempt")).toBool(), preempt);
    if (preempt) {
        // Only pages the vCPU asked for go on the urgent connection, each once.
        QVERIFY(num(r, "urgent_pages") <= num(r, "demand_fetches"));
        QVERIFY(num(r, "urgent_pages") >= 0);
    } else {
        QVERIFY(!r.summary.contains(QStringLiteral("urgent_pages")));
    }
}

} // namespace

void TestMigration::memoryEqualAfterEachStrategy()
{
    QFETCH(QString, strategy);
    QFETCH(double, bandwidth);
    QFETCH(QString, dirtyLog);
    QFETCH(qint64, xbzrleCache);
    QFETCH(QString, compress);
    const auto eOwner = makeEngine<MigrationEngine>();
    MigrationEngine &e = *eOwner;
    QVariantMap params {{QStringLiteral("dirty_rate"), 3000}, {QStringLiteral("bandwidth"), bandwidth},
        {QStringLiteral("dirty_log"), dirtyLog}, {QStringLiteral("compress"), compress}};
    strategy = splitPreempt(strategy, &params);
    params.insert(QStringLiteral("strategy"), strategy);
    if (xbzrleCache > 0) {
        // Rounds until the limit of 4, so pages are sent again and again while the VM writes.
        params.insert(QStringLiteral("xbzrle_cache"), xbzrleCache);
        params.insert(QStringLiteral("downtime_limit_ms"), 1);
        params.insert(QStringLiteral("max_rounds"), 4);
    }
    const Result r = runMigration(params, &e);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.provenance, Provenance::Measured);
    QCOMPARE(str(r, "vm_location"), QStringLiteral("destination"));
    QVERIFY(r.summary.value(QStringLiteral("memory_equal")).toBool());
    QCOMPARE(str(r, "checksum_source"), str(r, "checksum_destination"));
    const double pages = 16.0 * 1024 * 1024 / 4096;
    QCOMPARE(num(r, "pages"), pages);
    QVERIFY(num(r, "pages_sent") >= pages);
    QCOMPARE(num(r, "destination_pages_received"), num(r, "pages_sent"));
    QVERIFY(num(r, "downtime_vm_ms") >= 0);
    QVERIFY(num(r, "total_ms") >= num(r, "downtime_vm_ms"));
    QVERIFY(num(r, "requests") > 0);
    QVERIFY(num(r, "destination_requests") > 0); // the client reached the VM at its new address
    checkChannels(r, params);
    if (strategy == QLatin1String("postcopy")) {
        // No page is ever sent twice: every page exactly once, none received twice.
        QCOMPARE(num(r, "pages_sent"), pages);
        QCOMPARE(num(r, "pages_resent"), 0.0);
        QCOMPARE(num(r, "destination_duplicate_pages"), 0.0);
        QCOMPARE(
            num(r, "destination_faults"), num(r, "demand_fetches") + num(r, "requests_for_pages_in_flight"));
    } else {
        QCOMPARE(num(r, "destination_duplicate_pages"), num(r, "pages_resent"));
    }
    if (xbzrleCache > 0) {
        // Every page sent after round 0 went through the cache: a hit, a miss or an overflow.
        QCOMPARE(num(r, "xbzrle_cache_mib"), double(xbzrleCache) / kMiB);
        QCOMPARE(num(r, "xbzrle_hits") + num(r, "xbzrle_misses") + num(r, "xbzrle_overflows"),
            num(r, "pages_sent") - pages);
        QVERIFY(num(r, "xbzrle_bytes_saved") >= 0);
        QCOMPARE(num(r, "xbzrle_bytes_saved") > 0, num(r, "xbzrle_hits") > 0);
        // The table's rounds add up to the same.
        const int deltaColumn = int(r.table.columns.indexOf(QStringLiteral("pages_as_deltas")));
        QVERIFY(deltaColumn >= 0);
        double perRound = 0;
        for (const QVariantList &row : r.table.rows)
            perRound += row.value(deltaColumn).toDouble();
        QCOMPARE(perRound, num(r, "xbzrle_hits"));
        // So do the charted rounds: deltas per round, and the bytes saved in pages' worth.
        const auto seriesSum = [&r](QLatin1String id) {
            for (const Series &s : r.series)
                if (s.id == id)
                    return std::accumulate(s.y.begin(), s.y.end(), 0.0);
            return -1.0;
        };
        QCOMPARE(seriesSum(migration::MigrationReport::kDeltaSeries), num(r, "xbzrle_hits"));
        QCOMPARE(qRound64(seriesSum(migration::MigrationReport::kSavedSeries) * 4096),
            qint64(num(r, "xbzrle_bytes_saved")));
    } else {
        QVERIFY(!r.summary.contains(QStringLiteral("xbzrle_hits")));
    }
    if (compress == QLatin1String("zlib") && strategy != QLatin1String("postcopy")) {
        // Every page not sent as a delta was offered to the compressor: sent compressed, or
        // whole because it did not shrink (the guest's memory is random, so mostly that).
        QCOMPARE(str(r, "compress"), compress);
        const double whole = num(r, "pages_sent") - (xbzrleCache > 0 ? num(r, "xbzrle_hits") : 0.0);
        QCOMPARE(num(r, "compressed_pages") + num(r, "incompressible_pages"), whole);
        QVERIFY(num(r, "compressed_bytes") <= num(r, "compressed_pages") * (4096 - 1));
        QCOMPARE(num(r, "compressed_bytes") > 0, num(r, "compressed_pages") > 0);
        QVERIFY(num(r, "compress_cpu_ms") > 0);
    } else {
        QVERIFY(!r.summary.contains(QStringLiteral("compressed_pages")));
    }
    if (dirtyLog == QLatin1String("write_faults")) {
        // The vCPU marked nothing itself: every re-sent page was found by a
        // write fault, one fault per page and round at most.
        QCOMPARE(str(r, "dirty_log"), dirtyLog);
        QVERIFY(num(r, "pages_resent") > 0);
        QVERIFY(num(r, "write_faults") >= num(r, "pages_resent"));
    }
    // The final snapshot's grid: nothing left dirty or missing.
    const auto snap = std::dynamic_pointer_cast<const MigrationSnapshot>(e.snapshot());
    QVERIFY(snap);
    QCOMPARE(qint64(snap->pageStates.size()), qint64(pages));
    for (std::uint8_t s : snap->pageStates) {
        QVERIFY(s != std::uint8_t(PageState::Dirty) && s != std::uint8_t(PageState::Missing)
            && s != std::uint8_t(PageState::Clean));
    }
}

void TestMigration::workloadsKeepMemoryEqual_data()
{
    QTest::addColumn<QString>("strategy");
    QTest::addColumn<QString>("workload");
    QTest::addColumn<qint64>("xbzrleCache");
    for (const char *w : {"rewrite", "overrun", "idle"}) {
        for (const char *strategy : {"precopy", "postcopy", "postcopy,single"}) {
            QTest::addRow("%s, %s", strategy, w)
                << QString::fromLatin1(strategy) << QString::fromLatin1(w) << qint64(0);
        }
    }
    QTest::newRow("precopy, rewrite, deltas") << "precopy"
                                              << "rewrite" << 4 * kMiB;
    for (const char *strategy : {"precopy", "postcopy", "stopcopy"})
        QTest::addRow("%s, toyos", strategy) << QString::fromLatin1(strategy) << "toyos" << qint64(0);
}

void TestMigration::workloadsKeepMemoryEqual()
{
    // Every workload, either strategy: the destination's memory is the source's at the pause.
    QFETCH(QString, strategy);
    QFETCH(QString, workload);
    QFETCH(qint64, xbzrleCache);
    QVariantMap params {{QStringLiteral("workload"), workload}, {QStringLiteral("dirty_rate"), 3000},
        {QStringLiteral("bandwidth"), 400e6}, {QStringLiteral("max_rounds"), 4},
        {QStringLiteral("downtime_limit_ms"), 1}};
    strategy = splitPreempt(strategy, &params);
    params.insert(QStringLiteral("strategy"), strategy);
    if (xbzrleCache > 0)
        params.insert(QStringLiteral("xbzrle_cache"), xbzrleCache);
    if (workload == QLatin1String("toyos")) // the toy guest's pages hold text and records around it
        params.insert(QStringLiteral("memory_content"), QStringLiteral("mixed"));
    const Result r = runMigration(params);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(str(r, "workload"), workload);
    QCOMPARE(str(r, "vm_location"), QStringLiteral("destination"));
    QVERIFY(r.summary.value(QStringLiteral("memory_equal")).toBool());
    QCOMPARE(str(r, "checksum_source"), str(r, "checksum_destination"));
    QVERIFY(num(r, "destination_requests") > 0);
    checkChannels(r, params);
    if (workload == QLatin1String("idle")) {
        // Nothing written: no page is dirty after round 0, so none is sent twice.
        QCOMPARE(num(r, "dirty_rate_pages_s"), 0.0);
        QCOMPARE(num(r, "pages_resent"), 0.0);
    }
    if (workload == QLatin1String("overrun")) {
        // Twice the pages the capped link carries.
        QCOMPARE(num(r, "dirty_rate_pages_s"), 2 * 400e6 / 8 / 4096);
    }
    if (workload == QLatin1String("toyos")) {
        // The toy guest went on where it stopped: its instruction count, saved in its state page
        // at the pause, grew on the destination, and so did its console.
        QCOMPARE(str(r, "memory_content"), QStringLiteral("mixed"));
        QVERIFY(num(r, "guest_instructions_source") > 0);
        QVERIFY2(num(r, "guest_instructions_destination") > num(r, "guest_instructions_source"),
            qPrintable(str(r, "guest_console_tail")));
        QCOMPARE(str(r, "guest_continued"), QStringLiteral("yes"));
        QVERIFY2(str(r, "guest_console_tail").contains(QStringLiteral("task ")),
            qPrintable(str(r, "guest_console_tail")));
    }
    if (strategy == QLatin1String("postcopy")) {
        QCOMPARE(num(r, "pages_resent"), 0.0);
        QVERIFY(num(r, "postcopy_wait_ms_p50") <= num(r, "postcopy_wait_ms_max"));
        QCOMPARE(num(r, "postcopy_wait_ms_max"), num(r, "fault_wait_max_ms"));
    }
}

void TestMigration::autoConvergeConvergesAnOverrun()
{
    // A guest that dirties pages twice as fast as the link carries them: pre-copy
    // converges only because the vCPU is throttled, in QEMU's steps.
    const auto eOwner = makeEngine<MigrationEngine>();
    const Result r
        = runMigration({{QStringLiteral("strategy"), QStringLiteral("precopy")},
                           {QStringLiteral("workload"), QStringLiteral("overrun")},
                           {QStringLiteral("auto_converge"), QStringLiteral("on")},
                           {QStringLiteral("memory"), 32 * kMiB}, {QStringLiteral("hot_set"), 4 * kMiB},
                           {QStringLiteral("bandwidth"), 400e6}, {QStringLiteral("downtime_limit_ms"), 20},
                           {QStringLiteral("max_rounds"), 30}, {QStringLiteral("max_total_factor"), 10}},
            eOwner.get());
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(str(r, "stop_reason"), QStringLiteral("converged"));
    QVERIFY(r.summary.value(QStringLiteral("memory_equal")).toBool());
    QVERIFY(r.summary.value(QStringLiteral("auto_converge")).toBool());
    const double maxPercent = num(r, "throttle_percent_max");
    QVERIFY(maxPercent >= migration::AutoConverge::kInitialPercent
        && maxPercent <= migration::AutoConverge::kMaxPercent);
    QVERIFY(r.summary.contains(QStringLiteral("response_median_throttled_ms")));
    // The table's throttle per round: 0 until the first step, then 20, then +10 at a time.
    const int column = int(r.table.columns.indexOf(QStringLiteral("throttle_percent")));
    QVERIFY(column >= 0);
    int previous = 0;
    int highest = 0;
    for (const QVariantList &row : r.table.rows) {
        const int percent = row.value(column).toInt();
        const bool same = percent == previous;
        const bool firstStep = previous == 0 && percent == migration::AutoConverge::kInitialPercent;
        const bool nextStep = previous > 0
            && percent
                == std::min(
                    migration::AutoConverge::kMaxPercent, previous + migration::AutoConverge::kStepPercent);
        // The stop-and-copy round runs paused: its throttle is reset.
        const bool last = row.value(1).toBool();
        QVERIFY2(same || firstStep || nextStep || (last && percent == 0),
            qPrintable(QStringLiteral("%1 after %2").arg(percent).arg(previous)));
        previous = percent;
        highest = std::max(highest, percent);
    }
    QCOMPARE(double(highest), maxPercent);
}

void TestMigration::preCopyStopRules_data()
{
    QTest::addColumn<double>("dirtyRate");
    QTest::addColumn<int>("maxRounds");
    QTest::addColumn<double>("factor");
    QTest::addColumn<int>("limitMs");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<int>("preRounds");
    // An idle VM: nothing is dirty after round 0.
    QTest::newRow("converged") << 0.0 << 30 << 3.0 << 300 << "converged" << 1;
    // 40000 uniform writes/s against a 1 ms limit never converge.
    QTest::newRow("max rounds") << 40000.0 << 3 << 100.0 << 1 << "max_rounds" << 3;
    QTest::newRow("max total") << 40000.0 << 100 << 1.5 << 1 << "max_total" << 1;
}

void TestMigration::preCopyStopRules()
{
    QFETCH(double, dirtyRate);
    QFETCH(int, maxRounds);
    QFETCH(double, factor);
    QFETCH(int, limitMs);
    QFETCH(QString, reason);
    QFETCH(int, preRounds);
    const Result r = runMigration({{QStringLiteral("strategy"), QStringLiteral("precopy")},
        {QStringLiteral("dirty_rate"), dirtyRate}, {QStringLiteral("hot_share"), 0},
        {QStringLiteral("bandwidth"), 200e6}, {QStringLiteral("max_rounds"), maxRounds},
        {QStringLiteral("max_total_factor"), factor}, {QStringLiteral("downtime_limit_ms"), limitMs}});
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(str(r, "stop_reason"), reason);
    QVERIFY(r.summary.value(QStringLiteral("memory_equal")).toBool());
    // The table: the pre-copy rounds, then one stop-and-copy row.
    QCOMPARE(int(r.table.rows.size()), preRounds + 1);
    for (int i = 0; i < preRounds; ++i)
        QCOMPARE(r.table.rows[i][1].toBool(), false);
    QCOMPARE(r.table.rows.back()[1].toBool(), true);
    // Pages sent add up: every row, and round 0 is the whole memory.
    double sum = 0;
    for (const auto &row : r.table.rows)
        sum += row[2].toDouble();
    QCOMPARE(sum, num(r, "pages_sent"));
    QCOMPARE(r.table.rows[0][2].toDouble(), num(r, "pages"));
    if (reason == QLatin1String("converged")) {
        QCOMPARE(num(r, "pages_resent"), 0.0);
    }
    if (reason == QLatin1String("max_total")) {
        // Stopped because one more round would pass 1.5 memories.
        QVERIFY(r.table.rows[0][3].toDouble() + num(r, "pages") > 1.5 * num(r, "pages"));
    }
    if (reason == QLatin1String("max_rounds")) {
        // The limit could not be met: the dirtied count stayed above 1 ms worth of pages.
        for (int i = 0; i < preRounds; ++i)
            QVERIFY(r.table.rows[i][3].toDouble() > 0.001 * 200e6 / 8 / 4096);
    }
}

void TestMigration::cutConnectionAbandons_data()
{
    QTest::addColumn<QString>("strategy");
    QTest::addColumn<QString>("cut");
    QTest::newRow("precopy handshake") << "precopy"
                                       << "handshake";
    QTest::newRow("precopy first pass") << "precopy"
                                        << "first_pass";
    QTest::newRow("precopy paused") << "precopy"
                                    << "paused";
    QTest::newRow("precopy after resume") << "precopy"
                                          << "after_resume";
    QTest::newRow("stopcopy paused") << "stopcopy"
                                     << "paused";
    QTest::newRow("postcopy paused") << "postcopy"
                                     << "paused";
    QTest::newRow("postcopy after resume") << "postcopy"
                                           << "after_resume";
    // Post-copy's urgent connection: the main one cut at the handshake (with the urgent one
    // not open yet), the urgent one cut at each phase; and post-copy on one connection.
    QTest::newRow("postcopy handshake") << "postcopy"
                                        << "handshake";
    QTest::newRow("postcopy handshake, urgent cut") << "postcopy"
                                                    << "handshake/urgent";
    QTest::newRow("postcopy paused, urgent cut") << "postcopy"
                                                 << "paused/urgent";
    QTest::newRow("postcopy after resume, urgent cut") << "postcopy"
                                                       << "after_resume/urgent";
    QTest::newRow("postcopy paused, one connection") << "postcopy,single"
                                                     << "paused";
    QTest::newRow("postcopy after resume, one connection") << "postcopy,single"
                                                           << "after_resume";
    // With compression: the cut comes between compressed batches; nothing half-applied is used.
    QTest::newRow("precopy first pass, zlib") << "precopy,zlib"
                                              << "first_pass";
    QTest::newRow("precopy paused, zlib") << "precopy,zlib"
                                          << "paused";
    QTest::newRow("stopcopy paused, zlib") << "stopcopy,zlib"
                                           << "paused";
    // With page channels: the main connection cut while the other channels send.
    QTest::newRow("precopy handshake, 2 channels") << "precopy,ch2"
                                                   << "handshake";
    QTest::newRow("precopy first pass, 3 channels") << "precopy,ch3"
                                                    << "first_pass";
    QTest::newRow("precopy paused, 2 channels") << "precopy,ch2"
                                                << "paused";
    QTest::newRow("precopy after resume, 2 channels") << "precopy,ch2"
                                                      << "after_resume";
    QTest::newRow("stopcopy paused, 4 channels, zlib") << "stopcopy,ch4,zlib"
                                                       << "paused";
}

void TestMigration::cutConnectionAbandons()
{
    QFETCH(QString, strategy);
    QFETCH(QString, cut);
    // "strategy,zlib": the same with compressed pages; "cut/urgent": the urgent connection is cut.
    const QString compress
        = strategy.contains(QLatin1String(",zlib")) ? QStringLiteral("zlib") : QStringLiteral("none");
    QVariantMap params {{QStringLiteral("dirty_rate"), 0}, {QStringLiteral("bandwidth"), 400e6},
        {QStringLiteral("after_ms"), 300}, {QStringLiteral("compress"), compress},
        {QStringLiteral("cut_at"), cut.section(QLatin1Char('/'), 0, 0)},
        {QStringLiteral("cut_channel"),
            cut.endsWith(QLatin1String("/urgent")) ? QStringLiteral("urgent") : QStringLiteral("main")}};
    params.insert(QStringLiteral("strategy"), splitPreempt(strategy, &params));
    // No writes: the source's memory must still be exactly what the guest was given.
    const Result r = runMigration(params);
    QVERIFY2(r.error.startsWith(QStringLiteral("migration abandoned")), qPrintable(r.error));
    QVERIFY2(r.error.contains(QStringLiteral("source")), qPrintable(r.error));
    QVERIFY(r.summary.value(QStringLiteral("abandoned")).toBool());
    QCOMPARE(str(r, "vm_location"), QStringLiteral("source"));
    QCOMPARE(str(r, "checksum_source_end"), hex64(migration::patternChecksum(4096, 5)));
    QVERIFY2(num(r, "requests_after_abandon") > 0, "the VM must go on serving on the source");
}

void TestMigration::destinationFailureAbandonsEveryChannel()
{
    // The destination fails while three connections carry pages: every channel's thread ends
    // on both sides, the source says why and keeps the VM.
    migration::NodeOptions options;
    options.failAfterPages = 1500;
    migration::MigrationNode node(options);
    QString error;
    QVERIFY2(node.start(&error), qPrintable(error));
    const Result r = runMigration(
        {{QStringLiteral("strategy"), QStringLiteral("precopy")}, {QStringLiteral("channels"), 3},
            {QStringLiteral("dirty_rate"), 0}, {QStringLiteral("bandwidth"), 400e6},
            {QStringLiteral("destination"), QStringLiteral("127.0.0.1:%1").arg(node.port())}});
    QVERIFY2(r.error.startsWith(QStringLiteral("migration abandoned")), qPrintable(r.error));
    QVERIFY2(r.error.contains(QStringLiteral("round 0")), qPrintable(r.error));
    QCOMPARE(str(r, "vm_location"), QStringLiteral("source"));
    QCOMPARE(str(r, "checksum_source_end"), hex64(migration::patternChecksum(4096, 5)));
    node.stop();
    const QString log = node.takeLog().join(QLatin1Char('\n'));
    QVERIFY2(log.contains(QStringLiteral("page channel 2 from")), qPrintable(log));
    QVERIFY2(log.contains(QStringLiteral("pages will come on 3 connections")), qPrintable(log));
    QVERIFY2(log.contains(QStringLiteral("simulated failure after")), qPrintable(log));
}

void TestMigration::destinationFailureAbandons()
{
    migration::NodeOptions options;
    options.failAfterPages = 1000;
    migration::MigrationNode node(options);
    QString error;
    QVERIFY2(node.start(&error), qPrintable(error));
    const Result r = runMigration({{QStringLiteral("strategy"), QStringLiteral("precopy")},
        {QStringLiteral("dirty_rate"), 0}, {QStringLiteral("bandwidth"), 400e6},
        {QStringLiteral("destination"), QStringLiteral("127.0.0.1:%1").arg(node.port())}});
    QVERIFY2(r.error.startsWith(QStringLiteral("migration abandoned")), qPrintable(r.error));
    QCOMPARE(str(r, "vm_location"), QStringLiteral("source"));
    QCOMPARE(str(r, "checksum_source_end"), hex64(migration::patternChecksum(4096, 5)));
    node.stop();
    const QString log = node.takeLog().join(QLatin1Char('\n'));
    QVERIFY2(log.contains(QStringLiteral("simulated failure after")), qPrintable(log));
}

void TestMigration::badDestinations_data()
{
    QTest::addColumn<QString>("destination");
    QTest::addColumn<QString>("message");
    QTest::newRow("not host:port") << "nohost"
                                   << "is not HOST:PORT";
    QTest::newRow("bad port") << "127.0.0.1:99999"
                              << "is not HOST:PORT";
    QTest::newRow("nobody listens") << QStringLiteral("127.0.0.1:%1").arg(freePort())
                                    << "cannot reach the destination";
}

void TestMigration::badDestinations()
{
    QFETCH(QString, destination);
    QFETCH(QString, message);
    const Result r
        = runMigration({{QStringLiteral("destination"), destination}, {QStringLiteral("warmup_ms"), 0}});
    QVERIFY2(r.error.contains(message), qPrintable(r.error));
    QVERIFY(!r.error.contains(QLatin1Char('\n')));
}

void TestMigration::nodeCommandLine()
{
    const std::uint16_t port = freePort();
    QString outText, errText;
    int status = -1;
    std::thread nodeThread([&] {
        QTextStream out(&outText), err(&errText);
        status = runMigrationNode(
            {QStringLiteral("--listen"), QString::number(port), QStringLiteral("--once")}, out, err);
    });
    // The node may take a moment to listen: the engine's connect fails fast, so retry a few times.
    Result r;
    for (int attempt = 0; attempt < 50; ++attempt) {
        r = runMigration({{QStringLiteral("strategy"), QStringLiteral("postcopy")},
            {QStringLiteral("dirty_rate"), 2000}, {QStringLiteral("warmup_ms"), 0},
            {QStringLiteral("destination"), QStringLiteral("127.0.0.1:%1").arg(port)}});
        if (!r.error.contains(QStringLiteral("cannot reach")))
            break;
        QTest::qWait(100);
    }
    nodeThread.join();
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QVERIFY(r.summary.value(QStringLiteral("memory_equal")).toBool());
    QCOMPARE(status, 0);
    QVERIFY2(outText.contains(QStringLiteral("post-copy")), qPrintable(outText));
    QVERIFY2(outText.contains(QStringLiteral(": equal")), qPrintable(outText));
    QVERIFY2(outText.contains(QStringLiteral("finished")), qPrintable(outText));
}

void TestMigration::nodeArgumentErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("nothing") << QStringList {} << "--listen PORT is required";
    QTest::newRow("no port") << QStringList {QStringLiteral("--listen")} << "needs a port";
    QTest::newRow("bad port") << QStringList {QStringLiteral("--listen"), QStringLiteral("x")}
                              << "needs a port";
    QTest::newRow("unknown") << QStringList {QStringLiteral("--listen"), QStringLiteral("0"),
        QStringLiteral("--fast")}
                             << "unknown option --fast";
    QTest::newRow("no memory cap") << QStringList {QStringLiteral("--listen"), QStringLiteral("0"),
        QStringLiteral("--max-memory"), QStringLiteral("0")}
                                   << "--max-memory needs the largest VM to accept in MiB, 1 to 262144";
    QTest::newRow("memory cap too big") << QStringList {QStringLiteral("--listen"), QStringLiteral("0"),
        QStringLiteral("--max-memory"), QStringLiteral("262145")}
                                        << "--max-memory needs the largest VM to accept in MiB, 1 to 262144";
    QTest::newRow("no sessions") << QStringList {QStringLiteral("--listen"), QStringLiteral("0"),
        QStringLiteral("--max-sessions"), QStringLiteral("0")}
                                 << "--max-sessions needs a count from 1 to 64";
}

void TestMigration::nodeArgumentErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    QString outText, errText;
    QTextStream out(&outText), err(&errText);
    QCOMPARE(runMigrationNode(args, out, err), 2);
    QVERIFY2(errText.contains(message), qPrintable(errText));
    QCOMPARE(errText.count(QLatin1Char('\n')), 1);
}

void TestMigration::registered()
{
    const auto &reg = EngineRegistry::builtin();
    QVERIFY(reg.find(QStringLiteral("migration")));
    QVERIFY(reg.find(QStringLiteral("migration-model")));
    QCOMPARE(reg.find(QStringLiteral("migration"))->info.provenance, Provenance::Measured);
    QCOMPARE(reg.find(QStringLiteral("migration-model"))->info.provenance, Provenance::Model);
}

void TestMigration::summaryKeysAreDeclared_data()
{
    QTest::addColumn<QVariantMap>("params");
    QTest::newRow("stopcopy") << QVariantMap {{QStringLiteral("strategy"), QStringLiteral("stopcopy")}};
    QTest::newRow("precopy, write faults")
        << QVariantMap {{QStringLiteral("strategy"), QStringLiteral("precopy")},
               {QStringLiteral("dirty_log"), QStringLiteral("write_faults")}};
    QTest::newRow("precopy, delta cache") << QVariantMap {
        {QStringLiteral("strategy"), QStringLiteral("precopy")}, {QStringLiteral("xbzrle_cache"), 4 * kMiB},
        {QStringLiteral("max_rounds"), 3}, {QStringLiteral("downtime_limit_ms"), 1}};
    QTest::newRow("precopy, zlib") << QVariantMap {{QStringLiteral("strategy"), QStringLiteral("precopy")},
        {QStringLiteral("compress"), QStringLiteral("zlib")}};
    QTest::newRow("postcopy") << QVariantMap {{QStringLiteral("strategy"), QStringLiteral("postcopy")}};
    QTest::newRow("precopy, overrun, auto-converge")
        << QVariantMap {{QStringLiteral("strategy"), QStringLiteral("precopy")},
               {QStringLiteral("workload"), QStringLiteral("overrun")}, {QStringLiteral("bandwidth"), 400e6},
               {QStringLiteral("auto_converge"), QStringLiteral("on")}, {QStringLiteral("max_rounds"), 4},
               {QStringLiteral("downtime_limit_ms"), 1}};
    QTest::newRow("precopy, toyos, mixed")
        << QVariantMap {{QStringLiteral("strategy"), QStringLiteral("precopy")},
               {QStringLiteral("workload"), QStringLiteral("toyos")},
               {QStringLiteral("memory_content"), QStringLiteral("mixed")},
               {QStringLiteral("compress"), QStringLiteral("zlib")}};
    QTest::newRow("postcopy, cut") << QVariantMap {{QStringLiteral("strategy"), QStringLiteral("postcopy")},
        {QStringLiteral("cut_at"), QStringLiteral("after_resume")}};
    QTest::newRow("postcopy, one connection")
        << QVariantMap {{QStringLiteral("strategy"), QStringLiteral("postcopy")},
               {QStringLiteral("postcopy_preempt"), QStringLiteral("off")}};
}

void TestMigration::summaryKeysAreDeclared()
{
    // A short run's every summary key is one the engine declares (lessons are checked against them).
    QFETCH(QVariantMap, params);
    params.insert(QStringLiteral("warmup_ms"), 100);
    params.insert(QStringLiteral("after_ms"), 100);
    params.insert(QStringLiteral("dirty_rate"), 2000);
    const auto eOwner = makeEngine<MigrationEngine>();
    const Result r = runMigration(params, eOwner.get());
    QVERIFY(r.summary.size() > 20);
    const std::vector<OutputSpec> outputs = eOwner->outputs();
    for (auto it = r.summary.begin(); it != r.summary.end(); ++it)
        QVERIFY2(outputsContain(outputs, it.key()), qPrintable(it.key()));
    // The run's own parameters, as numbers (the views read them, never the formatted text).
    if (params.value(QStringLiteral("workload")) == QLatin1String("toyos")) {
        for (const char *key : {"guest_instructions_source", "guest_instructions_destination",
                 "guest_console_at_pause", "guest_console_tail", "guest_continued"})
            QVERIFY2(r.summary.contains(QLatin1String(key)), key);
    }
    if (!params.contains(QStringLiteral("workload"))) {
        QCOMPARE(num(r, "dirty_rate_pages_s"), 2000.0);
        QCOMPARE(num(r, "bandwidth_cap_mbit_s"), 0.0);
    }
}

void TestMigration::modelSummaryKeysAreDeclared()
{
    const auto eOwner = makeEngine<MigrationModelEngine>();
    QVERIFY(eOwner->configure({{QStringLiteral("sweep_points"), 3}}));
    const Result r = runToCompletion(*eOwner, std::chrono::seconds(10));
    QVERIFY(r.summary.size() >= 15);
    for (auto it = r.summary.begin(); it != r.summary.end(); ++it)
        QVERIFY2(outputsContain(eOwner->outputs(), it.key()), qPrintable(it.key()));
    // Series carry stable ids, one per strategy and chart.
    QStringList ids;
    for (const Series &series : r.series)
        ids << series.id;
    QCOMPARE(ids,
        (QStringList {QStringLiteral("stopcopy_downtime"), QStringLiteral("precopy_downtime"),
            QStringLiteral("postcopy_downtime"), QStringLiteral("stopcopy_total"),
            QStringLiteral("precopy_total"), QStringLiteral("postcopy_total")}));
}

void TestMigration::configureRefusesConflicts_data()
{
    QTest::addColumn<QVariantMap>("params");
    QTest::addColumn<QString>("message");
    QTest::newRow("hot set larger than memory") << QVariantMap {{QStringLiteral("memory"), 16 * kMiB},
        {QStringLiteral("hot_set"), 32 * kMiB}} << "hot_set (32MiB) is larger than memory (16MiB)";
    QTest::newRow("destination without a port")
        << QVariantMap {{QStringLiteral("destination"), QStringLiteral("somehost")}}
        << "destination \"somehost\" is not HOST:PORT";
    QTest::newRow("urgent cut without an urgent connection")
        << QVariantMap {{QStringLiteral("strategy"), QStringLiteral("postcopy")},
               {QStringLiteral("postcopy_preempt"), QStringLiteral("off")},
               {QStringLiteral("cut_channel"), QStringLiteral("urgent")}}
        << "cut_channel=urgent needs strategy=postcopy with postcopy_preempt=on (only that migration has an "
           "urgent connection)";
    QTest::newRow("page channels with post-copy")
        << QVariantMap {{QStringLiteral("strategy"), QStringLiteral("postcopy")},
               {QStringLiteral("channels"), 2}}
        << "channels=2 needs strategy=precopy or stopcopy: post-copy sends its pages on one connection (and "
           "its urgent requests on another with postcopy_preempt=on)";
}

void TestMigration::configureRefusesConflicts()
{
    QFETCH(QVariantMap, params);
    QFETCH(QString, message);
    const auto eOwner = makeEngine<MigrationEngine>();
    QString error;
    QVERIFY(!eOwner->configure(params, &error));
    QCOMPARE(error, message);
    // The same values one by one are fine: the check is of the combination (or the form).
    QVERIFY(eOwner->configure({}, &error));
}

QTEST_APPLESS_MAIN(TestMigration)
void TestMigration::snapshotHashIsTheMemoryAtTheStart()
{
    // A vCPU writes pages (last to first, meeting the background hasher coming
    // the other way) while the memory is hashed: the checksum must still be
    // that of the memory at start(), computed here a second way from the pattern.
    using namespace proclab::migration;
    constexpr std::size_t pages = 4096;
    constexpr std::uint64_t seed = 77;
    PageMemory memory;
    QString error;
    QVERIFY2(memory.allocate(pages, &error), qPrintable(error));
    memory.fillPattern(seed);
    SnapshotHasher hasher(memory);
    std::atomic<bool> doneCalled {false};
    hasher.start([&] { doneCalled = true; });
    for (std::size_t p = pages; p-- > 0;) {
        hasher.beforeWrite(p);
        auto *w = reinterpret_cast<std::uint64_t *>(memory.page(p));
        std::atomic_ref<std::uint64_t>(w[p % 512]).store(~std::uint64_t(p), std::memory_order_relaxed);
    }
    QTRY_VERIFY_WITH_TIMEOUT(doneCalled.load(), 10000);
    QVERIFY(hasher.done());
    hasher.stop();
    QCOMPARE(hasher.checksum(), patternChecksum(pages, seed));
    QVERIFY(memoryChecksum(memory) != patternChecksum(pages, seed)); // the writes did land
    QVERIFY(hasher.hashedByVcpu() <= pages);
}

void TestMigration::writeFaultsLogEachPageOnce()
{
    using namespace proclab::migration;
    constexpr std::size_t pages = 64;
    PageMemory memory;
    QString error;
    QVERIFY2(memory.allocate(pages, &error), qPrintable(error));
    PageBitmap bitmap(pages);
    WriteFaultLog log;
    QVERIFY2(log.attach(memory, &bitmap, &error), qPrintable(error));
    WriteFaultLog second;
    QVERIFY(!second.attach(memory, &bitmap, &error)); // one log per process
    QVERIFY(error.contains(QLatin1String("already")));

    auto write = [&](std::size_t page, std::size_t word, std::uint64_t v) {
        std::atomic_ref<std::uint64_t>(reinterpret_cast<std::uint64_t *>(memory.page(page))[word])
            .store(v, std::memory_order_relaxed);
    };
    // Three writes to page 3, one to page 40: two faults, two pages logged.
    write(3, 0, 1);
    write(3, 1, 2);
    write(3, 2, 3);
    write(40, 7, 4);
    QCOMPARE(log.faults(), std::uint64_t(2));
    std::vector<std::uint32_t> dirty;
    log.harvest(&dirty);
    QCOMPARE(dirty, (std::vector<std::uint32_t> {3, 40}));
    QCOMPARE(reinterpret_cast<std::uint64_t *>(memory.page(3))[2], std::uint64_t(3)); // the writes landed
    // Harvested pages are protected again: the next write faults and is logged.
    write(40, 8, 5);
    QCOMPARE(log.faults(), std::uint64_t(3));
    dirty.clear();
    log.harvest(&dirty);
    QCOMPARE(dirty, std::vector<std::uint32_t> {40});
    log.detach();
    write(5, 0, 6); // writable again, nothing logged
    QCOMPARE(log.faults(), std::uint64_t(3));
    QCOMPARE(bitmap.count(), std::size_t(0));
}

void TestMigration::strayFaultStillCrashes_data()
{
    QTest::addColumn<QString>("mode");
    QTest::newRow("a write outside the logged memory") << QString();
    QTest::newRow("a fault while the log's lock is held") << QStringLiteral("nested");
}

void TestMigration::strayFaultStillCrashes()
{
    // In a plain helper program (QtTest's crash handler would take the fault
    // here): a logged write is handled; a write to a PROT_NONE page elsewhere,
    // or a fault inside the log's own locked code, still ends the process the
    // way it would without the log, and promptly.
    QFETCH(QString, mode);
    const QByteArray arg = mode.toLatin1();
    const pid_t child = ::fork();
    QVERIFY(child >= 0);
    if (child == 0) {
        ::execl(PROCLAB_WRITEFAULT_CHILD, PROCLAB_WRITEFAULT_CHILD, arg.isEmpty() ? nullptr : arg.constData(),
            static_cast<char *>(nullptr));
        ::_exit(127);
    }
    int status = 0;
    QElapsedTimer waited;
    waited.start();
    pid_t done = 0;
    while ((done = ::waitpid(child, &status, WNOHANG)) == 0 && waited.elapsed() < 20000)
        QTest::qSleep(20);
    if (done == 0) {
        ::kill(child, SIGKILL);
        ::waitpid(child, &status, 0);
        QFAIL("the helper hung after its fault (a handler waiting for itself)");
    }
    QCOMPARE(done, child);
    const QString how = WIFSIGNALED(status) ? QStringLiteral("killed by signal %1").arg(WTERMSIG(status))
                                            : QStringLiteral("exit code %1 (3 setup, 4 write not logged, "
                                                             "5 stray write survived, 127 no helper)")
                                                  .arg(WEXITSTATUS(status));
#if defined(__SANITIZE_THREAD__)
    // Under ThreadSanitizer the handler there before is the sanitizer's: it
    // reports the crash and exits with its error code (66 by default).
    QVERIFY2(WIFEXITED(status) && WEXITSTATUS(status) == 66, qPrintable(how));
#elif defined(PROCLAB_TEST_ASAN)
    // Under AddressSanitizer its SEGV handler was there before: it reports the stray write
    // ("SEGV on unknown address") and exits with its error code, 1 by default, which none
    // of the helper's own codes (3, 4, 5, 127) is.
    QVERIFY2(WIFEXITED(status) && WEXITSTATUS(status) == 1, qPrintable(how));
#else
    QVERIFY2(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV, qPrintable(how));
#endif
}

void TestMigration::handlerRemovedOnDetach()
{
    using namespace proclab::migration;
    struct sigaction before { };
    QCOMPARE(::sigaction(SIGSEGV, nullptr, &before), 0);
    PageMemory memory;
    PageBitmap bitmap(4);
    QString error;
    QVERIFY2(memory.allocate(4, &error), qPrintable(error));
    {
        WriteFaultLog log;
        QVERIFY2(log.attach(memory, &bitmap, &error), qPrintable(error));
        struct sigaction during { };
        QCOMPARE(::sigaction(SIGSEGV, nullptr, &during), 0);
        QVERIFY(during.sa_sigaction != before.sa_sigaction);
        QVERIFY(during.sa_flags & SA_ONSTACK);
        QVERIFY(!(during.sa_flags & SA_NODEFER));
        log.detach();
    }
    struct sigaction after { };
    QCOMPARE(::sigaction(SIGSEGV, nullptr, &after), 0);
    QVERIFY(after.sa_sigaction == before.sa_sigaction);
    QCOMPARE(after.sa_flags, before.sa_flags);
}

#include "tst_migration.moc"
