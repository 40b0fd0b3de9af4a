#pragma once

#include "migrationmodel.h"

#include "engine/parameter.h"

#include <QString>

#include <optional>

namespace proclab {

/**
 * @brief The model engine's parameters, typed once (MigrationModelEngine).
 */
struct MigrationModelConfig {
    /// What the charts vary.
    enum class Sweep { DirtyRate, Bandwidth, None };

    MigrationModelInput input; ///< the model's inputs at the chosen parameters
    int strategy = 1; ///< the strategy the table shows: 0 stopcopy, 1 precopy, 2 postcopy
    Sweep sweep = Sweep::DirtyRate;
    double sweepMaxPagesPerSec = 100000; ///< right end of the dirty-rate sweep
    int sweepPoints = 60;

    /// @brief The parameters of the `migration-model` engine.
    static ParamSchema schema();
    /// @brief Converts validated values (a hot set larger than the memory is the whole memory).
    static std::optional<MigrationModelConfig> fromParams(const ParamValues &values, QString *error);
    /// @brief The sweep's id as in the parameters ("dirty_rate", "bandwidth", "none").
    QString sweepId() const;
    /// @brief The strategy ids in the house order (stopcopy, precopy, postcopy).
    static const QStringList &strategyIds();
};

} // namespace proclab
