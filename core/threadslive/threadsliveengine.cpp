#include "threadsliveengine.h"

#include "busythreads.h"
#include "ledger.h"

#include "common/clock.h"
#include "common/errortext.h"

#include "sched/cfsshares.h"
#include "sched/schedmodel.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace proclab {

namespace {

const QString kDemo = QStringLiteral("demo");
const QString kNices = QStringLiteral("nices");
const QString kSeconds = QStringLiteral("seconds");
const QString kCpu = QStringLiteral("cpu");
const QString kSample = QStringLiteral("sample_ms");
const QString kStray = QStringLiteral("stray_words");

} // namespace

std::optional<ThreadsLiveConfig> ThreadsLiveConfig::fromParams(const ParamValues &values, QString *error)
{
    ThreadsLiveConfig c;
    c.demo = values.value(kDemo).toString() == QLatin1String("protection") ? Demo::Protection : Demo::Shares;
    c.seconds = values.value(kSeconds).toDouble();
    c.cpu = values.value(kCpu).toInt();
    c.sampleMs = values.value(kSample).toInt();
    c.strayWords = values.value(kStray).toInt();
    c.nices.clear();
    if (c.demo != Demo::Shares)
        return c;
    auto refuse = [error](const QString &message) {
        if (error)
            *error = message;
        return std::nullopt;
    };
    for (const QString &part : values.value(kNices).toString().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString text = part.trimmed();
        if (text.isEmpty())
            continue;
        bool ok = false;
        const int n = text.toInt(&ok);
        if (!ok || n < -20 || n > 19)
            return refuse(QStringLiteral("nices: '%1' is not a nice value from -20 to 19").arg(text));
        c.nices.push_back(n);
    }
    if (c.nices.empty() || c.nices.size() > 8)
        return refuse(QStringLiteral("nices: give 1 to 8 comma-separated nice values, e.g. 0,5"));
    return c;
}

ThreadsLiveEngine::ThreadsLiveEngine()
    : ConfiguredEngine(EngineInfo {QString(kId), QStringLiteral("The app's own threads, seen by the OS"),
        Provenance::Measured,
        QStringLiteral("Busy threads with nice values pinned to one CPU, sampled from /proc "
                       "(CPU shares vs the CFS model); and a stray write in a thread vs a process."),
        {QStringLiteral("T4"), QStringLiteral("T10")}, {QString(kLiveView)}})
{
}

ParamSchema ThreadsLiveEngine::schema() const
{
    return ParamSchema {
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
        ParamSpec::integer(kSample, QStringLiteral("Sample interval"), 100, 20, 2000, QStringLiteral("ms"),
            QStringLiteral("How often /proc is read.")),
        ParamSpec::integer(kStray, QStringLiteral("Stray words"), 6, 1, 16, QStringLiteral("words"),
            QStringLiteral("Protection: how many 8-byte words the buggy loop writes "
                           "past the end of its own array.")),
    };
}

std::vector<OutputSpec> ThreadsLiveEngine::outputs() const
{
    return {
        // demo=shares
        {QStringLiteral("measured_share_*"), QStringLiteral("fraction"),
            QStringLiteral(
                "per busy thread (measured_share_T<i>): its run time over the run time of all busy "
                "threads, from /proc")},
        {QStringLiteral("model_share_*"), QStringLiteral("fraction"),
            QStringLiteral(
                "per busy thread (model_share_T<i>): the CFS model's share for the same nice values")},
        {QStringLiteral("nice_*"), QString(), QStringLiteral("per busy thread (nice_T<i>): its nice value")},
        {QStringLiteral("cpu"), QString(), QStringLiteral("the CPU every busy thread was pinned to")},
        {QStringLiteral("threads"), QString(), QStringLiteral("busy threads")},
        {QStringLiteral("elapsed_ms"), QStringLiteral("ms"),
            QStringLiteral("wall time from the start to the last sample")},
        {QStringLiteral("busy_fraction"), QStringLiteral("fraction"),
            QStringLiteral("run time of all busy threads over the wall time (at most 1: one CPU)")},
        {QStringLiteral("max_share_error"), QStringLiteral("fraction"),
            QStringLiteral("largest difference between a thread's measured and model share")},
        {QStringLiteral("source"), QString(),
            QStringLiteral("where run times came from: schedstat (run and wait) or stat (run only)")},
        // demo=protection
        {QStringLiteral("stray_words"), QStringLiteral("words"),
            QStringLiteral("words the buggy loop wrote past its array")},
        {QStringLiteral("thread_ledger_ok"), QString(),
            QStringLiteral("whether the sibling thread's ledger kept its checksum (true/false)")},
        {QStringLiteral("thread_ledger_words_overwritten"), QStringLiteral("words"),
            QStringLiteral("ledger words the worker thread overwrote in the shared memory")},
        {QStringLiteral("child_ledger_ok"), QString(),
            QStringLiteral("whether the ledger in the forked child's copy kept its checksum")},
        {QStringLiteral("child_ledger_words_overwritten"), QStringLiteral("words"),
            QStringLiteral("ledger words the child overwrote in its own copy")},
        {QStringLiteral("parent_ledger_ok"), QString(),
            QStringLiteral("whether the parent's ledger kept its checksum after the child's write")},
        {QStringLiteral("parent_ledger_words_overwritten"), QStringLiteral("words"),
            QStringLiteral("ledger words of the parent that the child's write changed (0: separate memory)")},
        {QStringLiteral("ledgers_outcome"), QString(),
            QStringLiteral("the two ledgers after the stray writes: both_corrupted, thread_corrupted (the "
                           "parent's intact), both_intact or parent_corrupted")},
        {QStringLiteral("arena_address"), QString(),
            QStringLiteral("virtual address of the buffer, the same in parent and child (hex text)")},
    };
}

void ThreadsLiveEngine::run()
{
    if (config().demo == ThreadsLiveConfig::Demo::Protection)
        runProtection();
    else
        runShares();
}

void ThreadsLiveEngine::runShares()
{
    const ThreadsLiveConfig &cfg = config();
    auto snap = std::make_shared<ThreadsLiveSnapshot>();
    snap->demo = QStringLiteral("shares");
    snap->seconds = cfg.seconds;
    auto fail = [&](const QString &error) {
        snap->result = makeResult();
        snap->result.error = error;
        snap->status = error;
        publish(std::make_shared<ThreadsLiveSnapshot>(*snap));
    };

    QString error;
    const int cpu = chooseBusyCpu(cfg.cpu, &error);
    if (cpu < 0)
        return fail(error);
    snap->cpu = cpu;

    // The CFS model's prediction for the same weights: one CPU, always-runnable threads.
    const std::vector<double> modelShares
        = cfsModelShares(cfg.nices, static_cast<std::int64_t>(cfg.seconds * 1e9));
    for (std::size_t i = 0; i < cfg.nices.size(); ++i) {
        LiveThread t;
        t.nice = cfg.nices[i];
        t.weight = niceToWeight(cfg.nices[i]);
        t.modelShare = modelShares[i];
        snap->threads.push_back(t);
    }

    // Start the busy threads; quit and the deadline bound them. Then wait (at most 5 s)
    // until each is pinned with its nice value.
    const int k = static_cast<int>(cfg.nices.size());
    const std::int64_t hardDeadlineNs = monotonicNs() + static_cast<std::int64_t>((cfg.seconds + 5) * 1e9);
    BusyThreads busy(cpu, cfg.nices, hardDeadlineNs);
    error = busy.waitReady(std::chrono::seconds(5), [this] { return stopRequested(); });
    if (!error.isEmpty())
        return fail(error);
    const std::vector<pid_t> tids = busy.tids();
    for (int i = 0; i < k; ++i)
        snap->threads[i].tid = tids[i];

    // Baseline, then release the threads together.
    const ThreadTimeSampler sampler(tids);
    snap->waitMeasured = sampler.usesSchedstat();
    const std::int64_t t0 = monotonicNs();
    busy.release();
    const std::int64_t endNs = t0 + static_cast<std::int64_t>(cfg.seconds * 1e9);
    const auto sampleNs = std::chrono::milliseconds(cfg.sampleMs);
    QString readError;
    while (monotonicNs() < endNs) {
        if (!checkpoint())
            break;
        const std::int64_t left = endNs - monotonicNs();
        if (!sleepFor(std::min<std::chrono::nanoseconds>(
                sampleNs, std::chrono::nanoseconds(std::max<std::int64_t>(left, 0)))))
            break;
        const double nowMs = (monotonicNs() - t0) / 1e6;
        const QString e = sampler.sample(nowMs, &snap->threads);
        if (!e.isEmpty())
            readError = e;
        snap->elapsedMs = nowMs;
        snap->progress = std::min(1.0, nowMs / (cfg.seconds * 1000));
        snap->status = QStringLiteral("%1 busy threads on CPU %2: %3 of %4 s")
                           .arg(k)
                           .arg(cpu)
                           .arg(nowMs / 1000, 0, 'f', 1)
                           .arg(cfg.seconds, 0, 'f', 1);
        publish(std::make_shared<ThreadsLiveSnapshot>(*snap));
    }
    busy.stop();

    snap->result = buildSharesResult(*snap, readError);
    snap->progress = 1.0;
    snap->status = stopRequested() ? QStringLiteral("stopped; every busy thread joined")
                                   : QStringLiteral("done: %1 busy threads joined").arg(k);
    publish(std::make_shared<ThreadsLiveSnapshot>(*snap));
}

std::vector<Series> ThreadsLiveEngine::shareSeries(const ThreadsLiveSnapshot &snapshot)
{
    Series measured;
    measured.id = QStringLiteral("measured_share");
    measured.name = QStringLiteral("measured share");
    measured.xLabel = QStringLiteral("thread");
    measured.yLabel = QStringLiteral("share of the busy threads' CPU time (%)");
    measured.style = Series::Style::Bars;
    Series modelled = measured;
    modelled.id = QStringLiteral("model_share");
    modelled.name = QStringLiteral("CFS model share");
    modelled.style = Series::Style::Scatter;
    for (int i = 0; i < int(snapshot.threads.size()); ++i) {
        const LiveThread &t = snapshot.threads[i];
        measured.x.push_back(i);
        measured.y.push_back(100 * t.measuredShare);
        measured.pointLabels << QStringLiteral("T%1 (nice %2)").arg(i).arg(t.nice);
        modelled.x.push_back(i);
        modelled.y.push_back(100 * t.modelShare);
        modelled.pointLabels << measured.pointLabels.back();
    }
    return {measured, modelled};
}

std::vector<Series> ThreadsLiveEngine::timeSeries(const ThreadsLiveSnapshot &snapshot)
{
    std::vector<Series> out;
    for (int i = 0; i < int(snapshot.threads.size()); ++i) {
        const LiveThread &t = snapshot.threads[i];
        Series run;
        run.id = QStringLiteral("run_time_%1").arg(i);
        run.name = QStringLiteral("T%1 (nice %2) run time").arg(i).arg(t.nice);
        run.xLabel = QStringLiteral("time (ms)");
        run.yLabel = QStringLiteral("cumulative time (ms)");
        Series wait = run;
        wait.id = QStringLiteral("wait_time_%1").arg(i);
        wait.name = QStringLiteral("T%1 (nice %2) wait time").arg(i).arg(t.nice);
        for (const auto &smp : t.samples) {
            run.x.push_back(smp.timeMs);
            run.y.push_back(smp.runMs);
            wait.x.push_back(smp.timeMs);
            wait.y.push_back(smp.waitMs);
        }
        out.push_back(std::move(run));
        if (snapshot.waitMeasured)
            out.push_back(std::move(wait));
    }
    return out;
}

Result ThreadsLiveEngine::buildSharesResult(const ThreadsLiveSnapshot &snap, const QString &readError) const
{
    Result r = makeResult();
    const int k = static_cast<int>(snap.threads.size());
    const double wall = snap.elapsedMs;
    double busy = 0;
    double maxErr = 0;
    r.table.columns = {QStringLiteral("thread"), QStringLiteral("tid"), QStringLiteral("nice"),
        QStringLiteral("weight"), QStringLiteral("run_ms"), QStringLiteral("wait_ms"),
        QStringLiteral("timeslices"), QStringLiteral("measured_share"), QStringLiteral("model_share")};
    for (int i = 0; i < k; ++i) {
        const auto &t = snap.threads[i];
        const QString name = QStringLiteral("T%1").arg(i);
        const double run = t.samples.empty() ? 0 : t.samples.back().runMs;
        const double wait = t.samples.empty() ? 0 : t.samples.back().waitMs;
        busy += run;
        maxErr = std::max(maxErr, std::abs(t.measuredShare - t.modelShare));
        r.summary.insert(QStringLiteral("measured_share_%1").arg(name), t.measuredShare);
        r.summary.insert(QStringLiteral("model_share_%1").arg(name), t.modelShare);
        r.summary.insert(QStringLiteral("nice_%1").arg(name), t.nice);
        r.table.rows.push_back({name, static_cast<int>(t.tid), t.nice, t.weight, run, wait,
            static_cast<qulonglong>(t.timeslices), t.measuredShare, t.modelShare});
    }
    r.series = shareSeries(snap);
    for (Series &s : timeSeries(snap))
        r.series.push_back(std::move(s));
    r.summary.insert(QStringLiteral("cpu"), snap.cpu);
    r.summary.insert(QStringLiteral("threads"), k);
    r.summary.insert(QStringLiteral("elapsed_ms"), wall);
    r.summary.insert(QStringLiteral("busy_fraction"), wall > 0 ? busy / wall : 0.0);
    r.summary.insert(QStringLiteral("max_share_error"), maxErr);
    r.summary.insert(
        QStringLiteral("source"), snap.waitMeasured ? QStringLiteral("schedstat") : QStringLiteral("stat"));
    if (!readError.isEmpty())
        r.error = readError;
    return r;
}

void ThreadsLiveEngine::runProtection()
{
    auto snap = std::make_shared<ThreadsLiveSnapshot>();
    snap->demo = QStringLiteral("protection");
    ProtectionState &ps = snap->protection;
    ps.ownWords = 16;
    ps.ledgerWords = 16;
    ps.strayWords = config().strayWords;
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
    publishCopy(ps.threadLedgerOk
            ? QStringLiteral("threads: the sibling's ledger survived")
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
        failure = QStringLiteral("pipe() failed: %1").arg(lastErrorText());
    } else {
        const pid_t pid = ::fork();
        if (pid < 0) {
            failure = QStringLiteral("fork() failed: %1").arg(lastErrorText());
            ::close(fds[0]);
            ::close(fds[1]);
        } else if (pid == 0) {
            // Child: only memory writes, write() and _exit (async-signal-safe after fork).
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            ::close(fds[0]);
            std::uint64_t *a = parentArena.data();
            const int end = std::min(words, ps.ownWords + ps.strayWords);
            for (int i = 0; i < end; ++i)
                a[i] = kStrayValue;
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
                pollfd pfd {fds[0], POLLIN, 0};
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
            while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) { }
            ps.childReaped = true;
            ps.childArena = child;
            ps.childLedgerOk = got == want && ledgerOk(child.data() + ps.ownWords, ps.ledgerWords);
        }
    }
    ps.parentArena = parentArena;
    ps.parentLedgerOk = ledgerOk(parentArena.data() + ps.ownWords, ps.ledgerWords);

    snap->result = buildProtectionResult(ps, failure);
    publishCopy(failure.isEmpty()
            ? QStringLiteral("thread: ledger %1; child process: its own copy %2; parent: ledger %3")
                  .arg(ps.threadLedgerOk ? QStringLiteral("intact") : QStringLiteral("corrupted"),
                      ps.childLedgerOk ? QStringLiteral("intact") : QStringLiteral("corrupted"),
                      ps.parentLedgerOk ? QStringLiteral("intact") : QStringLiteral("corrupted"))
            : failure,
        1.0);
}

Result ThreadsLiveEngine::buildProtectionResult(const ProtectionState &ps, const QString &failure) const
{
    Result r = makeResult();
    const int words = ps.ownWords + ps.ledgerWords;
    r.summary.insert(QStringLiteral("stray_words"), ps.strayWords);
    r.summary.insert(QStringLiteral("thread_ledger_ok"), ps.threadLedgerOk);
    r.summary.insert(
        QStringLiteral("thread_ledger_words_overwritten"), strayWordsIn(ps.threadArena, ps.ownWords, words));
    r.summary.insert(QStringLiteral("child_ledger_ok"), ps.childLedgerOk);
    r.summary.insert(
        QStringLiteral("child_ledger_words_overwritten"), strayWordsIn(ps.childArena, ps.ownWords, words));
    r.summary.insert(QStringLiteral("parent_ledger_ok"), ps.parentLedgerOk);
    r.summary.insert(
        QStringLiteral("parent_ledger_words_overwritten"), strayWordsIn(ps.parentArena, ps.ownWords, words));
    const QString outcome = ps.threadLedgerOk
        ? (ps.parentLedgerOk ? QStringLiteral("both_intact") : QStringLiteral("parent_corrupted"))
        : (ps.parentLedgerOk ? QStringLiteral("thread_corrupted") : QStringLiteral("both_corrupted"));
    r.summary.insert(QStringLiteral("ledgers_outcome"), outcome);
    r.summary.insert(QStringLiteral("arena_address"), QStringLiteral("0x%1").arg(ps.arenaAddress, 0, 16));
    r.table.columns = {QStringLiteral("word"), QStringLiteral("owner"), QStringLiteral("sibling_thread_view"),
        QStringLiteral("child_process_view"), QStringLiteral("parent_process_view")};
    auto hex = [](std::uint64_t v) { return QStringLiteral("0x%1").arg(v, 0, 16); };
    for (int i = 0; i < words; ++i) {
        r.table.rows.push_back(
            {i, i < ps.ownWords ? QStringLiteral("worker array") : QStringLiteral("sibling ledger"),
                hex(ps.threadArena[i]), ps.childArena.empty() ? QString() : hex(ps.childArena[i]),
                hex(ps.parentArena[i])});
    }
    if (!failure.isEmpty())
        r.error = failure;
    return r;
}

} // namespace proclab
