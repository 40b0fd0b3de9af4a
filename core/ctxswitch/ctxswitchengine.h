#pragma once

#include "common/stats.h"
#include "engine/engine.h"

#include <vector>

namespace proclab {

/**
 * @brief The samples of one measurement (nanoseconds) and their spread.
 */
struct CostSample {
    QString id;    ///< "thread_switch_pipe", "fork", "fork_touch_64MiB", ...
    QString label; ///< "thread switch (pipe)", "fork + _exit + waitpid", ...
    std::vector<double> valuesNs; ///< raw samples, in measurement order
    double medianNs = 0;
    double p10Ns = 0;
    double p90Ns = 0;
    qint64 voluntarySwitches = -1;   ///< getrusage counts during the measurement (-1: not counted)
    qint64 involuntarySwitches = -1;
    qint64 roundTrips = 0;           ///< switch measurements: round trips timed
    QString note;                    ///< why it is missing or approximate
};


/**
 * @brief One point of the indirect-cost sweep.
 */
struct IndirectPoint {
    qint64 workingSetBytes = 0;
    double warmWalkNs = 0;        ///< median walk time with no switch in between
    double afterSwitchWalkNs = 0; ///< median time of the first walk after a switch
    double indirectNs = 0;        ///< afterSwitchWalkNs - warmWalkNs
    int repetitions = 0;
};

/**
 * @brief A cache level of this machine, as the OS reports it.
 */
struct CacheLevelInfo {
    int level = 0;
    QString type; ///< "Data", "Instruction", "Unified"
    qint64 sizeBytes = 0;
};

/// The caches of CPU 0, read from /sys/devices/system/cpu/cpu0/cache, else sysconf().
std::vector<CacheLevelInfo> readCacheLevels(QString *source = nullptr);

/**
 * @brief Everything measured so far; the switch view and the indirect-cost view draw it.
 */
struct CtxSwitchSnapshot : Snapshot {
    QString phase;                  ///< "switch", "create", "indirect", "done"
    bool sameCpu = true;
    int cpuA = 0;
    int cpuB = 0;
    CostSample syscall;             ///< bare system call (getppid), per call
    std::vector<CostSample> switches;  ///< per switch (round trip / 2)
    std::vector<CostSample> creations; ///< per create + destroy
    std::vector<IndirectPoint> indirect;
    std::vector<CacheLevelInfo> caches;
    QString cacheSource;
};

/**
 * @brief T2, T3, T5 measured on this machine: context-switch cost (threads vs
 * processes, pipe and futex hand-offs), a bare system call, creation cost
 * (thread, fork, posix_spawn, fork after touching memory) and the indirect
 * cost of a switch (cache pollution) against the working-set size.
 *
 * Timing: CLOCK_MONOTONIC (steady_clock) around each round trip; a switch is a
 * round trip / 2. Both sides are pinned to one CPU so that every hand-off is a
 * real switch; getrusage() counts the voluntary and involuntary switches of
 * both sides to prove it. Every thread is joined and every child reaped, also
 * on stop; every wait for a partner has a timeout.
 */
class CtxSwitchEngine : public Engine {
public:
    /// Engine id (the CLI and lesson files name it).
    static constexpr QLatin1String kId{"ctxswitch"};
    static constexpr QLatin1String kSwitchView{"ctxswitch.switch"}; ///< view id
    static constexpr QLatin1String kIndirectView{"ctxswitch.indirect"}; ///< view id

    CtxSwitchEngine();
    ParamSchema schema() const override;

protected:
    void run() override;
};

} // namespace proclab
