// The mobility engine: every mode against a node process it starts, or a given destination.
#include "mobility/mobilityengine.h"
#include "mobility/mobilitynode.h"
#include "mobility/mobilitynodeprocess.h"

#include "engine/registry.h"
#include "helpermain.h"

#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace proclab;
using namespace proclab::mobility;

class TestMobilityEngine : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void registered();
    void modes_data();
    void modes();
    void resultTooBigForADoubleIsExactText();
    void givenDestination();
    void unreachableDestination();
    void badParameters_data();
    void badParameters();
    void stopsWhileComputing();
};

namespace {

Result runEngine(const QVariantMap &parameters, std::shared_ptr<const Snapshot> *last = nullptr)
{
    auto engine = makeEngine<MobilityEngine>();
    QString error;
    if (!engine->configure(parameters, &error)) {
        Result r;
        r.error = QStringLiteral("configure: %1").arg(error);
        return r;
    }
    Result r = runToCompletion(*engine, std::chrono::seconds(120));
    if (last)
        *last = engine->snapshot();
    return r;
}

} // namespace

void TestMobilityEngine::registered()
{
    const EngineRegistry &registry = EngineRegistry::builtin();
    const auto *entry = registry.find(QString(MobilityEngine::kId));
    QVERIFY(entry);
    QCOMPARE(entry->info.provenance, Provenance::Measured);
    QCOMPARE(entry->info.views.value(0), QString(MobilityEngine::kInspectorView));
    bool helper = false;
    for (const HelperMode &h : registry.helpers())
        helper = helper || h.name == QLatin1String(kMobilityNodeHelper);
    QVERIFY(helper);
    const auto engine = makeEngine<MobilityEngine>();
    const auto outputs = engine->outputs();
    for (const char *key : {"result", "result_unmigrated", "equal", "bytes_code", "bytes_data",
             "bytes_execution_state", "move_ms"})
        QVERIFY2(outputsContain(outputs, QLatin1String(key)), key);
}

void TestMobilityEngine::modes_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QString>("program");
    QTest::addColumn<int>("size");
    for (const char *mode : {"weak-push", "weak-pull", "strong", "clone"}) {
        QTest::newRow(qPrintable(QStringLiteral("%1, primes").arg(QLatin1String(mode))))
            << QString::fromLatin1(mode) << "primes" << 30000;
        QTest::newRow(qPrintable(QStringLiteral("%1, integrate").arg(QLatin1String(mode))))
            << QString::fromLatin1(mode) << "integrate" << 100000;
    }
    QTest::newRow("strong, fibonacci") << "strong"
                                       << "fibonacci" << 0;
    QTest::newRow("strong, sieve") << "strong"
                                   << "sieve" << 0;
}

void TestMobilityEngine::modes()
{
    QFETCH(QString, mode);
    QFETCH(QString, program);
    QFETCH(int, size);
    std::shared_ptr<const Snapshot> last;
    const Result r = runEngine({{QStringLiteral("mode"), mode}, {QStringLiteral("program"), program},
                                   {QStringLiteral("size"), size}},
        &last);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.provenance, Provenance::Measured);
    QVERIFY(!r.machine.isEmpty());
    const QJsonObject &s = r.summary;
    QVERIFY(s.value(QStringLiteral("equal")).toBool());
    QCOMPARE(s.value(QStringLiteral("result")), s.value(QStringLiteral("result_unmigrated")));
    QVERIFY(s.value(QStringLiteral("bytes_code")).toDouble() > 0);
    QVERIFY(s.value(QStringLiteral("bytes_data")).toDouble() > 0);
    QVERIFY(s.value(QStringLiteral("move_ms")).toDouble() > 0);
    const bool strong = mode == QLatin1String("strong") || mode == QLatin1String("clone");
    QCOMPARE(s.value(QStringLiteral("bytes_execution_state")).toDouble() > 0, strong);
    QCOMPARE(s.value(QStringLiteral("resumed_at_node")).toBool(), strong);
    const double unmigrated = s.value(QStringLiteral("steps_unmigrated")).toDouble();
    if (strong)
        QCOMPARE(s.value(QStringLiteral("steps_before_move")).toDouble()
                + s.value(QStringLiteral("steps_at_node")).toDouble(),
            unmigrated);
    else if (mode == QLatin1String("weak-push"))
        QCOMPARE(s.value(QStringLiteral("steps_at_node")).toDouble(), unmigrated); // it started over there
    if (mode == QLatin1String("clone"))
        QVERIFY(s.value(QStringLiteral("original_equal")).toBool());
    if (mode == QLatin1String("weak-pull"))
        QVERIFY(s.value(QStringLiteral("code_identical")).toBool());
    // The snapshot holds what the inspector shows and what the node process said.
    const auto *snap = dynamic_cast<const MobilitySnapshot *>(last.get());
    QVERIFY(snap);
    QCOMPARE(snap->phase, MovePhase::Done);
    QVERIFY(snap->report);
    QVERIFY2(QRegularExpression(QStringLiteral("^127\\.0\\.0\\.1:\\d+ \\(pid \\d+\\)$"))
                 .match(snap->node)
                 .hasMatch(),
        qPrintable(snap->node));
    QVERIFY(!snap->nodeLog.isEmpty());
    QCOMPARE(snap->nodeLog.last(), QStringLiteral("stopped"));
    if (strong) {
        QVERIFY(snap->atMove);
        QCOMPARE(double(snap->atMove->state.steps), s.value(QStringLiteral("steps_before_move")).toDouble());
        QVERIFY(snap->nodeLog.join(QLatin1Char('\n')).contains(QStringLiteral("goes on here from step")));
    }
    QCOMPARE(r.table.rows.size(), std::size_t(4));
}

void TestMobilityEngine::resultTooBigForADoubleIsExactText()
{
    const Result r = runEngine(
        {{QStringLiteral("program"), QStringLiteral("factorial")}, {QStringLiteral("move_at"), 0.3}});
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.summary.value(QStringLiteral("result")).toString(), QStringLiteral("2432902008176640000"));
    QVERIFY(r.summary.value(QStringLiteral("equal")).toBool());
}

void TestMobilityEngine::givenDestination()
{
    MobilityNode node {MobilityNodeOptions {}};
    QString error;
    QVERIFY2(node.start(&error), qPrintable(error));
    const Result r
        = runEngine({{QStringLiteral("mode"), QStringLiteral("clone")}, {QStringLiteral("size"), 20000},
            {QStringLiteral("destination"), QStringLiteral("127.0.0.1:%1").arg(node.port())}});
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QVERIFY(r.summary.value(QStringLiteral("equal")).toBool());
    QCOMPARE(node.counters().results, 1);
}

void TestMobilityEngine::unreachableDestination()
{
    // A port nobody listens on: a listener opened and closed again.
    std::uint16_t port = 0;
    {
        MobilityNode probe {MobilityNodeOptions {}};
        QString error;
        QVERIFY(probe.start(&error));
        port = probe.port();
    }
    const Result r = runEngine({{QStringLiteral("program"), QStringLiteral("factorial")},
        {QStringLiteral("destination"), QStringLiteral("127.0.0.1:%1").arg(port)}});
    QVERIFY2(
        r.error.contains(QStringLiteral("cannot connect to 127.0.0.1:%1").arg(port)), qPrintable(r.error));
    QVERIFY(!r.error.contains(QLatin1Char('\n')));
}

void TestMobilityEngine::badParameters_data()
{
    QTest::addColumn<QVariantMap>("parameters");
    QTest::addColumn<QString>("message");
    QTest::newRow("fibonacci too large") << QVariantMap {
        {QStringLiteral("program"), QStringLiteral("fibonacci")},
        {QStringLiteral("size"), 40}} << "size 40 is too large for fibonacci (its n may be at most 32)";
    QTest::newRow("sieve over the heap") << QVariantMap {{QStringLiteral("program"), QStringLiteral("sieve")},
        {QStringLiteral("size"), 2000000}}
                                         << "its limit may be at most 1000000";
    QTest::newRow("destination without a port")
        << QVariantMap {{QStringLiteral("destination"), QStringLiteral("localhost")}}
        << "destination \"localhost\" is not HOST:PORT";
    QTest::newRow("unknown mode") << QVariantMap {{QStringLiteral("mode"), QStringLiteral("teleport")}}
                                  << "mode";
    QTest::newRow("move_at out of range") << QVariantMap {{QStringLiteral("move_at"), 1.5}} << "move_at";
}

void TestMobilityEngine::badParameters()
{
    QFETCH(QVariantMap, parameters);
    QFETCH(QString, message);
    auto engine = makeEngine<MobilityEngine>();
    QString error;
    QVERIFY(!engine->configure(parameters, &error));
    QVERIFY2(error.contains(message), qPrintable(error));
}

void TestMobilityEngine::stopsWhileComputing()
{
    auto engine = makeEngine<MobilityEngine>();
    QString error;
    QVERIFY(engine->configure(
        {{QStringLiteral("program"), QStringLiteral("integrate")}}, &error)); // seconds of work
    engine->setSpeed(0);
    engine->start();
    // Wait until it computes (the first progress report), then stop it in the middle.
    for (int i = 0; i < 500; ++i) {
        const auto snap = engine->snapshot();
        if (snap && snap->status.startsWith(QStringLiteral("running")))
            break;
        QTest::qWait(10);
    }
    engine->stop(); // joins: returns only once the run, its node process included, is over
    QCOMPARE(engine->state(), RunState::Stopped);
    const auto snap = engine->snapshot();
    QVERIFY(snap);
    QCOMPARE(snap->status, QStringLiteral("stopped"));
    QVERIFY(snap->result.error.isEmpty()); // a stop is not a failure
}

PROCLAB_TEST_MAIN_WITH_HELPERS(TestMobilityEngine)
#include "tst_mobilityengine.moc"
