#include "engine/parameter.h"

#include <QTest>

#include <limits>

using namespace proclab;

class TestParameter : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void bytes_data();
    void bytes();
    void bitRates_data();
    void bitRates();
    void formatRoundTrips();
    void validation_data();
    void validation();
    void resolveKeepsDefaults();
    void unknownNameListsKnownOnes();
    void numbersNoIntegerHoldsAreRefused();
};

static ParamSchema sampleSchema()
{
    return ParamSchema {
        ParamSpec::integer(QStringLiteral("threads"), QStringLiteral("Threads"), 4, 1, 32,
            QStringLiteral("threads"), QStringLiteral("worker threads")),
        ParamSpec::real(QStringLiteral("ratio"), QStringLiteral("Ratio"), 0.5, 0, 1, {}, {}),
        ParamSpec::boolean(QStringLiteral("pin"), QStringLiteral("Pin"), true, {}),
        ParamSpec::choice(QStringLiteral("policy"), QStringLiteral("Policy"), QStringLiteral("lru"),
            {QStringLiteral("lru"), QStringLiteral("fifo")}, {}),
        ParamSpec::bytes(
            QStringLiteral("memory"), QStringLiteral("Memory"), 16 << 20, 16 << 20, 2LL << 30, {}),
        ParamSpec::bitRate(QStringLiteral("bandwidth"), QStringLiteral("Bandwidth"), 1e9, 0, 1e11, {}),
    };
}

void TestParameter::bytes_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("expected");
    QTest::newRow("plain") << "4096" << qint64(4096);
    QTest::newRow("KiB") << "64KiB" << qint64(65536);
    QTest::newRow("MiB spaced") << "512 MiB" << qint64(512) * 1024 * 1024;
    QTest::newRow("GiB fraction") << "1.5GiB" << qint64(3) * 512 * 1024 * 1024;
    QTest::newRow("decimal MB") << "2MB" << qint64(2000000);
    QTest::newRow("lower case") << "8kib" << qint64(8192);
}

void TestParameter::bytes()
{
    QFETCH(QString, text);
    QFETCH(qint64, expected);
    const auto v = parseBytes(text);
    QVERIFY(v.has_value());
    QCOMPARE(*v, expected);
    QVERIFY(!parseBytes(QStringLiteral("12 apples")).has_value());
    QVERIFY(!parseBytes(QString()).has_value());
}

void TestParameter::bitRates_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<double>("expected");
    QTest::newRow("Gbit") << "1Gbit" << 1e9;
    QTest::newRow("Mbit/s") << "100Mbit/s" << 1e8;
    QTest::newRow("Mbps") << "100Mbps" << 1e8;
    QTest::newRow("bytes per second") << "125MB/s" << 1e9;
    QTest::newRow("zero means uncapped") << "0" << 0.0;
}

void TestParameter::bitRates()
{
    QFETCH(QString, text);
    QFETCH(double, expected);
    const auto v = parseBitRate(text);
    QVERIFY(v.has_value());
    QCOMPARE(*v, expected);
}

void TestParameter::formatRoundTrips()
{
    for (qint64 b : {qint64(4096), qint64(16) << 20, qint64(2) << 30, qint64(1536)}) {
        const auto back = parseBytes(formatBytes(b));
        QVERIFY(back.has_value());
        QCOMPARE(*back, b);
    }
    for (double r : {1e9, 2.5e8, 1e3}) {
        const auto back = parseBitRate(formatBitRate(r));
        QVERIFY(back.has_value());
        QCOMPARE(*back, r);
    }
}

void TestParameter::validation_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("errorPart");
    QTest::newRow("int ok") << "threads"
                            << "8" << true << "";
    QTest::newRow("int too big") << "threads"
                                 << "33" << false << "out of range (allowed: 1..32 threads)";
    QTest::newRow("int not a number") << "threads"
                                      << "many" << false << "value 'many' is not allowed";
    QTest::newRow("int fractional") << "threads"
                                    << "2.5" << false << "not allowed";
    QTest::newRow("real ok") << "ratio"
                             << "0.25" << true << "";
    QTest::newRow("real below") << "ratio"
                                << "-0.1" << false << "out of range (allowed: 0..1)";
    QTest::newRow("bool") << "pin"
                          << "off" << true << "";
    QTest::newRow("bool bad") << "pin"
                              << "maybe" << false << "true or false";
    QTest::newRow("choice") << "policy"
                            << "fifo" << true << "";
    QTest::newRow("choice bad") << "policy"
                                << "mru" << false << "one of lru, fifo";
    QTest::newRow("bytes") << "memory"
                           << "512MiB" << true << "";
    QTest::newRow("bytes too small") << "memory"
                                     << "1MiB" << false << "allowed: 16MiB..2GiB";
    QTest::newRow("rate") << "bandwidth"
                          << "1Gbit" << true << "";
    QTest::newRow("rate too high") << "bandwidth"
                                   << "1Tbit" << false << "not allowed";
}

void TestParameter::validation()
{
    QFETCH(QString, name);
    QFETCH(QString, text);
    QFETCH(bool, ok);
    QFETCH(QString, errorPart);
    const ParamSchema schema = sampleSchema();
    QString error;
    const QVariant v = schema.validate(name, text, &error);
    QCOMPARE(v.isValid(), ok);
    if (!ok) {
        QVERIFY2(error.contains(errorPart), qPrintable(error));
        // One line that names the parameter and the value.
        QVERIFY(error.contains(QLatin1Char('\'') + name + QLatin1Char('\'')));
        QVERIFY(error.contains(text));
        QVERIFY(!error.contains(QLatin1Char('\n')));
    }
}

void TestParameter::resolveKeepsDefaults()
{
    const ParamSchema schema = sampleSchema();
    ParamValues v;
    QString error;
    QVERIFY(schema.resolve({{QStringLiteral("threads"), QStringLiteral("16")},
                               {QStringLiteral("memory"), QStringLiteral("1GiB")}},
        &v, &error));
    QCOMPARE(v.value(QStringLiteral("threads")).toLongLong(), 16);
    QCOMPARE(v.value(QStringLiteral("memory")).toLongLong(), qint64(1) << 30);
    QCOMPARE(v.value(QStringLiteral("policy")).toString(), QStringLiteral("lru"));
    QCOMPARE(v.value(QStringLiteral("ratio")).toDouble(), 0.5);
    // Typed values (as lesson presets give them) pass through the same checks.
    QVERIFY(!schema.resolve({{QStringLiteral("threads"), 0}}, &v, &error));
    QVERIFY(error.contains(QStringLiteral("out of range")));
}

void TestParameter::unknownNameListsKnownOnes()
{
    QString error;
    QVERIFY(!sampleSchema().validate(QStringLiteral("thread"), 3, &error).isValid());
    QVERIFY2(error.startsWith(QStringLiteral("unknown parameter 'thread'")), qPrintable(error));
    QVERIFY(error.contains(QStringLiteral("threads")));
}

void TestParameter::numbersNoIntegerHoldsAreRefused()
{
    // A lesson file gives parameters as JSON numbers: one beyond what an integer parameter can
    // hold is refused with the usual message (found by fuzz_lesson: 1.44e50 was cast).
    const ParamSchema schema = sampleSchema();
    for (const char *name : {"threads", "memory"}) {
        for (double d : {1.44e50, -1e300, 9.3e18, std::numeric_limits<double>::infinity()}) {
            QString error;
            const QVariant v = schema.validate(QLatin1String(name), QVariant(d), &error);
            QVERIFY2(
                !v.isValid(), qPrintable(QStringLiteral("%1 = %2 accepted").arg(QLatin1String(name)).arg(d)));
            QVERIFY2(error.contains(QLatin1Char('\'') + QLatin1String(name) + QLatin1Char('\'')),
                qPrintable(error));
            QVERIFY(!error.contains(QLatin1Char('\n')));
        }
    }
    // The largest whole numbers a qint64 holds still reach the range check.
    QString error;
    QVERIFY(!schema.validate(QStringLiteral("threads"), QVariant(8e18), &error).isValid());
    QVERIFY2(error.contains(QStringLiteral("out of range")), qPrintable(error));
    QCOMPARE(schema.validate(QStringLiteral("threads"), QVariant(8.0), &error).toLongLong(), 8);
}

QTEST_APPLESS_MAIN(TestParameter)
#include "tst_parameter.moc"
