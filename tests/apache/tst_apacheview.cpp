#include "apache/apacheview.h"

#include "common/viewregistry.h"
#include "viewtesting.h"

#include <QApplication>
#include <QTest>

using namespace proclab;

namespace {

std::shared_ptr<ApacheSnapshot> walked(ApacheRequest request, std::vector<bool> loaded, int shown = -1)
{
    auto s = std::make_shared<ApacheSnapshot>();
    s->request = request;
    s->loaded = loaded;
    s->walk = ApacheModel::walk(request, loaded);
    s->shown = shown < 0 ? int(s->walk.size()) : shown;
    s->narration
        = s->shown > 0 ? s->walk[std::size_t(s->shown - 1)].text : QStringLiteral("The request arrives");
    return s;
}

QColor pixelAt(QWidget *w, QPointF at)
{
    return w->grab().toImage().pixelColor(at.toPoint());
}

} // namespace

class TestApacheView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void registered();
    void chipsTakeTheOutcomeColours();
    void stepsRender();
};

void TestApacheView::registered()
{
    QVERIFY(ViewRegistry::builtin().find(QStringLiteral("apache.hooks")));
}

void TestApacheView::chipsTakeTheOutcomeColours()
{
    ApacheView view;
    const Theme theme = Theme::byId(QStringLiteral("projector"));
    view.applyTheme(theme);
    view.resize(1280, 800);
    view.show();
    const std::vector<bool> all(ApacheModel::modules().size(), true);
    view.showSnapshot(walked(ApacheRequest::PrivateNoPassword, all), RunState::Finished);
    QApplication::processEvents();
    QWidget *d = view.diagram();
    d->repaint();
    // check_user_id / mod_auth_basic failed: red. translate_name / core was called: green.
    const QRectF authChip = view.chipRect(4, 5);
    QVERIFY(!authChip.isEmpty());
    QCOMPARE(pixelAt(d, authChip.topLeft() + QPointF(8, authChip.height() / 2)).rgb(), theme.bad.rgb());
    const QRectF coreChip = view.chipRect(1, 0);
    QCOMPARE(pixelAt(d, coreChip.topLeft() + QPointF(8, coreChip.height() / 2)).rgb(), theme.good.rgb());
    // The handler was jumped over: its chips stay the background colour.
    const QRectF cgiChip = view.chipRect(8, 8);
    QCOMPARE(pixelAt(d, cgiChip.topLeft() + QPointF(8, cgiChip.height() / 2)).rgb(), theme.base.rgb());
    QVERIFY(view.narrative().contains(QStringLiteral("401")));
    testing::saveShot(&view, QStringLiteral("apache-private-401-projector"));
}

void TestApacheView::stepsRender()
{
    ApacheView view;
    view.applyTheme(Theme::byId(QStringLiteral("projector")));
    view.resize(1280, 800);
    view.show();
    std::vector<bool> noCgi(ApacheModel::modules().size(), true);
    noCgi[8] = false;
    view.showSnapshot(walked(ApacheRequest::Script, noCgi, 0), RunState::Paused);
    testing::saveShot(&view, QStringLiteral("apache-script-step0-projector"));
    view.showSnapshot(walked(ApacheRequest::Script, noCgi, 3), RunState::Paused);
    QVERIFY(view.narrative().startsWith(QStringLiteral("Step 3 of")));
    testing::saveShot(&view, QStringLiteral("apache-script-step3-projector"));
    view.showSnapshot(walked(ApacheRequest::Script, noCgi), RunState::Finished);
    QVERIFY(view.narrative().contains(QStringLiteral("200")));
    testing::saveShot(&view, QStringLiteral("apache-script-no-cgi-projector"));
    const std::vector<bool> all(ApacheModel::modules().size(), true);
    view.showSnapshot(walked(ApacheRequest::Page, all), RunState::Finished);
    testing::saveShot(&view, QStringLiteral("apache-page-projector"));
    view.reset();
    QVERIFY(view.narrative().contains(QStringLiteral("Step")));
}

QTEST_MAIN(TestApacheView)
#include "tst_apacheview.moc"
