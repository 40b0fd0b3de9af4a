// The engines of M1, M2, M4 and M5: paradigms, reasons, resource bindings, native process state.
#include "mobility/bindingengine.h"
#include "mobility/nativeengine.h"
#include "mobility/paradigmsengine.h"
#include "mobility/reasonsengine.h"

#include "engine/registry.h"
#include "helpermain.h"

#include <QJsonObject>
#include <QTest>

using namespace proclab;
using namespace proclab::mobility;

class TestMobilityConcepts : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void registeredWithTheirViews();
    void placementsFollowTheFigure();
    void paradigms_data();
    void paradigms();
    void bindings_data();
    void bindings();
    void badChoicesRefused();
    void nativeProcessState();
    void reasons();
};

namespace {

template<class E> Result runEngine(const QVariantMap &parameters)
{
    auto engine = makeEngine<E>();
    engine->setSpeed(0); // no pacing: as fast as the work allows
    QString error;
    if (!engine->configure(parameters, &error)) {
        Result r;
        r.error = QStringLiteral("configure: %1").arg(error);
        return r;
    }
    Result r = runToCompletion(*engine, std::chrono::seconds(120));
    // Every key a run reports is declared, so lessons can be checked without running.
    const auto outputs = engine->outputs();
    for (auto it = r.summary.begin(); it != r.summary.end(); ++it) {
        if (!outputsContain(outputs, it.key()))
            r.error = QStringLiteral("undeclared summary key %1").arg(it.key());
    }
    return r;
}

double num(const Result &r, const char *key)
{
    return r.summary.value(QLatin1String(key)).toDouble(-1);
}

} // namespace

void TestMobilityConcepts::registeredWithTheirViews()
{
    const EngineRegistry &registry = EngineRegistry::builtin();
    const std::pair<QLatin1String, QLatin1String> expected[] = {
        {ParadigmsEngine::kId, ParadigmsEngine::kParadigmView},
        {ReasonsEngine::kId, ReasonsEngine::kReasonsView},
        {BindingEngine::kId, BindingEngine::kTableView},
        {NativeEngine::kId, NativeEngine::kProbeView},
    };
    for (const auto &[id, view] : expected) {
        const auto *entry = registry.find(QString(id));
        QVERIFY2(entry, id.data());
        QCOMPARE(entry->info.views.value(0), QString(view));
    }
    QCOMPARE(registry.find(QString(ParadigmsEngine::kId))->info.provenance, Provenance::Diagram);
    QCOMPARE(registry.find(QString(NativeEngine::kId))->info.provenance, Provenance::Measured);
}

void TestMobilityConcepts::placementsFollowTheFigure()
{
    // Client-server: nothing moves. Remote evaluation: code goes to the server. Code on demand: code comes
    // to the client. Mobile agent: code and execution go to the server. The resource never moves.
    for (Paradigm p :
        {Paradigm::ClientServer, Paradigm::RemoteEvaluation, Paradigm::CodeOnDemand, Paradigm::MobileAgent}) {
        const auto before = ParadigmsEngine::placement(p, false);
        const auto after = ParadigmsEngine::placement(p, true);
        QCOMPARE(before.resource, after.resource);
        QCOMPARE(after.code, after.execution); // after the interaction the code runs where it is
        QCOMPARE(after.code, after.resource); // next to the resource
    }
    QCOMPARE(ParadigmsEngine::placement(Paradigm::ClientServer, false),
        ParadigmsEngine::placement(Paradigm::ClientServer, true));
    QCOMPARE(ParadigmsEngine::placement(Paradigm::RemoteEvaluation, false).code, 0);
    QCOMPARE(ParadigmsEngine::placement(Paradigm::CodeOnDemand, false).code, 1);
    QCOMPARE(ParadigmsEngine::placement(Paradigm::MobileAgent, false).execution, 0);
    QVERIFY(!ParadigmsEngine::modeFor(Paradigm::ClientServer));
    QCOMPARE(*ParadigmsEngine::modeFor(Paradigm::MobileAgent), MoveMode::Strong);
}

void TestMobilityConcepts::paradigms_data()
{
    QTest::addColumn<QString>("paradigm");
    QTest::addColumn<int>("whatMoves");
    QTest::addColumn<bool>("real");
    QTest::newRow("client-server") << "client-server" << 0 << false;
    QTest::newRow("remote-evaluation") << "remote-evaluation" << 1 << true;
    QTest::newRow("code-on-demand") << "code-on-demand" << 1 << true;
    QTest::newRow("mobile-agent") << "mobile-agent" << 2 << true;
}

void TestMobilityConcepts::paradigms()
{
    QFETCH(QString, paradigm);
    QFETCH(int, whatMoves);
    QFETCH(bool, real);
    const Result r = runEngine<ParadigmsEngine>({{QStringLiteral("paradigm"), paradigm}});
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(int(num(r, "what_moves")), whatMoves);
    QCOMPARE(num(r, "bytes_moved") > 0, real);
    QCOMPARE(num(r, "bytes_execution_state") > 0, whatMoves == 2);
    if (real)
        QVERIFY(r.summary.value(QStringLiteral("equal")).toBool());
}

void TestMobilityConcepts::bindings_data()
{
    QTest::addColumn<QString>("binding");
    QTest::addColumn<QString>("resource");
    QTest::addColumn<int>("action");
    // The slides' table, read row by row.
    const char *bindings[] = {"identifier", "value", "type"};
    const char *resources[] = {"unattached", "fastened", "fixed"};
    const int table[3][3] = {{1, 0, 0}, {2, 0, 0}, {3, 3, 3}};
    for (int b = 0; b < 3; ++b)
        for (int r = 0; r < 3; ++r)
            QTest::addRow("%s-%s", bindings[b], resources[r]) << bindings[b] << resources[r] << table[b][r];
}

void TestMobilityConcepts::bindings()
{
    QFETCH(QString, binding);
    QFETCH(QString, resource);
    QFETCH(int, action);
    const Result r = runEngine<BindingEngine>(
        {{QStringLiteral("binding"), binding}, {QStringLiteral("resource"), resource}});
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(int(num(r, "action_index")), action);
    QCOMPARE(r.summary.value(QStringLiteral("action")).toString(),
        QStringList({QStringLiteral("GR"), QStringLiteral("MV"), QStringLiteral("CP"), QStringLiteral("RB")})
            .at(action));
    QVERIFY(r.summary.value(QStringLiteral("demo_ok")).toBool());
    const bool remains = r.summary.value(QStringLiteral("source_remains")).toBool();
    const bool holds = r.summary.value(QStringLiteral("destination_holds")).toBool();
    switch (action) {
    case 0: // GR: stays, read from afar
        QVERIFY(remains && !holds);
        QVERIFY(r.summary.value(QStringLiteral("same_content")).toBool());
        break;
    case 1: // MV: gone from the source, at the destination
        QVERIFY(!remains && holds);
        QVERIFY(r.summary.value(QStringLiteral("same_content")).toBool());
        break;
    case 2: // CP: both
        QVERIFY(remains && holds);
        QVERIFY(r.summary.value(QStringLiteral("same_content")).toBool());
        break;
    default: // RB: another resource of the same type at the destination
        QVERIFY(holds);
        break;
    }
    QVERIFY(!r.table.isEmpty());
}

void TestMobilityConcepts::badChoicesRefused()
{
    QString error;
    QVERIFY(!BindingConfig::fromParams({{QStringLiteral("binding"), QStringLiteral("colour")},
                                           {QStringLiteral("resource"), QStringLiteral("fixed")}},
        &error));
    QVERIFY(error.contains(QStringLiteral("binding must be")));
    QVERIFY(!ParadigmsConfig::fromParams({{QStringLiteral("paradigm"), QStringLiteral("teleport")}}, &error));
    QVERIFY(error.contains(QStringLiteral("mobile-agent")));
}

void TestMobilityConcepts::nativeProcessState()
{
    const Result r = runEngine<NativeEngine>({});
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.provenance, Provenance::Measured);
    QVERIFY(num(r, "regions_compared") >= 3);
    QCOMPARE(num(r, "regions_same") + num(r, "regions_differ"), num(r, "regions_compared"));
    QCOMPARE(num(r, "addresses_differ"), num(r, "regions_differ") > 0 ? 1.0 : 0.0);
    QVERIFY(num(r, "descriptors") >= 4); // stdin, stdout, stderr, the file, the connection
    QVERIFY(num(r, "sockets") >= 1);
    QVERIFY(num(r, "pending_signals") >= 1);
    if (num(r, "randomize_va_space") == 2)
        QVERIFY(num(r, "addresses_differ") == 1); // full ASLR moves the stack at least
    QCOMPARE(r.table.rows.size(), std::size_t(num(r, "regions_compared")));
}

void TestMobilityConcepts::reasons()
{
    const Result r = runEngine<ReasonsEngine>({{QStringLiteral("primes_below"), 50000},
        {QStringLiteral("node_share"), 0.5}, {QStringLiteral("clients"), 3}, {QStringLiteral("rounds"), 8}});
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(num(r, "primes"), 5133.0); // pi(50000)
    QVERIFY(r.summary.value(QStringLiteral("equal")).toBool());
    QVERIFY(num(r, "split_at") > 2 && num(r, "split_at") < 50000);
    QCOMPARE(num(r, "finished_sooner"), num(r, "split_ms") < num(r, "all_here_ms") ? 1.0 : 0.0);
    QVERIFY(num(r, "federated_mse") < num(r, "initial_mse"));
    QVERIFY(num(r, "bytes_models") < num(r, "bytes_raw_data"));
    QCOMPARE(r.series.size(), std::size_t(2));
    QCOMPARE(r.series[0].x.size(), std::size_t(8));
}

PROCLAB_TEST_MAIN_WITH_HELPERS(TestMobilityConcepts)
#include "tst_mobilityconcepts.moc"
