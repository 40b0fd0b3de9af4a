#pragma once

#include <cstdint>
#include <vector>

namespace proclab {

/**
 * @brief Thread-level parallelism of a trace: c_i and TLP = sum(i * c_i) / (1 - c_0).
 *
 * c_i is the fraction of samples in which exactly i threads were executing.
 * TLP is the average number of executing threads over the samples in which at
 * least one was executing; it is undefined (defined == false, tlp == 0) when
 * there are no samples or c_0 == 1 (nothing ever executed).
 */
struct TlpStats {
    std::vector<std::int64_t> counts; ///< counts[i]: samples with exactly i executing threads
    std::vector<double> c; ///< c[i] = counts[i] / samples
    std::int64_t samples = 0;
    double tlp = 0;
    bool defined = false;
    double busyFraction = 0; ///< 1 - c_0
    int maxConcurrent = 0; ///< largest i with counts[i] > 0
};

/// @brief TLP from a histogram: @p counts[i] = number of samples with i executing threads.
TlpStats tlpFromCounts(const std::vector<std::int64_t> &counts);

/// @brief TLP from a trace: @p executingPerSample[k] = threads executing at sample k.
TlpStats tlpFromTrace(const std::vector<int> &executingPerSample);

/// What one thread was doing at one sample, as the activity lanes show it.
enum class ThreadActivity : std::uint8_t {
    Running = 0, ///< executing on a core
    Runnable = 1, ///< ready (state R) but more R threads than cores: waiting for one
    Blocked = 2, ///< sleeping, waiting for I/O, stopped
    Absent = 3, ///< not alive at this sample
};

/**
 * @brief Classifies the threads of one sample from their /proc states.
 *
 * A thread in state 'R' is running or waiting for a core; the kernel does not
 * say which in /proc/<pid>/task/<tid>/stat. At most @p cores threads can execute
 * at once, so the first @p cores threads in state R (in @p order of priority,
 * e.g. most CPU time over the last interval first) count as Running and the rest
 * as Runnable. Every other state is Blocked. @p cores < 1 means no limit.
 * @return one activity per input state, same order
 */
std::vector<ThreadActivity> classifySample(
    const std::vector<char> &states, const std::vector<int> &order, int cores);

/**
 * @brief One thread's CPU-time counters over one sampling interval, from
 * /proc/<pid>/task/<tid>/schedstat: nanoseconds it executed and nanoseconds it waited
 * in a run queue since the previous sample.
 */
struct CounterDelta {
    std::uint64_t runNs = 0;
    std::uint64_t waitNs = 0;
    char state = '?'; ///< its /proc state at the sample
};

/**
 * @brief Classifies the threads of one interval from what the kernel counted (measured,
 * not inferred from states).
 *
 * The run-time deltas say how much CPU each thread got in the interval; their sum over
 * @p intervalNs is the average number of threads executing. k = that sum, rounded (never
 * more than @p cores when cores >= 1, never more than the threads that ran at all), threads
 * count as Running: the k that gained the most CPU time. A thread that is not among them but
 * gained run or run-queue wait time, or is in state R, was Runnable; the others Blocked.
 * @return one activity per input, same order
 */
std::vector<ThreadActivity> classifyByCounters(
    const std::vector<CounterDelta> &deltas, std::uint64_t intervalNs, int cores);

/// Number of Running entries in @p activities.
int countRunning(const std::vector<ThreadActivity> &activities);

} // namespace proclab
