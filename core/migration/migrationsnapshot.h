#pragma once

#include "engine/engine.h"

#include <cstdint>
#include <vector>

namespace proclab {

/// What a page looks like in the page grid (one byte per page in the snapshot).
enum class PageState : std::uint8_t {
    Clean = 0, ///< on the source, not sent yet, not written since
    Dirty = 1, ///< written since it was last sent (or since the round began)
    Sent = 2, ///< sent once and not written since
    Resent = 3, ///< sent more than once
    Present = 4, ///< post-copy: pushed to the destination
    Missing = 5, ///< post-copy: the VM runs on the destination, this page is still on the source
    Fetched = 6, ///< post-copy: the destination's vCPU faulted on it and fetched it on demand
};

/// The phases of a measured migration run, in order.
enum class MigrationPhase {
    Setup,
    Warmup,
    FirstPass,
    Rounds,
    Paused,
    PostCopyPush,
    Verify,
    After,
    Done,
    Abandoned
};

/// @brief A phase's English description, for status lines.
QString migrationPhaseName(MigrationPhase phase);

/// One pre-copy round (round 0 is the full pass; the last may be the stop-and-copy).
struct MigrationRound {
    int round = 0;
    bool stopAndCopy = false; ///< sent with the VM paused
    qint64 pagesSent = 0;
    qint64 pagesDirtied = 0; ///< distinct pages written while this round was sent
    double durationMs = 0;
    double bandwidthMbitPerSec = 0;
    qint64 deltaPages = 0; ///< pages of this round sent as deltas (XBZRLE cache hits)
    qint64 bytesSaved = 0; ///< bytes the deltas saved against whole pages
    int throttlePercent = 0; ///< auto-converge: the vCPU's throttle while this round was sent
};

/// One answered client request (times since the start of the run).
struct MigrationSample {
    double sentMs = 0;
    double responseMs = 0;
    bool moved = false; ///< re-sent to the VM at its new address
};

/**
 * @brief What the views draw: the page grid, the response times, the rounds, the markers.
 */
struct MigrationSnapshot : Snapshot {
    QString strategy; ///< "stopcopy", "precopy" or "postcopy"
    MigrationPhase phase = MigrationPhase::Setup;
    qint64 pages = 0;
    std::vector<std::uint8_t> pageStates; ///< one PageState per page
    std::vector<MigrationSample> samples;
    std::vector<MigrationRound> rounds;
    double elapsedMs = 0;
    double migrationStartMs = -1; ///< -1: not yet
    double pauseMs = -1;
    double resumeMs = -1;
    double endMs = -1;
    qint64 pagesSentTotal = 0;
    qint64 pagesResent = 0;
    qint64 demandFetches = 0;
};

} // namespace proclab
