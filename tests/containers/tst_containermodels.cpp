#include "containers/cloudlayersengine.h"
#include "containers/containerreport.h"
#include "containers/containersengine.h"
#include "containers/cpuquotamodel.h"
#include "containers/cpushare.h"
#include "containers/hostview.h"
#include "containers/overlaymodel.h"
#include "containers/planetlabengine.h"

#include "common/cgroupcpulimit.h"

#include <QTest>

#include <algorithm>
#include <chrono>

#include <unistd.h>

using namespace proclab;
using namespace std::chrono_literals;

/**
 * The containers module's plain classes on constructed input: the helper's report parser, the
 * union file system model, the CPU quota model and the measured share, the cgroup places and
 * counters, the host's /proc parsing, and the PlanetLab and cloud diagrams.
 */
class TestContainerModels : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void reportParserReadsEveryKind();
    void reportParserRefusesMalformedLines();
    void overlayModelWritesOnlyTheUpperLayer();
    void overlayModelDiffFindsTheChanges();
    void quotaModelGivesQuotaOverPeriod();
    void cpuShareFromSamples();
    void cgroupPlacesFromMountInfo();
    void cgroupCpuStat();
    void cgroupRefusalsNameThePathAndTheOsWords();
    void hostViewParsesStatus();
    void planetLabCountsVservers();
    void planetLabNodeListRefusesMissingNodes();
    void planetLabEngineSteps();
    void cloudLayersWhoManagesWhat();
    void cloudLayersEngineSteps();
};

void TestContainerModels::reportParserReadsEveryKind()
{
    ContainerReport r;
    QString error;
    const QList<QByteArray> lines {"hello", "unshared user,pid,uts,mnt", "child 4242", "pid 1", "ppid 0",
        "uid 0", "hostname box1", "proc_mounted 1", "proc 1 init", "proc 2 worker", "proc_count 2",
        "ns pid pid:[4026532290]", "ns_done", "error overlay_mount 1 Operation not permitted",
        "overlay_mounted 1 lowerdir=a:b,upperdir=c,workdir=d", "action append ok etc/os-release",
        "action delete 2 etc/x : No such file or directory", "merged f 29 app/notes.txt", "overlay_done",
        "cpu 100 50", "cpu 200 150", "burn_done"};
    for (const QByteArray &line : lines)
        QVERIFY2(ContainerReportParser::addLine(line, &r, &error), qPrintable(error));
    QVERIFY(r.hello);
    QCOMPARE(r.unshared, (QStringList {"user", "pid", "uts", "mnt"}));
    QCOMPARE(r.childHostPid, 4242);
    QCOMPARE(r.pid, 1);
    QCOMPARE(r.ppid, 0);
    QCOMPARE(r.hostname, QStringLiteral("box1"));
    QVERIFY(r.procMounted);
    QCOMPARE(int(r.processes.size()), 2);
    QCOMPARE(r.processes[1].name, QStringLiteral("worker"));
    QCOMPARE(r.processCount, 2);
    QCOMPARE(r.namespaces.value(QStringLiteral("pid")), QStringLiteral("pid:[4026532290]"));
    QVERIFY(r.namespacesDone);
    QVERIFY(r.errorAt(QStringLiteral("overlay_mount")));
    QCOMPARE(r.errorAt(QStringLiteral("overlay_mount"))->text, QStringLiteral("Operation not permitted"));
    QCOMPARE(r.overlayMounted, 1);
    QCOMPARE(int(r.actions.size()), 2);
    QVERIFY(r.actions[0].ok);
    QVERIFY(!r.actions[1].ok);
    QCOMPARE(r.actions[1].error, QStringLiteral("No such file or directory"));
    QCOMPARE(r.actions[1].path, QStringLiteral("etc/x"));
    QCOMPARE(int(r.merged.size()), 1);
    QCOMPARE(r.merged[0].sizeBytes, std::int64_t(29));
    QVERIFY(r.overlayDone);
    QCOMPARE(int(r.cpu.size()), 2);
    QCOMPARE(r.cpu[1].cpuNs, std::int64_t(150));
    QVERIFY(r.burnDone);
}

void TestContainerModels::reportParserRefusesMalformedLines()
{
    const QList<QByteArray> bad {"", "nonsense 1", "pid -1", "pid 99999999999", "pid one", "unshared net",
        "error stage", "cpu 1", "merged q 1 x", QByteArray(2000, 'x'), "proc_mounted 2"};
    for (const QByteArray &line : bad) {
        ContainerReport r;
        QString error;
        QVERIFY2(!ContainerReportParser::addLine(line, &r, &error), line.left(40).constData());
        QVERIFY2(
            error.startsWith(QLatin1String("malformed line from the container helper")), qPrintable(error));
        QVERIFY(error.size() < 200); // one line, the offending text cut short
        QCOMPARE(r.pid, -1); // nothing of a refused line is kept
    }
    // Too many errors: the 33rd is refused.
    ContainerReport r;
    QString error;
    for (int i = 0; i < ContainerReportParser::kMaxErrors; ++i)
        QVERIFY(ContainerReportParser::addLine("error x 1 text", &r, &error));
    QVERIFY(!ContainerReportParser::addLine("error x 1 text", &r, &error));
}

void TestContainerModels::overlayModelWritesOnlyTheUpperLayer()
{
    const std::vector<LayerListing> before = ContainersEngine::modelLayers();
    QCOMPARE(int(before.size()), int(OverlayImage::LayerCount));
    QVERIFY(before[OverlayImage::Upper].empty());
    OverlayModel model(before);
    // The container sees layer 2's motd over the base's.
    QCOMPARE(model.layerOf(QStringLiteral("etc/motd")), int(OverlayImage::Layer2));
    QCOMPARE(model.layerOf(QStringLiteral("etc/os-release")), int(OverlayImage::Base));
    for (const ImageChange &c : OverlayImage::changes(QStringLiteral("all")))
        QVERIFY2(model.apply(c), qPrintable(c.path));
    // Lower layers: exactly as before.
    for (int l = OverlayImage::Base; l < OverlayImage::Upper; ++l)
        QVERIFY(model.layers()[std::size_t(l)] == before[std::size_t(l)]);
    const LayerListing &upper = model.layers()[OverlayImage::Upper];
    const LayerEntry *copied = OverlayImage::find(upper, QStringLiteral("etc/os-release"));
    QVERIFY(copied);
    const LayerEntry *base = OverlayImage::find(before[OverlayImage::Base], QStringLiteral("etc/os-release"));
    QCOMPARE(copied->sizeBytes, base->sizeBytes + OverlayModel::kAppendBytes);
    const LayerEntry *whiteout = OverlayImage::find(upper, QStringLiteral("etc/old.conf"));
    QVERIFY(whiteout);
    QCOMPARE(whiteout->kind, 'w');
    QCOMPARE(model.layerOf(QStringLiteral("etc/old.conf")), -1);
    QVERIFY(!OverlayImage::find(model.merged(), QStringLiteral("etc/old.conf")));
    QCOMPARE(model.layerOf(QStringLiteral("app/notes.txt")), int(OverlayImage::Upper));
    QCOMPARE(
        OverlayImage::find(upper, QStringLiteral("app/notes.txt"))->sizeBytes, OverlayModel::kCreateBytes);
    // Parent folders were copied up: app, etc.
    QCOMPARE(OverlayImage::find(upper, QStringLiteral("etc"))->kind, 'd');
    QCOMPARE(int(upper.size()), 5);
    // A change to a file that is not there fails and changes nothing.
    QVERIFY(!model.apply({QStringLiteral("append"), QStringLiteral("etc/old.conf")}));
    QVERIFY(!model.apply({QStringLiteral("delete"), QStringLiteral("no/such")}));
    QCOMPARE(int(model.layers()[OverlayImage::Upper].size()), 5);
}

void TestContainerModels::overlayModelDiffFindsTheChanges()
{
    const std::vector<LayerListing> before = ContainersEngine::modelLayers();
    OverlayModel model(before);
    model.apply({QStringLiteral("create"), QStringLiteral("app/notes.txt")});
    const std::vector<LayerChange> changes = OverlayImage::diff(before, model.layers());
    QCOMPARE(int(changes.size()), 2); // app and app/notes.txt, both added to the upper layer
    for (const LayerChange &c : changes) {
        QCOMPARE(c.layer, int(OverlayImage::Upper));
        QCOMPARE(c.kind, LayerChange::Kind::Added);
    }
}

void TestContainerModels::quotaModelGivesQuotaOverPeriod()
{
    const CpuQuotaModel m(25, 100000);
    QCOMPARE(m.steadySharePercent(), 25.0);
    // Whole periods after the limit: exactly the quota.
    QVERIFY(qAbs(m.sharePercent(1.0, 2.0, 1.0) - 25.0) < 1e-9);
    // Before the limit: all of one CPU.
    QCOMPARE(m.sharePercent(0.0, 0.5, 1.0), 100.0);
    // Half a period right after the limit: 25 ms of 50 ms.
    QVERIFY(qAbs(m.sharePercent(1.0, 1.05, 1.0) - 50.0) < 1e-9);
    const std::vector<double> series = m.shareSeries(3.0, 0.1, 1.0);
    QCOMPARE(int(series.size()), 30);
    QCOMPARE(m.throttledPeriods(2.0), 20L);
    QCOMPARE(CpuQuotaModel(100, 100000).throttledPeriods(2.0), 0L);
    // The mean over the series, computed a second way: 1 s at 100%, 2 s at 25%.
    double sum = 0;
    for (double v : series)
        sum += v;
    QVERIFY(qAbs(sum / 30 - (100.0 + 2 * 25.0) / 3) < 1e-6);
}

void TestContainerModels::cpuShareFromSamples()
{
    // Every 100 ms; 100 ms of CPU per interval for 1 s, then 25 ms per interval.
    std::vector<ContainerCpuSample> samples;
    std::int64_t cpu = 0;
    const std::int64_t start = 5'000'000'000;
    for (int i = 0; i <= 30; ++i) {
        samples.push_back({start + i * 100'000'000LL, cpu});
        cpu += i < 10 ? 100'000'000 : 25'000'000;
    }
    const CpuShare s = CpuShare::fromSamples(samples, start, 1.0, 0.1);
    QCOMPARE(int(s.percent.size()), 30);
    QVERIFY(qAbs(s.beforePercent - 100.0) < 1e-9);
    QVERIFY(qAbs(s.afterPercent - 25.0) < 1e-9);
    QCOMPARE(s.afterIntervals, 19); // the interval right after the limit settles
    QVERIFY(qAbs(s.timeS.back() - 3.0) < 1e-9);
}

void TestContainerModels::cgroupPlacesFromMountInfo()
{
    const QString mountInfo
        = QStringLiteral("30 25 0:26 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw\n"
                         "31 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct\n"
                         "32 25 0:28 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory\n");
    const QString procCgroup
        = QStringLiteral("4:memory:/x\n3:cpu,cpuacct:/user.slice\n0::/user.slice/app.scope\n");
    const CgroupPlaces p = CgroupPlaces::parse(mountInfo, procCgroup);
    QCOMPARE(p.v2Mount, QStringLiteral("/sys/fs/cgroup/unified"));
    QCOMPARE(p.v2Path, QStringLiteral("/user.slice/app.scope"));
    QCOMPARE(p.v1CpuMount, QStringLiteral("/sys/fs/cgroup/cpu,cpuacct"));
    QCOMPARE(p.v1CpuPath, QStringLiteral("/user.slice"));
    // A container that mounts a sub-tree: its root is stripped from the process's path.
    const CgroupPlaces nested = CgroupPlaces::parse(
        QStringLiteral("40 1 0:30 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"),
        QStringLiteral("0::/docker/abc/inner\n"));
    QCOMPARE(nested.v2Path, QStringLiteral("/inner"));
    // No cgroup at all.
    const CgroupPlaces none = CgroupPlaces::parse(QString(), QString());
    QVERIFY(none.v2Mount.isEmpty() && none.v1CpuMount.isEmpty());
}

void TestContainerModels::cgroupCpuStat()
{
    const CpuThrottleStat v2 = CgroupCpuLimit::parseCpuStat(
        QStringLiteral("usage_usec 100\nnr_periods 30\nnr_throttled 12\nthrottled_usec 900000\n"));
    QCOMPARE(v2.periods, std::int64_t(30));
    QCOMPARE(v2.throttledPeriods, std::int64_t(12));
    QCOMPARE(v2.throttledUs, std::int64_t(900000));
    const CpuThrottleStat v1 = CgroupCpuLimit::parseCpuStat(
        QStringLiteral("nr_periods 5\nnr_throttled 4\nthrottled_time 2000000\n"));
    QCOMPARE(v1.throttledUs, std::int64_t(2000));
    const CpuThrottleStat junk
        = CgroupCpuLimit::parseCpuStat(QStringLiteral("nr_periods x\nnr_throttled -3\n"));
    QCOMPARE(junk.periods, std::int64_t(-1));
    QCOMPARE(junk.throttledPeriods, std::int64_t(-1));
}

void TestContainerModels::cgroupRefusalsNameThePathAndTheOsWords()
{
    CgroupPlaces places;
    places.v2Mount = QStringLiteral("/nonexistent-proclab/cg2");
    places.v2Path = QStringLiteral("/mine");
    places.v1CpuMount = QStringLiteral("/nonexistent-proclab/cpu");
    places.v1CpuPath = QStringLiteral("/");
    CgroupCpuLimit v2(places);
    QVERIFY(!v2.create(CpuLimitMethod::CgroupV2, 20, 100000));
    QVERIFY(!v2.real());
    QCOMPARE(int(v2.attempts().size()), 1);
    const QString why = v2.refusals();
    QVERIFY2(why.contains(QLatin1String("/nonexistent-proclab/cg2/mine")), qPrintable(why));
    QVERIFY2(why.contains(QLatin1String("No such file or directory")), qPrintable(why));
    CgroupCpuLimit v1(places);
    QVERIFY(!v1.create(CpuLimitMethod::CgroupV1, 20, 100000));
    QVERIFY2(v1.refusals().contains(QLatin1String("/nonexistent-proclab/cpu")), qPrintable(v1.refusals()));
    // No cgroup file system at all: said so.
    CgroupCpuLimit none {CgroupPlaces {}};
    QVERIFY(!none.create(CpuLimitMethod::CgroupV2, 20, 100000));
    QVERIFY2(none.refusals().contains(QLatin1String("no cgroup2 file system")), qPrintable(none.refusals()));
    // The model tries nothing.
    CgroupCpuLimit model(places);
    QVERIFY(!model.create(CpuLimitMethod::Model, 20, 100000));
    QVERIFY(model.attempts().empty());
    QVERIFY(model.commandPrefix().isEmpty());
    QVERIFY(cpuLimitMethodFromId(QStringLiteral("cgroup-v1")) == std::optional(CpuLimitMethod::CgroupV1));
    QVERIFY(!cpuLimitMethodFromId(QStringLiteral("cgroup-v3")));
}

void TestContainerModels::hostViewParsesStatus()
{
    HostProcess p;
    QVERIFY(HostView::parseStatus(QStringLiteral("Name:\tinit\nUid:\t1000\t1000\t1000\t1000\nPid:\t4242\n"
                                                 "PPid:\t4241\nNSpid:\t4242\t1\n"),
        &p));
    QCOMPARE(p.hostPid, 4242);
    QCOMPARE(p.ppid, 4241);
    QCOMPARE(p.uid, qint64(1000));
    QCOMPARE(p.name, QStringLiteral("init"));
    QCOMPARE(p.nsPids, (std::vector<int> {4242, 1}));
    HostProcess bad;
    QVERIFY(!HostView::parseStatus(QStringLiteral("garbage"), &bad));
    // This process as the host sees it: one PID namespace level at least, the last is its pid here.
    HostProcess self;
    QString error;
    QVERIFY2(HostView::process(int(::getpid()), &self, &error), qPrintable(error));
    QCOMPARE(self.hostPid, int(::getpid()));
}

void TestContainerModels::planetLabCountsVservers()
{
    const PlanetLabModel m(5, {0, 2, 3}, 2);
    const std::vector<PlanetLabNode> nodes = m.finalNodes();
    QCOMPARE(int(nodes.size()), 5);
    QCOMPARE(PlanetLabModel::vserversOf(nodes, QStringLiteral("A")), 3);
    // B on nodes 1,3,5 (0,2,4), C on 2,4 (1,3).
    QCOMPARE(PlanetLabModel::vserversOf(nodes, QStringLiteral("B")), 3);
    QCOMPARE(PlanetLabModel::vserversOf(nodes, QStringLiteral("C")), 2);
    QCOMPARE(PlanetLabModel::managementVservers(nodes), 5 * PlanetLabModel::kManagementPerNode);
    QCOMPARE(PlanetLabModel::userVservers(nodes), 8);
    // Counted a second way: per node, the slices that include it.
    int busiest = 0;
    for (int n = 0; n < 5; ++n) {
        int here = PlanetLabModel::kManagementPerNode + (n == 0 || n == 2 || n == 3 ? 1 : 0);
        for (int k = 0; k < 2; ++k) {
            const std::vector<int> other = PlanetLabModel::otherSliceNodes(k, 5);
            here += std::count(other.begin(), other.end(), n) ? 1 : 0;
        }
        busiest = std::max(busiest, here);
    }
    QCOMPARE(PlanetLabModel::busiestNodeVservers(nodes), busiest);
    // The frames grow: the last has every vserver, the first none.
    const std::vector<PlanetLabFrame> frames = m.frames();
    QVERIFY(frames.size() >= 4);
    QCOMPARE(PlanetLabModel::userVservers(frames.front().nodes), 0);
    QVERIFY(frames.back().slices.contains(QStringLiteral("A")));
    for (const PlanetLabFrame &f : frames)
        QVERIFY(!f.caption.isEmpty());
}

void TestContainerModels::planetLabNodeListRefusesMissingNodes()
{
    QString error;
    QVERIFY(PlanetLabModel::parseNodeList(QStringLiteral("1,3-4,3"), 5, &error)
        == std::optional(std::vector<int> {0, 2, 3}));
    QVERIFY(!PlanetLabModel::parseNodeList(QStringLiteral("2,9"), 5, &error));
    QVERIFY2(error.contains(QLatin1String("node 9 does not exist")), qPrintable(error));
    QVERIFY(!PlanetLabModel::parseNodeList(QStringLiteral("4-2"), 5, &error));
    QVERIFY(!PlanetLabModel::parseNodeList(QStringLiteral(""), 5, &error));
    auto engine = makeEngine<PlanetLabEngine>();
    QVERIFY(!engine->configure(
        {{QStringLiteral("nodes"), 3}, {QStringLiteral("slice_nodes"), QStringLiteral("1,5")}}, &error));
    QVERIFY2(error.contains(QLatin1String("does not exist")), qPrintable(error));
}

void TestContainerModels::planetLabEngineSteps()
{
    auto engine = makeEngine<PlanetLabEngine>();
    QVERIFY(engine->configure(
        {{QStringLiteral("nodes"), 6}, {QStringLiteral("slice_nodes"), QStringLiteral("2-5")}}));
    engine->setSpeed(0);
    const Result r = runToCompletion(*engine, 30s);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.summary.value(QStringLiteral("slice_vservers")).toInt(), 4);
    QCOMPARE(r.summary.value(QStringLiteral("management_vservers")).toInt(), 12);
    QCOMPARE(r.summary.value(QStringLiteral("nodes")).toInt(), 6);
    for (const QString &key : r.summary.keys())
        QVERIFY2(outputsContain(engine->outputs(), key), qPrintable(key));
    QCOMPARE(r.provenance, Provenance::Diagram);
}

void TestContainerModels::cloudLayersWhoManagesWhat()
{
    using M = CloudLayersModel;
    QCOMPARE(M::customerLayers(M::OnPremises), int(M::LayerCount));
    QCOMPARE(M::providerLayers(M::IaaS), 2);
    QCOMPARE(M::providerLayers(M::PaaS), 4);
    QCOMPARE(M::providerLayers(M::SaaS), 5);
    for (int o = 0; o < M::OfferingCount; ++o) {
        QCOMPARE(M::customerLayers(o) + M::providerLayers(o), int(M::LayerCount));
        QVERIFY(!M::providerManages(o, M::Data)); // the data stays the customer's
        // The provider's part is contiguous from the bottom.
        bool seenCustomer = false;
        for (int l = 0; l < M::LayerCount; ++l) {
            if (!M::providerManages(o, l))
                seenCustomer = true;
            else
                QVERIFY(!seenCustomer);
        }
    }
    // Each step up gives the provider more.
    for (int o = 1; o < M::OfferingCount; ++o)
        QVERIFY(M::providerLayers(o) > M::providerLayers(o - 1));
}

void TestContainerModels::cloudLayersEngineSteps()
{
    auto engine = makeEngine<CloudLayersEngine>();
    QVERIFY(engine->configure({}));
    engine->setSpeed(0);
    const Result r = runToCompletion(*engine, 30s);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.summary.value(QStringLiteral("customer_layers_paas")).toInt(), 2);
    QCOMPARE(r.summary.value(QStringLiteral("frames")).toInt(), 5);
    for (const QString &key : r.summary.keys())
        QVERIFY2(outputsContain(engine->outputs(), key), qPrintable(key));
}

QTEST_APPLESS_MAIN(TestContainerModels)
#include "tst_containermodels.moc"
