#pragma once

#include "computation.h"
#include "machinelimits.h"

#include <QString>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace proclab::mobility {

/// Where the idle node is and how much of the work goes there.
struct LoadConfig {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    double nodeShare = 0.5; ///< estimated share of the work sent to the node (0..1)
    std::uint64_t sliceSteps = 1u << 20;
    MachineLimits limits;
    std::chrono::milliseconds connectTimeout {5000};
    std::chrono::milliseconds messageTimeout {10000};
    std::chrono::milliseconds resultTimeout {600000};
    std::function<bool()> cancelled;
};

/// What splitting the work did, measured on this machine.
struct LoadReport {
    QString error;
    std::int64_t lo = 0, hi = 0, splitAt = 0; ///< here [lo, splitAt), the node [splitAt, hi)
    Value resultAllHere; ///< the whole range computed here
    Value resultSplit; ///< the part here plus the node's part
    bool equal = false;
    std::int64_t allHereNs = 0; ///< wall time, everything here
    std::int64_t splitNs = 0; ///< wall time from shipping the node's part until both parts are done
    std::int64_t herePartNs = 0; ///< of which this process computed
    std::int64_t nodePartNs = 0; ///< the node's interpreter time for its part
    std::int64_t moveNs = 0; ///< shipping the node's part until the node accepted it
    std::uint64_t stepsAllHere = 0, stepsHere = 0, stepsAtNode = 0;
};

/**
 * @brief Load distribution (M1), measured: a busy process computes the prime
 * count of [lo, hi) alone, then ships the upper part of the range to an idle
 * node (weak mobility, push) and computes the lower part meanwhile.
 *
 * The program needs integer globals `lo` and `hi` and must return a count that
 * adds up over a split range (primes.pasm does). The split point balances the
 * estimated work: trial division up to sqrt(n) costs about n^1.5 summed over
 * [0, n). Runs on the caller's thread.
 */
class LoadDistribution {
public:
    static LoadReport run(const LoadConfig &config, const Computation &program);
    /// @brief The split point giving the node about @p nodeShare of the work on [lo, hi).
    static std::int64_t splitPoint(std::int64_t lo, std::int64_t hi, double nodeShare);
};

} // namespace proclab::mobility
