// The mobility views fed constructed snapshots (no engine run): what they draw and say.
#include "common/viewregistry.h"
#include "mobility/bindingview.h"
#include "mobility/mobilitymoveview.h"
#include "mobility/nativeview.h"
#include "mobility/paradigmsview.h"
#include "mobility/reasonsview.h"
#include "viewtesting.h"

#include "mobility/assembler.h"
#include "mobility/bindingengine.h"
#include "mobility/interpreter.h"
#include "mobility/mobilityengine.h"
#include "mobility/nativeengine.h"
#include "mobility/reasonsengine.h"

#include <QTest>

using namespace proclab;
using namespace proclab::mobility;
using testing::saveShot;

class TestMobilityViews : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void registered();
    void strongMoveShowsStateAndBytes();
    void weakPushShipsNoState();
    void paradigmFrames();
    void bindingTableHighlightsTheCell();
    void nativeViewListsLandmarks();
    void reasonsViewShowsBothParts();
};

namespace {

Theme projector()
{
    return Theme::byId(QStringLiteral("projector"));
}

/// A strong move's last snapshot, with a computation stopped after some steps as its state at the move.
std::shared_ptr<MobilitySnapshot> strongSnapshot()
{
    QString error;
    auto c = Assembler::assembleFile(
        QStringLiteral(PROCLAB_MOBILITY_PROGRAMS "/primes.pasm"), MachineLimits {}, &error);
    if (!c)
        qFatal("%s", qPrintable(error));
    c->data.setGlobal(QStringLiteral("hi"), Value::ofInt(2000));
    Interpreter(*c).run(5000);
    auto s = std::make_shared<MobilitySnapshot>();
    s->mode = QStringLiteral("strong");
    s->program = QStringLiteral("primes");
    s->node = QStringLiteral("127.0.0.1:40000 (pid 123)");
    s->phase = MovePhase::Done;
    s->atMove = *c;
    MoveReport r;
    r.mode = MoveMode::Strong;
    r.result = Value::ofInt(303);
    r.resultUnmigrated = Value::ofInt(303);
    r.equal = true;
    r.resumedAtNode = true;
    r.bytesCode = 321;
    r.bytesData = 77;
    r.bytesExecutionState = 123;
    r.bytesImage = 560;
    r.moveNs = 1'500'000;
    r.serializeNs = 20'000;
    r.nodeDecodeNs = 30'000;
    r.stepsBeforeMove = 5000;
    r.stepsAtNode = 7000;
    r.stepsUnmigrated = 12000;
    s->report = r;
    s->status = QStringLiteral("done");
    return s;
}

} // namespace

void TestMobilityViews::registered()
{
    for (QLatin1String id : {MobilityEngine::kInspectorView, ParadigmsEngine::kParadigmView,
             ReasonsEngine::kReasonsView, BindingEngine::kTableView, NativeEngine::kProbeView}) {
        const auto *entry = ViewRegistry::builtin().find(QString(id));
        QVERIFY2(entry, id.data());
        std::unique_ptr<StepView> v(entry->create(nullptr));
        QVERIFY(v);
    }
}

void TestMobilityViews::strongMoveShowsStateAndBytes()
{
    MobilityMoveView view;
    view.applyTheme(projector());
    view.resize(1180, 620);
    view.show();
    auto snap = strongSnapshot();
    view.showSnapshot(snap, RunState::Finished);
    const MoveDiagram *d = view.diagram();
    // All three segments moved, with the run's byte counts; the source is left with nothing.
    QCOMPARE(d->arrowLabels().size(), 3);
    QVERIFY(d->arrowLabels().at(0).contains(QStringLiteral("321 B")));
    QVERIFY(d->arrowLabels().at(2).contains(QStringLiteral("123 B")));
    QVERIFY(d->sourceStopped());
    for (int s = 0; s < 3; ++s) {
        QVERIFY(!d->holds(0, s));
        QVERIFY(d->holds(1, s));
    }
    QCOMPARE(d->state().pcAtMove, snap->atMove->state.pc);
    // The inspector shows the state as it left: its pc and step count.
    QVERIFY2(view.inspectorText().contains(QStringLiteral("pc <b>%1</b>").arg(snap->atMove->state.pc)),
        qPrintable(view.inspectorText()));
    QVERIFY(view.inspectorText().contains(QStringLiteral("5,000"))
        || view.inspectorText().contains(QStringLiteral("5000")));
    QVERIFY(view.outcomeText().contains(QStringLiteral("equal")));
    QVERIFY(view.outcomeText().contains(QStringLiteral("1.50 ms")));
    QVERIFY(view.charts().isEmpty()); // the timings are text: a chart of three bars says no more
    saveShot(&view, QStringLiteral("mobility-strong"));
}

void TestMobilityViews::weakPushShipsNoState()
{
    MobilityMoveView view;
    view.applyTheme(projector());
    view.resize(1180, 620);
    view.show();
    auto snap = strongSnapshot();
    snap->mode = QStringLiteral("weak-push");
    snap->atMove.reset();
    snap->report->mode = MoveMode::WeakPush;
    snap->report->bytesExecutionState = 0;
    snap->report->resumedAtNode = false;
    view.showSnapshot(snap, RunState::Finished);
    const MoveDiagram *d = view.diagram();
    QCOMPARE(d->arrowLabels().size(), 2); // code and data only
    QVERIFY(!d->sourceStopped());
    QVERIFY(d->holds(0, 0) && !d->holds(0, 2));
    QVERIFY(d->holds(1, 2)); // a new execution state at the node
    QVERIFY(view.outcomeText().contains(QStringLiteral("started over")));
    // Before the move nothing is at the node.
    snap->phase = MovePhase::RunningHere;
    view.showSnapshot(snap, RunState::Running);
    QVERIFY(d->arrowLabels().isEmpty());
    QVERIFY(!d->holds(1, 0));
    saveShot(&view, QStringLiteral("mobility-weakpush-before"));
}

void TestMobilityViews::paradigmFrames()
{
    ParadigmsView view;
    view.applyTheme(projector());
    view.resize(1180, 620);
    view.show();
    auto s = std::make_shared<ParadigmsSnapshot>();
    s->paradigm = Paradigm::MobileAgent;
    s->before = ParadigmsEngine::placement(Paradigm::MobileAgent, false);
    s->after = ParadigmsEngine::placement(Paradigm::MobileAgent, true);
    s->frame = 0;
    view.showSnapshot(s, RunState::Running);
    const ParadigmDiagram *d = view.diagram();
    QCOMPARE(d->tokensAt(0, 0), QStringList({QStringLiteral("code"), QStringLiteral("execution")}));
    QCOMPARE(d->tokensAt(0, 1), QStringList({QStringLiteral("resource")}));
    QVERIFY(d->tokensAt(1, 1).isEmpty()); // "after" is not shown before the move
    auto after = std::make_shared<ParadigmsSnapshot>(*s);
    after->frame = 2;
    MoveReport r;
    r.bytesImage = 900;
    r.bytesExecutionState = 150;
    r.equal = true;
    r.result = r.resultUnmigrated = Value::ofInt(6057);
    after->report = r;
    view.showSnapshot(after, RunState::Finished);
    QCOMPARE(d->tokensAt(1, 1),
        QStringList({QStringLiteral("code"), QStringLiteral("execution"), QStringLiteral("resource")}));
    QVERIFY(d->tokensAt(1, 0).isEmpty());
    QVERIFY(view.measuredText().contains(QStringLiteral("900 bytes")));
    saveShot(&view, QStringLiteral("mobility-paradigm-agent"));
}

void TestMobilityViews::bindingTableHighlightsTheCell()
{
    BindingView view;
    view.applyTheme(projector());
    view.resize(1180, 620);
    view.show();
    auto s = std::make_shared<BindingSnapshot>();
    s->binding = BindingKind::ByValue;
    s->resource = ResourceKind::Unattached;
    s->prescription = ResourceBindingTable::prescribe(s->binding, s->resource);
    s->frame = 1;
    ResourceOutcome o;
    o.action = s->prescription.action;
    o.steps = {QStringLiteral("copied records.txt to the node")};
    o.sourceRemains = true;
    o.destinationHolds = true;
    o.sameContent = true;
    o.bytes = 58;
    s->outcome = o;
    view.showSnapshot(s, RunState::Finished);
    QVERIFY(view.table()->hasChoice());
    QVERIFY(view.answerText().contains(QStringLiteral("CP")));
    QVERIFY(view.demoText().contains(QStringLiteral("58 bytes")));
    // The highlighted cell is the value/unattached one (row 1, column 0), and only that one.
    QCoreApplication::processEvents();
    const QImage img = view.table()->grab().toImage();
    const QColor accent = view.table()->highlightColour();
    auto colourNear = [&](const QRectF &cell) {
        const QPoint p = (cell.topLeft() + QPointF(6, 6)).toPoint();
        return testing::countColour(img.copy(QRect(p, QSize(3, 3))), accent, 10) == 9;
    };
    QVERIFY(colourNear(view.table()->cellRect(1, 0)));
    QVERIFY(!colourNear(view.table()->cellRect(0, 0)));
    QVERIFY(!colourNear(view.table()->cellRect(2, 2)));
    saveShot(&view, QStringLiteral("mobility-binding"));
}

void TestMobilityViews::nativeViewListsLandmarks()
{
    NativeView view;
    view.applyTheme(projector());
    view.resize(1180, 620);
    view.show();
    auto s = std::make_shared<NativeSnapshot>();
    s->done = true;
    NativeStateComparison &c = s->comparison;
    c.randomizeVaSpace = 2;
    c.kernelRelease = QStringLiteral("6.1.0");
    c.machine = QStringLiteral("x86_64");
    c.first.pid = 11;
    c.second.pid = 12;
    c.first.program = QStringLiteral("/usr/bin/sleep");
    c.regions = {{QStringLiteral("stack"), 0x7ffd0000, 0x7ffe0000, true},
        {QStringLiteral("heap"), 0x55550000, 0x55550000, false}};
    c.regionsThatDiffer = 1;
    c.first.descriptors = {{4, QStringLiteral("socket:[123]"), QStringLiteral("socket"),
        QStringLiteral("a connection of this kernel")}};
    view.showSnapshot(s, RunState::Finished);
    QVERIFY(view.regionsText().contains(QStringLiteral("0x7ffd0000")));
    QVERIFY(view.regionsText().contains(QStringLiteral("0x7ffe0000")));
    QVERIFY(view.regionsText().contains(QStringLiteral("1 of 2 landmarks")));
    QVERIFY(view.descriptorsText().contains(QStringLiteral("socket:[123]")));
    saveShot(&view, QStringLiteral("mobility-native"));
}

void TestMobilityViews::reasonsViewShowsBothParts()
{
    ReasonsView view;
    view.applyTheme(projector());
    view.resize(1180, 620);
    view.show();
    auto s = std::make_shared<ReasonsSnapshot>();
    LoadReport l;
    l.lo = 2;
    l.hi = 400000;
    l.splitAt = 250000;
    l.resultAllHere = l.resultSplit = Value::ofInt(33860);
    l.equal = true;
    l.allHereNs = 800'000'000;
    l.splitNs = 450'000'000;
    s->load = l;
    FederatedReport f;
    f.federatedTestMse = {1.0, 0.5, 0.1};
    f.centralTestMse = {0.9, 0.4, 0.09};
    f.initialTestMse = 4;
    f.bytesModelTraffic = 576;
    f.bytesRawData = 24000;
    s->federated = f;
    ReasonsEngine::buildResult(*s, &s->result);
    view.showSnapshot(s, RunState::Finished);
    QCOMPARE(view.charts().size(), 2);
    QCOMPARE(view.charts().at(0)->series().front().y, (std::vector<double> {800.0, 450.0}));
    QCOMPARE(view.charts().at(1)->series().size(), std::size_t(2));
    QVERIFY(view.loadText().contains(QStringLiteral("1.78x")));
    QVERIFY(view.federatedText().contains(QStringLiteral("576 bytes")));
    QCOMPARE(s->result.summary.value(QStringLiteral("finished_sooner")).toInt(), 1);
    saveShot(&view, QStringLiteral("mobility-reasons"));
}

QTEST_MAIN(TestMobilityViews)
#include "tst_mobilityviews.moc"
