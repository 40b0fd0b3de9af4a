// The page-load pieces of the web client on their own: the recorder client threads share,
// the load-time curve and the model bounds.
#include "webclient/loadcurve.h"
#include "webclient/pageloadrecorder.h"

#include <QTest>

#include <set>
#include <thread>

using namespace proclab;

class TestPageLoad : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sweepCountsDoubleUpToTheMaximum_data();
    void sweepCountsDoubleUpToTheMaximum();
    void recorderHandsOutEachReferenceOnce();
    void recorderDrainsOnlyWhatIsNew();
    void threadsShareTheRecorder();
    void loadTimeAndFirstError();
    void curveMediansBestAndKnee();
    void modelBounds();
};

namespace {

WaterfallEntry fetched(int resource, double endMs, const QString &error = {})
{
    WaterfallEntry e;
    e.resource = resource;
    e.path = QStringLiteral("/r/%1").arg(resource);
    e.timing.endMs = endMs;
    e.error = error;
    return e;
}

std::vector<std::string> refs(int n)
{
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i)
        out.push_back("/r/" + std::to_string(i));
    return out;
}

} // namespace

void TestPageLoad::sweepCountsDoubleUpToTheMaximum_data()
{
    QTest::addColumn<int>("max");
    QTest::addColumn<std::vector<int>>("counts");
    QTest::newRow("1") << 1 << std::vector<int> {1};
    QTest::newRow("4") << 4 << std::vector<int> {1, 2, 4};
    QTest::newRow("6") << 6 << std::vector<int> {1, 2, 4, 6};
    QTest::newRow("32") << 32 << std::vector<int> {1, 2, 4, 8, 16, 32};
}

void TestPageLoad::sweepCountsDoubleUpToTheMaximum()
{
    QFETCH(int, max);
    QFETCH(std::vector<int>, counts);
    QCOMPARE(sweepCounts(max), counts);
}

void TestPageLoad::recorderHandsOutEachReferenceOnce()
{
    PageLoadRecorder r(refs(3));
    QCOMPARE(r.size(), 3);
    QCOMPARE(r.takeNext(), 0);
    QCOMPARE(r.takeNext(), 1);
    QCOMPARE(r.reference(1), std::string("/r/1"));
    QCOMPARE(r.takeNext(), 2);
    QCOMPARE(r.takeNext(), -1);
    QCOMPARE(r.takeNext(), -1); // and stays done
    PageLoadRecorder empty({});
    QCOMPARE(empty.takeNext(), -1);
    std::vector<WaterfallEntry> out;
    QVERIFY(empty.drainInto(&out)); // nothing to fetch: complete at once
}

void TestPageLoad::recorderDrainsOnlyWhatIsNew()
{
    PageLoadRecorder r(refs(3));
    std::vector<WaterfallEntry> out;
    QVERIFY(!r.drainInto(&out));
    QVERIFY(out.empty());
    r.record(fetched(1, 10));
    r.record(fetched(0, 12));
    QVERIFY(!r.drainInto(&out));
    QCOMPARE(int(out.size()), 2);
    QCOMPARE(out[0].resource, 1); // in the order they finished
    QVERIFY(!r.drainInto(&out));
    QCOMPARE(int(out.size()), 2);
    r.record(fetched(2, 20));
    QVERIFY(r.drainInto(&out));
    QCOMPARE(int(out.size()), 3);
}

void TestPageLoad::threadsShareTheRecorder()
{
    constexpr int kRefs = 200;
    PageLoadRecorder r(refs(kRefs));
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&r, t] {
            for (int i = r.takeNext(); i >= 0; i = r.takeNext()) {
                WaterfallEntry e = fetched(i, i);
                e.thread = t;
                r.record(e);
            }
        });
    }
    std::vector<WaterfallEntry> out;
    while (!r.drainInto(&out))
        std::this_thread::yield();
    for (auto &th : threads)
        th.join();
    std::set<int> seen;
    for (const auto &e : out)
        QVERIFY(seen.insert(e.resource).second);
    QCOMPARE(int(seen.size()), kRefs);
}

void TestPageLoad::loadTimeAndFirstError()
{
    QCOMPARE(loadTimeMs({}), 0.0);
    std::vector<WaterfallEntry> w {fetched(-1, 100), fetched(0, 250), fetched(1, 180)};
    QCOMPARE(loadTimeMs(w), 250.0);
    QVERIFY(firstFetchError(w).isEmpty());
    w.push_back(fetched(2, 190, QStringLiteral("timed out")));
    w.push_back(fetched(3, 195, QStringLiteral("connection refused")));
    QCOMPARE(firstFetchError(w), QStringLiteral("/r/2: timed out"));
}

void TestPageLoad::curveMediansBestAndKnee()
{
    LoadCurve curve;
    QVERIFY(curve.empty());
    QCOMPARE(curve.bestMs(), 0.0);
    QCOMPARE(curve.kneeThreads(), 0);
    QCOMPARE(curve.add(1, {900, 800, 1000}).loadMs, 900.0); // median of the repeats
    curve.add(2, {420, 440});
    curve.add(4, {215});
    curve.add(8, {205});
    QCOMPARE(curve.points()[1].loadMs, 430.0);
    QCOMPARE(curve.points()[1].samples.size(), std::size_t(2));
    QCOMPARE(curve.bestMs(), 205.0);
    // 4 threads are within 10% of the best: more threads stop paying there.
    QCOMPARE(curve.kneeThreads(), 4);
    QCOMPARE(curve.speedup(curve.points()[2]), 900.0 / 215.0);
    QCOMPARE(curve.speedup(curve.points()[0]), 1.0);
    LoadPoint zero;
    zero.loadMs = 0;
    QCOMPARE(curve.speedup(zero), 0.0);
}

void TestPageLoad::modelBounds()
{
    PageLoadModel m {16, 50, 32 * 1024, 0};
    // The page plus ceil(16 / k) rounds of one latency.
    QCOMPARE(m.latencyBoundMs(1), 50.0 + 16 * 50.0);
    QCOMPARE(m.latencyBoundMs(3), 50.0 + 6 * 50.0);
    QCOMPARE(m.latencyBoundMs(16), 100.0);
    QCOMPARE(m.latencyBoundMs(64), 100.0);
    QCOMPARE(m.bandwidthBoundMs(), 0.0); // unlimited
    m.bandwidthBytesPerSec = 1e6; // 8 Mbit/s
    QCOMPARE(m.bandwidthBoundMs(), 1000.0 * 16 * 32 * 1024 / 1e6);
}

QTEST_APPLESS_MAIN(TestPageLoad)
#include "tst_pageload.moc"
