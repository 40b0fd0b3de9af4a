#include "dispatch/cdnview.h"
#include "dispatch/mobileipview.h"

#include "common/viewregistry.h"
#include "dispatch/geomodel.h"
#include "viewtesting.h"

#include <QApplication>
#include <QTest>

using namespace proclab;

namespace {

int city(const char *id)
{
    return GeoModel::placeIndex(QString::fromLatin1(id));
}

std::shared_ptr<CdnSnapshot> cdn(const char *client, const char *resolver, bool subnet, int shown)
{
    auto s = std::make_shared<CdnSnapshot>();
    s->lookup = CdnModel::lookup(city(client), city(resolver), subnet);
    s->shown = shown < 0 ? int(s->lookup.messages.size()) : shown;
    s->narration
        = s->shown > 0 ? s->lookup.messages[std::size_t(s->shown - 1)].text : QStringLiteral("start");
    return s;
}

std::shared_ptr<MobileIpSnapshot> mip(bool ro, int shown)
{
    auto s = std::make_shared<MobileIpSnapshot>();
    s->scenario = MobileIpModel::build(
        city("madrid"), city("tokyo"), city("new_york"), city("frankfurt"), city("singapore"), ro);
    s->shown = shown < 0 ? int(s->scenario.messages.size()) : shown;
    s->narration
        = s->shown > 0 ? s->scenario.messages[std::size_t(s->shown - 1)].text : QStringLiteral("start");
    return s;
}

} // namespace

class TestDispatchViews : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void registered();
    void cdnMarksTheChosenAndTheNearestEdge();
    void mobileIpShowsBothRoundTrips();
};

void TestDispatchViews::registered()
{
    QVERIFY(ViewRegistry::builtin().find(QStringLiteral("cdn.lookup")));
    QVERIFY(ViewRegistry::builtin().find(QStringLiteral("mobileipv6.paths")));
}

void TestDispatchViews::cdnMarksTheChosenAndTheNearestEdge()
{
    CdnView view;
    const Theme theme = Theme::byId(QStringLiteral("projector"));
    view.applyTheme(theme);
    view.resize(1280, 800);
    view.show();
    view.showSnapshot(cdn("sydney", "san_francisco", false, 3), RunState::Paused);
    // Before the CDN's DNS decided, no bar is marked as chosen.
    QCOMPARE(view.charts().front()->plottableCount(), 2);
    testing::saveShot(&view, QStringLiteral("cdn-step3-projector"));
    view.showSnapshot(cdn("sydney", "san_francisco", false, -1), RunState::Finished);
    QCOMPARE(view.charts().front()->plottableCount(), 3);
    QVERIFY2(view.figures().contains(QStringLiteral("San Francisco")), qPrintable(view.figures()));
    QVERIFY(view.figures().contains(QStringLiteral("ms on every round trip")));
    QVERIFY(view.narrative().startsWith(QStringLiteral("Step 11 of 11")));
    // The last message (edge -> client) is drawn thick in the accent colour.
    QVERIFY(testing::countColour(view.map()->grab().toImage(), theme.accent) > 300);
    testing::saveShot(&view, QStringLiteral("cdn-resolver-far-projector"));
    view.showSnapshot(cdn("sydney", "san_francisco", true, -1), RunState::Finished);
    QVERIFY(!view.figures().contains(QStringLiteral("ms on every round trip")));
    testing::saveShot(&view, QStringLiteral("cdn-client-subnet-projector"));
    view.showSnapshot(cdn("johannesburg", "johannesburg", false, 7), RunState::Paused);
    testing::saveShot(&view, QStringLiteral("cdn-same-city-step7-projector"));
    view.reset();
    QCOMPARE(view.charts().front()->plottableCount(), 0);
}

void TestDispatchViews::mobileIpShowsBothRoundTrips()
{
    MobileIpView view;
    view.applyTheme(Theme::byId(QStringLiteral("projector")));
    view.resize(1280, 800);
    view.show();
    view.showSnapshot(mip(false, 6), RunState::Paused);
    testing::saveShot(&view, QStringLiteral("mobileipv6-no-ro-step6-projector"));
    view.showSnapshot(mip(true, -1), RunState::Finished);
    QCOMPARE(view.charts().front()->plottableCount(), 2);
    QVERIFY(view.figures().contains(QStringLiteral("with route optimisation")));
    QVERIFY(view.narrative().startsWith(QStringLiteral("Step 14 of 14")));
    testing::saveShot(&view, QStringLiteral("mobileipv6-ro-projector"));
}

QTEST_MAIN(TestDispatchViews)
#include "tst_dispatchviews.moc"
