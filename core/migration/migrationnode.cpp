#include "migrationnode.h"

#include "channelreceiver.h"
#include "net/asio.h"
#include "net/timedsocket.h"
#include "pagebitmap.h"
#include "pagecompressor.h"
#include "pagememory.h"
#include "protocol.h"
#include "snapshothasher.h"
#include "vm.h"
#include "wholetransfer.h"
#include "xbzrle.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include <unistd.h>

namespace proclab {
namespace migration {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

QString mib(std::uint64_t bytes)
{
    return QStringLiteral("%1 MiB").arg(double(bytes) / (1 << 20), 0, 'f', 0);
}

QString strategyName(std::uint32_t s)
{
    switch (static_cast<WireStrategy>(s)) {
    case WireStrategy::StopCopy:
        return QStringLiteral("stop-and-copy");
    case WireStrategy::PreCopy:
        return QStringLiteral("pre-copy");
    case WireStrategy::PostCopy:
        return QStringLiteral("post-copy");
    }
    return QStringLiteral("unknown");
}

} // namespace

class Session;

struct MigrationNode::Impl {
    NodeOptions options;
    asio::io_context io;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
    tcp::acceptor acceptor {io};
    std::thread thread;
    std::atomic<std::uint16_t> port {0};
    std::atomic<int> ended {0};
    std::vector<std::weak_ptr<Session>> sessions; // I/O thread only

    std::mutex logMutex; // guards logLines: written by the I/O thread, read by the owner
    QStringList logLines;

    std::uint64_t maxPages() const
    {
        const std::uint64_t bytes = options.maxMemoryBytes ? options.maxMemoryBytes : defaultMaxMemoryBytes();
        return bytes / kPageBytes;
    }

    void log(const QString &line)
    {
        std::lock_guard lock(logMutex);
        logLines << line;
    }
    void doAccept();
};

/**
 * One incoming migration, driven entirely by asynchronous handlers on the
 * node's I/O thread, except ensurePresent() which runs on the VM's vCPU thread.
 */
class Session : public std::enable_shared_from_this<Session> {
public:
    Session(MigrationNode::Impl &node, tcp::socket socket)
        : m_node(node)
        , m_socket(std::move(socket))
        , m_watchdog(node.io)
    {
    }

    void begin()
    {
        boost::system::error_code ec;
        const auto remote = m_socket.remote_endpoint(ec);
        m_peer = ec ? QStringLiteral("?")
                    : QStringLiteral("%1:%2")
                          .arg(QString::fromStdString(remote.address().to_string()))
                          .arg(remote.port());
        m_socket.set_option(tcp::no_delay(true), ec);
        m_socket.set_option(asio::socket_base::keep_alive(true), ec);
        m_node.log(QStringLiteral("connection from %1").arg(m_peer));
        m_lastActivity = Clock::now();
        armWatchdog();
        readHeader();
    }

    /// Whether this migration still waits for its urgent connection (it reserves a place for it).
    bool awaitingUrgent() const { return !m_closed && m_wantsUrgent && !m_urgentSocket; }
    /// Connections this migration still waits for (urgent, page channels): each keeps a place.
    int awaitingJoins() const
    {
        if (m_closed)
            return 0;
        int n = awaitingUrgent() ? 1 : 0;
        for (const auto &c : m_channels)
            n += c.receiver ? 0 : 1;
        return n;
    }

    /**
     * Whether an UrgentHello with @p key and @p hello may join this migration: it waits for its
     * urgent connection, the key is its own and the Hello is the main connection's.
     */
    bool acceptsUrgent(std::uint64_t key, const HelloBody &hello) const
    {
        return awaitingUrgent() && joinMatches(key, hello);
    }

    /// Whether a ChannelHello for page channel @p channel with @p key and @p hello may join.
    bool acceptsChannel(std::uint32_t channel, std::uint64_t key, const HelloBody &hello) const
    {
        return !m_closed && channel >= 1 && channel <= m_channels.size() && !m_channels[channel - 1].receiver
            && joinMatches(key, hello);
    }

    /// Takes @p socket (an accepted ChannelHello's) as page channel @p channel: its own thread reads it.
    void attachChannel(std::uint32_t channel, tcp::socket socket, const QString &peer)
    {
        m_lastActivity = Clock::now();
        m_node.log(QStringLiteral("  page channel %1 from %2 joined the migration from %3")
                       .arg(channel)
                       .arg(peer, m_peer));
        // Its events come on its thread: each is handed to this I/O thread, to a session that may be gone.
        const std::weak_ptr<Session> weak = weak_from_this();
        asio::io_context &io = m_node.io;
        ChannelReceiver::Events events;
        events.pages = [weak, &io, channel](std::vector<std::uint64_t> indices) {
            asio::post(io, [weak, channel, indices = std::move(indices)] {
                if (auto self = weak.lock())
                    self->onChannelPages(channel, indices);
            });
        };
        events.flushed = [weak, &io, channel](std::uint64_t delivered) {
            asio::post(io, [weak, channel, delivered] {
                if (auto self = weak.lock())
                    self->onChannelFlushed(channel, delivered);
            });
        };
        events.failed = [weak, &io, channel](QString why) {
            asio::post(io, [weak, channel, why] {
                if (auto self = weak.lock())
                    self->abandon(QStringLiteral("page channel %1: %2").arg(channel).arg(why));
            });
        };
        auto &slot = m_channels[channel - 1];
        slot.receiver = std::make_unique<ChannelReceiver>(
            std::move(socket), m_memory, m_hello, channel, m_node.options.idleTimeout, std::move(events));
        slot.receiver->start();
    }

    /// Whether @p key and @p hello are the ones a second connection of this migration presents.
    bool joinMatches(std::uint64_t key, const HelloBody &hello) const
    {
        // Every byte compared whatever differs, as for the token.
        volatile std::uint64_t diff = key ^ m_urgentKey;
        const auto *a = reinterpret_cast<const unsigned char *>(&hello);
        const auto *b = reinterpret_cast<const unsigned char *>(&m_hello);
        for (std::size_t i = 0; i < sizeof hello; ++i)
            diff = diff | std::uint64_t(a[i] ^ b[i]);
        return diff == 0;
    }

    /// Takes @p socket (an accepted UrgentHello's) as this migration's urgent connection.
    void attachUrgent(tcp::socket socket, const QString &peer)
    {
        m_urgentSocket.emplace(std::move(socket));
        boost::system::error_code ec;
        m_urgentSocket->set_option(tcp::no_delay(true), ec);
        m_lastActivity = Clock::now();
        m_node.log(
            QStringLiteral("  urgent connection from %1 joined the migration from %2").arg(peer, m_peer));
        queueUrgent(encodeMessage(MsgType::UrgentReady, 0, 0));
        readUrgentHeader();
    }

    void abandon(const QString &why)
    {
        if (m_closed)
            return;
        m_node.log(QStringLiteral("migration from %1 abandoned: %2; %3")
                       .arg(m_peer, why,
                           m_resumed && !m_verified
                               ? QStringLiteral("the VM stopped here (it resumes on the source)")
                               : m_resumed ? QStringLiteral("the VM stopped here")
                                           : QStringLiteral("the VM stays on the source")));
        closeAll();
    }

private:
    // Tells the source why (an Abort with @p reason), then closes once that is written.
    void refuse(AbortReason reason, const QString &why)
    {
        m_node.log(QStringLiteral("refused a migration from %1: %2").arg(m_peer, why));
        m_finishing = true;
        send(MsgType::Abort, 0, std::uint64_t(reason));
    }

    void armWatchdog()
    {
        m_watchdog.expires_after(std::chrono::seconds(1));
        m_watchdog.async_wait([self = shared_from_this()](const boost::system::error_code &ec) {
            if (ec || self->m_closed)
                return;
            const auto idle = Clock::now() - self->m_lastActivity;
            // Once the memory is verified the VM lives here: a quiet source is no reason to stop it.
            if (!self->m_verified && idle > self->m_node.options.idleTimeout) {
                self->abandon(QStringLiteral("no data from the source for %1 s")
                                  .arg(std::chrono::duration<double>(idle).count(), 0, 'f', 1));
                return;
            }
            self->armWatchdog();
        });
    }

    void closeAll()
    {
        if (m_closed)
            return;
        m_closed = true;
        {
            std::lock_guard lock(m_mutex);
            m_dead = true;
        }
        m_cv.notify_all();
        m_watchdog.cancel();
        boost::system::error_code ignored;
        m_socket.close(ignored);
        if (m_urgentSocket)
            m_urgentSocket->close(ignored);
        for (auto &c : m_channels) {
            if (c.receiver)
                c.receiver->stop(); // joins its thread before the memory goes
        }
        if (m_vm)
            m_vm->stop(); // joins the vCPU; ensurePresent() returns false now that m_dead is set
        m_vm.reset();
        if (m_snapshot)
            m_snapshot->stop(); // joins its thread before the memory goes
        m_memory.release();
        m_node.ended.fetch_add(1);
    }

    void fail(const boost::system::error_code &ec)
    {
        if (m_closed)
            return;
        abandon(ec == asio::error::eof ? QStringLiteral("the source closed the connection")
                                       : QStringLiteral("connection lost (%1)").arg(asioErrorText(ec)));
    }

    void readHeader()
    {
        asio::async_read(m_socket, asio::buffer(&m_header, sizeof m_header),
            [self = shared_from_this()](
                const boost::system::error_code &ec, std::size_t) { self->onHeader(ec); });
    }

    /// Reads @p buffers whole, then calls @p next; not when the read failed (the session is
    /// abandoned) or the session closed while it completed (its memory is gone then).
    template<typename Buffers> void readThen(const Buffers &buffers, void (Session::*next)())
    {
        // TransferWhole: a batch of pages in as few recvmsg() calls as the socket allows.
        asio::async_read(m_socket, buffers, TransferWhole {},
            [self = shared_from_this(), next](const boost::system::error_code &ec, std::size_t) {
                if (ec)
                    return self->fail(ec);
                if (self->m_closed)
                    return;
                (self.get()->*next)();
            });
    }

    template<typename T, typename Handler> void readBody(T *body, Handler handler)
    {
        QString error;
        if (!checkBodyBytes(m_header, sizeof(T), &error)) {
            abandon(error);
            return;
        }
        asio::async_read(m_socket, asio::buffer(body, sizeof(T)),
            [self = shared_from_this(), handler](const boost::system::error_code &ec, std::size_t) {
                if (ec)
                    return self->fail(ec);
                self->m_lastActivity = Clock::now();
                if (self->m_closed) // closed while this read completed: the memory is gone
                    return;
                (self.get()->*handler)();
            });
    }

    void onHeader(const boost::system::error_code &ec)
    {
        if (ec)
            return fail(ec);
        if (m_closed)
            return;
        m_lastActivity = Clock::now();
        const auto type = static_cast<MsgType>(m_header.type);
        // A second connection of a migration under way: its first message, instead of a Hello.
        if (type == MsgType::UrgentHello && !m_memory.isValid()) {
            m_urgentKeyOffered = m_header.arg;
            return readBody(&m_hello, &Session::onUrgentHello);
        }
        if (type == MsgType::ChannelHello && !m_memory.isValid()) {
            m_urgentKeyOffered = m_header.arg;
            m_channelOffered = m_header.count;
            return readBody(&m_hello, &Session::onChannelHello);
        }
        if (type != MsgType::Hello && !m_memory.isValid()) {
            abandon(QStringLiteral("protocol error: message %1 before Hello").arg(m_header.type));
            return;
        }
        // The protocol's order: one Hello, pages, one CpuState, Complete, Finish.
        if (type == MsgType::Hello && m_memory.isValid()) {
            abandon(QStringLiteral("protocol error: a second Hello"));
            return;
        }
        if (type == MsgType::CpuState && (m_resumed || m_cpuWaiting)) {
            abandon(QStringLiteral("protocol error: a second CpuState (the VM already runs here)"));
            return;
        }
        if ((type == MsgType::Complete || type == MsgType::Finish) && !m_resumed) {
            abandon(QStringLiteral("protocol error: message %1 before the VM resumed").arg(m_header.type));
            return;
        }
        switch (type) {
        case MsgType::Hello:
            return readBody(&m_hello, &Session::onHello);
        case MsgType::Pages:
            return onPagesHeader();
        case MsgType::XbzrlePages:
            return onDeltasHeader();
        case MsgType::CompressedPages:
            return onCompressedHeader();
        case MsgType::RoundEnd:
            m_node.log(QStringLiteral("  round %1 done: %2 pages received so far")
                           .arg(m_header.arg)
                           .arg(m_pagesReceived));
            return readHeader();
        case MsgType::CpuState:
            return readBody(&m_cpu, &Session::onCpuState);
        case MsgType::Complete:
            return onComplete();
        case MsgType::Finish:
            return onFinish();
        case MsgType::Abort:
            abandon(QStringLiteral("the source abandoned the migration"));
            return;
        default:
            abandon(QStringLiteral("protocol error: unknown message %1").arg(m_header.type));
        }
    }

    // A second connection asks to be the urgent connection of a migration under way: the same
    // token check first, then the same checks of its Hello, then the key.
    void onUrgentHello()
    {
        if (!helloPasses())
            return;
        for (const auto &weak : m_node.sessions) {
            const auto session = weak.lock();
            if (session && session.get() != this && session->acceptsUrgent(m_urgentKeyOffered, m_hello)) {
                // Handed over: this object ends here without counting as a migration.
                m_closed = true;
                m_watchdog.cancel();
                session->attachUrgent(std::move(m_socket), m_peer);
                return;
            }
        }
        refuse(AbortReason::UnknownChannel,
            QStringLiteral("an urgent connection for no migration waiting for one"));
    }

    // A further connection asks to be page channel m_channelOffered of a migration under way:
    // the same checks as an urgent connection's.
    void onChannelHello()
    {
        if (!helloPasses())
            return;
        for (const auto &weak : m_node.sessions) {
            const auto session = weak.lock();
            if (session && session.get() != this
                && session->acceptsChannel(m_channelOffered, m_urgentKeyOffered, m_hello)) {
                m_closed = true; // handed over, as an urgent connection is
                m_watchdog.cancel();
                session->attachChannel(m_channelOffered, std::move(m_socket), m_peer);
                return;
            }
        }
        refuse(AbortReason::UnknownChannel,
            QStringLiteral("page channel %1 for no migration waiting for it").arg(m_channelOffered));
    }

    // On the I/O thread: page channel @p channel put these pages into memory.
    void onChannelPages(std::uint32_t channel, const std::vector<std::uint64_t> &indices)
    {
        if (m_closed)
            return;
        m_channels[channel - 1].delivered += indices.size();
        if (pagesArrived(indices))
            resumeIfReady();
    }

    void onChannelFlushed(std::uint32_t channel, std::uint64_t delivered)
    {
        if (m_closed)
            return;
        m_lastActivity = Clock::now();
        m_channels[channel - 1].flushedAt = delivered;
        resumeIfReady();
    }

    // Every page channel flushed, and every page it delivered before its flush is accounted for.
    bool channelsFlushed() const
    {
        return std::all_of(m_channels.begin(), m_channels.end(),
            [](const ChannelState &c) { return c.flushedAt && c.delivered == *c.flushedAt; });
    }

    // A CpuState that came before the page channels' last pages: the resume happens now.
    void resumeIfReady()
    {
        if (m_cpuWaiting && channelsFlushed()) {
            m_cpuWaiting = false;
            resume();
        }
    }

    /// The token first, before any other check answers or any memory is mapped, then the
    /// Hello's own checks; false when the session was refused or abandoned.
    bool helloPasses()
    {
        if (!m_node.options.token.empty() && !helloTokenMatches(m_hello, m_node.options.token)) {
            refuse(AbortReason::Token,
                m_hello.tokenBytes ? QStringLiteral("wrong token") : QStringLiteral("no token"));
            return false;
        }
        QString error;
        if (!checkHello(m_hello, &error, m_node.maxPages())) {
            abandon(error);
            return false;
        }
        return true;
    }

    void onHello()
    {
        if (!helloPasses())
            return;
        QString error;
        if (!m_memory.allocate(m_hello.pages, &error)) {
            abandon(error);
            return;
        }
        m_present.resize(m_hello.pages);
        m_requested.resize(m_hello.pages);
        m_postCopy = m_hello.strategy == std::uint32_t(WireStrategy::PostCopy);
        m_wantsUrgent = (m_hello.flags & kHelloUrgentChannel) != 0;
        m_channels.resize(m_hello.channels - 1);
        m_incoming.resize(m_hello.pages);
        if (m_postCopy)
            m_hashes.assign(m_hello.pages, 0); // the other strategies hash with m_snapshot
        Workload w;
        w.kind = static_cast<WorkloadKind>(m_hello.workload);
        w.pages = m_hello.pages;
        w.hotFirstPage = m_hello.hotFirstPage;
        w.hotPages = m_hello.hotPages;
        w.hotSharePercent = static_cast<int>(m_hello.hotSharePercent);
        w.dirtyRatePagesPerSec = m_hello.dirtyRatePagesPerSec;
        w.requestReads = static_cast<int>(m_hello.requestReads);
        Vm::EnsurePresent ensure;
        if (m_postCopy)
            ensure = [this](std::size_t page) { return ensurePresent(page); };
        m_vm = std::make_unique<Vm>(m_memory, w, nullptr, ensure);
        if (!m_postCopy) {
            // Pre-copy and stop-and-copy: every page is here before the resume, so the
            // memory is hashed as it is at the resume, after it, off the transfer path.
            m_snapshot = std::make_unique<SnapshotHasher>(m_memory);
            m_vm->setBeforeWrite(
                [snapshot = m_snapshot.get()](std::size_t page) { snapshot->beforeWrite(page); });
        }
        if (!m_vm->listen(m_node.options.bindAddress, 0, &error)) {
            abandon(error);
            return;
        }
        m_node.log(
            QStringLiteral("migration from %1: %2 (%3 pages), %4; the VM will serve clients on port %5")
                .arg(m_peer, mib(m_hello.pages * kPageBytes))
                .arg(m_hello.pages)
                .arg(strategyName(m_hello.strategy))
                .arg(m_vm->port()));
        HelloAckBody ack;
        if (m_wantsUrgent || !m_channels.empty()) {
            // The further connections' key: only a peer that saw this answer can present it.
            std::random_device random;
            while (ack.joinKey == 0)
                ack.joinKey = (std::uint64_t(random()) << 32) ^ random();
            m_urgentKey = ack.joinKey;
            if (!m_channels.empty())
                m_node.log(QStringLiteral("  pages will come on %1 connections").arg(m_hello.channels));
        }
        queue(encodeMessage(MsgType::HelloAck, 0, m_vm->port(), &ack, sizeof ack));
        readHeader();
    }

    void onPagesHeader()
    {
        QString error;
        if (!checkPagesHeader(m_header, &error)) {
            abandon(error);
            return;
        }
        const std::uint32_t n = m_header.count;
        m_indices.resize(n);
        readThen(asio::buffer(m_indices.data(), n * sizeof(std::uint64_t)), &Session::onPageIndices);
    }

    void onPageIndices()
    {
        std::vector<asio::mutable_buffer> buffers;
        buffers.reserve(m_indices.size());
        QString error;
        if (!checkPageIndices(m_indices.data(), m_indices.size(), m_hello.pages, &error)
            || !checkChannelPages(m_indices.data(), m_indices.size(), 0, m_hello.channels, &error)) {
            abandon(error);
            return;
        }
        if (!claimPostCopyPages(m_indices))
            return;
        // Straight into guest memory: in pre-copy the vCPU is not running here yet;
        // in post-copy it never touches a page that is not present. One buffer per
        // run of consecutive pages, so a round 0 batch is a single 1 MiB read.
        forEachPageRun(m_indices.data(), m_indices.size(), [&](std::size_t first, std::size_t count) {
            buffers.push_back(asio::buffer(m_memory.page(first), count * kPageBytes));
        });
        readThen(buffers, &Session::onPages);
    }

    // Post-copy's promise: a page the vCPU may already have written is never overwritten, and
    // no page is read into from both connections at once: each page once, whichever carries it.
    bool claimPostCopyPages(const std::vector<std::uint64_t> &indices)
    {
        if (!m_postCopy)
            return true;
        for (std::size_t i = 0; i < indices.size(); ++i) {
            const std::uint64_t index = indices[i];
            if (m_present.test(index) || m_incoming[index]) {
                for (std::size_t j = 0; j < i; ++j)
                    m_incoming[indices[j]] = false;
                abandon(QStringLiteral("protocol error: page %1 sent twice in post-copy").arg(index));
                return false;
            }
            m_incoming[index] = true;
        }
        return true;
    }

    // ---- The urgent connection (post-copy with kHelloUrgentChannel): page requests go out on
    // it and the pages answering them come in on it; nothing else is accepted there.

    void readUrgentHeader()
    {
        asio::async_read(*m_urgentSocket, asio::buffer(&m_urgentHeader, sizeof m_urgentHeader),
            [self = shared_from_this()](
                const boost::system::error_code &ec, std::size_t) { self->onUrgentHeader(ec); });
    }

    void urgentFailed(const boost::system::error_code &ec)
    {
        if (m_closed || m_finishing)
            return; // the end: the source closes it as it pleases
        abandon(ec == asio::error::eof
                ? QStringLiteral("the source closed the urgent connection")
                : QStringLiteral("urgent connection lost (%1)").arg(asioErrorText(ec)));
    }

    void onUrgentHeader(const boost::system::error_code &ec)
    {
        if (ec)
            return urgentFailed(ec);
        if (m_closed)
            return;
        m_lastActivity = Clock::now();
        if (m_urgentHeader.type != std::uint32_t(MsgType::Pages) || !m_resumed) {
            abandon(QStringLiteral("protocol error: message %1 on the urgent connection%2")
                        .arg(m_urgentHeader.type)
                        .arg(m_resumed ? QString() : QStringLiteral(" before the VM resumed")));
            return;
        }
        QString error;
        if (!checkPagesHeader(m_urgentHeader, &error)) {
            abandon(error);
            return;
        }
        m_urgentIndices.resize(m_urgentHeader.count);
        asio::async_read(*m_urgentSocket,
            asio::buffer(m_urgentIndices.data(), m_urgentIndices.size() * sizeof(std::uint64_t)),
            [self = shared_from_this()](const boost::system::error_code &e, std::size_t) {
                if (e)
                    return self->urgentFailed(e);
                if (!self->m_closed)
                    self->onUrgentIndices();
            });
    }

    void onUrgentIndices()
    {
        QString error;
        if (!checkPageIndices(m_urgentIndices.data(), m_urgentIndices.size(), m_hello.pages, &error)) {
            abandon(error);
            return;
        }
        if (!claimPostCopyPages(m_urgentIndices))
            return;
        std::vector<asio::mutable_buffer> buffers;
        forEachPageRun(
            m_urgentIndices.data(), m_urgentIndices.size(), [&](std::size_t first, std::size_t count) {
                buffers.push_back(asio::buffer(m_memory.page(first), count * kPageBytes));
            });
        asio::async_read(*m_urgentSocket, buffers, TransferWhole {},
            [self = shared_from_this()](const boost::system::error_code &e, std::size_t) {
                if (e)
                    return self->urgentFailed(e);
                if (self->m_closed)
                    return;
                if (self->pagesArrived(self->m_urgentIndices))
                    self->readUrgentHeader();
            });
    }

    void queueUrgent(std::vector<char> msg)
    {
        queueOn(*m_urgentSocket, m_urgentOutbox, std::move(msg), &Session::urgentFailed);
    }

    // On the I/O thread: the vCPU waits for @p page; ask on the urgent connection when there is one.
    void sendPageRequest(std::size_t page)
    {
        if (m_urgentSocket)
            queueUrgent(encodeMessage(MsgType::PageRequest, 0, page));
        else
            send(MsgType::PageRequest, 0, page);
    }

    // XbzrlePages and CompressedPages carry a table (page indices, then each page's length)
    // before their data: the table is read first, into room for the header's count (checked),
    // and the data's room (@p dataBytes, checked with the header) is made ready for later.
    void readPageTable(std::uint64_t dataBytes, void (Session::*next)())
    {
        const std::uint32_t n = m_header.count;
        m_indices.resize(n);
        m_deltaLengths.resize(n);
        m_deltaBytes.resize(dataBytes);
        const std::array<asio::mutable_buffer, 2> table {
            asio::buffer(m_indices.data(), n * sizeof(std::uint64_t)),
            asio::buffer(m_deltaLengths.data(), n * sizeof(std::uint32_t))};
        readThen(table, next);
    }

    // XbzrlePages (pre-copy): deltas against pages already here. The whole message is read
    // and every delta checked before one is applied.
    void onDeltasHeader()
    {
        QString error;
        if (m_postCopy || m_resumed) {
            abandon(QStringLiteral("protocol error: page deltas in post-copy or after the resume"));
            return;
        }
        if (!checkXbzrleHeader(m_header, &error)) {
            abandon(error);
            return;
        }
        readPageTable(m_header.bodyBytes - xbzrleBodyBytes(m_header.count, 0), &Session::onDeltaTable);
    }

    void onDeltaTable()
    {
        QString error;
        if (!checkPageIndices(m_indices.data(), m_indices.size(), m_hello.pages, &error)
            || !checkChannelPages(m_indices.data(), m_indices.size(), 0, m_hello.channels, &error)
            || !checkXbzrleLengths(
                m_deltaLengths.data(), m_deltaLengths.size(), m_header.bodyBytes, &error)) {
            abandon(error);
            return;
        }
        for (std::uint64_t index : m_indices) {
            if (!m_present.test(index)) {
                abandon(
                    QStringLiteral("protocol error: a delta for page %1, which never arrived").arg(index));
                return;
            }
        }
        readThen(asio::buffer(m_deltaBytes), &Session::onDeltas);
    }

    void onDeltas()
    {
        // The vCPU does not run here before the resume: the pages are the I/O thread's.
        std::size_t offset = 0;
        for (std::size_t i = 0; i < m_indices.size(); ++i) {
            QString error;
            if (!xbzrleDecode(
                    m_deltaBytes.data() + offset, m_deltaLengths[i], m_memory.page(m_indices[i]), &error)) {
                abandon(QStringLiteral("page %1: %2").arg(m_indices[i]).arg(error));
                return;
            }
            offset += m_deltaLengths[i];
        }
        onPages();
    }

    // CompressedPages (pre-copy, stop-and-copy): like deltas, the whole message is read and
    // its table checked first; each page must then inflate to exactly one page.
    void onCompressedHeader()
    {
        QString error;
        if (m_postCopy || m_resumed) {
            abandon(QStringLiteral("protocol error: compressed pages in post-copy or after the resume"));
            return;
        }
        if (!checkCompressedHeader(m_header, &error)) {
            abandon(error);
            return;
        }
        readPageTable(
            m_header.bodyBytes - compressedBodyBytes(m_header.count, 0), &Session::onCompressedTable);
    }

    void onCompressedTable()
    {
        QString error;
        if (!checkPageIndices(m_indices.data(), m_indices.size(), m_hello.pages, &error)
            || !checkChannelPages(m_indices.data(), m_indices.size(), 0, m_hello.channels, &error)
            || !checkCompressedLengths(
                m_deltaLengths.data(), m_deltaLengths.size(), m_header.bodyBytes, &error)) {
            abandon(error);
            return;
        }
        readThen(asio::buffer(m_deltaBytes), &Session::onCompressed);
    }

    void onCompressed()
    {
        // The vCPU does not run here before the resume: the pages are the I/O thread's. A page
        // that fails leaves the session abandoned, its memory never used.
        std::size_t offset = 0;
        for (std::size_t i = 0; i < m_indices.size(); ++i) {
            QString error;
            if (!m_decompressor.decompress(
                    m_deltaBytes.data() + offset, m_deltaLengths[i], m_memory.page(m_indices[i]), &error)) {
                abandon(QStringLiteral("page %1: %2").arg(m_indices[i]).arg(error));
                return;
            }
            offset += m_deltaLengths[i];
        }
        onPages();
    }

    void onPages()
    {
        if (pagesArrived(m_indices))
            readHeader();
    }

    // Pages @p indices were read into memory (from either connection): hashed, made present,
    // the waiting vCPU woken. False when the session was abandoned (fault injection).
    bool pagesArrived(const std::vector<std::uint64_t> &indices)
    {
        m_lastActivity = Clock::now();
        for (std::uint64_t index : indices) {
            if (m_postCopy)
                m_incoming[index] = false;
            // Post-copy: the vCPU runs here already and may write a page right after
            // it arrives, so each page is hashed as it arrives.
            if (m_postCopy)
                m_hashes[index] = pageHash(m_memory.page(index));
            if (m_present.test(index))
                ++m_duplicates;
            else
                ++m_presentCount;
        }
        {
            // Set under the lock so a vCPU checking-then-waiting cannot miss the wake-up.
            std::lock_guard lock(m_mutex);
            for (std::uint64_t index : indices)
                m_present.set(index);
        }
        m_cv.notify_all();
        m_pagesReceived += indices.size();
        if (m_postCopy && m_resumed && m_presentCount == m_hello.pages && !m_allPresentAt)
            m_allPresentAt = Clock::now();
        if (m_node.options.failAfterPages > 0 && m_pagesReceived >= m_node.options.failAfterPages) {
            abandon(
                QStringLiteral("simulated failure after %1 pages (--fail-after-pages)").arg(m_pagesReceived));
            return false;
        }
        return true;
    }

    void onCpuState()
    {
        if (m_wantsUrgent && !m_urgentSocket) {
            abandon(QStringLiteral("protocol error: resume requested before the urgent connection joined"));
            return;
        }
        if (!channelsFlushed()) {
            // The page channels' last pages may still be on their way: resume once they are in.
            // The source waits for Resumed; the main connection is read on meanwhile, so a close
            // or a message out of order is seen.
            m_cpuWaiting = true;
            readHeader();
            return;
        }
        resume();
        if (!m_closed)
            readHeader();
    }

    void resume()
    {
        if (!m_postCopy && m_presentCount != m_hello.pages) {
            abandon(QStringLiteral("protocol error: resume requested with %1 of %2 pages here")
                        .arg(m_presentCount)
                        .arg(m_hello.pages));
            return;
        }
        if (m_snapshot)
            // A weak reference: the hasher's thread must never be the session's last owner.
            m_snapshot->start([weak = weak_from_this(), &io = m_node.io] {
                asio::post(io, [weak] {
                    if (auto self = weak.lock())
                        self->onSnapshotHashed();
                });
            });
        m_vm->start(m_cpu);
        m_resumed = true;
        m_resumedAt = Clock::now();
        if (m_postCopy && m_presentCount == m_hello.pages)
            m_allPresentAt = m_resumedAt;
        send(MsgType::Resumed, 0, 0);
        m_node.log(QStringLiteral("  VM resumed here with %1 of %2 pages present (%3 received, %4 re-sent)")
                       .arg(m_presentCount)
                       .arg(m_hello.pages)
                       .arg(m_pagesReceived)
                       .arg(m_duplicates));
    }

    void onComplete()
    {
        if (m_presentCount != m_hello.pages) {
            abandon(QStringLiteral("protocol error: the source says complete but %1 pages are missing")
                        .arg(m_hello.pages - m_presentCount));
            return;
        }
        m_sourceChecksum = m_header.arg;
        m_completeReceived = true;
        if (!m_snapshot) {
            std::uint64_t sum = 0;
            for (std::size_t p = 0; p < m_hashes.size(); ++p)
                sum += pageChecksumTerm(p, m_hashes[p]);
            verify(sum);
        } else if (m_snapshot->done()) {
            verify(m_snapshot->checksum());
        } // else onSnapshotHashed() answers
        readHeader();
    }

    // On the I/O thread, once the snapshot hasher has hashed every page.
    void onSnapshotHashed()
    {
        if (m_closed || !m_completeReceived || m_verified)
            return;
        verify(m_snapshot->checksum());
    }

    void verify(std::uint64_t sum)
    {
        const bool equal = sum == m_sourceChecksum;
        m_verified = true;
        send(MsgType::Verified, equal ? 1 : 0, sum);
        m_node.log(QStringLiteral("  all %1 pages here; checksum at the pause %2, as received %3: %4")
                       .arg(m_hello.pages)
                       .arg(m_sourceChecksum, 16, 16, QLatin1Char('0'))
                       .arg(sum, 16, 16, QLatin1Char('0'))
                       .arg(equal ? QStringLiteral("equal") : QStringLiteral("DIFFERENT")));
    }

    void onFinish()
    {
        StatsBody stats;
        if (m_vm) {
            const VmStateBody state = m_vm->stop();
            stats.requestsServed = state.requests - m_cpu.requests;
            stats.writes = state.writes - m_cpu.writes;
            if (const auto guest = m_vm->guestStatus()) { // toyos: how far the guest got here
                stats.guestInstructions = guest->instructions;
                stats.guestConsoleBytes = guest->consoleBytes;
                const std::string tail = lastConsoleLines(*guest, kGuestConsoleTailBytes);
                std::copy(tail.begin(), tail.end(), stats.guestConsoleTail);
            }
        }
        stats.pagesReceived = m_pagesReceived;
        stats.duplicatePages = m_duplicates;
        stats.demandFaults = m_faults.load();
        stats.faultWaitNs = m_faultWaitNs.load();
        stats.maxFaultWaitNs = m_maxFaultWaitNs.load();
        {
            std::lock_guard lock(m_mutex);
            if (!m_faultWaitsNs.empty()) {
                auto mid = m_faultWaitsNs.begin() + std::ptrdiff_t(m_faultWaitsNs.size() / 2);
                std::nth_element(m_faultWaitsNs.begin(), mid, m_faultWaitsNs.end());
                stats.faultWaitP50Ns = *mid;
            }
        }
        if (m_postCopy && m_allPresentAt)
            stats.degradedNs
                = std::chrono::duration_cast<std::chrono::nanoseconds>(*m_allPresentAt - m_resumedAt).count();
        m_node.log(
            QStringLiteral("migration from %1 finished: %2 client requests served here, %3 demand faults")
                .arg(m_peer)
                .arg(stats.requestsServed)
                .arg(stats.demandFaults));
        m_finishing = true;
        queue(encodeMessage(MsgType::Stats, 0, 0, &stats, sizeof stats));
    }

    void send(MsgType type, std::uint32_t count, std::uint64_t arg)
    {
        queue(encodeMessage(type, count, arg));
    }

    void queue(std::vector<char> msg) { queueOn(m_socket, m_outbox, std::move(msg), &Session::fail); }

    /// Messages waiting to go out on one connection, written one at a time and in order.
    struct Outbox {
        std::deque<std::vector<char>> pending;
        bool writing = false;
    };
    using FailHandler = void (Session::*)(const boost::system::error_code &);

    void queueOn(tcp::socket &socket, Outbox &box, std::vector<char> msg, FailHandler onError)
    {
        if (m_closed)
            return;
        box.pending.push_back(std::move(msg));
        if (!box.writing)
            writeNextOn(socket, box, onError);
    }

    // The socket and the outbox are members: the captured session keeps them alive.
    void writeNextOn(tcp::socket &socket, Outbox &box, FailHandler onError)
    {
        box.writing = true;
        asio::async_write(socket, asio::buffer(box.pending.front()),
            [self = shared_from_this(), &socket, &box, onError](
                const boost::system::error_code &ec, std::size_t) {
                if (ec)
                    return (self.get()->*onError)(ec);
                box.pending.pop_front();
                if (!box.pending.empty())
                    return self->writeNextOn(socket, box, onError);
                box.writing = false;
                // The last message of a finished or refused session is out on the main
                // connection: close both.
                if (&box == &self->m_outbox && self->m_finishing && !self->m_closed)
                    self->closeAll();
            });
    }

    bool ensurePresent(std::size_t page)
    {
        if (m_present.test(page))
            return true;
        const auto t0 = Clock::now();
        std::unique_lock lock(m_mutex);
        if (m_dead)
            return false;
        if (!m_requested.test(page)) {
            m_requested.set(page);
            m_faults.fetch_add(1);
            // Writes belong to the I/O thread: hand the request over.
            asio::post(m_node.io, [self = shared_from_this(), page] { self->sendPageRequest(page); });
        }
        m_cv.wait(lock, [&] { return m_present.test(page) || m_dead; });
        const auto waited
            = std::uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count());
        m_faultWaitNs.fetch_add(waited);
        if (m_faultWaitsNs.size() < kMaxFaultWaitsKept)
            m_faultWaitsNs.push_back(waited);
        std::uint64_t prev = m_maxFaultWaitNs.load();
        while (waited > prev && !m_maxFaultWaitNs.compare_exchange_weak(prev, waited)) { }
        return !m_dead;
    }

    MigrationNode::Impl &m_node;
    tcp::socket m_socket;
    asio::steady_timer m_watchdog;
    QString m_peer;
    MsgHeader m_header;
    HelloBody m_hello;
    VmStateBody m_cpu;
    std::vector<std::uint64_t> m_indices;
    std::vector<std::uint32_t> m_deltaLengths; // XbzrlePages, CompressedPages: each page's length ...
    std::vector<std::uint8_t> m_deltaBytes; // ... and the deltas or compressed pages
    PageCompressor m_decompressor; // CompressedPages

    PageMemory m_memory;
    std::vector<std::uint64_t> m_hashes; // post-copy: each page's hash as it arrived
    std::unique_ptr<SnapshotHasher> m_snapshot; // pre-copy, stop-and-copy: the memory at the resume
    std::uint64_t m_sourceChecksum = 0;
    bool m_completeReceived = false;
    PageBitmap m_present;
    PageBitmap m_requested; // written under m_mutex
    std::uint64_t m_presentCount = 0;
    std::uint64_t m_pagesReceived = 0;
    std::uint64_t m_duplicates = 0;
    bool m_postCopy = false;
    std::unique_ptr<Vm> m_vm;

    std::mutex m_mutex; // with m_cv: page arrival hand-off to a waiting vCPU
    std::condition_variable m_cv;
    bool m_dead = false;
    std::atomic<std::uint64_t> m_faults {0};
    std::atomic<std::uint64_t> m_faultWaitNs {0};
    std::atomic<std::uint64_t> m_maxFaultWaitNs {0};
    // Each wait, for the median; bounded (8 bytes each), the first ones kept.
    static constexpr std::size_t kMaxFaultWaitsKept = 1 << 20;
    std::vector<std::uint64_t> m_faultWaitsNs; // under m_mutex

    bool m_resumed = false;
    bool m_verified = false;
    bool m_finishing = false;
    bool m_closed = false;
    Clock::time_point m_resumedAt;
    std::optional<Clock::time_point> m_allPresentAt;
    Clock::time_point m_lastActivity;
    Outbox m_outbox;

    // The urgent connection (post-copy with kHelloUrgentChannel); all on the I/O thread.
    bool m_wantsUrgent = false; // the Hello asked for one
    std::uint64_t m_urgentKey = 0; // given in the HelloAck
    std::uint64_t m_urgentKeyOffered = 0; // an UrgentHello's key (on the connection that sent it)
    std::optional<tcp::socket> m_urgentSocket;
    MsgHeader m_urgentHeader;
    std::vector<std::uint64_t> m_urgentIndices;
    Outbox m_urgentOutbox;
    std::vector<bool> m_incoming; // post-copy: pages being read from either connection

    // The further page channels (HelloBody::channels > 1), channel k at k - 1; I/O thread only.
    struct ChannelState {
        std::unique_ptr<ChannelReceiver> receiver; // once it joined
        std::uint64_t delivered = 0; // its pages accounted for (pagesArrived())
        std::optional<std::uint64_t> flushedAt; // its flush: the pages it delivered before it
    };
    std::vector<ChannelState> m_channels;
    std::uint32_t m_channelOffered = 0; // a ChannelHello's channel (on the connection that sent it)
    bool m_cpuWaiting = false; // a CpuState came before every channel's flush
};

void MigrationNode::Impl::doAccept()
{
    acceptor.async_accept([this](const boost::system::error_code &ec, tcp::socket socket) {
        if (ec)
            return; // closed: the node stops
        std::erase_if(sessions, [](const std::weak_ptr<Session> &s) { return s.expired(); });
        // A migration that waits for its urgent connection keeps a place for it.
        int reserved = 0;
        for (const auto &weak : sessions) {
            const auto s = weak.lock();
            if (s)
                reserved += s->awaitingJoins();
        }
        if (int(sessions.size()) >= std::max(1, options.maxSessions) + reserved) {
            boost::system::error_code ignored;
            const auto peer = socket.remote_endpoint(ignored);
            log(QStringLiteral("refused a connection from %1: %2 migrations are under way (the most at once)")
                    .arg(QString::fromStdString(peer.address().to_string()))
                    .arg(sessions.size()));
            const MsgHeader abort = makeHeader(MsgType::Abort, 0, std::uint64_t(AbortReason::Busy));
            asio::write(socket, asio::buffer(&abort, sizeof abort), ignored);
            socket.close(ignored);
            doAccept();
            return;
        }
        auto session = std::make_shared<Session>(*this, std::move(socket));
        sessions.push_back(session);
        session->begin();
        doAccept();
    });
}

std::uint64_t defaultMaxMemoryBytes()
{
    const long pages = ::sysconf(_SC_PHYS_PAGES);
    const long pageSize = ::sysconf(_SC_PAGESIZE);
    const std::uint64_t physical = pages > 0 && pageSize > 0 ? std::uint64_t(pages) * std::uint64_t(pageSize)
                                                             : (std::uint64_t(1) << 30);
    return std::min(physical / 2, kMaxPages * kPageBytes);
}

bool checkNodeAccess(const NodeOptions &options, QString *error)
{
    if (!options.token.empty() && !checkToken(options.token, error))
        return false;
    boost::system::error_code ec;
    auto address = asio::ip::make_address(options.bindAddress, ec);
    if (!ec && address.is_v6() && address.to_v6().is_v4_mapped())
        address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    if (ec || address.is_loopback() || !options.token.empty())
        return true; // a bad address is start()'s to report
    if (error)
        *error = QStringLiteral("%1 is not a loopback address: other machines can reach the node there, "
                                "so it needs --token SECRET, and each source the same token")
                     .arg(QString::fromStdString(options.bindAddress));
    return false;
}

MigrationNode::MigrationNode(NodeOptions options)
    : m_impl(std::make_shared<Impl>())
{
    m_impl->options = std::move(options);
}

MigrationNode::~MigrationNode()
{
    stop();
}

bool MigrationNode::start(QString *error)
{
    Impl &d = *m_impl;
    if (!checkNodeAccess(d.options, error))
        return false;
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(d.options.bindAddress, ec);
    if (ec) {
        if (error)
            *error = QStringLiteral("bad bind address %1").arg(QString::fromStdString(d.options.bindAddress));
        return false;
    }
    const tcp::endpoint ep(address, d.options.port);
    d.acceptor.open(ep.protocol(), ec);
    if (!ec)
        d.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec)
        d.acceptor.bind(ep, ec);
    if (!ec)
        d.acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        if (error)
            *error = QStringLiteral("cannot listen on %1:%2: %3")
                         .arg(QString::fromStdString(d.options.bindAddress))
                         .arg(d.options.port)
                         .arg(asioErrorText(ec));
        boost::system::error_code ignored;
        d.acceptor.close(ignored);
        return false;
    }
    d.port = d.acceptor.local_endpoint(ec).port();
    d.guard.emplace(d.io.get_executor());
    d.doAccept();
    d.thread = std::thread([&d] { d.io.run(); });
    return true;
}

void MigrationNode::stop()
{
    Impl &d = *m_impl;
    if (!d.thread.joinable())
        return;
    asio::post(d.io, [&d] {
        boost::system::error_code ignored;
        d.acceptor.close(ignored);
        for (auto &weak : d.sessions) {
            if (auto s = weak.lock())
                s->abandon(QStringLiteral("the node is shutting down"));
        }
        d.sessions.clear();
        d.guard.reset();
    });
    d.thread.join();
}

std::uint16_t MigrationNode::port() const
{
    return m_impl->port.load();
}

bool MigrationNode::finished() const
{
    return m_impl->options.once && m_impl->ended.load() > 0;
}

int MigrationNode::sessionsEnded() const
{
    return m_impl->ended.load();
}

QStringList MigrationNode::takeLog()
{
    std::lock_guard lock(m_impl->logMutex);
    QStringList out;
    out.swap(m_impl->logLines);
    return out;
}

} // namespace migration

namespace {
std::atomic<bool> g_nodeInterrupted {false};
extern "C" void nodeSignalHandler(int)
{
    g_nodeInterrupted.store(true);
}
} // namespace

int runMigrationNode(const QStringList &args, QTextStream &out, QTextStream &err)
{
    migration::NodeOptions options;
    bool haveListen = false;
    for (int i = 0; i < args.size(); ++i) {
        const QString &a = args.at(i);
        auto value = [&](QString *v) {
            if (i + 1 >= args.size())
                return false;
            *v = args.at(++i);
            return true;
        };
        QString v;
        if (a == QLatin1String("--listen")) {
            bool ok = false;
            const int port = value(&v) ? v.toInt(&ok) : -1;
            if (!ok || port < 0 || port > 65535) {
                err << "proclab node: --listen needs a port from 0 to 65535\n";
                err.flush();
                return 2;
            }
            options.port = static_cast<std::uint16_t>(port);
            haveListen = true;
        } else if (a == QLatin1String("--bind")) {
            if (!value(&v) || v.isEmpty()) {
                err << "proclab node: --bind needs an address such as 127.0.0.1 or this machine's LAN "
                       "address\n";
                err.flush();
                return 2;
            }
            options.bindAddress = v.toStdString();
        } else if (a == QLatin1String("--token")) {
            QString why;
            if (!value(&v))
                v.clear();
            if (!migration::checkToken(v.toStdString(), &why)) {
                err << "proclab node: --token needs the secret sources must present: " << why << "\n";
                err.flush();
                return 2;
            }
            options.token = v.toStdString();
        } else if (a == QLatin1String("--once")) {
            options.once = true;
        } else if (a == QLatin1String("--fail-after-pages")) {
            bool ok = false;
            const qlonglong n = value(&v) ? v.toLongLong(&ok) : -1;
            if (!ok || n < 1) {
                err << "proclab node: --fail-after-pages needs a positive page count\n";
                err.flush();
                return 2;
            }
            options.failAfterPages = static_cast<std::uint64_t>(n);
        } else if (a == QLatin1String("--max-memory")) {
            bool ok = false;
            const qlonglong mib = value(&v) ? v.toLongLong(&ok) : -1;
            const qlonglong most = qlonglong(migration::kMaxPages * migration::kPageBytes >> 20);
            if (!ok || mib < 1 || mib > most) {
                err << "proclab node: --max-memory needs the largest VM to accept in MiB, 1 to " << most
                    << "\n";
                err.flush();
                return 2;
            }
            options.maxMemoryBytes = std::uint64_t(mib) << 20;
        } else if (a == QLatin1String("--max-sessions")) {
            bool ok = false;
            const int n = value(&v) ? v.toInt(&ok) : -1;
            if (!ok || n < 1 || n > 64) {
                err << "proclab node: --max-sessions needs a count from 1 to 64\n";
                err.flush();
                return 2;
            }
            options.maxSessions = n;
        } else {
            err << "proclab node: unknown option " << a
                << " (usage: proclab node --listen PORT [--bind ADDR] [--token SECRET] [--once] "
                   "[--max-memory MIB] [--max-sessions N] [--fail-after-pages N])\n";
            err.flush();
            return 2;
        }
    }
    if (!haveListen) {
        err << "proclab node: --listen PORT is required (usage: proclab node --listen PORT [--bind ADDR] "
               "[--token SECRET] [--once])\n";
        err.flush();
        return 2;
    }
    QString refusal;
    if (!migration::checkNodeAccess(options, &refusal)) {
        err << "proclab node: " << refusal << "\n";
        err.flush();
        return 2;
    }

    migration::MigrationNode node(options);
    QString error;
    if (!node.start(&error)) {
        err << "proclab node: " << error << "\n";
        err.flush();
        return 1;
    }
    out << "migration destination listening on " << QString::fromStdString(options.bindAddress) << ":"
        << node.port() << (options.once ? " (until one migration ended)" : " (Ctrl+C to stop)")
        << "; accepts VMs up to "
        << ((options.maxMemoryBytes ? options.maxMemoryBytes : migration::defaultMaxMemoryBytes()) >> 20)
        << " MiB, " << options.maxSessions << " migrations at once"
        << (options.token.empty() ? "" : "; sources must present its token") << "\n";
    out.flush();

    g_nodeInterrupted = false;
    struct sigaction sa { };
    sa.sa_handler = nodeSignalHandler;
    sigemptyset(&sa.sa_mask);
    struct sigaction oldInt {
    }, oldTerm {};
    sigaction(SIGINT, &sa, &oldInt);
    sigaction(SIGTERM, &sa, &oldTerm);
    while (!g_nodeInterrupted.load() && !node.finished()) {
        for (const QString &line : node.takeLog())
            out << line << "\n";
        out.flush();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    node.stop();
    for (const QString &line : node.takeLog())
        out << line << "\n";
    out << (g_nodeInterrupted.load() ? "interrupted; node stopped\n" : "node stopped\n");
    out.flush();
    sigaction(SIGINT, &oldInt, nullptr);
    sigaction(SIGTERM, &oldTerm, nullptr);
    return 0;
}

} // namespace proclab
