#pragma once

#include "engine/engine.h"
#include "tlpmath.h"

#include <sys/types.h>

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
 * @brief The TLP measurement so far: histograms overall and over the sliding
 * window, activity lanes of the last window, and TLP over time.
 */
struct TlpSnapshot : Snapshot {
    QString target;            ///< "own workload: cpu", "pid 1234 (make)"
    int cores = 1;             ///< online CPUs: the ceiling of TLP on this machine
    double rateHz = 0;         ///< requested sampling rate
    double achievedHz = 0;     ///< samples taken / seconds elapsed
    double samplerCpuPercent = 0; ///< the sampler thread's CPU time / wall time
    double elapsedS = 0;
    double windowMs = 0;
    TlpStats overall;
    TlpStats window;
    std::vector<TlpLane> lanes;  ///< up to 48 threads, most active first
    int threadsSeen = 0;         ///< distinct threads seen over the run
    std::vector<double> timeS;   ///< when each TLP-over-time point was taken
    std::vector<double> windowTlp; ///< TLP over the sliding window at timeS (0 when undefined)
};

/**
 * @brief T12 measured: samples the states of every thread of a process from
 * /proc/<pid>/task/<tid>/stat at a fixed rate and computes c_i and TLP.
 *
 * The process is one of: the app itself running a built-in workload (pid 0), any
 * running process by pid, or a command line the engine starts (posix_spawn, in its
 * own process group; killed and reaped at the end or on stop). The sampling thread
 * (the engine's own) is never counted; for a built-in workload neither is any
 * thread the app had before the workload started (window, other engines). A thread in state R counts as executing up
 * to the number of cores (see classifySample()).
 */
class TlpEngine : public Engine {
public:
    /// Engine id (the CLI and lesson files name it).
    static constexpr QLatin1String kId{"tlp"};
    static constexpr QLatin1String kLiveView{"tlp.live"}; ///< view id

    TlpEngine();
    ParamSchema schema() const override;
    bool supportsStep() const override { return false; }

protected:
    void run() override;
};

/// Online CPUs of this machine (at least 1).
int onlineCores();

} // namespace proclab
