#include "xproto/x11encoder.h"
#include "xproto/xdrawingscript.h"
#include "xproto/xservermodel.h"

#include <QTest>

using namespace proclab;

/**
 * Sizes computed a second way: the fixed formats of the X11 protocol encoding (Appendix B),
 * written out here as the formulas the specification gives for each request's length.
 */
namespace spec {
std::size_t pad4(std::size_t n)
{
    return (4 - n % 4) % 4;
}
std::size_t createWindow(std::size_t values)
{
    return 32 + 4 * values;
} // length 8+n
std::size_t mapWindow()
{
    return 8;
} // length 2
std::size_t configureWindow(std::size_t values)
{
    return 12 + 4 * values;
} // length 3+n
std::size_t getInputFocus()
{
    return 4;
} // length 1
std::size_t createGC(std::size_t values)
{
    return 16 + 4 * values;
} // length 4+n
std::size_t changeGC(std::size_t values)
{
    return 12 + 4 * values;
} // length 3+n
std::size_t clearArea()
{
    return 16;
} // length 4
std::size_t copyArea()
{
    return 28;
} // length 7
std::size_t polyLine(std::size_t points)
{
    return 12 + 4 * points;
} // length 3+n
std::size_t polySegment(std::size_t segments)
{
    return 12 + 8 * segments;
} // length 3+2n
std::size_t polyFillRectangle(std::size_t rects)
{
    return 12 + 8 * rects;
} // length 3+2n
std::size_t imageText8(std::size_t n)
{
    return 16 + n + pad4(n);
} // length (16+n+p)/4
std::size_t event()
{
    return 32;
} // every event
std::size_t getInputFocusReply()
{
    return 32;
} // reply length 0
} // namespace spec

class TestX11Encoder : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void requestSizesMatchTheSpecification();
    void lengthFieldCountsFourByteUnits();
    void imageTextPadsAndCutsAt255();
    void fieldsAreLittleEndian();
    void serverExecutesWhatWasEncoded();
    void serverRefusesMalformedRequests();
    void exposeFollowsUncoveredArea();
    void scriptSizesAddUp_data();
    void scriptSizesAddUp();
    void synchronousAddsARoundTripPerRequest();
    void backingStoreRemovesRedraws();
};

void TestX11Encoder::requestSizesMatchTheSpecification()
{
    QCOMPARE(X11Encoder::createWindow(1, 2, 0, 0, 10, 10, x11::CWBackPixel | x11::CWEventMask, {1, 2}).size(),
        spec::createWindow(2));
    QCOMPARE(X11Encoder::mapWindow(1).size(), spec::mapWindow());
    QCOMPARE(X11Encoder::configureWindowPosition(1, -5, 7).size(), spec::configureWindow(2));
    QCOMPARE(X11Encoder::getInputFocus().size(), spec::getInputFocus());
    QCOMPARE(X11Encoder::createGC(
                 1, 2, x11::GCForeground | x11::GCBackground | x11::GCGraphicsExposures, {1, 2, 0})
                 .size(),
        spec::createGC(3));
    QCOMPARE(X11Encoder::changeGC(1, x11::GCForeground, {5}).size(), spec::changeGC(1));
    QCOMPARE(X11Encoder::clearArea(1, 0, 0, 5, 5, false).size(), spec::clearArea());
    QCOMPARE(X11Encoder::copyArea(1, 1, 2, 0, 0, 0, 0, 5, 5).size(), spec::copyArea());
    for (std::size_t n : {1u, 2u, 80u, 400u}) {
        QCOMPARE(X11Encoder::polyLine(1, 2, std::vector<X11Point>(n)).size(), spec::polyLine(n));
        QCOMPARE(X11Encoder::polySegment(1, 2, std::vector<X11Segment>(n)).size(), spec::polySegment(n));
        QCOMPARE(X11Encoder::polyFillRectangle(1, 2, std::vector<X11Rectangle>(n)).size(),
            spec::polyFillRectangle(n));
    }
    QCOMPARE(X11Encoder::getInputFocusReply(1, 1).size(), spec::getInputFocusReply());
    QCOMPARE(X11Encoder::exposeEvent(1, 1, {}, 0).size(), spec::event());
    QCOMPARE(X11Encoder::motionNotifyEvent(1, 1, 1, 0, 0).size(), spec::event());
    QCOMPARE(X11Encoder::configureNotifyEvent(1, 1, 0, 0, 1, 1).size(), spec::event());
}

void TestX11Encoder::lengthFieldCountsFourByteUnits()
{
    const std::vector<WireBytes> requests {
        X11Encoder::createWindow(1, 2, 0, 0, 10, 10, x11::CWBackPixel, {1}),
        X11Encoder::polyLine(1, 2, std::vector<X11Point>(37)),
        X11Encoder::imageText8(1, 2, 0, 0, "hello"),
        X11Encoder::getInputFocus(),
    };
    for (const WireBytes &r : requests) {
        const X11Reader in(r);
        QCOMPARE(std::size_t(in.u16(2)) * 4, r.size());
    }
}

void TestX11Encoder::imageTextPadsAndCutsAt255()
{
    for (std::size_t n : {0u, 1u, 3u, 4u, 5u, 255u})
        QCOMPARE(X11Encoder::imageText8(1, 2, 0, 0, std::string(n, 'x')).size(), spec::imageText8(n));
    const WireBytes longText = X11Encoder::imageText8(1, 2, 0, 0, std::string(300, 'x'));
    QCOMPARE(longText.size(), spec::imageText8(255));
    QCOMPARE(int(longText[1]), 255);
}

void TestX11Encoder::fieldsAreLittleEndian()
{
    const WireBytes r = X11Encoder::copyArea(0x11223344, 0x11223344, 0x55667788, -2, 3, 4, 5, 0x0102, 0x0304);
    QCOMPARE(int(r[0]), int(x11::CopyArea));
    QCOMPARE(int(r[4]), 0x44);
    QCOMPARE(int(r[7]), 0x11);
    const X11Reader in(r);
    QCOMPARE(in.i16(16), std::int16_t(-2));
    QCOMPARE(in.u16(24), std::uint16_t(0x0102));
    QCOMPARE(in.u32(12), 0x55667788u);
}

void TestX11Encoder::serverExecutesWhatWasEncoded()
{
    XServerModel server(64, 48, 0x0000ff);
    std::vector<X11ServerPacket> out;
    const std::uint32_t win = 0x200001, gc = 0x200002;
    QCOMPARE(server.execute(0,
                 X11Encoder::createWindow(win, XServerModel::kRootWindow, 8, 4, 40, 30,
                     x11::CWBackPixel | x11::CWEventMask, {0xffffff, x11::ExposureMask}),
                 &out),
        QString());
    QCOMPARE(server.execute(0, X11Encoder::mapWindow(win), &out), QString());
    QCOMPARE(out.size(), std::size_t(1)); // the Expose of the whole window
    QCOMPARE(X11Encoder::serverPacketName(out[0].bytes), QStringLiteral("Expose"));
    QCOMPARE(
        server.execute(0, X11Encoder::createGC(gc, win, x11::GCForeground, {0xff0000}), &out), QString());
    QCOMPARE(server.execute(0, X11Encoder::polyFillRectangle(win, gc, {{2, 2, 5, 3}}), &out), QString());
    QCOMPARE(server.execute(0, X11Encoder::polySegment(win, gc, {{0, 20, 9, 20}}), &out), QString());
    const Framebuffer s = server.screen();
    QCOMPARE(s.pixel(0, 0), 0x0000ffu); // root background
    QCOMPARE(s.pixel(8, 4), 0xffffffu); // window background
    QCOMPARE(s.pixel(8 + 2, 4 + 2), 0xff0000u); // filled rectangle, window coordinates
    QCOMPARE(s.pixel(8 + 6, 4 + 4), 0xff0000u);
    QCOMPARE(s.pixel(8 + 7, 4 + 2), 0xffffffu); // just right of it
    for (int x = 0; x <= 9; ++x)
        QCOMPARE(s.pixel(8 + x, 4 + 20), 0xff0000u); // both ends of a segment drawn
    QCOMPARE(server.execute(0, X11Encoder::configureWindowPosition(win, 0, 0), &out), QString());
    QCOMPARE(server.windowRect(win), (PixelRect {0, 0, 40, 30}));
    QCOMPARE(server.screen().pixel(2, 2), 0xff0000u);
}

void TestX11Encoder::serverRefusesMalformedRequests()
{
    XServerModel server(32, 32, 0);
    std::vector<X11ServerPacket> out;
    WireBytes bad = X11Encoder::mapWindow(0x1234);
    QVERIFY(server.execute(0, bad, &out).contains(QStringLiteral("bad drawable")));
    bad[2] = 9; // length field lies
    QVERIFY(server.execute(0, bad, &out).contains(QStringLiteral("length field")));
    QVERIFY(!server.execute(0, WireBytes {1, 0, 1}, &out).isEmpty());
    WireBytes unknown = X11Encoder::getInputFocus();
    unknown[0] = 200;
    QVERIFY(server.execute(0, unknown, &out).contains(QStringLiteral("not modelled")));
    // A GC value list shorter than its mask says.
    WireBytes gc = X11Encoder::createGC(5, 0x100, x11::GCForeground | x11::GCBackground, {1});
    QVERIFY(server.execute(0, gc, &out).contains(QStringLiteral("value list")));
    QVERIFY(out.empty());
}

void TestX11Encoder::exposeFollowsUncoveredArea()
{
    XServerModel server(200, 200, 0);
    std::vector<X11ServerPacket> out;
    const std::uint32_t below = 0x200001, above = 0x400001;
    server.execute(0,
        X11Encoder::createWindow(
            below, XServerModel::kRootWindow, 0, 0, 100, 100, x11::CWEventMask, {x11::ExposureMask}),
        &out);
    server.execute(0, X11Encoder::mapWindow(below), &out);
    server.execute(1,
        X11Encoder::createWindow(
            above, XServerModel::kRootWindow, 50, 50, 100, 100, x11::CWEventMask, {x11::StructureNotifyMask}),
        &out);
    server.execute(1, X11Encoder::mapWindow(above), &out);
    out.clear();
    // Moving right by 20 uncovers x 50..70 of the lower window's part y 50..100.
    server.execute(2, X11Encoder::configureWindowPosition(above, 70, 50), &out);
    int exposes = 0;
    std::int64_t area = 0;
    for (const X11ServerPacket &p : out) {
        if (X11Encoder::serverPacketName(p.bytes) == QLatin1String("Expose")) {
            QCOMPARE(p.client, 0);
            const X11Reader r(p.bytes);
            area += std::int64_t(r.u16(12)) * r.u16(14);
            ++exposes;
        }
    }
    QVERIFY(exposes >= 1);
    QCOMPARE(area, std::int64_t(20 * 50));
}

void TestX11Encoder::scriptSizesAddUp_data()
{
    QTest::addColumn<bool>("sync");
    QTest::addColumn<bool>("backing");
    QTest::newRow("async") << false << false;
    QTest::newRow("sync") << true << false;
    QTest::newRow("backing store") << false << true;
}

void TestX11Encoder::scriptSizesAddUp()
{
    QFETCH(bool, sync);
    QFETCH(bool, backing);
    XDrawingConfig c;
    c.synchronous = sync;
    c.backingStore = backing;
    XDrawingScript script(c);
    while (!script.finished()) {
        const XFrame f = script.runNextFrame();
        std::int64_t up = 0, down = 0;
        for (const X11Message &m : f.messages) {
            // Every message's size is the one its fixed format gives.
            const X11Reader r(m.bytes);
            if (m.toTerminal) {
                up += std::int64_t(m.bytes.size());
                QCOMPARE(std::size_t(r.u16(2)) * 4, m.bytes.size());
                switch (m.bytes[0]) {
                case x11::PolyLine:
                    QCOMPARE(m.bytes.size(), spec::polyLine((m.bytes.size() - 12) / 4));
                    break;
                case x11::ImageText8:
                    QCOMPARE(m.bytes.size(), spec::imageText8(m.bytes[1]));
                    break;
                case x11::CopyArea:
                    QCOMPARE(m.bytes.size(), spec::copyArea());
                    break;
                case x11::ConfigureWindow:
                    QCOMPARE(m.bytes.size(), spec::configureWindow(2));
                    break;
                case x11::MapWindow:
                    QCOMPARE(m.bytes.size(), spec::mapWindow());
                    break;
                default:
                    break;
                }
            } else {
                down += std::int64_t(m.bytes.size());
                QCOMPARE(m.bytes.size(), spec::event());
            }
        }
        QCOMPARE(up, f.bytesToTerminal);
        QCOMPARE(down, f.bytesToApplication);
    }
    QCOMPARE(script.error(), QString());
}

void TestX11Encoder::synchronousAddsARoundTripPerRequest()
{
    XDrawingConfig c;
    XDrawingScript async(c);
    c.synchronous = true;
    XDrawingScript sync(c);
    int asyncRequests = 0, asyncTrips = 0, syncTrips = 0, syncFocus = 0;
    while (!async.finished()) {
        const XFrame f = async.runNextFrame();
        asyncRequests += f.requests;
        asyncTrips += f.roundTrips;
    }
    while (!sync.finished()) {
        const XFrame f = sync.runNextFrame();
        syncTrips += f.roundTrips;
        for (const X11Message &m : f.messages)
            syncFocus += m.toTerminal && m.name == QLatin1String("GetInputFocus") ? 1 : 0;
    }
    // async ends with one XSync (a GetInputFocus); sync has one after every other request.
    const int drawing = asyncRequests - 1;
    QCOMPARE(syncFocus, drawing);
    QCOMPARE(syncTrips, asyncTrips - 1 + drawing);
    QVERIFY(async.screen() == sync.screen());
}

void TestX11Encoder::backingStoreRemovesRedraws()
{
    XDrawingConfig c;
    XDrawingScript plain(c);
    c.backingStore = true;
    XDrawingScript kept(c);
    int plainExposes = 0, keptExposes = 0;
    while (!plain.finished()) {
        for (const X11Message &m : plain.runNextFrame().messages)
            plainExposes += m.name == QLatin1String("Expose") ? 1 : 0;
    }
    while (!kept.finished()) {
        for (const X11Message &m : kept.runNextFrame().messages)
            keptExposes += m.name == QLatin1String("Expose") ? 1 : 0;
    }
    QCOMPARE(keptExposes, 2); // only the two maps
    QVERIFY(plainExposes > keptExposes);
    QVERIFY(plain.screen() == kept.screen()); // same pixels, different traffic
}

QTEST_APPLESS_MAIN(TestX11Encoder)
#include "tst_x11encoder.moc"
