#include "sharedvar/sharedvarengine.h"

#include "helpermain.h"

#include <QTest>

#include <algorithm>
#include <cerrno>
#include <map>

#include <signal.h>
#include <sys/wait.h>

using namespace proclab;

class TestSharedVar : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void eachProcessCountsItsOwnCopy_data();
    void eachProcessCountsItsOwnCopy();
    void spawnedChildrenStartFromTheirOwnValue();
    void stopMidwayReapsEveryChild();
    void sameSeedSameSleeps();
    void everySummaryKeyIsDeclared();
};

namespace {

bool isReaped(pid_t pid)
{
    // After waitpid() collected a child, it is no longer our child: ECHILD. A forked child is
    // the fork server's, never ours: that it is gone (no zombie either) shows the server
    // collected it.
    errno = 0;
    const pid_t r = ::waitpid(pid, nullptr, WNOHANG);
    if (r != -1 || errno != ECHILD)
        return false;
    return ::kill(pid, 0) == -1 && errno == ESRCH;
}

} // namespace

void TestSharedVar::eachProcessCountsItsOwnCopy_data()
{
    QTest::addColumn<int>("processes");
    QTest::addColumn<int>("threads");
    QTest::addColumn<int>("initial");
    QTest::newRow("slides: 2 x 3") << 2 << 3 << 71;
    QTest::newRow("4 x 5") << 4 << 5 << 0;
    QTest::newRow("1 x 1") << 1 << 1 << 1000;
}

void TestSharedVar::eachProcessCountsItsOwnCopy()
{
    QFETCH(int, processes);
    QFETCH(int, threads);
    QFETCH(int, initial);
    const auto eOwner = makeEngine<SharedVarEngine>();
    SharedVarEngine &e = *eOwner;
    QString error;
    QVERIFY2(e.configure({{QStringLiteral("processes"), processes}, {QStringLiteral("threads"), threads},
                             {QStringLiteral("initial"), initial}, {QStringLiteral("max_sleep_ms"), 300},
                             {QStringLiteral("seed"), 42}},
                 &error),
        qPrintable(error));
    const Result r = runToCompletion(e, std::chrono::seconds(60));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    const auto snap = std::dynamic_pointer_cast<const SharedVarSnapshot>(e.snapshot());
    QVERIFY(snap);
    QCOMPARE(int(snap->pids.size()), processes);

    for (int p = 0; p < processes; ++p) {
        // The values seen, in the order the threads woke (by time).
        std::vector<std::pair<double, qint64>> wakes;
        std::vector<int> threadsSeen;
        qint64 endValue = -1;
        for (const auto &ev : snap->events) {
            if (ev.process != p)
                continue;
            if (ev.kind == SharedVarEvent::Kind::Wake) {
                wakes.emplace_back(ev.timeMs, ev.value);
                threadsSeen.push_back(ev.thread);
            } else if (ev.kind == SharedVarEvent::Kind::ProcessEnd) {
                endValue = ev.value;
            }
        }
        QCOMPARE(int(wakes.size()), threads);
        std::sort(wakes.begin(), wakes.end());
        for (int i = 0; i < threads; ++i)
            QCOMPARE(wakes[i].second, qint64(initial + i + 1));
        // Every thread woke exactly once.
        std::sort(threadsSeen.begin(), threadsSeen.end());
        for (int i = 0; i < threads; ++i)
            QCOMPARE(threadsSeen[i], i);
        // No process sees another's increments: its end value counts only its own threads.
        QCOMPARE(endValue, qint64(initial + threads));
        QVERIFY(snap->reaped[p]);
        QVERIFY(isReaped(snap->pids[p]));
    }
    // The parent's copy never changed.
    QCOMPARE(snap->parentValue, qint64(initial));
    QCOMPARE(r.summary.value(QStringLiteral("parent_final")).toDouble(), double(initial));
    QCOMPARE(int(r.table.rows.size()), processes * threads);
}

void TestSharedVar::spawnedChildrenStartFromTheirOwnValue()
{
    // The slides' Python program: with the spawn start method each child runs the program
    // again and draws its own random shared_x, so eve and bob count from different values.
    const auto eOwner = makeEngine<SharedVarEngine>();
    SharedVarEngine &e = *eOwner;
    QString error;
    const QVariantMap params {{QStringLiteral("processes"), 2}, {QStringLiteral("threads"), 3},
        {QStringLiteral("initial"), -1}, {QStringLiteral("max_sleep_ms"), 200}, {QStringLiteral("seed"), 7},
        {QStringLiteral("start"), QStringLiteral("spawn")}};
    QVERIFY2(e.configure(params, &error), qPrintable(error));
    const Result r = runToCompletion(e, std::chrono::seconds(60));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    const auto snap = std::dynamic_pointer_cast<const SharedVarSnapshot>(e.snapshot());
    QVERIFY(snap);
    QVERIFY(snap->spawned);
    QCOMPARE(int(snap->childInitial.size()), 2);
    for (int p = 0; p < 2; ++p) {
        const qint64 start = snap->childInitial[std::size_t(p)];
        std::vector<std::pair<double, qint64>> wakes;
        for (const auto &ev : snap->events) {
            if (ev.process == p && ev.kind == SharedVarEvent::Kind::Wake)
                wakes.emplace_back(ev.timeMs, ev.value);
        }
        QCOMPARE(int(wakes.size()), 3);
        std::sort(wakes.begin(), wakes.end());
        // The values a spawned child's threads see count up from the child's own start.
        for (int i = 0; i < 3; ++i)
            QCOMPARE(wakes[std::size_t(i)].second, start + i + 1);
        const QString name = sharedVarProcessName(p);
        QCOMPARE(r.summary.value(QStringLiteral("start_") + name).toDouble(), double(start));
        QCOMPARE(r.summary.value(QStringLiteral("final_") + name).toDouble(), double(start + 3));
        QVERIFY(isReaped(snap->pids[std::size_t(p)]));
    }
    // The parent's value is its own draw, untouched.
    QCOMPARE(snap->parentValue, snap->initial);
    QVERIFY(r.summary.value(QStringLiteral("spawned")).toBool());
}

void TestSharedVar::stopMidwayReapsEveryChild()
{
    const auto eOwner = makeEngine<SharedVarEngine>();
    SharedVarEngine &e = *eOwner;
    QVERIFY(e.configure({{QStringLiteral("processes"), 4}, {QStringLiteral("threads"), 8},
        {QStringLiteral("max_sleep_ms"), 20000}, {QStringLiteral("seed"), 5}}));
    e.setSpeed(0);
    e.start();
    // Wait until all children have started (their first reports arrived), then stop.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            const auto s = std::dynamic_pointer_cast<const SharedVarSnapshot>(e.snapshot());
            return s && s->events.size() >= 8;
        }(),
        10000);
    const auto before = std::dynamic_pointer_cast<const SharedVarSnapshot>(e.snapshot());
    std::vector<pid_t> pids = before->pids;
    e.stop();
    QCOMPARE(e.state(), RunState::Stopped);
    for (pid_t pid : pids) {
        QVERIFY(pid > 0);
        QVERIFY2(isReaped(pid), "a child was left as a zombie or still runs");
    }
    const auto after = std::dynamic_pointer_cast<const SharedVarSnapshot>(e.snapshot());
    QVERIFY(std::all_of(after->reaped.begin(), after->reaped.end(), [](bool b) { return b; }));
}

void TestSharedVar::sameSeedSameSleeps()
{
    auto sleepsOf = [](int seed) {
        const auto eOwner = makeEngine<SharedVarEngine>();
        SharedVarEngine &e = *eOwner;
        e.configure({{QStringLiteral("max_sleep_ms"), 100}, {QStringLiteral("seed"), seed}});
        runToCompletion(e, std::chrono::seconds(30));
        const auto s = std::dynamic_pointer_cast<const SharedVarSnapshot>(e.snapshot());
        std::map<std::pair<int, int>, double> sleeps;
        for (const auto &ev : s->events) {
            if (ev.kind == SharedVarEvent::Kind::Sleep)
                sleeps[{ev.process, ev.thread}] = ev.sleepMs;
        }
        return std::make_pair(sleeps, s->initial);
    };
    const auto a = sleepsOf(9);
    const auto b = sleepsOf(9);
    const auto c = sleepsOf(10);
    QCOMPARE(a.first.size(), size_t(6));
    QVERIFY(a.first == b.first);
    QCOMPARE(a.second, b.second);
    QVERIFY(a.first != c.first);
    QVERIFY(a.second >= 10 && a.second <= 99);
}

void TestSharedVar::everySummaryKeyIsDeclared()
{
    const auto eOwner = makeEngine<SharedVarEngine>();
    SharedVarEngine &e = *eOwner;
    QVERIFY(e.configure({{QStringLiteral("processes"), 4}, {QStringLiteral("threads"), 2},
        {QStringLiteral("max_sleep_ms"), 50}, {QStringLiteral("seed"), 3}}));
    const Result r = runToCompletion(e, std::chrono::seconds(30));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    const std::vector<OutputSpec> outputs = e.outputs();
    for (auto it = r.summary.begin(); it != r.summary.end(); ++it)
        QVERIFY2(
            outputsContain(outputs, it.key()), qPrintable(QStringLiteral("undeclared key: ") + it.key()));
    for (const char *name : {"eve", "bob", "ann", "joe"})
        QVERIFY(r.summary.contains(QStringLiteral("final_") + QLatin1String(name)));
    // One series per process, with a stable id; English names for CSV.
    QCOMPARE(int(r.series.size()), 4);
    QCOMPARE(r.series[0].id, QStringLiteral("wakes_eve"));
    QCOMPARE(r.series[3].id, QStringLiteral("wakes_joe"));
    QCOMPARE(int(r.series[2].x.size()), 2);
}

PROCLAB_TEST_MAIN_WITH_HELPERS(TestSharedVar)
#include "tst_sharedvar.moc"
