#include "xproto/damagetracker.h"
#include "xproto/rfbdecoder.h"
#include "xproto/rfbencoder.h"
#include "xproto/xdrawingscript.h"

#include <QTest>

#include <random>

using namespace proclab;

class TestRfbEncoder : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rawIsFourBytesPerPixel();
    void solidRectangleIsTiny_data();
    void solidRectangleIsTiny();
    void rreCountsSubrectangles();
    void runLengthsUse255Bytes();
    void everyEncodingDecodesBack_data();
    void everyEncodingDecodesBack();
    void zlibStreamCarriesAcrossRectangles();
    void malformedDataIsRefused_data();
    void malformedDataIsRefused();
    void damageCoversExactlyTheChange();
};

namespace {

Framebuffer noisy(int w, int h, unsigned seed)
{
    Framebuffer fb(w, h, 0x202020);
    std::mt19937 rng(seed);
    for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
            if (rng() % 4 == 0)
                fb.setPixel(x, y, rng() & 0xffffff);
        }
    }
    fb.fillRect({3, 3, 10, 7}, 0x00ff00);
    return fb;
}

} // namespace

void TestRfbEncoder::rawIsFourBytesPerPixel()
{
    RfbEncoder e(RfbEncoding::Raw);
    const Framebuffer fb(50, 40, 0x123456);
    QCOMPARE(e.encode(fb, {5, 5, 17, 9}).size(), std::size_t(17 * 9 * 4));
    const WireBytes one = e.encode(fb, {0, 0, 1, 1});
    // Pixel format little-endian: blue, green, red, unused.
    QCOMPARE(int(one[0]), 0x56);
    QCOMPARE(int(one[2]), 0x12);
}

void TestRfbEncoder::solidRectangleIsTiny_data()
{
    QTest::addColumn<int>("encoding");
    QTest::addColumn<int>("bytes");
    const int tiles = 4 * 3; // 64 x 48 in 16 x 16 tiles
    QTest::newRow("rre") << int(RfbEncoding::Rre) << 4 + 4; // count + background
    QTest::newRow("trle") << int(RfbEncoding::Trle) << tiles * (1 + 3); // solid tiles: 1 + CPIXEL
}

void TestRfbEncoder::solidRectangleIsTiny()
{
    QFETCH(int, encoding);
    QFETCH(int, bytes);
    RfbEncoder e {static_cast<RfbEncoding>(encoding)};
    QCOMPARE(int(e.encode(Framebuffer(64, 48, 0xabcdef), {0, 0, 64, 48}).size()), bytes);
}

void TestRfbEncoder::rreCountsSubrectangles()
{
    Framebuffer fb(20, 20, 0xffffff);
    fb.fillRect({2, 2, 5, 5}, 0xff0000);
    fb.fillRect({10, 1, 3, 8}, 0x0000ff);
    RfbEncoder e(RfbEncoding::Rre);
    const WireBytes d = e.encode(fb, fb.bounds());
    QCOMPARE(d.size(), std::size_t(4 + 4 + 2 * (4 + 8)));
    QCOMPARE(int(d[3]), 2); // big-endian count
}

void TestRfbEncoder::runLengthsUse255Bytes()
{
    // One 16 x 16 tile, two colours in two runs (200 and 56): plain RLE is smallest,
    // 1 + (3 + 1) + (3 + 1) = 9 bytes (packed palette would be 1 + 6 + 32).
    Framebuffer fb(16, 16, 0x111111);
    for (int i = 200; i < 256; ++i)
        fb.setPixel(i % 16, i / 16, 0x222222);
    const WireBytes d = RfbEncoder::encodeTiles(fb, fb.bounds(), 16);
    QCOMPARE(d.size(), std::size_t(9));
    QCOMPARE(int(d[0]), 128);
    QCOMPARE(int(d[4]), 199); // run length minus one
    QCOMPARE(int(d[8]), 55);
    // A run of 299: its length is coded as 255 then 43 (255 + 43 + 1 = 299).
    Framebuffer wide(20, 15, 0x010203);
    wide.setPixel(19, 14, 0x030201);
    const WireBytes w = RfbEncoder::encodeTiles(wide, wide.bounds(), 32);
    QCOMPARE(w.size(), std::size_t(1 + 5 + 4));
    QCOMPARE(int(w[4]), 255);
    QCOMPARE(int(w[5]), 43);
    QCOMPARE(int(w[9]), 0);
    // Five colours in runs of 20: palette RLE, 1 + 5 x 3 + 13 runs x 2 = 42 bytes
    // (plain RLE 53, packed palette 144).
    Framebuffer stripes(16, 16, 0);
    for (int i = 0; i < 256; ++i)
        stripes.setPixel(i % 16, i / 16, 0x100000u * std::uint32_t(1 + (i / 20) % 5));
    const WireBytes p = RfbEncoder::encodeTiles(stripes, stripes.bounds(), 16);
    QCOMPARE(int(p[0]), 128 + 5);
    QCOMPARE(p.size(), std::size_t(42));
}

void TestRfbEncoder::everyEncodingDecodesBack_data()
{
    QTest::addColumn<int>("encoding");
    for (RfbEncoding e : kRfbEncodings)
        QTest::newRow(qPrintable(rfbEncodingId(e))) << int(e);
}

void TestRfbEncoder::everyEncodingDecodesBack()
{
    QFETCH(int, encoding);
    const auto enc = RfbEncoding(encoding);
    // The real drawing, frame by frame, as the engine encodes it; plus random noise.
    XDrawingConfig c;
    c.dragFrames = 4;
    XDrawingScript script(c);
    RfbEncoder e(enc);
    RfbDecoder d(enc);
    Framebuffer before = script.screen();
    Framebuffer viewer = before; // what the viewer shows
    while (!script.finished()) {
        script.runNextFrame();
        const Framebuffer after = script.screen();
        const auto rects = DamageTracker::changedRects(before, after);
        QVERIFY(!rects.empty());
        for (const PixelRect &r : rects) {
            QString error;
            QVERIFY2(d.decode(e.encode(after, r), r, &viewer, &error), qPrintable(error));
        }
        QVERIFY(viewer == after);
        before = after;
    }
    const Framebuffer n = noisy(70, 37, 7);
    Framebuffer out(70, 37, 0);
    for (const PixelRect &r : {PixelRect {0, 0, 70, 20}, PixelRect {0, 20, 70, 17}}) {
        QString error;
        QVERIFY2(d.decode(e.encode(n, r), r, &out, &error), qPrintable(error));
    }
    QVERIFY(out == n);
}

void TestRfbEncoder::zlibStreamCarriesAcrossRectangles()
{
    const Framebuffer fb = noisy(64, 64, 3);
    RfbEncoder e(RfbEncoding::Zlib);
    const std::size_t first = e.encode(fb, fb.bounds()).size();
    const std::size_t again = e.encode(fb, fb.bounds()).size();
    // The second copy is found in the dictionary of the same stream.
    QVERIFY(again < first / 4);
    // A fresh connection cannot decode the second rectangle alone.
    RfbEncoder e2(RfbEncoding::Zlib);
    e2.encode(fb, fb.bounds());
    const WireBytes second = e2.encode(fb, fb.bounds());
    RfbDecoder fresh(RfbEncoding::Zlib);
    Framebuffer out(64, 64, 0);
    QString error;
    QVERIFY(!fresh.decode(second, fb.bounds(), &out, &error) || !(out == fb));
}

void TestRfbEncoder::malformedDataIsRefused_data()
{
    QTest::addColumn<int>("encoding");
    QTest::addColumn<int>("cut");
    for (RfbEncoding e : kRfbEncodings) {
        QTest::newRow(qPrintable(rfbEncodingId(e) + QStringLiteral(" truncated"))) << int(e) << 5;
        QTest::newRow(qPrintable(rfbEncodingId(e) + QStringLiteral(" empty"))) << int(e) << 100000;
    }
}

void TestRfbEncoder::malformedDataIsRefused()
{
    QFETCH(int, encoding);
    QFETCH(int, cut);
    const Framebuffer fb = noisy(40, 40, 11);
    RfbEncoder e {RfbEncoding(encoding)};
    WireBytes data = e.encode(fb, fb.bounds());
    data.resize(data.size() > std::size_t(cut) ? data.size() - std::size_t(cut) : 0);
    RfbDecoder d {RfbEncoding(encoding)};
    Framebuffer out(40, 40, 0);
    QString error;
    QVERIFY(!d.decode(data, fb.bounds(), &out, &error));
    QVERIFY(!error.isEmpty());
    // Garbage, too.
    RfbDecoder d2 {RfbEncoding(encoding)};
    WireBytes junk(37, 0xff);
    QVERIFY(!d2.decode(junk, fb.bounds(), &out, &error));
}

void TestRfbEncoder::damageCoversExactlyTheChange()
{
    Framebuffer a(100, 70, 0);
    Framebuffer b = a;
    b.setPixel(5, 5, 1);
    b.fillRect({40, 20, 30, 3}, 2);
    b.setPixel(99, 69, 3);
    const auto rects = DamageTracker::changedRects(a, b, 16);
    // Every changed pixel inside some rectangle; every rectangle within the screen.
    for (int y = 0; y < 70; ++y) {
        for (int x = 0; x < 100; ++x) {
            if (a.pixel(x, y) == b.pixel(x, y))
                continue;
            QVERIFY(std::any_of(
                rects.begin(), rects.end(), [&](const PixelRect &r) { return r.contains(x, y); }));
        }
    }
    std::int64_t area = 0;
    for (const PixelRect &r : rects) {
        QVERIFY(r.intersected(b.bounds()) == r);
        area += r.area();
    }
    // Tile-sized: (5,5) one tile, the bar 2 tiles wide at x 32..64 and 64..80, the corner 4 x 6.
    QCOMPARE(area, std::int64_t(16 * 16 + 48 * 16 + 4 * 6));
    QVERIFY(DamageTracker::changedRects(a, a).empty());
}

QTEST_APPLESS_MAIN(TestRfbEncoder)
#include "tst_rfbencoder.moc"
