#include "neighbour/neighbourview.h"

#include "common/viewregistry.h"
#include "neighbour/neighbourengine.h"
#include "viewtesting.h"

#include <QTest>

using namespace proclab;

/**
 * The neighbour view on a constructed run, at 1280x800 in the projector theme: the bars hold
 * each phase's p50, p99 and maximum, the curves each phase's distribution.
 */
class TestNeighbourView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void registered();
    void barsAndCurvesPerPhase();
    void skippedPhaseSaysWhy();
};

namespace {

NeighbourPhase phase(const QString &id, double scale)
{
    NeighbourPhase p;
    p.id = id;
    p.tenant = id == QLatin1String("alone") ? QString() : QStringLiteral("cpu");
    p.state = NeighbourPhase::State::Done;
    for (int i = 0; i < 1000; ++i) {
        p.atS.push_back(i * 0.001);
        // Mostly 50 us, with a tail that grows with the scale.
        p.latencyUs.push_back(i % 100 == 99 ? 50 * scale * 10 : 50 + (i % 10));
        p.serviceUs.push_back(40);
    }
    p.latency = LatencyStats::of(p.latencyUs);
    p.service = LatencyStats::of(p.serviceUs);
    p.tenantCpuPercent = id == QLatin1String("alone") ? -1 : 48;
    return p;
}

std::shared_ptr<NeighbourSnapshot> constructed()
{
    auto s = std::make_shared<NeighbourSnapshot>();
    s->phases = {phase(QStringLiteral("alone"), 1), phase(QStringLiteral("cpu"), 40),
        phase(QStringLiteral("cache"), 3)};
    s->serviceCpu = 1;
    s->tenantCpu = 1;
    s->allowedCpus = 2;
    s->intervalUs = 1000;
    s->workingSetBytes = 256 * 1024;
    return s;
}

} // namespace

void TestNeighbourView::registered()
{
    const ViewRegistry::Entry *e = ViewRegistry::builtin().find(QString(NeighbourEngine::kLatencyView));
    QVERIFY(e);
    QCOMPARE(e->engineId, QString(NeighbourEngine::kId));
}

void TestNeighbourView::barsAndCurvesPerPhase()
{
    NeighbourView view;
    view.applyTheme(Theme::byId(QStringLiteral("projector")));
    view.resize(1280, 800);
    view.show();
    const auto s = constructed();
    view.showSnapshot(s, RunState::Finished);
    testing::saveShot(&view, QStringLiteral("neighbour-latency"));
    ChartWidget *bars = view.barChart();
    QCOMPARE(bars->plottableCount(), 3); // p50, p99, max
    for (int k = 0; k < 3; ++k) {
        auto *b = qobject_cast<QCPBars *>(bars->plottable(k));
        QVERIFY(b);
        QCOMPARE(b->data()->size(), 3); // one bar per phase
    }
    // The p99 bar of the CPU phase is that phase's p99.
    auto *p99 = qobject_cast<QCPBars *>(bars->plottable(1));
    QCOMPARE(p99->data()->at(1)->value, s->phases[1].latency.p99Us);
    QCOMPARE(bars->yAxis->scaleType(), QCPAxis::stLogarithmic);
    QVERIFY(bars->yAxis->range().upper > s->phases[1].latency.maxUs);
    ChartWidget *cdf = view.cdfChart();
    QCOMPARE(cdf->graphCount(), 3);
    for (int g = 0; g < 3; ++g)
        QCOMPARE((cdf->graph(g)->data()->end() - 1)->value, 100.0);
    // The headline compares the worst p99 with the p99 alone.
    const QString expected = QStringLiteral("%1 us alone, %2 us + CPU tenant")
                                 .arg(s->phases[0].latency.p99Us, 0, 'f', 0)
                                 .arg(s->phases[1].latency.p99Us, 0, 'f', 0);
    QVERIFY2(view.headline().contains(expected), qPrintable(view.headline() + " / " + expected));
    QVERIFY(view.headline().contains(QLatin1String("measured on this machine")));
    QVERIFY2(view.notes().contains(QLatin1String("the tenant used 48 %")), qPrintable(view.notes()));
}

void TestNeighbourView::skippedPhaseSaysWhy()
{
    auto s = constructed();
    NeighbourPhase limited;
    limited.id = QStringLiteral("limited");
    limited.state = NeighbourPhase::State::Skipped;
    limited.why
        = QStringLiteral("no control group: the OS refused: cgroup v2: cannot create x: Permission denied");
    s->phases.push_back(limited);
    NeighbourView view;
    view.resize(1280, 800);
    view.showSnapshot(s, RunState::Finished);
    QVERIFY2(view.notes().contains(QLatin1String("skipped, no control group: the OS refused")),
        qPrintable(view.notes()));
    // The skipped phase has its place on the axis but no bars.
    auto *p50 = qobject_cast<QCPBars *>(view.barChart()->plottable(0));
    QCOMPARE(p50->data()->size(), 3);
}

QTEST_MAIN(TestNeighbourView)
#include "tst_neighbourview.moc"
