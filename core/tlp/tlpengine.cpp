#include "tlpengine.h"

#include "procsampler.h"
#include "net/httpclient.h"
#include "net/latencyserver.h"

#include <QJsonArray>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

namespace proclab {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kMaxLanes = 48;
constexpr std::size_t kMaxTimePoints = 4000;

double threadCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9;
}

/**
 * The app's own workloads, on threads this object owns; stop() joins them.
 */
class OwnWorkload {
public:
    OwnWorkload(QString kind, int threads, std::uint64_t seed)
        : m_kind(std::move(kind))
        , m_threads(threads)
        , m_seed(seed)
    {
    }
    ~OwnWorkload() { stop(); }

    bool start(QString *error)
    {
        if (m_kind == QLatin1String("webclient")) {
            LatencyServerConfig cfg;
            cfg.name = QStringLiteral("tlp-web");
            cfg.resources = 32;
            cfg.resourceBytes = 64 * 1024;
            cfg.latencyMs = 20;
            m_server = std::make_unique<LatencyServer>(cfg);
            if (!m_server->start(error))
                return false;
        }
        for (int t = 0; t < m_threads; ++t)
            m_workers.emplace_back([this, t] { body(t); });
        return true;
    }

    void stop()
    {
        requestStop();
        for (auto &w : m_workers)
            w.join();
        m_workers.clear();
        if (m_server)
            m_server->stop();
    }

private:
    void spin(Clock::duration d)
    {
        const auto until = Clock::now() + d;
        volatile double x = 1.0;
        while (Clock::now() < until && !m_stopFlag.load(std::memory_order_relaxed)) {
            for (int i = 0; i < 2000; ++i)
                x = x * 1.0000001 + 1e-9;
        }
    }

    // Waits up to @p d or until stop; true if stop was requested.
    bool idle(Clock::duration d)
    {
        std::unique_lock lock(m_mutex);
        return m_wake.wait_for(lock, d, [this] { return m_stop; });
    }

    void body(int index)
    {
        std::mt19937_64 rng(m_seed * 1000003ULL + static_cast<std::uint64_t>(index));
        if (m_kind == QLatin1String("cpu")) {
            while (!m_stopFlag.load(std::memory_order_relaxed))
                spin(std::chrono::milliseconds(50));
        } else if (m_kind == QLatin1String("mixed")) {
            // Bursts of computing and sleeping, 1 to 20 ms each: about half busy.
            std::uniform_int_distribution<int> ms(1, 20);
            while (!m_stopFlag.load(std::memory_order_relaxed)) {
                spin(std::chrono::milliseconds(ms(rng)));
                if (idle(std::chrono::milliseconds(ms(rng))))
                    break;
            }
        } else if (m_kind == QLatin1String("webclient")) {
            // Blocking fetches of random resources: mostly waiting for latency.
            std::uniform_int_distribution<int> res(0, 31);
            std::atomic<bool> *cancel = &m_stopFlag;
            while (!cancel->load()) {
                const std::string path = "/r/" + std::to_string(res(rng));
                const HttpResponse r = httpGet(m_server->port(), path, 5000, Clock::now(), nullptr, cancel);
                if (!r.error.isEmpty() && idle(std::chrono::milliseconds(10)))
                    break;
            }
        } else { // idle: threads that exist but never run
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stop; });
        }
    }

public:
    void requestStop()
    {
        m_stopFlag = true;
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_all();
    }

private:
    QString m_kind;
    int m_threads;
    std::uint64_t m_seed;
    std::unique_ptr<LatencyServer> m_server;
    std::vector<std::thread> m_workers;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stop = false;
    std::atomic<bool> m_stopFlag{false};
};

/**
 * A command line started with posix_spawn in its own process group; the
 * destructor kills the group and reaps the child.
 */
class SpawnedCommand {
public:
    ~SpawnedCommand() { killAndReap(); }

    bool start(const QString &command, QString *error)
    {
        // "exec" lets the shell replace itself, so the pid measured is the
        // program's own when the command is a plain program with arguments.
        static const QString meta = QStringLiteral(";&|<>`$()\n*?{}");
        bool plain = true;
        for (QChar ch : command)
            plain = plain && !meta.contains(ch);
        const QByteArray line = (plain ? QStringLiteral("exec ") + command : command).toLocal8Bit();
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
        posix_spawnattr_t attr;
        posix_spawnattr_init(&attr);
        sigset_t none, all;
        sigemptyset(&none);
        sigfillset(&all);
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawnattr_setsigdefault(&attr, &all);
        posix_spawnattr_setpgroup(&attr, 0);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
        char sh[] = "/bin/sh";
        char dashC[] = "-c";
        char *argv[] = {sh, dashC, const_cast<char *>(line.constData()), nullptr};
        const int rc = posix_spawn(&m_pid, sh, &actions, &attr, argv, environ);
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
        if (rc != 0) {
            m_pid = -1;
            if (error)
                *error = QStringLiteral("cannot start \"%1\": %2").arg(command, QString::fromLocal8Bit(std::strerror(rc)));
            return false;
        }
        return true;
    }

    pid_t pid() const { return m_pid; }

    /// True once the child ended (and was reaped); the status is then in exitStatus().
    bool ended()
    {
        if (m_pid <= 0)
            return true;
        if (m_reaped)
            return true;
        int status = 0;
        const pid_t r = ::waitpid(m_pid, &status, WNOHANG);
        if (r == m_pid) {
            m_reaped = true;
            m_status = status;
        }
        return m_reaped;
    }

    /// Peeks without reaping: true if the child has exited (a zombie) or is gone.
    bool exited() const
    {
        if (m_pid <= 0 || m_reaped)
            return true;
        siginfo_t info{};
        if (::waitid(P_PID, static_cast<id_t>(m_pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0)
            return true;
        return info.si_pid == m_pid;
    }

    void killAndReap()
    {
        if (m_pid <= 0)
            return;
        // The whole group: make -j2 and its compilers go too.
        ::kill(-m_pid, SIGKILL);
        if (!m_reaped) {
            int status = 0;
            while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
            }
            m_reaped = true;
            m_status = status;
            m_killed = true;
        }
    }

    bool killed() const { return m_killed; }
    QString exitText() const
    {
        if (!m_reaped)
            return QStringLiteral("still running");
        if (m_killed)
            return QStringLiteral("killed at the end of the measurement");
        if (WIFEXITED(m_status))
            return QStringLiteral("exited with status %1").arg(WEXITSTATUS(m_status));
        if (WIFSIGNALED(m_status))
            return QStringLiteral("ended by signal %1").arg(WTERMSIG(m_status));
        return QStringLiteral("ended");
    }
    int exitCode() const { return m_reaped && !m_killed && WIFEXITED(m_status) ? WEXITSTATUS(m_status) : -1; }

private:
    pid_t m_pid = -1;
    bool m_reaped = false;
    bool m_killed = false;
    int m_status = 0;
};

struct LaneState {
    pid_t pid = 0;
    QString name;
    std::deque<ThreadActivity> states;
    double score = 0;          ///< recent share of samples in state R: busy threads are ranked first
    std::int64_t running = 0;  ///< samples classified Running
    std::int64_t lastPresent = 0; ///< the last sample it was alive in
    std::int64_t firstSample = 0;
};

} // namespace

int onlineCores()
{
    const long n = ::sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? static_cast<int>(n) : 1;
}

TlpEngine::TlpEngine()
    : Engine(EngineInfo{QString(kId), QStringLiteral("Thread-level parallelism of a real program"),
                        Provenance::Measured,
                        QStringLiteral("Samples the state of every thread of a process from /proc at up to "
                                       "kHz rates and computes c_i and TLP = sum(i c_i) / (1 - c_0)."),
                        {QStringLiteral("T12")},
          {QString(kLiveView)}})
{
}


ParamSchema TlpEngine::schema() const
{
    return ParamSchema{
        ParamSpec::integer(QStringLiteral("pid"), QStringLiteral("Process id"), 0, 0, 4194304, {},
                           QStringLiteral("A running process to measure; 0 measures the app's own workload.")),
        ParamSpec::text(QStringLiteral("command"), QStringLiteral("Command line"), QString(),
                        QStringLiteral("A program to start and measure (for example \"make -j2\"); it is "
                                       "killed at the end. Takes precedence over pid.")),
        ParamSpec::choice(QStringLiteral("workload"), QStringLiteral("Own workload"), QStringLiteral("cpu"),
                          {QStringLiteral("cpu"), QStringLiteral("mixed"), QStringLiteral("webclient"),
                           QStringLiteral("idle")},
                          QStringLiteral("With pid 0 and no command: cpu (threads that always compute), "
                                         "mixed (bursts of computing and sleeping), webclient (threads doing "
                                         "blocking fetches from a local server with 20 ms latency), idle "
                                         "(threads that only wait).")),
        ParamSpec::integer(QStringLiteral("threads"), QStringLiteral("Workload threads"), 2, 1, 16,
                           QStringLiteral("threads"), QStringLiteral("Threads of the app's own workload.")),
        ParamSpec::real(QStringLiteral("seconds"), QStringLiteral("Duration"), 5, 0.2, 120, QStringLiteral("s"),
                        QStringLiteral("How long to sample.")),
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

void TlpEngine::run()
{
    const pid_t pidParam = static_cast<pid_t>(intParam(QStringLiteral("pid")));
    const QString command = textParam(QStringLiteral("command")).trimmed();
    const QString workload = textParam(QStringLiteral("workload"));
    const int workloadThreads = static_cast<int>(intParam(QStringLiteral("threads")));
    const double seconds = realParam(QStringLiteral("seconds"));
    const double rateHz = static_cast<double>(intParam(QStringLiteral("rate_hz")));
    const double windowMs = static_cast<double>(intParam(QStringLiteral("window_ms")));
    const bool children = boolParam(QStringLiteral("children"));
    const int cores = onlineCores();

    auto snap = std::make_shared<TlpSnapshot>();
    snap->cores = cores;
    snap->rateHz = rateHz;
    snap->windowMs = windowMs;
    Result result = makeResult();
    auto fail = [&](const QString &error) {
        result.error = error;
        snap->result = result;
        snap->status = error;
        publish(std::make_shared<TlpSnapshot>(*snap));
    };

    // What to measure.
    std::unique_ptr<OwnWorkload> own;
    std::unique_ptr<SpawnedCommand> spawned;
    std::set<pid_t> appThreads;
    pid_t target = 0;
    QString error;
    if (!command.isEmpty()) {
        spawned = std::make_unique<SpawnedCommand>();
        if (!spawned->start(command, &error)) {
            fail(error);
            return;
        }
        target = spawned->pid();
        snap->target = QStringLiteral("command \"%1\" (pid %2)").arg(command).arg(target);
    } else if (pidParam > 0) {
        target = pidParam;
        snap->target = QStringLiteral("pid %1").arg(target);
    } else {
        own = std::make_unique<OwnWorkload>(workload, workloadThreads,
                                            static_cast<std::uint64_t>(intParam(QStringLiteral("seed"))));
        // The app's own threads (its window, other engines, this sampler) are
        // not the workload: only threads born from here on are measured.
        for (pid_t tid : ProcSampler::threadsOf(::getpid()))
            appThreads.insert(tid);
        if (!own->start(&error)) {
            fail(error);
            return;
        }
        target = ::getpid();
        snap->target = QStringLiteral("own workload: %1, %2 thread%3").arg(workload).arg(workloadThreads).arg(workloadThreads == 1 ? "" : "s");
    }

    // The sampler is this engine thread; it is excluded from what it measures.
    appThreads.insert(static_cast<pid_t>(::gettid()));
    ProcSampler sampler(target, children && own == nullptr, appThreads);
    // A started command that could not run (exit 127 from the shell) says so, whenever it ended.
    auto notFound = [&] {
        return QStringLiteral("the command could not be run (the shell says: command not found): %1").arg(command);
    };
    if (!sampler.open(&error)) {
        if (own)
            own->stop();
        if (spawned) {
            // It ended before the first sample: reap it and say how it ended.
            if (!spawned->exited())
                spawned->killAndReap();
            while (!spawned->ended())
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            error = spawned->exitCode() == 127 ? notFound()
                                               : QStringLiteral("the command ended before the first sample (%1): %2")
                                                     .arg(spawned->exitText(), command);
        }
        fail(error);
        return;
    }
    if (pidParam > 0 && command.isEmpty())
        snap->target = QStringLiteral("pid %1 (%2)").arg(target).arg(sampler.rootName());

    // Tight wake-ups: the default 50 us timer slack would blur a 1 ms period.
    const int oldSlack = ::prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
    ::prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);

    const auto periodNs = static_cast<long long>(1e9 / rateHz);
    const std::size_t windowSamples = std::max<std::size_t>(1, static_cast<std::size_t>(windowMs / 1000.0 * rateHz));
    const std::size_t laneLength = std::min<std::size_t>(windowSamples, 1000);
    std::vector<std::int64_t> overallCounts(1, 0), windowCounts(1, 0);
    std::deque<int> windowTrace;
    std::map<pid_t, LaneState> lanes;
    std::set<pid_t> seen;
    std::vector<TaskSample> tasks;
    std::vector<char> states;  // per-sample buffers, reused: the loop runs 1000 times a second
    std::vector<int> order;
    std::int64_t samples = 0;
    bool rootGone = false;

    const auto t0 = Clock::now();
    const double cpu0 = threadCpuSeconds();
    timespec next{};
    clock_gettime(CLOCK_MONOTONIC, &next);
    auto lastPublish = t0;
    auto lastProcScan = t0;
    auto bump = [](std::vector<std::int64_t> &counts, int i, int delta) {
        if (static_cast<std::size_t>(i) >= counts.size())
            counts.resize(static_cast<std::size_t>(i) + 1, 0);
        counts[static_cast<std::size_t>(i)] += delta;
    };

    auto makeSnapshot = [&](bool final) {
        const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
        snap->elapsedS = elapsed;
        snap->achievedHz = elapsed > 0 ? samples / elapsed : 0;
        snap->samplerCpuPercent = elapsed > 0 ? 100.0 * (threadCpuSeconds() - cpu0) / elapsed : 0;
        snap->overall = tlpFromCounts(overallCounts);
        snap->window = tlpFromCounts(windowCounts);
        snap->threadsSeen = static_cast<int>(seen.size());
        if (snap->timeS.size() < kMaxTimePoints && !final) {
            snap->timeS.push_back(elapsed);
            snap->windowTlp.push_back(snap->window.defined ? snap->window.tlp : 0);
        }
        // Lanes: the threads that were running most, first; at most kMaxLanes.
        std::vector<const std::pair<const pid_t, LaneState> *> busiest;
        for (const auto &entry : lanes)
            busiest.push_back(&entry);
        std::stable_sort(busiest.begin(), busiest.end(), [](auto *a, auto *b) {
            return a->second.running > b->second.running;
        });
        snap->lanes.clear();
        for (std::size_t i = 0; i < busiest.size() && i < kMaxLanes; ++i) {
            const auto &[tid, lane] = *busiest[i];
            TlpLane l;
            l.pid = lane.pid;
            l.tid = tid;
            l.name = lane.name;
            l.states.assign(lane.states.begin(), lane.states.end());
            l.runningFraction = samples - lane.firstSample > 0
                ? double(lane.running) / double(samples - lane.firstSample) : 0;
            snap->lanes.push_back(std::move(l));
        }
        snap->progress = std::min(1.0, elapsed / seconds);
        snap->status = QStringLiteral("%1: TLP %2 over the last %3 ms, %4 overall (measured; %5 cores)")
                           .arg(snap->target)
                           .arg(snap->window.defined ? QString::number(snap->window.tlp, 'f', 2) : QStringLiteral("-"))
                           .arg(windowMs)
                           .arg(snap->overall.defined ? QString::number(snap->overall.tlp, 'f', 2) : QStringLiteral("-"))
                           .arg(cores);
    };

    while (true) {
        if (!checkpoint())
            break;
        const auto now = Clock::now();
        if (std::chrono::duration<double>(now - t0).count() >= seconds)
            break;
        // Thread lists every 16 samples; descendants (a scan of every process) every 500 ms.
        if (samples % 16 == 0)
            sampler.refreshTasks();
        if (now - lastProcScan >= std::chrono::milliseconds(500)) {
            sampler.refreshProcesses();
            lastProcScan = now;
        }
        const bool any = sampler.sample(&tasks);
        bool rootSeen = false;
        for (const auto &t : tasks)
            rootSeen = rootSeen || t.pid == target;
        if (!any || (!rootSeen && !own) || (spawned && spawned->exited())) {
            rootGone = true;
            break;
        }
        // Rank R threads by how busy they have been, so the persistently busy ones
        // take the cores when there are more R threads than cores.
        states.clear();
        order.clear();
        int readyCount = 0;
        for (std::size_t i = 0; i < tasks.size(); ++i) {
            states.push_back(tasks[i].state);
            order.push_back(static_cast<int>(i));
            readyCount += tasks[i].state == 'R' ? 1 : 0;
        }
        // The ranking matters only when more threads are ready than there are cores.
        if (readyCount > cores)
            std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
                const auto ia = lanes.find(tasks[a].tid);
                const auto ib = lanes.find(tasks[b].tid);
                const double sa = ia == lanes.end() ? 0 : ia->second.score;
                const double sb = ib == lanes.end() ? 0 : ib->second.score;
                return sa > sb;
            });
        const std::vector<ThreadActivity> act = classifySample(states, order, cores);
        const int running = countRunning(act);
        bump(overallCounts, running, 1);
        bump(windowCounts, running, 1);
        windowTrace.push_back(running);
        if (windowTrace.size() > windowSamples) {
            bump(windowCounts, windowTrace.front(), -1);
            windowTrace.pop_front();
        }
        // Lanes: every known lane gets one entry per sample (Absent if gone).
        for (auto &[tid, lane] : lanes)
            lane.states.push_back(ThreadActivity::Absent);
        for (std::size_t i = 0; i < tasks.size(); ++i) {
            auto [it, inserted] = lanes.try_emplace(tasks[i].tid);
            LaneState &lane = it->second;
            if (inserted) {
                lane.pid = tasks[i].pid;
                lane.name = tasks[i].name;
                lane.firstSample = samples;
                lane.states.assign(1, act[i]);
                seen.insert(tasks[i].tid);
            } else {
                lane.states.back() = act[i];
            }
            lane.score = 0.95 * lane.score + (tasks[i].state == 'R' ? 0.05 : 0.0);
            lane.running += act[i] == ThreadActivity::Running ? 1 : 0;
            lane.lastPresent = samples;
        }
        // A lane leaves once its thread has been gone for the whole lane length.
        for (auto it = lanes.begin(); it != lanes.end();) {
            auto &st = it->second.states;
            while (st.size() > laneLength)
                st.pop_front();
            it = samples - it->second.lastPresent >= static_cast<std::int64_t>(laneLength) ? lanes.erase(it)
                                                                                         : std::next(it);
        }
        ++samples;

        if (now - lastPublish >= std::chrono::milliseconds(50)) {
            makeSnapshot(false);
            publish(std::make_shared<TlpSnapshot>(*snap));
            lastPublish = now;
        }
        // Absolute deadlines keep the average rate; after a long stall, skip ahead.
        next.tv_nsec += periodNs;
        while (next.tv_nsec >= 1000000000L) {
            next.tv_nsec -= 1000000000L;
            ++next.tv_sec;
        }
        timespec nowTs{};
        clock_gettime(CLOCK_MONOTONIC, &nowTs);
        const long long lagNs = (nowTs.tv_sec - next.tv_sec) * 1000000000LL + (nowTs.tv_nsec - next.tv_nsec);
        if (lagNs > 10 * periodNs)
            next = nowTs;
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr) == EINTR) {
        }
    }
    ::prctl(PR_SET_TIMERSLACK, static_cast<unsigned long>(oldSlack > 0 ? oldSlack : 50000), 0, 0, 0);
    makeSnapshot(true);

    // End the target: our own workload is joined; a started command is killed and reaped.
    QString exitText;
    if (own)
        own->stop();
    if (spawned) {
        spawned->ended();
        spawned->killAndReap();
        exitText = spawned->exitText();
    }

    const TlpStats &o = snap->overall;
    result.summary.insert(QStringLiteral("tlp"), o.tlp);
    result.summary.insert(QStringLiteral("tlp_defined"), o.defined);
    result.summary.insert(QStringLiteral("busy_fraction"), o.busyFraction);
    result.summary.insert(QStringLiteral("max_concurrent"), o.maxConcurrent);
    result.summary.insert(QStringLiteral("cores"), cores);
    result.summary.insert(QStringLiteral("samples"), static_cast<double>(samples));
    result.summary.insert(QStringLiteral("seconds_measured"), snap->elapsedS);
    result.summary.insert(QStringLiteral("rate_hz"), rateHz);
    result.summary.insert(QStringLiteral("achieved_rate_hz"), snap->achievedHz);
    result.summary.insert(QStringLiteral("sampler_cpu_percent"), snap->samplerCpuPercent);
    result.summary.insert(QStringLiteral("threads_seen"), snap->threadsSeen);
    result.summary.insert(QStringLiteral("target"), snap->target);
    result.summary.insert(QStringLiteral("target_pid"), static_cast<int>(target));
    if (spawned) {
        result.summary.insert(QStringLiteral("command_exit"), exitText);
        result.summary.insert(QStringLiteral("command_exit_code"), spawned->exitCode());
    }
    if (rootGone && !own)
        result.summary.insert(QStringLiteral("ended_early"), true);
    QJsonArray cArray;
    for (std::size_t i = 0; i < o.c.size(); ++i) {
        cArray.append(o.c[i]);
        result.summary.insert(QStringLiteral("c_%1").arg(i), o.c[i]);
    }
    result.summary.insert(QStringLiteral("c"), cArray);

    Series hist{QStringLiteral("c_i (measured)"), QStringLiteral("threads executing at once (i)"),
                QStringLiteral("fraction of time c_i"), Series::Style::Bars, {}, {}, {}};
    for (std::size_t i = 0; i < o.c.size(); ++i) {
        hist.x.push_back(static_cast<double>(i));
        hist.y.push_back(o.c[i]);
    }
    Series overTime{QStringLiteral("TLP over the window (measured)"), QStringLiteral("time (s)"),
                    QStringLiteral("TLP"), Series::Style::Line, {}, {}, {}};
    overTime.x = snap->timeS;
    overTime.y = snap->windowTlp;
    result.series = {hist, overTime};
    result.table.columns = {QStringLiteral("i"), QStringLiteral("samples"), QStringLiteral("c_i")};
    for (std::size_t i = 0; i < o.c.size(); ++i)
        result.table.rows.push_back({static_cast<int>(i), static_cast<double>(o.counts[i]), o.c[i]});

    if (spawned && spawned->exitCode() == 127)
        result.error = notFound();
    else if (samples == 0 && !stopRequested())
        result.error = QStringLiteral("%1 ended before the first sample").arg(snap->target);
    snap->result = result;
    snap->progress = 1;
    if (!result.error.isEmpty())
        snap->status = result.error;
    else if (rootGone)
        snap->status += QStringLiteral("; the process ended after %1 s").arg(snap->elapsedS, 0, 'f', 2);
    publish(std::make_shared<TlpSnapshot>(*snap));
}

} // namespace proclab
