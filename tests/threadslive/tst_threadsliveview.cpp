// The live threads view draws the series the engine builds, with its own labels.
#include "threadslive/threadsliveview.h"
#include "viewtesting.h"

#include <QTest>

using namespace proclab;

class TestThreadsLiveView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sharesAndTimesFromTheEnginesSeries();
    void waitTimesOnlyWhenMeasured();
};

namespace {

std::shared_ptr<ThreadsLiveSnapshot> constructed(bool waitMeasured)
{
    auto s = std::make_shared<ThreadsLiveSnapshot>();
    s->demo = QStringLiteral("shares");
    s->cpu = 0;
    s->seconds = 1;
    s->elapsedMs = 200;
    s->waitMeasured = waitMeasured;
    for (int i = 0; i < 2; ++i) {
        LiveThread t;
        t.tid = 1000 + i;
        t.nice = i * 5;
        t.modelShare = i == 0 ? 0.75 : 0.25;
        t.measuredShare = i == 0 ? 0.7 : 0.3;
        t.samples = {LiveThreadSample {100, 70.0 - 40 * i, 30.0 + 40 * i},
            LiveThreadSample {200, 140.0 - 80 * i, 60.0 + 80 * i}};
        s->threads.push_back(t);
    }
    s->status = QStringLiteral("constructed");
    return s;
}

} // namespace

void TestThreadsLiveView::sharesAndTimesFromTheEnginesSeries()
{
    ThreadsLiveView view;
    view.resize(1000, 800);
    view.show();
    view.showSnapshot(constructed(true), RunState::Finished);
    ChartWidget *shares = view.charts().at(0);
    QCOMPARE(shares->plottableCount(), 2); // measured bars, model points
    QCOMPARE(shares->series().at(0).id, QStringLiteral("measured_share"));
    QCOMPARE(shares->plottable(0)->name(), QStringLiteral("measured on this machine"));
    QCOMPARE(shares->plottable(1)->name(), QStringLiteral("CFS model (weights)"));
    auto *bars = qobject_cast<QCPBars *>(shares->plottable(0));
    QVERIFY(bars);
    QCOMPARE(bars->data()->at(0)->value, 70.0); // percent
    ChartWidget *times = view.charts().at(1);
    QCOMPARE(times->graphCount(), 4); // run and wait per thread
    QCOMPARE(times->graph(1)->name(), QStringLiteral("T0 (nice 0) wait"));
    QCOMPARE(times->graph(2)->name(), QStringLiteral("T1 (nice 5) run"));
    QCOMPARE(times->graph(2)->data()->at(1)->value, 60.0);
    testing::saveShot(&view, QStringLiteral("threadslive-constructed"));
}

void TestThreadsLiveView::waitTimesOnlyWhenMeasured()
{
    ThreadsLiveView view;
    view.showSnapshot(constructed(false), RunState::Finished);
    ChartWidget *times = view.charts().at(1);
    QCOMPARE(times->graphCount(), 2); // run times only
    QCOMPARE(times->graph(1)->name(), QStringLiteral("T1 (nice 5) run"));
}

QTEST_MAIN(TestThreadsLiveView)
#include "tst_threadsliveview.moc"
