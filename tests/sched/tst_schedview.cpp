#include "sched/layersview.h"
#include "sched/schedview.h"
#include "threadslive/threadsliveview.h"

#include "common/viewregistry.h"
#include "viewtesting.h"

#include <QApplication>
#include <QImage>
#include <QTest>

using namespace proclab;

class TestSchedView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void registered();
    void schedulerViewDrawsThreadsAndTree();
    void layersViewAnswersClicks();
    void protectionPanelShowsCorruption();
    void sharesChartHasMeasuredAndModel();
    void kernelThreadCaptionFitsItsBox();
};

namespace {

// Runs the sched engine event by event up to @p steps and returns that snapshot.
std::shared_ptr<const SchedSnapshot> snapshotAfter(const QVariantMap &params, quint64 steps)
{
    const auto eOwner = makeEngine<SchedEngine>();
    SchedEngine &e = *eOwner;
    if (!e.configure(params))
        return nullptr;
    e.setSpeed(1e6); // pacing ~0: each stepOnce is one event
    for (quint64 i = 0; i < steps; ++i) {
        e.stepOnce();
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        for (;;) {
            auto s = std::dynamic_pointer_cast<const SchedSnapshot>(e.snapshot());
            if ((s && s->steps >= i + 1) || std::chrono::steady_clock::now() > deadline)
                break;
            QTest::qWait(2);
        }
    }
    auto s = std::dynamic_pointer_cast<const SchedSnapshot>(e.snapshot());
    e.stop();
    return s;
}

using testing::countColour;
using testing::saveShot;

} // namespace

void TestSchedView::registered()
{
    const auto &reg = ViewRegistry::builtin();
    QVERIFY(reg.find(QStringLiteral("sched.scheduler")));
    QVERIFY(reg.find(QStringLiteral("sched.layers")));
    QVERIFY(reg.find(QStringLiteral("threadslive.view")));
    QCOMPARE(reg.find(QStringLiteral("threadslive.view"))->engineId, QStringLiteral("threads-live"));
}

void TestSchedView::schedulerViewDrawsThreadsAndTree()
{
    const auto snap
        = snapshotAfter({{QStringLiteral("workload"), QStringLiteral("cpu")}, {QStringLiteral("threads"), 5},
                            {QStringLiteral("nices"), QStringLiteral("0,2,4,6,8")},
                            {QStringLiteral("policy"), QStringLiteral("cfs")}},
            12);
    QVERIFY(snap);
    QCOMPARE(snap->steps, quint64(12));
    QVERIFY(snap->cfsRoot >= 0);
    SchedView view;
    view.resize(1100, 760);
    view.showSnapshot(snap, RunState::Paused);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    saveShot(&view, QStringLiteral("sched-cfs.png"));
    const QImage diagram = view.diagram()->grab().toImage();
    // The running thread's chip is in its series colour; tree nodes are red or black discs.
    const int running = snap->kernelThreads[snap->cpuKernelThread[0]].userThread;
    QVERIFY(running >= 0);
    QVERIFY(countColour(diagram, view.theme().seriesColor(running)) > 200);
    QVERIFY(countColour(diagram, QColor(200, 40, 40), 4) + countColour(diagram, QColor(30, 30, 30), 4) > 300);
    // The state chart below drew running bars, one row per thread.
    // Every thread that has run for some time has at least one running bar; the
    // first one ran for a whole slice.
    int ran = 0;
    for (const auto &t : snap->threads)
        ran += t.cpuNs + t.overheadNs > 0 ? 1 : 0;
    QVERIFY(ran >= 2);
    QVERIFY2(view.runningBarCount() >= ran,
        qPrintable(QStringLiteral("%1 < %2").arg(view.runningBarCount()).arg(ran)));
    QVERIFY(view.primaryChart()->graphCount() >= 5); // at least one state row per thread
    QVERIFY(view.primaryChart()->toCsv().count(QLatin1Char('\n')) > 5);

    // N:1 under round robin: a plain queue, and the status line tells the last event.
    const auto rr = snapshotAfter(
        {{QStringLiteral("model"), QStringLiteral("n1")}, {QStringLiteral("policy"), QStringLiteral("rr")},
            {QStringLiteral("workload"), QStringLiteral("twoproc")}},
        8);
    QVERIFY(rr);
    view.showSnapshot(rr, RunState::Paused);
    saveShot(&view, QStringLiteral("sched-n1-rr.png"));
    QVERIFY(!view.grab().toImage().isNull());
}

void TestSchedView::layersViewAnswersClicks()
{
    const auto snap = snapshotAfter({{QStringLiteral("workload"), QStringLiteral("blocking")}}, 4);
    QVERIFY(snap);
    LayersView view;
    view.resize(900, 640);
    view.showSnapshot(snap, RunState::Paused);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QWidget *d = view.diagram();
    // Click the middle of the processor band (the bottom third).
    const double bandH = (d->height() - 20) / 3.0;
    const QPoint cpuCentre(d->width() / 2, int(6 + 2 * (bandH + 4) + 26 + (bandH - 34) / 2));
    QTest::mouseClick(d, Qt::LeftButton, {}, cpuCentre);
    QVERIFY2(view.infoText().contains(QStringLiteral("CPU 0")), qPrintable(view.infoText()));
    QVERIFY(view.infoText().contains(QStringLiteral("executes")));
    view.select(QStringLiteral("process"), 0);
    QVERIFY(view.infoText().contains(QStringLiteral("address space")));
    view.select(QStringLiteral("thread"), 1);
    QVERIFY(view.infoText().contains(QStringLiteral("Thread B")));
    saveShot(&view, QStringLiteral("t1-layers.png"));
    QVERIFY(countColour(d->grab().toImage(), view.theme().accent) > 50); // the selection outline
}

void TestSchedView::protectionPanelShowsCorruption()
{
    const auto eOwner = makeEngine<ThreadsLiveEngine>();
    ThreadsLiveEngine &e = *eOwner;
    QVERIFY(e.configure({{QStringLiteral("demo"), QStringLiteral("protection")}}));
    const Result r = runToCompletion(e, std::chrono::seconds(20));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    ThreadsLiveView view;
    view.resize(900, 600);
    view.showSnapshot(e.snapshot(), RunState::Finished);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(view.arenaWidget()->isVisible());
    saveShot(&view, QStringLiteral("protection.png"));
    const QImage img = view.arenaWidget()->grab().toImage();
    QVERIFY(countColour(img, view.theme().bad) > 200); // overwritten ledger words
    QVERIFY(countColour(img, view.theme().good) > 200); // the parent's intact ledger
}

void TestSchedView::sharesChartHasMeasuredAndModel()
{
    const auto eOwner = makeEngine<ThreadsLiveEngine>();
    ThreadsLiveEngine &e = *eOwner;
    QVERIFY(
        e.configure({{QStringLiteral("nices"), QStringLiteral("0,5")}, {QStringLiteral("seconds"), 0.5}}));
    const Result r = runToCompletion(e, std::chrono::seconds(20));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    ThreadsLiveView view;
    view.resize(900, 700);
    view.showSnapshot(e.snapshot(), RunState::Finished);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    saveShot(&view, QStringLiteral("threads-live.png"));
    QCOMPARE(view.primaryChart()->plottableCount(), 2);
    QVERIFY(!view.arenaWidget()->isVisible());
    QVERIFY(view.charts().at(1)->graphCount() >= 4);
}

QTEST_MAIN(TestSchedView)
void TestSchedView::kernelThreadCaptionFitsItsBox()
{
    const QFontMetricsF fm(Theme::byId(QStringLiteral("projector"), 1.5).font(8));
    const QString name = QStringLiteral("KT 0");
    const QString state = QStringLiteral("destroyed");
    const double oneLine = fm.horizontalAdvance(name + QLatin1Char(' ') + state);
    int twoLines = 0;
    // From a box as narrow as a kernel thread's ever is (eight in a process at 1024x768).
    for (double width = fm.horizontalAdvance(name); width <= oneLine + 40; width += 3) {
        const QStringList caption = kernelThreadCaption(fm, name, state, width);
        QVERIFY(caption.size() == 1 || caption.size() == 2);
        for (const QString &line : caption)
            QVERIFY2(fm.horizontalAdvance(line) <= width,
                qPrintable(QStringLiteral("'%1' is wider than %2 px").arg(line).arg(width)));
        // One line exactly when it fits; both words whole whenever the box holds the longer one.
        QCOMPARE(caption.size() == 1, width >= oneLine);
        if (caption.size() == 2 && width >= fm.horizontalAdvance(state)) {
            QCOMPARE(caption, QStringList({name, state}));
            ++twoLines;
        }
    }
    QVERIFY(twoLines > 0);
}

#include "tst_schedview.moc"
