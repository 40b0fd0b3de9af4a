#pragma once

#include <QString>

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

namespace proclab {

/**
 * @brief The CPU to pin the busy threads to: @p requested if this process may run on it,
 * or for -1 the last CPU it may run on.
 * @return the CPU, or -1 with a one-line @p error
 */
int chooseBusyCpu(int requested, QString *error);

/**
 * @brief Busy threads with nice values, all pinned to one CPU: the workload of the live CFS demo.
 *
 * Each thread pins itself to the CPU, sets its own nice value with
 * setpriority(PRIO_PROCESS, tid, nice) (per thread on Linux), reports its tid and waits for
 * release(); then it computes until stop() or the hard deadline, looking at the clock every
 * 2^16 iterations so it is bounded in time. stop() (and the destructor) joins every thread.
 */
class BusyThreads {
public:
    /// @brief Starts one thread per value in @p nices; none runs past @p hardDeadlineNs (monotonicNs()).
    BusyThreads(int cpu, std::vector<int> nices, std::int64_t hardDeadlineNs);
    ~BusyThreads();
    BusyThreads(const BusyThreads &) = delete;
    BusyThreads &operator=(const BusyThreads &) = delete;

    /**
     * @brief Waits until every thread is pinned with its nice value or one failed, at most
     * @p timeout or until @p cancelled() says so.
     * @return empty when all are ready; otherwise a one-line error (every thread is then joined)
     */
    QString waitReady(std::chrono::milliseconds timeout, const std::function<bool()> &cancelled);
    /// The thread ids, in the order of the nice values (valid once waitReady() succeeded).
    std::vector<pid_t> tids() const;
    /// Lets every ready thread start computing, together.
    void release();
    /// Asks every thread to end and joins them. Safe to call more than once.
    void stop();

private:
    struct Worker {
        std::atomic<pid_t> tid {0};
        std::atomic<int> status {0}; // 0 starting, 1 ready, -errno failed
        std::atomic<int> failedStep {0}; // 1 affinity, 2 nice
    };
    void body(int index);

    int m_cpu;
    std::vector<int> m_nices;
    std::int64_t m_hardDeadlineNs;
    std::vector<Worker> m_workers; // sized once: its atomics never move
    std::vector<std::thread> m_threads;
    std::atomic<bool> m_go {false};
    std::atomic<bool> m_quit {false};
};

} // namespace proclab
