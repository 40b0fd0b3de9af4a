#include "viewtesting.h"

#include "common/helpermode.h"
#include "common/viewregistry.h"
#include "transparency/sequenceview.h"
#include "transparency/stubview.h"

#include <QApplication>
#include <QTest>

using namespace proclab;

class TestTransparencyViews : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void viewsAreRegistered();
    void stubViewShowsEveryStageOfARealCall();
    void sequenceViewDrawsARealRebind();
};

namespace {

const Theme kProjector = Theme::byId(QStringLiteral("projector"));

bool notBlank(QWidget *w)
{
    const QImage img = w->grab().toImage();
    return testing::countColour(img, kProjector.base, 0) < img.width() * img.height() * 0.97;
}

} // namespace

void TestTransparencyViews::viewsAreRegistered()
{
    QVERIFY(ViewRegistry::builtin().find(QStringLiteral("stubcall.marshalling")));
    QVERIFY(ViewRegistry::builtin().find(QStringLiteral("rebind.sequence")));
}

void TestTransparencyViews::stubViewShowsEveryStageOfARealCall()
{
    auto e = makeEngine<StubCallEngine>();
    QVERIFY(e->configure({{QStringLiteral("repeats"), 20}}));
    e->setSpeed(0);
    const Result r = runToCompletion(*e, std::chrono::seconds(60));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    const auto last = std::dynamic_pointer_cast<const StubCallSnapshot>(e->snapshot());
    QVERIFY(last && last->calls.size() == 3);
    StubView view;
    view.applyTheme(kProjector);
    view.resize(1280, 800);
    view.show();
    // The add() call at every stage (the snapshot of the whole run, with only that call kept).
    for (int phase = 0; phase < StubCallSnapshot::kPhases; ++phase) {
        auto s = std::make_shared<StubCallSnapshot>(*last);
        s->calls = {last->calls.back()};
        s->phase = phase;
        s->timedCalls = 0;
        s->status = QStringLiteral("stage %1").arg(phase);
        view.showSnapshot(s, RunState::Paused);
        QVERIFY(notBlank(view.diagram()));
        QCOMPARE(view.statusText(), QStringLiteral("stage %1").arg(phase));
        if (phase == 1 || phase == 4 || phase == 5)
            testing::saveShot(&view, QStringLiteral("stubcall-add-stage%1").arg(phase));
    }
    view.showSnapshot(last, RunState::Finished);
    testing::saveShot(&view, QStringLiteral("stubcall-add-final"));
    QVERIFY(view.statusText().contains(QStringLiteral("measured on this machine")));
}

void TestTransparencyViews::sequenceViewDrawsARealRebind()
{
    auto e = makeEngine<RebindEngine>();
    QVERIFY(e->configure({{QStringLiteral("calls"), 9}, {QStringLiteral("move_every"), 3}}));
    e->setSpeed(0);
    const Result r = runToCompletion(*e, std::chrono::seconds(120));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    SequenceView view;
    view.applyTheme(kProjector);
    view.resize(1280, 800);
    view.show();
    view.showSnapshot(e->snapshot(), RunState::Finished);
    testing::saveShot(&view, QStringLiteral("rebind-sequence"));
    QVERIFY(notBlank(view.diagram()));
    QVERIFY(view.arrowsDrawn() > 5);
    QVERIFY(view.statusText().contains(QStringLiteral("0 failed")));
}

int main(int argc, char *argv[])
{
    // The rebind engine starts this executable again as the counter's server process.
    if (const int status = runHelperModeIfRequested(argc, argv); status >= 0)
        return status;
    QApplication app(argc, argv);
    TestTransparencyViews tc;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&tc, argc, argv);
}

#include "tst_transparencyviews.moc"
