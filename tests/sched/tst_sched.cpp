#include "sched/schedengine.h"
#include "sched/schedmodel.h"
#include <map>
#include <set>
#include <tuple>

#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <thread>

using namespace proclab;

class TestSched : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void niceWeights();
    void manyToOneBlockingCallStallsWholeProcess();
    void oneToOneBlockingCallStallsOnlyTheCaller();
    void blockingWorkloadOrder();
    void cfsSharesMatchWeights_data();
    void cfsSharesMatchWeights();
    void vruntimesStayWithinOnePeriod_data();
    void vruntimesStayWithinOnePeriod();
    void invariantsHoldEveryEvent_data();
    void invariantsHoldEveryEvent();
    void userThreadNeverOnTwoCpus();
    void workIsConserved();
    void sameSeedSameTrace();
    void oneToOneTrapsForUserWaits();
    void badInputGivesOneLineErrors_data();
    void badInputGivesOneLineErrors();
    void granularityAboveLatencyIsRefused();
    void typedConfigMatchesTheParameters();
    void everySummaryKeyIsDeclared_data();
    void everySummaryKeyIsDeclared();
    void jsonWorkloadFile();
    void engineRunsHeadless();
    void engineStepsOneEventAtATime();
};

namespace {

Workload workloadOf(const QString &name, int threads = 3, const QString &nices = {}, std::uint64_t seed = 1)
{
    QString error;
    auto w = loadWorkload(name, threads, nices, seed, &error);
    if (!w)
        qFatal("%s", qPrintable(error));
    return *w;
}

SchedConfig config(ThreadingModel m, SchedPolicy p, int cpus = 1)
{
    SchedConfig c;
    c.model = m;
    c.policy = p;
    c.cpus = cpus;
    c.traceCap = 1000000;
    return c;
}

int threadIndex(const SchedModel &m, const QString &name)
{
    const auto ts = m.userThreads();
    for (int i = 0; i < int(ts.size()); ++i) {
        if (ts[i].name == name)
            return i;
    }
    return -1;
}

// The [block, wake) intervals of user thread u's blocking system calls, from the trace.
std::vector<std::pair<std::int64_t, std::int64_t>> syscallIntervals(const SchedModel &m, int u)
{
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    std::int64_t since = -1;
    for (const auto &e : m.trace()) {
        if (e.userThread != u)
            continue;
        if (e.kind == SchedEvent::Kind::Block)
            since = e.timeNs;
        else if (e.kind == SchedEvent::Kind::Wake && since >= 0) {
            out.emplace_back(since, e.timeNs);
            since = -1;
        }
    }
    return out;
}

} // namespace

void TestSched::niceWeights()
{
    QCOMPARE(niceToWeight(0), 1024);
    QCOMPARE(niceToWeight(-20), 88761);
    QCOMPARE(niceToWeight(19), 15);
    QCOMPARE(niceToWeight(5), 335);
    // Each nice step is about 1.25x (10% CPU per step between two threads).
    for (int n = -20; n < 19; ++n) {
        const double r = double(niceToWeight(n)) / niceToWeight(n + 1);
        QVERIFY2(r > 1.15 && r < 1.35, qPrintable(QString::number(n)));
    }
}

void TestSched::manyToOneBlockingCallStallsWholeProcess()
{
    SchedModel m(workloadOf(QStringLiteral("blocking")), config(ThreadingModel::ManyToOne, SchedPolicy::Cfs));
    m.runToEnd();
    const int a = threadIndex(m, QStringLiteral("A"));
    const auto blocks = syscallIntervals(m, a);
    QCOMPARE(int(blocks.size()), 1);
    QCOMPARE(blocks[0].second - blocks[0].first, std::int64_t(20000000));
    // While A is in its system call, no thread of its process gets any CPU, although B and C are runnable.
    for (const auto &g : m.gantt()) {
        const bool overlaps = g.startNs < blocks[0].second && g.endNs > blocks[0].first;
        QVERIFY2(!overlaps,
            qPrintable(QStringLiteral("thread %1 ran %2..%3 ns during the block")
                           .arg(g.userThread)
                           .arg(g.startNs)
                           .arg(g.endNs)));
    }
    // And B and C were not done when A blocked (they really were stalled).
    const auto ts = m.userThreads();
    QVERIFY(ts[threadIndex(m, QStringLiteral("B"))].finishNs > blocks[0].first);
    QVERIFY(ts[threadIndex(m, QStringLiteral("C"))].finishNs > blocks[0].first);
}

void TestSched::oneToOneBlockingCallStallsOnlyTheCaller()
{
    for (auto model : {ThreadingModel::OneToOne, ThreadingModel::ManyToMany}) {
        SchedModel m(workloadOf(QStringLiteral("blocking")), config(model, SchedPolicy::Cfs));
        m.runToEnd();
        const int a = threadIndex(m, QStringLiteral("A"));
        const auto blocks = syscallIntervals(m, a);
        QCOMPARE(int(blocks.size()), 1);
        std::int64_t othersRan = 0;
        for (const auto &g : m.gantt()) {
            const std::int64_t lo = std::max(g.startNs, blocks[0].first);
            const std::int64_t hi = std::min(g.endNs, blocks[0].second);
            if (g.userThread != a && hi > lo)
                othersRan += hi - lo;
        }
        // B and C need 16 ms of CPU together; the block lasts 20 ms: most of it is used.
        QVERIFY2(othersRan > 15000000, qPrintable(QString::number(othersRan)));
    }
}

void TestSched::blockingWorkloadOrder()
{
    // T7-T9: one blocking call; N:1 wastes the 20 ms, 1:1 and M:N overlap it with B and C.
    auto makespan = [](ThreadingModel model) {
        SchedModel m(workloadOf(QStringLiteral("blocking")), config(model, SchedPolicy::Cfs));
        m.runToEnd();
        std::int64_t end = 0;
        for (const auto &t : m.userThreads())
            end = std::max(end, t.finishNs);
        return end;
    };
    const auto n1 = makespan(ThreadingModel::ManyToOne);
    const auto one = makespan(ThreadingModel::OneToOne);
    const auto mn = makespan(ThreadingModel::ManyToMany);
    QVERIFY(n1 > one);
    QVERIFY(n1 > mn);
    // N:1 is at least the sum of all CPU work and the block: 4+20+4+8+8 ms.
    QVERIFY(n1 >= 44000000);
    // 1:1 and M:N overlap: close to 4 + 20 + 4 ms plus overheads.
    QVERIFY(one < 30000000);
    QVERIFY(mn < 30000000);
}

void TestSched::cfsSharesMatchWeights_data()
{
    QTest::addColumn<QString>("nices");
    QTest::addColumn<int>("threads");
    QTest::newRow("0,5") << QStringLiteral("0,5") << 2;
    QTest::newRow("0,5,-3") << QStringLiteral("0,5,-3") << 3;
    QTest::newRow("0,0,0,0") << QStringLiteral("0,0,0,0") << 4;
    QTest::newRow("-5,0,5,10,15") << QStringLiteral("-5,0,5,10,15") << 5;
    QTest::newRow("ten threads") << QStringLiteral("0,1,2,3,4,5,6,7,8,9") << 10;
}

void TestSched::cfsSharesMatchWeights()
{
    QFETCH(QString, nices);
    QFETCH(int, threads);
    SchedConfig c = config(ThreadingModel::OneToOne, SchedPolicy::Cfs);
    c.maxTimeNs = 20000000000LL; // 20 s of always-runnable threads
    c.traceCap = 0;
    SchedModel m(workloadOf(QStringLiteral("cpu"), threads, nices), c);
    m.runToEnd();
    const auto ts = m.userThreads();
    double totalW = 0, totalCpu = 0;
    for (const auto &t : ts) {
        totalW += t.weight;
        totalCpu += t.cpuNs + t.overheadNs;
    }
    for (const auto &t : ts) {
        const double expected = t.weight / totalW;
        const double share = (t.cpuNs + t.overheadNs) / totalCpu;
        QVERIFY2(std::abs(share - expected) <= 0.01 * expected,
            qPrintable(QStringLiteral("%1 (nice %2): share %3, weight share %4")
                           .arg(t.name)
                           .arg(t.nice)
                           .arg(share)
                           .arg(expected)));
    }
}

void TestSched::vruntimesStayWithinOnePeriod_data()
{
    QTest::addColumn<QString>("nices");
    QTest::addColumn<int>("threads");
    QTest::addColumn<int>("cpus");
    QTest::newRow("0,5 on 1 CPU") << QStringLiteral("0,5") << 2 << 1;
    QTest::newRow("0,5,-3 on 1 CPU") << QStringLiteral("0,5,-3") << 3 << 1;
    QTest::newRow("12 equal on 1 CPU") << QString() << 12 << 1;
    QTest::newRow("6 mixed on 2 CPUs") << QStringLiteral("0,2,4,-2,-4,6") << 6 << 2;
}

void TestSched::vruntimesStayWithinOnePeriod()
{
    QFETCH(QString, nices);
    QFETCH(int, threads);
    QFETCH(int, cpus);
    SchedConfig c = config(ThreadingModel::OneToOne, SchedPolicy::Cfs, cpus);
    c.maxTimeNs = 2000000000LL;
    c.traceCap = 0;
    SchedModel m(workloadOf(QStringLiteral("cpu"), threads, nices), c);
    std::int64_t worst = 0;
    int checked = 0;
    // Every thread is always runnable; check after each event once all have been created.
    while (m.step()) {
        bool allIn = true;
        for (const auto &t : m.userThreads())
            allIn = allIn && t.state != UserState::NotStarted;
        // Threads created at the same moment start a virtual slice apart (START_DEBIT);
        // the bound holds once they have all run, after a warm-up of 50 ms.
        if (!allIn || m.nowNs() < 50000000)
            continue;
        const std::int64_t spread = m.vruntimeSpreadNs();
        worst = std::max(worst, spread);
        QVERIFY2(spread <= m.schedPeriodNs(),
            qPrintable(QStringLiteral("t=%1 ns: spread %2 ns > period %3 ns")
                           .arg(m.nowNs())
                           .arg(spread)
                           .arg(m.schedPeriodNs())));
        ++checked;
    }
    QVERIFY(checked > 100);
    QVERIFY(worst > 0);
}

void TestSched::invariantsHoldEveryEvent_data()
{
    QTest::addColumn<int>("model");
    QTest::addColumn<int>("policy");
    QTest::addColumn<QString>("workload");
    QTest::addColumn<int>("cpus");
    QTest::addColumn<bool>("destroy");
    const char *workloads[] = {"blocking", "sync", "twoproc", "mixed", "random", "interactive"};
    for (int mo = 0; mo < 3; ++mo) {
        for (int po = 0; po < 4; ++po) {
            for (const char *w : workloads) {
                for (int cpus : {1, 3}) {
                    QTest::addRow("m%d p%d %s %d cpu", mo, po, w, cpus)
                        << mo << po << QString::fromLatin1(w) << cpus << (mo == 2 && cpus == 3);
                }
            }
        }
    }
}

void TestSched::invariantsHoldEveryEvent()
{
    QFETCH(int, model);
    QFETCH(int, policy);
    QFETCH(QString, workload);
    QFETCH(int, cpus);
    QFETCH(bool, destroy);
    SchedConfig c = config(static_cast<ThreadingModel>(model), static_cast<SchedPolicy>(policy), cpus);
    c.maxTimeNs = 300000000LL;
    c.destroyIdleLwps = destroy;
    c.lwpsPerProcess = 2;
    SchedModel m(workloadOf(workload, 7, {}, 5), c);
    QString broken = m.checkInvariants();
    QVERIFY2(broken.isEmpty(), qPrintable(broken));
    int steps = 0;
    while (m.step()) {
        broken = m.checkInvariants();
        QVERIFY2(broken.isEmpty(),
            qPrintable(QStringLiteral("after step %1 (%2): %3").arg(steps).arg(m.lastStepText(), broken)));
        QVERIFY(++steps < 2000000);
    }
    QVERIFY(steps > 0);
}

void TestSched::userThreadNeverOnTwoCpus()
{
    // Computed a second way: the Gantt bars of one user thread never overlap in time,
    // whatever kernel thread or CPU they were on (M:N with several LWPs and CPUs).
    for (int cpus : {2, 4}) {
        SchedConfig c = config(ThreadingModel::ManyToMany, SchedPolicy::RoundRobin, cpus);
        c.lwpsPerProcess = 4;
        c.quantumNs = 1000000;
        c.destroyIdleLwps = true;
        SchedModel m(workloadOf(QStringLiteral("random"), 12, {}, 9), c);
        m.runToEnd();
        auto bars = m.gantt();
        QVERIFY(bars.size() > 20);
        std::sort(bars.begin(), bars.end(), [](const GanttSegment &a, const GanttSegment &b) {
            return a.userThread != b.userThread ? a.userThread < b.userThread : a.startNs < b.startNs;
        });
        for (size_t i = 1; i < bars.size(); ++i) {
            if (bars[i].userThread == bars[i - 1].userThread)
                QVERIFY2(bars[i].startNs >= bars[i - 1].endNs,
                    qPrintable(QStringLiteral("user thread %1 overlaps itself").arg(bars[i].userThread)));
        }
        // Several kernel threads did carry the same user thread over the run (it migrates).
        std::map<int, std::set<int>> carriers;
        for (const auto &g : bars)
            carriers[g.userThread].insert(g.kernelThread);
        bool migrated = false;
        for (const auto &[u, ks] : carriers)
            migrated = migrated || ks.size() > 1;
        QVERIFY(migrated);
    }
}

void TestSched::workIsConserved()
{
    // Every thread that finished received exactly the CPU time its script asks for,
    // and CPU busy time = thread time + kernel switch time.
    const Workload w = workloadOf(QStringLiteral("twoproc"));
    for (int mo = 0; mo < 3; ++mo) {
        SchedModel m(w, config(static_cast<ThreadingModel>(mo), SchedPolicy::RoundRobin, 2));
        m.runToEnd();
        const auto ts = m.userThreads();
        int i = 0;
        std::int64_t threadTime = 0;
        for (const auto &p : w.processes) {
            for (const auto &t : p.threads) {
                std::int64_t want = 0;
                for (const auto &op : t.ops)
                    want += op.kind == WorkOp::Kind::Cpu ? op.durationNs : 0;
                want *= t.loops;
                QVERIFY(ts[i].finishNs >= 0);
                QCOMPARE(ts[i].cpuNs, want);
                threadTime += ts[i].cpuNs + ts[i].overheadNs;
                ++i;
            }
        }
        QCOMPARE(m.cpuBusyNs(), threadTime + m.kernelSwitchNs());
    }
}

void TestSched::sameSeedSameTrace()
{
    auto traceOf = [](std::uint64_t seed) {
        SchedConfig c = config(ThreadingModel::ManyToMany, SchedPolicy::Cfs, 2);
        SchedModel m(workloadOf(QStringLiteral("random"), 9, {}, seed), c);
        m.runToEnd();
        QStringList lines;
        for (const auto &e : m.trace())
            lines << QStringLiteral("%1 %2 %3 %4 %5")
                         .arg(e.timeNs)
                         .arg(int(e.kind))
                         .arg(e.cpu)
                         .arg(e.kernelThread)
                         .arg(e.userThread);
        return lines;
    };
    const QStringList a = traceOf(3), b = traceOf(3), c = traceOf(4);
    QVERIFY(a.size() > 20);
    QCOMPARE(a, b);
    QVERIFY(a != c);
}

void TestSched::oneToOneTrapsForUserWaits()
{
    // T8: under 1:1 every user-level wait becomes a trap and a kernel switch;
    // under N:1 the library switches threads without the kernel.
    auto run = [](ThreadingModel model) {
        SchedConfig c = config(model, SchedPolicy::Cfs);
        SchedModel m(workloadOf(QStringLiteral("sync")), c);
        m.runToEnd();
        return std::make_tuple(m.traps(), m.kernelSwitches(), m.userSwitches());
    };
    const auto [trapsN1, kswN1, uswN1] = run(ThreadingModel::ManyToOne);
    const auto [traps11, ksw11, usw11] = run(ThreadingModel::OneToOne);
    QCOMPARE(trapsN1, quint64(0));
    QVERIFY(uswN1 > 50);
    QCOMPARE(usw11, quint64(0));
    // 4 threads x 25 waits each, plus creating and ending 4 threads.
    QCOMPARE(traps11, quint64(4 * 25 + 4 + 4));
    QVERIFY(ksw11 > kswN1);
}

void TestSched::badInputGivesOneLineErrors_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("expected");
    QTest::newRow("unknown workload") << "workload"
                                      << "nope"
                                      << "unknown workload 'nope'";
    QTest::newRow("missing file") << "workload"
                                  << "/nonexistent/w.json"
                                  << "cannot open";
    QTest::newRow("bad json") << "workload"
                              << "{\"processes\": ["
                              << "JSON error";
    QTest::newRow("bad op") << "workload"
                            << R"({"processes":[{"threads":[{"ops":[["fly",3]]}]}]})"
                            << "unknown operation 'fly'";
    QTest::newRow("no cpu") << "workload"
                            << R"({"processes":[{"threads":[{"ops":[["syscall",3]]}]}]})"
                            << "at least one cpu operation";
    QTest::newRow("bad nice") << "nices"
                              << "0,99"
                              << "not a nice value";
}

void TestSched::badInputGivesOneLineErrors()
{
    QFETCH(QString, key);
    QFETCH(QString, value);
    QFETCH(QString, expected);
    const auto eOwner = makeEngine<SchedEngine>();
    SchedEngine &e = *eOwner;
    // The workload is loaded in configure(): bad input is refused there, before any run.
    QString error;
    QVERIFY(!e.configure({{key, value}}, &error));
    QVERIFY2(error.contains(expected), qPrintable(error));
    QVERIFY(!error.contains(QLatin1Char('\n')));
    QCOMPARE(e.state(), RunState::Idle);
    // The same text through the typed configuration alone.
    ParamValues values;
    QVERIFY(e.schema().resolve({{key, value}}, &values, &error));
    QString direct;
    QVERIFY(!SchedEngineConfig::fromParams(values, &direct));
    QCOMPARE(direct, error);
}

void TestSched::granularityAboveLatencyIsRefused()
{
    const auto eOwner = makeEngine<SchedEngine>();
    QString error;
    QVERIFY(!eOwner->configure(
        {{QStringLiteral("min_granularity_ms"), 8.0}, {QStringLiteral("latency_ms"), 6.0}}, &error));
    QVERIFY2(
        error.contains(QLatin1String("min_granularity_ms")) && error.contains(QLatin1String("latency_ms")),
        qPrintable(error));
    QVERIFY(eOwner->configure(
        {{QStringLiteral("min_granularity_ms"), 6.0}, {QStringLiteral("latency_ms"), 6.0}}, &error));
}

void TestSched::typedConfigMatchesTheParameters()
{
    const auto eOwner = makeEngine<SchedEngine>();
    ParamValues values;
    QString error;
    const QVariantMap overrides {{QStringLiteral("model"), QStringLiteral("mn")},
        {QStringLiteral("policy"), QStringLiteral("rr")}, {QStringLiteral("quantum_ms"), 2.5},
        {QStringLiteral("trap_us"), 7.0}, {QStringLiteral("workload"), QStringLiteral("cpu")},
        {QStringLiteral("threads"), 4}, {QStringLiteral("nices"), QStringLiteral("0,5")},
        {QStringLiteral("table"), QStringLiteral("trace")}};
    QVERIFY2(eOwner->schema().resolve(overrides, &values, &error), qPrintable(error));
    const std::optional<SchedEngineConfig> c = SchedEngineConfig::fromParams(values, &error);
    QVERIFY2(c, qPrintable(error));
    QCOMPARE(c->model.model, ThreadingModel::ManyToMany);
    QCOMPARE(c->model.policy, SchedPolicy::RoundRobin);
    QCOMPARE(c->model.quantumNs, std::int64_t(2500000));
    QCOMPARE(c->model.trapNs, std::int64_t(7000));
    QVERIFY(c->traceTable);
    QCOMPARE(c->workload.threadCount(), 4);
    QCOMPARE(c->workload.processes[0].threads[1].nice, 5);
    QCOMPARE(c->workload.processes[0].threads[2].nice, 0); // fewer nices than threads: the rest keep theirs
}

void TestSched::everySummaryKeyIsDeclared_data()
{
    QTest::addColumn<QVariantMap>("params");
    QTest::newRow("1:1 CFS, cpu, nices") << QVariantMap {{QStringLiteral("workload"), QStringLiteral("cpu")},
        {QStringLiteral("nices"), QStringLiteral("0,5,-3")}, {QStringLiteral("max_ms"), 50.0}};
    QTest::newRow("N:1 FCFS, blocking") << QVariantMap {
        {QStringLiteral("model"), QStringLiteral("n1")}, {QStringLiteral("policy"), QStringLiteral("fcfs")}};
    QTest::newRow("M:N RR, mixed, trace") << QVariantMap {{QStringLiteral("model"), QStringLiteral("mn")},
        {QStringLiteral("policy"), QStringLiteral("rr")},
        {QStringLiteral("workload"), QStringLiteral("mixed")},
        {QStringLiteral("table"), QStringLiteral("trace")}, {QStringLiteral("max_ms"), 100.0}};
}

void TestSched::everySummaryKeyIsDeclared()
{
    QFETCH(QVariantMap, params);
    const auto eOwner = makeEngine<SchedEngine>();
    QString error;
    QVERIFY2(eOwner->configure(params, &error), qPrintable(error));
    const Result r = runToCompletion(*eOwner, std::chrono::seconds(30));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    const std::vector<OutputSpec> outputs = eOwner->outputs();
    QVERIFY(!r.summary.isEmpty());
    for (const QString &key : r.summary.keys())
        QVERIFY2(outputsContain(outputs, key), qPrintable(key));
    for (const OutputSpec &o : outputs)
        QVERIFY2(!o.help.isEmpty() && !o.help.contains(QLatin1Char('\n')), qPrintable(o.key));
    // Series carry ids, distinct within the result.
    QSet<QString> ids;
    for (const Series &sr : r.series) {
        QVERIFY2(!sr.id.isEmpty(), qPrintable(sr.name));
        QVERIFY2(!ids.contains(sr.id), qPrintable(sr.id));
        ids.insert(sr.id);
    }
    QVERIFY(ids.contains(QStringLiteral("cpu_share")));
}

void TestSched::jsonWorkloadFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("w.json"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"processes":[{"name":"srv","threads":[
        {"name":"x","ops":[["cpu",2],["syscall",5],["cpu",1]]},
        {"name":"y","nice":5,"start_ms":1,"loops":3,"ops":[["cpu",1],["uwait",2]]}]}]})");
    f.close();
    const auto eOwner = makeEngine<SchedEngine>();
    SchedEngine &e = *eOwner;
    QString error;
    QVERIFY2(
        e.configure(
            {{QStringLiteral("workload"), path}, {QStringLiteral("model"), QStringLiteral("mn")}}, &error),
        qPrintable(error));
    const Result r = runToCompletion(e, std::chrono::seconds(10));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.summary.value(QStringLiteral("threads")).toInt(), 2);
    QVERIFY(r.summary.value(QStringLiteral("all_finished")).toBool());
    QVERIFY(r.summary.value(QStringLiteral("finish_ms_x")).toDouble() >= 8.0);
    QCOMPARE(r.table.rows.size(), size_t(2));
}

void TestSched::engineRunsHeadless()
{
    const auto eOwner = makeEngine<SchedEngine>();
    SchedEngine &e = *eOwner;
    QString error;
    QVERIFY2(e.configure({{QStringLiteral("model"), QStringLiteral("mn")},
                             {QStringLiteral("policy"), QStringLiteral("cfs")},
                             {QStringLiteral("workload"), QStringLiteral("mixed")},
                             {QStringLiteral("cpus"), 2}, {QStringLiteral("table"), QStringLiteral("trace")}},
                 &error),
        qPrintable(error));
    const Result r = runToCompletion(e, std::chrono::seconds(30));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.provenance, Provenance::Model);
    for (const char *key : {"makespan_ms", "mean_turnaround_ms", "mean_waiting_ms", "mean_response_ms",
             "cpu_utilisation", "kernel_switches", "user_switches", "traps", "events"}) {
        QVERIFY2(r.summary.contains(QLatin1String(key)), key);
    }
    const double util = r.summary.value(QStringLiteral("cpu_utilisation")).toDouble();
    QVERIFY(util > 0 && util <= 1.0);
    QVERIFY(r.summary.value(QStringLiteral("user_switches")).toDouble() > 0);
    QVERIFY(!r.table.rows.empty());
    QCOMPARE(r.table.columns.first(), QStringLiteral("time_ms"));
    QVERIFY(r.series.size() >= 2);
    const auto snap = std::dynamic_pointer_cast<const SchedSnapshot>(e.snapshot());
    QVERIFY(snap);
    QVERIFY(snap->finished);
    QVERIFY(!snap->gantt.empty());
}

void TestSched::engineStepsOneEventAtATime()
{
    const auto eOwner = makeEngine<SchedEngine>();
    SchedEngine &e = *eOwner;
    QVERIFY(e.configure({{QStringLiteral("workload"), QStringLiteral("blocking")}}));
    e.setSpeed(1000);
    e.stepOnce(); // starts paused and lets one event through
    auto stepsNow = [&]() -> quint64 {
        const auto s = std::dynamic_pointer_cast<const SchedSnapshot>(e.snapshot());
        return s ? s->steps : 0;
    };
    for (quint64 want = 1; want <= 3; ++want) {
        QTRY_COMPARE_WITH_TIMEOUT(stepsNow(), want, 5000);
        // Paused: no further event passes without another step.
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        QCOMPARE(stepsNow(), want);
        e.stepOnce();
    }
    e.stop();
    QCOMPARE(e.state(), RunState::Stopped);
}

QTEST_APPLESS_MAIN(TestSched)
#include "tst_sched.moc"
