// The post-copy pusher, against a recording destination over loopback TCP.
#include "migration/migrationlink.h"
#include "migration/pagememory.h"
#include "migration/postcopypusher.h"

#include "pagesink.h"

#include <QTest>

#include <algorithm>
#include <cstring>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace proclab;
using namespace proclab::migration;
using proclab::testing::PageSink;
using Clock = std::chrono::steady_clock;

class TestPostCopyPusher : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void requestedPageGoesFirstAndNothingTwice();
    void requestsOverTheWireAreServedOnce();
    void likelyPagesGoFirst();
    void backgroundBatchesShortOnACappedLink();
    void cappedPushNeverRunsAhead();
    void failedWriteIsReported();
    void urgentAnswerOvertakesTheQueuedPush();
};

namespace {

struct Fixture {
    PageMemory memory;
    PageLedger ledger;
    PageSink sink;
    MigrationLink link;
    PostCopyPusher pusher;

    Fixture(std::size_t pages, double capBitsPerSec = 0, PageSink::Mode mode = PageSink::Mode::Receive)
        : sink(pages, mode)
        , link([] { return false; }, std::chrono::seconds(20), capBitsPerSec)
        , pusher(link, memory, ledger)
    {
        QString error;
        if (!memory.allocate(pages, &error))
            qFatal("%s", qPrintable(error));
        memory.fillPattern(9);
        ledger.reset(pages);
    }
    ~Fixture() { link.close(); } // completes every handler while the pusher exists

    bool connect()
    {
        QString error;
        const bool ok = link.connect("127.0.0.1", sink.port(), std::chrono::seconds(5), &error);
        if (!ok)
            qWarning("%s", qPrintable(error));
        return ok;
    }
    // Runs the link's handlers until the push ended, for at most 60 s (and 60,000 polls).
    bool runUntilDone()
    {
        const auto deadline = Clock::now() + std::chrono::seconds(60);
        for (int i = 0; i < 60000 && Clock::now() < deadline; ++i) {
            if (pusher.done() || pusher.failed())
                return true;
            link.poll(std::chrono::milliseconds(10));
        }
        return false;
    }
};

} // namespace

void TestPostCopyPusher::requestedPageGoesFirstAndNothingTwice()
{
    constexpr std::size_t pages = 1000;
    Fixture f(pages);
    QVERIFY(f.connect());
    f.pusher.requestPage(999); // the vCPU waits for the last page before the push began
    f.pusher.start();
    QVERIFY(f.runUntilDone());
    QVERIFY2(!f.pusher.failed(), qPrintable(f.pusher.error()));
    f.pusher.requestPage(999); // again, after it arrived: only counted
    f.pusher.requestPage(10); // pushed already: only counted
    f.link.close();
    f.sink.join();
    QVERIFY2(f.sink.error().isEmpty(), qPrintable(f.sink.error()));
    QCOMPARE(f.sink.order().front(), std::uint64_t(999));
    QCOMPARE(int(f.sink.order().size()), int(pages));
    for (std::size_t p = 0; p < pages; ++p) {
        QCOMPARE(f.sink.timesReceived(p), 1);
        QCOMPARE(f.sink.hash(p), pageHash(f.memory.page(p)));
    }
    // The rest in order: the background push goes up from page 0.
    QVERIFY(std::is_sorted(f.sink.order().begin() + 1, f.sink.order().end()));
    QCOMPARE(f.ledger.demandFetches(), qint64(1));
    QCOMPARE(f.ledger.requestsInFlight(), qint64(2));
    QCOMPARE(f.ledger.pagesResent(), qint64(0));
    QCOMPARE(f.link.pagesSent(), qint64(pages));
    // One urgent batch of 1 page, then ceil(999 / 64) background batches.
    QCOMPARE(f.sink.batches(), 1 + (999 + 63) / 64);
}

void TestPostCopyPusher::requestsOverTheWireAreServedOnce()
{
    constexpr std::size_t pages = 2000;
    Fixture f(pages);
    f.sink.requestAfterFirstBatch(1990);
    QVERIFY(f.connect());
    f.link.startReader(pages, [&f](std::size_t page) { f.pusher.requestPage(page); });
    f.pusher.start();
    QVERIFY(f.runUntilDone());
    QVERIFY2(!f.pusher.failed(), qPrintable(f.pusher.error()));
    f.link.close();
    f.sink.join();
    QVERIFY2(f.sink.error().isEmpty(), qPrintable(f.sink.error()));
    // The request was decoded and accounted for exactly once: either the page went ahead of
    // the push, or it was already on its way.
    QCOMPARE(f.ledger.demandFetches() + f.ledger.requestsInFlight(), qint64(1));
    QCOMPARE(int(f.sink.order().size()), int(pages));
    for (std::size_t p = 0; p < pages; ++p)
        QCOMPARE(f.sink.timesReceived(p), 1);
    QCOMPARE(f.ledger.pagesResent(), qint64(0));
}

void TestPostCopyPusher::likelyPagesGoFirst()
{
    constexpr std::size_t pages = 1000;
    Fixture f(pages);
    QVERIFY(f.connect());
    // The pages the guest touched last, most recent first; a repeat and a page beyond the
    // memory are skipped, not sent twice or out of bounds.
    f.pusher.setLikelyFirst({500, 7, 999, 7, 5000, 64});
    f.pusher.requestPage(3); // a waiting vCPU still goes before them
    f.pusher.start();
    QVERIFY(f.runUntilDone());
    QVERIFY2(!f.pusher.failed(), qPrintable(f.pusher.error()));
    f.link.close();
    f.sink.join();
    QVERIFY2(f.sink.error().isEmpty(), qPrintable(f.sink.error()));
    const std::vector<std::uint64_t> &order = f.sink.order();
    QCOMPARE(int(order.size()), int(pages));
    const std::vector<std::uint64_t> head {3, 500, 7, 999, 64};
    QVERIFY(std::equal(head.begin(), head.end(), order.begin()));
    QVERIFY(std::is_sorted(order.begin() + std::ptrdiff_t(head.size()), order.end()));
    for (std::size_t p = 0; p < pages; ++p)
        QCOMPARE(f.sink.timesReceived(p), 1);
    QCOMPARE(f.ledger.pagesResent(), qint64(0));
}

void TestPostCopyPusher::backgroundBatchesShortOnACappedLink()
{
    // A background batch crosses a capped link in about kBackgroundBatchTime, so a page
    // request never queues behind more; between kMinPushBatchPages and kPushBatchPages.
    QCOMPARE(PostCopyPusher::backgroundBatchPages(0), PostCopyPusher::kPushBatchPages);
    // 1 Gbit/s: 62,500 bytes in 0.5 ms, 15 pages of 4096 bytes and an 8-byte index.
    QCOMPARE(PostCopyPusher::backgroundBatchPages(1e9), std::size_t(15));
    QCOMPARE(PostCopyPusher::backgroundBatchPages(100e6), PostCopyPusher::kMinPushBatchPages);
    QCOMPARE(PostCopyPusher::backgroundBatchPages(100e9), PostCopyPusher::kPushBatchPages);
    for (double bits : {1e6, 1e8, 5e8, 1e9, 4e9, 1e10}) {
        const std::size_t n = PostCopyPusher::backgroundBatchPages(bits);
        QVERIFY(n >= PostCopyPusher::kMinPushBatchPages && n <= PostCopyPusher::kPushBatchPages);
        QVERIFY(n == PostCopyPusher::kMinPushBatchPages
            || double(n * (4096 + 8)) * 8 / bits
                <= std::chrono::duration<double>(PostCopyPusher::kBackgroundBatchTime).count());
    }
}

void TestPostCopyPusher::cappedPushNeverRunsAhead()
{
    constexpr std::size_t pages = 1024;
    const double bytesPerSec = 100e6 / 8;
    const std::size_t batch = PostCopyPusher::backgroundBatchPages(100e6);
    const std::size_t batches = (pages + batch - 1) / batch;
    Fixture f(pages, 100e6);
    QVERIFY(f.connect());
    const auto t0 = Clock::now();
    f.pusher.start();
    QVERIFY(f.runUntilDone());
    const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    QVERIFY2(!f.pusher.failed(), qPrintable(f.pusher.error()));
    // A lower bound no machine can beat unless the limiter is broken: everything but the
    // last batch and the burst went at the cap.
    const double lastBatchBytes = 24 + double(batch) * (8 + 4096);
    const double bound
        = (double(f.link.bytesSent()) - lastBatchBytes - f.link.limiter().burstBytes()) / bytesPerSec;
    QVERIFY2(elapsed >= bound,
        qPrintable(QStringLiteral("%1 s elapsed, at least %2 s expected").arg(elapsed).arg(bound)));
    QCOMPARE(f.link.pagesSent(), qint64(pages));
    // Bytes counted a second way: a header per batch, an index and a page per page.
    QCOMPARE(f.link.bytesSent(), std::uint64_t(batches * 24 + pages * (8 + 4096)));
    f.link.close();
    f.sink.join();
    QCOMPARE(int(f.sink.order().size()), int(pages));
}

void TestPostCopyPusher::failedWriteIsReported()
{
    // The destination hangs up at once: some write fails (the kernel buffers the first ones).
    constexpr std::size_t pages = 16384; // 64 MiB, far more than a loopback socket buffers
    Fixture f(pages, 0, PageSink::Mode::CloseAtOnce);
    QVERIFY(f.connect());
    f.pusher.start();
    QVERIFY(f.runUntilDone());
    QVERIFY(f.pusher.failed());
    QVERIFY2(f.pusher.error().startsWith(QStringLiteral("sending failed: ")), qPrintable(f.pusher.error()));
    QVERIFY(f.link.pagesSent() < qint64(pages));
    f.sink.join();
}

namespace {

/// Reads exactly @p n bytes from @p fd (its receive timeout set); false on error, timeout or end.
bool readAll(int fd, void *out, std::size_t n)
{
    auto *p = static_cast<char *>(out);
    while (n > 0) {
        const ssize_t got = ::recv(fd, p, n, 0);
        if (got <= 0)
            return false;
        p += got;
        n -= std::size_t(got);
    }
    return true;
}

/// A blocking socket with 20 s timeouts, accepted from @p listener.
int acceptWithTimeouts(int listener)
{
    pollfd pfd {listener, POLLIN, 0};
    if (::poll(&pfd, 1, 20000) <= 0)
        return -1;
    const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    timeval tv {20, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return fd;
}

} // namespace

void TestPostCopyPusher::urgentAnswerOvertakesTheQueuedPush()
{
    // The destination reads nothing from the main connection while the background push fills
    // it: far more than the socket buffers hold, so the push stalls there. Its vCPU asks for
    // the last page on the urgent connection; the answer must come there, although every
    // background page before it is still queued (or not even written) on the main connection.
    // Nothing here depends on timing: with one connection the answer could not arrive at all
    // before the destination read the 64 MiB ahead of it.
    constexpr std::size_t pages = 16384;
    PageMemory memory;
    PageLedger ledger;
    QString error;
    QVERIFY2(memory.allocate(pages, &error), qPrintable(error));
    memory.fillPattern(11);
    ledger.reset(pages);

    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    QVERIFY(::bind(listener, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0);
    QVERIFY(::listen(listener, 2) == 0);
    QVERIFY(::getsockname(listener, reinterpret_cast<sockaddr *>(&addr), &len) == 0);

    MigrationLink link([] { return false; }, std::chrono::seconds(20), 0);
    QVERIFY2(
        link.connect("127.0.0.1", ntohs(addr.sin_port), std::chrono::seconds(5), &error), qPrintable(error));
    const int mainFd = acceptWithTimeouts(listener);
    QVERIFY(mainFd >= 0);
    // The destination's side of the urgent handshake, on a thread while the link waits for it.
    HelloBody hello;
    hello.pages = pages;
    hello.strategy = std::uint32_t(WireStrategy::PostCopy);
    hello.flags = kHelloUrgentChannel;
    constexpr std::uint64_t key = 0x5eed;
    int urgentFd = -1;
    bool handshakeOk = false;
    std::thread destination([&] {
        urgentFd = acceptWithTimeouts(listener);
        MsgHeader h;
        HelloBody got;
        if (urgentFd < 0 || !readAll(urgentFd, &h, sizeof h) || !readAll(urgentFd, &got, sizeof got))
            return;
        handshakeOk = h.type == std::uint32_t(MsgType::UrgentHello) && h.arg == key
            && h.bodyBytes == sizeof got && std::memcmp(&got, &hello, sizeof got) == 0;
        const std::vector<char> ready = encodeMessage(MsgType::UrgentReady, 0, 0);
        ::send(urgentFd, ready.data(), ready.size(), MSG_NOSIGNAL);
    });
    const bool connected = link.connectUrgent(hello, key, std::chrono::seconds(5), &error);
    destination.join();
    ::close(listener);
    QVERIFY2(connected, qPrintable(error));
    QVERIFY(handshakeOk); // the same Hello and the key, on the second connection
    QVERIFY(link.hasUrgent());

    PostCopyPusher pusher(link, memory, ledger);
    link.startReader(pages, [&pusher](std::size_t page) { pusher.requestPage(page); });
    pusher.start();
    for (int i = 0; i < 20; ++i) // let the push queue what the main connection takes
        link.poll(std::chrono::milliseconds(5));
    QVERIFY(ledger.wasSent(0)); // the background push began, on the main connection
    const std::uint64_t wanted = pages - 1; // the background push's very last page
    QVERIFY(!ledger.wasSent(wanted));
    const std::vector<char> request = encodeMessage(MsgType::PageRequest, 0, wanted);
    QVERIFY(::send(urgentFd, request.data(), request.size(), MSG_NOSIGNAL) == ssize_t(request.size()));
    // Run the source until the answer is readable on the urgent connection (at most 20 s).
    bool readable = false;
    for (int i = 0; i < 2000 && !readable && !pusher.failed(); ++i) {
        link.poll(std::chrono::milliseconds(10));
        pollfd pfd {urgentFd, POLLIN, 0};
        readable = ::poll(&pfd, 1, 0) > 0;
    }
    QVERIFY2(readable, qPrintable(pusher.error()));
    MsgHeader h;
    std::uint64_t index = 0;
    std::vector<std::uint8_t> page(kPageBytes);
    QVERIFY(readAll(urgentFd, &h, sizeof h));
    QVERIFY2(checkPagesHeader(h, &error), qPrintable(error));
    QCOMPARE(h.count, 1u);
    QVERIFY(readAll(urgentFd, &index, sizeof index));
    QVERIFY(readAll(urgentFd, page.data(), page.size()));
    QCOMPARE(index, wanted);
    QCOMPARE(pageHash(page.data()), pageHash(memory.page(wanted)));
    QCOMPARE(link.urgentPagesSent(), qint64(1));
    // Ahead of the queued push: not a byte of the main connection was read yet, and the
    // requested page is the last one the background push would have sent there.
    QVERIFY(link.pagesSent() - link.urgentPagesSent() < qint64(pages - 1));

    // Now the destination reads the main connection to its end: every other page once, in
    // order, and never the one answered on the urgent connection.
    std::vector<std::uint64_t> order;
    bool mainOk = true;
    std::thread reader([&] {
        std::vector<std::uint64_t> indices;
        std::vector<std::uint8_t> data;
        MsgHeader m;
        while (readAll(mainFd, &m, sizeof m)) {
            QString why;
            if (!checkPagesHeader(m, &why)) {
                mainOk = false;
                return;
            }
            indices.resize(m.count);
            data.resize(std::size_t(m.count) * kPageBytes);
            if (!readAll(mainFd, indices.data(), indices.size() * sizeof(std::uint64_t))
                || !readAll(mainFd, data.data(), data.size())) {
                mainOk = false;
                return;
            }
            order.insert(order.end(), indices.begin(), indices.end());
        }
    });
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (!pusher.done() && !pusher.failed() && Clock::now() < deadline)
        link.poll(std::chrono::milliseconds(10));
    const bool done = pusher.done();
    link.close(); // the reader sees the end of the stream
    reader.join();
    ::close(mainFd);
    ::close(urgentFd);
    QVERIFY2(done && !pusher.failed(), qPrintable(pusher.error()));
    QVERIFY(mainOk);
    QCOMPARE(order.size(), std::size_t(pages - 1));
    QVERIFY(std::find(order.begin(), order.end(), wanted) == order.end());
    QVERIFY(std::is_sorted(order.begin(), order.end()));
    QCOMPARE(link.pagesSent(), qint64(pages));
    QCOMPARE(ledger.pagesResent(), qint64(0));
    QCOMPARE(ledger.demandFetches(), qint64(1));
}

QTEST_APPLESS_MAIN(TestPostCopyPusher)
#include "tst_postcopypusher.moc"
