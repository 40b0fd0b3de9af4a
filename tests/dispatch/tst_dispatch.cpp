#include "dispatch/cdnengine.h"
#include "dispatch/cdnmodel.h"
#include "dispatch/geomodel.h"
#include "dispatch/mobileipengine.h"
#include "dispatch/mobileipmodel.h"

#include "engine/registry.h"

#include <QTest>

#include <cmath>

using namespace proclab;

namespace {

int city(const char *id)
{
    return GeoModel::placeIndex(QString::fromLatin1(id));
}

/// The nearest edge by a plain scan over the edges' coordinates (a second way).
int nearestByScan(int place)
{
    const auto &edges = CdnModel::edgePlaces();
    int best = -1;
    double bestKm = 1e18;
    for (std::size_t i = 0; i < edges.size(); ++i) {
        const double d = GeoModel::distanceKm(place, edges[i]);
        if (d < bestKm - 1e-9) {
            bestKm = d;
            best = int(i);
        }
    }
    return best;
}

} // namespace

class TestDispatch : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void distancesAreGreatCircles();
    void cdnPicksTheEdgeNearestTheResolver();
    void clientSubnetPicksTheEdgeNearestTheClient();
    void cdnLookupStepsInOrder();
    void mobileIpRoundTrips();
    void enginesPublishTheirModels();
    void enginesStepAndStop();
};

void TestDispatch::distancesAreGreatCircles()
{
    // Known great-circle distances (within 1.5%): London-New York about 5,570 km,
    // Sydney-San Francisco about 11,940 km, Tokyo-Singapore about 5,310 km.
    QVERIFY(std::abs(GeoModel::distanceKm(city("london"), city("new_york")) - 5570) < 85);
    QVERIFY(std::abs(GeoModel::distanceKm(city("sydney"), city("san_francisco")) - 11940) < 180);
    QVERIFY(std::abs(GeoModel::distanceKm(city("tokyo"), city("singapore")) - 5310) < 80);
    const int n = int(GeoModel::places().size());
    for (int a = 0; a < n; ++a) {
        QCOMPARE(GeoModel::distanceKm(a, a), 0.0);
        for (int b = 0; b < n; ++b) {
            QVERIFY(std::abs(GeoModel::distanceKm(a, b) - GeoModel::distanceKm(b, a)) < 1e-6);
            QVERIFY(GeoModel::distanceKm(a, b) <= M_PI * 6371.0 + 1e-6);
            // 200 km per ms one way: the round trip is distance / 100.
            QVERIFY(std::abs(GeoModel::rttMs(a, b) - GeoModel::distanceKm(a, b) / 100.0) < 1e-9);
        }
    }
    QCOMPARE(GeoModel::placeIndex(QStringLiteral("atlantis")), -1);
}

void TestDispatch::cdnPicksTheEdgeNearestTheResolver()
{
    const CdnLookup l = CdnModel::lookup(city("sydney"), city("san_francisco"), false);
    const auto &edges = CdnModel::edgePlaces();
    QCOMPARE(edges[std::size_t(l.chosenEdge)], city("san_francisco"));
    QCOMPARE(edges[std::size_t(l.bestEdge)], city("sydney"));
    QCOMPARE(l.seenPlace, city("san_francisco"));
    QCOMPARE(l.rttBestMs, 0.0);
    QVERIFY(std::abs(l.extraRttMs - GeoModel::rttMs(city("sydney"), city("san_francisco"))) < 1e-9);
    // For every pair of cities, the chosen edge is the scan's nearest edge to the resolver.
    const int n = int(GeoModel::places().size());
    for (int c = 0; c < n; ++c) {
        for (int r = 0; r < n; ++r) {
            const CdnLookup x = CdnModel::lookup(c, r, false);
            QCOMPARE(x.chosenEdge, nearestByScan(r));
            QCOMPARE(x.bestEdge, nearestByScan(c));
            QVERIFY(x.extraRttMs >= 0);
            QCOMPARE(x.extraRttMs == 0.0,
                GeoModel::distanceKm(c, edges[std::size_t(x.chosenEdge)])
                    == GeoModel::distanceKm(c, edges[std::size_t(x.bestEdge)]));
        }
    }
}

void TestDispatch::clientSubnetPicksTheEdgeNearestTheClient()
{
    const int n = int(GeoModel::places().size());
    for (int c = 0; c < n; ++c) {
        for (int r = 0; r < n; ++r) {
            const CdnLookup x = CdnModel::lookup(c, r, true);
            QCOMPARE(x.chosenEdge, x.bestEdge);
            QCOMPARE(x.extraRttMs, 0.0);
        }
    }
    // A resolver in the client's own city gives the same answer without the option.
    QCOMPARE(CdnModel::lookup(city("mumbai"), city("mumbai"), false).extraRttMs, 0.0);
}

void TestDispatch::cdnLookupStepsInOrder()
{
    const CdnLookup l = CdnModel::lookup(city("johannesburg"), city("london"), false);
    QCOMPARE(l.messages.size(), std::size_t(11));
    QCOMPARE(l.messages.front().from, CdnNode::Client);
    QCOMPARE(l.messages.front().to, CdnNode::Resolver);
    QVERIFY(l.messages[2].label.startsWith(QStringLiteral("CNAME")));
    QCOMPARE(l.messages[2].from, CdnNode::RegularDns);
    QCOMPARE(l.messages[3].to, CdnNode::CdnDns);
    QCOMPARE(l.messages.back().to, CdnNode::Client);
    for (std::size_t i = 1; i < l.messages.size(); ++i)
        QVERIFY(l.messages[i].atMs >= l.messages[i - 1].atMs);
    // The lookup's time: client-resolver, resolver-regular DNS, resolver-CDN DNS round trips.
    const double lookup = GeoModel::rttMs(l.clientPlace, l.resolverPlace)
        + GeoModel::rttMs(l.resolverPlace, l.regularDnsPlace)
        + GeoModel::rttMs(l.resolverPlace, l.cdnDnsPlace);
    QVERIFY(std::abs(l.lookupMs - lookup) < 1e-6);
}

void TestDispatch::mobileIpRoundTrips()
{
    const int madrid = city("madrid"), tokyo = city("tokyo"), ny = city("new_york"), fra = city("frankfurt"),
              sin = city("singapore");
    const MipScenario off = MobileIpModel::build(madrid, tokyo, ny, fra, sin, false);
    QVERIFY(std::abs(off.rtt1ViaHomeMs - (GeoModel::rttMs(madrid, ny) + GeoModel::rttMs(ny, fra))) < 1e-9);
    QVERIFY(std::abs(off.rtt1DirectMs - GeoModel::rttMs(madrid, fra)) < 1e-9);
    QCOMPARE(off.rtt1Ms, off.rtt1ViaHomeMs);
    QCOMPARE(off.rtt2Ms, off.rtt2ViaHomeMs);
    QCOMPARE(off.packetsViaHomeAgent, 16); // every packet of both connections
    const MipScenario on = MobileIpModel::build(madrid, tokyo, ny, fra, sin, true);
    QCOMPARE(on.rtt1Ms, on.rtt1DirectMs);
    QVERIFY(on.rtt1Ms < off.rtt1Ms);
    QCOMPARE(on.packetsViaHomeAgent, 8); // only the connection set-up
    // The detour never makes a round trip shorter (triangle inequality on the sphere).
    const int n = int(GeoModel::places().size());
    for (int c = 0; c < n; c += 3)
        for (int h = 0; h < n; h += 2)
            for (int s = 0; s < n; ++s) {
                const MipScenario x = MobileIpModel::build(c, c, h, s, s, false);
                QVERIFY(x.rtt1ViaHomeMs + 1e-9 >= x.rtt1DirectMs);
            }
    for (const MipMessage &m : on.messages)
        QVERIFY(m.flow == 1 || m.flow == 2);
}

void TestDispatch::enginesPublishTheirModels()
{
    auto cdn = makeEngine<CdnEngine>();
    QString error;
    QVERIFY(cdn->configure({}, &error));
    cdn->setSpeed(0);
    Result r = runToCompletion(*cdn, std::chrono::seconds(10));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.provenance, Provenance::Diagram);
    QCOMPARE(r.summary.value(QStringLiteral("chosen_edge")).toInt(), 3); // San Francisco
    QCOMPARE(r.summary.value(QStringLiteral("best_edge")).toInt(), 7); // Sydney
    QCOMPARE(r.summary.value(QStringLiteral("chose_best")).toInt(), 0);
    for (auto it = r.summary.begin(); it != r.summary.end(); ++it)
        QVERIFY2(outputsContain(cdn->outputs(), it.key()), qPrintable(it.key()));
    QVERIFY(cdn->configure({{QStringLiteral("client_subnet"), true}}, &error));
    r = runToCompletion(*cdn, std::chrono::seconds(10));
    QCOMPARE(r.summary.value(QStringLiteral("extra_rtt_ms")).toDouble(), 0.0);
    QVERIFY(!cdn->configure({{QStringLiteral("client"), QStringLiteral("atlantis")}}, &error));

    auto mip = makeEngine<MobileIpEngine>();
    QVERIFY(mip->configure({{QStringLiteral("route_optimization"), false}}, &error));
    mip->setSpeed(0);
    r = runToCompletion(*mip, std::chrono::seconds(10));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    for (auto it = r.summary.begin(); it != r.summary.end(); ++it)
        QVERIFY2(outputsContain(mip->outputs(), it.key()), qPrintable(it.key()));
    QCOMPARE(r.summary.value(QStringLiteral("rtt_client1_ms")).toDouble(),
        r.summary.value(QStringLiteral("rtt_client1_via_home_ms")).toDouble());
    QVERIFY(EngineRegistry::builtin().find(QStringLiteral("cdn")));
    QVERIFY(EngineRegistry::builtin().find(QStringLiteral("mobileipv6")));
}

void TestDispatch::enginesStepAndStop()
{
    auto cdn = makeEngine<CdnEngine>();
    QString error;
    QVERIFY(cdn->configure({}, &error));
    cdn->setSpeed(1); // paced: 1.6 s per message
    cdn->stepOnce();
    const auto shown = [&] {
        const auto s = std::dynamic_pointer_cast<const CdnSnapshot>(cdn->snapshot());
        return s ? s->shown : -1;
    };
    QTRY_COMPARE_WITH_TIMEOUT(shown(), 1, 10000);
    cdn->stepOnce();
    QTRY_COMPARE_WITH_TIMEOUT(shown(), 2, 10000);
    // A stop in the middle of a paced wait returns at once.
    cdn->resume();
    cdn->stop();
    QVERIFY(cdn->state() == RunState::Stopped || cdn->state() == RunState::Finished);
    QVERIFY(shown() < 11);
}

QTEST_APPLESS_MAIN(TestDispatch)
#include "tst_dispatch.moc"
