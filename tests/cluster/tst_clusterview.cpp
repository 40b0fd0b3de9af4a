#include "cluster/clusterview.h"

#include "common/helpermode.h"
#include "common/viewregistry.h"
#include "viewtesting.h"

#include <QApplication>
#include <QLabel>
#include <QTest>

using namespace proclab;

namespace {

ClusterPoint point(DispatchMode mode, int backends, double rps, double cpu, std::int64_t requests)
{
    ClusterPoint p;
    p.mode = mode;
    p.backends = backends;
    p.completed = requests;
    p.seconds = 1.0;
    p.throughputRps = rps;
    p.firstTierCpuPercent = cpu;
    const std::int64_t response = 262144 + 100;
    p.clientBytes = requests * response;
    p.tier.clientBytesIn = requests * 60;
    if (mode == DispatchMode::Relay) {
        p.tier.backendBytesOut = requests * 60;
        p.tier.backendBytesIn = requests * response;
        p.tier.clientBytesOut = requests * response;
    } else {
        p.tier.backendBytesOut = requests * 61;
    }
    p.perBackend.assign(std::size_t(backends), requests / backends);
    return p;
}

std::shared_ptr<ClusterSnapshot> sweep()
{
    auto s = std::make_shared<ClusterSnapshot>();
    s->modes = {DispatchMode::Relay, DispatchMode::Handoff};
    s->counts = {1, 2, 4};
    s->responseBytes = 262144;
    s->requestBytes = 60;
    s->points
        = {point(DispatchMode::Relay, 1, 1800, 40, 1800), point(DispatchMode::Handoff, 1, 1900, 5, 1900),
            point(DispatchMode::Relay, 2, 3000, 75, 3000), point(DispatchMode::Handoff, 2, 3700, 9, 3700),
            point(DispatchMode::Relay, 4, 3300, 98, 3300), point(DispatchMode::Handoff, 4, 6500, 15, 6500)};
    s->status = QStringLiteral("6 configurations measured");
    return s;
}

} // namespace

class TestClusterView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void registered();
    void chartsShowBothModesAgainstBackEnds();
    void diagramShowsTheLiveConfiguration();
    void realRunRenders();
};

void TestClusterView::registered()
{
    const ViewRegistry::Entry *e = ViewRegistry::builtin().find(QStringLiteral("cluster.firsttier"));
    QVERIFY(e);
    QCOMPARE(e->engineId, QStringLiteral("cluster"));
}

void TestClusterView::chartsShowBothModesAgainstBackEnds()
{
    ClusterView view;
    view.applyTheme(Theme::byId(QStringLiteral("projector")));
    view.resize(1280, 800);
    view.show();
    view.showSnapshot(sweep(), RunState::Finished);
    const QList<ChartWidget *> charts = view.charts();
    QCOMPARE(charts.size(), 3);
    for (ChartWidget *c : charts) {
        QCOMPARE(c->graphCount(), 2);
        for (int g = 0; g < 2; ++g)
            QCOMPARE(c->graph(g)->dataCount(), 3);
    }
    QVERIFY(view.keyText().contains(QStringLiteral("relay")));
    QVERIFY(view.keyText().contains(QStringLiteral("handoff")));
    QVERIFY(view.keyText().contains(view.theme().seriesColor(0).name()));
    // Relay and handoff keep their colours in every chart.
    for (ChartWidget *c : charts)
        QVERIFY(c->graph(0)->pen().color() != c->graph(1)->pen().color());
    QCOMPARE(charts[1]->yAxis->scaleType(), QCPAxis::stLogarithmic);
    // The last configuration (handoff, 4 back ends) is in the diagram.
    QVERIFY(view.firstTierText().contains(QStringLiteral("15%")));
    testing::saveShot(&view, QStringLiteral("cluster-sweep-projector"));
    const QImage img = view.grab().toImage();
    QVERIFY(testing::countColour(img, view.theme().seriesColor(0)) > 200); // handoff curve and arrows
    QVERIFY(testing::countColour(img, view.theme().seriesColor(1)) > 200); // relay curves
    view.reset();
    QCOMPARE(view.charts()[0]->graphCount(), 0);
}

void TestClusterView::diagramShowsTheLiveConfiguration()
{
    ClusterView view;
    view.applyTheme(Theme::byId(QStringLiteral("projector")));
    view.resize(1280, 800);
    view.show();
    auto s = sweep();
    s->points.resize(2);
    s->measuring = true;
    s->current = point(DispatchMode::Relay, 2, 2500, 71, 1200);
    s->status = QStringLiteral("relay with 2 back ends: 1200 requests");
    view.showSnapshot(s, RunState::Running);
    QVERIFY(view.firstTierText().contains(QStringLiteral("71%")));
    testing::saveShot(&view, QStringLiteral("cluster-live-relay-projector"));
    view.showSnapshot(nullptr, RunState::Idle);
    testing::saveShot(&view, QStringLiteral("cluster-empty-projector"));
}

void TestClusterView::realRunRenders()
{
    auto engine = makeEngine<ClusterEngine>();
    QString error;
    QVERIFY2(engine->configure({{QStringLiteral("backends"), 2}, {QStringLiteral("seconds"), 0.3},
                                   {QStringLiteral("clients"), 4}},
                 &error),
        qPrintable(error));
    engine->setSpeed(0);
    const Result r = runToCompletion(*engine, std::chrono::seconds(120));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    ClusterView view;
    view.applyTheme(Theme::byId(QStringLiteral("projector")));
    view.resize(1280, 800);
    view.show();
    view.showSnapshot(engine->snapshot(), RunState::Finished);
    QCOMPARE(view.charts()[0]->graphCount(), 2);
    testing::saveShot(&view, QStringLiteral("cluster-real-run-projector"));
}

int main(int argc, char *argv[])
{
    // The real run starts back ends as this program in a helper mode.
    if (const int status = runHelperModeIfRequested(argc, argv); status >= 0)
        return status;
    QApplication app(argc, argv);
    TestClusterView tc;
    return QTest::qExec(&tc, argc, argv);
}

#include "tst_clusterview.moc"
