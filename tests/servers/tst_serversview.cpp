#include "servers/dispatcherpicture.h"
#include "servers/serversengine.h"
#include "servers/serversview.h"

#include "common/viewregistry.h"
#include "viewtesting.h"

#include <QApplication>
#include <QLabel>
#include <QTest>

using namespace proclab;

class TestServersView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void viewIsRegistered();
    void emptyStateDrawsNoWorkers();
    void poolDrawsAWorkerPerThreadInItsPhase();
    void threadDesignDrawsABoxPerConnection();
    void comparisonAtOneLevelIsABarPerDesign();
    void concurrencySweepIsALinePerDesignOnALogAxis();
    void projectorThemeAt1280x800();
};

namespace {

SweepPoint point(ServerDesign d, int clients, double rps, double p99)
{
    SweepPoint p;
    p.design = d;
    p.clients = clients;
    p.throughputRps = rps;
    p.latencyP50Ms = p99 / 3;
    p.latencyP95Ms = p99 / 1.5;
    p.latencyP99Ms = p99;
    p.latencyMaxMs = p99 * 1.2;
    p.ok = 100;
    return p;
}

std::shared_ptr<ServersSnapshot> livePool()
{
    auto s = std::make_shared<ServersSnapshot>();
    s->design = ServerDesign::Pool;
    s->designs = {ServerDesign::Pool};
    s->levels = {8};
    s->clients = 8;
    s->poolWorkers = 4;
    s->diskMs = 50;
    s->port = 40000;
    s->activity.workers
        = {ConnectionPhase::Disk, ConnectionPhase::Disk, ConnectionPhase::Working, ConnectionPhase::Idle};
    s->activity.queueLength = 3;
    s->timelineS = {0.1, 0.2, 0.3, 0.4};
    s->timelineRps = {70, 80, 78, 81};
    s->modelBoundRps = {};
    s->status = QStringLiteral("pool: 8 clients");
    return s;
}

std::shared_ptr<ServersSnapshot> comparison(std::vector<int> levels)
{
    auto s = std::make_shared<ServersSnapshot>();
    s->designs = {ServerDesign::Iterative, ServerDesign::Pool, ServerDesign::Fsm};
    s->levels = levels;
    s->clients = levels.back();
    s->poolWorkers = 4;
    s->diskMs = 50;
    for (int c : levels) {
        s->points.push_back(point(ServerDesign::Iterative, c, 20, 400));
        s->points.push_back(point(ServerDesign::Pool, c, 78, 110));
        s->points.push_back(point(ServerDesign::Fsm, c, 150, 55));
        s->modelBoundRps.insert(s->modelBoundRps.end(), {20, 80, 160});
    }
    s->result = ServersEngine::buildResult(*s, Result {});
    s->status = QStringLiteral("constructed comparison");
    return s;
}

} // namespace

void TestServersView::viewIsRegistered()
{
    const auto &reg = ViewRegistry::builtin();
    QVERIFY(reg.find(QString(ServersEngine::kDesignsView)));
    std::unique_ptr<StepView> v(reg.create(QString(), QStringLiteral("servers"), nullptr));
    QVERIFY(qobject_cast<ServersView *>(v.get()));
}

void TestServersView::emptyStateDrawsNoWorkers()
{
    ServersView view;
    view.resize(1000, 700);
    view.show();
    view.showSnapshot(nullptr, RunState::Idle);
    view.picture()->grab();
    QCOMPARE(view.picture()->workerBoxesDrawn(), 0);
    // The table lists all five designs before any run, with nothing measured.
    for (const char *d : {"iterative", "process", "thread", "pool", "fsm"})
        QVERIFY2(view.tableText().contains(QLatin1String(d)), d);
}

void TestServersView::poolDrawsAWorkerPerThreadInItsPhase()
{
    ServersView view;
    view.resize(1000, 700);
    view.show();
    view.showSnapshot(livePool(), RunState::Running);
    const QImage img = view.picture()->grab().toImage();
    QCOMPARE(view.picture()->workerBoxesDrawn(), 4);
    // Two workers blocked on disk, one computing: both colours are on screen.
    const QColor disk = view.picture()->phaseColor(ConnectionPhase::Disk);
    const QColor work = view.picture()->phaseColor(ConnectionPhase::Working);
    QVERIFY(testing::countColour(img, disk, 6) > 2 * testing::countColour(img, work, 6) / 3);
    QVERIFY(testing::countColour(img, work, 6) > 100);
    // The running design is marked in the table.
    QVERIFY(view.tableText().contains(QStringLiteral("&#9654; pool")));
    // One design: the throughput chart is the timeline.
    QCOMPARE(view.charts().front()->series().front().id, QStringLiteral("throughput_over_time"));
    testing::saveShot(&view, QStringLiteral("servers-pool-live"));
}

void TestServersView::threadDesignDrawsABoxPerConnection()
{
    auto s = livePool();
    s->design = ServerDesign::Thread;
    s->designs = {ServerDesign::Thread};
    s->activity = {};
    s->activity.connectionsInPhase[int(ConnectionPhase::Disk)] = 5;
    s->activity.connectionsInPhase[int(ConnectionPhase::Idle)] = 2;
    ServersView view;
    view.resize(1000, 700);
    view.show();
    view.showSnapshot(s, RunState::Running);
    view.picture()->grab();
    QCOMPARE(view.picture()->workerBoxesDrawn(), 7);
    // Far more connections than fit: a bounded number of boxes.
    s->activity.connectionsInPhase[int(ConnectionPhase::Disk)] = 900;
    view.showSnapshot(s, RunState::Running);
    view.picture()->grab();
    QCOMPARE(view.picture()->workerBoxesDrawn(), 48);
}

void TestServersView::comparisonAtOneLevelIsABarPerDesign()
{
    ServersView view;
    view.resize(1000, 700);
    view.show();
    view.showSnapshot(comparison({8}), RunState::Finished);
    ChartWidget *rps = view.charts().front();
    QCOMPARE(rps->series().front().id, QStringLiteral("throughput"));
    QCOMPARE(rps->series().front().y, (std::vector<double> {20, 78, 150}));
    QCOMPARE(rps->series().back().id, QStringLiteral("model_bound"));
    auto ticker = rps->xAxis->ticker().dynamicCast<QCPAxisTickerText>();
    QVERIFY(ticker);
    QCOMPARE(ticker->ticks().value(3), QStringLiteral("fsm"));
    // The measured figures are in the table beside the slides' traits.
    QVERIFY(view.tableText().contains(QStringLiteral(">150<")));
    QVERIFY(view.tableText().contains(QStringLiteral("timer")));
    testing::saveShot(&view, QStringLiteral("servers-comparison"));
}

void TestServersView::concurrencySweepIsALinePerDesignOnALogAxis()
{
    ServersView view;
    view.resize(1000, 700);
    view.show();
    view.showSnapshot(comparison({1, 10, 100}), RunState::Finished);
    ChartWidget *rps = view.charts().front();
    QCOMPARE(rps->series().size(), std::size_t(3));
    QCOMPARE(rps->series()[2].x, (std::vector<double> {1, 10, 100}));
    QCOMPARE(rps->xAxis->scaleType(), QCPAxis::stLogarithmic);
    QCOMPARE(view.charts().back()->series()[0].y, (std::vector<double> {400, 400, 400}));
}

void TestServersView::projectorThemeAt1280x800()
{
    ServersView view;
    view.applyTheme(Theme::byId(QStringLiteral("projector")));
    view.resize(900, 700); // the view's share of a 1280x800 window
    view.show();
    view.showSnapshot(comparison({8}), RunState::Finished);
    testing::saveShot(&view, QStringLiteral("servers-projector-comparison"));
    view.showSnapshot(livePool(), RunState::Running);
    testing::saveShot(&view, QStringLiteral("servers-projector-pool"));
    // The picture keeps its heading and legend readable: not squeezed below its minimum.
    QVERIFY(view.picture()->height() >= view.picture()->minimumSizeHint().height());
    QCOMPARE(view.picture()->workerBoxesDrawn(), 4);
}

QTEST_MAIN(TestServersView)
#include "tst_serversview.moc"
