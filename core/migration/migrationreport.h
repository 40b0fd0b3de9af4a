#pragma once

#include "migrationrun.h"
#include "migrationsnapshot.h"

#include "engine/engine.h"

#include <memory>
#include <vector>

namespace proclab::migration {

/**
 * @brief Turns the record of a migration (MigrationRun) into what the engine
 * publishes: the live snapshot while it runs and the result at the end.
 *
 * The result's summary keys are declared in outputs() next to the code that
 * writes them; the series have stable ids ("response_time", "pages_sent",
 * "pages_dirtied") and English names for the command line.
 */
class MigrationReport {
public:
    /// @brief The strategy's id in parameters and results ("stopcopy", "precopy", "postcopy").
    static QString strategyId(WireStrategy strategy);
    /// @brief Every summary key build() can write, with unit and meaning.
    static std::vector<OutputSpec> outputs();

    /**
     * @brief The finished run's summary, series and round table, added to @p base.
     * The error is the run's, except after a stop the user asked for, which is not a failure.
     */
    static Result build(const MigrationRun &run, Result base, bool stoppedByUser);

    /// @brief A snapshot of the run so far: @p pageStates for the grid, @p samples of the client.
    static std::shared_ptr<MigrationSnapshot> snapshot(const MigrationRun &run,
        std::vector<std::uint8_t> pageStates, std::vector<MigrationSample> samples, double elapsedMs,
        Result result);

    /// Series ids.
    static constexpr QLatin1String kResponseSeries {"response_time"};
    static constexpr QLatin1String kSentSeries {"pages_sent"};
    static constexpr QLatin1String kDirtiedSeries {"pages_dirtied"};
    /// Pre-copy with the delta cache: pages of a round sent as deltas, and the bytes the
    /// deltas saved against whole pages, counted in pages' worth (bytes / 4 KiB).
    static constexpr QLatin1String kDeltaSeries {"pages_as_deltas"};
    static constexpr QLatin1String kSavedSeries {"pages_worth_saved"};
};

} // namespace proclab::migration
