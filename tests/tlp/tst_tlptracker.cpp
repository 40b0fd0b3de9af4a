// TlpTracker on its own, fed constructed samples: the histograms over the run and the
// sliding window, the ranking of ready threads when they outnumber the cores, and the lanes.
#include "tlp/tlptracker.h"

#include <QTest>

using namespace proclab;

class TestTlpTracker : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void countsMatchTheTrace();
    void windowKeepsTheLatestSamples();
    void busiestThreadsTakeTheCores();
    void lanesFollowThreadsComingAndGoing();
    void lanesAreCappedAndBusiestFirst();
};

namespace {

TaskSample task(pid_t tid, char state, pid_t pid = 100)
{
    TaskSample t;
    t.pid = pid;
    t.tid = tid;
    t.state = state;
    t.name = QStringLiteral("t%1").arg(tid);
    return t;
}

// One sample with @p running threads in state R and @p sleeping in state S (tids from 1).
std::vector<TaskSample> sampleOf(int running, int sleeping)
{
    std::vector<TaskSample> s;
    for (int i = 0; i < running; ++i)
        s.push_back(task(1 + i, 'R'));
    for (int i = 0; i < sleeping; ++i)
        s.push_back(task(1 + running + i, 'S'));
    return s;
}

} // namespace

void TestTlpTracker::countsMatchTheTrace()
{
    TlpTracker tracker(8, 1000, 100);
    const std::vector<int> trace {0, 1, 2, 2, 3, 1, 0, 2};
    for (int n : trace)
        tracker.addSample(sampleOf(n, 3 - std::min(n, 3)));
    QCOMPARE(tracker.samples(), qint64(trace.size()));
    const TlpStats overall = tracker.overall();
    const TlpStats expected = tlpFromTrace(trace); // computed a second way
    QCOMPARE(overall.counts, expected.counts);
    QCOMPARE(overall.tlp, expected.tlp);
    QCOMPARE(tracker.window().counts, expected.counts); // the window holds everything yet
    QCOMPARE(tracker.threadsSeen(), 3);
}

void TestTlpTracker::windowKeepsTheLatestSamples()
{
    TlpTracker tracker(8, 3, 10);
    for (int n : {4, 4, 4, 4, 1, 2, 1})
        tracker.addSample(sampleOf(n, 0));
    QCOMPARE(tracker.window().samples, qint64(3));
    QCOMPARE(tracker.window().counts, tlpFromTrace({1, 2, 1}).counts);
    QCOMPARE(tracker.overall().samples, qint64(7));
    QCOMPARE(tracker.overall().maxConcurrent, 4);
    // A window of at least one sample, whatever is asked.
    TlpTracker one(8, 0, 10);
    one.addSample(sampleOf(2, 0));
    one.addSample(sampleOf(1, 0));
    QCOMPARE(one.window().samples, qint64(1));
    QCOMPARE(one.window().maxConcurrent, 1);
}

void TestTlpTracker::busiestThreadsTakeTheCores()
{
    // Two cores. Threads 1 and 2 are ready all the time; thread 3 only from sample 50 on.
    TlpTracker tracker(2, 1000, 1000);
    for (int k = 0; k < 100; ++k) {
        std::vector<TaskSample> s {task(1, 'R'), task(2, 'R'), task(3, k >= 50 ? 'R' : 'S')};
        tracker.addSample(s);
    }
    // Never more running than cores.
    QCOMPARE(tracker.overall().maxConcurrent, 2);
    QCOMPARE(tracker.overall().counts.back(), qint64(100));
    const std::vector<TlpLane> lanes = tracker.lanes(10);
    QCOMPARE(int(lanes.size()), 3);
    // The persistently busy threads keep the cores; the newcomer waits (Runnable).
    QCOMPARE(lanes[0].runningFraction, 1.0);
    QCOMPARE(lanes[1].runningFraction, 1.0);
    QCOMPARE(lanes[2].tid, pid_t(3));
    QCOMPARE(lanes[2].runningFraction, 0.0);
    QCOMPARE(lanes[2].states.back(), ThreadActivity::Runnable);
    QCOMPARE(lanes[2].states.front(), ThreadActivity::Blocked);
}

void TestTlpTracker::lanesFollowThreadsComingAndGoing()
{
    constexpr std::size_t kLane = 5;
    TlpTracker tracker(4, 100, kLane);
    tracker.addSample({task(1, 'R'), task(2, 'S')});
    tracker.addSample({task(1, 'R')}); // 2 is gone
    std::vector<TlpLane> lanes = tracker.lanes(10);
    QCOMPARE(int(lanes.size()), 2);
    const TlpLane &gone = lanes[0].tid == 2 ? lanes[0] : lanes[1];
    QCOMPARE(gone.states.size(), std::size_t(2));
    QCOMPARE(gone.states[0], ThreadActivity::Blocked);
    QCOMPARE(gone.states[1], ThreadActivity::Absent);
    // A lane keeps at most kLane entries, and leaves once its thread was gone that long.
    for (int k = 0; k < 10; ++k)
        tracker.addSample({task(1, 'R')});
    lanes = tracker.lanes(10);
    QCOMPARE(int(lanes.size()), 1);
    QCOMPARE(lanes[0].tid, pid_t(1));
    QCOMPARE(lanes[0].states.size(), kLane);
    QCOMPARE(lanes[0].pid, pid_t(100));
    QCOMPARE(lanes[0].name, QStringLiteral("t1"));
    QCOMPARE(tracker.threadsSeen(), 2); // counted over the run, lanes or not
}

void TestTlpTracker::lanesAreCappedAndBusiestFirst()
{
    TlpTracker tracker(0, 100, 50); // cores < 1: no limit
    for (int k = 0; k < 20; ++k) {
        std::vector<TaskSample> s;
        for (int t = 1; t <= 10; ++t)
            s.push_back(task(t, k % t == 0 ? 'R' : 'S')); // thread t runs every t-th sample
        tracker.addSample(s);
    }
    const std::vector<TlpLane> lanes = tracker.lanes(4);
    QCOMPARE(int(lanes.size()), 4);
    for (int i = 0; i < 4; ++i)
        QCOMPARE(lanes[i].tid, pid_t(i + 1));
    for (int i = 1; i < 4; ++i)
        QVERIFY(lanes[i - 1].runningFraction >= lanes[i].runningFraction);
}

QTEST_APPLESS_MAIN(TestTlpTracker)
#include "tst_tlptracker.moc"
