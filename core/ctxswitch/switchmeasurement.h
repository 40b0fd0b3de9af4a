#pragma once

#include "costsample.h"

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
 * it returns; nothing outlives the call. Timing: CLOCK_MONOTONIC around each round
 * trip; a switch is a round trip / 2. With cpuA == cpuB both sides are pinned to one
 * CPU so that every hand-off is a real switch; getrusage() counts the voluntary and
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
    int cpuA = 0; ///< the calling side's CPU
    int cpuB = 0; ///< the partner's CPU

    /// @brief A bare system call (getppid, never cached), per call, in batches of 1000.
    CostSample syscallCost();
    /// @brief Two threads of this process; @p n timed round trips.
    CostSample threadPingPong(bool futex, int n, QString *error);
    /// @brief This thread and a forked child process; @p n timed round trips.
    CostSample processPingPong(bool futex, int n, QString *error);

    /// @brief An empty sample named like "thread_switch_pipe" / "process switch (futex)".
    static CostSample switchSample(const QString &who, bool futex);

private:
    void runPingPong(CostSample &s, int n, bool futex, FutexTurn *ft, bool shared, int writeFd, int readFd,
        pid_t childPid, QString *error);
};

} // namespace proclab
