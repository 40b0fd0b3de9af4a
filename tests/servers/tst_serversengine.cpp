#include "servers/servercapacitymodel.h"
#include "servers/serversconfig.h"
#include "servers/serversengine.h"

#include "common/threadpriority.h"
#include "engine/registry.h"
#include "helpermain.h"
#include "proctasks.h"

#include <QTest>

#include <algorithm>
#include <chrono>
#include <cmath>

using namespace proclab;
using proclab::testing::niceFromStat;
using proclab::testing::threadNices;

class TestServersEngine : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void registeredWithItsHelper();
    void unknownDesignIsRefused();
    void concurrencyLevelsEndAtClients();
    void capacityModelMatchesHandComputedBounds();
    void countedRunServesExactlyThatMany_data();
    void countedRunServesExactlyThatMany();
    void comparisonNamesEveryDesign();
    void stopEndsALongRun();
    void loadGivesWayToTheWindow();
};

namespace {

Result runEngine(const QVariantMap &settings, std::chrono::milliseconds timeout = std::chrono::seconds(120))
{
    auto engine = makeEngine<ServersEngine>();
    QString error;
    if (!engine->configure(settings, &error)) {
        Result r;
        r.error = error;
        return r;
    }
    engine->setSpeed(0);
    return runToCompletion(*engine, timeout);
}

// Starts a long run (60 s, 4 clients, 5 ms disk wait, with @p settings on top) and waits until
// the load is on: a snapshot with a port and a first throughput sample. False if it was refused.
bool startUnderLoad(ServersEngine &engine, const QVariantMap &settings)
{
    QVariantMap all {
        {QStringLiteral("seconds"), 60}, {QStringLiteral("clients"), 4}, {QStringLiteral("disk_ms"), 5}};
    all.insert(settings);
    if (!engine.configure(all))
        return false;
    engine.setSpeed(0);
    engine.start();
    for (int i = 0; i < 600; ++i) {
        const auto snap = std::dynamic_pointer_cast<const ServersSnapshot>(engine.snapshot());
        if (snap && snap->port != 0 && !snap->timelineS.empty())
            break;
        QTest::qWait(20);
    }
    return true;
}

// Every key of the summary is one the engine declares (lessons are checked against them).
void checkDeclared(const Result &r)
{
    auto engine = makeEngine<ServersEngine>();
    const std::vector<OutputSpec> outputs = engine->outputs();
    for (auto it = r.summary.begin(); it != r.summary.end(); ++it)
        QVERIFY2(outputsContain(outputs, it.key()), qPrintable(it.key()));
}

} // namespace

void TestServersEngine::registeredWithItsHelper()
{
    const EngineRegistry &reg = EngineRegistry::builtin();
    const EngineRegistry::Entry *entry = reg.find(QStringLiteral("servers"));
    QVERIFY(entry);
    QCOMPARE(entry->info.views.value(0), QString(ServersEngine::kDesignsView));
    const auto &helpers = reg.helpers();
    QVERIFY(std::any_of(helpers.begin(), helpers.end(),
        [](const HelperMode &h) { return h.name == QLatin1String("http-fork-server"); }));
}

void TestServersEngine::unknownDesignIsRefused()
{
    auto engine = makeEngine<ServersEngine>();
    QString error;
    QVERIFY(!engine->configure({{QStringLiteral("designs"), QStringLiteral("fsm,apache")}}, &error));
    QVERIFY2(error.contains(QLatin1String("apache")), qPrintable(error));
    QVERIFY(!engine->configure({{QStringLiteral("designs"), QStringLiteral("fsm,fsm")}}, &error));
    QVERIFY2(error.contains(QLatin1String("twice")), qPrintable(error));
    QVERIFY(!engine->configure({{QStringLiteral("design"), QStringLiteral("forking")}}, &error));
    QVERIFY(engine->configure({{QStringLiteral("designs"), QStringLiteral(" thread , process ")}}, &error));
}

void TestServersEngine::concurrencyLevelsEndAtClients()
{
    ServersConfig c;
    c.sweep = ServersSweep::Concurrency;
    c.clients = 100;
    QCOMPARE(c.clientLevels(), (std::vector<int> {1, 10, 100}));
    c.clients = 250;
    QCOMPARE(c.clientLevels(), (std::vector<int> {1, 10, 100, 250}));
    c.clients = 1;
    QCOMPARE(c.clientLevels(), (std::vector<int> {1}));
    c.sweep = ServersSweep::Designs;
    c.clients = 8;
    QCOMPARE(c.clientLevels(), (std::vector<int> {8}));
    c.designs = {ServerDesign::Thread, ServerDesign::Process};
    QCOMPARE(c.measuredDesigns(), c.designs);
    c.sweep = ServersSweep::Off;
    c.design = ServerDesign::Pool;
    QCOMPARE(c.measuredDesigns(), (std::vector<ServerDesign> {ServerDesign::Pool}));
}

void TestServersEngine::capacityModelMatchesHandComputedBounds()
{
    // 50 ms disk wait, no CPU work: k requests under way give k / 0.05 s.
    const ServerCapacityModel disk(50, 0, 4);
    QCOMPARE(disk.boundRps(ServerDesign::Iterative, 8, 4), 20.0);
    QCOMPARE(disk.boundRps(ServerDesign::Pool, 8, 4), 80.0);
    QCOMPARE(disk.boundRps(ServerDesign::Pool, 2, 4), 40.0); // fewer clients than workers
    QCOMPARE(disk.boundRps(ServerDesign::Thread, 8, 4), 160.0);
    QCOMPARE(disk.boundRps(ServerDesign::Fsm, 8, 4), 160.0);
    // 1 ms of CPU and no wait: the cores bound the threaded designs, one core the fsm.
    const ServerCapacityModel cpu(0, 1000, 4);
    QCOMPARE(cpu.boundRps(ServerDesign::Thread, 8, 4), 4000.0);
    QCOMPARE(cpu.boundRps(ServerDesign::Thread, 2, 4), 2000.0);
    QCOMPARE(cpu.boundRps(ServerDesign::Fsm, 8, 4), 1000.0);
    // Nothing to count: no bound.
    QCOMPARE(ServerCapacityModel(0, 0, 4).boundRps(ServerDesign::Fsm, 8, 4), 0.0);
}

void TestServersEngine::countedRunServesExactlyThatMany_data()
{
    QTest::addColumn<QString>("design");
    QTest::addColumn<bool>("keepalive");
    for (ServerDesign d : allServerDesigns()) {
        const QString name = QLatin1String(serverDesignName(d));
        QTest::newRow(qPrintable(name + QStringLiteral("-keepalive"))) << name << true;
        QTest::newRow(qPrintable(name + QStringLiteral("-new-connections"))) << name << false;
    }
}

void TestServersEngine::countedRunServesExactlyThatMany()
{
    QFETCH(QString, design);
    QFETCH(bool, keepalive);
    const Result r = runEngine({{QStringLiteral("design"), design}, {QStringLiteral("clients"), 3},
        {QStringLiteral("requests"), 60}, {QStringLiteral("seconds"), 30},
        {QStringLiteral("keepalive"), keepalive}, {QStringLiteral("pool_workers"), 2}});
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.provenance, Provenance::Measured);
    checkDeclared(r);
    const QJsonObject &s = r.summary;
    QCOMPARE(s.value(QStringLiteral("requests_ok")).toDouble(), 60.0);
    QCOMPARE(s.value(QStringLiteral("errors")).toDouble(), 0.0);
    QCOMPARE(s.value(QStringLiteral("points")).toInt(), 1);
    QVERIFY(s.value(QStringLiteral("throughput_rps")).toDouble() > 0);
    const double p50 = s.value(QStringLiteral("latency_p50_ms")).toDouble();
    const double p99 = s.value(QStringLiteral("latency_p99_ms")).toDouble();
    QVERIFY(p50 > 0 && p50 <= p99 && p99 <= s.value(QStringLiteral("latency_max_ms")).toDouble());
    QVERIFY(s.contains(QStringLiteral("generator_cpu_percent")));
    // The thread and process designs start a worker per connection: one each per client with
    // keep-alive, one per request without.
    if (design == QLatin1String("thread") || design == QLatin1String("process")) {
        const double started = s.value(QStringLiteral("server_workers_started")).toDouble();
        QVERIFY2(
            keepalive ? started >= 1 && started <= 60 : started == 60, qPrintable(QString::number(started)));
    }
    // The iterative design never has two requests under way.
    if (design == QLatin1String("iterative"))
        QCOMPARE(s.value(QStringLiteral("server_inflight_max")).toDouble(), 1.0);
    QCOMPARE(r.table.rows.size(), std::size_t(1));
    QCOMPARE(r.table.rows.front().value(0).toString(), design);
}

void TestServersEngine::comparisonNamesEveryDesign()
{
    const Result r = runEngine({{QStringLiteral("sweep"), QStringLiteral("designs")},
        {QStringLiteral("designs"), QStringLiteral("thread,pool,fsm")}, {QStringLiteral("clients"), 2},
        {QStringLiteral("requests"), 30}, {QStringLiteral("disk_ms"), 2}});
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    checkDeclared(r);
    const QJsonObject &s = r.summary;
    QCOMPARE(s.value(QStringLiteral("points")).toInt(), 3);
    QCOMPARE(s.value(QStringLiteral("requests_ok")).toDouble(), 90.0);
    double best = 0;
    double worst = 1e18;
    for (const char *d : {"thread", "pool", "fsm"}) {
        const double rps = s.value(QStringLiteral("throughput_rps_") + QLatin1String(d)).toDouble();
        QVERIFY2(rps > 0, d);
        QVERIFY(s.contains(QStringLiteral("throughput_rps_%1_c2").arg(QLatin1String(d))));
        QCOMPARE(
            s.value(QStringLiteral("model_bound_rps_") + QLatin1String(d)).toDouble(), 1000.0); // 2 / 2 ms
        best = std::max(best, rps);
        worst = std::min(worst, rps);
    }
    const int bestIndex = s.value(QStringLiteral("best_index")).toInt();
    const int worstIndex = s.value(QStringLiteral("worst_index")).toInt();
    const QStringList order {QStringLiteral("thread"), QStringLiteral("pool"), QStringLiteral("fsm")};
    QCOMPARE(s.value(QStringLiteral("throughput_rps_") + order.value(bestIndex)).toDouble(), best);
    QCOMPARE(s.value(QStringLiteral("throughput_rps_") + order.value(worstIndex)).toDouble(), worst);
    QCOMPARE(s.value(QStringLiteral("best_over_worst")).toDouble(), best / worst);
    QCOMPARE(s.value(QStringLiteral("throughput_rps")).toDouble(), best);
    // A throughput and a p99 series per design, in the order asked for.
    QCOMPARE(r.series.size(), std::size_t(6));
    QCOMPARE(r.series[0].id, QStringLiteral("throughput_thread"));
    QCOMPARE(r.series[5].id, QStringLiteral("p99_fsm"));
}

void TestServersEngine::stopEndsALongRun()
{
    for (const char *design : {"process", "pool"}) {
        auto engine = makeEngine<ServersEngine>();
        // Wait until the load is on (a snapshot with a port), then stop.
        QVERIFY(startUnderLoad(*engine, {{QStringLiteral("design"), QLatin1String(design)}}));
        engine->stop();
        QCOMPARE(engine->state(), RunState::Stopped);
        const auto snap = std::dynamic_pointer_cast<const ServersSnapshot>(engine->snapshot());
        QVERIFY(snap);
        QCOMPARE(snap->points.size(), std::size_t(0)); // a point cut short is not a measurement
        QCOMPARE(snap->port, std::uint16_t(0));
    }
}

void TestServersEngine::loadGivesWayToTheWindow()
{
    // The window's thread (here the test's) keeps its priority; the pool's dispatcher and
    // workers and the load's clients run kLoadNiceSteps lower.
    const int own = niceFromStat("/proc/thread-self/stat");
    const int lowered = std::min(19, own + kLoadNiceSteps);
    QVERIFY2(lowered > own, "the test already runs at nice 19");
    auto engine = makeEngine<ServersEngine>();
    QVERIFY(startUnderLoad(
        *engine, {{QStringLiteral("design"), QStringLiteral("pool")}, {QStringLiteral("pool_workers"), 4}}));
    const std::vector<int> nices = threadNices();
    engine->stop();
    const auto loweredThreads = std::count(nices.begin(), nices.end(), lowered);
    // The engine's thread, the dispatcher, 4 workers and the load's client thread at least.
    QVERIFY2(loweredThreads >= 7,
        qPrintable(QStringLiteral("%1 of %2 threads at nice %3")
                       .arg(loweredThreads)
                       .arg(nices.size())
                       .arg(lowered)));
    QCOMPARE(niceFromStat("/proc/thread-self/stat"), own);
}

PROCLAB_TEST_MAIN_WITH_HELPERS(TestServersEngine)
#include "tst_serversengine.moc"
