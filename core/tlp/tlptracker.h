#pragma once

#include "procsampler.h"
#include "tlpmath.h"

#include <QString>

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <vector>

namespace proclab {

/**
 * @brief One thread's recent activity, one entry per sample (oldest first).
 */
struct TlpLane {
    pid_t pid = 0;
    pid_t tid = 0;
    QString name;
    std::vector<ThreadActivity> states;
    double runningFraction = 0; ///< samples classified Running, over its samples so far
};

/**
 * @brief One thread over the whole run, from the kernel's CPU-time counters: the part of
 * the time it was observed during which it executed, waited in a run queue, or neither.
 */
struct ThreadTimeShare {
    pid_t pid = 0;
    pid_t tid = 0;
    QString name;
    double observedS = 0; ///< time between its first and its last sample
    double executingFraction = 0; ///< run-time counter gained / observed time
    double runnableFraction = 0; ///< run-queue wait gained / observed time
    double blockedFraction = 0; ///< the rest
};

/**
 * @brief Turns successive samples of a process's thread states into TLP: the c_i histogram
 * over the whole run and over a sliding window of the latest samples, and activity lanes.
 *
 * When the kernel provides per-thread CPU-time counters (schedstat), each interval is
 * classified from what the threads really gained with classifyByCounters(): measured. Without
 * them (countersUsed() false) each sample falls back to classifySample() on the /proc states:
 * at most @p cores of those in state R count as running, the ones that were in state R most
 * often recently first; that split is an inference, and the result says so. A plain
 * class with no threads: the TLP engine feeds it one sample per period from its sampling
 * thread; per-sample buffers are reused, so a sample allocates nothing once the threads are
 * known.
 */
class TlpTracker {
public:
    /**
     * @param cores the most threads that can run at once (cores < 1: no limit)
     * @param windowSamples samples in the sliding window (at least 1)
     * @param laneLength samples kept per activity lane; a thread gone for that long loses its lane
     */
    TlpTracker(int cores, std::size_t windowSamples, std::size_t laneLength);

    /**
     * @brief Adds one sample: the state and counters of every thread measured at one moment.
     * @param intervalNs time since the previous sample (0 for the first)
     */
    void addSample(const std::vector<TaskSample> &tasks, std::uint64_t intervalNs = 0);
    /// True when every interval so far was classified from CPU-time counters.
    bool countersUsed() const { return m_samples > 0 && m_inferredSamples == 0; }
    /// Samples classified from /proc states alone (no counters).
    std::int64_t inferredSamples() const { return m_inferredSamples; }
    /// @brief Per-thread time shares from the counters, busiest first (empty without counters).
    std::vector<ThreadTimeShare> timeShares() const;

    /// Samples added so far.
    std::int64_t samples() const { return m_samples; }
    /// c_i and TLP over every sample.
    TlpStats overall() const { return tlpFromCounts(m_overallCounts); }
    /// c_i and TLP over the latest windowSamples samples.
    TlpStats window() const { return tlpFromCounts(m_windowCounts); }
    /// Distinct threads seen in any sample.
    int threadsSeen() const { return static_cast<int>(m_seen.size()); }
    /// @brief The lanes of up to @p maxLanes threads, those that ran in the most samples first.
    std::vector<TlpLane> lanes(std::size_t maxLanes) const;

private:
    struct LaneState {
        pid_t pid = 0;
        QString name;
        std::deque<ThreadActivity> states;
        double score = 0; ///< recent share of samples in state R: busy threads are ranked first
        std::int64_t running = 0; ///< samples classified Running
        std::int64_t lastPresent = 0; ///< the last sample it was alive in
        std::int64_t firstSample = 0;
        std::uint64_t lastRunNs = 0; ///< counters at the previous sample
        std::uint64_t lastWaitNs = 0;
        bool hasCounters = false;
        std::uint64_t executedNs = 0; ///< counter gains summed over the run
        std::uint64_t waitedNs = 0;
        std::uint64_t observedNs = 0; ///< intervals it was present in
        /// Run time gained but not yet placed in an interval: a counter that moves only at
        /// the scheduler tick reports several intervals' work at once.
        std::uint64_t creditNs = 0;
    };

    int m_cores;
    std::size_t m_windowSamples;
    std::size_t m_laneLength;
    std::vector<std::int64_t> m_overallCounts = std::vector<std::int64_t>(1, 0);
    std::vector<std::int64_t> m_windowCounts = std::vector<std::int64_t>(1, 0);
    std::deque<int> m_windowTrace;
    std::map<pid_t, LaneState> m_lanes;
    std::set<pid_t> m_seen;
    std::int64_t m_samples = 0;
    // Per-sample buffers, reused: the engine samples up to 5000 times a second.
    std::vector<char> m_states;
    std::vector<int> m_order;
    std::vector<CounterDelta> m_deltas;
    std::int64_t m_inferredSamples = 0;
    /// Per-thread results of lanes that left, kept for timeShares().
    std::vector<ThreadTimeShare> m_finishedShares;
};

} // namespace proclab
