#include "common/viewregistry.h"
#include "viewtesting.h"
#include "webclient/fanoutview.h"
#include "webclient/replicaview.h"
#include "webclient/webclientview.h"

#include <QApplication>
#include <QLabel>
#include <QTest>

using namespace proclab;

class TestWebClientViews : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void viewsAreRegistered();
    void waterfallDrawsABarPerFetchInTheThreadsColour();
    void emptyStateHasNoBars();
    void fanoutDrawsMeasuredAndIdealCurves();
    void replicaViewShowsTheKillAndCounters();
    void viewsLabelTheEnginesSeriesById();
    void realRunRenders();

private:
    static void save(QWidget *w, const QString &name) { testing::saveShot(w, name); }
};

namespace {

std::shared_ptr<WebClientSnapshot> constructedLoad()
{
    auto s = std::make_shared<WebClientSnapshot>();
    s->threads = 2;
    s->resources = 4;
    s->latencyMs = 100;
    s->resourceBytes = 1000;
    s->loadMs = 420;
    WaterfallEntry page;
    page.resource = -1;
    page.path = QStringLiteral("/");
    page.timing = FetchTiming {0, 1, 100, 110, 500, 200};
    s->waterfall.push_back(page);
    // Thread 0 fetches 0 and 2, thread 1 fetches 1 and 3, one latency each.
    for (int r = 0; r < 4; ++r) {
        WaterfallEntry e;
        e.resource = r;
        e.thread = r % 2;
        const double start = 110 + (r / 2) * 150;
        e.timing = FetchTiming {start, start + 1, start + 100, start + 150, 1000, 200};
        e.path = QStringLiteral("/r/%1").arg(r);
        s->waterfall.push_back(e);
    }
    s->curve = {LoadPoint {1, 800, {800}}, LoadPoint {2, 420, {420}}};
    s->status = QStringLiteral("constructed");
    return s;
}

} // namespace

void TestWebClientViews::viewsAreRegistered()
{
    const auto &reg = ViewRegistry::builtin();
    for (const char *id : {"webclient.waterfall", "rpc-fanout.speedup", "replicas.stub"})
        QVERIFY2(reg.find(QString::fromLatin1(id)), id);
    std::unique_ptr<StepView> v(reg.create(QString(), QStringLiteral("webclient"), nullptr));
    QVERIFY(qobject_cast<WebClientView *>(v.get()));
}

void TestWebClientViews::waterfallDrawsABarPerFetchInTheThreadsColour()
{
    WebClientView view;
    view.resize(1000, 800);
    view.show();
    const auto snap = constructedLoad();
    view.showSnapshot(snap, RunState::Finished);
    QCOMPARE(view.barCount(), 10); // five fetches, each waiting + receiving
    ChartWidget *chart = view.charts().front();
    chart->replot();
    const QImage img = chart->toPixmap(chart->width(), chart->height()).toImage();
    for (const auto &e : snap->waterfall) {
        if (e.resource < 0)
            continue;
        // Middle of the solid (receiving) part of the bar.
        const double x = chart->xAxis->coordToPixel((e.timing.firstByteMs + e.timing.endMs) / 2);
        const double y = chart->yAxis->coordToPixel(e.resource + 1);
        const QColor seen = img.pixelColor(int(x), int(y));
        QCOMPARE(seen.rgb(), view.theme().seriesColor(e.thread).rgb());
        // The waiting part is pale: not the solid colour, not the background.
        const double xw = chart->xAxis->coordToPixel((e.timing.connectedMs + e.timing.firstByteMs) / 2);
        const QColor wait = img.pixelColor(int(xw), int(y));
        QVERIFY(wait.rgb() != view.theme().seriesColor(e.thread).rgb());
        QVERIFY(wait.rgb() != view.theme().base.rgb());
    }
    // Threads are named in the legend; the load-time curve has measured + model.
    QCOMPARE(chart->graphCount(), 2);
    QCOMPARE(view.charts().at(1)->graphCount(), 2);
    save(&view, QStringLiteral("webclient-waterfall"));
    // A theme change redraws from the same snapshot.
    view.applyTheme(Theme::byId(QStringLiteral("dark")));
    QCOMPARE(view.barCount(), 10);
}

void TestWebClientViews::emptyStateHasNoBars()
{
    WebClientView view;
    const int chartOwnItems = view.charts().front()->itemCount(); // whatever the chart draws itself
    view.showSnapshot(constructedLoad(), RunState::Finished);
    QCOMPARE(view.charts().front()->itemCount(), chartOwnItems + 10 + 2); // bars, load line and label
    view.reset();
    QCOMPARE(view.barCount(), 0);
    QCOMPARE(view.charts().front()->itemCount(), chartOwnItems);
}

void TestWebClientViews::fanoutDrawsMeasuredAndIdealCurves()
{
    FanoutView view;
    view.resize(900, 700);
    view.show();
    auto s = std::make_shared<FanoutSnapshot>();
    s->maxServers = 4;
    s->latencyMs = 100;
    for (int m = 1; m <= 4; ++m)
        s->points.push_back(FanoutPoint {m, 100.0 * m, 102.0, 100.0 * m / 102.0});
    view.showSnapshot(s, RunState::Finished);
    ChartWidget *chart = view.charts().front();
    QCOMPARE(chart->graphCount(), 2);
    QCOMPARE(chart->graph(0)->dataCount(), 4);
    QCOMPARE(chart->graph(1)->data()->at(3)->value, 4.0); // ideal: linear
    QVERIFY(chart->toCsv().contains(QLatin1String("speed-up (measured)")));
    chart->replot();
    save(&view, QStringLiteral("rpc-fanout"));
}

void TestWebClientViews::replicaViewShowsTheKillAndCounters()
{
    ReplicaView view;
    view.resize(900, 700);
    view.show();
    auto s = std::make_shared<ReplicaSnapshot>();
    s->requests = 6;
    s->killAt = 3;
    s->killedReplica = 0;
    s->counters.resize(3);
    for (int i = 0; i < 6; ++i) {
        StubCall c;
        c.index = i;
        c.latencyMs = 20 + i;
        c.winner = i < 3 ? 0 : 1 + i % 2;
        c.outcome = {i < 3 ? 1 : 3, c.winner == 1 ? 1 : 2, c.winner == 2 ? 1 : 2};
        s->calls.push_back(c);
        for (int r = 0; r < 3; ++r) {
            ++s->counters[r].sent;
            s->counters[r].first += c.outcome[r] == 1;
            s->counters[r].late += c.outcome[r] == 2;
            s->counters[r].failed += c.outcome[r] == 3;
        }
    }
    s->counters[0].killed = true;
    ChartWidget *chart = view.charts().front();
    const int chartOwnItems = chart->itemCount();
    view.showSnapshot(s, RunState::Finished);
    QVERIFY(view.countersText().contains(QLatin1String("replica 0 (killed)")));
    QCOMPARE(chart->graphCount(), 3); // one per replica, no failures
    QCOMPARE(chart->graph(0)->dataCount() + chart->graph(1)->dataCount() + chart->graph(2)->dataCount(), 6);
    QCOMPARE(chart->itemCount(), chartOwnItems + 2); // kill line and its label
    // The kill line is drawn in the theme's "bad" colour at call 2.5.
    chart->replot();
    const QImage img = chart->toPixmap(chart->width(), chart->height()).toImage();
    const int x = int(chart->xAxis->coordToPixel(2.5));
    const int yMid = int(chart->axisRect()->center().y());
    bool found = false;
    for (int dy = -6; dy <= 6 && !found; ++dy) // dashed line: look a few pixels up and down
        found = img.pixelColor(x, yMid + dy).rgb() == view.theme().bad.rgb();
    QVERIFY(found);
    save(&view, QStringLiteral("replicas"));
}

void TestWebClientViews::viewsLabelTheEnginesSeriesById()
{
    // The engine builds the series (with ids and English names for CSV); views show their own labels.
    FanoutView fanout;
    auto f = std::make_shared<FanoutSnapshot>();
    f->maxServers = 2;
    f->points = {FanoutPoint {1, 100, 100, 1}, FanoutPoint {2, 200, 101, 200.0 / 101}};
    const std::vector<Series> engineSeries = RpcFanoutEngine::series(f->points);
    QCOMPARE(int(engineSeries.size()), 4);
    QCOMPARE(engineSeries[2].id, QStringLiteral("sequential"));
    QCOMPARE(engineSeries[2].name, QStringLiteral("sequential (measured)"));
    fanout.showSnapshot(f, RunState::Finished);
    ChartWidget *times = fanout.charts().at(1);
    QCOMPARE(times->graph(0)->name(), QStringLiteral("one after another (measured)"));
    QCOMPARE(times->graph(1)->name(), QStringLiteral("all at once (measured)"));
    QCOMPARE(times->graph(0)->data()->at(1)->value, 200.0); // the engine's numbers
    QCOMPARE(fanout.charts().front()->graph(1)->name(), QStringLiteral("linear speed-up (model)"));

    ReplicaView replica;
    auto r = std::make_shared<ReplicaSnapshot>();
    r->requests = 3;
    r->counters.resize(3);
    for (int i = 0; i < 3; ++i) {
        StubCall c;
        c.index = i;
        c.latencyMs = 10;
        c.winner = i == 2 ? -1 : i;
        c.outcome = {1, 1, 3};
        r->calls.push_back(c);
    }
    replica.showSnapshot(r, RunState::Finished);
    ChartWidget *chart = replica.charts().front();
    QCOMPARE(chart->graphCount(), 4); // three replicas and the failed call
    QCOMPARE(chart->graph(1)->name(), QStringLiteral("answered by replica 1"));
    QCOMPARE(chart->graph(3)->name(), QStringLiteral("failed for the caller"));
    QCOMPARE(chart->graph(3)->dataCount(), 1);

    WebClientView web;
    const auto load = constructedLoad();
    load->bandwidthBytesPerSec = 1e6;
    web.showSnapshot(load, RunState::Finished);
    ChartWidget *curve = web.charts().at(1);
    QCOMPARE(curve->graphCount(), 3);
    QCOMPARE(curve->graph(1)->name(), QStringLiteral("latency bound (model)"));
    QCOMPARE(curve->graph(2)->name(), QStringLiteral("bandwidth bound (model)"));
    // The bound the engine's model gives: page + ceil(4 / 2) latencies of 100 ms.
    QCOMPARE(curve->graph(1)->data()->at(1)->value, load->model().latencyBoundMs(2));
    QCOMPARE(curve->graph(1)->data()->at(1)->value, 300.0);
}

void TestWebClientViews::realRunRenders()
{
    const auto eOwner = makeEngine<WebClientEngine>();
    WebClientEngine &e = *eOwner;
    QVERIFY(e.configure({{QStringLiteral("threads"), 3}, {QStringLiteral("resources"), 6},
        {QStringLiteral("latency_ms"), 20}, {QStringLiteral("sweep"), true}}));
    const Result r = runToCompletion(e, std::chrono::seconds(60));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    WebClientView view;
    view.resize(1000, 800);
    view.show();
    view.showSnapshot(e.snapshot(), e.state());
    QCOMPARE(view.barCount(), 14);
    QCOMPARE(view.charts().at(1)->graph(0)->dataCount(), 3); // k = 1, 2, 3
    save(&view, QStringLiteral("webclient-real"));
}

QTEST_MAIN(TestWebClientViews)
#include "tst_webclientviews.moc"
