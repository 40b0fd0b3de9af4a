#pragma once

#include <QString>

#include <vector>

namespace proclab {

/**
 * @brief The samples of one measurement (nanoseconds) and their spread.
 */
struct CostSample {
    QString id; ///< "thread_switch_pipe", "fork", "fork_touch_64MiB", ...
    QString label; ///< English: "thread switch (pipe)", "fork + _exit + waitpid", ...
    std::vector<double> valuesNs; ///< raw samples, in measurement order
    double medianNs = 0;
    double p10Ns = 0;
    double p90Ns = 0;
    qint64 voluntarySwitches = -1; ///< getrusage counts during the measurement (-1: not counted)
    qint64 involuntarySwitches = -1;
    qint64 roundTrips = 0; ///< switch measurements: round trips timed
    qint64 touchedBytes = 0; ///< fork after touching memory: how much was touched (0 otherwise)
    QString note; ///< why it is missing or approximate

    /// @brief Sets the median, 10th and 90th percentile from valuesNs (left as they are when empty).
    void computeSpread();
};

} // namespace proclab
