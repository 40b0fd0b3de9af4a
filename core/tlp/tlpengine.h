#pragma once

#include "ownworkload.h"
#include "tlpmath.h"
#include "tlptracker.h"

#include "engine/engine.h"

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace proclab {

/**
 * @brief The TLP measurement so far: histograms overall and over the sliding
 * window, activity lanes of the last window, and TLP over time.
 */
struct TlpSnapshot : Snapshot {
    QString target; ///< "own workload: cpu", "pid 1234 (make)"
    int cores = 1; ///< online CPUs: the ceiling of TLP on this machine
    double rateHz = 0; ///< requested sampling rate
    double achievedHz = 0; ///< samples taken / seconds elapsed
    double samplerCpuPercent = 0; ///< the sampler thread's CPU time / wall time
    double elapsedS = 0;
    double windowMs = 0;
    TlpStats overall;
    TlpStats window;
    std::vector<TlpLane> lanes; ///< up to 48 threads, most active first
    int threadsSeen = 0; ///< distinct threads seen over the run
    std::vector<double> timeS; ///< when each TLP-over-time point was taken
    std::vector<double> windowTlp; ///< TLP over the sliding window at timeS (0 when undefined)
};

/**
 * @brief The TLP engine's parameters, converted once.
 */
struct TlpConfig {
    /// What is measured: a started command, an outside process, or the app's own workload.
    enum class Target { OwnWorkload, Pid, Command };
    Target target = Target::OwnWorkload; ///< a command takes precedence over a pid
    pid_t pid = 0; ///< Target::Pid
    QString command; ///< Target::Command, trimmed
    OwnWorkloadKind workload = OwnWorkloadKind::Cpu;
    int threads = 2; ///< threads of the own workload
    double seconds = 5;
    double rateHz = 1000;
    double windowMs = 1000;
    bool children = true; ///< also sample the target's descendants (pid and command)
    std::uint64_t seed = 1; ///< bursts of the mixed workload

    /// @brief Converts validated parameter values. @return nullopt with a one-line @p error
    static std::optional<TlpConfig> fromParams(const ParamValues &values, QString *error);
};

/**
 * @brief How the measured target ended, for the result.
 */
struct TlpTargetEnd {
    pid_t pid = 0;
    bool endedEarly = false; ///< a process or command ended before the time was up
    bool command = false; ///< the target was a started command; then:
    QString commandExit; ///< how it ended ("killed at the end of the measurement", ...)
    int commandExitCode = -1; ///< its exit status when it exited by itself, else -1
};

/**
 * @brief T12 measured: samples the states of every thread of a process from
 * /proc/<pid>/task/<tid>/stat at a fixed rate and computes c_i and TLP.
 *
 * The process is one of: the app itself running a built-in workload (pid 0), any
 * running process by pid, or a command line the engine starts (posix_spawn, in its
 * own process group; killed and reaped at the end or on stop). The sampling thread
 * (the engine's own) is never counted; for a built-in workload neither is any
 * thread the app had before the workload started (window, other engines). A thread
 * counts as executing in an interval from what it gained on the kernel's CPU-time
 * counters (/proc/<pid>/task/<tid>/schedstat, see classifyByCounters()); only where the
 * kernel has no such counters is it inferred from the states (see classifySample()).
 *
 * The pieces: ProcSampler reads /proc, TlpTracker turns samples into c_i and lanes,
 * OwnWorkload and SpawnedCommand are the targets; run() wakes at absolute deadlines and
 * hands each sample from one to the other.
 */
class TlpEngine : public ConfiguredEngine<TlpConfig> {
public:
    /// Engine id (the CLI and lesson files name it).
    static constexpr QLatin1String kId {"tlp"};
    static constexpr QLatin1String kLiveView {"tlp.live"}; ///< view id

    TlpEngine();
    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;
    bool supportsStep() const override { return false; }

    /// @brief c_i against i as bars (series id "c_i"), from @p stats.
    static Series histogramSeries(const TlpStats &stats);
    /// @brief TLP over the sliding window against time (series id "tlp_window").
    static Series overTimeSeries(const TlpSnapshot &snapshot);

protected:
    void run() override;

private:
    Result buildResult(const TlpSnapshot &snapshot, const TlpTracker &tracker, const TlpTargetEnd &end) const;
    /// The error of a started command that the shell could not find.
    QString commandNotFound() const;
};

/// Online CPUs of this machine (at least 1).
int onlineCores();

} // namespace proclab
