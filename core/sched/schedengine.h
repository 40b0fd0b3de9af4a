#pragma once

#include "schedmodel.h"

#include "engine/engine.h"

#include <memory>
#include <optional>
#include <vector>

namespace proclab {

/**
 * @brief What the scheduler view draws: the model's state after one event.
 *
 * Everything is a copy; the engine never touches a snapshot after publishing it.
 * The Gantt bars and state changes are the latest ones up to a cap.
 */
struct SchedSnapshot : Snapshot {
    ThreadingModel model = ThreadingModel::OneToOne;
    SchedPolicy policy = SchedPolicy::Cfs;
    int cpus = 1;
    std::int64_t nowNs = 0;
    std::int64_t maxTimeNs = 0;
    QStringList processNames;
    std::vector<UserThreadInfo> threads;
    std::vector<KernelThreadInfo> kernelThreads;
    std::vector<int> cpuKernelThread; ///< per CPU: the kernel thread it runs, or -1
    std::vector<int> readyQueue; ///< kernel threads in the order the policy picks them
    int cfsRoot = -1;
    std::int64_t minVruntimeNs = 0;
    std::int64_t periodNs = 0;
    std::vector<SchedEvent> recent; ///< the last events, oldest first
    std::vector<GanttSegment> gantt;
    std::vector<StateChange> timeline;
    QString lastStep;
    quint64 events = 0;
    quint64 steps = 0;
    quint64 kernelSwitches = 0;
    quint64 userSwitches = 0;
    quint64 traps = 0;
    bool finished = false;
};

/**
 * @brief The sched engine's parameters, converted and checked once: the model's
 * configuration, the workload (built in, from a file or inline JSON, with the nice values
 * applied) and what the result table holds.
 */
struct SchedEngineConfig {
    SchedConfig model;
    Workload workload;
    bool traceTable = false; ///< the result table is the event trace (else per-thread statistics)

    /**
     * @brief Converts validated parameter values; loads the workload.
     * @return nullopt with a one-line @p error naming the parameter(s) for a bad workload,
     *         bad nice values or min_granularity_ms above latency_ms
     */
    static std::optional<SchedEngineConfig> fromParams(const ParamValues &values, QString *error);
};

/**
 * @brief T7-T10 as a model: N:1, 1:1 and M:N threads under FCFS, RR, priority or CFS.
 *
 * At speed 0 (the command line) the model runs at full speed and publishes a
 * few progress snapshots; at speed > 0 every event is one checkpoint (so
 * stepOnce() advances one scheduling event) and is paced for the animation.
 */
class SchedEngine : public ConfiguredEngine<SchedEngineConfig> {
public:
    /// Engine id (the CLI and lesson files name it).
    static constexpr QLatin1String kId {"sched"};
    static constexpr QLatin1String kSchedulerView {"sched.scheduler"}; ///< view id
    static constexpr QLatin1String kLayersView {"sched.layers"}; ///< view id

    SchedEngine();

    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;

    /**
     * @brief The statistics, series and table of a finished (or stopped) model run, added
     * to @p result. Series carry ids: "cpu_share", "weight_share", "cpu_time_<i>" (thread i).
     */
    static void buildResult(const SchedModel &model, bool traceTable, Result *result);

protected:
    void run() override;

private:
    /// The model's state as the views draw it; @p full keeps every Gantt bar and state change.
    std::shared_ptr<SchedSnapshot> snapshotOf(
        const SchedModel &model, const QStringList &processNames, bool full) const;
};

QString threadingModelId(ThreadingModel m); ///< "n1", "11", "mn"
QString schedPolicyId(SchedPolicy p); ///< "fcfs", "rr", "priority", "cfs"

} // namespace proclab
