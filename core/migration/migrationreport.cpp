#include "migrationreport.h"

#include <algorithm>
#include <cstring>

namespace proclab::migration {

namespace {

QString hex64(std::uint64_t v)
{
    return QStringLiteral("%1").arg(v, 16, 16, QLatin1Char('0'));
}

QString workloadId(WorkloadKind kind)
{
    switch (kind) {
    case WorkloadKind::HotSet:
        return QStringLiteral("hotset");
    case WorkloadKind::Rewrite:
        return QStringLiteral("rewrite");
    case WorkloadKind::Overrun:
        return QStringLiteral("overrun");
    case WorkloadKind::Idle:
        return QStringLiteral("idle");
    case WorkloadKind::ToyOs:
        return QStringLiteral("toyos");
    }
    return {};
}

/// A toy guest's console lines on one line of text: line ends shown as " | ", bytes outside
/// printable ASCII (a destination may send anything) as '?'.
QString consoleText(const std::string &bytes)
{
    QString text;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const char c = bytes[i];
        if (c == '\n')
            text += i + 1 < bytes.size() ? QStringLiteral(" | ") : QString();
        else
            text += (c >= 32 && c < 127) ? QChar::fromLatin1(c) : QLatin1Char('?');
    }
    return text;
}

/// The value @p percent % of @p v are at or below (nearest rank); 0 for none.
double percentileOf(std::vector<double> v, int percent)
{
    if (v.empty())
        return 0;
    const auto at = v.begin() + std::ptrdiff_t((v.size() - 1) * std::size_t(percent) / 100);
    std::nth_element(v.begin(), at, v.end());
    return *at;
}

} // namespace

QString MigrationReport::strategyId(WireStrategy strategy)
{
    switch (strategy) {
    case WireStrategy::StopCopy:
        return QStringLiteral("stopcopy");
    case WireStrategy::PreCopy:
        return QStringLiteral("precopy");
    case WireStrategy::PostCopy:
        return QStringLiteral("postcopy");
    }
    return {};
}

std::vector<OutputSpec> MigrationReport::outputs()
{
    auto o = [](const char *key, const char *unit, const char *help) {
        return OutputSpec {QLatin1String(key), QLatin1String(unit), QLatin1String(help)};
    };
    return {
        o("strategy", "", "stopcopy, precopy or postcopy"),
        o("pages", "pages", "pages of the VM's memory (4 KiB each)"),
        o("memory_mib", "MiB", "the VM's memory"),
        o("workload", "", "what the vCPU does: hotset, rewrite, overrun, idle or toyos"),
        o("memory_content", "", "what the guest's memory holds: random or mixed"),
        o("dirty_rate_pages_s", "pages/s",
            "page writes per second by the vCPU, as asked (overrun on a capped link: twice the link's "
            "pages)"),
        o("bandwidth_cap_mbit_s", "Mbit/s", "the cap on the migration link, 0 when uncapped"),
        o("abandoned", "",
            "true when the migration was given up and the VM stayed on (or went back to) the source"),
        o("vm_location", "", "where the VM runs at the end: source or destination"),
        o("total_ms", "ms", "from the start of the migration proper until every page was on the destination"),
        o("handshake_ms", "ms", "the destination preparing an empty VM, before the migration proper"),
        o("downtime_vm_ms", "ms",
            "the VM paused: from the pause on the source to the resume on the destination"),
        o("pages_sent", "pages", "pages whose write to the link completed"),
        o("pages_resent", "pages", "sends of pages that had been sent before"),
        o("bytes_sent", "bytes", "bytes the source sent during the migration (messages and pages)"),
        o("sent_per_memory", "x memory", "pages sent divided by the VM's pages"),
        o("throughput_mbit_s", "Mbit/s", "bytes sent over the whole migration (the cap's waits included)"),
        o("link_mbit_s_while_sending", "Mbit/s",
            "bytes sent over the time spent inside writes (the link itself)"),
        o("rounds", "rounds", "rounds sent, round 0 and the stop-and-copy included"),
        o("dirty_log", "", "pre-copy: how dirty pages were found (bitmap or write_faults)"),
        o("write_faults", "faults", "pre-copy with write faults: first writes to protected pages"),
        o("stop_reason", "", "pre-copy: converged, max_rounds or max_total"),
        o("xbzrle_cache_mib", "MiB", "pre-copy with delta encoding: the source's cache of sent pages"),
        o("xbzrle_hits", "pages",
            "pre-copy with delta encoding: dirty pages sent as deltas against the cache"),
        o("xbzrle_misses", "pages",
            "pre-copy with delta encoding: pages sent whole because they were not cached"),
        o("xbzrle_overflows", "pages",
            "pre-copy with delta encoding: cached pages sent whole because the delta was not shorter"),
        o("xbzrle_bytes_saved", "bytes",
            "pre-copy with delta encoding: bytes the whole pages would have taken, less the deltas' bytes"),
        o("compress", "", "page compression: none or zlib"),
        o("compressed_pages", "pages", "with compression: pages sent compressed"),
        o("compressed_bytes", "bytes", "with compression: the bytes those pages took on the link"),
        o("incompressible_pages", "pages", "with compression: pages that did not shrink (sent whole)"),
        o("compress_cpu_ms", "ms", "with compression: CPU time the source spent compressing"),
        o("auto_converge", "", "pre-copy: whether the vCPU is throttled while the dirty set does not shrink"),
        o("throttle_percent_max", "%", "pre-copy with auto-converge: the highest throttle of the vCPU"),
        o("response_median_throttled_ms", "ms",
            "pre-copy with auto-converge: median client response time while the vCPU was throttled"),
        o("response_p90_throttled_ms", "ms",
            "pre-copy with auto-converge: 90th percentile of the client's response times while the vCPU "
            "was throttled"),
        o("channels", "connections",
            "TCP connections the migration used: the page channels of pre-copy and stop-and-copy "
            "(the channels parameter), 2 for post-copy with its urgent connection (postcopy_preempt=on), "
            "otherwise 1"),
        o("postcopy_preempt", "",
            "post-copy: whether page requests and answers had a connection of their own"),
        o("urgent_pages", "pages", "post-copy with the urgent connection: pages sent on it"),
        o("demand_fetches", "pages", "post-copy: pages sent because the destination's vCPU asked for them"),
        o("requests_for_pages_in_flight", "requests", "post-copy: requests for pages already on their way"),
        o("degraded_ms", "ms", "post-copy: from the resume until the last page arrived"),
        o("checksum_source", "", "checksum of the source's memory at the pause (hex)"),
        o("checksum_destination", "", "checksum of the destination's memory as received (hex)"),
        o("memory_equal", "", "whether the two checksums are equal"),
        o("destination_requests", "requests", "client requests the VM served on the destination"),
        o("destination_pages_received", "pages", "pages the destination received"),
        o("destination_duplicate_pages", "pages", "pages the destination received more than once"),
        o("destination_faults", "faults", "post-copy: pages the destination's vCPU waited for"),
        o("fault_wait_max_ms", "ms", "post-copy: the longest wait of the vCPU for a page"),
        o("fault_wait_mean_ms", "ms", "post-copy: the mean wait of the vCPU for a page"),
        o("postcopy_wait_ms_p50", "ms", "post-copy: the median wait of the vCPU for a page"),
        o("postcopy_wait_ms_max", "ms", "post-copy: the longest wait of the vCPU for a page"),
        o("checksum_source_end", "", "checksum of the source's memory at the end of the run (hex)"),
        o("requests", "requests", "client requests answered during the run"),
        o("response_max_ms", "ms", "the longest client response time"),
        o("downtime_client_ms", "ms", "the longest gap between two answers the client received"),
        o("downtime_limit_met", "",
            "yes when the downtime the client saw stayed within downtime_limit_ms, otherwise no"),
        o("response_median_before_ms", "ms", "median client response time before the migration started"),
        o("response_p90_before_ms", "ms",
            "90th percentile of the client's response times before the migration started"),
        o("requests_after_abandon", "requests", "client requests sent after the migration was abandoned"),
        o("migration_start_ms", "ms", "since the run began: the migration proper starts"),
        o("pause_ms", "ms", "since the run began: the VM paused on the source"),
        o("resume_ms", "ms", "since the run began: the VM resumed on the destination"),
        o("end_ms", "ms", "since the run began: every page on the destination"),
        o("guest_instructions_source", "instructions",
            "toyos: the toy guest's instructions since its first boot, as saved when the VM paused on the "
            "source"),
        o("guest_instructions_destination", "instructions",
            "toyos: the toy guest's instructions since its first boot, at the end of the run on the "
            "destination"),
        o("guest_console_bytes_source", "bytes",
            "toyos: bytes the toy guest had printed since its first boot when the VM paused on the source"),
        o("guest_console_bytes_destination", "bytes",
            "toyos: bytes the toy guest had printed since its first boot at the end of the run on the "
            "destination"),
        o("guest_console_at_pause", "", "toyos: the last lines the guest printed before the pause (source)"),
        o("guest_console_tail", "", "toyos: the last lines the guest printed, at the end on the destination"),
        o("guest_continued", "",
            "toyos: yes when the destination's guest went on from the source's count (more instructions "
            "and at least as much console output), no when it started over or stalled"),
    };
}

Result MigrationReport::build(const MigrationRun &run, Result base, bool stoppedByUser)
{
    Result r = std::move(base);
    const std::size_t pages = run.pages;
    auto &s = r.summary;
    s.insert(QStringLiteral("strategy"), strategyId(run.strategy));
    s.insert(QStringLiteral("pages"), double(pages));
    s.insert(QStringLiteral("memory_mib"), double(pages * kPageBytes) / (1 << 20));
    s.insert(QStringLiteral("workload"), workloadId(run.workload));
    s.insert(QStringLiteral("memory_content"),
        run.content == MemoryContent::Mixed ? QStringLiteral("mixed") : QStringLiteral("random"));
    s.insert(QStringLiteral("dirty_rate_pages_s"), run.dirtyRatePagesPerSec);
    s.insert(QStringLiteral("bandwidth_cap_mbit_s"), run.capBitsPerSec / 1e6);
    s.insert(QStringLiteral("abandoned"), run.phase == MigrationPhase::Abandoned);
    s.insert(QStringLiteral("vm_location"),
        run.onDestination ? QStringLiteral("destination") : QStringLiteral("source"));
    if (run.startMs >= 0 && run.endMs >= 0)
        s.insert(QStringLiteral("total_ms"), run.endMs - run.startMs);
    if (run.handshakeMs >= 0)
        s.insert(QStringLiteral("handshake_ms"), run.handshakeMs);
    if (run.pauseMs >= 0 && run.resumeMs >= 0)
        s.insert(QStringLiteral("downtime_vm_ms"), run.resumeMs - run.pauseMs);
    s.insert(QStringLiteral("pages_sent"), double(run.pagesSent));
    s.insert(QStringLiteral("pages_resent"), double(run.pagesResent));
    s.insert(QStringLiteral("bytes_sent"), double(run.bytesSent));
    s.insert(QStringLiteral("sent_per_memory"), pages ? double(run.pagesSent) / double(pages) : 0);
    // Two rates: over the whole migration (what the cap allows), and while a write
    // was in progress (what the link itself does; the cap's waits left out).
    if (run.startMs >= 0 && run.endMs > run.startMs)
        s.insert(QStringLiteral("throughput_mbit_s"),
            double(run.bytesSent) * 8 / ((run.endMs - run.startMs) / 1000) / 1e6);
    if (run.sendSeconds > 0)
        s.insert(
            QStringLiteral("link_mbit_s_while_sending"), double(run.bytesSent) * 8 / run.sendSeconds / 1e6);
    s.insert(QStringLiteral("rounds"), double(run.rounds.size()));
    if (run.strategy == WireStrategy::PreCopy) {
        s.insert(QStringLiteral("dirty_log"),
            run.writeFaults ? QStringLiteral("write_faults") : QStringLiteral("bitmap"));
        if (run.writeFaults)
            s.insert(QStringLiteral("write_faults"), double(run.writeFaultCount));
    }
    if (!run.stopReason.isEmpty())
        s.insert(QStringLiteral("stop_reason"), run.stopReason);
    if (run.strategy == WireStrategy::PreCopy && run.xbzrleCacheBytes > 0) {
        s.insert(QStringLiteral("xbzrle_cache_mib"), double(run.xbzrleCacheBytes) / (1 << 20));
        s.insert(QStringLiteral("xbzrle_hits"), double(run.xbzrleHits));
        s.insert(QStringLiteral("xbzrle_misses"), double(run.xbzrleMisses));
        s.insert(QStringLiteral("xbzrle_overflows"), double(run.xbzrleOverflows));
        s.insert(QStringLiteral("xbzrle_bytes_saved"), double(run.xbzrleBytesSaved));
    }
    if (run.compressed) {
        s.insert(QStringLiteral("compress"), QStringLiteral("zlib"));
        s.insert(QStringLiteral("compressed_pages"), double(run.compressedPages));
        s.insert(QStringLiteral("compressed_bytes"), double(run.compressedBytes));
        s.insert(QStringLiteral("incompressible_pages"), double(run.incompressiblePages));
        s.insert(QStringLiteral("compress_cpu_ms"), double(run.compressCpuNs) / 1e6);
    }
    if (run.strategy == WireStrategy::PreCopy) {
        s.insert(QStringLiteral("auto_converge"), run.autoConverge);
        if (run.autoConverge)
            s.insert(QStringLiteral("throttle_percent_max"), double(run.throttlePercentMax));
        std::vector<double> throttled;
        for (const auto &c : run.samples) {
            const double end = run.pauseMs >= 0 ? run.pauseMs : run.abandonMs;
            if (run.throttleStartMs >= 0 && c.sentMs >= run.throttleStartMs && (end < 0 || c.sentMs < end))
                throttled.push_back(c.responseMs);
        }
        if (!throttled.empty()) {
            s.insert(QStringLiteral("response_median_throttled_ms"), percentileOf(throttled, 50));
            s.insert(QStringLiteral("response_p90_throttled_ms"), percentileOf(throttled, 90));
        }
    }
    s.insert(QStringLiteral("channels"), double(run.channels));
    if (run.strategy == WireStrategy::PostCopy) {
        s.insert(QStringLiteral("postcopy_preempt"), run.postcopyPreempt);
        if (run.postcopyPreempt)
            s.insert(QStringLiteral("urgent_pages"), double(run.urgentPagesSent));
        s.insert(QStringLiteral("demand_fetches"), double(run.demandFetches));
        s.insert(QStringLiteral("requests_for_pages_in_flight"), double(run.requestsInFlight));
        if (run.resumeMs >= 0 && run.endMs >= 0)
            s.insert(QStringLiteral("degraded_ms"), run.endMs - run.resumeMs);
    }
    if (run.verified) {
        s.insert(QStringLiteral("checksum_source"), hex64(run.sourceChecksum));
        s.insert(QStringLiteral("checksum_destination"), hex64(run.destinationChecksum));
        s.insert(QStringLiteral("memory_equal"), run.equal);
    }
    if (run.destinationStats) {
        const StatsBody &st = *run.destinationStats;
        s.insert(QStringLiteral("destination_requests"), double(st.requestsServed));
        s.insert(QStringLiteral("destination_pages_received"), double(st.pagesReceived));
        s.insert(QStringLiteral("destination_duplicate_pages"), double(st.duplicatePages));
        if (run.strategy == WireStrategy::PostCopy) {
            s.insert(QStringLiteral("destination_faults"), double(st.demandFaults));
            s.insert(QStringLiteral("fault_wait_max_ms"), double(st.maxFaultWaitNs) / 1e6);
            s.insert(QStringLiteral("fault_wait_mean_ms"),
                st.demandFaults ? double(st.faultWaitNs) / 1e6 / double(st.demandFaults) : 0.0);
            s.insert(QStringLiteral("postcopy_wait_ms_p50"), double(st.faultWaitP50Ns) / 1e6);
            s.insert(QStringLiteral("postcopy_wait_ms_max"), double(st.maxFaultWaitNs) / 1e6);
        }
    }
    if (run.guestAtPause) {
        const ToyGuestStatus &g = *run.guestAtPause;
        s.insert(QStringLiteral("guest_instructions_source"), double(g.instructions));
        s.insert(QStringLiteral("guest_console_bytes_source"), double(g.consoleBytes));
        s.insert(QStringLiteral("guest_console_at_pause"),
            consoleText(lastConsoleLines(g, kGuestConsoleTailBytes)));
    }
    if (run.workload == WorkloadKind::ToyOs && run.destinationStats && run.onDestination) {
        const StatsBody &st = *run.destinationStats;
        s.insert(QStringLiteral("guest_instructions_destination"), double(st.guestInstructions));
        s.insert(QStringLiteral("guest_console_bytes_destination"), double(st.guestConsoleBytes));
        s.insert(QStringLiteral("guest_console_tail"),
            consoleText(
                std::string(st.guestConsoleTail, strnlen(st.guestConsoleTail, sizeof st.guestConsoleTail))));
        if (run.guestAtPause)
            s.insert(QStringLiteral("guest_continued"),
                st.guestInstructions > run.guestAtPause->instructions
                        && st.guestConsoleBytes >= run.guestAtPause->consoleBytes
                    ? QStringLiteral("yes")
                    : QStringLiteral("no"));
    }
    // The source's memory now: after an abandonment this is the memory the VM keeps running with.
    if (run.sourceChecksumEnd)
        s.insert(QStringLiteral("checksum_source_end"), hex64(*run.sourceChecksumEnd));

    // Client view: response times, the longest gap between two answers.
    std::vector<double> answers;
    std::vector<double> before;
    double maxResponse = 0;
    for (const auto &c : run.samples) {
        answers.push_back(c.sentMs + c.responseMs);
        maxResponse = std::max(maxResponse, c.responseMs);
        if (run.startMs < 0 || c.sentMs + c.responseMs < run.startMs)
            before.push_back(c.responseMs);
    }
    std::sort(answers.begin(), answers.end());
    double maxGap = 0;
    for (std::size_t i = 1; i < answers.size(); ++i)
        maxGap = std::max(maxGap, answers[i] - answers[i - 1]);
    s.insert(QStringLiteral("requests"), double(run.samples.size()));
    s.insert(QStringLiteral("response_max_ms"), maxResponse);
    s.insert(QStringLiteral("downtime_client_ms"), maxGap);
    if (run.downtimeLimitMs > 0 && run.pauseMs >= 0 && run.resumeMs >= 0)
        s.insert(QStringLiteral("downtime_limit_met"),
            maxGap <= run.downtimeLimitMs ? QStringLiteral("yes") : QStringLiteral("no"));
    if (!before.empty()) {
        std::sort(before.begin(), before.end());
        s.insert(QStringLiteral("response_median_before_ms"), before[before.size() / 2]);
        s.insert(QStringLiteral("response_p90_before_ms"), percentileOf(before, 90));
    }
    if (run.abandonMs >= 0) {
        int after = 0;
        for (const auto &c : run.samples)
            after += c.sentMs > run.abandonMs ? 1 : 0;
        s.insert(QStringLiteral("requests_after_abandon"), after);
    }
    if (run.startMs >= 0)
        s.insert(QStringLiteral("migration_start_ms"), run.startMs);
    if (run.pauseMs >= 0)
        s.insert(QStringLiteral("pause_ms"), run.pauseMs);
    if (run.resumeMs >= 0)
        s.insert(QStringLiteral("resume_ms"), run.resumeMs);
    if (run.endMs >= 0)
        s.insert(QStringLiteral("end_ms"), run.endMs);

    Series resp;
    resp.id = kResponseSeries;
    resp.name = QStringLiteral("response time (%1)").arg(strategyId(run.strategy));
    resp.xLabel = QStringLiteral("time (s)");
    resp.yLabel = QStringLiteral("response time (ms)");
    resp.style = Series::Style::Line;
    for (const auto &c : run.samples) {
        resp.x.push_back(c.sentMs / 1000);
        resp.y.push_back(c.responseMs);
    }
    r.series.push_back(resp);
    Series sent, dirtied, asDeltas, saved;
    sent.id = kSentSeries;
    sent.name = QStringLiteral("pages sent");
    dirtied.id = kDirtiedSeries;
    dirtied.name = QStringLiteral("pages dirtied during the round");
    asDeltas.id = kDeltaSeries;
    asDeltas.name = QStringLiteral("of them sent as deltas");
    saved.id = kSavedSeries;
    saved.name = QStringLiteral("bytes the deltas saved, in pages' worth");
    for (Series *x : {&sent, &dirtied, &asDeltas, &saved}) {
        x->xLabel = QStringLiteral("round");
        x->yLabel = QStringLiteral("pages");
        x->style = Series::Style::Bars;
    }
    r.table.columns = {QStringLiteral("round"), QStringLiteral("stop_and_copy"), QStringLiteral("pages_sent"),
        QStringLiteral("pages_dirtied"), QStringLiteral("duration_ms"), QStringLiteral("mbit_per_s")};
    const bool deltas = run.strategy == WireStrategy::PreCopy && run.xbzrleCacheBytes > 0;
    if (deltas)
        r.table.columns << QStringLiteral("pages_as_deltas") << QStringLiteral("bytes_saved");
    if (run.autoConverge)
        r.table.columns << QStringLiteral("throttle_percent");
    for (const auto &round : run.rounds) {
        sent.x.push_back(round.round);
        sent.y.push_back(double(round.pagesSent));
        dirtied.x.push_back(round.round);
        dirtied.y.push_back(double(round.pagesDirtied));
        r.table.rows.push_back({round.round, round.stopAndCopy, round.pagesSent, round.pagesDirtied,
            round.durationMs, round.bandwidthMbitPerSec});
        if (deltas) {
            r.table.rows.back() << round.deltaPages << round.bytesSaved;
            asDeltas.x.push_back(round.round);
            asDeltas.y.push_back(double(round.deltaPages));
            saved.x.push_back(round.round);
            saved.y.push_back(double(round.bytesSaved) / double(kPageBytes));
        }
        if (run.autoConverge)
            r.table.rows.back() << round.throttlePercent;
    }
    r.series.push_back(sent);
    r.series.push_back(dirtied);
    if (deltas) {
        r.series.push_back(asDeltas);
        r.series.push_back(saved);
    }
    // A stop asked for by the user is not a failure: the engine reports it as stopped,
    // and the summary still says where the VM ended up.
    r.error = stoppedByUser ? QString() : run.error;
    return r;
}

std::shared_ptr<MigrationSnapshot> MigrationReport::snapshot(const MigrationRun &run,
    std::vector<std::uint8_t> pageStates, std::vector<MigrationSample> samples, double elapsedMs,
    Result result)
{
    auto snap = std::make_shared<MigrationSnapshot>();
    snap->strategy = strategyId(run.strategy);
    snap->phase = run.phase;
    snap->pages = qint64(run.pages);
    snap->pageStates = std::move(pageStates);
    snap->samples = std::move(samples);
    snap->rounds = run.rounds;
    if (!snap->rounds.empty() && snap->rounds.back().pagesSent == 0) {
        // The round in progress: what it has sent so far.
        qint64 before = 0;
        for (std::size_t i = 0; i + 1 < snap->rounds.size(); ++i)
            before += snap->rounds[i].pagesSent;
        snap->rounds.back().pagesSent = run.pagesSent - before;
    }
    snap->elapsedMs = elapsedMs;
    snap->migrationStartMs = run.startMs;
    snap->pauseMs = run.pauseMs;
    snap->resumeMs = run.resumeMs;
    snap->endMs = run.endMs;
    snap->pagesSentTotal = run.pagesSent;
    snap->pagesResent = run.pagesResent;
    snap->demandFetches = run.demandFetches;
    const double total = double(std::max<std::size_t>(1, run.pages));
    snap->progress = run.phase == MigrationPhase::Done || run.phase == MigrationPhase::Abandoned
        ? 1.0
        : std::min(0.99, double(run.pagesSent) / total / (run.strategy == WireStrategy::PreCopy ? 1.5 : 1.0));
    QString status = migrationPhaseName(run.phase);
    if (!run.rounds.empty()
        && (run.phase == MigrationPhase::Rounds || run.phase == MigrationPhase::FirstPass))
        status += QStringLiteral(", round %1").arg(run.rounds.size());
    status += QStringLiteral(": %1 pages sent (%2 re-sent)").arg(run.pagesSent).arg(run.pagesResent);
    if (!run.error.isEmpty())
        status = run.error;
    snap->status = status;
    snap->result = std::move(result);
    return snap;
}

} // namespace proclab::migration
