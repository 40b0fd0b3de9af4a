// The migration wire format: what the source encodes, the destination's checks accept.
#include "migration/protocol.h"

#include <QTest>

#include <cmath>
#include <cstring>

using namespace proclab::migration;

class TestProtocol : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void pagesHeaderPassesTheChecks_data();
    void pagesHeaderPassesTheChecks();
    void badPageBatchesRefused_data();
    void badPageBatchesRefused();
    void deltaBatchChecks_data();
    void deltaBatchChecks();
    void deltaLengthChecks();
    void compressedBatchChecks();
    void messageRoundTrip();
    void pageIndices();
    void channelPages();
    void helloChecks_data();
    void helloChecks();
    void typeAndBodyChecks();
    void tokens();
    void refusalsSaySo();
};

void TestProtocol::pagesHeaderPassesTheChecks_data()
{
    QTest::addColumn<int>("pages");
    QTest::newRow("one") << 1;
    QTest::newRow("a few") << 7;
    QTest::newRow("the most") << int(kMaxPagesPerMessage);
}

void TestProtocol::pagesHeaderPassesTheChecks()
{
    QFETCH(int, pages);
    const MsgHeader h = pagesHeader(std::size_t(pages));
    QCOMPARE(h.type, std::uint32_t(MsgType::Pages));
    QCOMPARE(h.count, std::uint32_t(pages));
    // Computed a second way: each page is a u64 index plus 4096 bytes.
    QCOMPARE(h.bodyBytes, std::uint64_t(pages) * 8 + std::uint64_t(pages) * 4096);
    QString error;
    QVERIFY2(checkPagesHeader(h, &error), qPrintable(error));
}

void TestProtocol::badPageBatchesRefused_data()
{
    QTest::addColumn<std::uint32_t>("count");
    QTest::addColumn<std::uint64_t>("bodyBytes");
    QTest::newRow("empty") << std::uint32_t(0) << std::uint64_t(0);
    QTest::newRow("too many") << kMaxPagesPerMessage + 1 << pagesBodyBytes(kMaxPagesPerMessage + 1);
    QTest::newRow("short body") << std::uint32_t(2) << pagesBodyBytes(2) - 1;
    QTest::newRow("long body") << std::uint32_t(2) << pagesBodyBytes(3);
}

void TestProtocol::badPageBatchesRefused()
{
    QFETCH(std::uint32_t, count);
    QFETCH(std::uint64_t, bodyBytes);
    const MsgHeader h = makeHeader(MsgType::Pages, count, 0, bodyBytes);
    QString error;
    QVERIFY(!checkPagesHeader(h, &error));
    QCOMPARE(error, QStringLiteral("protocol error: bad page batch of %1").arg(count));
}

void TestProtocol::deltaBatchChecks_data()
{
    QTest::addColumn<std::uint32_t>("count");
    QTest::addColumn<std::uint64_t>("bodyBytes");
    QTest::addColumn<bool>("valid");
    // Each delta: a u64 index and a u32 length, then at most kXbzrleMaxDeltaBytes of delta.
    QTest::newRow("one empty delta") << std::uint32_t(1) << std::uint64_t(12) << true;
    QTest::newRow("the most, the longest")
        << kMaxPagesPerMessage << std::uint64_t(kMaxPagesPerMessage) * (12 + kXbzrleMaxDeltaBytes) << true;
    QTest::newRow("none") << std::uint32_t(0) << std::uint64_t(0) << false;
    QTest::newRow("too many") << kMaxPagesPerMessage + 1 << std::uint64_t(kMaxPagesPerMessage + 1) * 12
                              << false;
    QTest::newRow("shorter than its table") << std::uint32_t(2) << std::uint64_t(23) << false;
    QTest::newRow("longer than whole pages")
        << std::uint32_t(2) << std::uint64_t(2) * (12 + kXbzrleMaxDeltaBytes) + 1 << false;
}

void TestProtocol::deltaBatchChecks()
{
    QFETCH(std::uint32_t, count);
    QFETCH(std::uint64_t, bodyBytes);
    QFETCH(bool, valid);
    QCOMPARE(xbzrleBodyBytes(count, 0), std::uint64_t(count) * 12);
    const MsgHeader h = makeHeader(MsgType::XbzrlePages, count, 0, bodyBytes);
    QString error;
    QCOMPARE(checkXbzrleHeader(h, &error), valid);
    if (!valid) {
        QVERIFY2(error.startsWith(QStringLiteral("protocol error: bad batch of")), qPrintable(error));
        QVERIFY(!error.contains(QLatin1Char('\n')));
    }
}

void TestProtocol::deltaLengthChecks()
{
    const std::uint32_t lengths[] = {0, 17, std::uint32_t(kXbzrleMaxDeltaBytes)};
    const std::uint64_t sum = 17 + kXbzrleMaxDeltaBytes;
    QString error;
    QVERIFY2(checkXbzrleLengths(lengths, 3, xbzrleBodyBytes(3, sum), &error), qPrintable(error));
    QVERIFY(!checkXbzrleLengths(lengths, 3, xbzrleBodyBytes(3, sum) + 1, &error));
    QVERIFY2(error.contains(QStringLiteral("in a body of")), qPrintable(error));
    QVERIFY(!checkXbzrleLengths(lengths, 3, xbzrleBodyBytes(3, sum) - 1, &error));
    const std::uint32_t tooLong[] = {std::uint32_t(kXbzrleMaxDeltaBytes) + 1};
    QVERIFY(!checkXbzrleLengths(tooLong, 1, xbzrleBodyBytes(1, kXbzrleMaxDeltaBytes + 1), &error));
    QVERIFY2(error.contains(QStringLiteral("a page delta of")), qPrintable(error));
    // A length beyond the longest delta is refused whatever the sum.
    const std::uint32_t huge[] = {0xffffffffu, 2};
    QVERIFY(!checkXbzrleLengths(huge, 2, xbzrleBodyBytes(2, 1), &error));
}

void TestProtocol::compressedBatchChecks()
{
    // Each compressed page: a u64 index and a u32 length, then 1 to kMaxCompressedPageBytes.
    QCOMPARE(compressedBodyBytes(3, 0), std::uint64_t(36));
    QString error;
    auto header = [](std::uint32_t count, std::uint64_t bodyBytes) {
        return makeHeader(MsgType::CompressedPages, count, 0, bodyBytes);
    };
    QVERIFY(checkCompressedHeader(header(1, 13), &error));
    QVERIFY(checkCompressedHeader(
        header(kMaxPagesPerMessage, std::uint64_t(kMaxPagesPerMessage) * (12 + kMaxCompressedPageBytes)),
        &error));
    QVERIFY(!checkCompressedHeader(header(1, 12), &error)); // an empty page cannot be
    QVERIFY2(error.startsWith(QStringLiteral("protocol error: bad batch of 1 compressed pages")),
        qPrintable(error));
    QVERIFY(!checkCompressedHeader(header(0, 0), &error));
    QVERIFY(!checkCompressedHeader(
        header(kMaxPagesPerMessage + 1, std::uint64_t(kMaxPagesPerMessage + 1) * 13), &error));
    QVERIFY(!checkCompressedHeader(header(2, 2 * (12 + kMaxCompressedPageBytes) + 1), &error));

    const std::uint32_t lengths[] = {1, 17, std::uint32_t(kMaxCompressedPageBytes)};
    const std::uint64_t sum = 18 + kMaxCompressedPageBytes;
    QVERIFY2(checkCompressedLengths(lengths, 3, compressedBodyBytes(3, sum), &error), qPrintable(error));
    QVERIFY(!checkCompressedLengths(lengths, 3, compressedBodyBytes(3, sum) + 1, &error));
    QVERIFY2(error.contains(QStringLiteral("in a body of")), qPrintable(error));
    const std::uint32_t empty[] = {0, 5};
    QVERIFY(!checkCompressedLengths(empty, 2, compressedBodyBytes(2, 5), &error));
    QVERIFY2(error.contains(QStringLiteral("a compressed page of 0 bytes")), qPrintable(error));
    const std::uint32_t whole[] = {std::uint32_t(kPageBytes)}; // not shorter than a page
    QVERIFY(!checkCompressedLengths(whole, 1, compressedBodyBytes(1, kPageBytes), &error));
    const std::uint32_t huge[] = {0xffffffffu, 2};
    QVERIFY(!checkCompressedLengths(huge, 2, compressedBodyBytes(2, 1), &error));
    QVERIFY(!error.contains(QLatin1Char('\n')));
}

void TestProtocol::messageRoundTrip()
{
    StatsBody stats;
    stats.requestsServed = 12;
    stats.maxFaultWaitNs = 345;
    stats.degradedNs = -6;
    const std::vector<char> msg = encodeMessage(MsgType::Stats, 3, 99, &stats, sizeof stats);
    QCOMPARE(msg.size(), sizeof(MsgHeader) + sizeof(StatsBody));
    MsgHeader h;
    std::memcpy(&h, msg.data(), sizeof h);
    QCOMPARE(h.type, std::uint32_t(MsgType::Stats));
    QCOMPARE(h.count, std::uint32_t(3));
    QCOMPARE(h.arg, std::uint64_t(99));
    QString error;
    QVERIFY2(checkBodyBytes(h, sizeof(StatsBody), &error), qPrintable(error));
    StatsBody back;
    std::memcpy(&back, msg.data() + sizeof h, sizeof back);
    QCOMPARE(back.requestsServed, std::uint64_t(12));
    QCOMPARE(back.maxFaultWaitNs, std::uint64_t(345));
    QCOMPARE(back.degradedNs, std::int64_t(-6));
    // A header-only message.
    const std::vector<char> bare = encodeMessage(MsgType::Resumed, 0, 0);
    QCOMPARE(bare.size(), sizeof(MsgHeader));
}

void TestProtocol::pageIndices()
{
    const std::uint32_t pages[] = {0, 1, 2, 7, 4095};
    std::vector<std::uint64_t> wire {123}; // resized, not appended to
    encodePageIndices(pages, 5, &wire);
    QCOMPARE(wire, (std::vector<std::uint64_t> {0, 1, 2, 7, 4095}));
    QString error;
    QVERIFY(checkPageIndices(wire.data(), wire.size(), 4096, &error));
    QVERIFY(!checkPageIndices(wire.data(), wire.size(), 4095, &error));
    QCOMPARE(error, QStringLiteral("protocol error: page 4095 does not exist"));
}

void TestProtocol::channelPages()
{
    // Every page has exactly one channel of n, its stripe's (64 pages dealt out in turn); each
    // channel's pages, numbered in order by pageIndexInChannel(), are 0, 1, 2, ... without gaps.
    for (std::uint32_t n = 1; n <= kMaxChannels; ++n) {
        std::vector<std::uint64_t> next(n, 0);
        for (std::uint64_t page = 0; page < 64 * 3 * n + 5; ++page) {
            int owners = 0;
            for (std::uint32_t k = 0; k < n; ++k)
                owners += checkChannelPages(&page, 1, k, n, nullptr) ? 1 : 0;
            QCOMPARE(owners, 1);
            const std::uint32_t k = pageChannel(page, n);
            QCOMPARE(k, std::uint32_t(page / 64 % n));
            QVERIFY(checkChannelPages(&page, 1, k, n, nullptr));
            QCOMPARE(pageIndexInChannel(page, n), next[k]++);
        }
    }
    const std::uint64_t batch[] = {4, 63, 64, 300};
    QString error;
    QVERIFY(!checkChannelPages(batch, 4, 0, 4, &error));
    QCOMPARE(error, QStringLiteral("protocol error: page 64 on channel 0 of 4 (it belongs on channel 1)"));
    QVERIFY(checkChannelPages(batch, 2, 0, 4, &error));
    QVERIFY(checkChannelPages(batch, 4, 0, 1, &error)); // one channel: the main connection has every page
}

void TestProtocol::helloChecks_data()
{
    QTest::addColumn<int>("field");
    QTest::addColumn<QString>("message");
    QTest::newRow("good") << 0 << QString();
    QTest::newRow("bad magic") << 1 << "not a ProcLab migration (bad magic, version or page size)";
    QTest::newRow("bad version") << 2 << "not a ProcLab migration (bad magic, version or page size)";
    QTest::newRow("bad page size") << 3 << "not a ProcLab migration (bad magic, version or page size)";
    const QString limit = QStringLiteral(": this node accepts 1 to %1 pages").arg(kMaxPages);
    QTest::newRow("no pages") << 4 << "refused a VM of 0 pages (0 MiB)" + limit;
    QTest::newRow("too big")
        << 5 << QStringLiteral("refused a VM of %1 pages (%2 MiB)").arg(kMaxPages + 1).arg(262144) + limit;
    QTest::newRow("unknown strategy") << 6 << "protocol error: unknown strategy 3";
    QTest::newRow("share over 100") << 7 << "protocol error: a hot share of 101 %";
    QTest::newRow("hot set too big")
        << 8 << "protocol error: hot set of 4097 pages from page 0 outside 4096 pages";
    QTest::newRow("hot set past the end")
        << 9 << "protocol error: hot set of 16 pages from page 4081 outside 4096 pages";
    QTest::newRow("hot set wraps") << 10
                                   << "protocol error: hot set of 16 pages from page 18446744073709551615 "
                                      "outside 4096 pages";
    QTest::newRow("negative dirty rate")
        << 11 << "protocol error: dirty rate -1 pages/s is outside 0 to 1e+07";
    QTest::newRow("dirty rate not a number")
        << 12 << "protocol error: dirty rate nan pages/s is outside 0 to 1e+07";
    QTest::newRow("too many reads") << 13 << "protocol error: 4097 reads a request (at most 4096)";
    QTest::newRow("urgent connection, post-copy") << 14 << "";
    QTest::newRow("urgent connection, pre-copy")
        << 15 << "protocol error: an urgent channel is for post-copy only";
    QTest::newRow("unknown flag") << 16 << "protocol error: unknown Hello flags 2";
    QTest::newRow("no channel") << 17 << "protocol error: 0 page channels (1 to 8)";
    QTest::newRow("too many channels") << 18 << "protocol error: 9 page channels (1 to 8)";
    QTest::newRow("8 channels, pre-copy") << 19 << "";
    QTest::newRow("2 channels, stop-and-copy") << 20 << "";
    QTest::newRow("2 channels, post-copy")
        << 21 << "protocol error: several page channels are for pre-copy and stop-and-copy only";
}

void TestProtocol::helloChecks()
{
    QFETCH(int, field);
    QFETCH(QString, message);
    HelloBody hello;
    hello.pages = 4096;
    switch (field) {
    case 1:
        hello.magic = 0x31474d50;
        break;
    case 2:
        hello.version = kVersion + 1;
        break;
    case 3:
        hello.pageBytes = 8192;
        break;
    case 4:
        hello.pages = 0;
        break;
    case 5:
        hello.pages = kMaxPages + 1;
        break;
    case 6:
        hello.strategy = 3;
        break;
    case 7:
        hello.hotSharePercent = 101;
        break;
    case 8:
        hello.hotPages = 4097;
        break;
    case 9:
        hello.hotPages = 16;
        hello.hotFirstPage = 4081;
        break;
    case 10:
        hello.hotPages = 16;
        hello.hotFirstPage = ~std::uint64_t(0); // would wrap around in first + count
        break;
    case 11:
        hello.dirtyRatePagesPerSec = -1;
        break;
    case 12:
        hello.dirtyRatePagesPerSec = std::nan("");
        break;
    case 13:
        hello.requestReads = kMaxRequestReads + 1;
        break;
    case 14:
        hello.strategy = std::uint32_t(WireStrategy::PostCopy);
        hello.flags = kHelloUrgentChannel;
        break;
    case 15:
        hello.strategy = std::uint32_t(WireStrategy::PreCopy);
        hello.flags = kHelloUrgentChannel;
        break;
    case 16:
        hello.strategy = std::uint32_t(WireStrategy::PostCopy);
        hello.flags = 2;
        break;
    case 17:
        hello.channels = 0;
        break;
    case 18:
        hello.channels = kMaxChannels + 1;
        break;
    case 19:
        hello.strategy = std::uint32_t(WireStrategy::PreCopy);
        hello.channels = kMaxChannels;
        break;
    case 20:
        hello.strategy = std::uint32_t(WireStrategy::StopCopy);
        hello.channels = 2;
        break;
    case 21:
        hello.strategy = std::uint32_t(WireStrategy::PostCopy);
        hello.channels = 2;
        break;
    default:
        break;
    }
    QString error;
    QCOMPARE(checkHello(hello, &error), message.isEmpty());
    QCOMPARE(error, message);
    // A node's own memory cap is below the protocol's limit.
    if (message.isEmpty()) {
        QVERIFY(!checkHello(hello, &error, hello.pages - 1));
        QCOMPARE(
            error, QStringLiteral("refused a VM of 4096 pages (16 MiB): this node accepts 1 to 4095 pages"));
    }
}

void TestProtocol::typeAndBodyChecks()
{
    QString error;
    const MsgHeader ack = makeHeader(MsgType::HelloAck, 0, 4321);
    QVERIFY(checkType(ack, MsgType::HelloAck, &error));
    QVERIFY(!checkType(ack, MsgType::Resumed, &error));
    QCOMPARE(error, QStringLiteral("the destination answered message 2 instead of 6"));
    const MsgHeader cpu = makeHeader(MsgType::CpuState, 0, 0, 8);
    QVERIFY(!checkBodyBytes(cpu, sizeof(VmStateBody), &error));
    QCOMPARE(
        error, QStringLiteral("protocol error: message 5 has 8 bytes, expected %1").arg(sizeof(VmStateBody)));
}

void TestProtocol::tokens()
{
    QString error;
    QVERIFY(checkToken("s3cret", &error));
    QVERIFY(checkToken(std::string(kMaxTokenBytes, 'x'), &error));
    QVERIFY(!checkToken(std::string(kMaxTokenBytes + 1, 'x'), &error));
    QCOMPARE(error, QStringLiteral("a token has 1 to 64 bytes (no NUL)"));
    QVERIFY(!checkToken("", &error));
    QVERIFY(!checkToken(std::string_view("a\0b", 3), &error));

    HelloBody hello;
    QVERIFY(helloTokenMatches(hello, "")); // neither side has one
    QVERIFY(!helloTokenMatches(hello, "s3cret"));
    setHelloToken(&hello, "s3cret");
    QCOMPARE(hello.tokenBytes, 6u);
    QVERIFY(helloTokenMatches(hello, "s3cret"));
    QVERIFY(!helloTokenMatches(hello, "s3cre")); // a prefix
    QVERIFY(!helloTokenMatches(hello, "s3crets")); // longer
    QVERIFY(!helloTokenMatches(hello, "s3creT")); // the last byte
    QVERIFY(!helloTokenMatches(hello, ""));
    QVERIFY(!helloTokenMatches(hello, std::string(kMaxTokenBytes + 1, 's')));
    // The length counts too: the same bytes announced as shorter are not the token.
    hello.tokenBytes = 5;
    QVERIFY(!helloTokenMatches(hello, "s3cret"));
    hello.tokenBytes = 0xffffffff;
    QVERIFY(!helloTokenMatches(hello, "s3cret"));
    // The longest token fills the field with no terminator.
    const std::string longest(kMaxTokenBytes, 'k');
    setHelloToken(&hello, longest);
    QVERIFY(helloTokenMatches(hello, longest));
    QVERIFY(!helloTokenMatches(hello, longest.substr(1)));
    // Setting a shorter token clears what a longer one left.
    setHelloToken(&hello, "k");
    QVERIFY(helloTokenMatches(hello, "k"));
    QCOMPARE(hello.token[1], '\0');
}

void TestProtocol::refusalsSaySo()
{
    // A destination's Abort where the source expects an answer: the source says why.
    QString error;
    QVERIFY(!checkType(
        makeHeader(MsgType::Abort, 0, std::uint64_t(AbortReason::Token)), MsgType::HelloAck, &error));
    QCOMPARE(error,
        QStringLiteral(
            "the node refused: wrong or missing token (give the node's --token as the token parameter)"));
    QVERIFY(!checkType(
        makeHeader(MsgType::Abort, 0, std::uint64_t(AbortReason::Busy)), MsgType::HelloAck, &error));
    QVERIFY2(error.contains(QStringLiteral("as many migrations at once")), qPrintable(error));
    QVERIFY(!checkType(makeHeader(MsgType::Abort, 0, std::uint64_t(AbortReason::UnknownChannel)),
        MsgType::UrgentReady, &error));
    QVERIFY2(error.contains(QStringLiteral("refused the urgent connection")), qPrintable(error));
    QVERIFY(!checkType(makeHeader(MsgType::Abort, 0, 999), MsgType::HelloAck, &error));
    QCOMPARE(error, QStringLiteral("the destination abandoned the migration"));
}

QTEST_APPLESS_MAIN(TestProtocol)
#include "tst_protocol.moc"
