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

QString migrationPhaseName(MigrationPhase phase);

/// One pre-copy round (round 0 is the full pass; the last may be the stop-and-copy).
struct MigrationRound {
    int round = 0;
    bool stopAndCopy = false; ///< sent with the VM paused
    qint64 pagesSent = 0;
    qint64 pagesDirtied = 0; ///< distinct pages written while this round was sent
    double durationMs = 0;
    double bandwidthMbitPerSec = 0;
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
    QString strategy;
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

/**
 * @brief M6/M7 for real: migrates a running in-process VM over a TCP connection.
 *
 * The VM is a guest memory (anonymous mmap, 4 KiB pages) and a vCPU thread that
 * writes pages at the dirty rate (hot working set plus uniform writes) and
 * answers a client's requests over loopback. The destination is a MigrationNode
 * in this process (own threads, real TCP on 127.0.0.1) or `proclab node` at
 * HOST:PORT. Strategies: stop-and-copy, pre-copy (rounds from a dirty bitmap,
 * stop rules: downtime limit, maximum rounds, maximum data) and post-copy
 * (demand fetches plus a background push, no page sent twice). The checksum of
 * the memory at the pause is compared with the destination's. Any failure
 * abandons the migration and the VM goes on running on the source.
 */
class MigrationEngine : public Engine {
public:
    /// Engine id (the CLI and lesson files name it).
    static constexpr QLatin1String kId {"migration"};
    static constexpr QLatin1String kLiveView {"migration.live"}; ///< view id
    static constexpr QLatin1String kResponseView {"migration.response"}; ///< view id

    MigrationEngine();
    ParamSchema schema() const override;
    bool supportsStep() const override { return false; }

protected:
    void run() override;
};

} // namespace proclab
