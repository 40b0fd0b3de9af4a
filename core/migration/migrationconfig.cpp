#include "migrationconfig.h"

#include "net/timedsocket.h"

#include <algorithm>

namespace proclab {

using namespace migration;

namespace {

const QStringList kStrategyIds
    = {QStringLiteral("stopcopy"), QStringLiteral("precopy"), QStringLiteral("postcopy")};
const QStringList kCutIds = {QStringLiteral("none"), QStringLiteral("handshake"),
    QStringLiteral("first_pass"), QStringLiteral("paused"), QStringLiteral("after_resume")};
// In WorkloadKind's order.
const QStringList kWorkloadIds = {QStringLiteral("hotset"), QStringLiteral("rewrite"),
    QStringLiteral("overrun"), QStringLiteral("idle"), QStringLiteral("toyos")};
// In MemoryContent's order.
const QStringList kContentIds = {QStringLiteral("random"), QStringLiteral("mixed")};

} // namespace

ParamSchema MigrationConfig::schema()
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
            kStrategyIds,
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
        ParamSpec::bytes(QStringLiteral("xbzrle_cache"), QStringLiteral("Delta cache (XBZRLE)"), 0, 0,
            qint64(1024) * mib,
            QStringLiteral(
                "Pre-copy, after round 0: the source keeps a copy of each page it sends in a cache "
                "of this size; a dirty page found there goes as a delta against that copy (its "
                "changed bytes, run-length encoded) when the delta is shorter than the page. "
                "0 turns it off.")),
        ParamSpec::choice(QStringLiteral("compress"), QStringLiteral("Page compression"),
            QStringLiteral("none"), {QStringLiteral("none"), QStringLiteral("zlib")},
            QStringLiteral("Pre-copy and stop-and-copy: zlib compresses each page the source would send "
                           "whole (level 1); a page that does not shrink goes whole. It costs the source "
                           "CPU time (reported) and pays only when the link is slower than compressing.")),
        ParamSpec::integer(QStringLiteral("channels"), QStringLiteral("Page channels"), 1, 1,
            qint64(kMaxChannels), {},
            QStringLiteral("Pre-copy and stop-and-copy: TCP connections that carry pages at once, each "
                           "sent by a thread of its own (QEMU's multifd). The memory is dealt out to them "
                           "in stripes of 64 pages and a page always travels on its stripe's connection, "
                           "so its versions arrive in order; the destination resumes the VM once every "
                           "connection said it has sent its last page. More "
                           "connections pay when one sending thread cannot fill the link. Post-copy "
                           "uses 1.")),
        ParamSpec::choice(QStringLiteral("auto_converge"), QStringLiteral("Auto-converge"),
            QStringLiteral("off"), {QStringLiteral("off"), QStringLiteral("on")},
            QStringLiteral(
                "Pre-copy: when a round dirties at least half as many pages as it sent (the dirty set "
                "does not shrink), throttle the vCPU: 20 % of its time taken away, then 10 % more "
                "after each such round, at most 99 %, as QEMU's auto-converge does. The guest pays "
                "in slower answers to its client.")),
        ParamSpec::choice(QStringLiteral("postcopy_preempt"), QStringLiteral("Post-copy urgent channel"),
            QStringLiteral("on"), {QStringLiteral("on"), QStringLiteral("off")},
            QStringLiteral(
                "Post-copy: on opens a second TCP connection at the handshake on which the destination "
                "asks for the pages its vCPU waits for and the source answers them, so they never queue "
                "behind the background push's pages in the main connection's socket buffers (QEMU's "
                "postcopy-preempt). off: one connection carries everything, and an answer waits behind "
                "whatever is queued ahead of it. The summary's channels says how many connections the "
                "migration used.")),
        ParamSpec::choice(QStringLiteral("workload"), QStringLiteral("Workload"), QStringLiteral("hotset"),
            kWorkloadIds,
            QStringLiteral(
                "What the VM's vCPU does. hotset: writes a few words of a page, dirty_rate times a "
                "second, hot_share % of them into the hot set. rewrite: the same pages, but every "
                "write refills the whole page (a buffer reused), so deltas save little. overrun: "
                "sweeps the hot set page after page at twice the pages the capped link carries "
                "(dirty_rate without a cap), so pre-copy cannot converge unless the vCPU is "
                "throttled. idle: no writes, only the client's requests. toyos: the vCPU runs the "
                "virtualization lessons' toy machine with the two-tasks guest OS (a kernel switching "
                "by timer between two programs that print), a million instructions a second; the toy "
                "machine's memory is the VM's first 32 pages, its CPU state is saved into page 32 when "
                "the vCPU pauses and its boot image sits in pages 33-64, so the guest continues on the "
                "destination from the pages it received (dirty_rate and hot_share are not used).")),
        ParamSpec::choice(QStringLiteral("memory_content"), QStringLiteral("Memory content"),
            QStringLiteral("random"), kContentIds,
            QStringLiteral(
                "What the guest's memory holds, seeded by seed. random: pseudo-random bytes, which no "
                "compressor shrinks. mixed: like a running guest, each page one of four kinds, fixed "
                "by the seed: 25 % zero pages, 30 % English-like text, 30 % heap records (pointers "
                "into one heap, small counters, flags, zeros) and 15 % random (already compressed "
                "data). The vCPU's writes keep a page's kind (text into text, a record into a heap "
                "page; a zero page receives a record), so dirty pages stay as compressible.")),
        ParamSpec::integer(QStringLiteral("downtime_limit_ms"), QStringLiteral("Downtime limit"), 300, 1,
            60000, QStringLiteral("ms"),
            QStringLiteral("Pre-copy stops when the dirty pages fit in this time. Every strategy's "
                           "result says whether the client's downtime stayed within it.")),
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
                "Empty: a destination host inside ProcLab. HOST:PORT: a `proclab node --listen PORT`."))
            .withEffect(ParamSpec::Effect::Connects),
        ParamSpec::text(QStringLiteral("token"), QStringLiteral("Node token"), QString(),
            QStringLiteral(
                "The shared secret of a `proclab node` started with --token (required by a node on "
                "an address other than 127.0.0.1): give the same one here. Empty: none.")),
        ParamSpec::choice(QStringLiteral("cut_at"), QStringLiteral("Cut the connection"),
            QStringLiteral("none"), kCutIds,
            QStringLiteral("Fault injection: cut the link during the handshake, the first pass, the pause, "
                           "or after the VM resumed on the destination.")),
        ParamSpec::choice(QStringLiteral("cut_channel"), QStringLiteral("Connection to cut"),
            QStringLiteral("main"), {QStringLiteral("main"), QStringLiteral("urgent")},
            QStringLiteral("Fault injection with cut_at: cut the main connection, or the urgent one "
                           "(post-copy with postcopy_preempt=on only).")),
        ParamSpec::integer(QStringLiteral("timeout_s"), QStringLiteral("Network timeout"), 10, 1, 300,
            QStringLiteral("s"),
            QStringLiteral("Any socket operation that takes longer abandons the migration.")),
        ParamSpec::integer(QStringLiteral("seed"), QStringLiteral("Seed"), 1, 0, 1000000, {},
            QStringLiteral("Seeds the memory contents and the write pattern.")),
    };
}

double MigrationConfig::effectiveDirtyRate() const
{
    if (workload == WorkloadKind::Idle || workload == WorkloadKind::ToyOs)
        return 0; // toyos: the guest writes what its programs write
    if (workload == WorkloadKind::Overrun && bandwidthBitsPerSec > 0)
        return 2 * bandwidthBitsPerSec / 8 / double(kPageBytes);
    return dirtyRatePagesPerSec;
}

std::optional<MigrationConfig> MigrationConfig::fromParams(const ParamValues &values, QString *error)
{
    auto integer = [&](const char *name) { return values.value(QLatin1String(name)).toLongLong(); };
    auto real = [&](const char *name) { return values.value(QLatin1String(name)).toDouble(); };
    auto text = [&](const char *name) { return values.value(QLatin1String(name)).toString(); };
    auto fail = [&](const QString &message) {
        if (error)
            *error = message;
        return std::nullopt;
    };

    MigrationConfig c;
    c.strategy = static_cast<WireStrategy>(std::max<int>(0, int(kStrategyIds.indexOf(text("strategy")))));
    c.pages = std::size_t(integer("memory")) / kPageBytes;
    c.bandwidthBitsPerSec = real("bandwidth");
    c.dirtyRatePagesPerSec = real("dirty_rate");
    c.hotPages = std::size_t(integer("hot_set")) / kPageBytes;
    c.hotSharePercent = int(integer("hot_share"));
    c.downtimeLimitMs = double(integer("downtime_limit_ms"));
    c.writeFaults = text("dirty_log") == QLatin1String("write_faults");
    c.xbzrleCacheBytes = std::size_t(integer("xbzrle_cache"));
    c.compression = text("compress") == QLatin1String("zlib") ? Compression::Zlib : Compression::None;
    c.autoConverge = text("auto_converge") == QLatin1String("on");
    c.postcopyPreempt = text("postcopy_preempt") != QLatin1String("off");
    c.channels = int(integer("channels"));
    c.workload = static_cast<WorkloadKind>(std::max<int>(0, int(kWorkloadIds.indexOf(text("workload")))));
    c.content
        = static_cast<MemoryContent>(std::max<int>(0, int(kContentIds.indexOf(text("memory_content")))));
    c.maxRounds = int(integer("max_rounds"));
    c.maxTotalFactor = real("max_total_factor");
    c.warmupMs = integer("warmup_ms");
    c.afterMs = integer("after_ms");
    c.requestIntervalMs = real("request_interval_ms");
    c.destination = text("destination").trimmed();
    c.token = text("token").toStdString();
    c.cut = static_cast<Cut>(std::max<int>(0, int(kCutIds.indexOf(text("cut_at")))));
    c.cutUrgent = text("cut_channel") == QLatin1String("urgent");
    c.seed = std::uint64_t(integer("seed"));
    c.opTimeout = std::chrono::milliseconds(integer("timeout_s") * 1000);

    if (c.hotPages > c.pages) {
        return fail(QStringLiteral("hot_set (%1) is larger than memory (%2)")
                        .arg(formatBytes(qint64(c.hotPages * kPageBytes)),
                            formatBytes(qint64(c.pages * kPageBytes))));
    }
    if (!c.destination.isEmpty() && !parseHostPort(c.destination, &c.destinationHost, &c.destinationPort))
        return fail(QStringLiteral("destination \"%1\" is not HOST:PORT").arg(c.destination));
    if (c.workload == WorkloadKind::ToyOs) {
        if (c.pages < kToyGuestPages)
            return fail(
                QStringLiteral("workload toyos needs at least %1 pages of memory").arg(kToyGuestPages));
        QString imageError;
        if (!ToyGuest::bootImage(&imageError))
            return fail(imageError);
    }
    if (c.channels > 1 && c.strategy == WireStrategy::PostCopy)
        return fail(
            QStringLiteral("channels=%1 needs strategy=precopy or stopcopy: post-copy sends its pages "
                           "on one connection (and its urgent requests on another with "
                           "postcopy_preempt=on)")
                .arg(c.channels));
    if (c.cutUrgent && !c.usesUrgentChannel())
        return fail(QStringLiteral("cut_channel=urgent needs strategy=postcopy with postcopy_preempt=on "
                                   "(only that migration has an urgent connection)"));
    QString why;
    if (!c.token.empty() && !checkToken(c.token, &why))
        return fail(QStringLiteral("token: %1").arg(why));
    return c;
}

} // namespace proclab
