#include "migrationengine.h"

#include "migrationlink.h"
#include "migrationnode.h"
#include "migrationreport.h"
#include "pagebitmap.h"
#include "pagechannels.h"
#include "pageledger.h"
#include "pagememory.h"
#include "pagesender.h"
#include "postcopypusher.h"
#include "precopystoprule.h"
#include "vm.h"
#include "vmclient.h"
#include "writefaultlog.h"
#include "xbzrle.h"

#include <algorithm>
#include <limits>

namespace proclab {

using namespace migration;
using Clock = std::chrono::steady_clock;

namespace {

QString hex64(std::uint64_t v)
{
    return QStringLiteral("%1").arg(v, 16, 16, QLatin1Char('0'));
}

std::vector<std::uint32_t> allPages(std::size_t pages)
{
    std::vector<std::uint32_t> all(pages);
    for (std::size_t i = 0; i < all.size(); ++i)
        all[i] = std::uint32_t(i);
    return all;
}

} // namespace

/**
 * The objects of one run. The VM, its client and the in-process destination have
 * threads of their own, all joined by finishRun(); everything else is used on the
 * engine thread only.
 */
struct MigrationEngine::Parts {
    Parts(MigrationEngine &engine, const MigrationConfig &cfg)
        : link([&engine] { return engine.stopRequested(); }, cfg.opTimeout, cfg.bandwidthBitsPerSec)
        , channels(link, memory, ledger,
              PageSender::Hooks {[&engine] { return engine.stopRequested(); },
                  [&engine](std::chrono::nanoseconds d) { return engine.sleepFor(d); },
                  [&engine] { engine.publishProgress(false); }})
    {
    }
    // The link first: closing it completes every pending handler while the pusher still exists.
    ~Parts() { link.close(); }

    PageMemory memory;
    PageBitmap dirty;
    WriteFaultLog faultLog; // pre-copy with dirty_log=write_faults
    PageLedger ledger;
    std::unique_ptr<MigrationNode> node;
    std::unique_ptr<Vm> vm;
    std::unique_ptr<VmClient> client;
    MigrationLink link;
    PageChannels channels; // the pages of pre-copy and stop-and-copy, on one connection or several
    std::unique_ptr<PostCopyPusher> pusher; // post-copy only, made at the switchover
    std::string destinationHost;
    std::uint16_t destinationPort = 0;
    std::uint16_t servicePort = 0; ///< where the VM serves clients on the destination
    bool vmPaused = false;
};

MigrationEngine::MigrationEngine()
    : ConfiguredEngine(
        EngineInfo {QString(kId), QStringLiteral("Live migration of a running VM"), Provenance::Measured,
            QStringLiteral("Migrates an in-process VM (mmap'd pages, a vCPU writing them, a client timing "
                           "its requests) over TCP with stop-and-copy, pre-copy or post-copy."),
            {QStringLiteral("M6"), QStringLiteral("M7")}, {QString(kLiveView), QString(kResponseView)}})
{
}

MigrationEngine::~MigrationEngine() = default;

std::vector<OutputSpec> MigrationEngine::outputs() const
{
    return MigrationReport::outputs();
}

double MigrationEngine::nowMs() const
{
    return std::chrono::duration<double, std::milli>(Clock::now() - m_t0).count();
}

void MigrationEngine::run()
{
    const MigrationConfig &cfg = config();
    m_t0 = Clock::now();
    m_lastPublish = {};
    m_run = MigrationRun {};
    m_run.strategy = cfg.strategy;
    m_run.writeFaults = cfg.writeFaults;
    m_run.dirtyRatePagesPerSec = cfg.effectiveDirtyRate();
    m_run.workload = cfg.workload;
    m_run.content = cfg.content;
    m_run.downtimeLimitMs = cfg.downtimeLimitMs;
    m_run.autoConverge = cfg.autoConverge && cfg.strategy == WireStrategy::PreCopy;
    m_run.capBitsPerSec = cfg.bandwidthBitsPerSec;
    m_run.xbzrleCacheBytes = cfg.strategy == WireStrategy::PreCopy ? cfg.xbzrleCacheBytes : 0;
    m_run.compressed = cfg.compression != Compression::None && cfg.strategy != WireStrategy::PostCopy;
    m_run.postcopyPreempt = cfg.usesUrgentChannel();
    m_run.channels = m_run.postcopyPreempt ? 2 : cfg.channels;
    m_result = makeResult();
    m_parts = std::make_unique<Parts>(*this, cfg);

    if (setUp()) {
        m_run.phase = MigrationPhase::Warmup;
        publishProgress(true);
        if (sleepPublishing(cfg.warmupMs) && checkpoint()) {
            const bool migrated = migrate();
            if (migrated && m_run.error.isEmpty())
                m_run.phase = MigrationPhase::After;
            publishProgress(true);
            if (!stopRequested())
                sleepPublishing(cfg.afterMs);
        }
    }
    finishRun();
    if (m_run.phase != MigrationPhase::Abandoned)
        m_run.phase = MigrationPhase::Done;
    // The end: every thread is joined, the client's record is complete, the memory is still.
    collectFigures();
    m_run.samples = clientSamples();
    // The source's memory now: after an abandonment, the memory the VM keeps running with.
    if (m_parts->memory.isValid())
        m_run.sourceChecksumEnd = memoryChecksum(m_parts->memory);
    m_result = buildResult();
    publishProgress(true);
    m_parts.reset();
}

bool MigrationEngine::setUp()
{
    const MigrationConfig &cfg = config();
    Parts &p = *m_parts;
    QString error;
    if (!p.memory.allocate(cfg.pages, &error)) {
        m_run.error = error;
        return false;
    }
    m_run.pages = p.memory.pages();
    fillGuestMemory(p.memory, cfg.content, cfg.seed);
    p.dirty.resize(cfg.pages);
    p.ledger.reset(cfg.pages);

    if (cfg.destination.isEmpty()) {
        NodeOptions options;
        options.idleTimeout = std::max(cfg.opTimeout * 3, std::chrono::milliseconds(30000));
        p.node = std::make_unique<MigrationNode>(options);
        if (!p.node->start(&error)) {
            m_run.error = QStringLiteral("cannot start the in-process destination: %1").arg(error);
            return false;
        }
        p.destinationHost = "127.0.0.1";
        p.destinationPort = p.node->port();
    } else {
        p.destinationHost = cfg.destinationHost;
        p.destinationPort = cfg.destinationPort;
    }

    Workload w;
    w.kind = cfg.workload;
    w.pages = cfg.pages;
    w.hotPages = std::min(cfg.hotPages, cfg.pages);
    w.hotFirstPage = (cfg.pages - w.hotPages) / 2; // a band in the middle of the grid
    w.hotSharePercent = cfg.hotSharePercent;
    w.dirtyRatePagesPerSec = cfg.effectiveDirtyRate();
    // With write-fault logging the vCPU marks nothing itself: its first write to a page traps.
    const bool faultLog = cfg.writeFaults && cfg.strategy == WireStrategy::PreCopy;
    p.vm = std::make_unique<Vm>(p.memory, w, faultLog ? nullptr : &p.dirty);
    // Post-copy pushes first the pages the guest touched last before the pause.
    if (cfg.strategy == WireStrategy::PostCopy)
        p.vm->recordTouches();
    if (!p.vm->listen("127.0.0.1", 0, &error)) {
        m_run.error = error;
        return false;
    }
    VmStateBody initial;
    initial.rng = cfg.seed * 0x9e3779b97f4a7c15ULL + 1;
    initial.memoryContent = std::uint32_t(cfg.content);
    initial.contentSeed = std::uint32_t(cfg.seed);
    p.vm->start(initial);
    p.client = std::make_unique<VmClient>(m_t0, cfg.requestIntervalMs);
    p.client->start("127.0.0.1", p.vm->port());
    return true;
}

bool MigrationEngine::migrate()
{
    const MigrationConfig &cfg = config();
    Parts &p = *m_parts;
    m_run.startMs = nowMs();
    m_run.phase = MigrationPhase::FirstPass;
    if (!handshake())
        return false;
    if (cfg.strategy == WireStrategy::PreCopy && !preCopyRounds())
        return false;
    if (!switchover())
        return false;
    if (cfg.strategy == WireStrategy::PostCopy) {
        if (!postCopyPush())
            return false;
    } else if (cfg.cut == MigrationConfig::Cut::AfterResume) {
        p.link.cut();
        abandon(QStringLiteral("after the VM resumed on the destination, before the checksums were compared: "
                               "connection cut (fault injection)"));
        return false;
    }
    m_run.endMs = nowMs();
    m_run.phase = MigrationPhase::Verify;
    publishProgress(true);
    return verify();
}

bool MigrationEngine::handshake()
{
    const MigrationConfig &cfg = config();
    Parts &p = *m_parts;
    const QString what = QStringLiteral("during the handshake");
    QString err;
    if (!p.link.connect(p.destinationHost, p.destinationPort,
            std::min(cfg.opTimeout, std::chrono::milliseconds(5000)), &err)) {
        abandon(QStringLiteral("cannot reach the destination: %1").arg(err));
        return false;
    }
    if (cfg.cut == MigrationConfig::Cut::Handshake && !cfg.cutUrgent)
        p.link.cut();
    HelloBody hello;
    hello.pages = p.memory.pages();
    hello.strategy = std::uint32_t(cfg.strategy);
    hello.hotSharePercent = std::uint32_t(cfg.hotSharePercent);
    hello.hotPages = std::min(cfg.hotPages, cfg.pages);
    hello.hotFirstPage = (cfg.pages - hello.hotPages) / 2;
    hello.dirtyRatePagesPerSec = cfg.effectiveDirtyRate();
    hello.workload = std::uint32_t(cfg.workload);
    hello.requestReads = 4;
    hello.flags = cfg.usesUrgentChannel() ? kHelloUrgentChannel : 0;
    hello.channels = std::uint32_t(cfg.channels);
    setHelloToken(&hello, cfg.token);
    MsgHeader ack;
    HelloAckBody ackBody;
    if (!p.link.sendMessage(MsgType::Hello, 0, 0, &hello, sizeof hello, &err)
        || !p.link.readMessage(MsgType::HelloAck, &ack, &err)
        || !p.link.readBody(ack, &ackBody, sizeof ackBody, &err)) {
        abandon(QStringLiteral("%1: %2").arg(what, err));
        return false;
    }
    p.servicePort = std::uint16_t(ack.arg);
    if (cfg.usesUrgentChannel()) {
        // The second connection, to the same peer with the same Hello and the key it gave:
        // post-copy's page requests and their answers will travel on it.
        if (!p.link.connectUrgent(
                hello, ackBody.joinKey, std::min(cfg.opTimeout, std::chrono::milliseconds(5000)), &err)) {
            abandon(QStringLiteral("%1: %2").arg(what, err));
            return false;
        }
        if (cfg.cut == MigrationConfig::Cut::Handshake && cfg.cutUrgent) {
            p.link.cutUrgent();
            abandon(QStringLiteral("%1: urgent connection cut (fault injection)").arg(what));
            return false;
        }
    }
    // Further page channels (multifd): the same Hello and the key, one connection each.
    if (!p.channels.open(std::uint32_t(cfg.channels), hello, ackBody.joinKey,
            std::min(cfg.opTimeout, std::chrono::milliseconds(5000)), &err)) {
        abandon(QStringLiteral("%1: %2").arg(what, err));
        return false;
    }
    if (m_run.compressed)
        p.channels.setCompression(cfg.compression);
    // The destination has built an empty VM of the same size (mapped its memory):
    // that preparation is reported apart, the migration proper starts now.
    m_run.handshakeMs = nowMs() - m_run.startMs;
    m_run.startMs = nowMs();
    publishProgress(true);
    return true;
}

bool MigrationEngine::preCopyRounds()
{
    const MigrationConfig &cfg = config();
    Parts &p = *m_parts;
    QString err;
    // Round 0: every page, with the VM running. The dirty log starts empty now.
    if (cfg.writeFaults) {
        if (!p.faultLog.attach(p.memory, &p.dirty, &err)) { // write-protects every page
            abandon(QStringLiteral("before round 0: %1").arg(err));
            return false;
        }
    } else {
        p.dirty.clear();
    }
    m_run.phase = MigrationPhase::FirstPass;
    const std::vector<std::uint32_t> all = allPages(p.memory.pages());
    p.link.limiter().restart(Clock::now());

    // Sends one round while the VM runs, and tells the destination it ended.
    auto sendRound = [&](const std::vector<std::uint32_t> &pages, std::size_t cutAfter) {
        const int round = int(m_run.rounds.size());
        const std::uint64_t bytes0 = p.link.bytesSent();
        const PageSender::DeltaCounts deltas0 = p.channels.deltaCounts();
        const auto start = Clock::now();
        m_run.rounds.push_back({round, false, 0, 0, 0, 0});
        m_run.rounds.back().throttlePercent = m_run.throttlePercent;
        const QString what = QStringLiteral("while sending round %1").arg(round);
        if (!p.channels.send(pages, PageSender::Vm::Running, cutAfter, what, &err)) {
            abandon(err);
            return false;
        }
        MigrationRound &r = m_run.rounds.back();
        r.pagesSent = qint64(pages.size());
        r.pagesDirtied = qint64(p.dirty.count());
        r.deltaPages = p.channels.deltaCounts().hits - deltas0.hits;
        r.bytesSaved = p.channels.deltaCounts().bytesSaved - deltas0.bytesSaved;
        r.durationMs = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        r.bandwidthMbitPerSec
            = r.durationMs > 0 ? double(p.link.bytesSent() - bytes0) * 8 / (r.durationMs * 1000) : 0;
        if (!p.link.sendMessage(MsgType::RoundEnd, 0, std::uint64_t(round), nullptr, 0, &err)) {
            abandon(QStringLiteral("after round %1: %2").arg(round).arg(err));
            return false;
        }
        return true;
    };

    if (!sendRound(all, cfg.cut == MigrationConfig::Cut::FirstPass ? all.size() / 2 : PageSender::kNoCut))
        return false;
    // Delta encoding from round 1 on, as QEMU does: round 0 sends every page once, and
    // caching them all would only fill the cache with pages that are never sent again.
    if (m_run.xbzrleCacheBytes > 0) {
        p.channels.enableDeltaCache(m_run.xbzrleCacheBytes);
    }
    const PreCopyStopRule rule {
        cfg.downtimeLimitMs, cfg.maxRounds, cfg.maxTotalFactor, cfg.bandwidthBitsPerSec};
    AutoConverge throttle;
    std::vector<std::uint32_t> list;
    while (true) {
        PreCopyStopRule::Progress progress;
        progress.dirtyPages = double(p.dirty.count());
        progress.rounds = int(m_run.rounds.size());
        progress.pagesSent = double(p.link.pagesSent());
        progress.memoryPages = double(p.memory.pages());
        progress.bytesSent = double(p.link.bytesSent());
        progress.sendSeconds = p.link.sendSeconds();
        m_run.stopReason = rule.check(progress);
        if (!m_run.stopReason.isEmpty())
            break;
        if (m_run.autoConverge) {
            const MigrationRound &last = m_run.rounds.back();
            const int percent = throttle.afterRound(double(last.pagesSent), double(last.pagesDirtied));
            if (percent > 0 && m_run.throttleStartMs < 0)
                m_run.throttleStartMs = nowMs();
            m_run.throttlePercent = percent;
            m_run.throttlePercentMax = throttle.maxPercent();
            p.vm->setThrottlePercent(percent);
        }
        if (!checkpoint()) {
            abandon(QStringLiteral("stopped by the user during round %1").arg(m_run.rounds.size()));
            return false;
        }
        m_run.phase = MigrationPhase::Rounds;
        list.clear();
        harvestDirty(&list);
        if (!sendRound(list, PageSender::kNoCut))
            return false;
    }
    return true;
}

bool MigrationEngine::switchover()
{
    const MigrationConfig &cfg = config();
    Parts &p = *m_parts;
    // Pause, send what is left (everything for stop-and-copy, the last dirty pages for
    // pre-copy, nothing for post-copy), then the CPU state.
    pauseVm();
    m_run.phase = MigrationPhase::Paused;
    // The throttle ends with the pause: the VM resumes elsewhere (or, abandoned, unthrottled here).
    p.vm->setThrottlePercent(0);
    m_run.throttlePercent = 0;
    std::vector<std::uint32_t> rest;
    if (cfg.strategy == WireStrategy::StopCopy)
        rest = allPages(p.memory.pages());
    else if (cfg.strategy == WireStrategy::PreCopy)
        harvestDirty(&rest);
    p.dirty.clear();
    QString err;
    if (cfg.strategy != WireStrategy::PostCopy) {
        const int round = int(m_run.rounds.size());
        const std::uint64_t bytes0 = p.link.bytesSent();
        const PageSender::DeltaCounts deltas0 = p.channels.deltaCounts();
        const auto start = Clock::now();
        m_run.rounds.push_back({round, true, 0, 0, 0, 0});
        p.link.limiter().restart(Clock::now());
        std::size_t cutAfter = PageSender::kNoCut;
        if (cfg.cut == MigrationConfig::Cut::Paused
            || (cfg.cut == MigrationConfig::Cut::FirstPass && cfg.strategy == WireStrategy::StopCopy))
            cutAfter = rest.size() / 2;
        if (!p.channels.send(rest, PageSender::Vm::Paused, cutAfter,
                QStringLiteral("while the VM was paused for the stop-and-copy"), &err)) {
            abandon(err);
            return false;
        }
        MigrationRound &r = m_run.rounds.back();
        r.pagesSent = qint64(rest.size());
        r.deltaPages = p.channels.deltaCounts().hits - deltas0.hits;
        r.bytesSaved = p.channels.deltaCounts().bytesSaved - deltas0.bytesSaved;
        r.durationMs = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        r.bandwidthMbitPerSec
            = r.durationMs > 0 ? double(p.link.bytesSent() - bytes0) * 8 / (r.durationMs * 1000) : 0;
        if (cfg.cut == MigrationConfig::Cut::Paused && rest.empty()) {
            p.link.cut();
            abandon(QStringLiteral("while the VM was paused: connection cut (fault injection)"));
            return false;
        }
    } else if (cfg.cut == MigrationConfig::Cut::Paused || cfg.cut == MigrationConfig::Cut::FirstPass) {
        if (cfg.cutUrgent)
            p.link.cutUrgent();
        else
            p.link.cut();
        abandon(QStringLiteral("while the VM was paused, before its CPU state was sent: %1 cut (fault "
                               "injection)")
                    .arg(cfg.cutUrgent ? QStringLiteral("urgent connection") : QStringLiteral("connection")));
        return false;
    }
    // The further page channels' last pages are out: the destination applies them all
    // before it resumes the VM.
    if (cfg.strategy != WireStrategy::PostCopy && !p.channels.flush(&err)) {
        abandon(QStringLiteral("while the VM was paused: %1").arg(err));
        return false;
    }
    const VmStateBody state = p.vm->state();
    m_run.guestAtPause = p.vm->guestStatus(); // toyos: the guest as its state page holds it
    if (!p.link.sendMessage(MsgType::CpuState, 0, 0, &state, sizeof state, &err)) {
        abandon(QStringLiteral("while sending the CPU state: %1").arg(err));
        return false;
    }
    MsgHeader resumed;
    if (!p.link.readMessage(MsgType::Resumed, &resumed, &err)) {
        abandon(QStringLiteral("while waiting for the destination to resume the VM: %1").arg(err));
        return false;
    }
    m_run.resumeMs = nowMs();
    m_run.onDestination = true;
    // The VM's address moves with it (a gratuitous ARP in a data centre): tell the
    // client first, then drop its connection to the source.
    p.client->setTarget(p.destinationHost, p.servicePort);
    p.vm->leave();
    if (cfg.strategy == WireStrategy::PostCopy) {
        p.pusher = std::make_unique<PostCopyPusher>(p.link, p.memory, p.ledger);
        // The vCPU is paused (left), so its record of touches is still: the pages it used
        // last are the ones it is most likely to need first on the destination.
        p.pusher->setLikelyFirst(p.vm->pagesByRecentTouch(p.memory.pages()));
    }
    p.link.startReader(p.memory.pages(), [pusher = p.pusher.get()](std::size_t page) {
        if (pusher)
            pusher->requestPage(page);
    });
    return true;
}

bool MigrationEngine::postCopyPush()
{
    Parts &p = *m_parts;
    m_run.phase = MigrationPhase::PostCopyPush;
    p.pusher->start();
    const std::size_t cutAt = config().cut == MigrationConfig::Cut::AfterResume
        ? p.memory.pages() / 2
        : std::numeric_limits<std::size_t>::max();
    bool cutDone = false;
    return waitFor(
        [&] {
            if (!cutDone && std::size_t(p.link.pagesSent()) >= cutAt) {
                cutDone = true;
                const bool urgent = config().cutUrgent;
                if (urgent)
                    p.link.cutUrgent();
                else
                    p.link.cut();
                p.pusher->fail(
                    QStringLiteral("%1 cut (fault injection) with %2 of %3 pages pushed")
                        .arg(urgent ? QStringLiteral("urgent connection") : QStringLiteral("connection"))
                        .arg(p.link.pagesSent())
                        .arg(p.memory.pages()));
                return false;
            }
            return p.pusher->done();
        },
        QStringLiteral("post-copy push"));
}

bool MigrationEngine::verify()
{
    Parts &p = *m_parts;
    // The source's memory is frozen since the pause (its vCPU left), so this is the
    // memory at the pause; the destination hashed every page as it arrived.
    m_run.sourceChecksum = memoryChecksum(p.memory);
    const QString what = QStringLiteral("while comparing checksums");
    QString err;
    if (!p.link.sendMessage(
            MsgType::Complete, 0, m_run.sourceChecksum, nullptr, 0, &err, MigrationLink::Traffic::Epilogue)) {
        abandon(QStringLiteral("%1: %2").arg(what, err));
        return false;
    }
    if (!waitFor([&p] { return p.link.replies().verified; }, what))
        return false;
    const MigrationLink::Replies &replies = p.link.replies();
    if (!replies.equal) {
        m_run.error = QStringLiteral(
            "the destination's memory differs from the source's at the pause (checksum %1 vs %2)")
                          .arg(hex64(replies.destinationChecksum), hex64(m_run.sourceChecksum));
    }
    return true;
}

void MigrationEngine::finishRun()
{
    Parts &p = *m_parts;
    // Stop the client first (it talks to wherever the VM is), then the VMs and the node.
    if (p.client)
        p.client->stop();
    if (m_run.onDestination && p.link.isOpen()) {
        QString err;
        if (p.link.sendMessage(MsgType::Finish, 0, 0, nullptr, 0, &err, MigrationLink::Traffic::Epilogue)) {
            const auto deadline = Clock::now() + config().opTimeout;
            while (!p.link.replies().stats && !p.link.replies().failed && Clock::now() < deadline
                && !stopRequested())
                p.link.poll(std::chrono::milliseconds(10));
        }
    }
    p.link.close();
    if (p.vm)
        p.vm->stop();
    p.faultLog.detach(); // the memory is writable again
    if (p.node)
        p.node->stop();
}

void MigrationEngine::collectFigures()
{
    const Parts &p = *m_parts;
    m_run.pagesSent = p.link.pagesSent();
    m_run.urgentPagesSent = p.link.urgentPagesSent();
    m_run.bytesSent = p.link.bytesSent();
    m_run.sendSeconds = p.link.sendSeconds();
    m_run.pagesResent = p.ledger.pagesResent();
    m_run.demandFetches = p.ledger.demandFetches();
    m_run.requestsInFlight = p.ledger.requestsInFlight();
    m_run.writeFaultCount = p.faultLog.faults();
    const PageSender::DeltaCounts &deltas = p.channels.deltaCounts();
    m_run.xbzrleHits = deltas.hits;
    m_run.xbzrleMisses = deltas.misses;
    m_run.xbzrleOverflows = deltas.overflows;
    m_run.xbzrleBytesSaved = deltas.bytesSaved;
    const PageSender::CompressCounts &compression = p.channels.compressCounts();
    m_run.compressedPages = compression.pages;
    m_run.compressedBytes = compression.bytes;
    m_run.incompressiblePages = compression.incompressible;
    m_run.compressCpuNs = compression.cpuNs;
    const MigrationLink::Replies &replies = p.link.replies();
    m_run.verified = replies.verified;
    m_run.equal = replies.equal;
    m_run.destinationChecksum = replies.destinationChecksum;
    m_run.destinationStats = replies.stats;
}

std::vector<MigrationSample> MigrationEngine::clientSamples() const
{
    std::vector<MigrationSample> samples;
    if (m_parts->client) {
        for (const auto &c : m_parts->client->samples())
            samples.push_back({c.sentMs, c.responseMs, c.moved});
    }
    return samples;
}

Result MigrationEngine::buildResult() const
{
    return MigrationReport::build(m_run, m_result, stopRequested());
}

void MigrationEngine::abandon(const QString &reason)
{
    Parts &p = *m_parts;
    if (!m_run.error.isEmpty())
        return;
    m_run.abandonMs = nowMs();
    p.link.close();
    QString where = QStringLiteral("the VM keeps running on the source with its memory intact");
    if (m_run.onDestination) {
        // Post-copy or unverified switchover: the destination stops its copy when the
        // link drops; the source still holds every page as it was at the pause.
        where = QStringLiteral(
            "the destination stopped its copy and the VM resumed on the source from its "
            "state at the pause (memory intact; the %1 ms it ran on the destination are lost)")
                    .arg(m_run.abandonMs - m_run.resumeMs, 0, 'f', 0);
        p.client->setTarget("127.0.0.1", p.vm->port());
        m_run.onDestination = false;
    }
    p.vm->setThrottlePercent(0);
    m_run.throttlePercent = 0;
    if (p.vmPaused) {
        p.vm->resume();
        p.vmPaused = false;
    }
    m_run.phase = MigrationPhase::Abandoned;
    m_run.error = QStringLiteral("migration abandoned: %1; %2").arg(reason, where);
    publishProgress(true);
}

bool MigrationEngine::waitFor(const std::function<bool()> &done, const QString &what)
{
    Parts &p = *m_parts;
    PostCopyPusher *pusher = p.pusher.get();
    const auto started = Clock::now();
    if (pusher)
        pusher->setLastProgress(started);
    while (!done()) {
        if (stopRequested()) {
            abandon(QStringLiteral("%1: stopped by the user").arg(what));
            return false;
        }
        p.link.poll(std::chrono::milliseconds(10));
        if (pusher && pusher->failed()) {
            abandon(QStringLiteral("%1: %2").arg(what, pusher->error()));
            return false;
        }
        if (p.link.replies().failed) {
            abandon(QStringLiteral("%1: %2").arg(what, p.link.replies().error));
            return false;
        }
        const auto lastProgress = pusher ? pusher->lastProgress() : started;
        const bool pacing = pusher && pusher->waitingForRate();
        if (Clock::now() - lastProgress > config().opTimeout && !pacing) {
            abandon(QStringLiteral("%1: no progress for %2 s")
                        .arg(what)
                        .arg(double(config().opTimeout.count()) / 1000));
            return false;
        }
        publishProgress(false);
    }
    return true;
}

void MigrationEngine::harvestDirty(std::vector<std::uint32_t> *out)
{
    Parts &p = *m_parts;
    // Write faults: taking the bits also write-protects those pages again.
    if (p.faultLog.attached())
        p.faultLog.harvest(out);
    else
        p.dirty.harvest(out);
}

void MigrationEngine::pauseVm()
{
    Parts &p = *m_parts;
    p.vm->pause();
    p.vmPaused = true;
    m_run.pauseMs = nowMs();
}

void MigrationEngine::publishProgress(bool force)
{
    const auto now = Clock::now();
    // At most ~30 snapshots a second: the grid of a 2 GiB VM is 512 Ki bytes per copy.
    if (!force && now - m_lastPublish < std::chrono::milliseconds(33))
        return;
    m_lastPublish = now;
    collectFigures();
    const Parts &p = *m_parts;
    std::vector<std::uint8_t> states;
    if (p.memory.isValid())
        states = p.ledger.states(p.dirty, m_run.strategy == WireStrategy::PostCopy && m_run.onDestination);
    publish(MigrationReport::snapshot(m_run, std::move(states), clientSamples(), nowMs(), m_result));
}

bool MigrationEngine::sleepPublishing(qint64 ms)
{
    const auto end = Clock::now() + std::chrono::milliseconds(ms);
    while (Clock::now() < end) {
        const auto left = end - Clock::now();
        if (!sleepFor(std::min<Clock::duration>(left, std::chrono::milliseconds(33))))
            return false;
        publishProgress(false);
    }
    return true;
}

} // namespace proclab
