#pragma once

#include <QString>

#include <vector>

namespace proclab {

/**
 * @brief The inputs of the fluid model of live migration (all SI units).
 */
struct MigrationModelInput {
    double pages = 16384; ///< guest memory in pages
    double pageBytes = 4096;
    double bandwidthBytesPerSec = 125e6;
    double dirtyRatePagesPerSec = 0; ///< page writes per second
    double hotPages = 0; ///< size of the hot writable working set
    double hotShare = 0.9; ///< fraction of writes that go to the hot set (0..1)
    double latencySec = 0.0005; ///< one-way network latency
    double downtimeLimitSec = 0.3;
    int maxRounds = 30; ///< rounds including the first full pass
    double maxTotalFactor = 3; ///< stop when more than this many memories were sent
};

/// One round of pre-copy in the model.
struct MigrationModelRound {
    int round = 0;
    double pagesSent = 0;
    double durationSec = 0;
    double pagesDirtied = 0; ///< distinct pages dirtied while this round was sent
};

/// What the model predicts for one strategy.
struct MigrationModelOutcome {
    double downtimeSec = 0;
    double totalSec = 0;
    double degradedSec = 0; ///< post-copy: running on the destination with pages missing
    double pagesSent = 0;
    double pagesResent = 0;
    QString stopReason; ///< pre-copy: "converged", "max_rounds" or "max_total"
    std::vector<MigrationModelRound> rounds;
};

/**
 * @brief Distinct pages dirtied in @p seconds when writes arrive as a Poisson
 * stream: a hot page is written at rate share*D/H + (1-share)*D/P, a cold one at
 * (1-share)*D/P, and a page stays clean with probability exp(-rate*t).
 */
double migrationModelDirtied(const MigrationModelInput &in, double seconds);
/// Stop-and-copy: pause, send all pages, resume. Downtime = total = P*S/B + latency.
MigrationModelOutcome migrationModelStopCopy(const MigrationModelInput &in);
/// Pre-copy with the same stop rules as the measured engine.
MigrationModelOutcome migrationModelPreCopy(const MigrationModelInput &in);
/// Post-copy: downtime = latency (CPU state only); every page sent exactly once afterwards.
MigrationModelOutcome migrationModelPostCopy(const MigrationModelInput &in);

} // namespace proclab
