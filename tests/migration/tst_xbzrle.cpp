// Delta encoding of pages (XBZRLE): encoder and decoder on random and adversarial
// pages, the fallback to whole pages, the decoder's checks, and the source's cache.
#include "migration/xbzrle.h"
#include "randompage.h"

#include <QTest>

#include <cstring>
#include <random>
#include <vector>

using namespace proclab::migration;

class TestXbzrle : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void equalPagesGiveAnEmptyDelta();
    void lengthComputedByHand();
    void randomSparseChangesRoundTrip();
    void changesAtTheEdges_data();
    void changesAtTheEdges();
    void unrelatedPagesFallBack();
    void adversarialPagesFallBack_data();
    void adversarialPagesFallBack();
    void limitIsExact();
    void badDeltasRefused_data();
    void badDeltasRefused();
    void cacheKeepsWhatWasSent();
    void cacheEvictsBySlot();
    void cacheSmallerThanAPageNeverHits();
    void channelCacheUsesEverySlot();
};

namespace {

using proclab::migration::testing::Page;
using proclab::migration::testing::randomPage;

// Encodes with room for anything, decodes onto a copy of @p oldPage; the result must be @p newPage.
std::ptrdiff_t roundTrip(const Page &oldPage, const Page &newPage, std::size_t limit = kXbzrleMaxDeltaBytes)
{
    std::vector<std::uint8_t> delta(2 * kPageBytes);
    const std::ptrdiff_t n = xbzrleEncode(oldPage.data(), newPage.data(), delta.data(), limit);
    if (n < 0)
        return n;
    Page decoded = oldPage;
    QString error;
    if (!xbzrleDecode(delta.data(), std::size_t(n), decoded.data(), &error)) {
        qWarning("%s", qPrintable(error));
        return -2;
    }
    if (decoded != newPage) {
        qWarning("decoded page differs");
        return -3;
    }
    return n;
}

} // namespace

void TestXbzrle::equalPagesGiveAnEmptyDelta()
{
    std::mt19937_64 rng(1);
    const Page p = randomPage(rng);
    QCOMPARE(roundTrip(p, p), std::ptrdiff_t(0));
    Page target = randomPage(rng);
    const Page before = target;
    QString error;
    QVERIFY(xbzrleDecode(nullptr, 0, target.data(), &error));
    QVERIFY(target == before);
}

void TestXbzrle::lengthComputedByHand()
{
    std::mt19937_64 rng(2);
    const Page oldPage = randomPage(rng);
    Page newPage = oldPage;
    for (std::size_t i = 100; i < 110; ++i)
        newPage[i] ^= 0x5a;
    newPage[2000] ^= 1;
    // (100 unchanged, 10 changed, 10 bytes), (1890 unchanged: 2 LEB128 bytes, 1 changed, 1 byte).
    QCOMPARE(roundTrip(oldPage, newPage), std::ptrdiff_t(1 + 1 + 10 + 2 + 1 + 1));
}

void TestXbzrle::randomSparseChangesRoundTrip()
{
    std::mt19937_64 rng(3);
    for (int iteration = 0; iteration < 2000; ++iteration) {
        const Page oldPage = randomPage(rng);
        Page newPage = oldPage;
        // From one changed byte to a third of the page, in words (as the vCPU writes) or bytes.
        const std::size_t changes = 1 + rng() % (iteration % 10 == 9 ? 1400 : 40);
        const bool words = rng() % 2;
        for (std::size_t c = 0; c < changes; ++c) {
            const std::size_t at = words ? (rng() % (kPageBytes / 8)) * 8 : rng() % kPageBytes;
            const std::size_t len = words ? 8 : 1;
            for (std::size_t i = at; i < at + len; ++i)
                newPage[i] = std::uint8_t(newPage[i] + 1 + rng() % 255); // always a different value
        }
        const std::ptrdiff_t n = roundTrip(oldPage, newPage);
        QVERIFY2(n >= -1, "round trip failed");
        if (n >= 0)
            QVERIFY(std::size_t(n) <= kXbzrleMaxDeltaBytes);
        // At most 40 changes of 8 bytes, each with two run lengths of at most 2 bytes: always fits.
        if (changes <= 40)
            QVERIFY(n >= 0);
    }
}

void TestXbzrle::changesAtTheEdges_data()
{
    QTest::addColumn<int>("from");
    QTest::addColumn<int>("count");
    QTest::newRow("first byte") << 0 << 1;
    QTest::newRow("last byte") << int(kPageBytes) - 1 << 1;
    QTest::newRow("first word") << 0 << 8;
    QTest::newRow("last word") << int(kPageBytes) - 8 << 8;
    QTest::newRow("long run across words") << 5 << 300;
    QTest::newRow("first and last") << -1 << 0;
}

void TestXbzrle::changesAtTheEdges()
{
    QFETCH(int, from);
    QFETCH(int, count);
    std::mt19937_64 rng(4);
    const Page oldPage = randomPage(rng);
    Page newPage = oldPage;
    if (from < 0) {
        newPage.front() ^= 0xff;
        newPage.back() ^= 0xff;
    } else {
        for (int i = from; i < from + count; ++i)
            newPage[std::size_t(i)] ^= 0x81;
    }
    const std::ptrdiff_t n = roundTrip(oldPage, newPage);
    QVERIFY(n > 0);
}

void TestXbzrle::unrelatedPagesFallBack()
{
    std::mt19937_64 rng(5);
    std::vector<std::uint8_t> out(kPageBytes);
    for (int i = 0; i < 50; ++i) {
        const Page a = randomPage(rng);
        const Page b = randomPage(rng);
        // Almost every byte differs: the delta is longer than the page, even with a page of room.
        QCOMPARE(xbzrleEncode(a.data(), b.data(), out.data(), kXbzrleMaxDeltaBytes), std::ptrdiff_t(-1));
        QCOMPARE(xbzrleEncode(a.data(), b.data(), out.data(), kPageBytes), std::ptrdiff_t(-1));
    }
}

void TestXbzrle::adversarialPagesFallBack_data()
{
    QTest::addColumn<int>("stride");
    // Every other byte: each changed byte costs two run lengths besides itself, three times the page's half.
    QTest::newRow("every other byte") << 2;
    QTest::newRow("every third byte") << 3;
}

void TestXbzrle::adversarialPagesFallBack()
{
    QFETCH(int, stride);
    const Page oldPage(kPageBytes, 0);
    Page newPage = oldPage;
    for (std::size_t i = 0; i < kPageBytes; i += std::size_t(stride))
        newPage[i] = 1;
    // Computed a second way: kPageBytes / stride changed runs of one byte, each with two one-byte
    // lengths (the first unchanged run is empty) and the byte.
    const std::size_t runs = (kPageBytes + std::size_t(stride) - 1) / std::size_t(stride);
    const std::size_t length = runs * 3;
    QCOMPARE(roundTrip(oldPage, newPage, 4 * kPageBytes), std::ptrdiff_t(length));
    QVERIFY(length > kXbzrleMaxDeltaBytes);
    QCOMPARE(roundTrip(oldPage, newPage), std::ptrdiff_t(-1));
}

void TestXbzrle::limitIsExact()
{
    std::mt19937_64 rng(6);
    const Page oldPage = randomPage(rng);
    Page newPage = oldPage;
    for (std::size_t i = 0; i < kPageBytes; i += 97)
        newPage[i] ^= 0x10;
    const std::ptrdiff_t n = roundTrip(oldPage, newPage);
    QVERIFY(n > 0);
    QCOMPARE(roundTrip(oldPage, newPage, std::size_t(n)), n);
    QCOMPARE(roundTrip(oldPage, newPage, std::size_t(n) - 1), std::ptrdiff_t(-1));
}

void TestXbzrle::badDeltasRefused_data()
{
    QTest::addColumn<QByteArray>("delta");
    QTest::addColumn<QString>("why");
    QTest::newRow("length cut short") << QByteArray("\x05", 1) << "cut short or too long";
    QTest::newRow("continuation at the end") << QByteArray("\x05\x81", 2) << "cut short or too long";
    QTest::newRow("overlong length") << QByteArray("\x80\x80\x80\x01\x01\x00", 6) << "cut short or too long";
    QTest::newRow("empty changed run") << QByteArray("\x05\x00", 2) << "an empty changed run";
    QTest::newRow("empty unchanged run after the first")
        << QByteArray("\x00\x01\xaa\x00\x01\xbb", 6) << "an empty unchanged run";
    QTest::newRow("changed run cut short") << QByteArray("\x05\x04\xaa\xbb", 4) << "a changed run cut short";
    // 4095 unchanged (0xff 0x1f), then 2 changed: one byte past the page.
    QTest::newRow("past the end") << QByteArray("\xff\x1f\x02\xaa\xbb", 5) << "past the end of the page";
    QTest::newRow("unchanged run longer than the page")
        << QByteArray("\x81\x20\x01\xaa", 4) << "past the end of the page";
    QTest::newRow("good pair, then garbage") << QByteArray("\x05\x01\xaa\x07", 4) << "cut short or too long";
}

void TestXbzrle::badDeltasRefused()
{
    QFETCH(QByteArray, delta);
    QFETCH(QString, why);
    std::mt19937_64 rng(7);
    Page page = randomPage(rng);
    const Page before = page;
    QString error;
    QVERIFY(!xbzrleDecode(reinterpret_cast<const std::uint8_t *>(delta.constData()),
        std::size_t(delta.size()), page.data(), &error));
    QVERIFY2(error.contains(why), qPrintable(error));
    QVERIFY(error.startsWith(QStringLiteral("protocol error: bad page delta")));
    QVERIFY(page == before); // nothing applied
}

void TestXbzrle::cacheKeepsWhatWasSent()
{
    XbzrleCache cache(8 * kPageBytes);
    QCOMPARE(cache.slotCount(), std::size_t(8));
    QCOMPARE(cache.cachedPages(), std::size_t(0));
    QVERIFY(!cache.find(3));
    std::mt19937_64 rng(8);
    Page p = randomPage(rng);
    cache.insert(3, p.data());
    const Page sent = p;
    p[0] ^= 1; // the memory moves on; the cache keeps what was sent
    const std::uint8_t *cached = cache.find(3);
    QVERIFY(cached);
    QVERIFY(std::memcmp(cached, sent.data(), kPageBytes) == 0);
    QCOMPARE(cache.cachedPages(), std::size_t(1));
}

void TestXbzrle::cacheEvictsBySlot()
{
    XbzrleCache cache(4 * kPageBytes + 100); // whole pages only: 4 slots
    QCOMPARE(cache.slotCount(), std::size_t(4));
    QCOMPARE(cache.bytes(), 4 * kPageBytes);
    const Page a(kPageBytes, 0xaa), b(kPageBytes, 0xbb);
    for (std::uint32_t page = 0; page < 4; ++page)
        cache.insert(page, a.data());
    QCOMPARE(cache.cachedPages(), std::size_t(4));
    cache.insert(6, b.data()); // slot 2: page 2 goes
    QVERIFY(!cache.find(2));
    QVERIFY(cache.find(6));
    QCOMPARE(cache.find(6)[0], std::uint8_t(0xbb));
    QVERIFY(cache.find(0) && cache.find(1) && cache.find(3));
    QCOMPARE(cache.cachedPages(), std::size_t(4)); // bounded
}

void TestXbzrle::cacheSmallerThanAPageNeverHits()
{
    XbzrleCache cache(kPageBytes - 1);
    QCOMPARE(cache.slotCount(), std::size_t(0));
    const Page a(kPageBytes, 1);
    cache.insert(0, a.data());
    QVERIFY(!cache.find(0));
}

void TestXbzrle::channelCacheUsesEverySlot()
{
    // Page channel 1 of 2 only sees stripes 1, 3, 5, ... (pages 64-127, 192-255, ...). A cache
    // of 128 slots made for 2 channels keeps 128 of them; one made for any page maps stripes 1
    // and 3 onto the same 64 slots, so half of them are evicted.
    const Page a(kPageBytes, 0x11);
    XbzrleCache channel(128 * kPageBytes, 2);
    XbzrleCache plain(128 * kPageBytes);
    std::vector<std::uint32_t> pages;
    for (std::uint32_t page = 0; page < 256; ++page)
        if (pageChannel(page, 2) == 1)
            pages.push_back(page);
    QCOMPARE(pages.size(), std::size_t(128));
    for (const std::uint32_t page : pages) {
        channel.insert(page, a.data());
        plain.insert(page, a.data());
    }
    QCOMPARE(channel.cachedPages(), std::size_t(128));
    QCOMPARE(plain.cachedPages(), std::size_t(64));
    for (const std::uint32_t page : pages)
        QVERIFY(channel.find(page));
    QVERIFY(!channel.find(0)); // channel 0's page, in the slot of page 64
    channel.insert(320, a.data()); // the channel's next stripe wraps to slot 0: page 64 goes
    QVERIFY(!channel.find(64));
    QVERIFY(channel.find(320));
}

QTEST_APPLESS_MAIN(TestXbzrle)
#include "tst_xbzrle.moc"
