#pragma once

#include "costsample.h"
#include "indirectmeasurement.h"

#include "engine/result.h"

#include <vector>

namespace proclab {

/**
 * @name Series of the ctxswitch engine
 * Built in core, with stable ids and English names; the views give them translated
 * labels by id and draw them as they are.
 * @{
 */

/// Id of the indirect-cost curve.
inline constexpr char kIndirectCostSeriesId[] = "indirect_cost";

/**
 * @brief The result's histogram of one switch variant: 40 bins from the fastest sample to
 * the 99th percentile (slower samples count in the last bin), y = samples per bin,
 * x = bin centre in microseconds. Id: the sample's id. @p s must have samples.
 */
Series switchHistogram(const CostSample &s);

/**
 * @brief The switch view's histograms: every variant with samples on the same 60 bins, from
 * the fastest sample of all to the largest 98th percentile, so that they compare; y = share
 * of the variant's samples (%) per bin (slower samples are left out), x = bin start in
 * microseconds. Ids: the samples' ids. Empty when there is nothing to bin.
 */
std::vector<Series> comparedSwitchHistograms(const std::vector<CostSample> &switches);

/// @brief The indirect cost (us) against the working set (bytes), id kIndirectCostSeriesId.
Series indirectCostSeries(const std::vector<IndirectPoint> &points);

/**
 * @brief The point with the largest indirect cost (the first of equals) among those above the
 * noise (IndirectPoint::belowNoise()); among all when every point is below it; nullptr when empty.
 */
const IndirectPoint *largestIndirectCost(const std::vector<IndirectPoint> &points);

/** @} */

} // namespace proclab
