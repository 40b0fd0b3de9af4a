#include "tlpengine.h"

#include "procsampler.h"
#include "spawnedcommand.h"

#include "common/clock.h"

#include <QJsonArray>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <memory>
#include <set>
#include <thread>

#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

namespace proclab {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxLanes = 48;
constexpr std::size_t kMaxTimePoints = 4000;

/// What run() measures, started: the app's own workload, a command, or an outside pid.
struct Target {
    std::unique_ptr<OwnWorkload> own;
    std::unique_ptr<SpawnedCommand> spawned;
    pid_t pid = 0;
    QString description;
    std::set<pid_t> exclude; ///< threads never measured
};

bool startTarget(const TlpConfig &cfg, Target *t, QString *error)
{
    switch (cfg.target) {
    case TlpConfig::Target::Command:
        t->spawned = std::make_unique<SpawnedCommand>();
        if (!t->spawned->start(cfg.command, error))
            return false;
        t->pid = t->spawned->pid();
        t->description = QStringLiteral("command \"%1\" (pid %2)").arg(cfg.command).arg(t->pid);
        return true;
    case TlpConfig::Target::Pid:
        t->pid = cfg.pid;
        t->description = QStringLiteral("pid %1").arg(t->pid);
        return true;
    case TlpConfig::Target::OwnWorkload:
        break;
    }
    t->own = std::make_unique<OwnWorkload>(cfg.workload, cfg.threads, cfg.seed);
    // The app's own threads (its window, other engines, this sampler) are
    // not the workload: only threads born from here on are measured.
    for (pid_t tid : ProcSampler::threadsOf(::getpid()))
        t->exclude.insert(tid);
    if (!t->own->start(error))
        return false;
    t->pid = ::getpid();
    t->description = QStringLiteral("own workload: %1, %2 thread%3")
                         .arg(ownWorkloadId(cfg.workload))
                         .arg(cfg.threads)
                         .arg(cfg.threads == 1 ? "" : "s");
    return true;
}

/// Copies the tracker's state into @p snap; @p final leaves TLP over time as it is.
void fillSnapshot(TlpSnapshot *snap, const TlpTracker &tracker, Clock::time_point t0, std::int64_t cpu0Ns,
    double seconds, bool final)
{
    const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    snap->elapsedS = elapsed;
    snap->achievedHz = elapsed > 0 ? tracker.samples() / elapsed : 0;
    snap->samplerCpuPercent = elapsed > 0 ? 100.0 * ((threadCpuNs() - cpu0Ns) / 1e9) / elapsed : 0;
    snap->overall = tracker.overall();
    snap->window = tracker.window();
    snap->threadsSeen = tracker.threadsSeen();
    if (snap->timeS.size() < kMaxTimePoints && !final) {
        snap->timeS.push_back(elapsed);
        snap->windowTlp.push_back(snap->window.defined ? snap->window.tlp : 0);
    }
    snap->lanes = tracker.lanes(kMaxLanes);
    snap->progress = std::min(1.0, elapsed / seconds);
    snap->status
        = QStringLiteral("%1: TLP %2 over the last %3 ms, %4 overall (measured; %5 cores)")
              .arg(snap->target)
              .arg(snap->window.defined ? QString::number(snap->window.tlp, 'f', 2) : QStringLiteral("-"))
              .arg(snap->windowMs)
              .arg(snap->overall.defined ? QString::number(snap->overall.tlp, 'f', 2) : QStringLiteral("-"))
              .arg(snap->cores);
}

} // namespace

int onlineCores()
{
    const long n = ::sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? static_cast<int>(n) : 1;
}

std::optional<TlpConfig> TlpConfig::fromParams(const ParamValues &v, QString *error)
{
    TlpConfig c;
    c.pid = static_cast<pid_t>(v.value(QStringLiteral("pid")).toLongLong());
    c.command = v.value(QStringLiteral("command")).toString().trimmed();
    c.target = !c.command.isEmpty() ? Target::Command : c.pid > 0 ? Target::Pid : Target::OwnWorkload;
    const QString workload = v.value(QStringLiteral("workload")).toString();
    const std::optional<OwnWorkloadKind> kind = ownWorkloadFromId(workload);
    if (!kind) {
        if (error)
            *error = QStringLiteral("workload: unknown workload '%1' (cpu, mixed, webclient, idle)")
                         .arg(workload);
        return std::nullopt;
    }
    c.workload = *kind;
    c.threads = v.value(QStringLiteral("threads")).toInt();
    c.seconds = v.value(QStringLiteral("seconds")).toDouble();
    c.rateHz = static_cast<double>(v.value(QStringLiteral("rate_hz")).toLongLong());
    c.windowMs = static_cast<double>(v.value(QStringLiteral("window_ms")).toLongLong());
    c.children = v.value(QStringLiteral("children")).toBool();
    c.seed = static_cast<std::uint64_t>(v.value(QStringLiteral("seed")).toLongLong());
    return c;
}

TlpEngine::TlpEngine()
    : ConfiguredEngine(EngineInfo {QString(kId), QStringLiteral("Thread-level parallelism of a real program"),
        Provenance::Measured,
        QStringLiteral("Samples the state of every thread of a process from /proc at up to "
                       "kHz rates and computes c_i and TLP = sum(i c_i) / (1 - c_0)."),
        {QStringLiteral("T12")}, {QString(kLiveView)}})
{
}

ParamSchema TlpEngine::schema() const
{
    return ParamSchema {
        ParamSpec::integer(QStringLiteral("pid"), QStringLiteral("Process id"), 0, 0, 4194304, {},
            QStringLiteral("A running process to measure; 0 measures the app's own workload.")),
        ParamSpec::text(QStringLiteral("command"), QStringLiteral("Command line"), QString(),
            QStringLiteral("A program to start and measure (for example \"make -j2\"); it is "
                           "killed at the end. Takes precedence over pid."))
            .withEffect(ParamSpec::Effect::RunsCommand),
        ParamSpec::choice(QStringLiteral("workload"), QStringLiteral("Own workload"), QStringLiteral("cpu"),
            {QStringLiteral("cpu"), QStringLiteral("mixed"), QStringLiteral("webclient"),
                QStringLiteral("idle")},
            QStringLiteral("With pid 0 and no command: cpu (threads that always compute), "
                           "mixed (bursts of computing and sleeping), webclient (threads doing "
                           "blocking fetches from a local server with 20 ms latency), idle "
                           "(threads that only wait).")),
        ParamSpec::integer(QStringLiteral("threads"), QStringLiteral("Workload threads"), 2, 1, 16,
            QStringLiteral("threads"), QStringLiteral("Threads of the app's own workload.")),
        ParamSpec::real(QStringLiteral("seconds"), QStringLiteral("Duration"), 5, 0.2, 120,
            QStringLiteral("s"), QStringLiteral("How long to sample.")),
        ParamSpec::integer(QStringLiteral("rate_hz"), QStringLiteral("Sampling rate"), 1000, 10, 5000,
            QStringLiteral("Hz"), QStringLiteral("Samples per second (the achieved rate is reported).")),
        ParamSpec::integer(QStringLiteral("window_ms"), QStringLiteral("Sliding window"), 1000, 50, 10000,
            QStringLiteral("ms"), QStringLiteral("The live c_i and TLP cover this much recent time.")),
        ParamSpec::boolean(QStringLiteral("children"), QStringLiteral("Include child processes"), true,
            QStringLiteral("Also count the threads of the process's descendants (make starts "
                           "compilers as child processes).")),
        ParamSpec::integer(QStringLiteral("seed"), QStringLiteral("Random seed"), 1, 0, 1000000, {},
            QStringLiteral("Seeds the burst lengths of the mixed workload.")),
    };
}

std::vector<OutputSpec> TlpEngine::outputs() const
{
    return {
        {QStringLiteral("tlp"), QStringLiteral("threads"),
            QStringLiteral("TLP = sum(i c_i) / (1 - c_0) over the whole run (0 when undefined)")},
        {QStringLiteral("tlp_defined"), QString(),
            QStringLiteral("whether TLP is defined: some thread executed in some sample (true/false)")},
        {QStringLiteral("busy_fraction"), QStringLiteral("fraction"),
            QStringLiteral("1 - c_0: share of samples in which at least one thread executed")},
        {QStringLiteral("max_concurrent"), QStringLiteral("threads"),
            QStringLiteral("most threads seen executing in one sample")},
        {QStringLiteral("cores"), QStringLiteral("cores"),
            QStringLiteral("online CPUs of this machine: the ceiling of TLP")},
        {QStringLiteral("samples"), QString(), QStringLiteral("samples taken")},
        {QStringLiteral("seconds_measured"), QStringLiteral("s"),
            QStringLiteral("wall time the sampling lasted")},
        {QStringLiteral("rate_hz"), QStringLiteral("Hz"), QStringLiteral("sampling rate asked for")},
        {QStringLiteral("achieved_rate_hz"), QStringLiteral("Hz"),
            QStringLiteral("samples taken per second of wall time")},
        {QStringLiteral("sampler_cpu_percent"), QStringLiteral("%"),
            QStringLiteral("CPU time of the sampling thread over wall time")},
        {QStringLiteral("threads_seen"), QStringLiteral("threads"),
            QStringLiteral("distinct threads measured over the run")},
        {QStringLiteral("target"), QString(), QStringLiteral("what was measured, in words (text)")},
        {QStringLiteral("target_pid"), QString(), QStringLiteral("pid of the measured process")},
        {QStringLiteral("command_exit"), QString(),
            QStringLiteral("started command only: how it ended, in words (text)")},
        {QStringLiteral("command_exit_code"), QString(),
            QStringLiteral("started command only: its exit status, -1 if it did not exit by itself")},
        {QStringLiteral("ended_early"), QString(),
            QStringLiteral("present (true) when the measured process ended before the time was up")},
        {QStringLiteral("c"), QStringLiteral("fraction"),
            QStringLiteral("c_i for i = 0, 1, ... as one array")},
        {QStringLiteral("c_*"), QStringLiteral("fraction"),
            QStringLiteral("c_<i>: fraction of samples in which exactly i threads executed")},
        {QStringLiteral("samples_*"), QString(),
            QStringLiteral("samples_<i>: samples in which exactly i threads executed")},
        {QStringLiteral("states_measured"), QString(),
            QStringLiteral("true when every interval was classified from the kernel's per-thread CPU-time "
                           "counters (schedstat); false when some were inferred from /proc states")},
        {QStringLiteral("inferred_samples"), QString(),
            QStringLiteral("samples classified from /proc states alone, without counters")},
        {QStringLiteral("busiest_thread_executing_fraction"), QStringLiteral("fraction"),
            QStringLiteral("the largest executing fraction of any thread (see the table)")},
        {QStringLiteral("least_busy_thread_executing_fraction"), QStringLiteral("fraction"),
            QStringLiteral("the smallest executing fraction of any thread (see the table)")},
    };
}

Series TlpEngine::histogramSeries(const TlpStats &stats)
{
    Series hist;
    hist.id = QStringLiteral("c_i");
    hist.name = QStringLiteral("c_i (measured)");
    hist.xLabel = QStringLiteral("threads executing at once (i)");
    hist.yLabel = QStringLiteral("fraction of time c_i");
    hist.style = Series::Style::Bars;
    for (std::size_t i = 0; i < stats.c.size(); ++i) {
        hist.x.push_back(static_cast<double>(i));
        hist.y.push_back(stats.c[i]);
    }
    return hist;
}

Series TlpEngine::overTimeSeries(const TlpSnapshot &snapshot)
{
    Series overTime;
    overTime.id = QStringLiteral("tlp_window");
    overTime.name = QStringLiteral("TLP over the window (measured)");
    overTime.xLabel = QStringLiteral("time (s)");
    overTime.yLabel = QStringLiteral("TLP");
    overTime.style = Series::Style::Line;
    overTime.x = snapshot.timeS;
    overTime.y = snapshot.windowTlp;
    return overTime;
}

QString TlpEngine::commandNotFound() const
{
    return QStringLiteral("the command could not be run (the shell says: command not found): %1")
        .arg(config().command);
}

void TlpEngine::run()
{
    const TlpConfig &cfg = config();
    const int cores = onlineCores();

    auto snap = std::make_shared<TlpSnapshot>();
    snap->cores = cores;
    snap->rateHz = cfg.rateHz;
    snap->windowMs = cfg.windowMs;
    auto fail = [&](const QString &error) {
        snap->result = makeResult();
        snap->result.error = error;
        snap->status = error;
        publish(std::make_shared<TlpSnapshot>(*snap));
    };

    // What to measure.
    Target target;
    QString error;
    if (!startTarget(cfg, &target, &error)) {
        fail(error);
        return;
    }
    snap->target = target.description;
    SpawnedCommand *spawned = target.spawned.get();
    OwnWorkload *own = target.own.get();

    // The sampler is this engine thread; it is excluded from what it measures.
    target.exclude.insert(static_cast<pid_t>(::gettid()));
    ProcSampler sampler(target.pid, cfg.children && own == nullptr, target.exclude);
    if (!sampler.open(&error)) {
        if (own)
            own->stop();
        if (spawned) {
            // It ended before the first sample: reap it and say how it ended.
            if (!spawned->exited())
                spawned->killAndReap();
            while (!spawned->ended())
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            // A started command that could not run (exit 127 from the shell) says so.
            error = spawned->exitCode() == 127
                ? commandNotFound()
                : QStringLiteral("the command ended before the first sample (%1): %2")
                      .arg(spawned->exitText(), cfg.command);
        }
        fail(error);
        return;
    }
    if (cfg.target == TlpConfig::Target::Pid)
        snap->target = QStringLiteral("pid %1 (%2)").arg(target.pid).arg(sampler.rootName());

    // Tight wake-ups: the default 50 us timer slack would blur a 1 ms period.
    const int oldSlack = ::prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
    ::prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);

    const auto periodNs = static_cast<long long>(1e9 / cfg.rateHz);
    const std::size_t windowSamples
        = std::max<std::size_t>(1, static_cast<std::size_t>(cfg.windowMs / 1000.0 * cfg.rateHz));
    TlpTracker tracker(cores, windowSamples, std::min<std::size_t>(windowSamples, 1000));
    std::vector<TaskSample> tasks; // reused: the loop runs 1000 times a second
    bool rootGone = false;

    const auto t0 = Clock::now();
    const std::int64_t cpu0Ns = threadCpuNs();
    timespec next {};
    clock_gettime(CLOCK_MONOTONIC, &next);
    auto lastPublish = t0;
    auto lastProcScan = t0;
    std::int64_t lastSampleAtNs = 0;
    while (true) {
        if (!checkpoint())
            break;
        const auto now = Clock::now();
        if (std::chrono::duration<double>(now - t0).count() >= cfg.seconds)
            break;
        // Thread lists every 16 samples; descendants (a scan of every process) every 500 ms.
        if (tracker.samples() % 16 == 0)
            sampler.refreshTasks();
        if (now - lastProcScan >= std::chrono::milliseconds(500)) {
            sampler.refreshProcesses();
            lastProcScan = now;
        }
        const std::int64_t sampleAtNs = monotonicNs();
        const bool any = sampler.sample(&tasks);
        bool rootSeen = false;
        for (const auto &t : tasks)
            rootSeen = rootSeen || t.pid == target.pid;
        if (!any || (!rootSeen && !own) || (spawned && spawned->exited())) {
            rootGone = true;
            break;
        }
        tracker.addSample(
            tasks, lastSampleAtNs > 0 ? static_cast<std::uint64_t>(sampleAtNs - lastSampleAtNs) : 0);
        lastSampleAtNs = sampleAtNs;

        if (now - lastPublish >= std::chrono::milliseconds(50)) {
            fillSnapshot(snap.get(), tracker, t0, cpu0Ns, cfg.seconds, false);
            publish(std::make_shared<TlpSnapshot>(*snap));
            lastPublish = now;
        }
        // Absolute deadlines keep the average rate; after a long stall, skip ahead.
        next.tv_nsec += periodNs;
        while (next.tv_nsec >= 1000000000L) {
            next.tv_nsec -= 1000000000L;
            ++next.tv_sec;
        }
        timespec nowTs {};
        clock_gettime(CLOCK_MONOTONIC, &nowTs);
        const long long lagNs = (nowTs.tv_sec - next.tv_sec) * 1000000000LL + (nowTs.tv_nsec - next.tv_nsec);
        if (lagNs > 10 * periodNs)
            next = nowTs;
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr) == EINTR) { }
    }
    ::prctl(PR_SET_TIMERSLACK, static_cast<unsigned long>(oldSlack > 0 ? oldSlack : 50000), 0, 0, 0);
    fillSnapshot(snap.get(), tracker, t0, cpu0Ns, cfg.seconds, true);

    // End the target: our own workload is joined; a started command is killed and reaped.
    TlpTargetEnd end;
    end.pid = target.pid;
    end.endedEarly = rootGone && !own;
    if (own)
        own->stop();
    if (spawned) {
        spawned->ended();
        spawned->killAndReap();
        end.command = true;
        end.commandExit = spawned->exitText();
        end.commandExitCode = spawned->exitCode();
    }

    snap->result = buildResult(*snap, tracker, end);
    snap->progress = 1;
    if (!snap->result.error.isEmpty())
        snap->status = snap->result.error;
    else if (rootGone)
        snap->status += QStringLiteral("; the process ended after %1 s").arg(snap->elapsedS, 0, 'f', 2);
    publish(std::make_shared<TlpSnapshot>(*snap));
}

Result TlpEngine::buildResult(
    const TlpSnapshot &snap, const TlpTracker &tracker, const TlpTargetEnd &end) const
{
    const std::int64_t samples = tracker.samples();
    Result result = makeResult();
    const TlpStats &o = snap.overall;
    result.summary.insert(QStringLiteral("tlp"), o.tlp);
    result.summary.insert(QStringLiteral("tlp_defined"), o.defined);
    result.summary.insert(QStringLiteral("busy_fraction"), o.busyFraction);
    result.summary.insert(QStringLiteral("max_concurrent"), o.maxConcurrent);
    result.summary.insert(QStringLiteral("cores"), snap.cores);
    result.summary.insert(QStringLiteral("samples"), static_cast<double>(samples));
    result.summary.insert(QStringLiteral("seconds_measured"), snap.elapsedS);
    result.summary.insert(QStringLiteral("rate_hz"), snap.rateHz);
    result.summary.insert(QStringLiteral("achieved_rate_hz"), snap.achievedHz);
    result.summary.insert(QStringLiteral("sampler_cpu_percent"), snap.samplerCpuPercent);
    result.summary.insert(QStringLiteral("threads_seen"), snap.threadsSeen);
    result.summary.insert(QStringLiteral("target"), snap.target);
    result.summary.insert(QStringLiteral("target_pid"), static_cast<int>(end.pid));
    if (end.command) {
        result.summary.insert(QStringLiteral("command_exit"), end.commandExit);
        result.summary.insert(QStringLiteral("command_exit_code"), end.commandExitCode);
    }
    if (end.endedEarly)
        result.summary.insert(QStringLiteral("ended_early"), true);
    QJsonArray cArray;
    for (std::size_t i = 0; i < o.c.size(); ++i) {
        cArray.append(o.c[i]);
        result.summary.insert(QStringLiteral("c_%1").arg(i), o.c[i]);
    }
    result.summary.insert(QStringLiteral("c"), cArray);

    result.series = {histogramSeries(o), overTimeSeries(snap)};
    for (std::size_t i = 0; i < o.counts.size(); ++i)
        result.summary.insert(QStringLiteral("samples_%1").arg(i), static_cast<double>(o.counts[i]));
    // Executing / runnable / blocked per thread, from the kernel's CPU-time counters.
    result.summary.insert(QStringLiteral("states_measured"), tracker.countersUsed());
    result.summary.insert(QStringLiteral("inferred_samples"), static_cast<double>(tracker.inferredSamples()));
    const std::vector<ThreadTimeShare> shares = tracker.timeShares();
    result.table.columns = {QStringLiteral("thread"), QStringLiteral("tid"), QStringLiteral("pid"),
        QStringLiteral("observed_s"), QStringLiteral("executing_fraction"),
        QStringLiteral("runnable_fraction"), QStringLiteral("blocked_fraction")};
    for (const auto &s : shares)
        result.table.rows.push_back({s.name, static_cast<int>(s.tid), static_cast<int>(s.pid), s.observedS,
            s.executingFraction, s.runnableFraction, s.blockedFraction});
    if (!shares.empty()) {
        result.summary.insert(
            QStringLiteral("busiest_thread_executing_fraction"), shares.front().executingFraction);
        result.summary.insert(
            QStringLiteral("least_busy_thread_executing_fraction"), shares.back().executingFraction);
    }

    if (end.command && end.commandExitCode == 127)
        result.error = commandNotFound();
    else if (samples == 0 && !stopRequested())
        result.error = QStringLiteral("%1 ended before the first sample").arg(snap.target);
    return result;
}

} // namespace proclab
