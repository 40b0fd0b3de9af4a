// The sharedvar engine's typed configuration and the plan drawn from its seed.

#include "sharedvar/sharedvarconfig.h"
#include "sharedvar/sharedvarengine.h"
#include "sharedvar/sharedvarplan.h"

#include <QTest>

#include <random>

using namespace proclab;

class TestSharedVarPlan : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void configFromParameters();
    void planFollowsTheSeed();
    void sleepsStayInRange_data();
    void sleepsStayInRange();
    void randomInitialIsDrawnFirst();
    void spawnedChildrenDrawTheirOwnStart();
};

void TestSharedVarPlan::configFromParameters()
{
    const auto e = makeEngine<SharedVarEngine>();
    ParamValues values;
    QVERIFY(e->schema().resolve(
        {{QStringLiteral("processes"), 4}, {QStringLiteral("threads"), QStringLiteral("7")},
            {QStringLiteral("initial"), 12}, {QStringLiteral("max_sleep_ms"), 250},
            {QStringLiteral("seed"), 77}},
        &values, nullptr));
    const auto c = SharedVarConfig::fromParams(values, nullptr);
    QVERIFY(c);
    QCOMPARE(c->processes, 4);
    QCOMPARE(c->threads, 7);
    QCOMPARE(c->initial, qint64(12));
    QCOMPARE(c->maxSleepMs, qint64(250));
    QCOMPARE(c->seed, std::uint64_t(77));
    // The defaults are the slides' example: two processes of three threads.
    const auto d = SharedVarConfig::fromParams(e->schema().defaults(), nullptr);
    QVERIFY(d);
    QCOMPARE(d->processes, 2);
    QCOMPARE(d->threads, 3);
    QCOMPARE(d->initial, qint64(-1));
}

void TestSharedVarPlan::planFollowsTheSeed()
{
    SharedVarConfig c;
    c.processes = 3;
    c.threads = 4;
    c.seed = 9;
    const SharedVarPlan a = SharedVarPlan::fromConfig(c);
    const SharedVarPlan b = SharedVarPlan::fromConfig(c);
    QCOMPARE(a.initial, b.initial);
    QVERIFY(a.sleepsNs == b.sleepsNs);
    c.seed = 10;
    const SharedVarPlan other = SharedVarPlan::fromConfig(c);
    QVERIFY(other.sleepsNs != a.sleepsNs);
    QCOMPARE(int(a.sleepsNs.size()), 3);
    for (const auto &perProcess : a.sleepsNs)
        QCOMPARE(int(perProcess.size()), 4);
    // A given initial value is taken as it is.
    c.initial = 0;
    QCOMPARE(SharedVarPlan::fromConfig(c).initial, qint64(0));
}

void TestSharedVarPlan::sleepsStayInRange_data()
{
    QTest::addColumn<int>("maxSleepMs");
    QTest::newRow("shortest") << 50;
    QTest::newRow("default") << 3000;
    QTest::newRow("longest") << 20000;
}

void TestSharedVarPlan::sleepsStayInRange()
{
    QFETCH(int, maxSleepMs);
    SharedVarConfig c;
    c.processes = 4;
    c.threads = 8;
    c.maxSleepMs = maxSleepMs;
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
        c.seed = seed;
        const SharedVarPlan plan = SharedVarPlan::fromConfig(c);
        QVERIFY(plan.initial >= 10 && plan.initial <= 99);
        for (const auto &perProcess : plan.sleepsNs) {
            for (std::int64_t ns : perProcess) {
                // At least 5% of the longest sleep, so that wake-ups are apart on the timeline.
                QVERIFY(ns >= std::int64_t(maxSleepMs) * 50000);
                QVERIFY(ns <= std::int64_t(maxSleepMs) * 1000000);
            }
        }
    }
}

void TestSharedVarPlan::randomInitialIsDrawnFirst()
{
    // The order of draws is part of "same seed, same run": the initial value first,
    // then the sleeps process by process. Drawn here a second time by hand.
    SharedVarConfig c;
    c.processes = 2;
    c.threads = 3;
    c.maxSleepMs = 1000;
    c.seed = 42;
    std::mt19937_64 rng(42);
    const qint64 initial = std::uniform_int_distribution<qint64>(10, 99)(rng);
    std::uniform_int_distribution<std::int64_t> sleep(1000 * 50000, 1000 * 1000000);
    std::vector<std::vector<std::int64_t>> sleeps(2);
    for (auto &p : sleeps)
        for (int t = 0; t < 3; ++t)
            p.push_back(sleep(rng));
    const SharedVarPlan plan = SharedVarPlan::fromConfig(c);
    QCOMPARE(plan.initial, initial);
    QVERIFY(plan.sleepsNs == sleeps);
}

void TestSharedVarPlan::spawnedChildrenDrawTheirOwnStart()
{
    SharedVarConfig c;
    c.processes = 3;
    c.threads = 2;
    c.seed = 7;
    // Fork: every child starts from the parent's value, random or not.
    SharedVarPlan plan = SharedVarPlan::fromConfig(c);
    QVERIFY(!plan.spawn);
    QCOMPARE(plan.childInitial, std::vector<qint64>(3, plan.initial));
    // Spawn with a fixed initial value: the program sets the same constant in every child.
    c.start = SharedVarConfig::Start::Spawn;
    c.initial = 71;
    plan = SharedVarPlan::fromConfig(c);
    QVERIFY(plan.spawn);
    QCOMPARE(plan.childInitial, std::vector<qint64>(3, 71));
    // Spawn with a random value: each child draws anew, from its own generator (drawn here
    // a second time by hand); the parent's draw and the sleeps stay as with fork.
    c.initial = -1;
    plan = SharedVarPlan::fromConfig(c);
    SharedVarConfig forked = c;
    forked.start = SharedVarConfig::Start::Fork;
    const SharedVarPlan forkPlan = SharedVarPlan::fromConfig(forked);
    QCOMPARE(plan.initial, forkPlan.initial);
    QVERIFY(plan.sleepsNs == forkPlan.sleepsNs);
    for (int p = 0; p < 3; ++p) {
        std::mt19937_64 own(7 * 1000003u + std::uint64_t(p) + 1);
        QCOMPARE(plan.childInitial[std::size_t(p)], std::uniform_int_distribution<qint64>(10, 99)(own));
    }
    QVERIFY2(plan.childInitial[0] != plan.childInitial[1] || plan.childInitial[1] != plan.childInitial[2],
        "three independent draws from 10..99 all equal");
}

QTEST_APPLESS_MAIN(TestSharedVarPlan)
#include "tst_sharedvarplan.moc"
