#include "migration/migrationliveview.h"
#include "migration/migrationrunrecord.h"
#include "migration/migrationsweepview.h"
#include "migration/pagegridwidget.h"

#include "common/runhistory.h"
#include "common/viewregistry.h"
#include "migration/migrationengine.h"
#include "migration/migrationmodel.h"
#include "migration/migrationmodelengine.h"
#include "viewtesting.h"
#include <QRegularExpression>
#include <QSet>

#include <QApplication>
#include <QJsonObject>
#include <QTest>

#include <random>

using namespace proclab;

class TestMigrationView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void gridImageOnePixelPerPage();
    void gridWidgetShowsStateColours();
    void gridRedrawsOnlyChangedPages();
    void gridCellsOfASmallVm();
    void liveViewDrawsARealRun();
    void midMigrationFrame();
    void roundsChartShowsDeltas();
    void figuresShowTheGuestOs();
    void markerLabelsNeverOverlap_data();
    void markerLabelsNeverOverlap();
    void sweepViewShowsModelAndMeasuredPoints();
    void runRecordFromResultNumbers();
    void registeredViews();
    void gridLegendNamesEachColourOnce();

private:
    // What the app's lab panel owns and hands to its views: the runs that finished so far.
    RunHistory m_history;
};

namespace {

constexpr qint64 kMiB = 1 << 20;

void maybeSave(QWidget *w, const char *name)
{
    testing::saveShot(w, QLatin1String(name));
}

std::shared_ptr<const MigrationSnapshot> runEngine(const QVariantMap &params)
{
    const auto eOwner = makeEngine<MigrationEngine>();
    MigrationEngine &e = *eOwner;
    QString error;
    if (!e.configure(params, &error))
        qFatal("%s", qPrintable(error));
    runToCompletion(e, std::chrono::seconds(120));
    return std::dynamic_pointer_cast<const MigrationSnapshot>(e.snapshot());
}

} // namespace

void TestMigrationView::gridImageOnePixelPerPage()
{
    const Theme theme = Theme::byId(QStringLiteral("light"));
    const auto colors = pageStateColors(theme);
    // A 2 GiB VM: 524,288 pages, one image, one pixel each.
    std::vector<std::uint8_t> states(524288);
    for (std::size_t i = 0; i < states.size(); ++i)
        states[i] = std::uint8_t(i % 7);
    const QImage img = renderPageGrid(states, 1024, colors, qRgb(1, 2, 3));
    QCOMPARE(img.width(), 1024);
    QCOMPARE(img.height(), 512);
    for (std::size_t i : {std::size_t(0), std::size_t(1), std::size_t(6), std::size_t(1023),
             std::size_t(1024), std::size_t(300001), std::size_t(524287)})
        QCOMPARE(img.pixel(int(i % 1024), int(i / 1024)), colors[i % 7]);
    // A partial last row is padded with the background.
    const QImage partial = renderPageGrid(std::vector<std::uint8_t>(10, 2), 4, colors, qRgb(1, 2, 3));
    QCOMPARE(partial.height(), 3);
    QCOMPARE(partial.pixel(1, 2), colors[2]);
    QCOMPARE(partial.pixel(2, 2), qRgb(1, 2, 3));
}

void TestMigrationView::gridWidgetShowsStateColours()
{
    PageGridWidget grid;
    grid.resize(400, 300);
    grid.show();
    QVERIFY(QTest::qWaitForWindowExposed(&grid));
    const Theme theme = Theme::byId(QStringLiteral("dark"));
    grid.setTheme(theme);
    std::vector<std::uint8_t> states(4096, std::uint8_t(PageState::Clean));
    for (int i = 0; i < 4096; ++i) {
        if (i < 1000)
            states[std::size_t(i)] = std::uint8_t(PageState::Sent);
        else if (i < 1100)
            states[std::size_t(i)] = std::uint8_t(PageState::Dirty);
        else if (i >= 3000)
            states[std::size_t(i)] = std::uint8_t(PageState::Missing);
    }
    grid.setStates(states);
    const QImage shot = grid.grab().toImage();
    const auto colors = pageStateColors(theme);
    QVERIFY(grid.columns() > 1);
    for (int page : {0, 500, 999, 1000, 1050, 1099, 2000, 3000, 4095}) {
        const QPoint p = grid.cellCenter(page);
        QCOMPARE(shot.pixel(p) & 0xffffff, colors[states[std::size_t(page)]] & 0xffffff);
    }
    maybeSave(&grid, "migration-grid-synthetic.png");
}

void TestMigrationView::gridRedrawsOnlyChangedPages()
{
    // Frame after frame, the kept image is updated page by page: it must always equal the
    // image rendered afresh from the same states, and only the changed pages are touched.
    PageGridWidget grid;
    grid.resize(500, 400);
    const Theme theme = Theme::byId(QStringLiteral("projector"));
    grid.setTheme(theme);
    const auto colors = pageStateColors(theme);
    std::vector<std::uint8_t> states(100003, std::uint8_t(PageState::Clean)); // a partial last row
    grid.setStates(states);
    QCOMPARE(grid.lastChangedPages(), qint64(states.size())); // first frame: everything drawn
    std::mt19937 rng(7);
    for (int frame = 0; frame < 20; ++frame) {
        const int changes = frame == 5 ? 0 : int(rng() % 3000);
        std::vector<std::uint8_t> next = states;
        for (int k = 0; k < changes; ++k)
            next[rng() % next.size()] = std::uint8_t(rng() % 7);
        qint64 differing = 0;
        for (std::size_t i = 0; i < next.size(); ++i)
            differing += next[i] != states[i];
        grid.setStates(next);
        states = next;
        QCOMPARE(grid.lastChangedPages(), differing);
        QCOMPARE(grid.image(), renderPageGrid(states, grid.columns(), colors, theme.base.rgb()));
    }
    // A new theme draws everything again, still equal to a fresh render.
    const Theme dark = Theme::byId(QStringLiteral("dark"));
    grid.setTheme(dark);
    states[0] = std::uint8_t(PageState::Resent);
    grid.setStates(states);
    QCOMPARE(grid.image(), renderPageGrid(states, grid.columns(), pageStateColors(dark), dark.base.rgb()));
}

void TestMigrationView::gridCellsOfASmallVm()
{
    // A small VM's cells are large: every page's cell, as painted, has its state's colour,
    // after an update of some pages too.
    PageGridWidget grid;
    grid.resize(420, 300);
    grid.show();
    QVERIFY(QTest::qWaitForWindowExposed(&grid));
    const Theme theme = Theme::byId(QStringLiteral("light"));
    grid.setTheme(theme);
    const auto colors = pageStateColors(theme);
    std::vector<std::uint8_t> states(150);
    for (std::size_t i = 0; i < states.size(); ++i)
        states[i] = std::uint8_t((i * 5 + i / 7) % 7);
    // The first page whose cell centre does not show its state's colour (-1: none).
    auto firstWrongCell = [&] {
        const QImage shot = grid.grab().toImage();
        for (qint64 page = 0; page < qint64(states.size()); ++page) {
            if ((shot.pixel(grid.cellCenter(page)) & 0xffffff)
                != (colors[states[std::size_t(page)]] & 0xffffff))
                return page;
        }
        return qint64(-1);
    };
    grid.setStates(states);
    QCOMPARE(firstWrongCell(), qint64(-1));
    for (std::size_t i = 0; i < states.size(); i += 3)
        states[i] = std::uint8_t(PageState::Missing);
    grid.setStates(states);
    QVERIFY(grid.lastChangedPages() > 0);
    QCOMPARE(firstWrongCell(), qint64(-1));
    maybeSave(&grid, "migration-grid-small.png");
}

void TestMigrationView::liveViewDrawsARealRun()
{
    m_history.clear();
    const auto snap = runEngine(
        {{QStringLiteral("strategy"), QStringLiteral("precopy")}, {QStringLiteral("memory"), 16 * kMiB},
            {QStringLiteral("bandwidth"), 400e6}, {QStringLiteral("dirty_rate"), 4000},
            {QStringLiteral("warmup_ms"), 300}, {QStringLiteral("after_ms"), 300}});
    QVERIFY(snap);
    QVERIFY2(snap->result.error.isEmpty(), qPrintable(snap->result.error));
    MigrationLiveView view;
    view.setRunHistory(&m_history);
    view.resize(1200, 800);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.applyTheme(Theme::byId(QStringLiteral("light")));
    m_history.add(snap); // the app's part (LabPanel::onFinished), before the last frame is drawn
    view.showSnapshot(snap, RunState::Finished);
    // Response chart: the run's samples as one graph (not also as an earlier run), and the markers.
    ChartWidget *resp = view.responseChart();
    QCOMPARE(resp->graphCount(), 1);
    QCOMPARE(resp->graph(0)->dataCount(), int(snap->samples.size()));
    QVERIFY(resp->itemCount() >= 4 * 2 + 1); // four lines with labels, the downtime band
    // Rounds chart: sent and dirtied, one bar per round each.
    ChartWidget *rounds = view.roundsChart();
    QCOMPARE(rounds->plottableCount(), 2);
    auto *sent = qobject_cast<QCPBars *>(rounds->plottable(0));
    QVERIFY(sent);
    QCOMPARE(sent->dataCount(), int(snap->rounds.size()));
    // Its legend has a row of its own above the plot: it covers no bar, however short the chart.
    rounds->replot();
    QVERIFY(rounds->legend->visible());
    QVERIFY(!rounds->legend->outerRect().intersects(rounds->axisRect()->rect()));
    // The grid: every page sent, none dirty at the end.
    QTest::qWait(100); // the charts replot on the next event-loop turn
    const QImage shot = view.grab().toImage();
    QVERIFY(!shot.isNull());
    const auto colors = pageStateColors(view.theme());
    const QPoint c = view.grid()->mapTo(&view, view.grid()->cellCenter(0));
    const QRgb px = shot.pixel(c) & 0xffffff;
    QVERIFY(px == (colors[2] & 0xffffff) || px == (colors[3] & 0xffffff));
    maybeSave(&view, "migration-live-final.png");
    // A second run of another strategy overlays it; drawing never adds to the history.
    QCOMPARE(int(m_history.runs().size()), 1);
    const auto post = runEngine(
        {{QStringLiteral("strategy"), QStringLiteral("postcopy")}, {QStringLiteral("memory"), 16 * kMiB},
            {QStringLiteral("bandwidth"), 400e6}, {QStringLiteral("dirty_rate"), 4000},
            {QStringLiteral("warmup_ms"), 300}, {QStringLiteral("after_ms"), 300}});
    QVERIFY(post);
    view.showSnapshot(post, RunState::Finished);
    QCOMPARE(int(m_history.runs().size()), 1);
    QCOMPARE(resp->graphCount(), 2); // the pre-copy run faint, this post-copy run
    m_history.add(post);
    view.showSnapshot(post, RunState::Finished);
    QCOMPARE(int(m_history.runs().size()), 2);
    QCOMPARE(resp->graphCount(), 2);
    QCOMPARE(resp->graph(0)->name(), QStringLiteral("pre-copy (earlier run)"));
    QCOMPARE(resp->graph(1)->name(), QStringLiteral("post-copy (this run)"));
    // The figures say how long the vCPU waited for a page, as the run measured it.
    const QString longest = QString::number(
        post->result.summary.value(QStringLiteral("postcopy_wait_ms_max")).toDouble(), 'f', 1);
    QVERIFY2(view.figuresText().contains(QStringLiteral("longest <b>%1 ms</b>").arg(longest)),
        qPrintable(view.figuresText()));
    QVERIFY(!view.figuresText().contains(QStringLiteral("throttled"))); // post-copy: no auto-converge
    QTest::qWait(100);
    maybeSave(&view, "migration-live-overlay.png");
}

void TestMigrationView::roundsChartShowsDeltas()
{
    // With the delta cache on, each round also charts its pages sent as deltas and the bytes
    // they saved (in pages' worth), and the bars add up to the run's own totals.
    const auto snap = runEngine({{QStringLiteral("strategy"), QStringLiteral("precopy")},
        {QStringLiteral("memory"), 16 * kMiB}, {QStringLiteral("bandwidth"), 400e6},
        {QStringLiteral("dirty_rate"), 4000}, {QStringLiteral("xbzrle_cache"), 4 * kMiB},
        {QStringLiteral("max_rounds"), 4}, {QStringLiteral("downtime_limit_ms"), 1},
        {QStringLiteral("warmup_ms"), 300}, {QStringLiteral("after_ms"), 300}});
    QVERIFY(snap);
    QVERIFY2(snap->result.error.isEmpty(), qPrintable(snap->result.error));
    const double hits = snap->result.summary.value(QStringLiteral("xbzrle_hits")).toDouble();
    const double saved = snap->result.summary.value(QStringLiteral("xbzrle_bytes_saved")).toDouble();
    QVERIFY2(hits > 0, "the hot set is rewritten, so some dirty pages are in the cache");
    MigrationLiveView view;
    view.resize(1200, 800);
    view.showSnapshot(snap, RunState::Finished);
    ChartWidget *rounds = view.roundsChart();
    QCOMPARE(rounds->plottableCount(), 4);
    const auto barSum = [rounds](int i) {
        double sum = 0;
        auto *bars = qobject_cast<QCPBars *>(rounds->plottable(i));
        for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it)
            sum += it->value;
        return sum;
    };
    QCOMPARE(barSum(2), hits);
    QCOMPARE(qRound64(barSum(3) * 4096), qint64(saved));
    QCOMPARE(rounds->plottable(2)->name(), QStringLiteral("as deltas"));
}

void TestMigrationView::figuresShowTheGuestOs()
{
    // A toy guest OS migrated by post-copy: the figures say whether it went on, from the run's
    // own verdict, with the last console line before the pause and at the end.
    const auto snap = runEngine({{QStringLiteral("strategy"), QStringLiteral("postcopy")},
        {QStringLiteral("workload"), QStringLiteral("toyos")}, {QStringLiteral("memory"), 16 * kMiB},
        {QStringLiteral("warmup_ms"), 300}, {QStringLiteral("after_ms"), 300}});
    QVERIFY(snap);
    QVERIFY2(snap->result.error.isEmpty(), qPrintable(snap->result.error));
    const QJsonObject &s = snap->result.summary;
    MigrationLiveView view;
    view.resize(1200, 800);
    view.showSnapshot(snap, RunState::Finished);
    const QString text = view.figuresText();
    const bool went = s.value(QStringLiteral("guest_continued")).toString() == QLatin1String("yes");
    QCOMPARE(text.contains(QStringLiteral("continued on the destination")), went);
    const QString tail
        = s.value(QStringLiteral("guest_console_tail")).toString().split(QStringLiteral(" | ")).constLast();
    QVERIFY(!tail.isEmpty());
    QVERIFY2(text.contains(tail.toHtmlEscaped()), qPrintable(text));
    QCOMPARE(text.contains(QStringLiteral("Urgent channel")), s.contains(QStringLiteral("urgent_pages")));
}

void TestMigrationView::midMigrationFrame()
{
    // Grab the view while a capped pre-copy is sending: some pages sent, some not yet.
    const auto eOwner = makeEngine<MigrationEngine>();
    MigrationEngine &e = *eOwner;
    QString error;
    QVERIFY(e.configure({{QStringLiteral("strategy"), QStringLiteral("precopy")},
                            {QStringLiteral("memory"), 64 * kMiB}, {QStringLiteral("bandwidth"), 200e6},
                            {QStringLiteral("dirty_rate"), 20000}, {QStringLiteral("hot_set"), 8 * kMiB},
                            {QStringLiteral("warmup_ms"), 300}, {QStringLiteral("after_ms"), 200}},
        &error));
    e.setSpeed(0);
    e.start();
    std::shared_ptr<const MigrationSnapshot> mid;
    for (int i = 0; i < 600 && !mid; ++i) {
        QTest::qWait(20);
        auto s = std::dynamic_pointer_cast<const MigrationSnapshot>(e.snapshot());
        if (s && s->phase == MigrationPhase::FirstPass && s->pagesSentTotal > s->pages / 3)
            mid = s;
    }
    e.stop();
    QVERIFY(mid);
    int sent = 0, clean = 0, dirty = 0;
    for (std::uint8_t st : mid->pageStates) {
        sent += st == std::uint8_t(PageState::Sent);
        clean += st == std::uint8_t(PageState::Clean);
        dirty += st == std::uint8_t(PageState::Dirty);
    }
    QVERIFY(sent > 0 && clean > 0 && dirty > 0);
    MigrationLiveView view;
    view.setRunHistory(&m_history);
    view.resize(1200, 800);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.showSnapshot(mid, RunState::Running);
    // The running strategy's own curve is drawn, after the earlier runs.
    QVERIFY(view.responseChart()->graphCount() >= 1);
    QCOMPARE(view.responseChart()->graph(view.responseChart()->graphCount() - 1)->dataCount(),
        int(mid->samples.size()));
    QVERIFY(!mid->samples.empty());
    QTest::qWait(100); // the charts replot on the next event-loop turn
    const QImage shot = view.grab().toImage();
    const auto colors = pageStateColors(view.theme());
    // Page 0 went first; the last page is not sent yet.
    const QRgb first = shot.pixel(view.grid()->mapTo(&view, view.grid()->cellCenter(0))) & 0xffffff;
    QVERIFY(first == (colors[2] & 0xffffff) || first == (colors[1] & 0xffffff));
    const QRgb last
        = shot.pixel(view.grid()->mapTo(&view, view.grid()->cellCenter(mid->pages - 1))) & 0xffffff;
    QVERIFY(last == (colors[0] & 0xffffff) || last == (colors[1] & 0xffffff));
    maybeSave(&view, "migration-live-mid.png");
}

void TestMigrationView::markerLabelsNeverOverlap_data()
{
    // Moments (ms on the run's clock): start, pause, resume, end; the run lasts 10 s.
    QTest::addColumn<QList<double>>("moments");
    QTest::newRow("apart") << QList<double> {1000, 5000, 6000, 9000};
    QTest::newRow("short downtime") << QList<double> {1000, 5000, 5003, 9000};
    QTest::newRow("all within 20 ms") << QList<double> {5000, 5005, 5010, 5020};
    QTest::newRow("stop-and-copy at once") << QList<double> {3000, 3000, 3001, 3001};
    QTest::newRow("at the right edge") << QList<double> {9950, 9960, 9980, 9999};
    QTest::newRow("still paused") << QList<double> {2000, 2010, -1, -1};
}

void TestMigrationView::markerLabelsNeverOverlap()
{
    QFETCH(QList<double>, moments);
    auto snap = std::make_shared<MigrationSnapshot>();
    snap->strategy = QStringLiteral("precopy");
    snap->pages = 16;
    snap->pageStates.assign(16, 0);
    for (int i = 0; i <= 1000; ++i)
        snap->samples.push_back({double(i) * 10, 1.0 + (i % 7), false});
    snap->elapsedMs = 10000;
    snap->migrationStartMs = moments[0];
    snap->pauseMs = moments[1];
    snap->resumeMs = moments[2];
    snap->endMs = moments[3];
    for (const Theme &theme :
        {Theme::byId(QStringLiteral("light")), Theme::byId(QStringLiteral("projector"))}) {
        MigrationLiveView view(nullptr, false);
        view.resize(1280, 700);
        view.applyTheme(theme);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.showSnapshot(snap, snap->endMs >= 0 ? RunState::Finished : RunState::Running);
        ChartWidget *chart = view.responseChart();
        chart->replot(QCustomPlot::rpImmediateRefresh); // lays the chart out, then the labels
        const QList<QCPItemText *> labels = view.markerLabels();
        int marked = 0;
        for (double ms : moments)
            marked += ms >= 0 ? 1 : 0;
        QCOMPARE(labels.size(), marked);
        const QRect plot = chart->axisRect()->rect();
        QList<QRectF> boxes;
        for (QCPItemText *t : labels) {
            const QRectF box(t->topLeft->pixelPosition(), t->bottomRight->pixelPosition());
            QVERIFY(box.width() > 5 && box.height() > 5);
            // Inside the plot, and touching its own marker line at the left or right edge.
            QVERIFY2(QRectF(plot).adjusted(-1, -1, 1, 1).contains(box),
                qPrintable(QStringLiteral("%1 at %2,%3 %4x%5")
                               .arg(t->text())
                               .arg(box.x())
                               .arg(box.y())
                               .arg(box.width())
                               .arg(box.height())));
            const double lineX = chart->xAxis->coordToPixel(t->position->coords().x());
            QVERIFY(std::abs(box.left() - lineX) < 1.5 || std::abs(box.right() - lineX) < 1.5);
            for (const QRectF &other : boxes)
                QVERIFY2(!box.intersects(other), qPrintable(t->text()));
            boxes << box;
        }
        maybeSave(&view,
            qPrintable(QStringLiteral("migration-markers-%1-%2.png")
                           .arg(QString::fromLatin1(QTest::currentDataTag())
                                    .replace(QLatin1Char(' '), QLatin1Char('-')),
                               theme.id)));
    }
}

void TestMigrationView::sweepViewShowsModelAndMeasuredPoints()
{
    const auto eOwner = makeEngine<MigrationModelEngine>();
    MigrationModelEngine &e = *eOwner;
    QString error;
    QVERIFY(e.configure({{QStringLiteral("memory"), 16 * kMiB}, {QStringLiteral("bandwidth"), 400e6},
                            {QStringLiteral("sweep_max"), 20000}},
        &error));
    runToCompletion(e, std::chrono::seconds(10));
    MigrationSweepView view;
    view.setRunHistory(&m_history);
    view.resize(1200, 600);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.showSnapshot(e.snapshot(), RunState::Finished);
    const QList<ChartWidget *> charts = view.charts();
    QCOMPARE(charts.size(), 2);
    // Three model curves, plus the two measured runs of the previous test as points.
    QCOMPARE(charts[0]->graphCount(), 3 + 2);
    QVERIFY(charts[0]->graph(0)->dataCount() > 10);
    QCOMPARE(charts[0]->graph(3)->dataCount(), 1);
    QCOMPARE(charts[0]->graph(3)->lineStyle(), QCPGraph::lsNone);
    // Labelled by the view from the series ids, in the house order.
    QCOMPARE(charts[0]->graph(0)->name(), QStringLiteral("stop-and-copy (model)"));
    QCOMPARE(charts[1]->graph(1)->name(), QStringLiteral("pre-copy (model)"));
    QCOMPARE(charts[0]->graph(3)->name(), QStringLiteral("pre-copy (measured)"));
    QCOMPARE(charts[0]->graph(4)->name(), QStringLiteral("post-copy (measured)"));
    // Without a history there is nothing measured to show.
    MigrationSweepView bare;
    bare.showSnapshot(e.snapshot(), RunState::Finished);
    QCOMPARE(bare.charts()[0]->graphCount(), 3);
    QTest::qWait(100);
    QVERIFY(!view.grab().toImage().isNull());
    maybeSave(&view, "migration-sweep.png");
}

void TestMigrationView::runRecordFromResultNumbers()
{
    Result r;
    r.engineId = QStringLiteral("migration");
    r.summary.insert(QStringLiteral("strategy"), QStringLiteral("precopy"));
    r.summary.insert(QStringLiteral("dirty_rate_pages_s"), 4000.0);
    r.summary.insert(QStringLiteral("bandwidth_cap_mbit_s"), 400.0);
    r.summary.insert(QStringLiteral("memory_mib"), 16.0);
    r.summary.insert(QStringLiteral("downtime_vm_ms"), 12.5);
    r.summary.insert(QStringLiteral("total_ms"), 700.0);
    r.summary.insert(QStringLiteral("downtime_client_ms"), 30.0);
    r.summary.insert(QStringLiteral("migration_start_ms"), 500.0);
    Series other;
    other.id = QStringLiteral("pages_sent");
    other.x = {0, 1};
    other.y = {4096, 100};
    Series resp;
    resp.id = QStringLiteral("response_time");
    resp.x = {0.25, 0.5, 1.0}; // seconds since the run began
    resp.y = {2.0, 0.0, 40.0};
    r.series = {other, resp};
    const std::optional<MigrationRunRecord> rec = MigrationRunRecord::fromResult(r);
    QVERIFY(rec);
    QCOMPARE(rec->strategy, QStringLiteral("precopy"));
    QCOMPARE(rec->dirtyRate, 4000.0);
    QCOMPARE(rec->bandwidthBits, 400e6);
    QCOMPARE(rec->memoryBytes, 16.0 * kMiB);
    QCOMPARE(rec->downtimeMs, 12.5);
    QCOMPARE(rec->totalMs, 700.0);
    QCOMPARE(rec->clientDowntimeMs, 30.0);
    // Times since the migration started (0.5 s into the run); no zero on a log axis.
    QCOMPARE(rec->timeSec, (std::vector<double> {-0.25, 0.0, 0.5}));
    QCOMPARE(rec->responseMs, (std::vector<double> {2.0, 1e-3, 40.0}));
    // An abandoned run is no point on the model's curves.
    r.error = QStringLiteral("migration abandoned: test");
    QCOMPARE(MigrationRunRecord::fromResult(r)->downtimeMs, -1.0);
    // Another engine's result is not a migration.
    r.engineId = QStringLiteral("migration-model");
    QVERIFY(!MigrationRunRecord::fromResult(r));
}

void TestMigrationView::registeredViews()
{
    const auto &reg = ViewRegistry::builtin();
    for (const char *id : {"migration.live", "migration.response", "migration.sweep"})
        QVERIFY2(reg.find(QLatin1String(id)), id);
    QCOMPARE(reg.find(QStringLiteral("migration.sweep"))->engineId, QStringLiteral("migration-model"));
}

void TestMigrationView::gridLegendNamesEachColourOnce()
{
    // Pre-copy's grid shows sent and re-sent pages, post-copy's the destination's present,
    // missing and fetched ones: each legend lists its own, and no colour twice.
    const Theme theme = Theme::byId(QStringLiteral("projector"));
    MigrationLiveView view(nullptr, true);
    view.applyTheme(theme);
    for (const QString &strategy : {QStringLiteral("precopy"), QStringLiteral("postcopy")}) {
        auto snap = std::make_shared<MigrationSnapshot>();
        snap->strategy = strategy;
        snap->pages = 16;
        snap->pageStates.assign(16, 0);
        view.showSnapshot(snap, RunState::Running);
        const QString legend = view.gridLegendText();
        const bool post = strategy == QLatin1String("postcopy");
        QCOMPARE(legend.contains(QStringLiteral("re-sent")), !post);
        QCOMPARE(legend.contains(QStringLiteral("missing&nbsp;at&nbsp;destination")), post);
        QCOMPARE(legend.contains(QStringLiteral("fetched&nbsp;on&nbsp;demand")), post);
        const QRegularExpression colour(QStringLiteral("color:(#[0-9a-f]{6})"));
        QStringList colours;
        for (auto it = colour.globalMatch(legend); it.hasNext();)
            colours << it.next().captured(1);
        QCOMPARE(colours.size(), post ? 5 : 4);
        QCOMPARE(QSet<QString>(colours.begin(), colours.end()).size(), colours.size());
    }
}

QTEST_MAIN(TestMigrationView)
#include "tst_migrationview.moc"
