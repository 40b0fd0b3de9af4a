#pragma once

#include "cachelevelinfo.h"
#include "costsample.h"
#include "indirectmeasurement.h"

#include "engine/engine.h"

#include <vector>

namespace proclab {

/**
 * @brief Everything measured so far; the switch view and the indirect-cost view draw it.
 */
struct CtxSwitchSnapshot : Snapshot {
    QString phase; ///< "switch", "create", "indirect", "done"
    bool sameCpu = true;
    int cpuA = 0;
    int cpuB = 0;
    CostSample syscall; ///< bare system call (getppid), per call
    std::vector<CostSample> switches; ///< per switch (round trip / 2)
    std::vector<CostSample> creations; ///< per create + destroy
    std::vector<IndirectPoint> indirect;
    std::vector<CacheLevelInfo> caches;
    QString cacheSource;

    /// The switch variants on common bins (comparedSwitchHistograms() of switches), ids = sample ids.
    std::vector<Series> switchHistograms;
    /// The indirect cost against the working set (indirectCostSeries() of indirect).
    Series indirectCurve;

    /// @brief Rebuilds switchHistograms from switches (after a variant was added).
    void updateSwitchHistograms();
    /// @brief Rebuilds indirectCurve from indirect (after a point was added).
    void updateIndirectCurve();
};

} // namespace proclab
