#include "helpermain.h"

#include "serverparts/outofbandengine.h"
#include "serverparts/statefulnessengine.h"
#include "serverparts/superserverengine.h"

#include "engine/registry.h"

#include <QJsonObject>
#include <QTest>

#include <chrono>

using namespace proclab;

class TestServerPartsEngines : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void registered();
    void superServerRun();
    void outOfBandRun();
    void statefulnessRun();
    void refusedParameters_data();
    void refusedParameters();
    void stopEndsARun_data();
    void stopEndsARun();
};

namespace {

constexpr auto kTimeout = std::chrono::minutes(5);

// Every summary key is one the engine declared.
void checkDeclared(const Engine &engine, const Result &r)
{
    const auto outputs = engine.outputs();
    for (auto it = r.summary.begin(); it != r.summary.end(); ++it)
        QVERIFY2(outputsContain(outputs, it.key()), qPrintable(it.key()));
}

} // namespace

void TestServerPartsEngines::registered()
{
    const EngineRegistry &registry = EngineRegistry::builtin();
    for (const QLatin1String id : {SuperServerEngine::kId, OutOfBandEngine::kId, StatefulnessEngine::kId}) {
        const auto *entry = registry.find(QString(id));
        QVERIFY2(entry, id.data());
        QCOMPARE(entry->info.provenance, Provenance::Measured);
        QVERIFY(!entry->info.views.isEmpty());
        QVERIFY(!entry->outputs.empty());
    }
}

void TestServerPartsEngines::superServerRun()
{
    auto engine = makeEngine<SuperServerEngine>();
    QString error;
    QVERIFY2(engine->configure({{QStringLiteral("services"), QStringLiteral("echo, upper")},
                                   {QStringLiteral("repetitions"), 3}},
                 &error),
        qPrintable(error));
    const Result r = runToCompletion(*engine, kTimeout);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    checkDeclared(*engine, r);
    QCOMPARE(r.summary.value(QStringLiteral("connections")).toInt(), 6);
    QCOMPARE(r.summary.value(QStringLiteral("handlers")).toInt(), 6);
    QCOMPARE(r.summary.value(QStringLiteral("handlers_reaped")).toInt(), 6);
    QCOMPARE(r.summary.value(QStringLiteral("distinct_handler_pids")).toInt(), 6);
    QCOMPARE(r.summary.value(QStringLiteral("registered_services")).toInt(), 2);
    QVERIFY(r.summary.value(QStringLiteral("superserver_first_line_us_median")).toDouble() > 0);
    QVERIFY(!r.machine.isEmpty());
    // The table is the event sequence, in time order.
    QCOMPARE(r.table.columns.first(), QStringLiteral("time_ms"));
    QVERIFY(!r.table.rows.empty());
    for (std::size_t i = 1; i < r.table.rows.size(); ++i)
        QVERIFY(r.table.rows[i - 1][0].toDouble() <= r.table.rows[i][0].toDouble());
    QCOMPARE(r.series.size(), std::size_t(2));
    QCOMPARE(r.series[0].x.size(), std::size_t(6));
}

void TestServerPartsEngines::outOfBandRun()
{
    auto engine = makeEngine<OutOfBandEngine>();
    QString error;
    QVERIFY2(engine->configure({{QStringLiteral("repetitions"), 2}, {QStringLiteral("unit_us"), 500},
                                   {QStringLiteral("hold_ms"), 1}},
                 &error),
        qPrintable(error));
    const Result r = runToCompletion(*engine, kTimeout);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    checkDeclared(*engine, r);
    QCOMPARE(r.summary.value(QStringLiteral("trials")).toInt(), 4);
    QCOMPARE(r.summary.value(QStringLiteral("server_holds")).toInt(), 4);
    QCOMPARE(r.summary.value(QStringLiteral("server_cancels")).toInt(), 4);
    for (const QString &m : {QStringLiteral("urgent_data"), QStringLiteral("urgent_port")}) {
        for (const QString &c :
            {QStringLiteral("hold"), QStringLiteral("resume"), QStringLiteral("cancel")}) {
            const QString notice = QStringLiteral("%1_%2_notice_us_median").arg(m, c);
            const QString effect = QStringLiteral("%1_%2_effect_us_median").arg(m, c);
            QVERIFY2(r.summary.contains(notice) && r.summary.contains(effect), qPrintable(notice));
            // Noticed no later than acted on (medians of paired samples keep that order for two samples).
            QVERIFY(r.summary.value(QStringLiteral("%1_%2_notice_us_p10").arg(m, c)).toDouble()
                <= r.summary.value(QStringLiteral("%1_%2_effect_us_p90").arg(m, c)).toDouble());
        }
    }
    // Table: one row per step (3 per trial).
    QCOMPARE(r.table.rows.size(), std::size_t(12));
    QCOMPARE(r.series.size(), std::size_t(6));
}

void TestServerPartsEngines::statefulnessRun()
{
    auto engine = makeEngine<StatefulnessEngine>();
    QString error;
    QVERIFY2(
        engine->configure({{QStringLiteral("files"), 2}, {QStringLiteral("blocks_per_file"), 6},
                              {QStringLiteral("block_bytes"), 1024}, {QStringLiteral("think_us"), 0},
                              {QStringLiteral("disk_wait_us"), 20}, {QStringLiteral("lease_ms"), 600000}},
            &error),
        qPrintable(error));
    const Result r = runToCompletion(*engine, kTimeout);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    checkDeclared(*engine, r);
    QCOMPARE(r.summary.value(QStringLiteral("data_matches")).toInt(), 1);
    // Both styles read the same pattern.
    QCOMPARE(r.summary.value(QStringLiteral("stateful_reads")).toInt(), 3 * 2 * 6);
    QCOMPARE(r.summary.value(QStringLiteral("stateless_reads")).toInt(), 3 * 2 * 6);
    // The restart: the stateful client rebuilt (both files' handles), the stateless one did not.
    QCOMPARE(r.summary.value(QStringLiteral("stateful_rebuilds")).toInt(), 1);
    QCOMPARE(r.summary.value(QStringLiteral("stateful_lost_handles")).toInt(), 2);
    QCOMPARE(r.summary.value(QStringLiteral("stateful_reopened")).toInt(), 2);
    QCOMPARE(r.summary.value(QStringLiteral("stateless_rebuilds")).toInt(), 0);
    QCOMPARE(r.summary.value(QStringLiteral("stateless_failed_requests")).toInt(), 1);
    QCOMPARE(r.summary.value(QStringLiteral("one_connection_failed_requests")).toInt(), 1);
    QCOMPARE(r.summary.value(QStringLiteral("per_request_failed_requests")).toInt(), 0);
    // Hit rates are the ratios of the counts they come from.
    for (const QString &k : {QStringLiteral("stateful"), QStringLiteral("stateless")}) {
        const double hits = r.summary.value(k + QStringLiteral("_client_hits")).toDouble();
        const double reads = r.summary.value(k + QStringLiteral("_reads")).toDouble();
        QCOMPARE(r.summary.value(k + QStringLiteral("_client_hit_rate")).toDouble(), hits / reads);
    }
    QCOMPARE(r.table.rows.size(), std::size_t(4));
    QCOMPARE(r.series.size(), std::size_t(4));
}

void TestServerPartsEngines::refusedParameters_data()
{
    QTest::addColumn<QString>("engine");
    QTest::addColumn<QVariantMap>("params");
    QTest::addColumn<QString>("message");
    QTest::newRow("unknown service") << QString(
        SuperServerEngine::kId) << QVariantMap {{QStringLiteral("services"), QStringLiteral("echo,chargen")}}
                                     << QStringLiteral("services: 'chargen'");
    QTest::newRow("repeated service")
        << QString(SuperServerEngine::kId)
        << QVariantMap {{QStringLiteral("services"), QStringLiteral("echo,echo")}}
        << QStringLiteral("services: 'echo'");
    QTest::newRow("no service") << QString(SuperServerEngine::kId)
                                << QVariantMap {{QStringLiteral("services"), QStringLiteral(" , ")}}
                                << QStringLiteral("services: name at least one");
    QTest::newRow("trial too long") << QString(OutOfBandEngine::kId)
                                    << QVariantMap {{QStringLiteral("unit_us"), 100000},
                                           {QStringLiteral("interrupt_after_units"), 500}}
                                    << QStringLiteral("unit_us: one trial would take");
    QTest::newRow("files too big") << QString(StatefulnessEngine::kId)
                                   << QVariantMap {{QStringLiteral("files"), 16},
                                          {QStringLiteral("blocks_per_file"), 256},
                                          {QStringLiteral("block_bytes"), 65536}}
                                   << QStringLiteral("keep the files under 64 MiB");
}

void TestServerPartsEngines::refusedParameters()
{
    QFETCH(QString, engine);
    QFETCH(QVariantMap, params);
    QFETCH(QString, message);
    auto e = EngineRegistry::builtin().create(engine);
    QVERIFY(e);
    QString error;
    QVERIFY(!e->configure(params, &error));
    QVERIFY2(error.contains(message), qPrintable(error));
}

void TestServerPartsEngines::stopEndsARun_data()
{
    QTest::addColumn<QString>("engine");
    QTest::addColumn<QVariantMap>("params");
    QTest::newRow("superserver") << QString(SuperServerEngine::kId)
                                 << QVariantMap {{QStringLiteral("repetitions"), 200}};
    QTest::newRow("outofband") << QString(OutOfBandEngine::kId)
                               << QVariantMap {{QStringLiteral("repetitions"), 200},
                                      {QStringLiteral("hold_ms"), 2000}};
    QTest::newRow("statefulness") << QString(StatefulnessEngine::kId)
                                  << QVariantMap {{QStringLiteral("passes"), 20},
                                         {QStringLiteral("think_us"), 100000}};
}

void TestServerPartsEngines::stopEndsARun()
{
    QFETCH(QString, engine);
    QFETCH(QVariantMap, params);
    // Runs that would take minutes: stop() ends them, with every thread joined and
    // every child reaped (ThreadSanitizer and the superserver's own checks would
    // complain otherwise), and the result says it was stopped.
    auto e = EngineRegistry::builtin().create(engine);
    QString error;
    QVERIFY2(e->configure(params, &error), qPrintable(error));
    e->start();
    for (int i = 0; i < 500 && !e->snapshot(); ++i)
        QTest::qSleep(10);
    QVERIFY(e->snapshot());
    e->stop();
    QVERIFY(!e->isActive());
    const auto snap = e->snapshot();
    QVERIFY(snap);
    QVERIFY2(snap->result.error.contains(QStringLiteral("stopped")), qPrintable(snap->result.error));
}

PROCLAB_TEST_MAIN_WITH_HELPERS(TestServerPartsEngines)
#include "tst_serverpartsengines.moc"
