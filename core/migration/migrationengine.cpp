#include "migrationengine.h"

#include "migrationnode.h"
#include "net/asio.h"
#include "net/timedsocket.h"
#include "pagememory.h"
#include "protocol.h"
#include "vm.h"
#include "writefaultlog.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <deque>
#include <limits>

namespace proclab {

using namespace migration;
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

QString migrationPhaseName(MigrationPhase phase)
{
    switch (phase) {
    case MigrationPhase::Setup:
        return QStringLiteral("setting up");
    case MigrationPhase::Warmup:
        return QStringLiteral("running on the source");
    case MigrationPhase::FirstPass:
        return QStringLiteral("sending every page");
    case MigrationPhase::Rounds:
        return QStringLiteral("re-sending dirty pages");
    case MigrationPhase::Paused:
        return QStringLiteral("paused: stop-and-copy");
    case MigrationPhase::PostCopyPush:
        return QStringLiteral("post-copy: running on the destination, pushing pages");
    case MigrationPhase::Verify:
        return QStringLiteral("comparing checksums");
    case MigrationPhase::After:
        return QStringLiteral("running after the migration");
    case MigrationPhase::Done:
        return QStringLiteral("done");
    case MigrationPhase::Abandoned:
        return QStringLiteral("abandoned");
    }
    return {};
}

namespace {

const QStringList kStrategyIds
    = {QStringLiteral("stopcopy"), QStringLiteral("precopy"), QStringLiteral("postcopy")};
const QStringList kCutIds = {QStringLiteral("none"), QStringLiteral("handshake"),
    QStringLiteral("first_pass"), QStringLiteral("paused"), QStringLiteral("after_resume")};
enum class Cut { None, Handshake, FirstPass, Paused, AfterResume };

// Pages per message: 1 MiB batches while copying in order (fewer system calls),
// 256 KiB in the post-copy push so a demand fetch never waits behind much.
constexpr std::size_t kBatchPages = 256;
constexpr std::size_t kPushBatchPages = 64;
constexpr std::size_t kUrgentBatchPages = 8;

// Adds the pages' memory to a gather list, one buffer per run of consecutive pages
// (round 0 sends whole megabytes in one piece).
void appendPageBuffers(std::vector<asio::const_buffer> *bufs, const PageMemory &memory,
    const std::uint32_t *pages, std::size_t n)
{
    forEachPageRun(pages, n, [&](std::size_t first, std::size_t count) {
        bufs->push_back(asio::buffer(memory.page(first), count * kPageBytes));
    });
}

QString hex64(std::uint64_t v)
{
    return QStringLiteral("%1").arg(v, 16, 16, QLatin1Char('0'));
}

struct Config {
    WireStrategy strategy = WireStrategy::PreCopy;
    std::size_t pages = 0;
    double bandwidthBitsPerSec = 0;
    double dirtyRate = 0;
    std::size_t hotPages = 0;
    int hotSharePercent = 90;
    double downtimeLimitMs = 300;
    bool writeFaults = false; ///< pre-copy's dirty log by write faults instead of the vCPU's own bits
    int maxRounds = 30;
    double maxTotalFactor = 3;
    qint64 warmupMs = 1000;
    qint64 afterMs = 1000;
    double requestIntervalMs = 5;
    QString destination;
    Cut cut = Cut::None;
    std::uint64_t seed = 1;
    std::chrono::milliseconds opTimeout {10000};
};

struct Hooks {
    std::function<void(std::shared_ptr<Snapshot>)> publish;
    std::function<bool(std::chrono::nanoseconds)> sleepFor;
    std::function<bool()> checkpoint;
    std::function<bool()> stopRequested;
};

/**
 * One measured run: owns the source VM, the client, the link and (when the
 * destination is in-process) the destination node. Lives on the engine thread;
 * the VM, client and node have their own threads, all joined before it returns.
 */
class Migrator {
public:
    Migrator(Config config, Hooks hooks, Result base)
        : m_cfg(std::move(config))
        , m_hooks(std::move(hooks))
        , m_result(std::move(base))
        , m_link([this] { return m_hooks.stopRequested(); })
        , m_pushTimer(m_link.context())
    {
    }

    void run();

private:
    double nowMs() const { return std::chrono::duration<double, std::milli>(Clock::now() - m_t0).count(); }
    void publish(bool force);
    std::vector<std::uint8_t> pageStates() const;
    bool sleepPublishing(qint64 ms);

    bool setup();
    bool migrate();
    bool preCopyRounds();
    bool postCopyPush();
    bool sendMsg(MsgType type, std::uint32_t count, std::uint64_t arg, const void *body,
        std::size_t bodyBytes, const QString &what);
    bool readMsg(MsgType expected, MsgHeader *out, const QString &what);
    bool sendPages(
        const std::vector<std::uint32_t> &list, bool vmRunning, std::size_t cutAfter, const QString &what);
    void sendBatchAsync(const std::vector<std::uint32_t> &batch);
    void waitForCap();
    double capDelaySec() const;
    void pauseVm();
    void harvestDirty(std::vector<std::uint32_t> *out);
    void startReader();
    void pump();
    bool waitFor(const std::function<bool()> &done, const QString &what);
    void abandon(const QString &reason);
    void finishRun();

    Config m_cfg;
    Hooks m_hooks;
    Result m_result;
    Clock::time_point m_t0 = Clock::now();
    Clock::time_point m_lastPublish {};

    PageMemory m_memory;
    PageBitmap m_dirty;
    WriteFaultLog m_faultLog; // pre-copy with dirty_log=write_faults
    std::vector<std::uint8_t> m_copyBuffer; // pages copied from the running VM
    std::vector<std::uint8_t> m_sendCount; // per page, saturating at 255; engine thread only
    std::vector<std::uint8_t> m_fetched; // post-copy: requested by the destination's vCPU
    std::unique_ptr<MigrationNode> m_node;
    std::unique_ptr<Vm> m_vm;
    std::unique_ptr<VmClient> m_client;
    TimedSocket m_link;
    std::string m_destHost;
    std::uint16_t m_destPort = 0;
    std::uint16_t m_servicePort = 0;

    MigrationPhase m_phase = MigrationPhase::Setup;
    std::vector<MigrationRound> m_rounds;
    double m_setupMs = -1;
    double m_startMs = -1, m_pauseMs = -1, m_resumeMs = -1, m_endMs = -1, m_abandonMs = -1;
    qint64 m_pagesSent = 0, m_pagesResent = 0, m_demandFetches = 0, m_inFlightRequests = 0;
    std::uint64_t m_bytesSent = 0;
    double m_sendSeconds = 0; // time spent sending (bandwidth estimate for the stop rule)
    QString m_stopReason;
    QString m_error;
    bool m_vmPaused = false;
    bool m_onDestination = false;
    bool m_verified = false;
    bool m_equal = false;
    std::uint64_t m_srcChecksum = 0, m_dstChecksum = 0;
    bool m_haveStats = false;
    StatsBody m_stats;

    // Bandwidth cap: bytes sent since m_capStart may not exceed the cap's pace.
    Clock::time_point m_capStart;
    std::uint64_t m_capBytes = 0;

    std::vector<std::uint64_t> m_indexBuffer;

    // Post-copy asynchronous state (engine thread, inside m_link's io_context).
    MsgHeader m_readHeader;
    StatsBody m_readStats;
    bool m_readerActive = false;
    bool m_readerFailed = false;
    QString m_readerError;
    std::deque<std::uint32_t> m_urgent;
    std::size_t m_nextPush = 0;
    bool m_writing = false;
    bool m_pushDone = false;
    bool m_waitingCap = false;
    bool m_writeFailed = false;
    QString m_writeError;
    Clock::time_point m_lastProgress;
    asio::steady_timer m_pushTimer;
    MsgHeader m_pushHeader;
    std::vector<std::uint64_t> m_pushIndices;
    std::size_t m_pushBatch = 0;
};

std::vector<std::uint8_t> Migrator::pageStates() const
{
    const std::size_t n = m_memory.pages();
    std::vector<std::uint8_t> s(n);
    const bool post = m_cfg.strategy == WireStrategy::PostCopy && m_onDestination;
    for (std::size_t p = 0; p < n; ++p) {
        if (post) {
            s[p] = std::uint8_t(m_fetched[p] && m_sendCount[p] ? PageState::Fetched
                    : m_sendCount[p]                           ? PageState::Present
                                                               : PageState::Missing);
        } else if (m_dirty.test(p)) {
            s[p] = std::uint8_t(PageState::Dirty);
        } else {
            s[p] = std::uint8_t(m_sendCount[p] == 0 ? PageState::Clean
                    : m_sendCount[p] == 1           ? PageState::Sent
                                                    : PageState::Resent);
        }
    }
    return s;
}

void Migrator::publish(bool force)
{
    const auto now = Clock::now();
    // At most ~30 snapshots a second: the grid of a 2 GiB VM is 512 Ki bytes per copy.
    if (!force && now - m_lastPublish < std::chrono::milliseconds(33))
        return;
    m_lastPublish = now;
    auto snap = std::make_shared<MigrationSnapshot>();
    snap->strategy = kStrategyIds[int(m_cfg.strategy)];
    snap->phase = m_phase;
    snap->pages = qint64(m_memory.pages());
    if (m_memory.isValid())
        snap->pageStates = pageStates();
    if (m_client) {
        for (const auto &c : m_client->samples())
            snap->samples.push_back({c.sentMs, c.responseMs, c.moved});
    }
    snap->rounds = m_rounds;
    if (!snap->rounds.empty() && snap->rounds.back().pagesSent == 0) {
        // The round in progress: what it has sent so far.
        qint64 before = 0;
        for (std::size_t i = 0; i + 1 < snap->rounds.size(); ++i)
            before += snap->rounds[i].pagesSent;
        snap->rounds.back().pagesSent = m_pagesSent - before;
    }
    snap->elapsedMs = nowMs();
    snap->migrationStartMs = m_startMs;
    snap->pauseMs = m_pauseMs;
    snap->resumeMs = m_resumeMs;
    snap->endMs = m_endMs;
    snap->pagesSentTotal = m_pagesSent;
    snap->pagesResent = m_pagesResent;
    snap->demandFetches = m_demandFetches;
    const double total = double(std::max<std::size_t>(1, m_memory.pages()));
    snap->progress = m_phase == MigrationPhase::Done || m_phase == MigrationPhase::Abandoned
        ? 1.0
        : std::min(0.99, double(m_pagesSent) / total / (m_cfg.strategy == WireStrategy::PreCopy ? 1.5 : 1.0));
    QString status = migrationPhaseName(m_phase);
    if (!m_rounds.empty() && (m_phase == MigrationPhase::Rounds || m_phase == MigrationPhase::FirstPass))
        status += QStringLiteral(", round %1").arg(m_rounds.size());
    status += QStringLiteral(": %1 pages sent (%2 re-sent)").arg(m_pagesSent).arg(m_pagesResent);
    if (!m_error.isEmpty())
        status = m_error;
    snap->status = status;
    snap->result = m_result;
    m_hooks.publish(snap);
}

bool Migrator::sleepPublishing(qint64 ms)
{
    const auto end = Clock::now() + std::chrono::milliseconds(ms);
    while (Clock::now() < end) {
        const auto left = end - Clock::now();
        if (!m_hooks.sleepFor(std::min<Clock::duration>(left, std::chrono::milliseconds(33))))
            return false;
        publish(false);
    }
    return true;
}

bool Migrator::setup()
{
    QString error;
    if (!m_memory.allocate(m_cfg.pages, &error)) {
        m_error = error;
        return false;
    }
    m_memory.fillPattern(m_cfg.seed);
    m_dirty.resize(m_cfg.pages);
    m_sendCount.assign(m_cfg.pages, 0);
    m_copyBuffer.resize(kBatchPages * kPageBytes);
    m_fetched.assign(m_cfg.pages, 0);

    if (m_cfg.destination.isEmpty()) {
        NodeOptions options;
        options.idleTimeout = std::max(m_cfg.opTimeout * 3, std::chrono::milliseconds(30000));
        m_node = std::make_unique<MigrationNode>(options);
        if (!m_node->start(&error)) {
            m_error = QStringLiteral("cannot start the in-process destination: %1").arg(error);
            return false;
        }
        m_destHost = "127.0.0.1";
        m_destPort = m_node->port();
    } else if (!parseHostPort(m_cfg.destination, &m_destHost, &m_destPort)) {
        m_error = QStringLiteral("destination \"%1\" is not HOST:PORT").arg(m_cfg.destination);
        return false;
    }

    Workload w;
    w.pages = m_cfg.pages;
    w.hotPages = std::min(m_cfg.hotPages, m_cfg.pages);
    w.hotFirstPage = (m_cfg.pages - w.hotPages) / 2; // a band in the middle of the grid
    w.hotSharePercent = m_cfg.hotSharePercent;
    w.dirtyRatePagesPerSec = m_cfg.dirtyRate;
    // With write-fault logging the vCPU marks nothing itself: its first write to a page traps.
    const bool faultLog = m_cfg.writeFaults && m_cfg.strategy == WireStrategy::PreCopy;
    m_vm = std::make_unique<Vm>(m_memory, w, faultLog ? nullptr : &m_dirty);
    if (!m_vm->listen("127.0.0.1", 0, &error)) {
        m_error = error;
        return false;
    }
    VmStateBody initial;
    initial.rng = m_cfg.seed * 0x9e3779b97f4a7c15ULL + 1;
    m_vm->start(initial);
    m_client = std::make_unique<VmClient>(m_t0, m_cfg.requestIntervalMs);
    m_client->start("127.0.0.1", m_vm->port());
    return true;
}

bool Migrator::sendMsg(MsgType type, std::uint32_t count, std::uint64_t arg, const void *body,
    std::size_t bodyBytes, const QString &what)
{
    MsgHeader h {std::uint32_t(type), count, arg, bodyBytes};
    std::vector<asio::const_buffer> bufs {asio::buffer(&h, sizeof h)};
    if (bodyBytes)
        bufs.push_back(asio::buffer(body, bodyBytes));
    QString err;
    if (!m_link.write(bufs, m_cfg.opTimeout, &err)) {
        abandon(QStringLiteral("%1: %2").arg(what, err));
        return false;
    }
    m_bytesSent += sizeof h + bodyBytes;
    return true;
}

bool Migrator::readMsg(MsgType expected, MsgHeader *out, const QString &what)
{
    QString err;
    if (!m_link.read(asio::buffer(out, sizeof *out), m_cfg.opTimeout, &err)) {
        abandon(QStringLiteral("%1: %2").arg(what, err));
        return false;
    }
    if (out->type != std::uint32_t(expected)) {
        abandon(QStringLiteral("%1: the destination answered message %2 instead of %3")
                    .arg(what)
                    .arg(out->type)
                    .arg(std::uint32_t(expected)));
        return false;
    }
    return true;
}

double Migrator::capDelaySec() const
{
    if (m_cfg.bandwidthBitsPerSec <= 0)
        return 0;
    const double due = double(m_capBytes) * 8.0 / m_cfg.bandwidthBitsPerSec;
    const double elapsed = std::chrono::duration<double>(Clock::now() - m_capStart).count();
    return due - elapsed;
}

void Migrator::waitForCap()
{
    // Token-bucket pacing: the link may not run ahead of bandwidth * elapsed time.
    // A sender that fell behind (slow CPU, a pause) earns at most 10 ms of credit,
    // so it cannot burst above the cap afterwards.
    if (capDelaySec() < -0.01) {
        m_capStart = Clock::now();
        m_capBytes = 0;
    }
    const double delay = capDelaySec();
    if (delay > 0)
        m_hooks.sleepFor(std::chrono::nanoseconds(qint64(delay * 1e9)));
}

bool Migrator::sendPages(
    const std::vector<std::uint32_t> &list, bool vmRunning, std::size_t cutAfter, const QString &what)
{
    std::size_t done = 0;
    while (done < list.size()) {
        if (done >= cutAfter) {
            m_link.cut();
            abandon(QStringLiteral("%1 (%2 of %3 pages sent): connection cut (fault injection)")
                        .arg(what)
                        .arg(done)
                        .arg(list.size()));
            return false;
        }
        if (m_hooks.stopRequested()) {
            abandon(QStringLiteral("%1: stopped by the user").arg(what));
            return false;
        }
        const std::size_t n = std::min(kBatchPages, list.size() - done);
        m_indexBuffer.resize(n);
        std::vector<asio::const_buffer> bufs;
        bufs.reserve(n + 2);
        MsgHeader h {std::uint32_t(MsgType::Pages), std::uint32_t(n), 0, std::uint64_t(n) * (8 + kPageBytes)};
        bufs.push_back(asio::buffer(&h, sizeof h));
        for (std::size_t i = 0; i < n; ++i)
            m_indexBuffer[i] = list[done + i];
        bufs.push_back(asio::buffer(m_indexBuffer.data(), n * sizeof(std::uint64_t)));
        if (vmRunning) {
            // The vCPU may be writing these pages right now: copy word by word (atomically),
            // any torn page is dirty again and goes in the next round. (Handing the pages
            // to the kernel directly, as a hypervisor does, would be the same race, but
            // one ThreadSanitizer could not tell from a bug.)
            for (std::size_t i = 0; i < n; ++i)
                m_memory.copyPageConcurrent(list[done + i], m_copyBuffer.data() + i * kPageBytes);
            bufs.push_back(asio::buffer(m_copyBuffer.data(), n * kPageBytes));
        } else {
            // Paused: memory is frozen, send straight from it.
            appendPageBuffers(&bufs, m_memory, list.data() + done, n);
        }
        waitForCap();
        const auto t = Clock::now();
        QString err;
        if (!m_link.write(bufs, m_cfg.opTimeout, &err)) {
            abandon(
                QStringLiteral("%1 (%2 of %3 pages sent): %4").arg(what).arg(done).arg(list.size()).arg(err));
            return false;
        }
        m_sendSeconds += std::chrono::duration<double>(Clock::now() - t).count();
        const std::size_t bytes = sizeof h + n * (8 + kPageBytes);
        m_bytesSent += bytes;
        m_capBytes += bytes;
        for (std::size_t i = 0; i < n; ++i) {
            std::uint8_t &c = m_sendCount[list[done + i]];
            if (c > 0)
                ++m_pagesResent;
            if (c < 255)
                ++c;
        }
        m_pagesSent += qint64(n);
        done += n;
        publish(false);
    }
    return true;
}

void Migrator::pauseVm()
{
    m_vm->pause();
    m_vmPaused = true;
    m_pauseMs = nowMs();
}

void Migrator::abandon(const QString &reason)
{
    if (!m_error.isEmpty())
        return;
    m_abandonMs = nowMs();
    m_link.close();
    QString where = QStringLiteral("the VM keeps running on the source with its memory intact");
    if (m_onDestination) {
        // Post-copy or unverified switchover: the destination stops its copy when the
        // link drops; the source still holds every page as it was at the pause.
        where = QStringLiteral(
            "the destination stopped its copy and the VM resumed on the source from its "
            "state at the pause (memory intact; the %1 ms it ran on the destination are lost)")
                    .arg(m_abandonMs - m_resumeMs, 0, 'f', 0);
        m_client->setTarget("127.0.0.1", m_vm->port());
        m_onDestination = false;
    }
    if (m_vmPaused) {
        m_vm->resume();
        m_vmPaused = false;
    }
    m_phase = MigrationPhase::Abandoned;
    m_error = QStringLiteral("migration abandoned: %1; %2").arg(reason, where);
    publish(true);
}

void Migrator::startReader()
{
    m_readerActive = true;
    asio::async_read(m_link.socket(), asio::buffer(&m_readHeader, sizeof m_readHeader),
        [this](const boost::system::error_code &ec, std::size_t) {
            if (ec) {
                m_readerActive = false;
                m_readerFailed = true;
                m_readerError = ec == asio::error::eof
                    ? QStringLiteral("the destination closed the connection")
                    : QStringLiteral("connection lost (%1)").arg(asioErrorText(ec));
                return;
            }
            const MsgHeader h = m_readHeader;
            switch (static_cast<MsgType>(h.type)) {
            case MsgType::PageRequest:
                if (h.arg < m_memory.pages()) {
                    const auto page = std::size_t(h.arg);
                    if (m_sendCount[page] == 0 && !m_fetched[page]) {
                        m_fetched[page] = 1;
                        ++m_demandFetches;
                        m_urgent.push_back(std::uint32_t(page));
                        pump();
                    } else {
                        ++m_inFlightRequests; // already on its way: never sent twice
                    }
                }
                break;
            case MsgType::Verified:
                m_verified = true;
                m_equal = h.count == 1;
                m_dstChecksum = h.arg;
                break;
            case MsgType::Stats:
                if (h.bodyBytes == sizeof(StatsBody)) {
                    asio::async_read(m_link.socket(), asio::buffer(&m_readStats, sizeof m_readStats),
                        [this](const boost::system::error_code &e, std::size_t) {
                            if (e) {
                                m_readerActive = false;
                                m_readerFailed = true;
                                m_readerError = QStringLiteral("connection lost while reading statistics");
                                return;
                            }
                            m_stats = m_readStats;
                            m_haveStats = true;
                            startReader();
                        });
                    return;
                }
                break;
            case MsgType::Abort:
                m_readerActive = false;
                m_readerFailed = true;
                m_readerError = QStringLiteral("the destination gave up");
                return;
            default:
                break;
            }
            startReader();
        });
}

void Migrator::pump()
{
    if (m_writing || m_writeFailed || m_pushDone || m_waitingCap || !m_link.isOpen())
        return;
    if (capDelaySec() < -0.01) {
        m_capStart = Clock::now();
        m_capBytes = 0;
    }
    const double delay = capDelaySec();
    if (delay > 0) {
        m_waitingCap = true;
        m_pushTimer.expires_after(std::chrono::nanoseconds(qint64(delay * 1e9)));
        m_pushTimer.async_wait([this](const boost::system::error_code &) {
            m_waitingCap = false;
            pump();
        });
        return;
    }
    std::vector<std::uint32_t> batch;
    // Demand faults first, in small batches, so a waiting vCPU is not stuck behind the push.
    while (!m_urgent.empty() && batch.size() < kUrgentBatchPages) {
        const std::uint32_t p = m_urgent.front();
        m_urgent.pop_front();
        if (m_sendCount[p] == 0)
            batch.push_back(p);
    }
    if (batch.empty()) {
        while (m_nextPush < m_memory.pages() && batch.size() < kPushBatchPages) {
            if (m_sendCount[m_nextPush] == 0)
                batch.push_back(std::uint32_t(m_nextPush));
            ++m_nextPush;
        }
    }
    if (batch.empty()) {
        m_pushDone = true;
        return;
    }
    sendBatchAsync(batch);
}

void Migrator::sendBatchAsync(const std::vector<std::uint32_t> &batch)
{
    const std::size_t n = batch.size();
    m_pushHeader
        = MsgHeader {std::uint32_t(MsgType::Pages), std::uint32_t(n), 0, std::uint64_t(n) * (8 + kPageBytes)};
    m_pushIndices.assign(batch.begin(), batch.end());
    std::vector<asio::const_buffer> bufs {asio::buffer(&m_pushHeader, sizeof m_pushHeader),
        asio::buffer(m_pushIndices.data(), n * sizeof(std::uint64_t))};
    appendPageBuffers(&bufs, m_memory, batch.data(), n); // frozen: the VM left the source
    for (std::uint32_t p : batch) {
        std::uint8_t &c = m_sendCount[p];
        if (c > 0)
            ++m_pagesResent;
        if (c < 255)
            ++c;
    }
    m_writing = true;
    m_pushBatch = n;
    const auto t = Clock::now();
    asio::async_write(
        m_link.socket(), bufs, [this, n, t](const boost::system::error_code &ec, std::size_t bytes) {
            m_writing = false;
            if (ec) {
                m_writeFailed = true;
                m_writeError = QStringLiteral("sending failed: %1").arg(asioErrorText(ec));
                return;
            }
            m_sendSeconds += std::chrono::duration<double>(Clock::now() - t).count();
            m_bytesSent += bytes;
            m_capBytes += bytes;
            m_pagesSent += qint64(n);
            m_lastProgress = Clock::now();
            pump();
        });
}

bool Migrator::waitFor(const std::function<bool()> &done, const QString &what)
{
    m_lastProgress = Clock::now();
    while (!done()) {
        if (m_hooks.stopRequested()) {
            abandon(QStringLiteral("%1: stopped by the user").arg(what));
            return false;
        }
        m_link.poll(std::chrono::milliseconds(10));
        if (m_writeFailed) {
            abandon(QStringLiteral("%1: %2").arg(what, m_writeError));
            return false;
        }
        if (m_readerFailed) {
            abandon(QStringLiteral("%1: %2").arg(what, m_readerError));
            return false;
        }
        if (Clock::now() - m_lastProgress > m_cfg.opTimeout && !m_waitingCap) {
            abandon(QStringLiteral("%1: no progress for %2 s")
                        .arg(what)
                        .arg(double(m_cfg.opTimeout.count()) / 1000));
            return false;
        }
        publish(false);
    }
    return true;
}

bool Migrator::postCopyPush()
{
    m_phase = MigrationPhase::PostCopyPush;
    m_capStart = Clock::now();
    m_capBytes = 0;
    pump();
    const std::size_t cutAt
        = m_cfg.cut == Cut::AfterResume ? m_memory.pages() / 2 : std::numeric_limits<std::size_t>::max();
    bool cutDone = false;
    const QString what = QStringLiteral("post-copy push");
    const bool ok = waitFor(
        [&] {
            if (!cutDone && std::size_t(m_pagesSent) >= cutAt) {
                cutDone = true;
                m_link.cut();
                m_writeFailed = true;
                m_writeError = QStringLiteral("connection cut (fault injection) with %1 of %2 pages pushed")
                                   .arg(m_pagesSent)
                                   .arg(m_memory.pages());
                return false;
            }
            return m_pushDone && !m_writing;
        },
        what);
    return ok;
}

bool Migrator::preCopyRounds()
{
    // Round 0: every page, with the VM running. The dirty log starts empty now.
    if (m_cfg.writeFaults) {
        QString err;
        if (!m_faultLog.attach(m_memory, &m_dirty, &err)) { // write-protects every page
            abandon(QStringLiteral("before round 0: %1").arg(err));
            return false;
        }
    } else {
        m_dirty.clear();
    }
    m_phase = MigrationPhase::FirstPass;
    std::vector<std::uint32_t> all(m_memory.pages());
    for (std::size_t i = 0; i < all.size(); ++i)
        all[i] = std::uint32_t(i);
    m_capStart = Clock::now();
    m_capBytes = 0;
    std::uint64_t roundBytes0 = m_bytesSent;
    auto roundStart = Clock::now();
    m_rounds.push_back({0, false, 0, 0, 0, 0});
    if (!sendPages(all, true,
            m_cfg.cut == Cut::FirstPass ? all.size() / 2 : std::numeric_limits<std::size_t>::max(),
            QStringLiteral("while sending round 0")))
        return false;
    auto closeRound = [&](qint64 sent) {
        MigrationRound &r = m_rounds.back();
        r.pagesSent = sent;
        r.pagesDirtied = qint64(m_dirty.count());
        r.durationMs = std::chrono::duration<double, std::milli>(Clock::now() - roundStart).count();
        r.bandwidthMbitPerSec
            = r.durationMs > 0 ? double(m_bytesSent - roundBytes0) * 8 / (r.durationMs * 1000) : 0;
    };
    closeRound(qint64(all.size()));
    if (!sendMsg(MsgType::RoundEnd, 0, 0, nullptr, 0, QStringLiteral("after round 0")))
        return false;

    std::vector<std::uint32_t> list;
    while (true) {
        // The stop rules, in order: the rest fits in the downtime limit at the bandwidth
        // measured so far; enough rounds; too much data sent already.
        const auto remaining = qint64(m_dirty.count());
        const double bytesPerSec = m_sendSeconds > 0 ? double(m_bytesSent) / m_sendSeconds : 1e9;
        const double bwBytesPerSec = m_cfg.bandwidthBitsPerSec > 0
            ? std::min(bytesPerSec, m_cfg.bandwidthBitsPerSec / 8)
            : bytesPerSec;
        const double estimateMs = double(remaining) * kPageBytes / bwBytesPerSec * 1000;
        if (estimateMs <= m_cfg.downtimeLimitMs) {
            m_stopReason = QStringLiteral("converged");
            break;
        }
        if (int(m_rounds.size()) >= m_cfg.maxRounds) {
            m_stopReason = QStringLiteral("max_rounds");
            break;
        }
        if (double(m_pagesSent + remaining) > m_cfg.maxTotalFactor * double(m_memory.pages())) {
            m_stopReason = QStringLiteral("max_total");
            break;
        }
        if (!m_hooks.checkpoint()) {
            abandon(QStringLiteral("stopped by the user during round %1").arg(m_rounds.size()));
            return false;
        }
        m_phase = MigrationPhase::Rounds;
        list.clear();
        harvestDirty(&list);
        roundBytes0 = m_bytesSent;
        roundStart = Clock::now();
        const int round = int(m_rounds.size());
        m_rounds.push_back({round, false, 0, 0, 0, 0});
        if (!sendPages(list, true, std::numeric_limits<std::size_t>::max(),
                QStringLiteral("while sending round %1").arg(round)))
            return false;
        closeRound(qint64(list.size()));
        if (!sendMsg(MsgType::RoundEnd, 0, std::uint64_t(round), nullptr, 0,
                QStringLiteral("after round %1").arg(round)))
            return false;
    }
    return true;
}

bool Migrator::migrate()
{
    m_startMs = nowMs();
    m_phase = MigrationPhase::FirstPass;
    QString err;
    if (!m_link.connect(
            m_destHost, m_destPort, std::min(m_cfg.opTimeout, std::chrono::milliseconds(5000)), &err)) {
        abandon(QStringLiteral("cannot reach the destination: %1").arg(err));
        return false;
    }
    if (m_cfg.cut == Cut::Handshake)
        m_link.cut();
    HelloBody hello;
    hello.pages = m_memory.pages();
    hello.strategy = std::uint32_t(m_cfg.strategy);
    hello.hotSharePercent = std::uint32_t(m_cfg.hotSharePercent);
    hello.hotPages = std::min(m_cfg.hotPages, m_cfg.pages);
    hello.hotFirstPage = (m_cfg.pages - hello.hotPages) / 2;
    hello.dirtyRatePagesPerSec = m_cfg.dirtyRate;
    hello.requestReads = 4;
    if (!sendMsg(MsgType::Hello, 0, 0, &hello, sizeof hello, QStringLiteral("during the handshake")))
        return false;
    MsgHeader ack;
    if (!readMsg(MsgType::HelloAck, &ack, QStringLiteral("during the handshake")))
        return false;
    m_servicePort = std::uint16_t(ack.arg);
    // The destination has built an empty VM of the same size (mapped its memory):
    // that preparation is reported apart, the migration proper starts now.
    m_setupMs = nowMs() - m_startMs;
    m_startMs = nowMs();
    publish(true);

    const auto none = std::numeric_limits<std::size_t>::max();
    if (m_cfg.strategy == WireStrategy::PreCopy) {
        if (!preCopyRounds())
            return false;
    }
    // The switchover: pause, send what is left (everything for stop-and-copy, the last
    // dirty pages for pre-copy, nothing for post-copy), then the CPU state.
    pauseVm();
    m_phase = MigrationPhase::Paused;
    std::vector<std::uint32_t> rest;
    if (m_cfg.strategy == WireStrategy::StopCopy) {
        rest.resize(m_memory.pages());
        for (std::size_t i = 0; i < rest.size(); ++i)
            rest[i] = std::uint32_t(i);
    } else if (m_cfg.strategy == WireStrategy::PreCopy) {
        harvestDirty(&rest);
    }
    m_dirty.clear();
    if (m_cfg.strategy != WireStrategy::PostCopy) {
        const int round = int(m_rounds.size());
        const std::uint64_t bytes0 = m_bytesSent;
        const auto t = Clock::now();
        m_rounds.push_back({round, true, 0, 0, 0, 0});
        m_capStart = Clock::now();
        m_capBytes = 0;
        std::size_t cutAfter = none;
        if (m_cfg.cut == Cut::Paused
            || (m_cfg.cut == Cut::FirstPass && m_cfg.strategy == WireStrategy::StopCopy))
            cutAfter = rest.size() / 2;
        if (!sendPages(
                rest, false, cutAfter, QStringLiteral("while the VM was paused for the stop-and-copy")))
            return false;
        MigrationRound &r = m_rounds.back();
        r.pagesSent = qint64(rest.size());
        r.durationMs = std::chrono::duration<double, std::milli>(Clock::now() - t).count();
        r.bandwidthMbitPerSec
            = r.durationMs > 0 ? double(m_bytesSent - bytes0) * 8 / (r.durationMs * 1000) : 0;
        if (m_cfg.cut == Cut::Paused && rest.empty()) {
            m_link.cut();
            abandon(QStringLiteral("while the VM was paused: connection cut (fault injection)"));
            return false;
        }
    } else if (m_cfg.cut == Cut::Paused || m_cfg.cut == Cut::FirstPass) {
        m_link.cut();
        abandon(QStringLiteral(
            "while the VM was paused, before its CPU state was sent: connection cut (fault injection)"));
        return false;
    }
    const VmStateBody state = m_vm->state();
    if (!sendMsg(
            MsgType::CpuState, 0, 0, &state, sizeof state, QStringLiteral("while sending the CPU state")))
        return false;
    MsgHeader resumed;
    if (!readMsg(
            MsgType::Resumed, &resumed, QStringLiteral("while waiting for the destination to resume the VM")))
        return false;
    m_resumeMs = nowMs();
    m_onDestination = true;
    // The VM's address moves with it (a gratuitous ARP in a data centre): tell the
    // client first, then drop its connection to the source.
    m_client->setTarget(m_destHost, m_servicePort);
    m_vm->leave();
    startReader();

    if (m_cfg.strategy == WireStrategy::PostCopy) {
        if (!postCopyPush())
            return false;
    } else if (m_cfg.cut == Cut::AfterResume) {
        m_link.cut();
        abandon(QStringLiteral("after the VM resumed on the destination, before the checksums were compared: "
                               "connection cut (fault injection)"));
        return false;
    }
    m_endMs = nowMs();
    m_phase = MigrationPhase::Verify;
    publish(true);
    // The source's memory is frozen since the pause (its vCPU left), so this is the
    // memory at the pause; the destination hashed every page as it arrived.
    m_srcChecksum = memoryChecksum(m_memory);
    MsgHeader complete {std::uint32_t(MsgType::Complete), 0, m_srcChecksum, 0};
    if (!m_link.write({asio::buffer(&complete, sizeof complete)}, m_cfg.opTimeout, &err)) {
        abandon(QStringLiteral("while comparing checksums: %1").arg(err));
        return false;
    }
    if (!waitFor([this] { return m_verified; }, QStringLiteral("while comparing checksums")))
        return false;
    if (!m_equal) {
        m_error = QStringLiteral(
            "the destination's memory differs from the source's at the pause (checksum %1 vs %2)")
                      .arg(hex64(m_dstChecksum), hex64(m_srcChecksum));
    }
    return true;
}

void Migrator::finishRun()
{
    // Stop the client first (it talks to wherever the VM is), then the VMs and the node.
    if (m_client)
        m_client->stop();
    if (m_onDestination && m_link.isOpen()) {
        MsgHeader fin {std::uint32_t(MsgType::Finish), 0, 0, 0};
        QString err;
        if (m_link.write({asio::buffer(&fin, sizeof fin)}, m_cfg.opTimeout, &err)) {
            const auto deadline = Clock::now() + m_cfg.opTimeout;
            while (!m_haveStats && !m_readerFailed && Clock::now() < deadline && !m_hooks.stopRequested())
                m_link.poll(std::chrono::milliseconds(10));
        }
    }
    m_link.close();
    if (m_vm)
        m_vm->stop();
    m_faultLog.detach(); // the memory is writable again
    if (m_node)
        m_node->stop();
}

void Migrator::harvestDirty(std::vector<std::uint32_t> *out)
{
    // Write faults: taking the bits also write-protects those pages again.
    if (m_faultLog.attached())
        m_faultLog.harvest(out);
    else
        m_dirty.harvest(out);
}

void Migrator::run()
{
    const bool ready = setup();
    if (ready) {
        m_phase = MigrationPhase::Warmup;
        publish(true);
        bool go = sleepPublishing(m_cfg.warmupMs) && m_hooks.checkpoint();
        if (go) {
            const bool migrated = migrate();
            if (migrated && m_error.isEmpty())
                m_phase = MigrationPhase::After;
            publish(true);
            if (!m_hooks.stopRequested())
                sleepPublishing(m_cfg.afterMs);
        }
    }
    finishRun();
    if (m_phase != MigrationPhase::Abandoned)
        m_phase = MigrationPhase::Done;

    // ---- the result
    Result &r = m_result;
    std::vector<ClientSample> samples = m_client ? m_client->samples() : std::vector<ClientSample> {};
    const std::size_t pages = m_memory.pages();
    auto &s = r.summary;
    s.insert(QStringLiteral("strategy"), kStrategyIds[int(m_cfg.strategy)]);
    s.insert(QStringLiteral("pages"), double(pages));
    s.insert(QStringLiteral("memory_mib"), double(pages * kPageBytes) / (1 << 20));
    s.insert(QStringLiteral("abandoned"), m_phase == MigrationPhase::Abandoned);
    s.insert(QStringLiteral("vm_location"),
        m_onDestination ? QStringLiteral("destination") : QStringLiteral("source"));
    if (m_startMs >= 0 && m_endMs >= 0)
        s.insert(QStringLiteral("total_ms"), m_endMs - m_startMs);
    if (m_setupMs >= 0)
        s.insert(QStringLiteral("handshake_ms"), m_setupMs);
    if (m_pauseMs >= 0 && m_resumeMs >= 0)
        s.insert(QStringLiteral("downtime_vm_ms"), m_resumeMs - m_pauseMs);
    s.insert(QStringLiteral("pages_sent"), double(m_pagesSent));
    s.insert(QStringLiteral("pages_resent"), double(m_pagesResent));
    s.insert(QStringLiteral("bytes_sent"), double(m_bytesSent));
    s.insert(QStringLiteral("sent_per_memory"), pages ? double(m_pagesSent) / double(pages) : 0);
    // Two rates: over the whole migration (what the cap allows), and while a write
    // was in progress (what the link itself does; the cap's waits left out).
    if (m_startMs >= 0 && m_endMs > m_startMs)
        s.insert(QStringLiteral("throughput_mbit_s"),
            double(m_bytesSent) * 8 / ((m_endMs - m_startMs) / 1000) / 1e6);
    if (m_sendSeconds > 0)
        s.insert(QStringLiteral("link_mbit_s_while_sending"), double(m_bytesSent) * 8 / m_sendSeconds / 1e6);
    s.insert(QStringLiteral("rounds"), double(m_rounds.size()));
    if (m_cfg.strategy == WireStrategy::PreCopy) {
        s.insert(QStringLiteral("dirty_log"),
            m_cfg.writeFaults ? QStringLiteral("write_faults") : QStringLiteral("bitmap"));
        if (m_cfg.writeFaults)
            s.insert(QStringLiteral("write_faults"), double(m_faultLog.faults()));
    }
    if (!m_stopReason.isEmpty())
        s.insert(QStringLiteral("stop_reason"), m_stopReason);
    if (m_cfg.strategy == WireStrategy::PostCopy) {
        s.insert(QStringLiteral("demand_fetches"), double(m_demandFetches));
        s.insert(QStringLiteral("requests_for_pages_in_flight"), double(m_inFlightRequests));
        if (m_resumeMs >= 0 && m_endMs >= 0)
            s.insert(QStringLiteral("degraded_ms"), m_endMs - m_resumeMs);
    }
    if (m_verified) {
        s.insert(QStringLiteral("checksum_source"), hex64(m_srcChecksum));
        s.insert(QStringLiteral("checksum_destination"), hex64(m_dstChecksum));
        s.insert(QStringLiteral("memory_equal"), m_equal);
    }
    if (m_haveStats) {
        s.insert(QStringLiteral("destination_requests"), double(m_stats.requestsServed));
        s.insert(QStringLiteral("destination_pages_received"), double(m_stats.pagesReceived));
        s.insert(QStringLiteral("destination_duplicate_pages"), double(m_stats.duplicatePages));
        if (m_cfg.strategy == WireStrategy::PostCopy) {
            s.insert(QStringLiteral("destination_faults"), double(m_stats.demandFaults));
            s.insert(QStringLiteral("fault_wait_max_ms"), double(m_stats.maxFaultWaitNs) / 1e6);
            s.insert(QStringLiteral("fault_wait_mean_ms"),
                m_stats.demandFaults ? double(m_stats.faultWaitNs) / 1e6 / double(m_stats.demandFaults)
                                     : 0.0);
        }
    }
    // The source's memory now: after an abandonment this is the memory the VM keeps running with.
    if (m_memory.isValid())
        s.insert(QStringLiteral("checksum_source_end"), hex64(memoryChecksum(m_memory)));

    // Client view: response times, the longest gap between two answers.
    std::vector<double> answers;
    std::vector<double> before;
    double maxResponse = 0;
    for (const auto &c : samples) {
        answers.push_back(c.sentMs + c.responseMs);
        maxResponse = std::max(maxResponse, c.responseMs);
        if (m_startMs < 0 || c.sentMs + c.responseMs < m_startMs)
            before.push_back(c.responseMs);
    }
    std::sort(answers.begin(), answers.end());
    double maxGap = 0;
    for (std::size_t i = 1; i < answers.size(); ++i)
        maxGap = std::max(maxGap, answers[i] - answers[i - 1]);
    s.insert(QStringLiteral("requests"), double(samples.size()));
    s.insert(QStringLiteral("response_max_ms"), maxResponse);
    s.insert(QStringLiteral("downtime_client_ms"), maxGap);
    if (!before.empty()) {
        std::sort(before.begin(), before.end());
        s.insert(QStringLiteral("response_median_before_ms"), before[before.size() / 2]);
    }
    if (m_abandonMs >= 0) {
        int after = 0;
        for (const auto &c : samples)
            after += c.sentMs > m_abandonMs ? 1 : 0;
        s.insert(QStringLiteral("requests_after_abandon"), after);
    }
    if (m_startMs >= 0)
        s.insert(QStringLiteral("migration_start_ms"), m_startMs);
    if (m_pauseMs >= 0)
        s.insert(QStringLiteral("pause_ms"), m_pauseMs);
    if (m_resumeMs >= 0)
        s.insert(QStringLiteral("resume_ms"), m_resumeMs);
    if (m_endMs >= 0)
        s.insert(QStringLiteral("end_ms"), m_endMs);

    Series resp;
    resp.name = QStringLiteral("response time (%1)").arg(kStrategyIds[int(m_cfg.strategy)]);
    resp.xLabel = QStringLiteral("time (s)");
    resp.yLabel = QStringLiteral("response time (ms)");
    resp.style = Series::Style::Line;
    for (const auto &c : samples) {
        resp.x.push_back(c.sentMs / 1000);
        resp.y.push_back(c.responseMs);
    }
    r.series.push_back(resp);
    Series sent, dirtied;
    sent.name = QStringLiteral("pages sent");
    dirtied.name = QStringLiteral("pages dirtied during the round");
    for (Series *x : {&sent, &dirtied}) {
        x->xLabel = QStringLiteral("round");
        x->yLabel = QStringLiteral("pages");
        x->style = Series::Style::Bars;
    }
    r.table.columns = {QStringLiteral("round"), QStringLiteral("stop_and_copy"), QStringLiteral("pages_sent"),
        QStringLiteral("pages_dirtied"), QStringLiteral("duration_ms"), QStringLiteral("mbit_per_s")};
    for (const auto &round : m_rounds) {
        sent.x.push_back(round.round);
        sent.y.push_back(double(round.pagesSent));
        dirtied.x.push_back(round.round);
        dirtied.y.push_back(double(round.pagesDirtied));
        r.table.rows.push_back({round.round, round.stopAndCopy, round.pagesSent, round.pagesDirtied,
            round.durationMs, round.bandwidthMbitPerSec});
    }
    r.series.push_back(sent);
    r.series.push_back(dirtied);
    // A stop asked for by the user is not a failure: the engine reports it as stopped,
    // and the summary still says where the VM ended up.
    r.error = m_hooks.stopRequested() ? QString() : m_error;
    publish(true);
}

} // namespace

MigrationEngine::MigrationEngine()
    : Engine(EngineInfo {QString(kId), QStringLiteral("Live migration of a running VM"), Provenance::Measured,
        QStringLiteral("Migrates an in-process VM (mmap'd pages, a vCPU writing them, a client timing "
                       "its requests) over TCP with stop-and-copy, pre-copy or post-copy."),
        {QStringLiteral("M6"), QStringLiteral("M7")}, {QString(kLiveView), QString(kResponseView)}})
{
}

ParamSchema MigrationEngine::schema() const
{
    const qint64 mib = 1 << 20;
    auto memory = ParamSpec::bytes(QStringLiteral("memory"), QStringLiteral("VM memory"), 64 * mib, 16 * mib,
        qint64(4) * 1024 * mib, QStringLiteral("Guest memory in 4 KiB pages (anonymous mmap)."));
    memory.logScale = true;
    auto bandwidth = ParamSpec::bitRate(QStringLiteral("bandwidth"), QStringLiteral("Bandwidth cap"), 1e9, 0,
        1e11, QStringLiteral("Cap on the migration link; 0 means uncapped (loopback speed)."));
    auto dirty = ParamSpec::real(QStringLiteral("dirty_rate"), QStringLiteral("Dirty rate"), 5000, 0, 1e6,
        QStringLiteral("pages/s"), QStringLiteral("Page writes per second by the vCPU."));
    dirty.logScale = true;
    return ParamSchema {
        ParamSpec::choice(QStringLiteral("strategy"), QStringLiteral("Strategy"), QStringLiteral("precopy"),
            {QStringLiteral("stopcopy"), QStringLiteral("precopy"), QStringLiteral("postcopy")},
            QStringLiteral(
                "stopcopy: pause, copy, resume. precopy: copy while running, re-send dirty "
                "pages, then a short stop. postcopy: move the CPU state first, fetch pages on demand.")),
        memory,
        bandwidth,
        dirty,
        ParamSpec::bytes(QStringLiteral("hot_set"), QStringLiteral("Hot working set"), 4 * mib, 0,
            qint64(4) * 1024 * mib, QStringLiteral("Pages that receive most writes (a band in the middle).")),
        ParamSpec::integer(QStringLiteral("hot_share"), QStringLiteral("Writes to the hot set"), 90, 0, 100,
            QStringLiteral("%"), QStringLiteral("Share of writes into the hot set; the rest hit any page.")),
        ParamSpec::choice(QStringLiteral("dirty_log"), QStringLiteral("Dirty logging"),
            QStringLiteral("bitmap"), {QStringLiteral("bitmap"), QStringLiteral("write_faults")},
            QStringLiteral("How pre-copy learns which pages the VM wrote. bitmap: the vCPU sets a bit after "
                           "each write. write_faults: the memory is write-protected and the first write to a "
                           "page in each round traps, as a hypervisor learns it from the MMU.")),
        ParamSpec::integer(QStringLiteral("downtime_limit_ms"), QStringLiteral("Downtime limit"), 300, 1,
            60000, QStringLiteral("ms"),
            QStringLiteral("Pre-copy stops when the dirty pages fit in this time.")),
        ParamSpec::integer(QStringLiteral("max_rounds"), QStringLiteral("Maximum rounds"), 30, 1, 1000,
            QStringLiteral("rounds"),
            QStringLiteral("Pre-copy stops after this many rounds (round 0 included).")),
        ParamSpec::real(QStringLiteral("max_total_factor"), QStringLiteral("Maximum data sent"), 3, 1, 100,
            QStringLiteral("x memory"),
            QStringLiteral("Pre-copy stops before sending more than this many memories.")),
        ParamSpec::integer(QStringLiteral("warmup_ms"), QStringLiteral("Run before"), 1000, 0, 20000,
            QStringLiteral("ms"), QStringLiteral("How long the VM runs on the source before migrating.")),
        ParamSpec::integer(QStringLiteral("after_ms"), QStringLiteral("Run after"), 1000, 0, 20000,
            QStringLiteral("ms"), QStringLiteral("How long the run goes on after the migration.")),
        ParamSpec::real(QStringLiteral("request_interval_ms"), QStringLiteral("Client request interval"), 5,
            1, 1000, QStringLiteral("ms"), QStringLiteral("The client sends one request this often.")),
        ParamSpec::text(QStringLiteral("destination"), QStringLiteral("Destination"), QString(),
            QStringLiteral(
                "Empty: a destination host inside ProcLab. HOST:PORT: a `proclab node --listen PORT`.")),
        ParamSpec::choice(QStringLiteral("cut_at"), QStringLiteral("Cut the connection"),
            QStringLiteral("none"), kCutIds,
            QStringLiteral("Fault injection: cut the link during the handshake, the first pass, the pause, "
                           "or after the VM resumed on the destination.")),
        ParamSpec::integer(QStringLiteral("timeout_s"), QStringLiteral("Network timeout"), 10, 1, 300,
            QStringLiteral("s"),
            QStringLiteral("Any socket operation that takes longer abandons the migration.")),
        ParamSpec::integer(QStringLiteral("seed"), QStringLiteral("Seed"), 1, 0, 1000000, {},
            QStringLiteral("Seeds the memory contents and the write pattern.")),
    };
}

void MigrationEngine::run()
{
    Config c;
    c.strategy = static_cast<WireStrategy>(
        std::max<int>(0, int(kStrategyIds.indexOf(textParam(QStringLiteral("strategy"))))));
    c.pages = std::size_t(intParam(QStringLiteral("memory"))) / kPageBytes;
    c.bandwidthBitsPerSec = realParam(QStringLiteral("bandwidth"));
    c.dirtyRate = realParam(QStringLiteral("dirty_rate"));
    c.hotPages = std::size_t(intParam(QStringLiteral("hot_set"))) / kPageBytes;
    c.hotSharePercent = int(intParam(QStringLiteral("hot_share")));
    c.downtimeLimitMs = double(intParam(QStringLiteral("downtime_limit_ms")));
    c.writeFaults = textParam(QStringLiteral("dirty_log")) == QLatin1String("write_faults");
    c.maxRounds = int(intParam(QStringLiteral("max_rounds")));
    c.maxTotalFactor = realParam(QStringLiteral("max_total_factor"));
    c.warmupMs = intParam(QStringLiteral("warmup_ms"));
    c.afterMs = intParam(QStringLiteral("after_ms"));
    c.requestIntervalMs = realParam(QStringLiteral("request_interval_ms"));
    c.destination = textParam(QStringLiteral("destination")).trimmed();
    c.cut = static_cast<Cut>(std::max<int>(0, int(kCutIds.indexOf(textParam(QStringLiteral("cut_at"))))));
    c.seed = std::uint64_t(intParam(QStringLiteral("seed")));
    c.opTimeout = std::chrono::milliseconds(intParam(QStringLiteral("timeout_s")) * 1000);

    Result base = makeResult();
    if (c.hotPages > c.pages) {
        base.error = QStringLiteral("hot_set (%1) is larger than memory (%2)")
                         .arg(formatBytes(qint64(c.hotPages * kPageBytes)),
                             formatBytes(qint64(c.pages * kPageBytes)));
        auto snap = std::make_shared<MigrationSnapshot>();
        snap->status = base.error;
        snap->result = base;
        publish(snap);
        return;
    }
    Hooks hooks;
    hooks.publish = [this](std::shared_ptr<Snapshot> s) { publish(std::move(s)); };
    hooks.sleepFor = [this](std::chrono::nanoseconds d) { return sleepFor(d); };
    hooks.checkpoint = [this] { return checkpoint(); };
    hooks.stopRequested = [this] { return stopRequested(); };
    Migrator m(c, hooks, base);
    m.run();
}

} // namespace proclab
