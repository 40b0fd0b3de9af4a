#pragma once

#include <QString>

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace proclab {

/// One sample of one busy thread, read from /proc/self/task/<tid>/schedstat.
struct LiveThreadSample {
    double timeMs = 0; ///< since the threads started, CLOCK_MONOTONIC
    double runMs = 0; ///< cumulative time on the CPU (schedstat field 1)
    double waitMs = 0; ///< cumulative time runnable but waiting (schedstat field 2)
};

/// One busy thread of the live demo.
struct LiveThread {
    pid_t tid = 0;
    int nice = 0;
    int weight = 1024;
    double modelShare = 0; ///< the CFS model's share for these weights
    double measuredShare = 0; ///< its part of the run time of all busy threads, so far
    std::uint64_t timeslices = 0;
    std::vector<LiveThreadSample> samples;
};

/// What /proc says about one thread's CPU time, in nanoseconds.
struct ThreadTimes {
    std::uint64_t runNs = 0; ///< time on the CPU
    std::uint64_t waitNs = 0; ///< time runnable but waiting for the CPU (schedstat only)
    std::uint64_t timeslices = 0; ///< times it was given the CPU (schedstat only)
};

/// @brief Parses the three numbers of a schedstat file ("run_ns wait_ns timeslices"). False if malformed.
bool parseSchedstat(const char *text, std::size_t size, ThreadTimes *out);

/**
 * @brief Parses utime + stime of a /proc/.../stat line into nanoseconds (@p ticksPerSec clock
 * ticks per second). The command name may hold spaces and parentheses. False if malformed.
 */
bool parseStatRunNs(const char *text, std::size_t size, long ticksPerSec, std::uint64_t *runNs);

/**
 * @brief Samples the CPU time of some threads of this process from /proc, relative to a
 * baseline taken when it is made.
 *
 * Reads /proc/self/task/<tid>/schedstat (run and wait time, timeslices) when every thread
 * has one; otherwise utime + stime from /proc/self/task/<tid>/stat for all of them (run time
 * in clock ticks, no wait time). A plain class: no threads, one reader.
 */
class ThreadTimeSampler {
public:
    /// @brief Reads the baseline of every thread in @p tids.
    explicit ThreadTimeSampler(std::vector<pid_t> tids);

    /// Whether run and wait times come from schedstat (else run time from stat, wait 0).
    bool usesSchedstat() const { return m_useSchedstat; }

    /**
     * @brief Reads every thread once: appends a sample at @p nowMs to (*threads)[i].samples
     * (thread i is the i-th tid given), updates its timeslices, then every thread's measured
     * share (its run time over the run time of the threads read this time).
     * @return a one-line error naming a thread that could not be read (the others are still
     *         sampled), or empty
     */
    QString sample(double nowMs, std::vector<LiveThread> *threads) const;

private:
    bool read(pid_t tid, ThreadTimes *out) const;

    std::vector<pid_t> m_tids;
    std::vector<ThreadTimes> m_base;
    bool m_useSchedstat = true;
};

} // namespace proclab
