#pragma once

#include "engine/engine.h"

#include <sys/types.h>

#include <cstdint>
#include <vector>

namespace proclab {

/// One sample of one busy thread, read from /proc/self/task/<tid>/schedstat.
struct LiveThreadSample {
    double timeMs = 0;  ///< since the threads started, CLOCK_MONOTONIC
    double runMs = 0;   ///< cumulative time on the CPU (schedstat field 1)
    double waitMs = 0;  ///< cumulative time runnable but waiting (schedstat field 2)
};

/// One busy thread of the live demo.
struct LiveThread {
    pid_t tid = 0;
    int nice = 0;
    int weight = 1024;
    double modelShare = 0;    ///< the CFS model's share for these weights
    double measuredShare = 0; ///< its part of the run time of all busy threads, so far
    std::uint64_t timeslices = 0;
    std::vector<LiveThreadSample> samples;
};

/// The protection demo's buffer: words owned by the worker, then the sibling's ledger.
struct ProtectionState {
    int ownWords = 0;       ///< the worker's own array: words [0, ownWords)
    int ledgerWords = 0;    ///< the sibling's ledger: words [ownWords, ownWords + ledgerWords)
    int strayWords = 0;     ///< how far past its array the buggy loop writes
    std::vector<std::uint64_t> threadArena;  ///< after the stray write by a sibling thread
    std::vector<std::uint64_t> parentArena;  ///< parent's copy after the child's stray write
    std::vector<std::uint64_t> childArena;   ///< the child's copy (reported through a pipe)
    bool threadLedgerOk = true;
    bool parentLedgerOk = true;
    bool childLedgerOk = true;
    quintptr arenaAddress = 0;               ///< same virtual address in parent and child
    pid_t childPid = -1;
    bool childReaped = false;
};

/**
 * @brief What the live threads view draws.
 */
struct ThreadsLiveSnapshot : Snapshot {
    QString demo;  ///< "shares" or "protection"
    int cpu = 0;   ///< the CPU every busy thread is pinned to
    double seconds = 0;
    double elapsedMs = 0;
    std::vector<LiveThread> threads;
    ProtectionState protection;
};

/**
 * @brief T10 and T4 on this machine, with real threads.
 *
 * "shares": starts one busy thread per nice value, pins them all to one CPU,
 * gives each its nice value with setpriority(PRIO_PROCESS, tid, nice) and
 * samples /proc/self/task/<tid>/schedstat to chart their real CPU shares and
 * run/wait times, next to the CFS model's prediction for the same weights.
 * Every thread ends at the time limit or on stop and is joined.
 *
 * "protection": a worker thread's off-by-N loop overwrites a sibling thread's
 * ledger in the same process (checksum mismatch), while the same loop in a
 * forked child leaves the parent's copy intact. The writes stay inside one
 * array owned by the demo.
 */
class ThreadsLiveEngine : public Engine {
public:
    /// Engine id (the CLI and lesson files name it).
    static constexpr QLatin1String kId{"threads-live"};
    static constexpr QLatin1String kLiveView{"threadslive.view"}; ///< view id

    ThreadsLiveEngine();

    ParamSchema schema() const override;

protected:
    void run() override;

private:
    void runShares();
    void runProtection();
};

} // namespace proclab
