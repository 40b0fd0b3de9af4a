#pragma once

#include "migrationmodel.h"

#include "engine/engine.h"

namespace proclab {

/**
 * @brief Snapshot of the model engine: its what-if sweeps as series, plus the
 * outcome of each strategy at the chosen parameters.
 */
struct MigrationModelSnapshot : Snapshot {
    QString sweep; ///< "dirty_rate", "bandwidth" or "none"
    MigrationModelOutcome stopCopy, preCopy, postCopy;
};

} // namespace proclab
