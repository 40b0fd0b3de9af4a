// A migration destination (`proclab node`) faced with broken and hostile sources: oversized,
// out-of-order, repeated, truncated and random messages, and more sources than it serves at
// once. Each is refused with a message naming the fault, and the node goes on serving: a real
// migration through the same node afterwards ends with the memory equal. A node reachable from
// other machines requires a shared token, checked before anything else.
#include "migration/migrationengine.h"
#include "migration/migrationnode.h"
#include "migration/pagecompressor.h"
#include "migration/protocol.h"

#include "engine/engine.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QTest>
#include <QTextStream>

#include <zlib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

using namespace proclab::migration;

namespace {

/// A blocking client socket with a 5 s receive timeout.
class RawPeer {
public:
    explicit RawPeer(std::uint16_t port)
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        timeval tv {5, 0};
        ::setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(m_fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        sockaddr_in a {};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        m_connected = ::connect(m_fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0;
    }
    ~RawPeer() { ::close(m_fd); }
    RawPeer(const RawPeer &) = delete;
    RawPeer &operator=(const RawPeer &) = delete;

    bool connected() const { return m_connected; }
    bool send(const void *data, std::size_t n) { return ::send(m_fd, data, n, MSG_NOSIGNAL) == ssize_t(n); }
    bool send(MsgType type, const void *body = nullptr, std::size_t bodyBytes = 0, std::uint64_t arg = 0)
    {
        const auto bytes = encodeMessage(type, 0, arg, body, bodyBytes);
        return send(bytes.data(), bytes.size());
    }
    /// The next header, or nullopt when the node closed the connection (or after 5 s).
    std::optional<MsgHeader> receiveHeader()
    {
        MsgHeader h;
        std::size_t got = 0;
        while (got < sizeof h) {
            const ssize_t n = ::recv(m_fd, reinterpret_cast<char *>(&h) + got, sizeof h - got, 0);
            if (n <= 0)
                return std::nullopt;
            got += std::size_t(n);
        }
        return h;
    }
    /// Reads exactly @p n bytes of a body (false when the node closed or after 5 s).
    bool receiveBody(void *out, std::size_t n)
    {
        std::size_t got = 0;
        while (got < n) {
            const ssize_t r = ::recv(m_fd, static_cast<char *>(out) + got, n - got, 0);
            if (r <= 0)
                return false;
            got += std::size_t(r);
        }
        return true;
    }
    /// The node's HelloAck and its body; nullopt when something else came.
    std::optional<HelloAckBody> receiveAck()
    {
        const auto h = receiveHeader();
        HelloAckBody body;
        if (!h || h->type != std::uint32_t(MsgType::HelloAck) || h->bodyBytes != sizeof body
            || !receiveBody(&body, sizeof body))
            return std::nullopt;
        return body;
    }
    /// Whether the node closes the connection (reads until end of stream, at most 5 s).
    bool closedByNode()
    {
        char buf[256];
        for (;;) {
            const ssize_t n = ::recv(m_fd, buf, sizeof buf, 0);
            if (n == 0)
                return true;
            if (n < 0)
                return errno == ECONNRESET;
        }
    }

private:
    int m_fd = -1;
    bool m_connected = false;
};

/// A measured migration of a 16 MiB VM to the node at 127.0.0.1:@p port, with @p overrides.
proclab::Result migrateTo(std::uint16_t port, const QVariantMap &overrides)
{
    const auto engine = proclab::makeEngine<proclab::MigrationEngine>();
    QVariantMap p {{QStringLiteral("memory"), 16 << 20}, {QStringLiteral("warmup_ms"), 200},
        {QStringLiteral("after_ms"), 200}, {QStringLiteral("bandwidth"), 0},
        {QStringLiteral("hot_set"), 1 << 20}, {QStringLiteral("dirty_rate"), 2000},
        {QStringLiteral("seed"), 9},
        {QStringLiteral("destination"), QStringLiteral("127.0.0.1:%1").arg(port)}};
    for (auto it = overrides.begin(); it != overrides.end(); ++it)
        p.insert(it.key(), it.value());
    QString error;
    if (!engine->configure(p, &error)) {
        proclab::Result r;
        r.error = QStringLiteral("configure: ") + error;
        return r;
    }
    return proclab::runToCompletion(*engine, std::chrono::seconds(120));
}

QString summaryText(const proclab::Result &r, const char *key)
{
    return r.summary.value(QLatin1String(key)).toString();
}

HelloBody smallHello(std::uint64_t pages = 256)
{
    HelloBody h;
    h.pages = pages;
    h.strategy = std::uint32_t(WireStrategy::PreCopy);
    h.hotPages = 16;
    h.dirtyRatePagesPerSec = 100;
    h.requestReads = 2;
    return h;
}

} // namespace

class TestHostileNode : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void oversizedVmRefusedBeforeMapping();
    void secondHelloRefused();
    void outOfOrderMessagesRefused_data();
    void outOfOrderMessagesRefused();
    void badWorkloadValuesRefused();
    void badDeltasRefused_data();
    void badDeltasRefused();
    void badCompressedPagesRefused_data();
    void badCompressedPagesRefused();
    void compressedPagesArriveWhole();
    void truncatedAndRandomInputRefused();
    void sessionsAreCapped();
    void defaultMemoryCapFitsTheMachine();
    void hostileRoundsThenAMigration_data();
    void hostileRoundsThenAMigration();
    void tokenCheckedBeforeAnythingElse();
    void urgentConnectionRules();
    void urgentConnectionNeedsTheToken();
    void pageChannelRules();
    void resumeWaitsForEveryChannel();
    void urgentConnectionHasAPlaceOnABusyNode();
    void migrationPresentsTheToken_data();
    void migrationPresentsTheToken();
    void openBindNeedsAToken_data();
    void openBindNeedsAToken();
    void commandLineRefusesOpenBindWithoutToken_data();
    void commandLineRefusesOpenBindWithoutToken();

private:
    /// Waits until the node's log has a line containing @p text (at most 5 s).
    bool logHas(const QString &text);
    /// The node still accepts a good Hello and answers it.
    void nodeStillServes();
    /// Replaces the node by one with @p options.
    void restartNode(const NodeOptions &options);

    std::unique_ptr<MigrationNode> m_node;
    QStringList m_log;
};

void TestHostileNode::init()
{
    NodeOptions options;
    options.maxMemoryBytes = 64ull << 20; // 16,384 pages
    options.maxSessions = 4;
    m_node = std::make_unique<MigrationNode>(options);
    QString error;
    QVERIFY2(m_node->start(&error), qPrintable(error));
    m_log.clear();
}

void TestHostileNode::cleanup()
{
    QElapsedTimer t;
    t.start();
    m_node->stop();
    QVERIFY2(t.elapsed() < 5000, "the node took more than 5 s to stop");
    m_node.reset();
}

bool TestHostileNode::logHas(const QString &text)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 5000) {
        m_log += m_node->takeLog();
        for (const QString &line : std::as_const(m_log))
            if (line.contains(text))
                return true;
        QTest::qSleep(10);
    }
    qWarning().noquote() << "log so far:\n" << m_log.join(QLatin1Char('\n'));
    return false;
}

void TestHostileNode::restartNode(const NodeOptions &options)
{
    m_node->stop();
    m_node = std::make_unique<MigrationNode>(options);
    QString error;
    QVERIFY2(m_node->start(&error), qPrintable(error));
}

void TestHostileNode::nodeStillServes()
{
    RawPeer peer(m_node->port());
    QVERIFY(peer.connected());
    const HelloBody hello = smallHello();
    QVERIFY(peer.send(MsgType::Hello, &hello, sizeof hello));
    const auto ack = peer.receiveHeader();
    QVERIFY2(ack, "no answer to a good Hello");
    QCOMPARE(ack->type, std::uint32_t(MsgType::HelloAck));
    QVERIFY(ack->arg > 0); // the port where the VM would serve
}

void TestHostileNode::oversizedVmRefusedBeforeMapping()
{
    RawPeer peer(m_node->port());
    QVERIFY(peer.connected());
    const HelloBody hello = smallHello(1u << 20); // 4 GiB, above the node's 64 MiB cap
    QVERIFY(peer.send(MsgType::Hello, &hello, sizeof hello));
    QVERIFY(peer.closedByNode());
    QVERIFY(logHas(
        QStringLiteral("refused a VM of 1048576 pages (4096 MiB): this node accepts 1 to 16384 pages")));
    nodeStillServes();
}

void TestHostileNode::secondHelloRefused()
{
    RawPeer peer(m_node->port());
    const HelloBody hello = smallHello();
    QVERIFY(peer.send(MsgType::Hello, &hello, sizeof hello));
    const auto ack = peer.receiveHeader();
    QVERIFY(ack && ack->type == std::uint32_t(MsgType::HelloAck));
    const HelloBody bigger = smallHello(4096);
    QVERIFY(peer.send(MsgType::Hello, &bigger, sizeof bigger));
    QVERIFY(peer.closedByNode());
    QVERIFY(logHas(QStringLiteral("protocol error: a second Hello")));
    nodeStillServes();
}

void TestHostileNode::outOfOrderMessagesRefused_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<bool>("helloFirst");
    QTest::addColumn<QString>("message");
    QTest::newRow("pages before Hello") << int(MsgType::Pages) << false << "message 3 before Hello";
    QTest::newRow("CpuState before Hello") << int(MsgType::CpuState) << false << "message 5 before Hello";
    QTest::newRow("Complete before the resume")
        << int(MsgType::Complete) << true << "message 8 before the VM resumed";
    QTest::newRow("Finish before the resume")
        << int(MsgType::Finish) << true << "message 10 before the VM resumed";
    QTest::newRow("CpuState with pages missing")
        << int(MsgType::CpuState) << true << "resume requested with 0 of 256 pages here";
    QTest::newRow("an answer's type") << int(MsgType::Verified) << true << "unknown message 9";
}

void TestHostileNode::outOfOrderMessagesRefused()
{
    QFETCH(int, type);
    QFETCH(bool, helloFirst);
    QFETCH(QString, message);
    RawPeer peer(m_node->port());
    if (helloFirst) {
        const HelloBody hello = smallHello();
        QVERIFY(peer.send(MsgType::Hello, &hello, sizeof hello));
        QVERIFY(peer.receiveHeader());
    }
    const VmStateBody state;
    if (MsgType(type) == MsgType::CpuState)
        QVERIFY(peer.send(MsgType::CpuState, &state, sizeof state));
    else
        QVERIFY(peer.send(MsgType(type)));
    QVERIFY(peer.closedByNode());
    QVERIFY(logHas(message));
    nodeStillServes();
}

void TestHostileNode::badWorkloadValuesRefused()
{
    // One of each; the full set of rules is tst_protocol's.
    HelloBody hello = smallHello();
    hello.dirtyRatePagesPerSec = 1e300; // a vCPU loop that would never check for quit
    {
        RawPeer peer(m_node->port());
        QVERIFY(peer.send(MsgType::Hello, &hello, sizeof hello));
        QVERIFY(peer.closedByNode());
        QVERIFY(logHas(QStringLiteral("dirty rate 1e+300 pages/s is outside 0 to 1e+07")));
    }
    hello = smallHello();
    hello.hotFirstPage = 250; // 16 hot pages from 250 run past page 255
    {
        RawPeer peer(m_node->port());
        QVERIFY(peer.send(MsgType::Hello, &hello, sizeof hello));
        QVERIFY(peer.closedByNode());
        QVERIFY(logHas(QStringLiteral("hot set of 16 pages from page 250 outside 256 pages")));
    }
    nodeStillServes();
}

void TestHostileNode::badDeltasRefused_data()
{
    QTest::addColumn<bool>("postCopy");
    QTest::addColumn<bool>("pageFirst"); // page 5 sent whole before the deltas
    QTest::addColumn<std::uint32_t>("count");
    QTest::addColumn<std::uint32_t>("length"); // the delta length the table announces
    QTest::addColumn<QByteArray>("delta"); // the delta bytes that follow
    QTest::addColumn<QString>("message");
    QTest::newRow("a delta for a page never sent")
        << false << false << 1u << 0u << QByteArray() << "a delta for page 5, which never arrived";
    QTest::newRow("a malformed delta")
        << false << true << 1u << 2u << QByteArray("\x05\x00", 2) << "bad page delta (an empty changed run";
    QTest::newRow("a run past the page")
        << false << true << 1u << 5u << QByteArray("\xff\x1f\x02\xaa\xbb", 5) << "past the end of the page";
    QTest::newRow("no deltas") << false << true << 0u << 0u << QByteArray() << "bad batch of 0 page deltas";
    QTest::newRow("lengths and body disagree")
        << false << true << 1u << 3u << QByteArray("\x05\x01", 2) << "page deltas of 3 bytes in a body of 14";
    QTest::newRow("deltas in post-copy")
        << true << false << 1u << 0u << QByteArray() << "page deltas in post-copy";
}

void TestHostileNode::badDeltasRefused()
{
    QFETCH(bool, postCopy);
    QFETCH(bool, pageFirst);
    QFETCH(std::uint32_t, count);
    QFETCH(std::uint32_t, length);
    QFETCH(QByteArray, delta);
    QFETCH(QString, message);
    RawPeer peer(m_node->port());
    HelloBody hello = smallHello();
    if (postCopy)
        hello.strategy = std::uint32_t(WireStrategy::PostCopy);
    QVERIFY(peer.send(MsgType::Hello, &hello, sizeof hello));
    QVERIFY(peer.receiveHeader());
    const std::uint64_t page = 5;
    if (pageFirst) {
        const MsgHeader h = pagesHeader(1);
        const std::vector<std::uint8_t> contents(kPageBytes, 0x11);
        QVERIFY(peer.send(&h, sizeof h) && peer.send(&page, sizeof page)
            && peer.send(contents.data(), contents.size()));
    }
    QByteArray body;
    if (count > 0) {
        body.append(reinterpret_cast<const char *>(&page), sizeof page);
        body.append(reinterpret_cast<const char *>(&length), sizeof length);
    }
    body.append(delta);
    const MsgHeader h = makeHeader(MsgType::XbzrlePages, count, 0, std::uint64_t(body.size()));
    QVERIFY(peer.send(&h, sizeof h) && peer.send(body.constData(), std::size_t(body.size())));
    QVERIFY(peer.closedByNode());
    QVERIFY(logHas(message));
    nodeStillServes();
}

namespace {

/// A CompressedPages message: @p pages[i] as @p data[i], with the lengths the table announces.
QByteArray compressedMessage(const std::vector<std::uint64_t> &pages, const std::vector<QByteArray> &data,
    std::vector<std::uint32_t> lengths = {})
{
    QByteArray body;
    for (std::uint64_t p : pages)
        body.append(reinterpret_cast<const char *>(&p), sizeof p);
    if (lengths.empty())
        for (const QByteArray &d : data)
            lengths.push_back(std::uint32_t(d.size()));
    for (std::uint32_t n : lengths)
        body.append(reinterpret_cast<const char *>(&n), sizeof n);
    for (const QByteArray &d : data)
        body.append(d);
    const MsgHeader h
        = makeHeader(MsgType::CompressedPages, std::uint32_t(pages.size()), 0, std::uint64_t(body.size()));
    return QByteArray(reinterpret_cast<const char *>(&h), sizeof h) + body;
}

/// zlib data for @p bytes bytes of @p fill, from zlib itself (ProcLab's compressor only makes pages).
QByteArray zlibOf(int bytes, char fill)
{
    const QByteArray data(bytes, fill);
    uLongf n = compressBound(uLong(bytes));
    QByteArray out(int(n), '\0');
    if (compress2(reinterpret_cast<Bytef *>(out.data()), &n,
            reinterpret_cast<const Bytef *>(data.constData()), uLong(bytes), 9)
        != Z_OK)
        return {};
    out.resize(int(n));
    return out;
}

} // namespace

void TestHostileNode::badCompressedPagesRefused_data()
{
    QTest::addColumn<bool>("postCopy");
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<QString>("log");
    // A good compressed page, for the faults that are not in the compressed data itself.
    PageCompressor c;
    std::vector<std::uint8_t> packed(kMaxCompressedPageBytes);
    const QByteArray page(int(kPageBytes), '\x22');
    const std::ptrdiff_t n
        = c.compress(reinterpret_cast<const std::uint8_t *>(page.constData()), packed.data());
    const QByteArray good(reinterpret_cast<const char *>(packed.data()), int(std::max<std::ptrdiff_t>(n, 0)));
    QTest::newRow("inflates to more than a page")
        << false << compressedMessage({5}, {zlibOf(int(kPageBytes) + 1, 'a')})
        << "inflates to more than one page";
    QTest::newRow("inflates to less than a page")
        << false << compressedMessage({5}, {zlibOf(int(kPageBytes) - 1, 'a')})
        << "inflates to 4095 bytes, not one page (4096)";
    QTest::newRow("not zlib") << false << compressedMessage({5}, {QByteArray("garbage!")})
                              << "is not valid zlib data";
    QTest::newRow("trailing bytes") << false << compressedMessage({5}, {good + "!"})
                                    << "has 1 bytes after its end";
    QTest::newRow("an empty compressed page")
        << false << compressedMessage({5}, {QByteArray()}) << "bad batch of 1 compressed pages in 12 bytes";
    QTest::newRow("lengths and body disagree")
        << false << compressedMessage({5}, {good}, {2}) << "compressed pages of 2 bytes in a body of";
    QTest::newRow("a page that does not exist")
        << false << compressedMessage({1000}, {good}) << "page 1000 does not exist";
    QTest::newRow("compressed pages in post-copy")
        << true << compressedMessage({5}, {good}) << "compressed pages in post-copy";
}

void TestHostileNode::badCompressedPagesRefused()
{
    QFETCH(bool, postCopy);
    QFETCH(QByteArray, message);
    QFETCH(QString, log);
    RawPeer peer(m_node->port());
    HelloBody hello = smallHello();
    if (postCopy)
        hello.strategy = std::uint32_t(WireStrategy::PostCopy);
    QVERIFY(peer.send(MsgType::Hello, &hello, sizeof hello));
    QVERIFY(peer.receiveHeader());
    QVERIFY(peer.send(message.constData(), std::size_t(message.size())));
    QVERIFY(peer.closedByNode());
    QVERIFY(logHas(log));
    nodeStillServes();
}

void TestHostileNode::compressedPagesArriveWhole()
{
    // Every page of a small VM compressed (a different compressible page each), then the CPU
    // state and the checksum of those pages: the node inflates them and finds its memory equal.
    RawPeer peer(m_node->port());
    HelloBody hello = smallHello();
    hello.dirtyRatePagesPerSec = 0;
    QVERIFY(peer.send(MsgType::Hello, &hello, sizeof hello));
    QVERIFY(peer.receiveAck());
    PageCompressor c;
    std::vector<std::uint8_t> packed(kMaxCompressedPageBytes);
    std::uint64_t checksum = 0;
    for (std::uint64_t first = 0; first < hello.pages; first += kMaxPagesPerMessage) {
        std::vector<std::uint64_t> pages;
        std::vector<QByteArray> data;
        for (std::uint64_t p = first; p < std::min<std::uint64_t>(hello.pages, first + kMaxPagesPerMessage);
             ++p) {
            std::vector<std::uint8_t> page(kPageBytes, std::uint8_t(p));
            std::memcpy(page.data() + (p * 16) % kPageBytes, &p, sizeof p);
            checksum += pageChecksumTerm(p, pageHash(page.data()));
            const std::ptrdiff_t n = c.compress(page.data(), packed.data());
            QVERIFY(n > 0);
            pages.push_back(p);
            data.emplace_back(reinterpret_cast<const char *>(packed.data()), int(n));
        }
        const QByteArray msg = compressedMessage(pages, data);
        QVERIFY(peer.send(msg.constData(), std::size_t(msg.size())));
    }
    const VmStateBody state;
    QVERIFY(peer.send(MsgType::CpuState, &state, sizeof state));
    const auto resumed = peer.receiveHeader();
    QVERIFY2(resumed && resumed->type == std::uint32_t(MsgType::Resumed), "the VM did not resume");
    QVERIFY(peer.send(MsgType::Complete, nullptr, 0, checksum));
    const auto verified = peer.receiveHeader();
    QVERIFY(verified);
    QCOMPARE(verified->type, std::uint32_t(MsgType::Verified));
    QCOMPARE(verified->arg, checksum); // the node's checksum of what it inflated
    QCOMPARE(verified->count, 1u); // equal
    QVERIFY(logHas(QStringLiteral(": equal")));
}

void TestHostileNode::truncatedAndRandomInputRefused()
{
    {
        // Half a header, then the peer goes away.
        RawPeer peer(m_node->port());
        const MsgHeader h = makeHeader(MsgType::Hello, 0, 0, sizeof(HelloBody));
        QVERIFY(peer.send(&h, 10));
    }
    QVERIFY(logHas(QStringLiteral("the source closed the connection")));
    {
        // A Hello header announcing a body larger than a Hello.
        RawPeer peer(m_node->port());
        const MsgHeader h = makeHeader(MsgType::Hello, 0, 0, 1ull << 40);
        QVERIFY(peer.send(&h, sizeof h));
        QVERIFY(peer.closedByNode());
    }
    QVERIFY(logHas(QStringLiteral("protocol error: message 1 has 1099511627776 bytes")));
    // Random bytes, seeded: each connection is refused or runs out; none crashes the node.
    QRandomGenerator rng(20261130);
    for (int i = 0; i < 20; ++i) {
        RawPeer peer(m_node->port());
        QByteArray junk(int(rng.bounded(1, 200)), Qt::Uninitialized);
        for (char &c : junk)
            c = char(rng.bounded(256));
        peer.send(junk.constData(), std::size_t(junk.size()));
    }
    nodeStillServes();
}

void TestHostileNode::sessionsAreCapped()
{
    m_node->stop();
    NodeOptions options;
    options.maxSessions = 2;
    m_node = std::make_unique<MigrationNode>(options);
    QString error;
    QVERIFY2(m_node->start(&error), qPrintable(error));
    RawPeer a(m_node->port()), b(m_node->port());
    QVERIFY(a.connected() && b.connected());
    QVERIFY(logHas(QStringLiteral("connection from")));
    QTest::qSleep(100); // both accepted
    RawPeer c(m_node->port());
    const auto answer = c.receiveHeader();
    QVERIFY2(answer, "the third source got no answer");
    QCOMPARE(answer->type, std::uint32_t(MsgType::Abort));
    QVERIFY(c.closedByNode());
    QVERIFY(logHas(QStringLiteral("migrations are under way (the most at once)")));
}

void TestHostileNode::defaultMemoryCapFitsTheMachine()
{
    const long pages = ::sysconf(_SC_PHYS_PAGES), pageSize = ::sysconf(_SC_PAGESIZE);
    QVERIFY(pages > 0 && pageSize > 0);
    const std::uint64_t physical = std::uint64_t(pages) * std::uint64_t(pageSize);
    QVERIFY(defaultMaxMemoryBytes() <= physical / 2);
    QVERIFY(defaultMaxMemoryBytes() <= kMaxPages * kPageBytes);
    QVERIFY(defaultMaxMemoryBytes() >= std::min<std::uint64_t>(physical / 2, 64ull << 20));
}

void TestHostileNode::hostileRoundsThenAMigration_data()
{
    QTest::addColumn<QString>("strategy");
    QTest::newRow("pre-copy") << QStringLiteral("precopy");
    QTest::newRow("post-copy") << QStringLiteral("postcopy");
}

void TestHostileNode::hostileRoundsThenAMigration()
{
    // Every kind of bad source, one after the other, against the same node...
    QFETCH(QString, strategy);
    const std::uint16_t port = m_node->port();
    const HelloBody hello = smallHello();
    {
        // Truncated: half a header, then gone.
        RawPeer peer(port);
        const MsgHeader h = makeHeader(MsgType::Hello, 0, 0, sizeof(HelloBody));
        QVERIFY(peer.send(&h, 10));
    }
    {
        // Oversized: a VM above the node's cap, and a body larger than any message's.
        RawPeer peer(port);
        const HelloBody huge = smallHello(1u << 20);
        QVERIFY(peer.send(MsgType::Hello, &huge, sizeof huge));
        QVERIFY(peer.closedByNode());
        RawPeer peer2(port);
        const MsgHeader h = makeHeader(MsgType::Hello, 0, 0, 1ull << 40);
        QVERIFY(peer2.send(&h, sizeof h));
        QVERIFY(peer2.closedByNode());
    }
    {
        // Repeated: a second Hello.
        RawPeer peer(port);
        QVERIFY(peer.send(MsgType::Hello, &hello, sizeof hello));
        QVERIFY(peer.receiveHeader());
        QVERIFY(peer.send(MsgType::Hello, &hello, sizeof hello));
        QVERIFY(peer.closedByNode());
    }
    {
        // Out of order: pages before the Hello; Complete before the resume.
        RawPeer peer(port);
        QVERIFY(peer.send(MsgType::Pages));
        QVERIFY(peer.closedByNode());
        RawPeer peer2(port);
        QVERIFY(peer2.send(MsgType::Hello, &hello, sizeof hello));
        QVERIFY(peer2.receiveHeader());
        QVERIFY(peer2.send(MsgType::Complete));
        QVERIFY(peer2.closedByNode());
    }
    {
        // Truncated inside a message: a page batch that stops half-way, then gone.
        RawPeer peer(port);
        QVERIFY(peer.send(MsgType::Hello, &hello, sizeof hello));
        QVERIFY(peer.receiveHeader());
        const MsgHeader h = pagesHeader(2);
        const std::uint64_t indices[2] = {0, 1};
        QVERIFY(peer.send(&h, sizeof h));
        QVERIFY(peer.send(indices, sizeof indices));
        const QByteArray halfPage(2048, 'x');
        QVERIFY(peer.send(halfPage.constData(), std::size_t(halfPage.size())));
    }
    // Random bytes, seeded.
    QRandomGenerator rng(20261201);
    for (int i = 0; i < 20; ++i) {
        RawPeer peer(port);
        QByteArray junk(int(rng.bounded(1, 300)), Qt::Uninitialized);
        for (char &c : junk)
            c = char(rng.bounded(256));
        peer.send(junk.constData(), std::size_t(junk.size()));
    }
    QVERIFY(logHas(QStringLiteral("refused a VM of 1048576 pages")));
    QVERIFY(logHas(QStringLiteral("protocol error: message 1 has 1099511627776 bytes")));
    QVERIFY(logHas(QStringLiteral("protocol error: a second Hello")));
    QVERIFY(logHas(QStringLiteral("message 3 before Hello")));
    QVERIFY(logHas(QStringLiteral("message 8 before the VM resumed")));
    // Every one of those 27 sessions ended, so none holds a place the migration needs.
    QElapsedTimer waited;
    waited.start();
    while (m_node->sessionsEnded() < 27 && waited.elapsed() < 20000)
        QTest::qSleep(10);
    QCOMPARE(m_node->sessionsEnded(), 27);

    // ...while one more keeps a session open, silent, half a header sent.
    RawPeer silent(port);
    const MsgHeader h = makeHeader(MsgType::Hello, 0, 0, sizeof(HelloBody));
    QVERIFY(silent.send(&h, 12));

    // ...and then a real migration through the same node: the memory arrives equal.
    const proclab::Result r = migrateTo(port, {{QStringLiteral("strategy"), strategy}});
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(summaryText(r, "vm_location"), QStringLiteral("destination"));
    QVERIFY(r.summary.value(QStringLiteral("memory_equal")).toBool());
    QCOMPARE(summaryText(r, "checksum_destination"), summaryText(r, "checksum_source"));
    QVERIFY(!summaryText(r, "checksum_source").isEmpty());
    // The node's own verdict, computed on its side.
    QVERIFY(logHas(QStringLiteral(": equal")));
    QVERIFY(logHas(QStringLiteral("finished: ")));
}

void TestHostileNode::tokenCheckedBeforeAnythingElse()
{
    NodeOptions options;
    options.maxMemoryBytes = 64ull << 20;
    options.token = "classroom-7";
    restartNode(options);
    const auto refusedWith = [&](const HelloBody &hello, const QString &logLine) {
        RawPeer peer(m_node->port());
        if (!peer.send(MsgType::Hello, &hello, sizeof hello))
            return false;
        const auto answer = peer.receiveHeader();
        if (!answer || answer->type != std::uint32_t(MsgType::Abort)
            || answer->arg != std::uint64_t(AbortReason::Token))
            return false;
        QString error;
        checkType(*answer, MsgType::HelloAck, &error);
        return error.startsWith(QStringLiteral("the node refused: wrong or missing token"))
            && peer.closedByNode() && logHas(logLine);
    };
    HelloBody hello = smallHello();
    QVERIFY(refusedWith(hello, QStringLiteral("no token")));
    setHelloToken(&hello, "classroom-8");
    QVERIFY(refusedWith(hello, QStringLiteral("wrong token")));
    setHelloToken(&hello, "classroom-");
    QVERIFY(refusedWith(hello, QStringLiteral("wrong token")));
    // Before any other check: an oversized VM with a wrong token is refused for the token,
    // nothing about this node's limits is said and nothing is mapped.
    HelloBody huge = smallHello(1u << 20);
    setHelloToken(&huge, "guess");
    m_log.clear();
    QVERIFY(refusedWith(huge, QStringLiteral("wrong token")));
    QVERIFY(!m_log.join(QLatin1Char('\n')).contains(QStringLiteral("refused a VM")));
    // The right token: the node answers.
    setHelloToken(&hello, "classroom-7");
    RawPeer peer(m_node->port());
    QVERIFY(peer.send(MsgType::Hello, &hello, sizeof hello));
    const auto ack = peer.receiveHeader();
    QVERIFY2(ack, "no answer to a Hello with the right token");
    QCOMPARE(ack->type, std::uint32_t(MsgType::HelloAck));
}

namespace {

/// A post-copy Hello that asks for an urgent connection.
HelloBody urgentHello()
{
    HelloBody h = smallHello();
    h.strategy = std::uint32_t(WireStrategy::PostCopy);
    h.flags = kHelloUrgentChannel;
    return h;
}

/// A Pages message carrying page @p index, every byte @p fill.
QByteArray onePage(std::uint64_t index, char fill)
{
    const MsgHeader h = pagesHeader(1);
    QByteArray msg(reinterpret_cast<const char *>(&h), sizeof h);
    msg.append(reinterpret_cast<const char *>(&index), sizeof index);
    msg.append(QByteArray(int(kPageBytes), fill));
    return msg;
}

} // namespace

void TestHostileNode::urgentConnectionRules()
{
    const std::uint16_t port = m_node->port();
    {
        // An urgent connection is for post-copy only.
        RawPeer peer(port);
        HelloBody hello = urgentHello();
        hello.strategy = std::uint32_t(WireStrategy::PreCopy);
        QVERIFY(peer.send(MsgType::Hello, &hello, sizeof hello));
        QVERIFY(peer.closedByNode());
        QVERIFY(logHas(QStringLiteral("protocol error: an urgent channel is for post-copy only")));
    }
    {
        // A key no migration gave: refused with its own reason.
        RawPeer peer(port);
        const HelloBody hello = urgentHello();
        QVERIFY(peer.send(MsgType::UrgentHello, &hello, sizeof hello, 12345));
        const auto answer = peer.receiveHeader();
        QVERIFY(answer);
        QCOMPARE(answer->type, std::uint32_t(MsgType::Abort));
        QCOMPARE(answer->arg, std::uint64_t(AbortReason::UnknownChannel));
        QVERIFY(peer.closedByNode());
        QVERIFY(logHas(QStringLiteral("an urgent connection for no migration waiting for one")));
    }
    {
        // The resume before the urgent connection joined.
        RawPeer peer(port);
        const HelloBody hello = urgentHello();
        QVERIFY(peer.send(MsgType::Hello, &hello, sizeof hello));
        const auto ack = peer.receiveAck();
        QVERIFY(ack && ack->joinKey != 0);
        const VmStateBody state;
        QVERIFY(peer.send(MsgType::CpuState, &state, sizeof state));
        QVERIFY(peer.closedByNode());
        QVERIFY(logHas(QStringLiteral("resume requested before the urgent connection joined")));
    }
    {
        // The right key with a Hello that is not the migration's: refused, and the migration
        // still accepts its own urgent connection afterwards.
        RawPeer peer(port);
        const HelloBody hello = urgentHello();
        QVERIFY(peer.send(MsgType::Hello, &hello, sizeof hello));
        const auto ack = peer.receiveAck();
        QVERIFY(ack);
        RawPeer impostor(port);
        HelloBody other = hello;
        other.requestReads = 3;
        QVERIFY(impostor.send(MsgType::UrgentHello, &other, sizeof other, ack->joinKey));
        const auto refused = impostor.receiveHeader();
        QVERIFY(refused && refused->type == std::uint32_t(MsgType::Abort));
        QCOMPARE(refused->arg, std::uint64_t(AbortReason::UnknownChannel));
        RawPeer urgent(port);
        QVERIFY(urgent.send(MsgType::UrgentHello, &hello, sizeof hello, ack->joinKey));
        const auto ready = urgent.receiveHeader();
        QVERIFY2(ready, "no answer on the urgent connection");
        QCOMPARE(ready->type, std::uint32_t(MsgType::UrgentReady));
        QVERIFY(logHas(QStringLiteral("joined the migration from")));
        // A second urgent connection for the same migration: it has one.
        RawPeer second(port);
        QVERIFY(second.send(MsgType::UrgentHello, &hello, sizeof hello, ack->joinKey));
        const auto again = second.receiveHeader();
        QVERIFY(again && again->type == std::uint32_t(MsgType::Abort));
        // Pages on the urgent connection before the resume.
        const QByteArray page = onePage(3, 'u');
        QVERIFY(urgent.send(page.constData(), std::size_t(page.size())));
        QVERIFY(peer.closedByNode());
        QVERIFY(urgent.closedByNode());
        QVERIFY(logHas(
            QStringLiteral("protocol error: message 3 on the urgent connection before the VM resumed")));
    }
    // After the resume: the vCPU's page requests come on the urgent connection; the same page
    // on both connections, or another message there, is refused.
    for (const char *fault : {"twice", "other message"}) {
        RawPeer peer(port);
        const HelloBody hello = urgentHello();
        QVERIFY(peer.send(MsgType::Hello, &hello, sizeof hello));
        const auto ack = peer.receiveAck();
        QVERIFY(ack);
        RawPeer urgent(port);
        QVERIFY(urgent.send(MsgType::UrgentHello, &hello, sizeof hello, ack->joinKey));
        const auto ready = urgent.receiveHeader();
        QVERIFY(ready && ready->type == std::uint32_t(MsgType::UrgentReady));
        const VmStateBody state;
        QVERIFY(peer.send(MsgType::CpuState, &state, sizeof state));
        const auto resumed = peer.receiveHeader();
        QVERIFY(resumed && resumed->type == std::uint32_t(MsgType::Resumed));
        // No page is here: the vCPU's first write waits for one and asks on the urgent connection.
        const auto request = urgent.receiveHeader();
        QVERIFY2(request, "no page request on the urgent connection");
        QCOMPARE(request->type, std::uint32_t(MsgType::PageRequest));
        QVERIFY(request->arg < hello.pages);
        const std::uint64_t wanted = request->arg;
        const QByteArray answer = onePage(wanted, 'a');
        QVERIFY(urgent.send(answer.constData(), std::size_t(answer.size())));
        if (QByteArray(fault) == "twice") {
            const QByteArray again = onePage(wanted, 'b'); // on the main connection now
            QVERIFY(peer.send(again.constData(), std::size_t(again.size())));
            QVERIFY(peer.closedByNode());
            QVERIFY(logHas(QStringLiteral("protocol error: page %1 sent twice in post-copy").arg(wanted)));
        } else {
            QVERIFY(urgent.send(MsgType::RoundEnd));
            QVERIFY(urgent.closedByNode());
            QVERIFY(logHas(QStringLiteral("protocol error: message 4 on the urgent connection")));
        }
        m_log.clear();
    }
    nodeStillServes();
}

namespace {

HelloBody channelHello(std::uint32_t channels)
{
    HelloBody h = smallHello(4 * kChannelStripePages); // 2 stripes for each of 2 channels
    h.channels = channels;
    return h;
}

/// Sends @p hello as a ChannelHello for page channel @p channel with @p key.
bool joinChannel(RawPeer &peer, const HelloBody &hello, std::uint32_t channel, std::uint64_t key)
{
    const auto bytes = encodeMessage(MsgType::ChannelHello, channel, key, &hello, sizeof hello);
    return peer.send(bytes.data(), bytes.size());
}

} // namespace

void TestHostileNode::pageChannelRules()
{
    const std::uint16_t port = m_node->port();
    {
        // Too many channels, and several for post-copy: refused at the Hello.
        RawPeer peer(port);
        const HelloBody hello = channelHello(kMaxChannels + 1);
        QVERIFY(peer.send(MsgType::Hello, &hello, sizeof hello));
        QVERIFY(peer.closedByNode());
        QVERIFY(logHas(QStringLiteral("protocol error: %1 page channels (1 to %2)")
                           .arg(kMaxChannels + 1)
                           .arg(kMaxChannels)));
        RawPeer post(port);
        HelloBody postCopy = channelHello(2);
        postCopy.strategy = std::uint32_t(WireStrategy::PostCopy);
        QVERIFY(post.send(MsgType::Hello, &postCopy, sizeof postCopy));
        QVERIFY(post.closedByNode());
        QVERIFY(logHas(QStringLiteral("several page channels are for pre-copy and stop-and-copy only")));
    }
    {
        // A key no migration gave.
        RawPeer peer(port);
        QVERIFY(joinChannel(peer, channelHello(2), 1, 777));
        const auto answer = peer.receiveHeader();
        QVERIFY(answer && answer->type == std::uint32_t(MsgType::Abort));
        QCOMPARE(answer->arg, std::uint64_t(AbortReason::UnknownChannel));
        QVERIFY(logHas(QStringLiteral("page channel 1 for no migration waiting for it")));
    }
    // Pages on the wrong connection: each page has one channel, so no two readers write a page.
    for (const bool onMain : {true, false}) {
        RawPeer peer(port);
        const HelloBody hello = channelHello(2);
        QVERIFY(peer.send(MsgType::Hello, &hello, sizeof hello));
        const auto ack = peer.receiveAck();
        QVERIFY(ack && ack->joinKey != 0);
        // A channel the migration does not have, then channel 1.
        RawPeer beyond(port);
        QVERIFY(joinChannel(beyond, hello, 2, ack->joinKey));
        const auto refused = beyond.receiveHeader();
        QVERIFY(refused && refused->type == std::uint32_t(MsgType::Abort));
        RawPeer channel(port);
        QVERIFY(joinChannel(channel, hello, 1, ack->joinKey));
        const auto ready = channel.receiveHeader();
        QVERIFY2(ready, "no answer on the page channel");
        QCOMPARE(ready->type, std::uint32_t(MsgType::ChannelReady));
        QCOMPARE(ready->count, 1u);
        const QByteArray page = onePage(onMain ? kChannelStripePages : 2, 'c');
        QVERIFY((onMain ? peer : channel).send(page.constData(), std::size_t(page.size())));
        QVERIFY(peer.closedByNode());
        QVERIFY(channel.closedByNode());
        QVERIFY(logHas(onMain
                ? QStringLiteral("protocol error: page 64 on channel 0 of 2 (it belongs on channel 1)")
                : QStringLiteral("page channel 1: protocol error: page 2 on channel 1 of 2 (it "
                                 "belongs on channel 0)")));
    }
}

void TestHostileNode::resumeWaitsForEveryChannel()
{
    const std::uint16_t port = m_node->port();
    const HelloBody hello = channelHello(2);
    for (const bool flush : {false, true}) {
        RawPeer peer(port);
        QVERIFY(peer.send(MsgType::Hello, &hello, sizeof hello));
        const auto ack = peer.receiveAck();
        QVERIFY(ack);
        RawPeer channel(port);
        QVERIFY(joinChannel(channel, hello, 1, ack->joinKey));
        QVERIFY(channel.receiveHeader());
        // Every page on its channel: stripes 0 and 2 on the main connection, 1 and 3 on channel 1.
        for (std::uint64_t i = 0; i < hello.pages; ++i) {
            const QByteArray page = onePage(i, char('a' + i % 26));
            QVERIFY((pageChannel(i, 2) ? channel : peer).send(page.constData(), std::size_t(page.size())));
        }
        if (flush)
            QVERIFY(channel.send(MsgType::ChannelFlush));
        const VmStateBody state;
        QVERIFY(peer.send(MsgType::CpuState, &state, sizeof state));
        if (flush) {
            // Every channel flushed: the VM resumes with all its pages.
            const auto resumed = peer.receiveHeader();
            QVERIFY2(resumed, "no answer to the CpuState");
            QCOMPARE(resumed->type, std::uint32_t(MsgType::Resumed));
            QVERIFY(logHas(QStringLiteral("VM resumed here with 256 of 256 pages present")));
            continue;
        }
        // No flush: the node waits for one and does not resume; the channel's close abandons.
        ::usleep(200 * 1000);
        channel.send(MsgType::Abort); // anything but pages or a flush
        QVERIFY(peer.closedByNode());
        QVERIFY(logHas(QStringLiteral("page channel 1: protocol error: message 12 on a page channel")));
        QVERIFY2(!m_log.join(QLatin1Char('\n')).contains(QStringLiteral("VM resumed here")),
            "the VM resumed before every page channel flushed");
    }
}

void TestHostileNode::urgentConnectionNeedsTheToken()
{
    NodeOptions options;
    options.maxMemoryBytes = 64ull << 20;
    options.token = "lab-3";
    restartNode(options);
    HelloBody hello = urgentHello();
    setHelloToken(&hello, "lab-3");
    RawPeer peer(m_node->port());
    QVERIFY(peer.send(MsgType::Hello, &hello, sizeof hello));
    const auto ack = peer.receiveAck();
    QVERIFY(ack);
    // The right key without the token, and with a wrong one: refused for the token, as a Hello.
    for (const char *token : {"", "lab-4"}) {
        HelloBody bad = hello;
        setHelloToken(&bad, token);
        RawPeer urgent(m_node->port());
        QVERIFY(urgent.send(MsgType::UrgentHello, &bad, sizeof bad, ack->joinKey));
        const auto answer = urgent.receiveHeader();
        QVERIFY(answer && answer->type == std::uint32_t(MsgType::Abort));
        QCOMPARE(answer->arg, std::uint64_t(AbortReason::Token));
        QVERIFY(urgent.closedByNode());
    }
    QVERIFY(logHas(QStringLiteral("no token")));
    QVERIFY(logHas(QStringLiteral("wrong token")));
    // With the token: joined.
    RawPeer urgent(m_node->port());
    QVERIFY(urgent.send(MsgType::UrgentHello, &hello, sizeof hello, ack->joinKey));
    const auto ready = urgent.receiveHeader();
    QVERIFY(ready && ready->type == std::uint32_t(MsgType::UrgentReady));
}

void TestHostileNode::urgentConnectionHasAPlaceOnABusyNode()
{
    // A node that serves one migration at once: the migration's second connection is not a
    // second migration, a further source still is.
    NodeOptions options;
    options.maxMemoryBytes = 64ull << 20;
    options.maxSessions = 1;
    restartNode(options);
    const proclab::Result r
        = migrateTo(m_node->port(), {{QStringLiteral("strategy"), QStringLiteral("postcopy")}});
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.summary.value(QStringLiteral("channels")).toInt(), 2);
    QVERIFY(r.summary.value(QStringLiteral("memory_equal")).toBool());
    QVERIFY(logHas(QStringLiteral("joined the migration from")));
    // One migration waiting for its urgent connection: that one place only.
    RawPeer peer(m_node->port());
    const HelloBody hello = urgentHello();
    QVERIFY(peer.send(MsgType::Hello, &hello, sizeof hello));
    const auto ack = peer.receiveAck();
    QVERIFY(ack);
    RawPeer urgent(m_node->port());
    RawPeer third(m_node->port());
    const auto refused = third.receiveHeader();
    QVERIFY2(refused, "the third connection got no answer");
    QCOMPARE(refused->type, std::uint32_t(MsgType::Abort));
    QCOMPARE(refused->arg, std::uint64_t(AbortReason::Busy));
    QVERIFY(urgent.send(MsgType::UrgentHello, &hello, sizeof hello, ack->joinKey));
    const auto ready = urgent.receiveHeader();
    QVERIFY(ready && ready->type == std::uint32_t(MsgType::UrgentReady));
}

void TestHostileNode::migrationPresentsTheToken_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<QString>("error");
    QTest::addColumn<QString>("strategy");
    const QString pre = QStringLiteral("precopy"), post = QStringLiteral("postcopy");
    QTest::newRow("right") << QStringLiteral("room 4.21") << QString() << pre;
    QTest::newRow("wrong") << QStringLiteral("room 4.22")
                           << QStringLiteral("the node refused: wrong or missing token") << pre;
    QTest::newRow("missing") << QString() << QStringLiteral("the node refused: wrong or missing token")
                             << pre;
    // Post-copy: the urgent connection presents the same token.
    QTest::newRow("right, post-copy, two connections") << QStringLiteral("room 4.21") << QString() << post;
}

void TestHostileNode::migrationPresentsTheToken()
{
    QFETCH(QString, token);
    QFETCH(QString, error);
    QFETCH(QString, strategy);
    NodeOptions options;
    options.maxMemoryBytes = 64ull << 20;
    options.token = "room 4.21";
    restartNode(options);
    const proclab::Result r = migrateTo(m_node->port(),
        {{QStringLiteral("token"), token}, {QStringLiteral("strategy"), strategy},
            {QStringLiteral("warmup_ms"), error.isEmpty() ? 200 : 0}});
    if (error.isEmpty()) {
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QVERIFY(r.summary.value(QStringLiteral("memory_equal")).toBool());
        QCOMPARE(r.summary.value(QStringLiteral("channels")).toInt(),
            strategy == QLatin1String("postcopy") ? 2 : 1);
        return;
    }
    QVERIFY2(r.error.contains(error), qPrintable(r.error));
    QVERIFY(!r.error.contains(QLatin1Char('\n')));
    QCOMPARE(summaryText(r, "vm_location"), QStringLiteral("source"));
}

void TestHostileNode::openBindNeedsAToken_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<QString>("token");
    QTest::addColumn<bool>("allowed");
    QTest::newRow("IPv4 loopback") << "127.0.0.1" << QString() << true;
    QTest::newRow("another loopback") << "127.0.0.2" << QString() << true;
    QTest::newRow("IPv6 loopback") << "::1" << QString() << true;
    QTest::newRow("mapped loopback") << "::ffff:127.0.0.1" << QString() << true;
    QTest::newRow("loopback with a token") << "127.0.0.1"
                                           << "t" << true;
    QTest::newRow("every address") << "0.0.0.0" << QString() << false;
    QTest::newRow("every IPv6 address") << "::" << QString() << false;
    QTest::newRow("a LAN address") << "192.168.1.20" << QString() << false;
    QTest::newRow("a LAN address with a token") << "192.168.1.20"
                                                << "s3cret" << true;
    QTest::newRow("a token too long") << "127.0.0.1" << QString(65, QLatin1Char('x')) << false;
}

void TestHostileNode::openBindNeedsAToken()
{
    QFETCH(QString, address);
    QFETCH(QString, token);
    QFETCH(bool, allowed);
    NodeOptions options;
    options.bindAddress = address.toStdString();
    options.token = token.toStdString();
    QString error;
    QCOMPARE(checkNodeAccess(options, &error), allowed);
    if (allowed)
        return;
    QVERIFY(!error.contains(QLatin1Char('\n')));
    if (token.isEmpty())
        QCOMPARE(error,
            QStringLiteral("%1 is not a loopback address: other machines can reach the node there, so it "
                           "needs --token SECRET, and each source the same token")
                .arg(address));
    // start() refuses the same way, before it binds.
    MigrationNode node(options);
    QString startError;
    QVERIFY(!node.start(&startError));
    QCOMPARE(startError, error);
}

void TestHostileNode::commandLineRefusesOpenBindWithoutToken_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    const QString listen = QStringLiteral("--listen"), any = QStringLiteral("0");
    QTest::newRow("every address") << QStringList {listen, any, QStringLiteral("--bind"),
        QStringLiteral("0.0.0.0")} << "0.0.0.0 is not a loopback address";
    QTest::newRow("a LAN address") << QStringList {listen, any, QStringLiteral("--bind"),
        QStringLiteral("10.1.2.3"), QStringLiteral("--once")}
                                   << "needs --token SECRET";
    QTest::newRow("no address") << QStringList {listen, any, QStringLiteral("--bind")}
                                << "--bind needs an address such as 127.0.0.1 or this machine's LAN address";
    QTest::newRow("no token") << QStringList {listen, any, QStringLiteral("--token")}
                              << "--token needs the secret sources must present";
    QTest::newRow("an empty token") << QStringList {listen, any, QStringLiteral("--token"), QString()}
                                    << "a token has 1 to 64 bytes";
    QTest::newRow("usage") << QStringList {listen, any, QStringLiteral("--secret")} << "[--token SECRET]";
}

void TestHostileNode::commandLineRefusesOpenBindWithoutToken()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    QString outText, errText;
    QTextStream out(&outText), err(&errText);
    QCOMPARE(proclab::runMigrationNode(args, out, err), 2);
    QVERIFY2(errText.contains(message), qPrintable(errText));
    QVERIFY2(!errText.contains(QStringLiteral("such as 0.0.0.0")), qPrintable(errText));
    QCOMPARE(errText.count(QLatin1Char('\n')), 1);
    QVERIFY(outText.isEmpty()); // it never started
}

QTEST_GUILESS_MAIN(TestHostileNode)
#include "tst_hostilenode.moc"
