#pragma once

#include "migrationsnapshot.h"
#include "protocol.h"
#include "vm.h"

#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

namespace proclab::migration {

/**
 * @brief The record of one measured migration: what was asked, when each phase
 * happened, what crossed the link and what the two checksums said.
 *
 * Plain data, filled by the engine as the run goes on and turned into the
 * snapshot and the result by MigrationReport; a test can build one by hand.
 * Times are milliseconds since the run's origin, -1 when it did not happen.
 */
struct MigrationRun {
    // What was asked.
    WireStrategy strategy = WireStrategy::PreCopy;
    bool writeFaults = false; ///< pre-copy's dirty log by write faults instead of the vCPU's bits
    double dirtyRatePagesPerSec = 0; ///< the vCPU's page writes per second
    double capBitsPerSec = 0; ///< the link's cap, 0: none
    double downtimeLimitMs = -1; ///< the downtime asked for (pre-copy's stop rule), -1: none
    WorkloadKind workload = WorkloadKind::HotSet;
    bool autoConverge = false; ///< pre-copy throttles the vCPU while the dirty set does not shrink
    MemoryContent content = MemoryContent::Random; ///< what the guest's pages hold
    bool postcopyPreempt = false; ///< post-copy's page requests and answers on an urgent connection
    int channels = 1; ///< TCP connections the migration uses (2 with the urgent connection)

    // Where it is.
    std::size_t pages = 0; ///< pages of the VM's memory (0 until it is mapped)
    MigrationPhase phase = MigrationPhase::Setup;
    bool onDestination = false; ///< the VM runs on the destination

    // When.
    double handshakeMs = -1; ///< the destination's preparation, before the migration proper
    double startMs = -1; ///< the migration proper starts (after the handshake)
    double pauseMs = -1; ///< the VM paused on the source
    double resumeMs = -1; ///< the VM resumed on the destination
    double endMs = -1; ///< every page is on the destination
    double abandonMs = -1; ///< the migration was given up
    double throttleStartMs = -1; ///< auto-converge first throttled the vCPU
    std::vector<MigrationRound> rounds;

    // What crossed the link.
    qint64 pagesSent = 0;
    qint64 urgentPagesSent = 0; ///< post-copy: pages sent on the urgent connection
    qint64 pagesResent = 0;
    qint64 demandFetches = 0; ///< post-copy: pages sent because the destination's vCPU asked
    qint64 requestsInFlight = 0; ///< post-copy: requests for pages already on their way
    std::uint64_t bytesSent = 0;
    double sendSeconds = 0; ///< time inside writes (the cap's waits left out)
    std::uint64_t writeFaultCount = 0; ///< pre-copy with write faults: first writes trapped
    std::size_t xbzrleCacheBytes = 0; ///< pre-copy's delta cache (0: off)
    qint64 xbzrleHits = 0; ///< pages sent as deltas
    qint64 xbzrleMisses = 0; ///< pages sent whole because they were not in the cache
    qint64 xbzrleOverflows = 0; ///< pages in the cache sent whole because their delta was too long
    qint64 xbzrleBytesSaved = 0; ///< bytes whole pages would have taken, less the deltas' bytes
    bool compressed = false; ///< pages compressed (compress=zlib; not in post-copy)
    qint64 compressedPages = 0; ///< pages sent compressed
    qint64 compressedBytes = 0; ///< their compressed bytes
    qint64 incompressiblePages = 0; ///< pages that did not shrink (sent whole)
    qint64 compressCpuNs = 0; ///< the source's CPU time spent compressing
    QString stopReason; ///< pre-copy: "converged", "max_rounds" or "max_total"
    int throttlePercent = 0; ///< auto-converge: the vCPU's throttle now
    int throttlePercentMax = 0; ///< auto-converge: the highest throttle

    // The proof that nothing was lost.
    bool verified = false; ///< the destination compared checksums
    bool equal = false;
    std::uint64_t sourceChecksum = 0; ///< the source's memory at the pause
    std::uint64_t destinationChecksum = 0; ///< the destination's memory as received
    std::optional<std::uint64_t> sourceChecksumEnd; ///< the source's memory at the end of the run
    std::optional<StatsBody> destinationStats;
    /// toyos: the toy guest as saved in its state page when the VM paused on the source
    std::optional<ToyGuestStatus> guestAtPause;

    std::vector<MigrationSample> samples; ///< the client's requests
    QString error; ///< why the migration was abandoned or failed, one line
};

} // namespace proclab::migration
