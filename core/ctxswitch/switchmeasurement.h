#pragma once

#include "costsample.h"
#include "forkhelper.h"

#include <QString>

#include <functional>

#include <sys/types.h>

namespace proclab {

struct FutexTurn;

/**
 * @brief The direct cost of a switch: a token passed back and forth (ping-pong) between
 * two threads or two processes, and a bare system call for comparison.
 *
 * A plain measurement: each call runs on the calling thread, starts its partner (a
 * thread, or a forked child running only system calls) and joins or reaps it before
 * it returns; nothing outlives the call. The process ping-pong runs in the fork helper
 * (ForkHelper), a small process that forks the partner and times the round trips, so
 * that the app itself never forks. Timing: CLOCK_MONOTONIC around each round trip; a
 * switch is a round trip / 2. With cpuA == cpuB both sides are pinned to one CPU so
 * that every hand-off is a real switch; getrusage() counts the voluntary and
 * involuntary switches of both sides to prove it. keepGoing() is polled every 256
 * round trips, outside the timed interval; every wait for the partner has a timeout.
 */
class SwitchMeasurement {
public:
    /// Round trips before the timed ones, not recorded (caches and predictors warm up).
    static constexpr int kWarmupRoundTrips = 200;
    /// A variant that takes longer than this is cut short (the sample's note says so).
    static constexpr double kVariantTimeLimitS = 20.0;

    std::function<bool()> keepGoing = [] { return true; }; ///< false when the run should stop
    int cpuA = 0; ///< the calling side's CPU (the fork helper's, for processes)
    int cpuB = 0; ///< the partner's CPU
    QString forkHelper = QString::fromLatin1(ForkHelper::kName); ///< helper mode of processPingPong()

    /// @brief A bare system call (getppid, never cached), per call, in batches of 1000.
    CostSample syscallCost();
    /// @brief Two threads of this process; @p n timed round trips.
    CostSample threadPingPong(bool futex, int n, QString *error);
    /**
     * @brief Two processes, @p n timed round trips: the fork helper and the child it forks.
     * Runs processPingPongHere() in a new fork helper and waits for its samples; a helper that
     * fails (ends early, hangs, sends a malformed reply) sets a one-line @p error and note.
     */
    CostSample processPingPong(bool futex, int n, QString *error);
    /**
     * @brief This thread and a child process forked from the calling process; @p n timed
     * round trips. Only for a single-threaded process of known size (the fork helper):
     * forking the app would stall its GUI thread on copy-on-write faults.
     */
    CostSample processPingPongHere(bool futex, int n, QString *error);

    /// @brief An empty sample named like "thread_switch_pipe" / "process switch (futex)".
    static CostSample switchSample(const QString &who, bool futex);

private:
    void runPingPong(CostSample &s, int n, bool futex, FutexTurn *ft, bool shared, int writeFd, int readFd,
        pid_t childPid, QString *error);
};

} // namespace proclab
