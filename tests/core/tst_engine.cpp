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
        : Engine(EngineInfo{QStringLiteral("counting"), QStringLiteral("Counting"),
                            Provenance::Model, {}, {}})
    {
    }
    ParamSchema schema() const override
    {
        return ParamSchema{ParamSpec::integer(QStringLiteral("count"), QStringLiteral("Count"), 5,
                                              1, 1000000, {}, {})};
    }
    std::atomic<int> reached{0};

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

QTEST_GUILESS_MAIN(TestEngine)
#include "tst_engine.moc"
