#include "containers/cloudlayersview.h"
#include "containers/cloudstackdiagram.h"
#include "containers/containersview.h"
#include "containers/layerstackwidget.h"
#include "containers/planetlabdiagram.h"
#include "containers/planetlabview.h"

#include "common/viewregistry.h"
#include "containers/cloudlayersengine.h"
#include "containers/containersengine.h"
#include "containers/cpuquotamodel.h"
#include "containers/overlaymodel.h"
#include "containers/planetlabengine.h"
#include "viewtesting.h"

#include <QTest>

using namespace proclab;
using testing::countColour;
using testing::saveShot;

/**
 * The containers views on constructed snapshots, at 1280x800 in the projector theme: what each
 * part says, which cells and chips carry which colour, and that the diagrams fit.
 */
class TestContainersViews : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void viewsAreRegistered();
    void namespacesShowBothViews();
    void namespacesModelSaysWhy();
    void overlayMarksOnlyUpperChips();
    void cgroupChartShowsMeasuredAndModel();
    void planetLabColoursYourSlice();
    void cloudCellsSayWhoManages();
};

namespace {

const Theme &projector()
{
    static const Theme t = Theme::byId(QStringLiteral("projector"));
    return t;
}

template<class View> void prepare(View *view)
{
    view->applyTheme(projector());
    view->resize(1280, 800);
    view->show();
}

std::shared_ptr<ContainersSnapshot> namespacesSnapshot(bool real)
{
    auto s = std::make_shared<ContainersSnapshot>();
    s->requestedHostname = QStringLiteral("box7");
    s->namespaces.mode = real ? ContainerPart::Mode::Real : ContainerPart::Mode::Model;
    s->namespaces.why = real ? QStringLiteral("unshare() made user, pid, uts, mnt namespaces")
                             : QStringLiteral("the OS refused: unshare: Operation not permitted (errno 1)");
    s->report.unshared = real ? QStringList {"user", "pid", "uts", "mnt"} : QStringList {};
    s->report.pid = real ? 1 : 4242;
    s->report.ppid = 0;
    s->report.uid = 0;
    s->report.hostname = QStringLiteral("box7");
    s->report.childHostPid = 4242;
    s->report.processCount = 2;
    s->report.processes = {{1, QStringLiteral("init")}, {2, QStringLiteral("worker")}};
    s->hostInit.hostPid = 4242;
    s->hostInit.nsPids = real ? std::vector<int> {4242, 1} : std::vector<int> {4242};
    s->hostInit.uid = 1000;
    s->hostInit.ppid = 4241;
    s->hostHostname = QStringLiteral("laptop");
    s->hostProcessCount = 231;
    return s;
}

} // namespace

void TestContainersViews::viewsAreRegistered()
{
    const ViewRegistry &views = ViewRegistry::builtin();
    for (const QLatin1String id : {ContainersEngine::kNamespacesView, ContainersEngine::kOverlayView,
             ContainersEngine::kCgroupView, PlanetLabEngine::kSliceView, CloudLayersEngine::kLayersView}) {
        const ViewRegistry::Entry *e = views.find(QString(id));
        QVERIFY2(e, id.data());
        std::unique_ptr<StepView> v(e->create(nullptr));
        QVERIFY(v);
    }
}

void TestContainersViews::namespacesShowBothViews()
{
    ContainersView view(ContainersView::Part::Namespaces);
    prepare(&view);
    view.showSnapshot(namespacesSnapshot(true), RunState::Finished);
    QVERIFY2(view.headline().contains(QLatin1String("PID 1 inside")), qPrintable(view.headline()));
    QVERIFY(view.headline().contains(QLatin1String("PID 4242 on the host")));
    QVERIFY(view.headline().contains(QLatin1String("measured")));
    QVERIFY2(view.insideText().contains(QLatin1String("box7")), qPrintable(view.insideText()));
    QVERIFY(view.insideText().contains(QLatin1String("1 init, 2 worker")));
    QVERIFY2(view.hostText().contains(QLatin1String("4242 1")), qPrintable(view.hostText()));
    QVERIFY(view.hostText().contains(QLatin1String("laptop")));
    QVERIFY(view.hostText().contains(QLatin1String("231")));
    QVERIFY(view.statusText().contains(QLatin1String("unshare()")));
    saveShot(&view, QStringLiteral("containers-namespaces"));
}

void TestContainersViews::namespacesModelSaysWhy()
{
    ContainersView view(ContainersView::Part::Namespaces);
    prepare(&view);
    view.showSnapshot(namespacesSnapshot(false), RunState::Finished);
    QVERIFY2(view.headline().contains(QLatin1String("model")), qPrintable(view.headline()));
    QVERIFY2(
        view.statusText().contains(QLatin1String("Operation not permitted")), qPrintable(view.statusText()));
    QVERIFY(!view.headline().contains(QLatin1String("measured")));
}

void TestContainersViews::overlayMarksOnlyUpperChips()
{
    auto s = std::make_shared<ContainersSnapshot>();
    s->overlay.mode = ContainerPart::Mode::Real;
    s->overlay.why = QStringLiteral("mounted with lowerdir=...");
    s->plannedChanges = OverlayImage::changes(QStringLiteral("all"));
    s->layersBefore = ContainersEngine::modelLayers();
    OverlayModel model(s->layersBefore);
    for (const ImageChange &c : s->plannedChanges)
        model.apply(c);
    s->layersAfter = model.layers();
    s->merged = model.merged();
    s->changes = OverlayImage::diff(s->layersBefore, s->layersAfter);

    ContainersView view(ContainersView::Part::Overlay);
    prepare(&view);
    view.showSnapshot(s, RunState::Finished);
    LayerStackWidget *stack = view.layerStack();
    QCOMPARE(stack->chipCount(OverlayImage::Base), 4);
    QCOMPARE(stack->chipCount(OverlayImage::Layer1), 3);
    QCOMPARE(stack->chipCount(OverlayImage::Layer2), 2);
    // notes.txt, the copied-up os-release and the whiteout of old.conf.
    QCOMPARE(stack->chipCount(OverlayImage::Upper), 3);
    QCOMPARE(stack->markedChips(), 3); // all in the upper layer: nothing below is marked
    // The merged view: every file of the image but old.conf, plus notes.txt.
    QCOMPARE(stack->chipCount(OverlayImage::LayerCount), 8);
    QVERIFY2(view.headline().contains(QLatin1String("5 entries of the upper layer and 0")),
        qPrintable(view.headline()));
    saveShot(&view, QStringLiteral("containers-overlay"));
    const QImage img = stack->grab().toImage();
    QVERIFY(countColour(img, projector().bad) > 50); // the whiteout chip
    QVERIFY(countColour(img, projector().good) > 50); // the added file
    QVERIFY2(stack->fitScale() > 0.55, "the layers do not fit at 1280x800");
}

void TestContainersViews::cgroupChartShowsMeasuredAndModel()
{
    auto s = std::make_shared<ContainersSnapshot>();
    s->cgroup.mode = ContainerPart::Mode::Real;
    s->cgroup.why = QStringLiteral(
        "cgroup-v1: group /sys/fs/cgroup/cpu/x with a quota of 25000 us per 100000 us period");
    s->cgroupMethod = QStringLiteral("cgroup-v1");
    s->quotaPercent = 25;
    s->periodUs = 100000;
    s->burnSeconds = 3;
    s->limitAtS = 1;
    const CpuQuotaModel m(25, 100000);
    s->modelSharePercent = m.shareSeries(3, 0.1, 1);
    for (int i = 0; i < 30; ++i) {
        s->modelTimeS.push_back((i + 1) * 0.1);
        s->shareTimeS.push_back((i + 1) * 0.1);
        s->sharePercent.push_back(i < 10 ? 97.0 : 24.5);
    }
    s->shareBeforePercent = 97;
    s->shareLimitedPercent = 24.5;
    s->throttle.throttledPeriods = 19;
    ContainersView view(ContainersView::Part::Cgroup);
    prepare(&view);
    view.showSnapshot(s, RunState::Finished);
    QCOMPARE(view.chart()->graphCount(), 2);
    QCOMPARE(view.chart()->graph(0)->dataCount(), 30);
    QVERIFY2(view.headline().contains(QLatin1String("97.0 % before the limit, 24.5 % under a 25 % limit")),
        qPrintable(view.headline()));
    QVERIFY(view.statusText().contains(QLatin1String("Throttled periods: 19")));
    QCOMPARE(view.chart()->yAxis->range().lower, 0.0);
    QVERIFY(view.chart()->yAxis->range().upper >= 100);
    saveShot(&view, QStringLiteral("containers-cgroup"));
    // The same run with no group: the headline says the share is a model's.
    s->cgroup.mode = ContainerPart::Mode::Model;
    s->cgroup.why
        = QStringLiteral("the OS refused: cgroup v2: cannot create /sys/fs/cgroup/x: Permission denied");
    view.showSnapshot(s, RunState::Finished);
    QVERIFY2(view.headline().contains(QLatin1String("the model gives")), qPrintable(view.headline()));
    QVERIFY(view.statusText().contains(QLatin1String("Permission denied")));
}

void TestContainersViews::planetLabColoursYourSlice()
{
    const PlanetLabModel model(5, {0, 2, 3}, 2);
    const std::vector<PlanetLabFrame> frames = model.frames();
    auto s = std::make_shared<PlanetLabSnapshot>();
    s->frame = int(frames.size()) - 1;
    s->frames = int(frames.size());
    s->current = frames.back();
    s->sliceNodes = {0, 2, 3};
    PlanetLabView view;
    prepare(&view);
    view.showSnapshot(s, RunState::Finished);
    saveShot(&view, QStringLiteral("planetlab-final"));
    QVERIFY2(view.caption().contains(QLatin1String("Slice A is complete")), qPrintable(view.caption()));
    QVERIFY2(view.counts().contains(QLatin1String("10 management vservers")), qPrintable(view.counts()));
    PlanetLabDiagram *d = view.diagram();
    const QImage img = d->grab().toImage();
    // Node 1: management, management, slice B, then your slice A on top.
    for (int v = 0; v < 4; ++v) {
        const QRectF r = d->vserverRect(0, v);
        QVERIFY(!r.isEmpty());
        const QColor expected = d->sliceColor(v < 2 ? QString()
                : v == 2                            ? QStringLiteral("B")
                                                    : QStringLiteral("A"));
        const QPoint at(int(r.left() + 7), int(r.center().y()));
        QCOMPARE(img.pixelColor(at).rgb(), expected.rgb());
    }
    // Node 2 is not in your slice: no fourth vserver there (management, C only).
    QVERIFY(d->vserverRect(1, 3).isEmpty());
    QVERIFY(!d->vserverRect(1, 2).isEmpty());
}

void TestContainersViews::cloudCellsSayWhoManages()
{
    using M = CloudLayersModel;
    auto s = std::make_shared<CloudLayersSnapshot>();
    s->frame = 4;
    s->frames = 5;
    s->offering = M::IaaS;
    s->sharedMachine = true;
    s->shown = {M::OnPremises, M::IaaS, M::PaaS, M::SaaS};
    s->caption = QStringLiteral("Two IaaS customers ...");
    CloudLayersView view;
    prepare(&view);
    view.showSnapshot(s, RunState::Finished);
    saveShot(&view, QStringLiteral("cloudlayers-shared"));
    CloudStackDiagram *d = view.diagram();
    const QImage img = d->grab().toImage();
    for (int o = 0; o < M::OfferingCount; ++o) {
        for (int l = 0; l < M::LayerCount; ++l) {
            const QRectF r = d->cellRect(o, l);
            QVERIFY(r.width() > 40 && r.height() > 20);
            const QColor expected = M::providerManages(o, l) ? d->providerColor() : d->customerColor();
            QCOMPARE(img.pixelColor(int(r.left() + 6), int(r.center().y())).rgb(), expected.rgb());
        }
    }
    // Before any step: every cell blank.
    view.showSnapshot(nullptr, RunState::Idle);
    const QImage blank = d->grab().toImage();
    const QRectF r = d->cellRect(M::IaaS, M::Hardware);
    QVERIFY(blank.pixelColor(int(r.left() + 6), int(r.center().y())).rgb() != d->providerColor().rgb());
}

QTEST_MAIN(TestContainersViews)
#include "tst_containersviews.moc"
