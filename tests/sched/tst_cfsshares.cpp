// The CFS shares sched offers other engines: the weight shares of Linux's table, and the
// model's shares of always-runnable threads (what threads-live shows beside its measurement).
#include "sched/cfsshares.h"
#include "sched/schedmodel.h"
#include "sched/schedworkload.h"

#include <QTest>

#include <numeric>

using namespace proclab;

class TestCfsShares : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void weightsAreLinuxsTable();
    void weightSharesFollowTheTable_data();
    void weightSharesFollowTheTable();
    void degenerateInputs();
    void modelSharesAreTheWorkloadRunsShares_data();
    void modelSharesAreTheWorkloadRunsShares();
    void modelSharesApproachWeightShares();
    void busyThreadsWorkloadIsTheCpuWorkload();
};

namespace {

// sched_prio_to_weight[] in the Linux kernel (kernel/sched/core.c), nice -20 .. 19, written out
// here a second time so that a change to the model's copy is caught.
constexpr int kLinuxWeights[40] = {
    /* -20 */ 88761,
    71755,
    56483,
    46273,
    36291,
    /* -15 */ 29154,
    23254,
    18705,
    14949,
    11916,
    /* -10 */ 9548,
    7620,
    6100,
    4904,
    3906,
    /*  -5 */ 3121,
    2501,
    1991,
    1586,
    1277,
    /*   0 */ 1024,
    820,
    655,
    526,
    423,
    /*   5 */ 335,
    272,
    215,
    172,
    137,
    /*  10 */ 110,
    87,
    70,
    56,
    45,
    /*  15 */ 36,
    29,
    23,
    18,
    15,
};

int linuxWeight(int nice)
{
    return kLinuxWeights[nice + 20];
}

// The shares the model gave before there was a typed function: the workload loaded by name
// with the nice values as text, run the same way.
std::vector<double> sharesThroughTheWorkloadLoader(const std::vector<int> &nices, std::int64_t durationNs)
{
    QStringList text;
    for (int n : nices)
        text << QString::number(n);
    QString error;
    const auto w
        = loadWorkload(QStringLiteral("cpu"), int(nices.size()), text.join(QLatin1Char(',')), 1, &error);
    if (!w)
        qFatal("%s", qPrintable(error));
    SchedConfig cfg;
    cfg.model = ThreadingModel::OneToOne;
    cfg.policy = SchedPolicy::Cfs;
    cfg.cpus = 1;
    cfg.maxTimeNs = durationNs;
    cfg.traceCap = 0;
    SchedModel model(*w, cfg);
    model.runToEnd();
    const auto uts = model.userThreads();
    std::int64_t total = 0;
    for (const auto &u : uts)
        total += u.cpuNs + u.overheadNs;
    std::vector<double> out;
    for (const auto &u : uts)
        out.push_back(total > 0 ? double(u.cpuNs + u.overheadNs) / total : 0);
    return out;
}

} // namespace

void TestCfsShares::weightsAreLinuxsTable()
{
    for (int nice = -20; nice <= 19; ++nice)
        QCOMPARE(niceToWeight(nice), linuxWeight(nice));
    // Out of range clamps to the ends of the table.
    QCOMPARE(niceToWeight(-40), linuxWeight(-20));
    QCOMPARE(niceToWeight(40), linuxWeight(19));
}

void TestCfsShares::weightSharesFollowTheTable_data()
{
    QTest::addColumn<std::vector<int>>("nices");
    QTest::newRow("0,5") << std::vector<int> {0, 5};
    QTest::newRow("0,0") << std::vector<int> {0, 0};
    QTest::newRow("-20,19") << std::vector<int> {-20, 19};
    QTest::newRow("-5,0,5,10,15") << std::vector<int> {-5, 0, 5, 10, 15};
    QTest::newRow("one thread") << std::vector<int> {7};
}

void TestCfsShares::weightSharesFollowTheTable()
{
    QFETCH(std::vector<int>, nices);
    const std::vector<double> shares = cfsNiceShares(nices);
    QCOMPARE(shares.size(), nices.size());
    double total = 0;
    for (int n : nices)
        total += linuxWeight(n);
    double sum = 0;
    for (std::size_t i = 0; i < nices.size(); ++i) {
        QCOMPARE(shares[i], linuxWeight(nices[i]) / total);
        sum += shares[i];
    }
    QVERIFY(qAbs(sum - 1.0) < 1e-12);
    // The same through the weights.
    std::vector<int> weights;
    for (int n : nices)
        weights.push_back(linuxWeight(n));
    QCOMPARE(cfsWeightShares(weights), shares);
}

void TestCfsShares::degenerateInputs()
{
    QVERIFY(cfsWeightShares({}).empty());
    QCOMPARE(cfsWeightShares({0, 0}), (std::vector<double> {0.0, 0.0}));
    QVERIFY(cfsModelShares({}, 1000000).empty());
    // The famous pair: nice 0 gets 1024 / 1359 of the CPU.
    QVERIFY(qAbs(cfsNiceShares({0, 5})[0] - 1024.0 / 1359.0) < 1e-15);
}

void TestCfsShares::modelSharesAreTheWorkloadRunsShares_data()
{
    QTest::addColumn<std::vector<int>>("nices");
    QTest::addColumn<qint64>("durationNs");
    QTest::newRow("0,5 for 3 s") << std::vector<int> {0, 5} << qint64(3000000000LL);
    QTest::newRow("0,0,3 for 0.2 s") << std::vector<int> {0, 0, 3} << qint64(200000000LL);
    QTest::newRow("eight threads for 1 s")
        << std::vector<int> {-3, 0, 1, 2, 5, 8, 13, 19} << qint64(1000000000LL);
}

void TestCfsShares::modelSharesAreTheWorkloadRunsShares()
{
    // Exactly the numbers the text route gave: the typed function changes no figure.
    QFETCH(std::vector<int>, nices);
    QFETCH(qint64, durationNs);
    QCOMPARE(cfsModelShares(nices, durationNs), sharesThroughTheWorkloadLoader(nices, durationNs));
}

void TestCfsShares::modelSharesApproachWeightShares()
{
    const std::vector<int> nices {0, 5, -3, 10};
    const std::vector<double> model = cfsModelShares(nices, 20000000000LL); // 20 s simulated
    const std::vector<double> weights = cfsNiceShares(nices);
    QCOMPARE(model.size(), nices.size());
    QVERIFY(qAbs(std::accumulate(model.begin(), model.end(), 0.0) - 1.0) < 1e-9);
    for (std::size_t i = 0; i < nices.size(); ++i)
        QVERIFY2(qAbs(model[i] - weights[i]) <= 0.01 * weights[i],
            qPrintable(
                QStringLiteral("nice %1: model %2, weights %3").arg(nices[i]).arg(model[i]).arg(weights[i])));
}

void TestCfsShares::busyThreadsWorkloadIsTheCpuWorkload()
{
    const Workload typed = busyThreadsWorkload({4, -2, 0});
    QString error;
    const auto loaded = loadWorkload(QStringLiteral("cpu"), 3, QStringLiteral("4,-2,0"), 1, &error);
    QVERIFY2(loaded, qPrintable(error));
    QCOMPARE(typed.name, loaded->name);
    QCOMPARE(typed.processes.size(), loaded->processes.size());
    QCOMPARE(typed.processes[0].name, loaded->processes[0].name);
    QCOMPARE(typed.processes[0].nice, 4);
    QCOMPARE(loaded->processes[0].nice, 4);
    QCOMPARE(typed.threadCount(), 3);
    for (std::size_t i = 0; i < 3; ++i) {
        const WorkThread &a = typed.processes[0].threads[i];
        const WorkThread &b = loaded->processes[0].threads[i];
        QCOMPARE(a.name, b.name);
        QCOMPARE(a.nice, b.nice);
        QCOMPARE(a.loops, -1);
        QCOMPARE(a.loops, b.loops);
        QCOMPARE(a.startNs, b.startNs);
        QCOMPARE(a.ops.size(), b.ops.size());
        QCOMPARE(a.ops[0].durationNs, b.ops[0].durationNs);
    }
}

QTEST_APPLESS_MAIN(TestCfsShares)
#include "tst_cfsshares.moc"
