// Compression of whole pages (zlib): round trips on pages that compress well, badly and not
// at all, the fallback to whole pages, and the decoder's checks on adversarial input (a
// compressed page must inflate to exactly one page, nothing more, nothing less).
#include "migration/pagecompressor.h"
#include "randompage.h"

#include <QTest>

#include <zlib.h>

#include <cstring>
#include <random>
#include <vector>

using namespace proclab::migration;

class TestPageCompressor : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void pagesRoundTrip_data();
    void pagesRoundTrip();
    void randomPageDoesNotShrink();
    void manyPagesOneCompressor();
    void badInputRefused_data();
    void badInputRefused();
    void randomInputNeverAccepted();
    void mutatedPagesRefusedOrExact();
};

namespace {

using proclab::migration::testing::Page;
using proclab::migration::testing::randomPage;

/// @p bytes of zlib data (level 9, as an independent encoder would) for @p data.
QByteArray zlibOf(const QByteArray &data)
{
    uLongf n = compressBound(uLong(data.size()));
    QByteArray out(int(n), '\0');
    if (compress2(reinterpret_cast<Bytef *>(out.data()), &n,
            reinterpret_cast<const Bytef *>(data.constData()), uLong(data.size()), 9)
        != Z_OK)
        return {};
    out.resize(int(n));
    return out;
}

} // namespace

void TestPageCompressor::pagesRoundTrip_data()
{
    QTest::addColumn<QByteArray>("page");
    std::mt19937_64 rng(7);
    QByteArray zeros(int(kPageBytes), '\0');
    QTest::newRow("zeros") << zeros;
    QByteArray text;
    while (text.size() < int(kPageBytes))
        text += "a process is a program in execution; a thread is a unit of scheduling. ";
    text.truncate(int(kPageBytes));
    QTest::newRow("text") << text;
    QByteArray half = zeros;
    const Page r = randomPage(rng);
    std::memcpy(half.data(), r.data(), kPageBytes / 2);
    QTest::newRow("half random, half zeros") << half;
    QByteArray sparse = zeros;
    for (int i = 0; i < 40; ++i)
        sparse[int(rng() % kPageBytes)] = char(rng());
    QTest::newRow("a few random bytes") << sparse;
    QByteArray lastByte = zeros;
    lastByte[int(kPageBytes) - 1] = '\x7f';
    QTest::newRow("only the last byte set") << lastByte;
}

void TestPageCompressor::pagesRoundTrip()
{
    QFETCH(QByteArray, page);
    PageCompressor c;
    std::vector<std::uint8_t> packed(kMaxCompressedPageBytes);
    const std::ptrdiff_t n
        = c.compress(reinterpret_cast<const std::uint8_t *>(page.constData()), packed.data());
    QVERIFY(n > 0);
    QVERIFY(std::size_t(n) <= kMaxCompressedPageBytes);
    Page out(kPageBytes, 0xee);
    QString error;
    QVERIFY2(c.decompress(packed.data(), std::size_t(n), out.data(), &error), qPrintable(error));
    QVERIFY(std::memcmp(out.data(), page.constData(), kPageBytes) == 0);
    // Computed a second way: zlib's own one-shot inflate gives the same page.
    uLongf outBytes = kPageBytes;
    Page again(kPageBytes);
    QCOMPARE(uncompress(again.data(), &outBytes, packed.data(), uLong(n)), Z_OK);
    QCOMPARE(std::size_t(outBytes), kPageBytes);
    QVERIFY(again == out);
}

void TestPageCompressor::randomPageDoesNotShrink()
{
    std::mt19937_64 rng(11);
    PageCompressor c;
    std::vector<std::uint8_t> packed(kMaxCompressedPageBytes);
    for (int i = 0; i < 20; ++i) {
        const Page p = randomPage(rng);
        QCOMPARE(c.compress(p.data(), packed.data()), std::ptrdiff_t(-1)); // sent whole
    }
    // The compressor still works after the fallbacks.
    const Page zeros(kPageBytes, 0);
    QVERIFY(c.compress(zeros.data(), packed.data()) > 0);
}

void TestPageCompressor::manyPagesOneCompressor()
{
    // One stream reused for many pages: no state leaks from one page to the next.
    std::mt19937_64 rng(3);
    PageCompressor sender, receiver;
    std::vector<std::uint8_t> packed(kMaxCompressedPageBytes);
    for (int i = 0; i < 200; ++i) {
        Page p(kPageBytes, std::uint8_t(i));
        const std::size_t changed = rng() % kPageBytes;
        for (std::size_t b = 0; b < changed; b += 1 + rng() % 64)
            p[b] = std::uint8_t(rng());
        const std::ptrdiff_t n = sender.compress(p.data(), packed.data());
        if (n < 0)
            continue;
        Page out(kPageBytes);
        QString error;
        QVERIFY2(receiver.decompress(packed.data(), std::size_t(n), out.data(), &error), qPrintable(error));
        QVERIFY(out == p);
    }
}

void TestPageCompressor::badInputRefused_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("message");
    const QByteArray page(int(kPageBytes), '\x01');
    const QByteArray good = zlibOf(page);
    QTest::newRow("more than a page")
        << zlibOf(QByteArray(int(kPageBytes) + 1, '\x01')) << "inflates to more than one page";
    QTest::newRow("twice a page") << zlibOf(QByteArray(2 * int(kPageBytes), '\0'))
                                  << "inflates to more than one page";
    QTest::newRow("one byte short") << zlibOf(QByteArray(int(kPageBytes) - 1, '\x01'))
                                    << "inflates to 4095 bytes, not one page";
    QTest::newRow("empty stream") << zlibOf(QByteArray()) << "inflates to 0 bytes, not one page";
    QTest::newRow("cut short") << good.left(good.size() - 5) << "ends early";
    QTest::newRow("trailing bytes") << good + QByteArray("xyz") << "has 3 bytes after its end";
    QByteArray badCheck = good;
    badCheck[badCheck.size() - 1] = char(badCheck.at(badCheck.size() - 1) ^ 0x55);
    QTest::newRow("wrong checksum") << badCheck << "is not valid zlib data";
    QTest::newRow("not zlib") << QByteArray("hello, node") << "is not valid zlib data";
    QTest::newRow("nothing") << QByteArray() << "of 0 bytes";
    QTest::newRow("longer than a page") << QByteArray(int(kPageBytes), 'x') << "of 4096 bytes";
}

void TestPageCompressor::badInputRefused()
{
    QFETCH(QByteArray, data);
    QFETCH(QString, message);
    PageCompressor c;
    Page out(kPageBytes);
    QString error;
    QVERIFY(!c.decompress(reinterpret_cast<const std::uint8_t *>(data.constData()), std::size_t(data.size()),
        out.data(), &error));
    QVERIFY2(error.contains(message), qPrintable(error));
    QVERIFY(error.startsWith(QLatin1String("protocol error: a compressed page")));
    QVERIFY(!error.contains(QLatin1Char('\n')));
    // A refusal leaves the decompressor usable for the next page.
    const Page zeros(kPageBytes, 0);
    std::vector<std::uint8_t> packed(kMaxCompressedPageBytes);
    const std::ptrdiff_t n = c.compress(zeros.data(), packed.data());
    QVERIFY(n > 0);
    QVERIFY2(c.decompress(packed.data(), std::size_t(n), out.data(), &error), qPrintable(error));
    QVERIFY(out == zeros);
}

void TestPageCompressor::randomInputNeverAccepted()
{
    // Random bytes are (almost) never a zlib stream of exactly one page; whatever happens,
    // the answer is a clean refusal with a reason.
    std::mt19937_64 rng(5);
    PageCompressor c;
    Page out(kPageBytes);
    for (int i = 0; i < 2000; ++i) {
        std::vector<std::uint8_t> data(1 + rng() % kMaxCompressedPageBytes);
        for (auto &b : data)
            b = std::uint8_t(rng());
        QString error;
        const bool ok = c.decompress(data.data(), data.size(), out.data(), &error);
        QVERIFY(!ok);
        QVERIFY(!error.isEmpty());
    }
}

void TestPageCompressor::mutatedPagesRefusedOrExact()
{
    // Single-byte changes to a valid compressed page: refused, or accepted only as exactly
    // one page (Adler-32 catches nearly all; whatever passes must still be a whole page).
    const QByteArray text = QByteArray("the destination rebuilds the memory page by page. ")
                                .repeated(100)
                                .left(int(kPageBytes));
    PageCompressor c;
    std::vector<std::uint8_t> packed(kMaxCompressedPageBytes);
    const std::ptrdiff_t n
        = c.compress(reinterpret_cast<const std::uint8_t *>(text.constData()), packed.data());
    QVERIFY(n > 0);
    int refused = 0;
    for (std::ptrdiff_t at = 0; at < n; ++at) {
        for (std::uint8_t flip : {std::uint8_t(0x01), std::uint8_t(0x80), std::uint8_t(0xff)}) {
            std::vector<std::uint8_t> bad(packed.begin(), packed.begin() + n);
            bad[std::size_t(at)] ^= flip;
            Page out(kPageBytes);
            QString error;
            if (c.decompress(bad.data(), bad.size(), out.data(), &error))
                QCOMPARE(out.size(), kPageBytes);
            else
                ++refused;
        }
    }
    QVERIFY(refused > 0);
}

QTEST_APPLESS_MAIN(TestPageCompressor)
#include "tst_pagecompressor.moc"
