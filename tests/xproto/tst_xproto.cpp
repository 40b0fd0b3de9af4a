#include "xproto/browserpipelineengine.h"
#include "xproto/clientprotocolsengine.h"
#include "xproto/xprotocomparison.h"
#include "xproto/xprotoengine.h"

#include "engine/registry.h"

#include <QJsonObject>
#include <QTest>

#include <thread>

using namespace proclab;

class TestXproto : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void enginesAreRegistered();
    void comparisonTotalsAreSumsOfFrames();
    void pixelsCostMoreThanRequests();
    void linkTimeIsBytesOverBandwidthPlusRoundTrips();
    void runReportsEveryEncodingAndOnlyDeclaredKeys();
    void synchronousXLosesOnALongLink();
    void stepsOneFramePerCheckpoint();
    void protocolsDiagramStepsThroughAllFrames();
    void browserDiagramStepsThroughAllFrames_data();
    void browserDiagramStepsThroughAllFrames();
};

namespace {

template<class Snap> int frameIndexOf(const Engine &e)
{
    const auto s = std::dynamic_pointer_cast<const Snap>(e.snapshot());
    return s ? s->frameIndex : -1;
}

/// Steps @p e one checkpoint at a time and checks that each step shows the next frame.
template<class Snap> int stepThrough(Engine &e)
{
    e.setSpeed(0);
    e.stepOnce();
    int seen = 0;
    for (int want = 0; want < 200; ++want) {
        bool reached = false;
        for (int i = 0; i < 500 && !reached; ++i) {
            reached = frameIndexOf<Snap>(e) == want || !e.isActive();
            if (!reached)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        if (frameIndexOf<Snap>(e) != want)
            break;
        seen = want + 1;
        e.stepOnce();
    }
    e.waitFinished(std::chrono::seconds(10));
    return seen;
}

} // namespace

void TestXproto::enginesAreRegistered()
{
    for (const char *id : {"xproto", "clientprotocols", "browserpipeline"}) {
        const auto *entry = EngineRegistry::builtin().find(QString::fromLatin1(id));
        QVERIFY2(entry, id);
        QVERIFY(!entry->outputs.empty());
        QVERIFY(!entry->info.views.isEmpty());
    }
    QCOMPARE(EngineRegistry::builtin().find(QStringLiteral("xproto"))->info.provenance, Provenance::Model);
    QCOMPARE(EngineRegistry::builtin().find(QStringLiteral("browserpipeline"))->info.provenance,
        Provenance::Diagram);
}

void TestXproto::comparisonTotalsAreSumsOfFrames()
{
    XDrawingConfig c;
    XprotoComparison model(c, 6);
    while (!model.finished())
        model.step();
    QCOMPARE(model.error(), QString());
    QCOMPARE(int(model.frames().size()), 2 + c.scrollLines + c.dragFrames);
    XprotoTotals sum;
    for (const XprotoFrame &f : model.frames()) {
        sum.x11Bytes += f.x11Bytes;
        std::int64_t listed = 0;
        for (const X11MessageInfo &m : f.x11)
            listed += m.bytes;
        QCOMPARE(listed, f.x11Bytes);
        for (std::size_t e = 0; e < kRfbEncodings.size(); ++e) {
            sum.pixelBytes[e] += f.pixelBytes[e];
            // Raw: headers plus four bytes for every changed pixel.
            if (kRfbEncodings[e] == RfbEncoding::Raw) {
                const std::int64_t fixed = RfbSizes::kUpdateRequest + RfbSizes::kUpdateHeader
                    + RfbSizes::kRectHeader * std::int64_t(f.damage.size());
                const std::int64_t pointer = f.pixelBytes[e] - fixed - 4 * f.pixelsChanged;
                QVERIFY(pointer == 0 || pointer == RfbSizes::kPointerEvent);
            }
        }
    }
    QCOMPARE(sum.x11Bytes, model.totals().x11Bytes);
    QVERIFY(sum.pixelBytes == model.totals().pixelBytes);
    QCOMPARE(model.totals().pixelRoundTrips, int(model.frames().size()));
}

void TestXproto::pixelsCostMoreThanRequests()
{
    XprotoComparison model(XDrawingConfig {}, 6);
    while (!model.finished())
        model.step();
    const XprotoTotals &t = model.totals();
    // The slides' point in numbers: pixels are far more bytes; compression narrows the gap.
    QVERIFY(t.pixelBytes[0] > 50 * t.x11Bytes);
    for (std::size_t e = 1; e < kRfbEncodings.size(); ++e)
        QVERIFY2(t.pixelBytes[e] < t.pixelBytes[0], qPrintable(rfbEncodingId(kRfbEncodings[e])));
    QVERIFY(t.pixelBytes[3] < t.pixelBytes[2]); // zlib < TRLE here
}

void TestXproto::linkTimeIsBytesOverBandwidthPlusRoundTrips()
{
    const LinkModel link {8e6, 50};
    QCOMPARE(link.timeMs(1000000, 0), 1000.0);
    QCOMPARE(link.timeMs(0, 3), 150.0);
    QCOMPARE(link.timeMs(500000, 2), 600.0);
}

void TestXproto::runReportsEveryEncodingAndOnlyDeclaredKeys()
{
    auto e = makeEngine<XprotoEngine>();
    QString error;
    QVERIFY2(e->configure({{QStringLiteral("drag_frames"), 3}}, &error), qPrintable(error));
    e->setSpeed(0);
    const Result r = runToCompletion(*e, std::chrono::seconds(60));
    QCOMPARE(r.error, QString());
    const auto outputs = e->outputs();
    for (auto it = r.summary.begin(); it != r.summary.end(); ++it)
        QVERIFY2(outputsContain(outputs, it.key()), qPrintable(it.key()));
    for (const char *key : {"bytes_x11", "bytes_pixels_raw", "bytes_pixels_rre", "bytes_pixels_rle",
             "bytes_pixels_zlib", "bytes_pixels_zrle", "time_x11_ms", "faster_x11_vs_zlib"})
        QVERIFY2(r.summary.contains(QLatin1String(key)), key);
    // The answer key agrees with the times it is computed from.
    const bool x11First = r.summary.value(QStringLiteral("time_x11_ms")).toDouble()
        <= r.summary.value(QStringLiteral("time_pixels_zlib_ms")).toDouble();
    QCOMPARE(r.summary.value(QStringLiteral("faster_x11_vs_zlib")).toInt(), x11First ? 0 : 1);
    QCOMPARE(r.summary.value(QStringLiteral("frames")).toInt(), 2 + 3 + 3);
}

void TestXproto::synchronousXLosesOnALongLink()
{
    auto e = makeEngine<XprotoEngine>();
    QVERIFY(e->configure({{QStringLiteral("x11_sync"), true}, {QStringLiteral("rtt_ms"), 100.0}}));
    e->setSpeed(0);
    const Result r = runToCompletion(*e, std::chrono::seconds(60));
    QCOMPARE(r.error, QString());
    const int syncTrips = r.summary.value(QStringLiteral("round_trips_x11_sync")).toInt();
    const int asyncTrips = r.summary.value(QStringLiteral("round_trips_x11_async")).toInt();
    QVERIFY(syncTrips > 2 * asyncTrips);
    QCOMPARE(r.summary.value(QStringLiteral("round_trips_x11")).toInt(), syncTrips);
    QCOMPARE(r.summary.value(QStringLiteral("faster_x11_vs_zlib")).toInt(), 1);
    QCOMPARE(r.summary.value(QStringLiteral("time_x11_sync_ms")).toDouble(),
        r.summary.value(QStringLiteral("time_x11_ms")).toDouble());
}

void TestXproto::stepsOneFramePerCheckpoint()
{
    auto e = makeEngine<XprotoEngine>();
    QVERIFY(e->configure({{QStringLiteral("drag_frames"), 2}, {QStringLiteral("scroll_lines"), 1}}));
    QCOMPARE(stepThrough<XprotoSnapshot>(*e), 2 + 1 + 2);
    QCOMPARE(e->state(), RunState::Finished);
}

void TestXproto::protocolsDiagramStepsThroughAllFrames()
{
    auto e = makeEngine<ClientProtocolsEngine>();
    QVERIFY(e->configure({{QStringLiteral("applications"), 4}}));
    const int frames = int(ProtocolsDiagram(4).frames().size());
    QCOMPARE(stepThrough<ClientProtocolsSnapshot>(*e), frames);
    const auto s = std::dynamic_pointer_cast<const ClientProtocolsSnapshot>(e->snapshot());
    QVERIFY(s);
    QCOMPARE(s->frame.applicationsShown, 4);
    QCOMPARE(s->result.summary.value(QStringLiteral("protocols_app_specific")).toInt(), 4);
    QCOMPARE(s->result.summary.value(QStringLiteral("protocols_middleware")).toInt(), 1);
}

void TestXproto::browserDiagramStepsThroughAllFrames_data()
{
    QTest::addColumn<QString>("client");
    QTest::addColumn<QString>("change");
    QTest::addColumn<int>("rerun");
    QTest::addColumn<int>("messages");
    QTest::newRow("browser, none") << "browser"
                                   << "none" << 0 << 0;
    QTest::newRow("browser, text") << "browser"
                                   << "text" << 4 << 0;
    QTest::newRow("browser, colour") << "browser"
                                     << "colour" << 3 << 0;
    QTest::newRow("browser, scroll") << "browser"
                                     << "scroll" << 1 << 0;
    QTest::newRow("thin, colour") << "thin"
                                  << "colour" << 3 << 1;
    QTest::newRow("thin, scroll") << "thin"
                                  << "scroll" << 1 << 2;
}

void TestXproto::browserDiagramStepsThroughAllFrames()
{
    QFETCH(QString, client);
    QFETCH(QString, change);
    QFETCH(int, rerun);
    QFETCH(int, messages);
    auto e = makeEngine<BrowserPipelineEngine>();
    QVERIFY(e->configure({{QStringLiteral("client"), client}, {QStringLiteral("change"), change}}));
    const BrowserPipeline p(*BrowserPipeline::clientFromId(client), *BrowserPipeline::changeFromId(change));
    QCOMPARE(stepThrough<BrowserPipelineSnapshot>(*e), int(p.frames().size()));
    const auto s = std::dynamic_pointer_cast<const BrowserPipelineSnapshot>(e->snapshot());
    QVERIFY(s);
    const QJsonObject &sum = s->result.summary;
    QCOMPARE(sum.value(QStringLiteral("stages_rerun")).toInt(), rerun);
    QCOMPARE(sum.value(QStringLiteral("network_messages_change")).toInt(), messages);
    QCOMPARE(sum.value(QStringLiteral("stages_on_client")).toInt(), client == QLatin1String("thin") ? 0 : 6);
    // The frames that re-run stages are exactly the ones counted.
    int activeAfterLoad = 0;
    for (std::size_t i = 7; i < p.frames().size(); ++i)
        activeAfterLoad += p.frames()[i].active >= 0 ? 1 : 0;
    QCOMPARE(activeAfterLoad, rerun);
}

QTEST_APPLESS_MAIN(TestXproto)
#include "tst_xproto.moc"
