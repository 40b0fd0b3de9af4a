#include "common/viewregistry.h"
#include "tlp/tlpview.h"
#include "viewtesting.h"

#include <QTest>

using namespace proclab;

class TestTlpView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void lanesShowEachThreadsState();
    void histogramAndCeiling();
    void undefinedTlpIsSaidSo();
    void realRunRenders();
};

namespace {

std::shared_ptr<TlpSnapshot> constructed()
{
    auto s = std::make_shared<TlpSnapshot>();
    s->target = QStringLiteral("constructed");
    s->cores = 2;
    s->rateHz = 1000;
    s->achievedHz = 990;
    s->windowMs = 200;
    s->overall = tlpFromTrace({1, 1, 1, 2});
    s->window = s->overall;
    TlpLane busy {
        100, 101, QStringLiteral("busy"), std::vector<ThreadActivity>(200, ThreadActivity::Running), 1.0};
    TlpLane ready {
        100, 102, QStringLiteral("ready"), std::vector<ThreadActivity>(200, ThreadActivity::Runnable), 0};
    TlpLane sleeper {
        100, 103, QStringLiteral("sleeper"), std::vector<ThreadActivity>(200, ThreadActivity::Blocked), 0};
    s->lanes = {busy, ready, sleeper};
    s->timeS = {0.1, 0.2, 0.3};
    s->windowTlp = {1.0, 1.2, 1.25};
    return s;
}

using testing::saveShot;

} // namespace

void TestTlpView::lanesShowEachThreadsState()
{
    TlpView view;
    view.resize(1100, 800);
    view.show();
    view.showSnapshot(constructed(), RunState::Finished);
    const ActivityLanes *lanes = view.lanes();
    QCOMPARE(lanes->laneCount(), 3);
    const QImage img = const_cast<ActivityLanes *>(lanes)->grab().toImage();
    // Sample the right half of the widget at the middle of each of the three rows.
    const int x = img.width() * 3 / 4;
    const int legend = 40; // the legend below the lanes
    const int top = 4;
    const double rowH = (img.height() - legend - top) / 3.0;
    const ThreadActivity expected[3]
        = {ThreadActivity::Running, ThreadActivity::Runnable, ThreadActivity::Blocked};
    for (int row = 0; row < 3; ++row) {
        const int y = top + int((row + 0.5) * rowH);
        QCOMPARE(img.pixelColor(x, y).rgb(), lanes->colorFor(expected[row]).rgb());
    }
    saveShot(&view, QStringLiteral("tlp-constructed"));
}

void TestTlpView::histogramAndCeiling()
{
    TlpView view;
    view.resize(1100, 800);
    view.show();
    view.showSnapshot(constructed(), RunState::Finished);
    QVERIFY2(view.headline().contains(QLatin1String("TLP 1.25")), qPrintable(view.headline()));
    QVERIFY(view.headline().contains(QLatin1String("ceiling 2 cores")));
    ChartWidget *hist = view.charts().front();
    QCOMPARE(hist->plottableCount(), 1); // finished: the whole run only
    auto *bars = qobject_cast<QCPBars *>(hist->plottable(0));
    QVERIFY(bars);
    QCOMPARE(bars->data()->size(), 3);
    QCOMPARE(bars->data()->at(1)->value, 0.75);
    hist->replot();
    const QImage img = hist->toPixmap(hist->width(), hist->height()).toImage();
    const QPoint inBar(int(hist->xAxis->coordToPixel(1)), int(hist->yAxis->coordToPixel(0.4)));
    QCOMPARE(img.pixelColor(inBar).rgb(), view.theme().seriesColor(0).rgb());
    // The legend has a row of its own above the plot: it covers no bar, even one of height 1.
    QVERIFY(hist->legend->visible());
    QVERIFY2(!hist->legend->outerRect().intersects(hist->axisRect()->rect()),
        qPrintable(QStringLiteral("legend %1,%2 %3x%4 over the plot")
                       .arg(hist->legend->outerRect().x())
                       .arg(hist->legend->outerRect().y())
                       .arg(hist->legend->outerRect().width())
                       .arg(hist->legend->outerRect().height())));
    // The ceiling line of TLP over time sits at the core count.
    ChartWidget *overTime = view.charts().at(1);
    QCOMPARE(overTime->graph(0)->dataCount(), 3);
    // The engine's series, with the view's label.
    QCOMPARE(overTime->series().front().id, QStringLiteral("tlp_window"));
    QCOMPARE(overTime->graph(0)->name(), QStringLiteral("TLP, last 200 ms (measured)"));
    QCOMPARE(overTime->yAxis->range().upper, 2.5);
    // While running, the live window is shown beside the whole run.
    view.showSnapshot(constructed(), RunState::Running);
    QCOMPARE(hist->plottableCount(), 2);
    QVERIFY(view.headline().contains(QLatin1String("last 200 ms")));
}

void TestTlpView::undefinedTlpIsSaidSo()
{
    TlpView view;
    auto s = constructed();
    s->overall = tlpFromTrace({0, 0, 0});
    view.showSnapshot(s, RunState::Finished);
    QVERIFY2(view.headline().contains(QLatin1String("undefined")), qPrintable(view.headline()));
}

void TestTlpView::realRunRenders()
{
    const auto eOwner = makeEngine<TlpEngine>();
    TlpEngine &e = *eOwner;
    QVERIFY(
        e.configure({{QStringLiteral("workload"), QStringLiteral("mixed")}, {QStringLiteral("threads"), 3},
            {QStringLiteral("seconds"), 1.0}, {QStringLiteral("window_ms"), 500}}));
    const Result r = runToCompletion(e, std::chrono::seconds(60));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    std::unique_ptr<StepView> view(ViewRegistry::builtin().create(QString(), QStringLiteral("tlp"), nullptr));
    QVERIFY(qobject_cast<TlpView *>(view.get()));
    view->resize(1100, 800);
    view->show();
    view->showSnapshot(e.snapshot(), e.state());
    auto *tv = static_cast<TlpView *>(view.get());
    QVERIFY(tv->lanes()->laneCount() >= 3);
    QVERIFY(tv->headline().startsWith(QLatin1String("TLP ")));
    saveShot(view.get(), QStringLiteral("tlp-real"));
}

QTEST_MAIN(TestTlpView)
#include "tst_tlpview.moc"
