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
    double runningFraction = 0; ///< over the whole run so far
};

/**
 * @brief Turns successive samples of a process's thread states into TLP: the c_i histogram
 * over the whole run and over a sliding window of the latest samples, and activity lanes.
 *
 * Each sample's threads are classified with classifySample(): at most @p cores of those in
 * state R count as running, the ones that were in state R most often recently first (a
 * decaying score per thread), so that persistently busy threads take the cores. A plain
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

    /// @brief Adds one sample: the state of every thread measured at one moment.
    void addSample(const std::vector<TaskSample> &tasks);

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
};

} // namespace proclab
