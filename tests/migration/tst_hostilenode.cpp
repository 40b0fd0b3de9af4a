// A migration destination (`proclab node`) faced with broken and hostile sources: oversized,
// out-of-order, repeated, truncated and random messages, and more sources than it serves at
// once. Each is refused with a message naming the fault, and the node goes on serving.
#include "migration/migrationnode.h"
#include "migration/protocol.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QTest>

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
    void truncatedAndRandomInputRefused();
    void sessionsAreCapped();
    void defaultMemoryCapFitsTheMachine();

private:
    /// Waits until the node's log has a line containing @p text (at most 5 s).
    bool logHas(const QString &text);
    /// The node still accepts a good Hello and answers it.
    void nodeStillServes();

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

QTEST_GUILESS_MAIN(TestHostileNode)
#include "tst_hostilenode.moc"
