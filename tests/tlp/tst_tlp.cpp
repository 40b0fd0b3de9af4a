#include "tlp/procsampler.h"
#include "tlp/tlpengine.h"
#include "tlp/tlpmath.h"

#include "engine/registry.h"

#include <QFile>
#include <QJsonArray>
#include <QTest>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <future>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

using namespace proclab;

class TestTlp : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void tlpOfConstructedTraces_data();
    void tlpOfConstructedTraces();
    void countsAndTraceAgree();
    void classifyCapsRunningAtTheCores();
    void parsesStatWithOddCommandNames();
    void classifiesFromCounterGains();
    void parsesSchedstat();
    void overloadedThreadsShareTheCoresMeasured();
    void oneBusyThreadHasTlpOne();
    void idleThreadsLeaveCZeroAtOne();
    void samplerFollowsThreadsComingAndGoing();
    void twoBusyThreadsUseTwoCores();
    void badPidIsAClearError();
    void measuresAnOutsidePid();
    void startedCommandIsMeasuredKilledAndReaped();
    void missingCommandIsAClearError();
    void stopKillsTheStartedCommand();
    void typedConfigPicksTheTarget();
    void everySummaryKeyIsDeclared_data();
    void everySummaryKeyIsDeclared();
    void engineIsRegistered();

private:
    Result runTlp(const QVariantMap &params, TlpEngine *engine = nullptr);
};

namespace {

bool isReaped(pid_t pid)
{
    errno = 0;
    return ::waitpid(pid, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

} // namespace

Result TestTlp::runTlp(const QVariantMap &params, TlpEngine *engine)
{
    const auto localOwner = makeEngine<TlpEngine>();
    TlpEngine &local = *localOwner;
    TlpEngine &e = engine ? *engine : local;
    QString error;
    if (!e.configure(params, &error))
        qFatal("configure failed: %s", qPrintable(error));
    return runToCompletion(e, std::chrono::seconds(60));
}

void TestTlp::tlpOfConstructedTraces_data()
{
    QTest::addColumn<std::vector<int>>("trace");
    QTest::addColumn<bool>("defined");
    QTest::addColumn<double>("tlp");
    QTest::addColumn<double>("c0");
    QTest::newRow("empty trace") << std::vector<int> {} << false << 0.0 << 0.0;
    QTest::newRow("all idle: c_0 = 1") << std::vector<int> {0, 0, 0, 0} << false << 0.0 << 1.0;
    QTest::newRow("always one") << std::vector<int> {1, 1, 1} << true << 1.0 << 0.0;
    QTest::newRow("always four") << std::vector<int> {4, 4} << true << 4.0 << 0.0;
    // Idle time does not lower TLP: it is divided out by 1 - c_0.
    QTest::newRow("two half the time") << std::vector<int> {0, 2, 2, 0} << true << 2.0 << 0.5;
    // c = 1/4 each: (1 + 2 + 3) / 4 / (3/4) = 2.
    QTest::newRow("0,1,2,3") << std::vector<int> {1, 2, 3, 0} << true << 2.0 << 0.25;
    // Browser-like: mostly one, sometimes two: (0.6*1 + 0.2*2) / 0.8 = 1.25.
    QTest::newRow("browser-like") << std::vector<int> {1, 1, 1, 2, 0, 1, 1, 1, 2, 0} << true << 1.25 << 0.2;
}

void TestTlp::tlpOfConstructedTraces()
{
    QFETCH(std::vector<int>, trace);
    QFETCH(bool, defined);
    QFETCH(double, tlp);
    QFETCH(double, c0);
    const TlpStats s = tlpFromTrace(trace);
    QCOMPARE(s.samples, qint64(trace.size()));
    QCOMPARE(s.defined, defined);
    QVERIFY(qAbs(s.tlp - tlp) < 1e-12);
    QVERIFY(qAbs(s.c[0] - c0) < 1e-12);
    if (!trace.empty()) {
        double sum = 0, weighted = 0;
        for (size_t i = 0; i < s.c.size(); ++i) {
            sum += s.c[i];
            weighted += double(i) * s.c[i];
        }
        QVERIFY(qAbs(sum - 1.0) < 1e-12);
        QVERIFY(qAbs(s.busyFraction - (1.0 - c0)) < 1e-12);
        if (defined) // the definition, computed a second way
            QVERIFY(qAbs(s.tlp - weighted / (1.0 - s.c[0])) < 1e-12);
        QCOMPARE(s.maxConcurrent, *std::max_element(trace.begin(), trace.end()));
    }
}

void TestTlp::countsAndTraceAgree()
{
    const TlpStats a = tlpFromCounts({2, 5, 3, 0, 0});
    const TlpStats b = tlpFromTrace({0, 0, 1, 1, 1, 1, 1, 2, 2, 2});
    QCOMPARE(a.counts, b.counts);
    QCOMPARE(int(a.c.size()), 3); // trailing empty bins are dropped
    QCOMPARE(a.tlp, b.tlp);
    QVERIFY(qAbs(a.tlp - (5.0 + 6.0) / 8.0) < 1e-12);
    const TlpStats none = tlpFromCounts({});
    QCOMPARE(none.samples, qint64(0));
    QVERIFY(!none.defined);
}

void TestTlp::classifyCapsRunningAtTheCores()
{
    const std::vector<char> states {'R', 'S', 'R', 'D', 'R'};
    // Order: thread 4 is the busiest, then 2, then 0.
    auto act = classifySample(states, {4, 2, 0, 1, 3}, 2);
    QCOMPARE(act[4], ThreadActivity::Running);
    QCOMPARE(act[2], ThreadActivity::Running);
    QCOMPARE(act[0], ThreadActivity::Runnable);
    QCOMPARE(act[1], ThreadActivity::Blocked);
    QCOMPARE(act[3], ThreadActivity::Blocked);
    QCOMPARE(countRunning(act), 2);
    QCOMPARE(countRunning(classifySample(states, {}, 0)), 3); // no core limit
    QCOMPARE(countRunning(classifySample(states, {}, 8)), 3);
    QCOMPARE(countRunning(classifySample({'S', 'S'}, {}, 2)), 0);
}

void TestTlp::parsesStatWithOddCommandNames()
{
    const char line[] = "4242 (a (b) c) R 17 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 3 0";
    char state = '?';
    QString comm;
    pid_t ppid = 0;
    QVERIFY(parseProcStat(line, sizeof line - 1, &state, &comm, &ppid));
    QCOMPARE(state, 'R');
    QCOMPARE(comm, QStringLiteral("a (b) c"));
    QCOMPARE(ppid, pid_t(17));
    QVERIFY(!parseProcStat("garbage", 7, &state, &comm, &ppid));
}

void TestTlp::classifiesFromCounterGains()
{
    const std::uint64_t ms = 1000000;
    // Four threads, two cores, a 1 ms interval: threads 1 and 3 executed (0.9 and 0.8 ms),
    // thread 0 waited in the run queue, thread 2 slept.
    const std::vector<CounterDelta> d {{0, ms, 'R'}, {900000, 100000, 'R'}, {0, 0, 'S'}, {800000, 0, 'R'}};
    auto act = classifyByCounters(d, ms, 2);
    QCOMPARE(act[1], ThreadActivity::Running);
    QCOMPARE(act[3], ThreadActivity::Running);
    QCOMPARE(act[0], ThreadActivity::Runnable);
    QCOMPARE(act[2], ThreadActivity::Blocked);
    // A switch inside the interval: two threads each ran half of it on one core. The
    // average concurrency (0.5 + 0.5 = 1) says one was executing, not two.
    act = classifyByCounters({{500000, 500000, 'R'}, {500000, 500000, 'R'}}, ms, 1);
    QCOMPARE(countRunning(act), 1);
    QCOMPARE(int(std::count(act.begin(), act.end(), ThreadActivity::Runnable)), 1);
    // The state R alone does not make a thread executing: without a gain it was waiting.
    act = classifyByCounters({{0, 0, 'R'}, {0, 0, 'R'}}, ms, 2);
    QCOMPARE(countRunning(act), 0);
    // Never more executing threads than cores, however the counters add up.
    act = classifyByCounters({{ms, 0, 'R'}, {ms, 0, 'R'}, {ms, 0, 'R'}}, ms, 2);
    QCOMPARE(countRunning(act), 2);
    // A short burst still counts as one executing thread.
    QCOMPARE(countRunning(classifyByCounters({{100000, 0, 'S'}}, ms, 2)), 1);
    QVERIFY(classifyByCounters({}, ms, 2).empty());
}

void TestTlp::parsesSchedstat()
{
    std::uint64_t run = 0, wait = 0;
    const char good[] = "979883209 25556513 127\n";
    QVERIFY(parseSchedstat(good, sizeof good - 1, &run, &wait));
    QCOMPARE(run, std::uint64_t(979883209));
    QCOMPARE(wait, std::uint64_t(25556513));
    QVERIFY(!parseSchedstat("x 1 2", 5, &run, &wait));
    QVERIFY(!parseSchedstat("12", 2, &run, &wait) || wait == 0);
    QVERIFY(!parseSchedstat("", 0, &run, &wait));
    QVERIFY(!parseSchedstat("1-2 3", 5, &run, &wait));
}

void TestTlp::overloadedThreadsShareTheCoresMeasured()
{
    // Four busy threads on every core: the kernel rotates them, so no thread keeps a core
    // for the whole run and the executing fractions add up to at most the cores.
    const Result r = runTlp({{QStringLiteral("workload"), QStringLiteral("cpu")},
        {QStringLiteral("threads"), 4}, {QStringLiteral("seconds"), 1.0}, {QStringLiteral("rate_hz"), 500}});
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    if (!QFile::exists(QStringLiteral("/proc/self/schedstat")))
        QSKIP("this kernel has no per-thread schedstat counters");
    QVERIFY(r.summary.value(QStringLiteral("states_measured")).toBool());
    QCOMPARE(r.table.columns.value(4), QStringLiteral("executing_fraction"));
    QCOMPARE(int(r.table.rows.size()), 4);
    double executing = 0;
    for (const auto &row : r.table.rows) {
        const double e = row.value(4).toDouble(), w = row.value(5).toDouble(), b = row.value(6).toDouble();
        QVERIFY(e >= 0 && w >= 0 && b >= 0);
        QVERIFY2(std::abs(e + w + b - 1.0) < 1e-9, qPrintable(QString::number(e + w + b)));
        executing += e;
    }
    QVERIFY2(executing <= onlineCores() * 1.05, qPrintable(QString::number(executing)));
    // Rows are busiest first.
    QVERIFY(r.table.rows.front().value(4).toDouble() >= r.table.rows.back().value(4).toDouble());
    // With four threads on fewer than four cores, some time was spent waiting for a core.
    if (onlineCores() < 4) {
        double waiting = 0;
        for (const auto &row : r.table.rows)
            waiting += row.value(5).toDouble();
        QVERIFY2(waiting > 0, "no run-queue wait with more busy threads than cores");
    }
}

void TestTlp::oneBusyThreadHasTlpOne()
{
    // The sampler is a thread of this process and is itself running whenever it
    // samples; it must not count, or TLP would read about 2.
    const Result r = runTlp({{QStringLiteral("workload"), QStringLiteral("cpu")},
        {QStringLiteral("threads"), 1}, {QStringLiteral("seconds"), 1.0}, {QStringLiteral("rate_hz"), 500}});
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QVERIFY(r.summary.value(QStringLiteral("tlp_defined")).toBool());
    const double tlp = r.summary.value(QStringLiteral("tlp")).toDouble();
    QVERIFY2(tlp >= 1.0 && tlp < 1.1, qPrintable(QString::number(tlp)));
    // c_1 (the fraction of intervals in which the thread executed at all) and the thread's
    // executing fraction (its CPU time over the run) measure it two ways. On an idle machine they
    // agree; when other programs share the cores the thread runs in slices, and an interval with
    // any slice counts whole, so c_1 may exceed the CPU-time fraction but never fall below it
    // (beyond the jitter of interval lengths).
    const double c1 = r.summary.value(QStringLiteral("c_1")).toDouble();
    const double executing = r.summary.value(QStringLiteral("busiest_thread_executing_fraction")).toDouble();
    QVERIFY2(c1 > 0 && executing > 0 && executing <= c1 + 0.05,
        qPrintable(QStringLiteral("c_1 %1, executing fraction %2").arg(c1).arg(executing)));
    QVERIFY(r.summary.value(QStringLiteral("samples")).toDouble() > 0);
    QVERIFY(r.summary.value(QStringLiteral("achieved_rate_hz")).toDouble() > 0);
}

void TestTlp::idleThreadsLeaveCZeroAtOne()
{
    const Result r = runTlp({{QStringLiteral("workload"), QStringLiteral("idle")},
        {QStringLiteral("threads"), 3}, {QStringLiteral("seconds"), 0.5}, {QStringLiteral("rate_hz"), 500}});
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    // Nothing computes (the sampler excluded): c_0 is (nearly) 1.
    QVERIFY(r.summary.value(QStringLiteral("c_0")).toDouble() > 0.9);
    // Exactly the workers: the threads the process had before (this test's main
    // thread, the sampler) are the app's, not the workload's.
    QCOMPARE(r.summary.value(QStringLiteral("threads_seen")).toInt(), 3);
}

namespace {

// A thread that reports its id and then waits until released.
struct ParkedThread {
    std::promise<void> release;
    std::promise<pid_t> id;
    std::thread thread;
    ParkedThread()
    {
        std::shared_future<void> go = release.get_future().share();
        thread = std::thread([this, go] {
            id.set_value(static_cast<pid_t>(::gettid()));
            go.wait();
        });
    }
    ~ParkedThread()
    {
        if (thread.joinable()) // a failed check left it parked
            end();
    }
    pid_t tid() { return id.get_future().get(); }
    void end()
    {
        release.set_value();
        thread.join();
    }
};

bool sampled(const std::vector<TaskSample> &tasks, pid_t tid)
{
    return std::any_of(tasks.begin(), tasks.end(), [tid](const TaskSample &t) { return t.tid == tid; });
}

} // namespace

void TestTlp::samplerFollowsThreadsComingAndGoing()
{
    // Everything this process runs now is excluded: only the threads below count.
    std::vector<pid_t> before = ProcSampler::threadsOf(::getpid());
    QVERIFY(!before.empty());
    ProcSampler sampler(::getpid(), false, std::set<pid_t>(before.begin(), before.end()));
    QString error;
    QVERIFY2(sampler.open(&error), qPrintable(error));
    std::vector<TaskSample> tasks;
    QVERIFY(!sampler.sample(&tasks)); // nothing of ours yet
    QVERIFY(tasks.empty());

    ParkedThread a;
    const pid_t tidA = a.tid();
    sampler.refreshTasks(); // the thread count grew: the list is read again
    QVERIFY(sampler.sample(&tasks));
    QCOMPARE(int(tasks.size()), 1);
    QCOMPARE(tasks.front().tid, tidA);
    // Once parked on its futex it sleeps (it may still be on its way there).
    QTRY_VERIFY_WITH_TIMEOUT(sampler.sample(&tasks) && tasks.size() == 1 && tasks.front().state == 'S', 5000);

    // A ends and B starts before the next refresh: the thread count is the same
    // as at the last scan, yet B must be found and A dropped.
    a.end();
    ParkedThread b;
    const pid_t tidB = b.tid();
    sampler.refreshTasks();
    sampler.sample(&tasks); // A's file now reads as gone
    QVERIFY(!sampled(tasks, tidA));
    sampler.refreshTasks();
    QVERIFY(sampler.sample(&tasks));
    QVERIFY2(sampled(tasks, tidB), "a thread born while another ended was missed");
    QVERIFY(!sampled(tasks, tidA));
    b.end();
}

void TestTlp::twoBusyThreadsUseTwoCores()
{
    if (onlineCores() < 2)
        QSKIP("needs at least two cores");
    const auto eOwner = makeEngine<TlpEngine>();
    TlpEngine &e = *eOwner;
    const Result r
        = runTlp({{QStringLiteral("workload"), QStringLiteral("cpu")}, {QStringLiteral("threads"), 2},
                     {QStringLiteral("seconds"), 1.0}, {QStringLiteral("rate_hz"), 500}},
            &e);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    const double tlp = r.summary.value(QStringLiteral("tlp")).toDouble();
    // Never more executing than threads or cores. (How often both ran at once depends on what
    // else the machine runs: that is the measurement, not something a test can fix.)
    QVERIFY2(tlp >= 1.0 && tlp <= std::min(2, onlineCores()), qPrintable(QString::number(tlp)));
    QVERIFY(r.summary.value(QStringLiteral("max_concurrent")).toInt() <= 2);
    // The average number executing, from the c_i histogram, equals the sum of the threads'
    // executing fractions from their CPU-time counters (computed a second way).
    double fromHistogram = 0;
    const QJsonArray c = r.summary.value(QStringLiteral("c")).toArray();
    for (int i = 0; i < c.size(); ++i)
        fromHistogram += i * c[i].toDouble();
    double fromCounters = 0;
    for (const auto &row : r.table.rows)
        fromCounters += row.value(4).toDouble();
    QVERIFY2(std::abs(fromHistogram - fromCounters) < 0.15,
        qPrintable(QStringLiteral("histogram %1, counters %2").arg(fromHistogram).arg(fromCounters)));
    const auto snap = std::dynamic_pointer_cast<const TlpSnapshot>(e.snapshot());
    QVERIFY(snap);
    QCOMPARE(snap->cores, onlineCores());
    QVERIFY(!snap->lanes.empty());
    // The two lanes are the workers, each running part of the time.
    QCOMPARE(int(snap->lanes.size()), 2);
    QVERIFY(snap->lanes[0].runningFraction > 0);
    QVERIFY(snap->lanes[1].runningFraction > 0);
}

void TestTlp::badPidIsAClearError()
{
    const Result r = runTlp({{QStringLiteral("pid"), 4194303}, {QStringLiteral("seconds"), 0.5}});
    QVERIFY(r.error.startsWith(QLatin1String("no process with pid 4194303")));
}

void TestTlp::measuresAnOutsidePid()
{
    const pid_t child = ::fork();
    QVERIFY(child >= 0);
    if (child == 0) {
        ::execl("/bin/sleep", "sleep", "20", static_cast<char *>(nullptr));
        _exit(127);
    }
    const Result r = runTlp({{QStringLiteral("pid"), int(child)}, {QStringLiteral("seconds"), 0.4},
        {QStringLiteral("rate_hz"), 200}});
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.summary.value(QStringLiteral("target_pid")).toInt(), int(child));
    QVERIFY(r.summary.value(QStringLiteral("samples")).toDouble() > 0);
    // sleep never computes.
    QVERIFY(r.summary.value(QStringLiteral("c_0")).toDouble() > 0.9);
}

void TestTlp::startedCommandIsMeasuredKilledAndReaped()
{
    // `yes` writes to /dev/null as fast as it can: one busy thread.
    const Result r = runTlp({{QStringLiteral("command"), QStringLiteral("yes proclab")},
        {QStringLiteral("seconds"), 0.8}, {QStringLiteral("rate_hz"), 500}});
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    const pid_t pid = r.summary.value(QStringLiteral("target_pid")).toInt();
    QVERIFY(pid > 0);
    QVERIFY(isReaped(pid));
    QCOMPARE(r.summary.value(QStringLiteral("command_exit")).toString(),
        QStringLiteral("killed at the end of the measurement"));
    const double tlp = r.summary.value(QStringLiteral("tlp")).toDouble();
    QVERIFY2(tlp >= 1.0 && tlp < 1.1, qPrintable(QString::number(tlp)));
}

void TestTlp::missingCommandIsAClearError()
{
    const Result r = runTlp({{QStringLiteral("command"), QStringLiteral("no-such-program-proclab --x")},
        {QStringLiteral("seconds"), 3.0}});
    QVERIFY2(r.error.contains(QLatin1String("command not found")), qPrintable(r.error));
}

void TestTlp::stopKillsTheStartedCommand()
{
    const auto eOwner = makeEngine<TlpEngine>();
    TlpEngine &e = *eOwner;
    QVERIFY(e.configure(
        {{QStringLiteral("command"), QStringLiteral("sleep 30")}, {QStringLiteral("seconds"), 60.0}}));
    e.setSpeed(0);
    e.start();
    std::shared_ptr<const Snapshot> snap;
    for (int i = 0; i < 400 && !snap; ++i) {
        QTest::qWait(10);
        snap = e.snapshot();
    }
    e.stop();
    const auto final = e.snapshot();
    QVERIFY(final);
    const pid_t pid = final->result.summary.value(QStringLiteral("target_pid")).toInt();
    QVERIFY(pid > 0);
    QVERIFY(isReaped(pid));
    QCOMPARE(e.state(), RunState::Stopped);
}

void TestTlp::typedConfigPicksTheTarget()
{
    const auto e = makeEngine<TlpEngine>();
    auto configOf = [&](const QVariantMap &overrides) {
        ParamValues values;
        QString error;
        if (!e->schema().resolve(overrides, &values, &error))
            qFatal("%s", qPrintable(error));
        const std::optional<TlpConfig> c = TlpConfig::fromParams(values, &error);
        if (!c)
            qFatal("%s", qPrintable(error));
        return *c;
    };
    const TlpConfig own = configOf({{QStringLiteral("workload"), QStringLiteral("webclient")},
        {QStringLiteral("threads"), 5}, {QStringLiteral("rate_hz"), 250}});
    QVERIFY(own.target == TlpConfig::Target::OwnWorkload);
    QVERIFY(own.workload == OwnWorkloadKind::WebClient);
    QCOMPARE(own.threads, 5);
    QCOMPARE(own.rateHz, 250.0);
    const TlpConfig pid = configOf({{QStringLiteral("pid"), 1234}});
    QVERIFY(pid.target == TlpConfig::Target::Pid);
    QCOMPARE(pid.pid, pid_t(1234));
    // A command takes precedence over a pid, and is trimmed.
    const TlpConfig cmd = configOf(
        {{QStringLiteral("pid"), 1234}, {QStringLiteral("command"), QStringLiteral("  make -j2 ")}});
    QVERIFY(cmd.target == TlpConfig::Target::Command);
    QCOMPARE(cmd.command, QStringLiteral("make -j2"));
    for (OwnWorkloadKind k :
        {OwnWorkloadKind::Cpu, OwnWorkloadKind::Mixed, OwnWorkloadKind::WebClient, OwnWorkloadKind::Idle})
        QVERIFY(ownWorkloadFromId(ownWorkloadId(k)) == k);
    QVERIFY(!ownWorkloadFromId(QStringLiteral("nope")));
}

void TestTlp::everySummaryKeyIsDeclared_data()
{
    QTest::addColumn<QVariantMap>("params");
    QTest::newRow("own workload") << QVariantMap {{QStringLiteral("workload"), QStringLiteral("mixed")},
        {QStringLiteral("threads"), 2}, {QStringLiteral("seconds"), 0.3}, {QStringLiteral("rate_hz"), 200}};
    // A command that ends by itself: command_exit, command_exit_code and ended_early.
    QTest::newRow("command ending early")
        << QVariantMap {{QStringLiteral("command"), QStringLiteral("sleep 0.3")},
               {QStringLiteral("seconds"), 20.0}, {QStringLiteral("rate_hz"), 200}};
}

void TestTlp::everySummaryKeyIsDeclared()
{
    QFETCH(QVariantMap, params);
    const auto e = makeEngine<TlpEngine>();
    const Result r = runTlp(params, e.get());
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    const std::vector<OutputSpec> outputs = e->outputs();
    QVERIFY(r.summary.contains(QStringLiteral("c_0")));
    for (const QString &key : r.summary.keys())
        QVERIFY2(outputsContain(outputs, key), qPrintable(key));
    if (params.contains(QStringLiteral("command"))) {
        QCOMPARE(r.summary.value(QStringLiteral("ended_early")).toBool(), true);
        QCOMPARE(r.summary.value(QStringLiteral("command_exit_code")).toInt(), 0);
    }
    QStringList ids;
    for (const Series &sr : r.series)
        ids << sr.id;
    QCOMPARE(ids, (QStringList {QStringLiteral("c_i"), QStringLiteral("tlp_window")}));
}

void TestTlp::engineIsRegistered()
{
    const auto *entry = EngineRegistry::builtin().find(QStringLiteral("tlp"));
    QVERIFY(entry);
    QVERIFY(entry->schema.find(QStringLiteral("command")));
    QCOMPARE(entry->schema.find(QStringLiteral("rate_hz"))->defaultValue.toInt(), 1000);
}

QTEST_APPLESS_MAIN(TestTlp)
#include "tst_tlp.moc"
