#include "containers/containersengine.h"
#include "containers/overlaymodel.h"

#include "common/cgroupcpulimit.h"
#include "engine/registry.h"
#include "helpermain.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTest>

#include <chrono>

#include <unistd.h>

using namespace proclab;
using namespace std::chrono_literals;

/**
 * The containers engine for real: every test runs the engine with one part and checks what the
 * kernel did, or, where the kernel refused, that the result names the refusal in the OS's words.
 */
class TestContainers : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void namespacesGiveTheChildItsOwnPidAndHostName();
    void overlayWritesLandInTheUpperLayerOnly();
    void cgroupLimitsTheContainerOrSaysWhy();
    void modelMethodSaysNothingWasLimited();
    void everySummaryKeyIsDeclared();
    void badHostNameIsRefused();
    void stopEndsTheContainer();
};

namespace {

Result runContainers(const QVariantMap &params, std::chrono::milliseconds timeout = 60s)
{
    auto engine = makeEngine<ContainersEngine>();
    QString error;
    if (!engine->configure(params, &error))
        qFatal("configure failed: %s", qPrintable(error));
    return runToCompletion(*engine, timeout);
}

QString text(const Result &r, const char *key)
{
    return r.summary.value(QLatin1String(key)).toString();
}

double number(const Result &r, const char *key)
{
    return r.summary.value(QLatin1String(key)).toDouble(-12345);
}

const Series *seriesById(const Result &r, const char *id)
{
    for (const Series &s : r.series) {
        if (s.id == QLatin1String(id))
            return &s;
    }
    return nullptr;
}

/// A refusal names a stage or path and the OS's words for the error (strerror text).
bool namesTheOsWords(const QString &why)
{
    static const QStringList words {QStringLiteral("not permitted"), QStringLiteral("denied"),
        QStringLiteral("No such file"), QStringLiteral("Invalid argument"), QStringLiteral("not supported"),
        QStringLiteral("Read-only"), QStringLiteral("No space"), QStringLiteral("Device or resource busy"),
        QStringLiteral("exited with status"), QStringLiteral("Too many")};
    for (const QString &w : words) {
        if (why.contains(w, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

} // namespace

void TestContainers::namespacesGiveTheChildItsOwnPidAndHostName()
{
    const Result r = runContainers({{QStringLiteral("parts"), QStringLiteral("namespaces")},
        {QStringLiteral("hostname"), QStringLiteral("tst-box")}});
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    const QString mode = text(r, "namespaces_mode");
    if (mode != QLatin1String("real")) {
        // The fallback must say what the OS refused, in its own words.
        QCOMPARE(mode, QStringLiteral("model"));
        const QString why = text(r, "namespaces_why");
        QVERIFY2(why.startsWith(QLatin1String("the OS refused")), qPrintable(why));
        QVERIFY2(namesTheOsWords(why), qPrintable(why));
        QSKIP(qPrintable(QStringLiteral("the kernel refused the namespaces: ") + why));
    }
    // The container's own view ...
    QCOMPARE(number(r, "pid_in_container"), 1.0);
    QCOMPARE(text(r, "hostname_in_container"), QStringLiteral("tst-box"));
    QCOMPARE(number(r, "container_ppid"), 0.0); // its parent lives outside its PID namespace
    QCOMPARE(number(r, "uid_in_container"), 0.0); // mapped to root inside its user namespace
    // ... and the host's view of the same process: another pid, the NSpid chain ends in 1.
    const double hostPid = number(r, "host_pid");
    QVERIFY(hostPid > 1);
    QVERIFY(hostPid != QCoreApplication::applicationPid());
    const QStringList nsPids = text(r, "ns_pids").split(QLatin1Char(' '));
    QVERIFY2(nsPids.size() >= 2, qPrintable(text(r, "ns_pids")));
    QCOMPARE(nsPids.last(), QStringLiteral("1"));
    // NSpid lists the pid in this test's PID namespace first.
    QCOMPARE(nsPids.first().toDouble(), hostPid);
    QCOMPARE(number(r, "host_uid"), double(::getuid()));
    QVERIFY(text(r, "hostname_in_container") != text(r, "host_hostname"));
    // The container's /proc lists only its own processes (init and its worker).
    QCOMPARE(number(r, "container_process_count"), 2.0);
    QVERIFY(number(r, "host_process_count") > 2);
    QCOMPARE(text(r, "namespaces_made"), QStringLiteral("user,pid,uts,mnt"));
}

void TestContainers::overlayWritesLandInTheUpperLayerOnly()
{
    const Result r = runContainers({{QStringLiteral("parts"), QStringLiteral("overlay")}});
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    const QString mode = text(r, "overlay_mode");
    const QString why = text(r, "overlay_why");
    // Model or real, the base and the two image layers never change: they are read-only.
    QCOMPARE(number(r, "lower_layers_changed"), 0.0);
    QCOMPARE(number(r, "create_layer"), 3.0);
    QCOMPARE(number(r, "append_layer"), 3.0);
    QVERIFY(r.summary.value(QStringLiteral("overlay_matches_model")).toBool());
    // The copy-up holds the whole base file plus the appended line.
    qint64 baseBytes = 0;
    for (const ImageFile &f : OverlayImage::files()) {
        if (f.path == QLatin1String("etc/os-release"))
            baseBytes = f.content.size();
    }
    QCOMPARE(number(r, "copy_up_bytes"), double(baseBytes + OverlayModel::kAppendBytes));
    // The deleted file from layer 1 is hidden by a whiteout; layer 1 keeps it.
    QCOMPARE(number(r, "delete_outcome"), 1.0);
    // Upper: app (folder copied up), app/notes.txt, etc, etc/os-release, etc/old.conf (whiteout).
    QCOMPARE(number(r, "upper_changes"), 5.0);
    if (mode != QLatin1String("real")) {
        QCOMPARE(mode, QStringLiteral("model"));
        QVERIFY2(namesTheOsWords(why), qPrintable(why));
        QSKIP(qPrintable(QStringLiteral("overlayfs refused, the model stood in: ") + why));
    }
    QVERIFY2(why.contains(QLatin1String("lowerdir=")), qPrintable(why));
    // The mount lives in the container's mount namespace: the host sees an empty folder.
    QCOMPARE(number(r, "host_merged_entries"), 0.0);
    QVERIFY(number(r, "merged_entries") > 5);
    // The table lists the layers as the host read them after the run: the whiteout is there.
    bool whiteout = false;
    for (const QVariantList &row : r.table.rows) {
        if (row.value(0).toString() == QLatin1String("upper")
            && row.value(1).toString() == QLatin1String("etc/old.conf"))
            whiteout = row.value(2).toString() == QLatin1String("w");
    }
    QVERIFY(whiteout);
}

void TestContainers::cgroupLimitsTheContainerOrSaysWhy()
{
    const Result r = runContainers({{QStringLiteral("parts"), QStringLiteral("cgroup")},
        {QStringLiteral("cpu_quota"), 5}, {QStringLiteral("burn_seconds"), 1.5}});
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    const QString mode = text(r, "cgroup_mode");
    const QString why = text(r, "cgroup_why");
    QVERIFY(!why.isEmpty());
    QCOMPARE(number(r, "cpu_quota_percent"), 5.0);
    const Series *measured = seriesById(r, "cpu_share");
    QVERIFY(measured);
    QVERIFY(measured->x.size() >= 5); // one sample every 100 ms over 1.5 s
    if (mode == QLatin1String("real")) {
        const QString method = text(r, "cgroup_method");
        QVERIFY2(method == QLatin1String("cgroup-v2") || method == QLatin1String("cgroup-v1")
                || method == QLatin1String("systemd-run"),
            qPrintable(method));
        // The kernel's own counter: a process that always computes hits a 5% quota every period.
        QVERIFY2(number(r, "throttled_periods") > 0, qPrintable(why));
        QVERIFY(why.contains(QLatin1String("5000 us per 100000 us")));
        // The group is gone after the run.
        const QString path = text(r, "cgroup_path");
        if (method != QLatin1String("systemd-run"))
            QVERIFY2(!QDir(path).exists(), qPrintable(path));
    } else {
        QCOMPARE(mode, QStringLiteral("model"));
        QVERIFY2(why.startsWith(QLatin1String("the OS refused")), qPrintable(why));
        QVERIFY2(namesTheOsWords(why), qPrintable(why));
        QCOMPARE(number(r, "cpu_share_limited_percent"), 5.0);
        QSKIP(qPrintable(QStringLiteral("no control group here, the model stood in: ") + why));
    }
}

void TestContainers::modelMethodSaysNothingWasLimited()
{
    const Result r = runContainers({{QStringLiteral("parts"), QStringLiteral("cgroup")},
        {QStringLiteral("cpu_limit"), QStringLiteral("model")}, {QStringLiteral("cpu_quota"), 30},
        {QStringLiteral("burn_seconds"), 1.0}});
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(text(r, "cgroup_mode"), QStringLiteral("model"));
    QCOMPARE(text(r, "cgroup_method"), QStringLiteral("model"));
    QVERIFY(text(r, "cgroup_why").contains(QLatin1String("nothing was limited on the OS")));
    QCOMPARE(number(r, "cpu_share_limited_percent"), 30.0);
    const Series *model = seriesById(r, "cpu_share_model");
    QVERIFY(model);
    QCOMPARE(int(model->y.size()), 10);
    QCOMPARE(model->y.front(), 100.0); // before the limit, at 1/3 s
    QVERIFY(qAbs(model->y.back() - 30.0) < 1e-9);
}

void TestContainers::everySummaryKeyIsDeclared()
{
    auto engine = makeEngine<ContainersEngine>();
    QVERIFY(engine->configure({{QStringLiteral("burn_seconds"), 1.0}}));
    const Result r = runToCompletion(*engine, 60s);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    const std::vector<OutputSpec> outputs = engine->outputs();
    for (const QString &key : r.summary.keys())
        QVERIFY2(outputsContain(outputs, key), qPrintable(key));
    for (const char *key : {"pid_in_container", "hostname_in_container", "host_pid", "namespaces_mode",
             "overlay_mode", "cgroup_mode", "namespaces_why", "overlay_why", "cgroup_why"})
        QVERIFY2(r.summary.contains(QLatin1String(key)), key);
    QVERIFY(EngineRegistry::builtin().find(QString(ContainersEngine::kId)));
}

void TestContainers::badHostNameIsRefused()
{
    auto engine = makeEngine<ContainersEngine>();
    QString error;
    QVERIFY(!engine->configure({{QStringLiteral("hostname"), QStringLiteral("no spaces allowed")}}, &error));
    QVERIFY2(error.contains(QLatin1String("hostname")), qPrintable(error));
    QVERIFY(ContainersConfig::validHostname(QStringLiteral("a-1")));
    QVERIFY(!ContainersConfig::validHostname(QStringLiteral("-a")));
    QVERIFY(!ContainersConfig::validHostname(QString(64, QLatin1Char('a'))));
}

void TestContainers::stopEndsTheContainer()
{
    auto engine = makeEngine<ContainersEngine>();
    QVERIFY(engine->configure({{QStringLiteral("parts"), QStringLiteral("cgroup")},
        {QStringLiteral("cpu_limit"), QStringLiteral("model")}, {QStringLiteral("burn_seconds"), 10.0}}));
    engine->start();
    // Wait until the container computes, then stop: the run must end long before the 10 s.
    QTRY_VERIFY_WITH_TIMEOUT(
        engine->snapshot() && engine->snapshot()->status.contains(QLatin1String("computes")), 30000);
    const auto snap = std::dynamic_pointer_cast<const ContainersSnapshot>(engine->snapshot());
    QVERIFY(snap);
    const int hostPid = snap->report.childHostPid;
    QVERIFY(hostPid > 0);
    engine->stop();
    QCOMPARE(engine->state(), RunState::Stopped);
    // The container's init is gone (reaped by its parent, which was reaped too).
    QVERIFY2(!QFile::exists(QStringLiteral("/proc/%1").arg(hostPid)), "the container outlived the run");
}

PROCLAB_TEST_MAIN_WITH_HELPERS(TestContainers)
#include "tst_containers.moc"
