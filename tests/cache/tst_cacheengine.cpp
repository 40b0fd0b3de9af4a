// The cache engine's typed configuration and declared outputs.

#include "cache/cacheconfig.h"
#include "cache/cacheengine.h"

#include <QFile>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace proclab;

class TestCacheEngine : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void configRefusesBadGeometry_data();
    void configRefusesBadGeometry();
    void configConvertsValues();
    void everySummaryKeyIsDeclared_data();
    void everySummaryKeyIsDeclared();
    void outputsAreUnique();
};

void TestCacheEngine::configRefusesBadGeometry_data()
{
    QTest::addColumn<QVariantMap>("overrides");
    QTest::addColumn<QString>("message");
    QTest::newRow("size") << QVariantMap {{QStringLiteral("size"), 1000}}
                          << QStringLiteral("parameter 'size': cache size 1000 B is not a power of two");
    QTest::newRow("line") << QVariantMap {{QStringLiteral("line"), 48}}
                          << QStringLiteral("parameter 'line': line size 48 B is not a power of two");
    QTest::newRow("ways") << QVariantMap {{QStringLiteral("ways"), 3}}
                          << QStringLiteral("parameter 'ways': associativity 3 is not a power of two");
    QTest::newRow("line larger than the cache")
        << QVariantMap {{QStringLiteral("size"), 64}, {QStringLiteral("line"), 128}}
        << QStringLiteral("parameters 'size', 'line': cache size 64 B is smaller than one line of 128 B");
    QTest::newRow("more ways than lines")
        << QVariantMap {{QStringLiteral("ways"), 32}}
        << QStringLiteral(
               "parameters 'ways', 'size', 'line': associativity 32 is more than the 16 lines of the cache");
}

void TestCacheEngine::configRefusesBadGeometry()
{
    QFETCH(QVariantMap, overrides);
    QFETCH(QString, message);
    const auto e = makeEngine<CacheEngine>();
    QString error;
    QVERIFY(!e->configure(overrides, &error));
    QCOMPARE(error, message);
    // Refused in configure(): the engine keeps its previous (default) parameters.
    QVERIFY(e->parameters().isEmpty());
    // The same values go straight through the typed configuration as well.
    ParamValues values;
    QVERIFY(e->schema().resolve(overrides, &values, nullptr));
    QString direct;
    QVERIFY(!CacheConfig::fromParams(values, &direct));
    QCOMPARE(direct, message);
}

void TestCacheEngine::configConvertsValues()
{
    const auto e = makeEngine<CacheEngine>();
    ParamValues values;
    QVERIFY(e->schema().resolve(
        {{QStringLiteral("size"), QStringLiteral("2KiB")}, {QStringLiteral("ways"), 8},
            {QStringLiteral("replacement"), QStringLiteral("fifo")},
            {QStringLiteral("trace"), QStringLiteral("  /tmp/x.din ")}, {QStringLiteral("max_accesses"), 99}},
        &values, nullptr));
    const auto c = CacheConfig::fromParams(values, nullptr);
    QVERIFY(c);
    QCOMPARE(c->geometry.sizeBytes, std::uint64_t(2048));
    QCOMPARE(c->geometry.lineBytes, 64u);
    QCOMPARE(c->geometry.ways, 8u);
    QCOMPARE(c->geometry.replacement, Replacement::Fifo);
    QCOMPARE(c->geometry.sets(), 4u);
    QCOMPARE(c->tracePath, QStringLiteral("/tmp/x.din"));
    QVERIFY(!c->isScenario());
    QCOMPARE(c->maxAccesses, qint64(99));
    QCOMPARE(c->aBytes, std::uint64_t(1024));
    QCOMPARE(c->bBytes, std::uint64_t(512));
}

void TestCacheEngine::everySummaryKeyIsDeclared_data()
{
    QTest::addColumn<bool>("trace");
    QTest::addColumn<QString>("replacement");
    QTest::newRow("scenario") << false << QStringLiteral("lru");
    QTest::newRow("trace with flushes and 16 processes") << true << QStringLiteral("random");
}

void TestCacheEngine::everySummaryKeyIsDeclared()
{
    QFETCH(bool, trace);
    QFETCH(QString, replacement);
    QTemporaryDir dir;
    QVariantMap overrides {{QStringLiteral("replacement"), replacement}};
    if (trace) {
        QByteArray text = "# every process, a flush in the middle\n";
        for (int i = 0; i < 400; ++i) {
            text += QByteArray::number(i % 3) + ' ' + QByteArray::number(i * 24, 16) + ' '
                + QByteArray::number(i % 16) + '\n';
            if (i == 200)
                text += "4\n";
        }
        const QString path = dir.filePath(QStringLiteral("all.din"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(text);
        f.close();
        overrides.insert(QStringLiteral("trace"), path);
    }
    const auto e = makeEngine<CacheEngine>();
    QString error;
    QVERIFY2(e->configure(overrides, &error), qPrintable(error));
    const Result r = runToCompletion(*e, std::chrono::seconds(60));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    const std::vector<OutputSpec> outputs = e->outputs();
    QVERIFY(r.summary.size() > 10);
    for (auto it = r.summary.begin(); it != r.summary.end(); ++it)
        QVERIFY2(
            outputsContain(outputs, it.key()), qPrintable(QStringLiteral("undeclared key: ") + it.key()));
    if (trace) {
        QCOMPARE(r.summary.value(QStringLiteral("trace_lines")).toDouble(), 402.0);
        QVERIFY(r.summary.contains(QStringLiteral("p15_misses")));
    } else {
        QVERIFY(r.summary.contains(QStringLiteral("b_evicted")));
    }
    // Series carry ids for the views; the names stay English for CSV.
    QCOMPARE(r.series.size(), std::size_t(2));
    QCOMPARE(r.series[0].id, QStringLiteral("hit_rate"));
    QCOMPARE(r.series[1].id, QStringLiteral("misses_per_set"));
}

void TestCacheEngine::outputsAreUnique()
{
    const auto e = makeEngine<CacheEngine>();
    QSet<QString> keys;
    for (const OutputSpec &o : e->outputs()) {
        QVERIFY2(!keys.contains(o.key), qPrintable(o.key));
        keys.insert(o.key);
        QVERIFY2(!o.help.isEmpty(), qPrintable(o.key));
    }
    QVERIFY(keys.contains(QStringLiteral("refill_misses")));
}

QTEST_APPLESS_MAIN(TestCacheEngine)
#include "tst_cacheengine.moc"
