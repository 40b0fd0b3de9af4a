#include "common/enginebridge.h"
#include "sharedvar/sharedvarengine.h"
#include "sharedvar/timelineview.h"

#include "helpermain.h"

#include <QApplication>
#include <QImage>
#include <QTest>

using namespace proclab;

class TestTimelineView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void oneLanePerThread_data();
    void oneLanePerThread();
    void emptyBeforeRun();
};

namespace {

// Counts rows of the image that contain the colour anywhere: each lane is a
// horizontal bar, so lanes show up as separate runs of such rows.
int colourBands(const QImage &img, const QColor &c)
{
    int bands = 0;
    bool inBand = false;
    for (int y = 0; y < img.height(); ++y) {
        int count = 0;
        for (int x = 0; x < img.width(); ++x) {
            const QColor p(img.pixel(x, y));
            if (std::abs(p.red() - c.red()) < 8 && std::abs(p.green() - c.green()) < 8
                && std::abs(p.blue() - c.blue()) < 8)
                ++count;
        }
        const bool hit = count >= 8;
        if (hit && !inBand)
            ++bands;
        inBand = hit;
    }
    return bands;
}

} // namespace

void TestTimelineView::oneLanePerThread_data()
{
    QTest::addColumn<int>("processes");
    QTest::addColumn<int>("threads");
    QTest::newRow("slides 2x3") << 2 << 3;
    QTest::newRow("3x2") << 3 << 2;
}

void TestTimelineView::oneLanePerThread()
{
    QFETCH(int, processes);
    QFETCH(int, threads);
    const auto engineOwner = makeEngine<SharedVarEngine>();
    SharedVarEngine &engine = *engineOwner;
    QVERIFY(engine.configure({{QStringLiteral("processes"), processes}, {QStringLiteral("threads"), threads},
        {QStringLiteral("max_sleep_ms"), 200}, {QStringLiteral("seed"), 3}}));
    TimelineView view;
    view.resize(1000, 700);
    const Result r = runToCompletion(engine, std::chrono::seconds(30));
    QVERIFY(r.error.isEmpty());
    view.showSnapshot(engine.snapshot(), engine.state());
    QCOMPARE(view.laneCount(), processes * threads);
    // The chart alone: the summary under it has colour swatches of its own.
    const QImage img = view.primaryChart()->grab().toImage();
    QVERIFY(!img.isNull());
    // Every process's lanes are filled with its colour (translucent over the chart
    // background once the thread woke): one band of that colour per thread.
    for (int p = 0; p < processes; ++p) {
        const QColor c = view.theme().seriesColor(p);
        const QColor base = view.theme().base;
        const double a = 90.0 / 255.0;
        const QColor blended(qRound(c.red() * a + base.red() * (1 - a)),
            qRound(c.green() * a + base.green() * (1 - a)), qRound(c.blue() * a + base.blue() * (1 - a)));
        QCOMPARE(colourBands(img, blended), threads);
    }
    // The CSV of the chart lists every thread with the value it saw.
    const QString csv = view.primaryChart()->toCsv();
    QCOMPARE(csv.count(QLatin1Char('\n')), 1 + processes * threads);
    QVERIFY(csv.contains(QStringLiteral("eve,")));
    // Every "shared_x = N" label ends inside the plot, in the projector theme too (its larger
    // font cut the last digits off at the right edge).
    view.applyTheme(Theme::byId(QStringLiteral("projector")));
    view.resize(640, 600);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.showSnapshot(engine.snapshot(), engine.state());
    ChartWidget *chart = view.primaryChart();
    chart->replot(QCustomPlot::rpImmediateRefresh);
    chart->replot(QCustomPlot::rpImmediateRefresh); // the second pass uses the laid-out plot width
    view.showSnapshot(engine.snapshot(), engine.state());
    chart->replot(QCustomPlot::rpImmediateRefresh);
    int labels = 0;
    for (int i = 0; i < chart->itemCount(); ++i) {
        auto *text = qobject_cast<QCPItemText *>(chart->item(i));
        if (!text || !text->text().startsWith(QLatin1String("shared_x")))
            continue;
        ++labels;
        const double right = text->bottomRight->pixelPosition().x();
        QVERIFY2(right <= chart->axisRect()->right() + 1,
            qPrintable(QStringLiteral("%1 ends at x=%2, the plot at %3")
                           .arg(text->text())
                           .arg(right)
                           .arg(chart->axisRect()->right())));
    }
    QCOMPARE(labels, processes * threads);
}

void TestTimelineView::emptyBeforeRun()
{
    TimelineView view;
    view.resize(800, 500);
    view.reset();
    QCOMPARE(view.laneCount(), 0);
    const QImage img = view.grab().toImage();
    QCOMPARE(colourBands(img, view.theme().seriesColor(0)), 0);
    QVERIFY(view.primaryChart()->toCsv().startsWith(QStringLiteral("process,pid,thread")));
}

// The engine's fork server is this program started again in helper mode.
PROCLAB_GUI_TEST_MAIN_WITH_HELPERS(TestTimelineView)
#include "tst_timelineview.moc"
