#include "cache/cacheengine.h"
#include "cache/cacheview.h"
#include "ctxswitch/indirectview.h"
#include "ctxswitch/switchdiagram.h"
#include "ctxswitch/switchview.h"

#include "common/livetextlabel.h"
#include "common/stats.h"
#include "common/viewregistry.h"
#include "ctxswitch/ctxswitchengine.h"
#include "helpermain.h"
#include "viewtesting.h"

#include <QApplication>
#include <QFontMetricsF>
#include <QLabel>
#include <QPushButton>
#include <QSet>
#include <QTest>
#include <QTextBlock>
#include <QTextDocument>
#include <QTextLayout>

#include <cmath>

using namespace proclab;

class TestCtxSwitchViews : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void registered();
    void cacheGridColoursLinesByOwner();
    void cacheGridFramesTheCurrentAccess();
    void cacheViewShowsErrors();
    void cacheLegendBreaksOnlyBetweenEntries();
    void switchDiagramSteps();
    void switchViewDrawsHistogramsAndCreations();
    void switchViewShowsTheChartsOfItsParts_data();
    void switchViewShowsTheChartsOfItsParts();
    void indirectViewMarksCaches();
    void indirectViewKeepsEveryMarkerInside();
    void realRunRenders();

private:
    static void save(QWidget &w, const char *name) { testing::saveShot(&w, QLatin1String(name)); }
};

namespace {

std::shared_ptr<CtxSwitchSnapshot> syntheticCtxSnapshot()
{
    auto s = std::make_shared<CtxSwitchSnapshot>();
    s->syscall.id = QStringLiteral("syscall");
    s->syscall.valuesNs = {300, 310, 320};
    s->syscall.medianNs = 310;
    auto sample = [](const QString &id, const QString &label, double base) {
        CostSample c;
        c.id = id;
        c.label = label;
        for (int i = 0; i < 500; ++i)
            c.valuesNs.push_back(base + (i % 50) * base / 100.0);
        c.medianNs = percentile(c.valuesNs, 0.5);
        c.p10Ns = percentile(c.valuesNs, 0.1);
        c.p90Ns = percentile(c.valuesNs, 0.9);
        return c;
    };
    s->switches = {sample(QStringLiteral("thread_switch_pipe"), QStringLiteral("thread switch (pipe)"), 5000),
        sample(QStringLiteral("process_switch_pipe"), QStringLiteral("process switch (pipe)"), 11000)};
    s->creations
        = {sample(QStringLiteral("thread_create"), QStringLiteral("std::thread create + join"), 30000),
            sample(QStringLiteral("fork"), QStringLiteral("fork + _exit + waitpid"), 300000),
            sample(QStringLiteral("spawn"), QStringLiteral("posix_spawn /bin/true + waitpid"), 900000)};
    for (qint64 w = 4096; w <= 4 * 1024 * 1024; w *= 4) {
        IndirectPoint p;
        p.workingSetBytes = w;
        p.warmWalkNs = double(w) / 64.0;
        p.afterSwitchWalkNs = p.warmWalkNs * 1.5;
        p.indirectNs = p.afterSwitchWalkNs - p.warmWalkNs;
        // The smallest set's difference within the walks' spread (below the noise), the others above.
        p.spreadLowNs = w == 4096 ? -p.indirectNs : p.indirectNs * 0.8;
        p.spreadHighNs = p.indirectNs * 1.2;
        p.repetitions = 5;
        s->indirect.push_back(p);
    }
    s->caches = {{1, QStringLiteral("Data"), 48 * 1024}, {2, QStringLiteral("Unified"), 1024 * 1024},
        {3, QStringLiteral("Unified"), qint64(512) * 1024 * 1024}};
    s->cacheSource = QStringLiteral("test");
    s->status = QStringLiteral("synthetic");
    // The series the engine builds as it measures.
    s->updateSwitchHistograms();
    s->updateIndirectCurve();
    return s;
}

bool hasManyColours(const QImage &img)
{
    QSet<QRgb> colours;
    for (int y = 0; y < img.height(); y += 7)
        for (int x = 0; x < img.width(); x += 7)
            colours.insert(img.pixel(x, y));
    return colours.size() > 4;
}

} // namespace

void TestCtxSwitchViews::registered()
{
    const ViewRegistry &reg = ViewRegistry::builtin();
    QVERIFY(reg.find(QStringLiteral("ctxswitch.switch")));
    QVERIFY(reg.find(QStringLiteral("ctxswitch.indirect")));
    QVERIFY(reg.find(QStringLiteral("cache.grid")));
    std::unique_ptr<StepView> def(reg.create(QString(), QStringLiteral("ctxswitch"), nullptr));
    QVERIFY(dynamic_cast<SwitchView *>(def.get()));
    std::unique_ptr<StepView> cache(reg.create(QString(), QStringLiteral("cache"), nullptr));
    QVERIFY(dynamic_cast<CacheView *>(cache.get()));
}

void TestCtxSwitchViews::cacheGridColoursLinesByOwner()
{
    const auto eOwner = makeEngine<CacheEngine>();
    CacheEngine &e = *eOwner;
    QVERIFY(e.configure({}));
    const Result r = runToCompletion(e, std::chrono::seconds(30));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    const auto snap = std::dynamic_pointer_cast<const CacheSnapshot>(e.snapshot());
    QVERIFY(snap && snap->hasGrid);

    CacheView view;
    view.resize(1000, 640);
    view.showSnapshot(snap, RunState::Finished);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    save(view, "cache-view-final.png");
    CacheGridWidget *grid = view.grid();
    const QImage img = grid->grab().toImage();
    QVERIFY(hasManyColours(img));
    const int sets = int(snap->geometry.sets());
    const int ways = int(snap->geometry.ways);
    int aCells = 0;
    int bCells = 0;
    for (int s = 0; s < sets; ++s) {
        for (int w = 0; w < ways; ++w) {
            const CacheLineView &line = snap->lines[std::size_t(s * ways + w)];
            QVERIFY(line.valid); // A filled the whole 1 KiB cache
            const QRect cell = grid->cellRect(s, w);
            QVERIFY(!cell.isEmpty());
            // Bottom-left corner: away from the text and the dirty triangle.
            const QColor got = img.pixelColor(cell.left() + 3, cell.bottom() - 3);
            QCOMPARE(got.rgb(), grid->ownerColor(line.owner).rgb());
            (line.owner == 0 ? aCells : bCells)++;
        }
    }
    // After the run A is back in (almost) every line; the count matches the snapshot.
    QCOMPARE(aCells + bCells, sets * ways);
    QVERIFY(aCells > 0);
    // The hit-rate chart has the running series.
    QCOMPARE(view.charts().front()->graphCount(), 1);
    QCOMPARE(view.charts().front()->graph(0)->dataCount(), int(snap->hitRate.x.size()));
}

void TestCtxSwitchViews::cacheGridFramesTheCurrentAccess()
{
    const auto eOwner = makeEngine<CacheEngine>();
    CacheEngine &e = *eOwner;
    QVERIFY(e.configure({}));
    e.setSpeed(1);
    e.pause();
    e.start();
    e.stepOnce();
    QTRY_VERIFY_WITH_TIMEOUT(std::dynamic_pointer_cast<const CacheSnapshot>(e.snapshot()) != nullptr, 10000);
    const auto snap = std::dynamic_pointer_cast<const CacheSnapshot>(e.snapshot());
    e.stop();
    QCOMPARE(snap->accessIndex, qint64(0));
    QVERIFY(!snap->outcome.hit); // a cold miss

    CacheView view;
    view.resize(900, 600);
    view.showSnapshot(snap, RunState::Paused);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    save(view, "cache-view-step1.png");
    const QImage img = view.grid()->grab().toImage();
    const QRect cell = view.grid()->cellRect(int(snap->outcome.set), int(snap->outcome.way));
    // The frame of the touched line is in the "miss" colour; an untouched empty line is not.
    QCOMPARE(img.pixelColor(cell.left() + 1, cell.center().y()).rgb(), view.theme().bad.rgb());
    const QRect other = view.grid()->cellRect(int(snap->outcome.set) + 1, 0);
    QVERIFY(img.pixelColor(other.left() + 1, other.center().y()).rgb() != view.theme().bad.rgb());
}

void TestCtxSwitchViews::cacheViewShowsErrors()
{
    const auto eOwner = makeEngine<CacheEngine>();
    CacheEngine &e = *eOwner;
    QVERIFY(e.configure({{QStringLiteral("trace"), QStringLiteral("/nonexistent.din")}}));
    runToCompletion(e, std::chrono::seconds(10));
    CacheView view;
    view.showSnapshot(e.snapshot(), RunState::Failed);
    bool found = false;
    for (const LiveTextLabel *l : view.findChildren<LiveTextLabel *>())
        found = found || l->text().contains(QStringLiteral("cannot open"));
    QVERIFY(found);
}

void TestCtxSwitchViews::cacheLegendBreaksOnlyBetweenEntries()
{
    CacheView view;
    view.applyTheme(Theme::byId(QStringLiteral("projector"), 1.5));
    const QLabel *legend = nullptr;
    for (const QLabel *l : view.findChildren<QLabel *>())
        if (l->text().contains(QStringLiteral("corner")))
            legend = l;
    QVERIFY(legend);
    QTextDocument doc;
    doc.setDefaultFont(legend->font());
    doc.setHtml(legend->text());
    // The raw text keeps each character where the layout has it; spaces of either kind alike.
    const QString plain = doc.toRawText().replace(QChar(0xa0), QLatin1Char(' '));
    const QStringList entries {QStringLiteral("process A / p0"), QStringLiteral("process B / p1"),
        QStringLiteral("dirty corner"), QStringLiteral("hit frame"), QStringLiteral("miss frame (model)")};
    // The line a character of the (single-block) legend is laid out on.
    auto lineOf = [&doc](int position) {
        const QTextBlock block = doc.findBlock(position);
        return block.layout()->lineForTextPosition(position - block.position()).lineNumber();
    };
    int wrapped = 0;
    // From the widest entry on: a narrower label must break inside one.
    int widest = 0;
    for (const QString &entry : entries)
        widest
            = std::max(widest, int(std::ceil(QFontMetricsF(legend->font()).horizontalAdvance(entry))) + 60);
    for (int width = widest; width <= 1200; width += 10) {
        doc.setTextWidth(width);
        doc.size(); // lays the document out at that width
        int lines = 0;
        for (const QString &entry : entries) {
            const int at = plain.indexOf(entry);
            QVERIFY2(at >= 0, qPrintable(entry));
            QVERIFY2(lineOf(at) == lineOf(at + int(entry.size()) - 1),
                qPrintable(QStringLiteral("'%1' breaks inside at %2 px").arg(entry).arg(width)));
            lines = std::max(lines, lineOf(at) + 1);
        }
        wrapped += lines > 1 ? 1 : 0;
    }
    // The widths tried do make the legend wrap: between entries.
    QVERIFY(wrapped > 0);
}

void TestCtxSwitchViews::switchDiagramSteps()
{
    SwitchDiagram d;
    d.setProcessSwitch(true);
    QCOMPARE(d.stepCount(), 7);
    QVERIFY(d.fieldNames().join(QLatin1Char(' ')).contains(QStringLiteral("page-table root")));
    QVERIFY(d.stepTitle(1).startsWith(QStringLiteral("S1")));
    QVERIFY(d.stepTitle(5).startsWith(QStringLiteral("S3")));
    d.setProcessSwitch(false);
    QCOMPARE(d.stepCount(), 6); // no address-space switch between threads
    QVERIFY(!d.fieldNames().join(QLatin1Char(' ')).contains(QStringLiteral("page-table root")));
    d.setStep(100);
    QCOMPARE(d.step(), 5);
    d.setStep(-3);
    QCOMPARE(d.step(), 0);
}

void TestCtxSwitchViews::switchViewDrawsHistogramsAndCreations()
{
    SwitchView view;
    view.resize(1100, 800);
    const auto snap = syntheticCtxSnapshot();
    view.showSnapshot(snap, RunState::Finished);
    view.diagram()->setStep(3);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    save(view, "switch-view.png");
    QCOMPARE(view.switchChart()->graphCount(), 2);
    // Threads drawn in series colour 0, processes in 1.
    QCOMPARE(view.switchChart()->graph(0)->pen().color(), view.theme().seriesColor(0));
    QCOMPARE(view.switchChart()->graph(1)->pen().color(), view.theme().seriesColor(1));
    // The engine's histograms, labelled by the view (by id, with the measured median).
    QCOMPARE(view.switchChart()->graph(0)->name(),
        QStringLiteral("thread switch (pipe): median %1 us")
            .arg(snap->switches[0].medianNs / 1000.0, 0, 'f', 2));
    QCOMPARE(view.switchChart()->graph(1)->dataCount(), int(snap->switchHistograms[1].x.size()));
    QCOMPARE(view.createChart()->graphCount(), 1);
    QCOMPARE(view.createChart()->graph(0)->dataCount(), 3);
    QCOMPARE(view.createChart()->yAxis->scaleType(), QCPAxis::stLogarithmic);
    QVERIFY(hasManyColours(view.diagram()->grab().toImage()));
    QVERIFY(hasManyColours(view.switchChart()->grab().toImage()));
    // Measured figures arrived: the diagram folded away, the charts have the view's height.
    QVERIFY(!view.diagramShown());
    QVERIFY(!view.diagram()->isVisible());
    QVERIFY(view.switchChart()->height() > view.height() / 2);
    // Stepping the diagram brings it back.
    for (QPushButton *b : view.findChildren<QPushButton *>()) {
        if (b->text() == QStringLiteral("Step >"))
            b->click();
    }
    QVERIFY(view.diagramShown());
    QVERIFY(view.diagram()->isVisible());
    // Tick labels wrapped to short lines, "+ step" kept whole, a long name broken after "_".
    QCOMPARE(SwitchView::wrapTickLabel(QStringLiteral("posix_spawn /bin/true + waitpid"), 11),
        QStringLiteral("posix_\nspawn\n/bin/true\n+ waitpid"));
    QCOMPARE(SwitchView::wrapTickLabel(QStringLiteral("fork + _exit + waitpid"), 11),
        QStringLiteral("fork\n+ _exit\n+ waitpid"));
    QCOMPARE(SwitchView::wrapTickLabel(QStringLiteral("fork after touching 64MiB"), 11),
        QStringLiteral("fork after\ntouching\n64MiB"));
    // Re-theming keeps the data.
    view.applyTheme(Theme::byId(QStringLiteral("dark")));
    QCOMPARE(view.switchChart()->graphCount(), 2);
    save(view, "switch-view-dark.png");
}

void TestCtxSwitchViews::switchViewShowsTheChartsOfItsParts_data()
{
    QTest::addColumn<QString>("parts");
    QTest::addColumn<bool>("switchChart");
    QTest::addColumn<bool>("createChart");
    QTest::newRow("all") << QStringLiteral("all") << true << true;
    QTest::newRow("switch") << QStringLiteral("switch") << true << false;
    QTest::newRow("create") << QStringLiteral("create") << false << true;
    QTest::newRow("indirect") << QStringLiteral("indirect") << false << false;
}

void TestCtxSwitchViews::switchViewShowsTheChartsOfItsParts()
{
    QFETCH(QString, parts);
    QFETCH(bool, switchChart);
    QFETCH(bool, createChart);
    SwitchView view;
    view.resize(1280, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    // The engine's defaults measure everything: both charts wait for a run.
    QVERIFY(view.switchChart()->isVisible());
    QVERIFY(view.createChart()->isVisible());
    // Before the first run: only the charts a run with these parts fills.
    ParamValues values {{QStringLiteral("parts"), parts}, {QStringLiteral("round_trips"), 2000}};
    view.setParameters(values);
    QCOMPARE(view.switchChart()->isVisible(), switchChart);
    QCOMPARE(view.createChart()->isVisible(), createChart);
    view.reset();
    QCOMPARE(view.switchChart()->isVisible(), switchChart);
    QCOMPARE(view.createChart()->isVisible(), createChart);
    // While a run with them measures (its first snapshot has nothing yet): the same.
    auto empty = std::make_shared<CtxSwitchSnapshot>();
    empty->status = QStringLiteral("measuring");
    view.showSnapshot(empty, RunState::Running);
    QCOMPARE(view.switchChart()->isVisible(), switchChart);
    QCOMPARE(view.createChart()->isVisible(), createChart);
    QApplication::processEvents(); // the splitter gives a lone chart the whole width
    for (ChartWidget *chart : {view.switchChart(), view.createChart()}) {
        if (chart->isVisible() && switchChart != createChart)
            QVERIFY2(chart->width() > view.width() * 3 / 4, qPrintable(QString::number(chart->width())));
        if (!chart->isVisible())
            continue;
        // Drawn at the size it has, not at a size it had while the view was laid out: its
        // plot spans most of its width.
        QTRY_VERIFY2(chart->axisRect()->outerRect().width() > chart->width() * 3 / 4,
            qPrintable(QStringLiteral("plot %1 px wide in a chart of %2")
                           .arg(chart->axisRect()->outerRect().width())
                           .arg(chart->width())));
    }
    save(view, qPrintable(QStringLiteral("switch-view-parts-%1.png").arg(parts)));
    // A run's figures shown stay shown whatever the parameters say now.
    view.showSnapshot(syntheticCtxSnapshot(), RunState::Finished);
    QVERIFY(view.switchChart()->isVisible());
    QVERIFY(view.createChart()->isVisible());
    // Back to before a run: the parameters decide again, and a change of them is followed.
    view.reset();
    QCOMPARE(view.switchChart()->isVisible(), switchChart);
    QCOMPARE(view.createChart()->isVisible(), createChart);
    values.insert(QStringLiteral("parts"), QStringLiteral("all"));
    view.setParameters(values);
    QVERIFY(view.switchChart()->isVisible());
    QVERIFY(view.createChart()->isVisible());
}

void TestCtxSwitchViews::indirectViewMarksCaches()
{
    IndirectView view;
    view.resize(900, 560);
    const auto snap = syntheticCtxSnapshot();
    view.showSnapshot(snap, RunState::Finished);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    save(view, "indirect-view.png");
    ChartWidget *c = view.charts().front();
    QCOMPARE(c->xAxis->scaleType(), QCPAxis::stLogarithmic);
    QCOMPARE(c->graph(0)->dataCount(), int(snap->indirect.size()));
    // Points above the noise filled (with their spread), the one below it hollow and said so.
    QCOMPARE(c->graphCount(), 3);
    QCOMPARE(c->graph(1)->dataCount(), int(snap->indirect.size()) - 1);
    QCOMPARE(c->graph(2)->dataCount(), 1);
    QCOMPARE(c->graph(2)->scatterStyle().shape(), QCPScatterStyle::ssCircle);
    QVERIFY(view.findChild<LiveTextLabel *>()->text().contains(
        QStringLiteral("1 of %1 points below the noise").arg(snap->indirect.size())));
    // L1 and L2 are inside the range; the 512 MiB "L3" some VMs report is left off.
    QCOMPARE(view.cacheMarkerCount(), 2);
    QVERIFY(hasManyColours(c->grab().toImage()));
}

void TestCtxSwitchViews::indirectViewKeepsEveryMarkerInside()
{
    // As the engine sweeps: to twice the last cache, so the last point lies past every cache.
    auto snap = syntheticCtxSnapshot();
    snap->caches.pop_back();
    // One difference below zero, as a noisy walk gives, spread included.
    snap->indirect[2].indirectNs = -snap->indirect[3].indirectNs / 4;
    snap->indirect[2].spreadLowNs = snap->indirect[2].indirectNs;
    snap->updateIndirectCurve();
    IndirectView view;
    view.resize(900, 560);
    view.showSnapshot(snap, RunState::Finished);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    ChartWidget *c = view.charts().front();
    c->replot();
    const QRect plot = c->axisRect()->rect();
    const double radius = c->graph(1)->scatterStyle().size() / 2;
    for (const IndirectPoint &p : snap->indirect) {
        const double x = c->xAxis->coordToPixel(double(p.workingSetBytes));
        const double y = c->yAxis->coordToPixel(p.indirectNs / 1000.0);
        QVERIFY2(x - radius >= plot.left() && x + radius <= plot.right() && y - radius >= plot.top()
                && y + radius <= plot.bottom(),
            qPrintable(
                QStringLiteral("the marker of %1 bytes at (%2, %3) is cut by the plot (%4, %5)-(%6, %7)")
                    .arg(p.workingSetBytes)
                    .arg(x)
                    .arg(y)
                    .arg(plot.left())
                    .arg(plot.top())
                    .arg(plot.right())
                    .arg(plot.bottom())));
    }
}

void TestCtxSwitchViews::realRunRenders()
{
    // A short real measurement drawn by both views (and saved for a human to look at).
    const auto eOwner = makeEngine<CtxSwitchEngine>();
    CtxSwitchEngine &e = *eOwner;
    QString error;
    QVERIFY2(e.configure({{QStringLiteral("round_trips"), 500}, {QStringLiteral("creations"), 5},
                             {QStringLiteral("fork_touch"), QStringLiteral("16MiB")},
                             {QStringLiteral("fork_touch_samples"), 2},
                             {QStringLiteral("indirect_max"), QStringLiteral("2MiB")},
                             {QStringLiteral("indirect_reps"), 5}},
                 &error),
        qPrintable(error));
    const Result r = runToCompletion(e, std::chrono::seconds(120));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    // The view knows every measurement by id: untranslated, its label is the engine's English one.
    const auto measured = std::dynamic_pointer_cast<const CtxSwitchSnapshot>(e.snapshot());
    QVERIFY(measured);
    QCOMPARE(SwitchView::measurementLabel(measured->syscall), measured->syscall.label);
    for (const auto *list : {&measured->switches, &measured->creations}) {
        for (const CostSample &s : *list)
            QCOMPARE(SwitchView::measurementLabel(s), s.label);
    }
    SwitchView sv;
    sv.resize(1100, 800);
    sv.showSnapshot(e.snapshot(), RunState::Finished);
    sv.diagram()->setStep(2);
    sv.show();
    QVERIFY(QTest::qWaitForWindowExposed(&sv));
    save(sv, "switch-view-measured.png");
    QCOMPARE(sv.switchChart()->graphCount(), 4); // thread/process x pipe/futex
    QCOMPARE(sv.createChart()->graph(0)->dataCount(), 4);
    IndirectView iv;
    iv.resize(900, 560);
    iv.showSnapshot(e.snapshot(), RunState::Finished);
    iv.show();
    QVERIFY(QTest::qWaitForWindowExposed(&iv));
    save(iv, "indirect-view-measured.png");
    QCOMPARE(iv.charts().front()->graph(0)->dataCount(), 19); // 4 KiB .. 2 MiB, 1.5x steps
}

// The real run forks in the fork helper: this program started again in helper mode.
PROCLAB_GUI_TEST_MAIN_WITH_HELPERS(TestCtxSwitchViews)
#include "tst_ctxswitchviews.moc"
