// The run history the app owns and hands to its views.
#include "common/runhistory.h"

#include <QTest>

using namespace proclab;

class TestRunHistory : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void keepsResultsAndKnowsTheirSnapshots();
    void boundedPerEngine();
    void identityIsTheSnapshotNotItsAddress();
};

namespace {

std::shared_ptr<const Snapshot> finished(const QString &engine, double value)
{
    auto s = std::make_shared<Snapshot>();
    s->result.engineId = engine;
    s->result.summary.insert(QStringLiteral("value"), value);
    return s;
}

} // namespace

void TestRunHistory::keepsResultsAndKnowsTheirSnapshots()
{
    RunHistory history;
    const auto a = finished(QStringLiteral("a"), 1);
    const auto b = finished(QStringLiteral("b"), 2);
    history.add(a);
    history.add(b);
    history.add(a); // the same run twice (a redraw): kept once
    history.add(nullptr); // nothing to keep
    QCOMPARE(int(history.runs().size()), 2);
    QVERIFY(history.contains(a));
    QVERIFY(history.contains(b));
    QVERIFY(!history.contains(finished(QStringLiteral("a"), 1))); // equal numbers, another run
    QVERIFY(!history.contains(nullptr));
    const auto runsOfA = history.runsOf(QStringLiteral("a"));
    QCOMPARE(int(runsOfA.size()), 1);
    QCOMPARE(runsOfA.front()->result.summary.value(QStringLiteral("value")).toDouble(), 1.0);
    history.clear();
    QVERIFY(history.runs().empty());
    QVERIFY(!history.contains(a));
}

void TestRunHistory::boundedPerEngine()
{
    RunHistory history;
    history.add(finished(QStringLiteral("other"), -1));
    for (int i = 0; i < int(RunHistory::kMaxRunsPerEngine) + 5; ++i)
        history.add(finished(QStringLiteral("busy"), i));
    const auto busy = history.runsOf(QStringLiteral("busy"));
    QCOMPARE(busy.size(), RunHistory::kMaxRunsPerEngine);
    // The oldest went first; another engine's run stays.
    QCOMPARE(busy.front()->result.summary.value(QStringLiteral("value")).toDouble(), 5.0);
    QCOMPARE(busy.back()->result.summary.value(QStringLiteral("value")).toDouble(),
        double(RunHistory::kMaxRunsPerEngine + 4));
    QCOMPARE(int(history.runsOf(QStringLiteral("other")).size()), 1);
}

void TestRunHistory::identityIsTheSnapshotNotItsAddress()
{
    RunHistory history;
    auto first = finished(QStringLiteral("a"), 1);
    history.add(first);
    const Snapshot *address = first.get();
    first.reset(); // the history does not keep the snapshot alive...
    QCOMPARE(int(history.runs().size()), 1);
    QVERIFY(history.runs().front().snapshot.expired());
    // ...and a new snapshot, even one that happens to reuse the address, is another run.
    for (int i = 0; i < 100; ++i) {
        const auto next = finished(QStringLiteral("a"), 2);
        QVERIFY(!history.contains(next));
        if (next.get() == address)
            break;
    }
    QCOMPARE(history.runs().front().result.summary.value(QStringLiteral("value")).toDouble(), 1.0);
}

QTEST_APPLESS_MAIN(TestRunHistory)
#include "tst_runhistory.moc"
