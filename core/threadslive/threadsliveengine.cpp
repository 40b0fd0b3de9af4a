#include "threadsliveengine.h"

#include "common/clock.h"
#include "common/errortext.h"

#include "sched/schedmodel.h"
#include "sched/schedworkload.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>
#include <thread>

#include <pthread.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

namespace proclab {

namespace {

const QString kDemo = QStringLiteral("demo");
const QString kNices = QStringLiteral("nices");
const QString kSeconds = QStringLiteral("seconds");
const QString kCpu = QStringLiteral("cpu");
const QString kSample = QStringLiteral("sample_ms");
const QString kStray = QStringLiteral("stray_words");

/// Reads run and wait nanoseconds and the timeslice count of one of our threads.
bool readSchedstat(pid_t tid, std::uint64_t *runNs, std::uint64_t *waitNs, std::uint64_t *slices)
{
    char path[64];
    std::snprintf(path, sizeof path, "/proc/self/task/%d/schedstat", static_cast<int>(tid));
    std::FILE *f = std::fopen(path, "re");
    if (!f)
        return false;
    unsigned long long a = 0, b = 0, c = 0;
    const int n = std::fscanf(f, "%llu %llu %llu", &a, &b, &c);
    std::fclose(f);
    if (n != 3)
        return false;
    *runNs = a;
    *waitNs = b;
    *slices = c;
    return true;
}

/// Fallback: utime + stime from /proc/self/task/<tid>/stat, in clock ticks converted to ns.
bool readStatRunNs(pid_t tid, std::uint64_t *runNs)
{
    char path[64];
    std::snprintf(path, sizeof path, "/proc/self/task/%d/stat", static_cast<int>(tid));
    std::FILE *f = std::fopen(path, "re");
    if (!f)
        return false;
    char buf[1024];
    const size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = 0;
    // Fields after the command name in parentheses (which may hold spaces).
    const char *p = std::strrchr(buf, ')');
    if (!p)
        return false;
    unsigned long long utime = 0, stime = 0;
    // state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15)
    if (std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
        return false;
    const long hz = sysconf(_SC_CLK_TCK);
    *runNs = (utime + stime) * (1000000000ULL / static_cast<unsigned long long>(hz > 0 ? hz : 100));
    return true;
}

// The ledger's checksum: a simple mix of every value, stored in the ledger's last word.
std::uint64_t ledgerChecksum(const std::uint64_t *ledger, int words)
{
    std::uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < words - 1; ++i)
        h = (h ^ ledger[i]) * 0x100000001b3ULL;
    return h;
}

void buildLedger(std::uint64_t *ledger, int words)
{
    for (int i = 0; i < words - 1; ++i)
        ledger[i] = 1000 + 17 * static_cast<std::uint64_t>(i); // account balances
    ledger[words - 1] = ledgerChecksum(ledger, words);
}

bool ledgerOk(const std::uint64_t *ledger, int words)
{
    return ledger[words - 1] == ledgerChecksum(ledger, words);
}

// The bug: a loop meant to clear the worker's own array runs @p stray words too far.
// The whole arena belongs to the demo, so the overrun lands in the sibling's ledger
// (well-defined C++, no memory outside the demo is touched).
void strayClear(std::vector<std::uint64_t> &arena, int ownWords, int strayWords)
{
    const int end = std::min<int>(static_cast<int>(arena.size()), ownWords + strayWords);
    for (int i = 0; i < end; ++i)
        arena[i] = 0xBADBADBADULL;
}

} // namespace

ThreadsLiveEngine::ThreadsLiveEngine()
    : Engine(EngineInfo{
          QString(kId),
          QStringLiteral("The app's own threads, seen by the OS"),
          Provenance::Measured,
          QStringLiteral("Busy threads with nice values pinned to one CPU, sampled from /proc "
                         "(CPU shares vs the CFS model); and a stray write in a thread vs a process."),
          {QStringLiteral("T4"), QStringLiteral("T10")},
          {QString(kLiveView)}})
{
}


ParamSchema ThreadsLiveEngine::schema() const
{
    return ParamSchema{
        ParamSpec::choice(kDemo, QStringLiteral("Demo"), QStringLiteral("shares"),
                          {QStringLiteral("shares"), QStringLiteral("protection")},
                          QStringLiteral("shares: CPU shares of threads with nice values (T10); "
                                         "protection: a stray write in a thread vs a process (T4).")),
        ParamSpec::text(kNices, QStringLiteral("Nice values"), QStringLiteral("0,5"),
                        QStringLiteral("One busy thread per value, comma-separated, -20..19 (1 to 8 "
                                       "threads). Lowering nice below 0 needs root.")),
        ParamSpec::real(kSeconds, QStringLiteral("Duration"), 3, 0.2, 30, QStringLiteral("s"),
                        QStringLiteral("How long the busy threads run.")),
        ParamSpec::integer(kCpu, QStringLiteral("CPU"), -1, -1, 1023, {},
                           QStringLiteral("The CPU every busy thread is pinned to; -1 picks the last "
                                          "CPU this process may use.")),
        ParamSpec::integer(kSample, QStringLiteral("Sample interval"), 100, 20, 2000,
                           QStringLiteral("ms"), QStringLiteral("How often /proc is read.")),
        ParamSpec::integer(kStray, QStringLiteral("Stray words"), 6, 1, 16, QStringLiteral("words"),
                           QStringLiteral("Protection: how many 8-byte words the buggy loop writes "
                                          "past the end of its own array.")),
    };
}

void ThreadsLiveEngine::run()
{
    if (textParam(kDemo) == QLatin1String("protection"))
        runProtection();
    else
        runShares();
}

void ThreadsLiveEngine::runShares()
{
    auto snap = std::make_shared<ThreadsLiveSnapshot>();
    snap->demo = QStringLiteral("shares");
    snap->seconds = realParam(kSeconds);
    auto fail = [&](const QString &error) {
        snap->result = makeResult();
        snap->result.error = error;
        snap->status = error;
        publish(std::make_shared<ThreadsLiveSnapshot>(*snap));
    };

    // Parse the nice values.
    std::vector<int> nices;
    for (const QString &part : textParam(kNices).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        if (part.trimmed().isEmpty())
            continue;
        bool ok = false;
        const int n = part.trimmed().toInt(&ok);
        if (!ok || n < -20 || n > 19)
            return fail(QStringLiteral("nices: '%1' is not a nice value from -20 to 19").arg(part.trimmed()));
        nices.push_back(n);
    }
    if (nices.empty() || nices.size() > 8)
        return fail(QStringLiteral("nices: give 1 to 8 comma-separated nice values, e.g. 0,5"));

    // Pick the CPU among those this process may run on.
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0)
        return fail(QStringLiteral("sched_getaffinity failed: %1").arg(errnoText(errno)));
    int cpu = static_cast<int>(intParam(kCpu));
    if (cpu < 0) {
        for (int c = CPU_SETSIZE - 1; c >= 0; --c) {
            if (CPU_ISSET(c, &allowed)) {
                cpu = c;
                break;
            }
        }
    } else if (cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &allowed)) {
        return fail(QStringLiteral("cpu: CPU %1 is not available to this process (%2 CPUs allowed)")
                        .arg(cpu)
                        .arg(CPU_COUNT(&allowed)));
    }
    snap->cpu = cpu;

    // The CFS model's prediction for the same weights: one CPU, always-runnable threads.
    {
        QStringList niceText;
        for (int n : nices)
            niceText << QString::number(n);
        QString error;
        auto workload = loadWorkload(QStringLiteral("cpu"), static_cast<int>(nices.size()),
                                     niceText.join(QLatin1Char(',')), 1, &error);
        SchedConfig cfg;
        cfg.model = ThreadingModel::OneToOne;
        cfg.policy = SchedPolicy::Cfs;
        cfg.cpus = 1;
        cfg.maxTimeNs = static_cast<std::int64_t>(snap->seconds * 1e9);
        cfg.traceCap = 0;
        SchedModel model(*workload, cfg);
        model.runToEnd();
        const auto uts = model.userThreads();
        std::int64_t total = 0;
        for (const auto &u : uts)
            total += u.cpuNs + u.overheadNs;
        for (size_t i = 0; i < nices.size(); ++i) {
            LiveThread t;
            t.nice = nices[i];
            t.weight = niceToWeight(nices[i]);
            t.modelShare = total > 0 ? double(uts[i].cpuNs + uts[i].overheadNs) / total : 0;
            snap->threads.push_back(t);
        }
    }

    // Start the busy threads. Each pins itself, sets its own nice value, reports
    // its tid, then waits for the common start. quit and the deadline bound them.
    struct Worker {
        std::atomic<pid_t> tid{0};
        std::atomic<int> status{0}; // 0 starting, 1 ready, -errno failed
        std::atomic<int> failedStep{0}; // 1 affinity, 2 nice
    };
    const int k = static_cast<int>(nices.size());
    std::vector<Worker> workers(k);
    std::atomic<bool> go{false};
    std::atomic<bool> quit{false};
    const std::int64_t hardDeadlineNs = monotonicNs() + static_cast<std::int64_t>((snap->seconds + 5) * 1e9);
    std::vector<std::thread> threads;
    threads.reserve(k);
    for (int i = 0; i < k; ++i) {
        threads.emplace_back([&, i] {
            Worker &w = workers[i];
            const pid_t tid = static_cast<pid_t>(::syscall(SYS_gettid));
            w.tid = tid;
            cpu_set_t one;
            CPU_ZERO(&one);
            CPU_SET(cpu, &one);
            int rc = pthread_setaffinity_np(pthread_self(), sizeof one, &one);
            if (rc != 0) {
                w.failedStep = 1;
                w.status = -rc;
                return;
            }
            // On Linux a thread's nice value is per thread: PRIO_PROCESS with a tid.
            errno = 0;
            if (setpriority(PRIO_PROCESS, static_cast<id_t>(tid), nices[i]) != 0) {
                w.failedStep = 2;
                w.status = -errno;
                return;
            }
            w.status = 1;
            while (!go.load() && !quit.load())
                std::this_thread::sleep_for(std::chrono::microseconds(200));
            // Busy loop; looks at the clock every 2^16 iterations so it is bounded in time.
            volatile std::uint64_t x = static_cast<std::uint64_t>(i) + 1;
            std::uint64_t n = 0;
            while (!quit.load(std::memory_order_relaxed)) {
                x = x * 6364136223846793005ULL + 1442695040888963407ULL;
                if ((++n & 0xFFFF) == 0 && monotonicNs() > hardDeadlineNs)
                    break;
            }
        });
    }
    auto joinAll = [&] {
        quit = true;
        for (auto &t : threads)
            t.join();
    };
    // Wait until every worker is ready or failed (bounded: 5 s).
    const std::int64_t readyBy = monotonicNs() + 5000000000LL;
    for (;;) {
        int pending = 0;
        for (const auto &w : workers)
            pending += w.status.load() == 0 ? 1 : 0;
        if (pending == 0 || monotonicNs() > readyBy || stopRequested())
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    for (int i = 0; i < k; ++i) {
        const int st = workers[i].status.load();
        if (st == 1)
            continue;
        joinAll();
        if (st == 0)
            return fail(QStringLiteral("busy thread %1 did not start within 5 s").arg(i));
        const int err = -st;
        if (workers[i].failedStep == 2 && (err == EPERM || err == EACCES))
            return fail(QStringLiteral("setting nice %1 needs root or CAP_SYS_NICE (%2); use nice "
                                       "values >= 0 or run as root")
                            .arg(nices[i])
                            .arg(errnoText(err)));
        return fail(QStringLiteral("%1 failed for busy thread %2: %3")
                        .arg(workers[i].failedStep == 1 ? QStringLiteral("pinning to CPU %1").arg(cpu)
                                                        : QStringLiteral("setpriority"))
                        .arg(i)
                        .arg(errnoText(err)));
    }
    for (int i = 0; i < k; ++i)
        snap->threads[i].tid = workers[i].tid.load();

    // Baseline, then release the threads together.
    bool useSchedstat = true;
    std::vector<std::uint64_t> baseRun(k), baseWait(k);
    for (int i = 0; i < k; ++i) {
        std::uint64_t slices = 0;
        if (!readSchedstat(snap->threads[i].tid, &baseRun[i], &baseWait[i], &slices)) {
            useSchedstat = false;
            baseWait[i] = 0;
            readStatRunNs(snap->threads[i].tid, &baseRun[i]);
        }
    }
    const std::int64_t t0 = monotonicNs();
    go = true;
    const std::int64_t endNs = t0 + static_cast<std::int64_t>(snap->seconds * 1e9);
    const auto sampleNs = std::chrono::milliseconds(intParam(kSample));
    QString readError;
    while (monotonicNs() < endNs) {
        if (!checkpoint())
            break;
        const std::int64_t left = endNs - monotonicNs();
        if (!sleepFor(std::min<std::chrono::nanoseconds>(sampleNs, std::chrono::nanoseconds(std::max<std::int64_t>(left, 0)))))
            break;
        const double nowMs = (monotonicNs() - t0) / 1e6;
        double totalRun = 0;
        for (int i = 0; i < k; ++i) {
            std::uint64_t run = 0, wait = 0, slices = 0;
            bool ok = useSchedstat ? readSchedstat(snap->threads[i].tid, &run, &wait, &slices)
                                   : readStatRunNs(snap->threads[i].tid, &run);
            if (!ok) {
                readError = QStringLiteral("cannot read /proc/self/task/%1").arg(snap->threads[i].tid);
                continue;
            }
            LiveThreadSample s;
            s.timeMs = nowMs;
            s.runMs = (run - baseRun[i]) / 1e6;
            s.waitMs = useSchedstat ? (wait - baseWait[i]) / 1e6 : 0;
            snap->threads[i].samples.push_back(s);
            snap->threads[i].timeslices = slices;
            totalRun += s.runMs;
        }
        for (auto &t : snap->threads)
            t.measuredShare = totalRun > 0 && !t.samples.empty() ? t.samples.back().runMs / totalRun : 0;
        snap->elapsedMs = nowMs;
        snap->progress = std::min(1.0, nowMs / (snap->seconds * 1000));
        snap->status = QStringLiteral("%1 busy threads on CPU %2: %3 of %4 s")
                           .arg(k)
                           .arg(cpu)
                           .arg(nowMs / 1000, 0, 'f', 1)
                           .arg(snap->seconds, 0, 'f', 1);
        publish(std::make_shared<ThreadsLiveSnapshot>(*snap));
    }
    joinAll();

    Result r = makeResult();
    double wall = snap->elapsedMs;
    double busy = 0;
    double maxErr = 0;
    Series measured, modelled;
    measured.name = QStringLiteral("measured share");
    measured.xLabel = QStringLiteral("thread");
    measured.yLabel = QStringLiteral("share of the busy threads' CPU time (%)");
    measured.style = Series::Style::Bars;
    modelled = measured;
    modelled.name = QStringLiteral("CFS model share");
    modelled.style = Series::Style::Scatter;
    r.table.columns = {QStringLiteral("thread"), QStringLiteral("tid"), QStringLiteral("nice"),
                       QStringLiteral("weight"), QStringLiteral("run_ms"), QStringLiteral("wait_ms"),
                       QStringLiteral("timeslices"), QStringLiteral("measured_share"),
                       QStringLiteral("model_share")};
    for (int i = 0; i < k; ++i) {
        const auto &t = snap->threads[i];
        const QString name = QStringLiteral("T%1").arg(i);
        const double run = t.samples.empty() ? 0 : t.samples.back().runMs;
        const double wait = t.samples.empty() ? 0 : t.samples.back().waitMs;
        busy += run;
        maxErr = std::max(maxErr, std::abs(t.measuredShare - t.modelShare));
        r.summary.insert(QStringLiteral("measured_share_%1").arg(name), t.measuredShare);
        r.summary.insert(QStringLiteral("model_share_%1").arg(name), t.modelShare);
        r.summary.insert(QStringLiteral("nice_%1").arg(name), t.nice);
        measured.x.push_back(i);
        measured.y.push_back(100 * t.measuredShare);
        measured.pointLabels << QStringLiteral("%1 (nice %2)").arg(name).arg(t.nice);
        modelled.x.push_back(i);
        modelled.y.push_back(100 * t.modelShare);
        modelled.pointLabels << measured.pointLabels.back();
        r.table.rows.push_back({name, static_cast<int>(t.tid), t.nice, t.weight, run, wait,
                                static_cast<qulonglong>(t.timeslices), t.measuredShare, t.modelShare});
    }
    r.series.push_back(measured);
    r.series.push_back(modelled);
    for (int i = 0; i < k; ++i) {
        Series s;
        s.name = QStringLiteral("T%1 (nice %2) run time").arg(i).arg(snap->threads[i].nice);
        s.xLabel = QStringLiteral("time (ms)");
        s.yLabel = QStringLiteral("cumulative time (ms)");
        Series w = s;
        w.name = QStringLiteral("T%1 (nice %2) wait time").arg(i).arg(snap->threads[i].nice);
        for (const auto &smp : snap->threads[i].samples) {
            s.x.push_back(smp.timeMs);
            s.y.push_back(smp.runMs);
            w.x.push_back(smp.timeMs);
            w.y.push_back(smp.waitMs);
        }
        r.series.push_back(std::move(s));
        if (useSchedstat)
            r.series.push_back(std::move(w));
    }
    r.summary.insert(QStringLiteral("cpu"), cpu);
    r.summary.insert(QStringLiteral("threads"), k);
    r.summary.insert(QStringLiteral("elapsed_ms"), wall);
    r.summary.insert(QStringLiteral("busy_fraction"), wall > 0 ? busy / wall : 0.0);
    r.summary.insert(QStringLiteral("max_share_error"), maxErr);
    r.summary.insert(QStringLiteral("source"), useSchedstat ? QStringLiteral("schedstat") : QStringLiteral("stat"));
    if (!readError.isEmpty())
        r.error = readError;
    snap->result = r;
    snap->progress = 1.0;
    snap->status = stopRequested() ? QStringLiteral("stopped; every busy thread joined")
                                   : QStringLiteral("done: %1 busy threads joined").arg(k);
    publish(std::make_shared<ThreadsLiveSnapshot>(*snap));
}

void ThreadsLiveEngine::runProtection()
{
    auto snap = std::make_shared<ThreadsLiveSnapshot>();
    snap->demo = QStringLiteral("protection");
    ProtectionState &ps = snap->protection;
    ps.ownWords = 16;
    ps.ledgerWords = 16;
    ps.strayWords = static_cast<int>(intParam(kStray));
    const int words = ps.ownWords + ps.ledgerWords;
    auto publishCopy = [&](const QString &status, double progress) {
        snap->status = status;
        snap->progress = progress;
        publish(std::make_shared<ThreadsLiveSnapshot>(*snap));
    };

    // 1. Threads: a sibling builds its ledger; a worker in the same process runs the buggy loop.
    std::vector<std::uint64_t> arena(words, 0);
    {
        std::mutex m;
        std::condition_variable cv;
        int phase = 0; // 1 ledger built, 2 worker done
        bool ok = true;
        std::thread sibling([&] {
            buildLedger(arena.data() + ps.ownWords, ps.ledgerWords);
            {
                std::lock_guard g(m);
                phase = 1;
            }
            cv.notify_all();
            std::unique_lock lock(m);
            cv.wait(lock, [&] { return phase == 2; });
            ok = ledgerOk(arena.data() + ps.ownWords, ps.ledgerWords);
        });
        std::thread worker([&] {
            {
                std::unique_lock lock(m);
                cv.wait(lock, [&] { return phase == 1; });
            }
            strayClear(arena, ps.ownWords, ps.strayWords);
            {
                std::lock_guard g(m);
                phase = 2;
            }
            cv.notify_all();
        });
        worker.join();
        sibling.join();
        ps.threadArena = arena;
        ps.threadLedgerOk = ok;
    }
    publishCopy(ps.threadLedgerOk ? QStringLiteral("threads: the sibling's ledger survived")
                                  : QStringLiteral("threads: the worker's stray write broke the sibling's ledger"),
                0.5);
    if (!checkpoint())
        return;

    // 2. Processes: the parent builds the ledger, a forked child runs the same buggy loop.
    std::vector<std::uint64_t> parentArena(words, 0);
    buildLedger(parentArena.data() + ps.ownWords, ps.ledgerWords);
    ps.arenaAddress = reinterpret_cast<quintptr>(parentArena.data());
    QString failure;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        failure = QStringLiteral("pipe() failed: %1").arg(errnoText(errno));
    } else {
        const pid_t pid = ::fork();
        if (pid < 0) {
            failure = QStringLiteral("fork() failed: %1").arg(errnoText(errno));
            ::close(fds[0]);
            ::close(fds[1]);
        } else if (pid == 0) {
            // Child: only memory writes, write() and _exit (async-signal-safe after fork).
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            ::close(fds[0]);
            std::uint64_t *a = parentArena.data();
            const int end = std::min(words, ps.ownWords + ps.strayWords);
            for (int i = 0; i < end; ++i)
                a[i] = 0xBADBADBADULL;
            const char *p = reinterpret_cast<const char *>(a);
            size_t left = static_cast<size_t>(words) * sizeof(std::uint64_t);
            while (left > 0) {
                const ssize_t n = ::write(fds[1], p, left);
                if (n < 0 && errno == EINTR)
                    continue;
                if (n <= 0)
                    break;
                p += n;
                left -= static_cast<size_t>(n);
            }
            _exit(0);
        } else {
            ps.childPid = pid;
            ::close(fds[1]);
            std::vector<std::uint64_t> child(words, 0);
            char *p = reinterpret_cast<char *>(child.data());
            size_t got = 0;
            const size_t want = static_cast<size_t>(words) * sizeof(std::uint64_t);
            const std::int64_t deadline = monotonicNs() + 5000000000LL;
            while (got < want && monotonicNs() < deadline && !stopRequested()) {
                pollfd pfd{fds[0], POLLIN, 0};
                if (::poll(&pfd, 1, 50) <= 0)
                    continue;
                const ssize_t n = ::read(fds[0], p + got, want - got);
                if (n < 0 && errno == EINTR)
                    continue;
                if (n <= 0)
                    break;
                got += static_cast<size_t>(n);
            }
            ::close(fds[0]);
            if (got < want) {
                ::kill(pid, SIGKILL);
                failure = QStringLiteral("the child did not report its memory within 5 s");
            }
            int status = 0;
            while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            ps.childReaped = true;
            ps.childArena = child;
            ps.childLedgerOk = got == want && ledgerOk(child.data() + ps.ownWords, ps.ledgerWords);
        }
    }
    ps.parentArena = parentArena;
    ps.parentLedgerOk = ledgerOk(parentArena.data() + ps.ownWords, ps.ledgerWords);

    Result r = makeResult();
    int corruptedThread = 0, corruptedChild = 0, corruptedParent = 0;
    for (int i = ps.ownWords; i < words; ++i) {
        corruptedThread += ps.threadArena[i] == 0xBADBADBADULL ? 1 : 0;
        corruptedParent += ps.parentArena[i] == 0xBADBADBADULL ? 1 : 0;
        if (!ps.childArena.empty())
            corruptedChild += ps.childArena[i] == 0xBADBADBADULL ? 1 : 0;
    }
    r.summary.insert(QStringLiteral("stray_words"), ps.strayWords);
    r.summary.insert(QStringLiteral("thread_ledger_ok"), ps.threadLedgerOk);
    r.summary.insert(QStringLiteral("thread_ledger_words_overwritten"), corruptedThread);
    r.summary.insert(QStringLiteral("child_ledger_ok"), ps.childLedgerOk);
    r.summary.insert(QStringLiteral("child_ledger_words_overwritten"), corruptedChild);
    r.summary.insert(QStringLiteral("parent_ledger_ok"), ps.parentLedgerOk);
    r.summary.insert(QStringLiteral("parent_ledger_words_overwritten"), corruptedParent);
    r.summary.insert(QStringLiteral("arena_address"), QStringLiteral("0x%1").arg(ps.arenaAddress, 0, 16));
    r.table.columns = {QStringLiteral("word"), QStringLiteral("owner"), QStringLiteral("sibling_thread_view"),
                       QStringLiteral("child_process_view"), QStringLiteral("parent_process_view")};
    for (int i = 0; i < words; ++i) {
        auto hex = [](std::uint64_t v) { return QStringLiteral("0x%1").arg(v, 0, 16); };
        r.table.rows.push_back({i, i < ps.ownWords ? QStringLiteral("worker array") : QStringLiteral("sibling ledger"),
                                hex(ps.threadArena[i]),
                                ps.childArena.empty() ? QString() : hex(ps.childArena[i]),
                                hex(ps.parentArena[i])});
    }
    if (!failure.isEmpty())
        r.error = failure;
    snap->result = r;
    publishCopy(failure.isEmpty()
                    ? QStringLiteral("thread: ledger %1; child process: its own copy %2; parent: ledger %3")
                          .arg(ps.threadLedgerOk ? QStringLiteral("intact") : QStringLiteral("corrupted"),
                               ps.childLedgerOk ? QStringLiteral("intact") : QStringLiteral("corrupted"),
                               ps.parentLedgerOk ? QStringLiteral("intact") : QStringLiteral("corrupted"))
                    : failure,
                1.0);
}


} // namespace proclab
