// What a ctxswitch run will measure: the typed configuration, the fork sizes, the
// working-set sweep and this machine's cache sizes.

#include "ctxswitch/cachelevelinfo.h"
#include "ctxswitch/ctxswitchconfig.h"
#include "ctxswitch/ctxswitchengine.h"
#include "ctxswitch/indirectmeasurement.h"

#include <QTest>

using namespace proclab;

class TestCtxSwitchPlan : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void configDefaults();
    void configParts();
    void configRefusesUnknownChoices();
    void forkTouchSizes_data();
    void forkTouchSizes();
    void sweepSizes();
    void automaticSweep();
    void peakRegion();
    void automaticRepetitions();
    void sysfsSizes();
    void cacheLevelsOfThisMachine();
};

namespace {

std::optional<CtxSwitchConfig> configOf(const QVariantMap &overrides, QString *error = nullptr)
{
    const auto e = makeEngine<CtxSwitchEngine>();
    ParamValues values;
    if (!e->schema().resolve(overrides, &values, error))
        return std::nullopt;
    return CtxSwitchConfig::fromParams(values, error);
}

} // namespace

void TestCtxSwitchPlan::configDefaults()
{
    const auto c = configOf({});
    QVERIFY(c);
    QVERIFY(c->measureSwitches && c->measureCreation && c->measureIndirect);
    QVERIFY(c->pipe && c->futex);
    QVERIFY(c->sameCpu);
    QCOMPARE(c->roundTrips, 3000);
    QCOMPARE(c->forkTouchBytes, qint64(256) << 20);
    QCOMPARE(c->indirectMaxBytes, qint64(0));
}

void TestCtxSwitchPlan::configParts()
{
    const auto c = configOf({{QStringLiteral("parts"), QStringLiteral("switch")},
        {QStringLiteral("mechanism"), QStringLiteral("futex")},
        {QStringLiteral("placement"), QStringLiteral("different_cpus")},
        {QStringLiteral("indirect_max"), QStringLiteral("64KiB")}, {QStringLiteral("seed"), 17}});
    QVERIFY(c);
    QVERIFY(c->measureSwitches);
    QVERIFY(!c->measureCreation);
    QVERIFY(!c->measureIndirect);
    QVERIFY(!c->pipe);
    QVERIFY(c->futex);
    QVERIFY(!c->sameCpu);
    QCOMPARE(c->indirectMaxBytes, qint64(64) * 1024);
    QCOMPARE(c->seed, std::uint64_t(17));
}

void TestCtxSwitchPlan::configRefusesUnknownChoices()
{
    // The schema refuses these first; the typed configuration does not trust it blindly.
    const auto e = makeEngine<CtxSwitchEngine>();
    ParamValues values = e->schema().defaults();
    values.insert(QStringLiteral("mechanism"), QStringLiteral("semaphore"));
    QString error;
    QVERIFY(!CtxSwitchConfig::fromParams(values, &error));
    QCOMPARE(error, QStringLiteral("parameter 'mechanism': 'semaphore' is not one of both, pipe, futex"));
    QVERIFY(!e->configure({{QStringLiteral("parts"), QStringLiteral("everything")}}, &error));
    QVERIFY2(error.contains(QStringLiteral("parts")), qPrintable(error));
}

void TestCtxSwitchPlan::forkTouchSizes_data()
{
    QTest::addColumn<QString>("forkTouch");
    QTest::addColumn<QList<qint64>>("sizes");
    const qint64 mib = qint64(1) << 20;
    QTest::newRow("skip") << QStringLiteral("0") << QList<qint64> {};
    QTest::newRow("4MiB") << QStringLiteral("4MiB") << QList<qint64> {4 * mib};
    QTest::newRow("64MiB") << QStringLiteral("64MiB") << QList<qint64> {64 * mib};
    QTest::newRow("256MiB") << QStringLiteral("256MiB") << QList<qint64> {64 * mib, 256 * mib};
}

void TestCtxSwitchPlan::forkTouchSizes()
{
    QFETCH(QString, forkTouch);
    QFETCH(QList<qint64>, sizes);
    const auto c = configOf({{QStringLiteral("fork_touch"), forkTouch}});
    QVERIFY(c);
    const std::vector<qint64> got = c->forkTouchSizes();
    QCOMPARE(QList<qint64>(got.begin(), got.end()), sizes);
}

void TestCtxSwitchPlan::sweepSizes()
{
    const qint64 k = 1024;
    const std::vector<qint64> sweep = IndirectMeasurement::sweepSizes(64 * k);
    QCOMPARE(QList<qint64>(sweep.begin(), sweep.end()),
        (QList<qint64> {4 * k, 6 * k, 8 * k, 12 * k, 16 * k, 24 * k, 32 * k, 48 * k, 64 * k}));
    // Not a power of two: the last midpoint that fits.
    const std::vector<qint64> odd = IndirectMeasurement::sweepSizes(50 * k);
    QCOMPARE(odd.back(), 48 * k);
    // Below 4 KiB: one working set, never smaller than two lines.
    QCOMPARE(IndirectMeasurement::sweepSizes(3000), std::vector<qint64> {3000});
    QCOMPARE(IndirectMeasurement::sweepSizes(100), std::vector<qint64> {128});
}

void TestCtxSwitchPlan::automaticSweep()
{
    const qint64 mib = qint64(1) << 20;
    QString note;
    // Twice a 512 KiB last level: 1 MiB, and the note names the cache found.
    QCOMPARE(IndirectMeasurement::automaticMaxBytes(
                 {{1, QStringLiteral("Data"), 48 * 1024}, {2, QStringLiteral("Unified"), mib / 2}}, &note),
        mib);
    QVERIFY2(note.contains(QStringLiteral("512KiB")), qPrintable(note));
    // A 32 MiB last level: the sweep passes it (64 MiB).
    QCOMPARE(
        IndirectMeasurement::automaticMaxBytes({{3, QStringLiteral("Unified"), 32 * mib}}, &note), 64 * mib);
    QVERIFY(64 * mib > IndirectMeasurement::lastLevelBytes({{3, QStringLiteral("Unified"), 32 * mib}}));
    // A 256 MiB last level would ask for 512 MiB: capped, and the note says so.
    QCOMPARE(IndirectMeasurement::automaticMaxBytes({{3, QStringLiteral("Unified"), 256 * mib}}, &note),
        IndirectMeasurement::kAutoMaxBytes);
    QVERIFY2(note.contains(QStringLiteral("128MiB")) && note.contains(QStringLiteral("indirect_max")),
        qPrintable(note));
    // No cache known: a fixed end, said so.
    note.clear();
    QCOMPARE(IndirectMeasurement::automaticMaxBytes({}, &note), IndirectMeasurement::kUnknownCacheMaxBytes);
    QVERIFY2(note.contains(QStringLiteral("no cache")), qPrintable(note));
}

void TestCtxSwitchPlan::peakRegion()
{
    const qint64 k = 1024;
    const std::vector<CacheLevelInfo> caches {{1, QStringLiteral("Data"), 32 * k},
        {2, QStringLiteral("Unified"), 1024 * k}, {3, QStringLiteral("Unified"), 8192 * k}};
    QCOMPARE(IndirectMeasurement::peakRegion(8 * k, 16384 * k, caches), 0);
    QCOMPARE(IndirectMeasurement::peakRegion(16 * k, 16384 * k, caches), 0);
    QCOMPARE(IndirectMeasurement::peakRegion(24 * k, 16384 * k, caches), 1);
    QCOMPARE(IndirectMeasurement::peakRegion(6144 * k, 16384 * k, caches), 1);
    // The sweep's end, past the last level.
    QCOMPARE(IndirectMeasurement::peakRegion(16384 * k, 16384 * k, caches), 2);
    // A sweep cut short below the last level: its end is still "near a cache level".
    QCOMPARE(IndirectMeasurement::peakRegion(4096 * k, 4096 * k, caches), 1);
    QCOMPARE(IndirectMeasurement::peakRegion(4096 * k, 4096 * k, {}), -1);
}

void TestCtxSwitchPlan::automaticRepetitions()
{
    QCOMPARE(IndirectMeasurement::automaticRepetitions(4096), 101);
    QCOMPARE(IndirectMeasurement::automaticRepetitions(qint64(4) << 20), 5);
    QCOMPARE(IndirectMeasurement::automaticRepetitions(128), 101);
    // About the same number of lines walked per point: fewer walks for larger sets.
    int previous = 1000;
    for (qint64 w : IndirectMeasurement::sweepSizes(qint64(4) << 20)) {
        const int reps = IndirectMeasurement::automaticRepetitions(w);
        QVERIFY(reps <= previous);
        QVERIFY(reps >= 5 && reps <= 101);
        previous = reps;
    }
}

void TestCtxSwitchPlan::sysfsSizes()
{
    QCOMPARE(parseSysfsCacheSize(QStringLiteral("48K")), qint64(48) * 1024);
    QCOMPARE(parseSysfsCacheSize(QStringLiteral("32M\n")), qint64(32) << 20);
    QCOMPARE(parseSysfsCacheSize(QStringLiteral("512")), qint64(512));
    QCOMPARE(parseSysfsCacheSize(QStringLiteral("lots")), qint64(0));
    QCOMPARE(parseSysfsCacheSize(QString()), qint64(0));
}

void TestCtxSwitchPlan::cacheLevelsOfThisMachine()
{
    QString source;
    const std::vector<CacheLevelInfo> levels = readCacheLevels(&source);
    QVERIFY(!source.isEmpty());
    for (const auto &c : levels) {
        QVERIFY(c.level >= 1);
        QVERIFY(c.sizeBytes > 0);
        QVERIFY(c.type != QLatin1String("Instruction"));
    }
}

QTEST_APPLESS_MAIN(TestCtxSwitchPlan)
#include "tst_ctxswitchplan.moc"
