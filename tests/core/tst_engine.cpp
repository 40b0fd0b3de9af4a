#include "engine/engine.h"
#include "engine/registry.h"

#include <QJsonArray>
#include <QTest>

#include <atomic>

using namespace proclab;

namespace {

// Counts to `count`, one checkpoint per number, publishing each.
class CountingEngine : public Engine {
public:
    CountingEngine()
        : Engine(EngineInfo {
            QStringLiteral("counting"), QStringLiteral("Counting"), Provenance::Model, {}, {}, {}})
    {
    }
    ParamSchema schema() const override
    {
        return ParamSchema {
            ParamSpec::integer(QStringLiteral("count"), QStringLiteral("Count"), 5, 1, 1000000, {}, {})};
    }
    std::atomic<int> reached {0};

protected:
    void run() override
    {
        const qint64 count = intParam(QStringLiteral("count"));
        for (qint64 i = 1; i <= count; ++i) {
            if (!checkpoint())
                return;
            reached = static_cast<int>(i);
            auto s = std::make_shared<Snapshot>();
            s->progress = double(i) / double(count);
            s->result = makeResult();
            s->result.summary.insert(QStringLiteral("value"), double(i));
            Series series;
            series.name = QStringLiteral("count");
            series.x = {0, 1};
            series.y = {0, double(i)};
            s->result.series.push_back(series);
            publish(s);
            if (!pace(0.01))
                return;
        }
    }
};

// Set when WitnessEngine's run() returned, and read by its member's destructor.
std::atomic<bool> g_runReturned {false};
std::atomic<bool> g_memberOutlivedRun {false};

// Loops until stopped, writing a member; a member's destructor records whether run() had
// already returned when the members went away.
class WitnessEngine : public Engine {
public:
    WitnessEngine()
        : Engine(
            EngineInfo {QStringLiteral("witness"), QStringLiteral("Witness"), Provenance::Model, {}, {}, {}})
    {
    }
    ParamSchema schema() const override { return {}; }
    std::atomic<bool> started {false};

protected:
    void run() override
    {
        started = true;
        while (checkpoint()) {
            m_work.values.assign(64, 1);
            sleepFor(std::chrono::milliseconds(1));
        }
        g_runReturned = true;
    }

private:
    struct Work {
        std::vector<int> values;
        ~Work() { g_memberOutlivedRun = g_runReturned.load(); }
    } m_work;
};

// A typed configuration: "low" must not exceed "high".
struct RangeConfig {
    qint64 low = 0;
    qint64 high = 0;
    static std::optional<RangeConfig> fromParams(const ParamValues &values, QString *error)
    {
        RangeConfig c;
        c.low = values.value(QStringLiteral("low")).toLongLong();
        c.high = values.value(QStringLiteral("high")).toLongLong();
        if (c.low > c.high) {
            if (error)
                *error = QStringLiteral("low (%1) must not exceed high (%2)").arg(c.low).arg(c.high);
            return std::nullopt;
        }
        return c;
    }
};

class RangeEngine : public ConfiguredEngine<RangeConfig> {
public:
    RangeEngine()
        : ConfiguredEngine(
            EngineInfo {QStringLiteral("range"), QStringLiteral("Range"), Provenance::Model, {}, {}, {}})
    {
    }
    ParamSchema schema() const override
    {
        return ParamSchema {
            ParamSpec::integer(QStringLiteral("low"), QStringLiteral("Low"), 1, 0, 100, {}, {}),
            ParamSpec::integer(QStringLiteral("high"), QStringLiteral("High"), 10, 0, 100, {}, {})};
    }

protected:
    void run() override
    {
        auto s = std::make_shared<Snapshot>();
        s->result = makeResult();
        s->result.summary.insert(QStringLiteral("width"), double(config().high - config().low));
        publish(s);
    }
};

} // namespace

class TestEngine : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void runsToCompletion();
    void stepsOneCheckpointAtATime();
    void stopsWhilePaused();
    void configureRefusesBadValues();
    void csvAndJson();
    void builtinRegistryHasUniqueIds();
    void engineClassesAreAbstractUntilManaged();
    void destroyingARunningEngineStopsItFirst();
    void requestStopDoesNotWait();
    void typedConfigurationIsCheckedOnce();
    void outputFamiliesMatch();
    void helperModeOnlyWhenAsked();
};

void TestEngine::runsToCompletion()
{
    const auto eOwner = makeEngine<CountingEngine>();
    CountingEngine &e = *eOwner;
    QVERIFY(e.configure({{QStringLiteral("count"), 50}}));
    const quint64 before = e.revision();
    const Result r = runToCompletion(e, std::chrono::seconds(20));
    QVERIFY(r.error.isEmpty());
    QCOMPARE(r.summary.value(QStringLiteral("value")).toDouble(), 50.0);
    QCOMPARE(e.state(), RunState::Finished);
    QVERIFY(e.revision() > before + 50);
    QCOMPARE(r.parameters.value(QStringLiteral("count")).toString(), QStringLiteral("50"));
}

void TestEngine::stepsOneCheckpointAtATime()
{
    const auto eOwner = makeEngine<CountingEngine>();
    CountingEngine &e = *eOwner;
    e.configure({{QStringLiteral("count"), 100}});
    e.setSpeed(0);
    e.pause();
    e.start();
    QCOMPARE(e.state(), RunState::Paused);
    for (int i = 1; i <= 3; ++i) {
        e.stepOnce();
        QTRY_COMPARE(e.reached.load(), i);
    }
    // Paused again: nothing moves without a step.
    QTest::qWait(100);
    QCOMPARE(e.reached.load(), 3);
    e.resume();
    QVERIFY(e.waitFinished(std::chrono::seconds(20)));
    QCOMPARE(e.reached.load(), 100);
}

void TestEngine::stopsWhilePaused()
{
    const auto eOwner = makeEngine<CountingEngine>();
    CountingEngine &e = *eOwner;
    e.configure({{QStringLiteral("count"), 1000000}});
    e.setSpeed(1);
    e.start();
    QTRY_VERIFY(e.reached.load() > 0);
    e.pause();
    e.stop();
    QCOMPARE(e.state(), RunState::Stopped);
    QVERIFY(e.reached.load() < 1000000);
}

void TestEngine::configureRefusesBadValues()
{
    const auto eOwner = makeEngine<CountingEngine>();
    CountingEngine &e = *eOwner;
    QString error;
    QVERIFY(!e.configure({{QStringLiteral("count"), QStringLiteral("0")}}, &error));
    QCOMPARE(error, QStringLiteral("parameter 'count': value '0' is out of range (allowed: 1..1000000)"));
}

void TestEngine::csvAndJson()
{
    const auto eOwner = makeEngine<CountingEngine>();
    CountingEngine &e = *eOwner;
    e.configure({{QStringLiteral("count"), 2}});
    const Result r = runToCompletion(e, std::chrono::seconds(20));
    QCOMPARE(r.toCsv(), QStringLiteral("series,x,y\ncount,0,0\ncount,1,2\n"));
    const QJsonObject j = r.toJson();
    QCOMPARE(j.value(QStringLiteral("provenance")).toString(), QStringLiteral("model"));
    QCOMPARE(j.value(QStringLiteral("series")).toArray().size(), 1);

    Result t;
    t.table.columns = {QStringLiteral("name"), QStringLiteral("value")};
    t.table.rows.push_back({QStringLiteral("a,b"), 1.5});
    QCOMPARE(t.toCsv(), QStringLiteral("name,value\n\"a,b\",1.5\n"));
}

void TestEngine::builtinRegistryHasUniqueIds()
{
    const EngineRegistry &reg = EngineRegistry::builtin();
    QVERIFY(!reg.entries().empty());
    QSet<QString> ids;
    for (const auto &e : reg.entries()) {
        QVERIFY2(!ids.contains(e.info.id), qPrintable(e.info.id));
        ids.insert(e.info.id);
        // Every default must pass its own validation.
        QString error;
        ParamValues v;
        QVERIFY2(e.schema.resolve({}, &v, &error), qPrintable(e.info.id + QStringLiteral(": ") + error));
        for (const auto &spec : e.schema.specs()) {
            QVERIFY2(e.schema.validate(spec.name, spec.defaultValue, &error).isValid(),
                qPrintable(e.info.id + QStringLiteral(": ") + error));
            QVERIFY2(!spec.help.isEmpty(), qPrintable(e.info.id + QStringLiteral(".") + spec.name));
        }
    }
    QVERIFY(reg.find(QStringLiteral("sharedvar")));
}

void TestEngine::engineClassesAreAbstractUntilManaged()
{
    // An engine cannot be created (or destroyed) without the wrapper that stops it.
    QVERIFY(std::is_abstract_v<CountingEngine>);
    QVERIFY(std::is_abstract_v<RangeEngine>);
    QVERIFY(!std::is_abstract_v<ManagedEngine<CountingEngine>>);
}

void TestEngine::destroyingARunningEngineStopsItFirst()
{
    g_runReturned = false;
    g_memberOutlivedRun = false;
    auto engine = makeEngine<WitnessEngine>();
    engine->start();
    QTRY_VERIFY(engine->started.load());
    QVERIFY(engine->isActive());
    engine.reset(); // no stop() by hand: the wrapper must stop and join before members go
    QVERIFY(g_runReturned.load());
    QVERIFY(g_memberOutlivedRun.load());
}

void TestEngine::requestStopDoesNotWait()
{
    auto engine = makeEngine<WitnessEngine>();
    std::atomic<bool> finished {false};
    engine->setFinishedCallback([&finished] { finished = true; });
    engine->start();
    QTRY_VERIFY(engine->started.load());
    engine->requestStop();
    QTRY_VERIFY(finished.load());
    QCOMPARE(engine->state(), RunState::Stopped);
    engine->stop(); // joins a thread that already ended
}

void TestEngine::typedConfigurationIsCheckedOnce()
{
    auto engine = makeEngine<RangeEngine>();
    QString error;
    QVERIFY(!engine->configure({{QStringLiteral("low"), 9}, {QStringLiteral("high"), 3}}, &error));
    QCOMPARE(error, QStringLiteral("low (9) must not exceed high (3)"));
    QVERIFY2(engine->configure({{QStringLiteral("low"), 3}, {QStringLiteral("high"), 9}}, &error),
        qPrintable(error));
    const Result r = runToCompletion(*engine, std::chrono::seconds(10));
    QCOMPARE(r.summary.value(QStringLiteral("width")).toDouble(), 6.0);
    // Never configured: start() takes the defaults through the same check.
    auto fresh = makeEngine<RangeEngine>();
    QCOMPARE(
        runToCompletion(*fresh, std::chrono::seconds(10)).summary.value(QStringLiteral("width")).toDouble(),
        9.0);
}

void TestEngine::outputFamiliesMatch()
{
    const std::vector<OutputSpec> outputs {
        {QStringLiteral("median_ns"), QStringLiteral("ns"), {}}, {QStringLiteral("final_*"), {}, {}}};
    QVERIFY(outputsContain(outputs, QStringLiteral("median_ns")));
    QVERIFY(outputsContain(outputs, QStringLiteral("final_bob")));
    QVERIFY(!outputsContain(outputs, QStringLiteral("median")));
    QVERIFY(!outputsContain(outputs, QStringLiteral("finally")));
}

void TestEngine::helperModeOnlyWhenAsked()
{
    char prog[] = "prog";
    char run[] = "run";
    char flag[] = "--proclab-helper";
    char unknown[] = "no-such-helper";
    char *plain[] = {prog, run, nullptr};
    QCOMPARE(runHelperModeIfRequested(2, plain), -1);
    char *asked[] = {prog, flag, unknown, nullptr};
    QCOMPARE(runHelperModeIfRequested(3, asked), 127);
    std::vector<std::string> args = helperArguments(QStringLiteral("x"), {QStringLiteral("a")});
    QCOMPARE(args.size(), std::size_t(4));
    QCOMPARE(QString::fromStdString(args[1]), QStringLiteral("--proclab-helper"));
    QCOMPARE(argvPointers(args).back(), nullptr);
}

QTEST_GUILESS_MAIN(TestEngine)
#include "tst_engine.moc"
