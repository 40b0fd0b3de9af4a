#include "schedengine.h"

#include <QJsonArray>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace proclab {

namespace {

const QString kModel = QStringLiteral("model");
const QString kPolicy = QStringLiteral("policy");
const QString kCpus = QStringLiteral("cpus");
const QString kWorkload = QStringLiteral("workload");
const QString kThreads = QStringLiteral("threads");
const QString kNices = QStringLiteral("nices");
const QString kLwps = QStringLiteral("lwps");
const QString kDestroy = QStringLiteral("destroy_idle");
const QString kQuantum = QStringLiteral("quantum_ms");
const QString kTrap = QStringLiteral("trap_us");
const QString kKSwitch = QStringLiteral("kernel_switch_us");
const QString kUSwitch = QStringLiteral("user_switch_us");
const QString kLatency = QStringLiteral("latency_ms");
const QString kMinGran = QStringLiteral("min_granularity_ms");
const QString kWakeGran = QStringLiteral("wakeup_granularity_ms");
const QString kMax = QStringLiteral("max_ms");
const QString kSeed = QStringLiteral("seed");
const QString kTraceCap = QStringLiteral("trace_cap");
const QString kTable = QStringLiteral("table");

std::int64_t msNs(double ms)
{
    return static_cast<std::int64_t>(std::llround(ms * 1e6));
}

std::int64_t usNs(double us)
{
    return static_cast<std::int64_t>(std::llround(us * 1e3));
}

// Keeps the latest @p cap elements: views need the recent past, not all of it.
template<typename T> std::vector<T> tail(const std::vector<T> &v, size_t cap)
{
    if (v.size() <= cap)
        return v;
    return std::vector<T>(v.end() - static_cast<std::ptrdiff_t>(cap), v.end());
}

} // namespace

QString threadingModelId(ThreadingModel m)
{
    switch (m) {
    case ThreadingModel::ManyToOne:
        return QStringLiteral("n1");
    case ThreadingModel::OneToOne:
        return QStringLiteral("11");
    case ThreadingModel::ManyToMany:
        return QStringLiteral("mn");
    }
    return {};
}

QString schedPolicyId(SchedPolicy p)
{
    switch (p) {
    case SchedPolicy::Fcfs:
        return QStringLiteral("fcfs");
    case SchedPolicy::RoundRobin:
        return QStringLiteral("rr");
    case SchedPolicy::Priority:
        return QStringLiteral("priority");
    case SchedPolicy::Cfs:
        return QStringLiteral("cfs");
    }
    return {};
}

SchedEngine::SchedEngine()
    : ConfiguredEngine(EngineInfo {QString(kId),
        QStringLiteral("Thread scheduling model (N:1, 1:1, M:N; FCFS, RR, priority, CFS)"), Provenance::Model,
        QStringLiteral("A deterministic discrete-event model of user-level, kernel and two-level "
                       "threads scheduled by FCFS, round robin, static priority or Linux's CFS."),
        {QStringLiteral("T1"), QStringLiteral("T7"), QStringLiteral("T8"), QStringLiteral("T9"),
            QStringLiteral("T10")},
        {QString(kSchedulerView), QString(kLayersView)}})
{
}

ParamSchema SchedEngine::schema() const
{
    QStringList names;
    for (const QString &n : builtinWorkloadNames())
        names << n.section(QLatin1Char(':'), 0, 0);
    return ParamSchema {
        ParamSpec::choice(kModel, QStringLiteral("Threading model"), QStringLiteral("11"),
            {QStringLiteral("n1"), QStringLiteral("11"), QStringLiteral("mn")},
            QStringLiteral("n1: user-level threads on one kernel thread per process; "
                           "11: one kernel thread per thread; mn: user threads on a "
                           "pool of lightweight processes.")),
        ParamSpec::choice(kPolicy, QStringLiteral("Kernel policy"), QStringLiteral("cfs"),
            {QStringLiteral("fcfs"), QStringLiteral("rr"), QStringLiteral("priority"), QStringLiteral("cfs")},
            QStringLiteral("How the kernel picks the next kernel thread: first come "
                           "first served, round robin, static priority (nice), or CFS.")),
        ParamSpec::integer(kCpus, QStringLiteral("CPUs"), 1, 1, 8, QStringLiteral("CPUs"),
            QStringLiteral("Processors sharing one run queue.")),
        ParamSpec::text(kWorkload, QStringLiteral("Workload"), QStringLiteral("blocking"),
            QStringLiteral("A built-in workload (%1), a path to a JSON file, or JSON text.")
                .arg(names.join(QStringLiteral(", "))))
            .withEffect(ParamSpec::Effect::ReadsFile),
        ParamSpec::integer(kThreads, QStringLiteral("Threads"), 3, 1, 64, QStringLiteral("threads"),
            QStringLiteral("Thread count of the 'cpu' and 'random' workloads.")),
        ParamSpec::text(kNices, QStringLiteral("Nice values"), QString(),
            QStringLiteral("Comma-separated nice values (-20..19) given to the threads in "
                           "order, e.g. 0,5. Empty keeps the workload's own.")),
        ParamSpec::integer(kLwps, QStringLiteral("LWPs per process"), 2, 1, 16, QStringLiteral("LWPs"),
            QStringLiteral("M:N: kernel threads (lightweight processes) per process.")),
        ParamSpec::boolean(kDestroy, QStringLiteral("Destroy idle LWPs"), false,
            QStringLiteral("M:N: an LWP with nothing to run is destroyed and re-created "
                           "(a trap) when needed again.")),
        ParamSpec::real(kQuantum, QStringLiteral("Quantum"), 4, 0.01, 1000, QStringLiteral("ms"),
            QStringLiteral("Time slice of round robin and of priority scheduling.")),
        ParamSpec::real(kTrap, QStringLiteral("Trap cost"), 5, 0, 10000, QStringLiteral("us"),
            QStringLiteral("CPU time of one trap into the kernel (model value).")),
        ParamSpec::real(kKSwitch, QStringLiteral("Kernel switch cost"), 5, 0, 10000, QStringLiteral("us"),
            QStringLiteral("CPU time for the kernel to switch kernel threads (model value).")),
        ParamSpec::real(kUSwitch, QStringLiteral("User switch cost"), 0.2, 0, 10000, QStringLiteral("us"),
            QStringLiteral("CPU time for a thread library to switch user threads (model value).")),
        ParamSpec::real(kLatency, QStringLiteral("CFS target latency"), 6, 0.1, 1000, QStringLiteral("ms"),
            QStringLiteral("CFS: period within which every runnable thread runs once.")),
        ParamSpec::real(kMinGran, QStringLiteral("CFS minimum granularity"), 0.75, 0.01, 100,
            QStringLiteral("ms"),
            QStringLiteral("CFS: the period grows to threads x this when many are runnable.")),
        ParamSpec::real(kWakeGran, QStringLiteral("CFS wake-up granularity"), 1, 0, 100, QStringLiteral("ms"),
            QStringLiteral("CFS: a woken thread preempts when its vruntime is behind by more.")),
        ParamSpec::real(kMax, QStringLiteral("Time limit"), 1000, 1, 1e6, QStringLiteral("ms"),
            QStringLiteral("The run stops at this simulated time.")),
        ParamSpec::integer(kSeed, QStringLiteral("Random seed"), 1, 0, 1000000, {},
            QStringLiteral("Seed of the 'random' workload; same seed, same run.")),
        ParamSpec::integer(kTraceCap, QStringLiteral("Trace records kept"), 5000, 0, 1000000,
            QStringLiteral("events"),
            QStringLiteral("The trace, Gantt bars and state changes kept (each); the "
                           "statistics always cover the whole run.")),
        ParamSpec::choice(kTable, QStringLiteral("Result table"), QStringLiteral("threads"),
            {QStringLiteral("threads"), QStringLiteral("trace")},
            QStringLiteral("What the result table (and CSV) holds: per-thread "
                           "statistics or the event trace.")),
    };
}

std::optional<SchedEngineConfig> SchedEngineConfig::fromParams(const ParamValues &v, QString *error)
{
    SchedEngineConfig c;
    SchedConfig &cfg = c.model;
    const QString model = v.value(kModel).toString();
    cfg.model = model == QLatin1String("n1") ? ThreadingModel::ManyToOne
        : model == QLatin1String("mn")       ? ThreadingModel::ManyToMany
                                             : ThreadingModel::OneToOne;
    const QString policy = v.value(kPolicy).toString();
    cfg.policy = policy == QLatin1String("fcfs") ? SchedPolicy::Fcfs
        : policy == QLatin1String("rr")          ? SchedPolicy::RoundRobin
        : policy == QLatin1String("priority")    ? SchedPolicy::Priority
                                                 : SchedPolicy::Cfs;
    cfg.cpus = v.value(kCpus).toInt();
    cfg.quantumNs = msNs(v.value(kQuantum).toDouble());
    cfg.trapNs = usNs(v.value(kTrap).toDouble());
    cfg.kernelSwitchNs = usNs(v.value(kKSwitch).toDouble());
    cfg.userSwitchNs = usNs(v.value(kUSwitch).toDouble());
    cfg.lwpsPerProcess = v.value(kLwps).toInt();
    cfg.destroyIdleLwps = v.value(kDestroy).toBool();
    cfg.latencyNs = msNs(v.value(kLatency).toDouble());
    cfg.minGranularityNs = msNs(v.value(kMinGran).toDouble());
    cfg.wakeupGranularityNs = msNs(v.value(kWakeGran).toDouble());
    cfg.maxTimeNs = msNs(v.value(kMax).toDouble());
    cfg.traceCap = v.value(kTraceCap).toInt();
    if (cfg.minGranularityNs > cfg.latencyNs) {
        if (error)
            *error = QStringLiteral("min_granularity_ms must not exceed latency_ms");
        return std::nullopt;
    }
    std::optional<Workload> w = loadWorkload(v.value(kWorkload).toString(), v.value(kThreads).toInt(),
        v.value(kNices).toString(), v.value(kSeed).toULongLong(), error);
    if (!w)
        return std::nullopt;
    c.workload = std::move(*w);
    c.traceTable = v.value(kTable).toString() == QLatin1String("trace");
    return c;
}

std::vector<OutputSpec> SchedEngine::outputs() const
{
    return {
        {QStringLiteral("sim_time_ms"), QStringLiteral("ms"),
            QStringLiteral("simulated time when the run ended")},
        {QStringLiteral("threads"), QString(), QStringLiteral("user threads in the workload")},
        {QStringLiteral("finished_threads"), QString(),
            QStringLiteral("user threads that finished within the time limit")},
        {QStringLiteral("all_finished"), QString(),
            QStringLiteral("whether every user thread finished (true/false)")},
        {QStringLiteral("makespan_ms"), QStringLiteral("ms"),
            QStringLiteral("when the last thread finished, or the end of the run if some did not")},
        {QStringLiteral("mean_turnaround_ms"), QStringLiteral("ms"),
            QStringLiteral("mean of finish minus start over the finished threads (null if none finished)")},
        {QStringLiteral("mean_waiting_ms"), QStringLiteral("ms"),
            QStringLiteral("mean time a thread was runnable but not on a CPU")},
        {QStringLiteral("mean_response_ms"), QStringLiteral("ms"),
            QStringLiteral("mean time from a thread's start to its first run (null if none ran)")},
        {QStringLiteral("cpu_utilisation"), QStringLiteral("fraction"),
            QStringLiteral("busy CPU time (work and overheads) over CPUs x simulated time")},
        {QStringLiteral("useful_utilisation"), QStringLiteral("fraction"),
            QStringLiteral("CPU time spent on the threads' own computation over CPUs x simulated time")},
        {QStringLiteral("overhead_ms"), QStringLiteral("ms"),
            QStringLiteral("CPU time spent on traps and thread switches (model costs)")},
        {QStringLiteral("kernel_switches"), QString(), QStringLiteral("times a CPU switched kernel threads")},
        {QStringLiteral("user_switches"), QString(),
            QStringLiteral("times a thread library switched user threads")},
        {QStringLiteral("traps"), QString(), QStringLiteral("traps into the kernel")},
        {QStringLiteral("events"), QString(),
            QStringLiteral("trace events the model produced (kept or not)")},
        {QStringLiteral("steps"), QString(),
            QStringLiteral("model steps (one event each, plus the dispatches it caused)")},
        {QStringLiteral("max_share_error"), QStringLiteral("fraction"),
            QStringLiteral("largest difference between a thread's CPU share and its weight share")},
        {QStringLiteral("vruntime_spread_ms"), QStringLiteral("ms"),
            QStringLiteral(
                "CFS only: largest minus smallest vruntime of the runnable kernel threads at the end")},
        {QStringLiteral("finish_ms_*"), QStringLiteral("ms"),
            QStringLiteral("per thread (finish_ms_<name>): when it finished, null if it did not")},
        {QStringLiteral("share_*"), QStringLiteral("fraction"),
            QStringLiteral("per thread (share_<name>): its part of all CPU time the threads received")},
        {QStringLiteral("weight_share_*"), QStringLiteral("fraction"),
            QStringLiteral("per thread (weight_share_<name>): its weight over the sum of the weights")},
    };
}

void SchedEngine::buildResult(const SchedModel &m, bool traceTable, Result *r)
{
    const auto threads = m.userThreads();
    const double nowMs = m.nowNs() / 1e6;
    const int cpus = m.cpuCount();
    double sumTurn = 0, sumWait = 0, sumResp = 0;
    int finished = 0, started = 0;
    std::int64_t makespan = 0;
    std::int64_t totalRun = 0;
    double totalWeight = 0;
    std::int64_t useful = 0;
    for (const auto &t : threads) {
        totalRun += t.cpuNs + t.overheadNs;
        useful += t.cpuNs;
        totalWeight += t.weight;
    }
    auto &s = r->summary;
    s.insert(QStringLiteral("sim_time_ms"), nowMs);
    double maxShareError = 0;
    for (const auto &t : threads) {
        const std::int64_t end = t.finishNs >= 0 ? t.finishNs : m.nowNs();
        const std::int64_t life = std::max<std::int64_t>(0, end - t.startNs);
        // Waiting = time runnable but not on a CPU: the lifetime minus running and blocked time.
        const std::int64_t wait = std::max<std::int64_t>(0, life - t.cpuNs - t.overheadNs - t.blockedNs);
        if (t.finishNs >= 0) {
            ++finished;
            sumTurn += life / 1e6;
            makespan = std::max(makespan, t.finishNs);
        }
        sumWait += wait / 1e6;
        if (t.firstRunNs >= 0) {
            ++started;
            sumResp += (t.firstRunNs - t.startNs) / 1e6;
        }
        const double share = totalRun > 0 ? double(t.cpuNs + t.overheadNs) / totalRun : 0;
        const double wshare = totalWeight > 0 ? t.weight / totalWeight : 0;
        maxShareError = std::max(maxShareError, std::abs(share - wshare));
        s.insert(QStringLiteral("finish_ms_%1").arg(t.name),
            t.finishNs >= 0 ? QJsonValue(t.finishNs / 1e6) : QJsonValue());
        s.insert(QStringLiteral("share_%1").arg(t.name), share);
        s.insert(QStringLiteral("weight_share_%1").arg(t.name), wshare);
    }
    const int n = static_cast<int>(threads.size());
    s.insert(QStringLiteral("threads"), n);
    s.insert(QStringLiteral("finished_threads"), finished);
    s.insert(QStringLiteral("all_finished"), finished == n);
    s.insert(QStringLiteral("makespan_ms"), finished == n ? makespan / 1e6 : nowMs);
    s.insert(QStringLiteral("mean_turnaround_ms"), finished ? sumTurn / finished : QJsonValue());
    s.insert(QStringLiteral("mean_waiting_ms"), n ? sumWait / n : 0.0);
    s.insert(QStringLiteral("mean_response_ms"), started ? sumResp / started : QJsonValue());
    const double capacity = cpus * double(m.nowNs());
    s.insert(QStringLiteral("cpu_utilisation"), capacity > 0 ? m.cpuBusyNs() / capacity : 0.0);
    s.insert(QStringLiteral("useful_utilisation"), capacity > 0 ? useful / capacity : 0.0);
    s.insert(QStringLiteral("overhead_ms"), (m.cpuBusyNs() - useful) / 1e6);
    s.insert(QStringLiteral("kernel_switches"), static_cast<double>(m.kernelSwitches()));
    s.insert(QStringLiteral("user_switches"), static_cast<double>(m.userSwitches()));
    s.insert(QStringLiteral("traps"), static_cast<double>(m.traps()));
    s.insert(QStringLiteral("events"), static_cast<double>(m.eventCount()));
    s.insert(QStringLiteral("steps"), static_cast<double>(m.stepCount()));
    s.insert(QStringLiteral("max_share_error"), maxShareError);
    if (m.config().policy == SchedPolicy::Cfs)
        s.insert(QStringLiteral("vruntime_spread_ms"), m.vruntimeSpreadNs() / 1e6);

    // Series: CPU share vs weight share, then cumulative CPU time per thread from the Gantt bars.
    Series share;
    share.id = QStringLiteral("cpu_share");
    share.name = QStringLiteral("CPU share (model)");
    share.xLabel = QStringLiteral("thread");
    share.yLabel = QStringLiteral("share of CPU time (%)");
    share.style = Series::Style::Bars;
    Series weight = share;
    weight.id = QStringLiteral("weight_share");
    weight.name = QStringLiteral("weight share (nice)");
    weight.style = Series::Style::Scatter;
    for (int i = 0; i < n; ++i) {
        const auto &t = threads[i];
        share.x.push_back(i);
        share.y.push_back(totalRun > 0 ? 100.0 * (t.cpuNs + t.overheadNs) / totalRun : 0);
        share.pointLabels << t.name;
        weight.x.push_back(i);
        weight.y.push_back(totalWeight > 0 ? 100.0 * t.weight / totalWeight : 0);
        weight.pointLabels << t.name;
    }
    r->series.push_back(share);
    r->series.push_back(weight);
    const auto &gantt = m.gantt();
    for (int i = 0; i < std::min(n, 8); ++i) {
        Series c;
        c.id = QStringLiteral("cpu_time_%1").arg(i);
        c.name = QStringLiteral("%1 CPU time").arg(threads[i].name);
        c.xLabel = QStringLiteral("simulated time (ms)");
        c.yLabel = QStringLiteral("CPU time received (ms)");
        c.style = Series::Style::Line;
        double acc = 0;
        c.x.push_back(0);
        c.y.push_back(0);
        for (const auto &g : gantt) {
            if (g.userThread != i)
                continue;
            c.x.push_back(g.startNs / 1e6);
            c.y.push_back(acc);
            acc += (g.endNs - g.startNs) / 1e6;
            c.x.push_back(g.endNs / 1e6);
            c.y.push_back(acc);
        }
        r->series.push_back(std::move(c));
    }

    if (traceTable) {
        r->table.columns = {QStringLiteral("time_ms"), QStringLiteral("event"), QStringLiteral("cpu"),
            QStringLiteral("kernel_thread"), QStringLiteral("user_thread"), QStringLiteral("process")};
        for (const auto &e : m.trace()) {
            const QString ut = e.userThread >= 0 ? threads[e.userThread].name : QString();
            const QString proc = e.userThread >= 0 ? m.processName(threads[e.userThread].process) : QString();
            r->table.rows.push_back(
                {e.timeNs / 1e6, schedEventName(e.kind), int(e.cpu), e.kernelThread, ut, proc});
        }
    } else {
        r->table.columns = {QStringLiteral("thread"), QStringLiteral("process"), QStringLiteral("nice"),
            QStringLiteral("weight"), QStringLiteral("start_ms"), QStringLiteral("first_run_ms"),
            QStringLiteral("finish_ms"), QStringLiteral("turnaround_ms"), QStringLiteral("cpu_ms"),
            QStringLiteral("overhead_ms"), QStringLiteral("blocked_ms"), QStringLiteral("waiting_ms"),
            QStringLiteral("cpu_share"), QStringLiteral("weight_share")};
        for (const auto &t : threads) {
            const std::int64_t end = t.finishNs >= 0 ? t.finishNs : m.nowNs();
            const std::int64_t life = std::max<std::int64_t>(0, end - t.startNs);
            const std::int64_t wait = std::max<std::int64_t>(0, life - t.cpuNs - t.overheadNs - t.blockedNs);
            r->table.rows.push_back({t.name, m.processName(t.process), t.nice, t.weight, t.startNs / 1e6,
                t.firstRunNs >= 0 ? QVariant(t.firstRunNs / 1e6) : QVariant(),
                t.finishNs >= 0 ? QVariant(t.finishNs / 1e6) : QVariant(),
                t.finishNs >= 0 ? QVariant(life / 1e6) : QVariant(), t.cpuNs / 1e6, t.overheadNs / 1e6,
                t.blockedNs / 1e6, wait / 1e6, totalRun > 0 ? double(t.cpuNs + t.overheadNs) / totalRun : 0.0,
                totalWeight > 0 ? t.weight / totalWeight : 0.0});
        }
    }
}

std::shared_ptr<SchedSnapshot> SchedEngine::snapshotOf(
    const SchedModel &model, const QStringList &processNames, bool full) const
{
    // Gantt bars and state changes are capped to the latest ones so that an animated run
    // stays cheap per frame.
    const SchedConfig &cfg = model.config();
    auto snap = std::make_shared<SchedSnapshot>();
    snap->model = cfg.model;
    snap->policy = cfg.policy;
    snap->cpus = cfg.cpus;
    snap->nowNs = model.nowNs();
    snap->maxTimeNs = cfg.maxTimeNs;
    snap->processNames = processNames;
    snap->threads = model.userThreads();
    snap->kernelThreads = model.kernelThreads();
    for (int c = 0; c < cfg.cpus; ++c)
        snap->cpuKernelThread.push_back(model.cpuKernelThread(c));
    snap->readyQueue = model.readyQueue();
    snap->cfsRoot = model.cfsRoot();
    snap->minVruntimeNs = model.minVruntimeNs();
    snap->periodNs = model.schedPeriodNs();
    snap->recent = model.recentEvents(24);
    snap->gantt = full ? model.gantt() : tail(model.gantt(), 3000);
    snap->timeline = full ? model.timeline() : tail(model.timeline(), 6000);
    snap->lastStep = model.lastStepText();
    snap->events = model.eventCount();
    snap->steps = model.stepCount();
    snap->kernelSwitches = model.kernelSwitches();
    snap->userSwitches = model.userSwitches();
    snap->traps = model.traps();
    snap->finished = model.finished();
    int done = 0;
    for (const auto &t : snap->threads)
        done += t.state == UserState::Done ? 1 : 0;
    snap->progress = std::max(double(model.nowNs()) / std::max<std::int64_t>(1, cfg.maxTimeNs),
        snap->threads.empty() ? 1.0 : double(done) / snap->threads.size());
    snap->progress = std::min(1.0, snap->progress);
    snap->status = snap->lastStep;
    snap->result = makeResult();
    return snap;
}

void SchedEngine::run()
{
    const SchedConfig &cfg = config().model;
    SchedModel model(config().workload, cfg);

    QStringList processNames;
    for (int p = 0; p < model.processCount(); ++p)
        processNames << model.processName(p);

    {
        auto first = snapshotOf(model, processNames, false);
        first->status = QStringLiteral("t = 0 ms: %1 threads in %2 processes, ready to start")
                            .arg(model.userThreads().size())
                            .arg(model.processCount());
        publish(first);
    }

    using Clock = std::chrono::steady_clock;
    auto lastPublish = Clock::now();
    std::uint64_t sinceCheck = 0;
    bool stopped = false;
    while (!model.finished()) {
        if (speed() > 0) {
            // Animated: one event per checkpoint, so a paused run steps event by event.
            if (!checkpoint()) {
                stopped = true;
                break;
            }
            const std::int64_t before = model.nowNs();
            if (!model.step())
                break;
            publish(snapshotOf(model, processNames, false));
            // Pace by the simulated gap: at speed 1 a 1 ms gap shows for 0.15 s, a long one for 0.5 s.
            const double gapMs = (model.nowNs() - before) / 1e6;
            if (!pace(0.1 + std::min(0.4, gapMs * 0.05))) {
                stopped = true;
                break;
            }
        } else {
            // Full speed: a checkpoint every 1024 events keeps stop and pause responsive.
            if (++sinceCheck >= 1024) {
                sinceCheck = 0;
                if (!checkpoint()) {
                    stopped = true;
                    break;
                }
                if (Clock::now() - lastPublish > std::chrono::milliseconds(100)) {
                    lastPublish = Clock::now();
                    auto progress = std::make_shared<SchedSnapshot>();
                    progress->nowNs = model.nowNs();
                    progress->progress
                        = std::min(1.0, double(model.nowNs()) / std::max<std::int64_t>(1, cfg.maxTimeNs));
                    progress->status
                        = QStringLiteral("running: t = %1 ms").arg(model.nowNs() / 1e6, 0, 'f', 1);
                    progress->result = makeResult();
                    publish(progress);
                }
            }
            if (!model.step())
                break;
        }
    }
    auto last = snapshotOf(model, processNames, true);
    buildResult(model, config().traceTable, &last->result);
    last->progress = stopped ? last->progress : 1.0;
    last->status = stopped
        ? QStringLiteral("stopped at t = %1 ms").arg(model.nowNs() / 1e6, 0, 'f', 3)
        : QStringLiteral("done: t = %1 ms, %2 events, %3 kernel and %4 user-level switches")
              .arg(model.nowNs() / 1e6, 0, 'f', 3)
              .arg(model.eventCount())
              .arg(model.kernelSwitches())
              .arg(model.userSwitches());
    publish(last);
}

} // namespace proclab
