#pragma once

#include "engine/result.h"

#include <QString>

#include <optional>
#include <vector>

namespace proclab {

/**
 * @brief One finished measured migration, as the views compare it with others: the
 * response-time overlay and the model's measured points.
 *
 * Read from the numbers of the run's Result (summary keys and the "response_time"
 * series), never from formatted text.
 */
struct MigrationRunRecord {
    QString strategy; ///< "stopcopy", "precopy", "postcopy"
    double dirtyRate = 0; ///< pages/s
    double bandwidthBits = 0; ///< bit/s, 0 = uncapped
    double memoryBytes = 0;
    double downtimeMs = -1; ///< as the VM saw it (pause to resume); -1 when abandoned
    double totalMs = -1;
    double clientDowntimeMs = -1;
    std::vector<double> timeSec; ///< request send time, seconds since the migration started
    std::vector<double> responseMs; ///< response time of that request (at least 1 us: log axes)

    /// @brief The record of a `migration` run's result; nothing for another engine's.
    static std::optional<MigrationRunRecord> fromResult(const Result &result);
};

} // namespace proclab
