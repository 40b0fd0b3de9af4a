#pragma once

#include <cstdint>
#include <vector>

namespace proclab {

/**
 * @brief The CPU shares CFS aims at for always-runnable threads of weights @p weights on one
 * CPU: weight_i / sum of the weights. Empty for no threads; all 0 when the weights sum to 0.
 *
 * With Linux's weights (niceToWeight()), two threads at nice 0 and 5 get
 * 1024 / 1359 and 335 / 1359 of the CPU.
 */
std::vector<double> cfsWeightShares(const std::vector<int> &weights);

/// @brief cfsWeightShares() of the Linux weights of nice values @p nices (-20..19, clamped).
std::vector<double> cfsNiceShares(const std::vector<int> &nices);

/**
 * @brief The CPU shares the scheduling model's CFS gives always-runnable threads with nice
 * values @p nices (-20..19, clamped) sharing one CPU for @p durationNs of simulated time.
 *
 * Runs SchedModel on busyThreadsWorkload() under 1:1 threads, CFS, one CPU and the model's
 * default costs and granularities; a thread's share is its CPU time (computation and the
 * overheads it executed) over the total. Over a long run the shares approach
 * cfsNiceShares(); over a short one, time slices of a few milliseconds make them differ.
 * Deterministic: the same input always gives the same shares.
 */
std::vector<double> cfsModelShares(const std::vector<int> &nices, std::int64_t durationNs);

} // namespace proclab
