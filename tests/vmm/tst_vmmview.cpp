// The vmm views: registered under the engine's view ids; the layers view animates a trapped
// instruction down to the VMM and back; the process table marks the running program; the
// overhead chart has one bar per mode; the checker marks the offending instructions.

#include "vmm/vmmcheckerview.h"
#include "vmm/vmmlayersdiagram.h"
#include "vmm/vmmlayersview.h"
#include "vmm/vmmoverheadview.h"
#include "vmm/vmmstateview.h"

#include "common/viewregistry.h"
#include "viewtesting.h"
#include "vmm/guestlibrary.h"

#include <QApplication>
#include <QImage>
#include <QTest>

#include <algorithm>

using namespace proclab;
using testing::countColour;
using testing::saveShot;

class TestVmmView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void registered();
    void layersViewAnimatesATrap();
    void hostedStackHasFiveLayers();
    void processTableMarksTheRunningProgram();
    void overheadChartHasOneBarPerMode();
    void checkerMarksOffendingInstructions();
};

namespace {

Theme projector()
{
    return Theme::byId(QStringLiteral("projector"));
}

// Steps the engine one guest instruction at a time until a frame's trace holds @p kind.
std::shared_ptr<const VmmSnapshot> stepUntil(const QVariantMap &params, TraceKind kind, int maxSteps)
{
    const auto e = makeEngine<VmmEngine>();
    if (!e->configure(params))
        return nullptr;
    e->setSpeed(1e6); // pacing ~0: each stepOnce is one guest instruction
    std::shared_ptr<const VmmSnapshot> found;
    for (int i = 0; i < maxSteps && !found; ++i) {
        e->stepOnce();
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        for (;;) {
            auto s = std::dynamic_pointer_cast<const VmmSnapshot>(e->snapshot());
            if ((s && (s->counters.guestInstructions >= std::uint64_t(i + 1) || s->finished))
                || std::chrono::steady_clock::now() > deadline) {
                if (s && std::any_of(s->trace.begin(), s->trace.end(), [kind](const TraceEvent &t) {
                        return t.kind == kind;
                    }))
                    found = s;
                break;
            }
            QTest::qWait(1);
        }
    }
    e->stop();
    return found;
}

std::shared_ptr<const Snapshot> finishedRun(const QVariantMap &params)
{
    const auto e = makeEngine<VmmEngine>();
    QString error;
    if (!e->configure(params, &error)) {
        qWarning("%s", qPrintable(error));
        return nullptr;
    }
    e->setSpeed(0);
    runToCompletion(*e, std::chrono::seconds(60));
    return e->snapshot();
}

} // namespace

void TestVmmView::registered()
{
    const auto &reg = ViewRegistry::builtin();
    for (const QLatin1String id : {VmmEngine::kLayersView, VmmEngine::kCpuView, VmmEngine::kTranslationView,
             VmmEngine::kOverheadView, VmmEngine::kCheckerView}) {
        const ViewRegistry::Entry *entry = reg.find(QString(id));
        QVERIFY2(entry, id.data());
        QCOMPARE(entry->engineId, QString(VmmEngine::kId));
    }
}

void TestVmmView::layersViewAnimatesATrap()
{
    const auto snap = stepUntil({{QStringLiteral("mode"), QStringLiteral("trap-emulate")},
                                    {QStringLiteral("guest"), QStringLiteral("two-tasks")}},
        TraceKind::Emulated, 400);
    QVERIFY(snap);
    VmmLayersView view;
    view.applyTheme(projector());
    view.resize(1100, 620);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.showSnapshot(snap, RunState::Paused);
    VmmLayersDiagram *d = view.diagram();
    // The path goes down to the VMM (trap, emulate) and back up to the guest kernel.
    const auto &path = d->path();
    QVERIFY(path.size() >= 3);
    QVERIFY(std::any_of(
        path.begin(), path.end(), [](const TraceEvent &e) { return e.kind == TraceKind::TrapDown; }));
    QCOMPARE(path.back().kind, TraceKind::Returned);
    QCOMPARE(path.back().layer, TraceLayer::GuestKernel);
    // Mid-way the token is in the VMM band; at the end back in the guest kernel's.
    d->setAnimationProgress(0.5);
    QCOMPARE(d->tokenLayer(), TraceLayer::Vmm);
    saveShot(&view, QStringLiteral("vmm-layers-trap-mid.png"));
    const QRectF vmmBand = d->layerRect(TraceLayer::Vmm);
    const QRectF kernelBand = d->layerRect(TraceLayer::GuestKernel);
    QVERIFY(!vmmBand.isEmpty() && !kernelBand.isEmpty());
    // The privileged token is red (theme.bad; the active band's outline is the accent colour):
    // mid-way it is in the VMM band, at the end back in the guest kernel's.
    const QColor red = view.theme().bad;
    const QImage mid = d->grab().toImage();
    d->setAnimationProgress(1.0);
    QCOMPARE(d->tokenLayer(), TraceLayer::GuestKernel);
    const QImage end = d->grab().toImage();
    const int midVmm = countColour(mid.copy(vmmBand.toRect()), red);
    const int endVmm = countColour(end.copy(vmmBand.toRect()), red);
    const int midKernel = countColour(mid.copy(kernelBand.toRect()), red);
    const int endKernel = countColour(end.copy(kernelBand.toRect()), red);
    QVERIFY2(midVmm > endVmm + 1000, qPrintable(QStringLiteral("%1 %2").arg(midVmm).arg(endVmm)));
    QVERIFY2(endKernel > midKernel + 1000, qPrintable(QStringLiteral("%1 %2").arg(endKernel).arg(midKernel)));
    saveShot(&view, QStringLiteral("vmm-layers-trap-end.png"));
    QVERIFY(view.statusText().contains(QStringLiteral("instruction")));
}

void TestVmmView::hostedStackHasFiveLayers()
{
    QCOMPARE(VmmLayersDiagram::layersFor(VmmMode::TrapEmulate, VmmHost::Hosted).size(), std::size_t(5));
    QCOMPARE(VmmLayersDiagram::layersFor(VmmMode::Native, VmmHost::Native).size(), std::size_t(3));
    QCOMPARE(VmmLayersDiagram::layersFor(VmmMode::ProcessVm, VmmHost::Native).at(1), TraceLayer::Runtime);
    const auto snap = stepUntil({{QStringLiteral("mode"), QStringLiteral("trap-emulate")},
                                    {QStringLiteral("host"), QStringLiteral("hosted")},
                                    {QStringLiteral("guest"), QStringLiteral("hello")}},
        TraceKind::HostCall, 400);
    QVERIFY(snap);
    VmmLayersView view;
    view.applyTheme(projector());
    view.resize(1100, 620);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.showSnapshot(snap, RunState::Paused);
    QVERIFY(!view.diagram()->layerRect(TraceLayer::HostOs).isEmpty());
    view.diagram()->setAnimationProgress(0.6);
    saveShot(&view, QStringLiteral("vmm-layers-hosted.png"));
}

void TestVmmView::processTableMarksTheRunningProgram()
{
    VmmConfig c;
    QString error;
    QVERIFY2(GuestLibrary::load(&c, QStringLiteral("two-tasks"), QStringLiteral(VMM_PROGRAMS_DIR), &error),
        qPrintable(error));
    c.mode = VmmMode::TrapEmulate;
    VmmModel m;
    QVERIFY2(m.load(c, &error), qPrintable(error));
    // Run until a program runs and the other one waits in the table.
    bool running = false;
    for (int i = 0; i < 400000 && !running && !m.finished(); ++i) {
        m.step();
        const auto table = m.processTable();
        running = table.size() == 2 && m.counters().contextSwitches >= 1
            && std::any_of(table.begin(), table.end(), [](const VmmProcessEntry &e) { return e.current; });
    }
    QVERIFY(running);
    auto snap = std::make_shared<VmmSnapshot>();
    snap->mode = VmmMode::TrapEmulate;
    snap->cpu = m.cpu();
    snap->processes = m.processTable();
    snap->counters = m.counters();
    snap->output = m.guestOutput();
    snap->nextInstruction = m.nextInstructionText();
    VmmStateView view(VmmStatePanel::Content::CpuAndTable);
    view.applyTheme(projector());
    view.resize(1000, 560);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.showSnapshot(snap, RunState::Paused);
    saveShot(&view, QStringLiteral("vmm-cpu-table.png"));
    const QImage img = view.panel()->grab().toImage();
    QVERIFY(!view.panel()->currentRowRect().isEmpty());
    // The running row is marked with the theme's "good" colour at alpha 60 over the base.
    const Theme &t = view.theme();
    const double a = 60.0 / 255.0;
    const QColor mark(int(t.base.red() * (1 - a) + t.good.red() * a),
        int(t.base.green() * (1 - a) + t.good.green() * a), int(t.base.blue() * (1 - a) + t.good.blue() * a));
    QVERIFY(countColour(img, mark, 6) > 500);
    QVERIFY(snap->cpu.hasVirtual); // the VMM's virtual CPU is shown beside the real one
}

void TestVmmView::overheadChartHasOneBarPerMode()
{
    const auto snap = finishedRun({{QStringLiteral("mode"), QStringLiteral("trap-emulate")},
        {QStringLiteral("guest"), QStringLiteral("syscalls")}});
    QVERIFY(snap);
    VmmOverheadView view;
    view.applyTheme(projector());
    view.resize(1000, 560);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.showSnapshot(snap, RunState::Finished);
    QCOMPARE(view.barCount(), 5);
    saveShot(&view, QStringLiteral("vmm-overhead.png"));
    QCOMPARE(view.primaryChart()->toCsv().count(QLatin1Char('\n')), 6); // header and five bars
    QVERIFY(countColour(view.primaryChart()->grab().toImage(), view.theme().seriesColor(0), 8) > 1000);
}

void TestVmmView::checkerMarksOffendingInstructions()
{
    VmmCheckerView view;
    view.applyTheme(projector());
    view.resize(1000, 560);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const auto popf = finishedRun(
        {{QStringLiteral("mode"), QStringLiteral("check")}, {QStringLiteral("isa"), QStringLiteral("popf")}});
    QVERIFY(popf);
    view.showSnapshot(popf, RunState::Finished);
    saveShot(&view, QStringLiteral("vmm-checker-popf.png"));
    const int marked = countColour(view.table()->grab().toImage(), view.theme().bad.lighter(175), 4);
    QVERIFY(marked > 500);
    const auto clean = finishedRun({{QStringLiteral("mode"), QStringLiteral("check")},
        {QStringLiteral("isa"), QStringLiteral("clean")}});
    view.showSnapshot(clean, RunState::Finished);
    QCOMPARE(countColour(view.table()->grab().toImage(), view.theme().bad.lighter(175), 4), 0);
    // Every class shown whole, at the size the window gives the view at 1280x800 and wider
    // (abbreviated where the full name does not fit, with the legend).
    QCOMPARE(VmmCheckerView::abbreviatedClass(QStringLiteral("privileged+control-sensitive")),
        QStringLiteral("priv.+ctrl-sens."));
    QCOMPARE(VmmCheckerView::abbreviatedClass(QStringLiteral("control-sensitive+behaviour-sensitive"), true),
        QStringLiteral("ctrl+behav"));
    QCOMPARE(VmmCheckerView::abbreviatedClass(QStringLiteral("innocuous")), QStringLiteral("innocuous"));
    for (const QSize size : {QSize(810, 600), QSize(1000, 560)}) {
        view.resize(size);
        view.showSnapshot(popf, RunState::Finished);
        const QImage shot = view.table()->grab().toImage(); // painted now
        QVERIFY(!shot.isNull());
        QVERIFY(view.classesAbbreviated()); // "privileged+control-sensitive" is too wide for each
        saveShot(&view, QStringLiteral("vmm-checker-popf-%1x%2.png").arg(size.width()).arg(size.height()));
        QVERIFY2(view.elidedCells() == 0,
            qPrintable(QStringLiteral("%1 cells cut short at %2x%3")
                           .arg(view.elidedCells())
                           .arg(size.width())
                           .arg(size.height())));
    }
}

QTEST_MAIN(TestVmmView)
#include "tst_vmmview.moc"
