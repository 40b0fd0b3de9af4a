#include "containersengine.h"

#include "containerprocess.h"
#include "cpuquotamodel.h"
#include "cpushare.h"
#include "overlaymodel.h"

#include "common/cgroupcpulimit.h"
#include "common/clock.h"

#include <QFile>
#include <QJsonArray>

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>

namespace proclab {

namespace {

constexpr int kSampleMs = 100;
constexpr int kStartTimeoutMs = 15000;

QString partLabel(const ContainerPart &p)
{
    return p.mode == ContainerPart::Mode::Real ? QStringLiteral("real") : QStringLiteral("model");
}

/// "unshare: Operation not permitted (errno 1)" for every error of the given stages.
QString errorsText(const ContainerReport &r, const QStringList &stages)
{
    QStringList parts;
    for (const ContainerError &e : r.errors) {
        if (stages.isEmpty() || stages.contains(e.stage))
            parts << QStringLiteral("%1: %2 (errno %3)").arg(e.stage, e.text).arg(e.errnoValue);
    }
    return parts.join(QStringLiteral("; "));
}

LayerListing toListing(const std::vector<ContainerMergedEntry> &entries)
{
    LayerListing out;
    for (const ContainerMergedEntry &e : entries)
        out.push_back({e.path, e.kind, e.sizeBytes, 0});
    std::sort(
        out.begin(), out.end(), [](const LayerEntry &a, const LayerEntry &b) { return a.path < b.path; });
    return out;
}

/// Same paths with the same kinds and sizes (what the model predicts; not the bytes).
bool sameShape(const LayerListing &a, const LayerListing &b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].path != b[i].path || a[i].kind != b[i].kind
            || (a[i].kind == 'f' && a[i].sizeBytes != b[i].sizeBytes))
            return false;
    }
    return true;
}

QString changePath(const std::vector<ImageChange> &planned, const QString &action)
{
    for (const ImageChange &c : planned) {
        if (c.action == action)
            return c.path;
    }
    return {};
}

} // namespace

QString ContainerPart::modeId() const
{
    switch (mode) {
    case Mode::Pending:
        return QStringLiteral("pending");
    case Mode::Skipped:
        return QStringLiteral("skipped");
    case Mode::Real:
        return QStringLiteral("real");
    case Mode::Model:
        break;
    }
    return QStringLiteral("model");
}

ContainersEngine::ContainersEngine()
    : ConfiguredEngine(EngineInfo {QString(kId), QStringLiteral("A container, for real where the OS allows"),
        Provenance::Measured,
        QStringLiteral(
            "Starts a process in new user, PID, UTS and mount namespaces, mounts an overlay of image "
            "layers inside it, and limits its CPU with a control group; shows the container's view "
            "beside the host's. Parts the OS refuses are modelled, and the result says why."),
        {QStringLiteral("V7")}, {QString(kNamespacesView), QString(kOverlayView), QString(kCgroupView)}})
{
}

ParamSchema ContainersEngine::schema() const
{
    return ParamSchema {
        ParamSpec::choice(QStringLiteral("parts"), QStringLiteral("Parts"), QStringLiteral("all"),
            {QStringLiteral("all"), QStringLiteral("namespaces"), QStringLiteral("overlay"),
                QStringLiteral("cgroup")},
            QStringLiteral(
                "What the run does after making the container: all of it, nothing more (namespaces), "
                "the image layers (overlay) or the CPU limit (cgroup).")),
        ParamSpec::text(QStringLiteral("hostname"), QStringLiteral("Container host name"),
            QStringLiteral("container1"),
            QStringLiteral("The host name the container gives itself in its own UTS namespace.")),
        ParamSpec::choice(QStringLiteral("change"), QStringLiteral("Change in the container"),
            QStringLiteral("all"),
            {QStringLiteral("all"), QStringLiteral("create"), QStringLiteral("append"),
                QStringLiteral("delete")},
            QStringLiteral(
                "What the container does to its files: create app/notes.txt, append a line to "
                "etc/os-release (from the base image), delete etc/old.conf (from layer 1), or all three.")),
        ParamSpec::integer(QStringLiteral("cpu_quota"), QStringLiteral("CPU limit"), 25, 5, 100,
            QStringLiteral("%"),
            QStringLiteral("The container's share of one CPU allowed by the control group.")),
        ParamSpec::integer(QStringLiteral("period_ms"), QStringLiteral("Limit period"), 100, 10, 1000,
            QStringLiteral("ms"),
            QStringLiteral(
                "In every period the group may compute for quota x period, then waits for the next.")),
        ParamSpec::real(QStringLiteral("burn_seconds"), QStringLiteral("Computing time"), 3, 1, 10,
            QStringLiteral("s"),
            QStringLiteral("How long the container computes; the limit starts after the first third.")),
        ParamSpec::choice(QStringLiteral("cpu_limit"), QStringLiteral("CPU limit method"),
            QStringLiteral("auto"), cpuLimitMethodIds(),
            QStringLiteral(
                "auto tries a cgroup v2 group of our own, then cgroup v1, then systemd-run; model limits "
                "nothing on the OS and computes what the limit would do.")),
    };
}

std::vector<OutputSpec> ContainersEngine::outputs() const
{
    const QString none;
    return {
        {QStringLiteral("pid_in_container"), none,
            QStringLiteral("the container's first process's pid as it sees it (1 in a new PID namespace)")},
        {QStringLiteral("hostname_in_container"), none,
            QStringLiteral("the host name the container sees (text)")},
        {QStringLiteral("host_pid"), none, QStringLiteral("the same process's pid as the host sees it")},
        {QStringLiteral("container_ppid"), none,
            QStringLiteral("its parent's pid as it sees it (0: the parent is outside its namespace)")},
        {QStringLiteral("ns_pids"), none,
            QStringLiteral("the host's NSpid line for it: host pid first, container pid last (text)")},
        {QStringLiteral("container_process_count"), QStringLiteral("processes"),
            QStringLiteral("processes the container's /proc lists")},
        {QStringLiteral("host_process_count"), QStringLiteral("processes"),
            QStringLiteral("processes the host's /proc lists")},
        {QStringLiteral("host_hostname"), none, QStringLiteral("the host's own host name (text)")},
        {QStringLiteral("uid_in_container"), none, QStringLiteral("the container's user id as it sees it")},
        {QStringLiteral("host_uid"), none, QStringLiteral("the same process's user id as the host sees it")},
        {QStringLiteral("namespaces_made"), none,
            QStringLiteral("the namespaces the OS made (text: user,pid,uts,mnt)")},
        {QStringLiteral("namespaces_mode"), none, QStringLiteral("real or model (text)")},
        {QStringLiteral("namespaces_why"), none,
            QStringLiteral("how it was done, or what the OS refused (text)")},
        {QStringLiteral("overlay_mode"), none, QStringLiteral("real or model (text)")},
        {QStringLiteral("overlay_why"), none,
            QStringLiteral("how it was done, or what the OS refused (text)")},
        {QStringLiteral("lower_layers_changed"), QStringLiteral("entries"),
            QStringLiteral("entries that changed in the base, layer 1 and layer 2 (0: read-only)")},
        {QStringLiteral("upper_changes"), QStringLiteral("entries"),
            QStringLiteral("entries that changed in the upper layer")},
        {QStringLiteral("create_layer"), none,
            QStringLiteral("layer (0 base, 1, 2, 3 upper) where the created file appeared; -1 none")},
        {QStringLiteral("append_layer"), none,
            QStringLiteral("layer (0 base, 1, 2, 3 upper) that holds the changed etc/os-release; -1 none")},
        {QStringLiteral("copy_up_bytes"), QStringLiteral("bytes"),
            QStringLiteral("size of the copied-up etc/os-release in the upper layer")},
        {QStringLiteral("delete_outcome"), none,
            QStringLiteral("deleting etc/old.conf: 0 removed from layer 1, 1 hidden by a whiteout in the "
                           "upper layer, 2 still visible")},
        {QStringLiteral("merged_entries"), QStringLiteral("entries"),
            QStringLiteral("entries the container sees in its merged view")},
        {QStringLiteral("host_merged_entries"), QStringLiteral("entries"),
            QStringLiteral("entries the host sees in the same merged folder")},
        {QStringLiteral("overlay_matches_model"), none,
            QStringLiteral(
                "whether the layers and merged view agree with the union file system model (true/false)")},
        {QStringLiteral("cgroup_mode"), none, QStringLiteral("real or model (text)")},
        {QStringLiteral("cgroup_why"), none,
            QStringLiteral("how it was done, or what the OS refused, method by method (text)")},
        {QStringLiteral("cgroup_method"), none,
            QStringLiteral("cgroup-v2, cgroup-v1, systemd-run or model (text)")},
        {QStringLiteral("cgroup_path"), none, QStringLiteral("the control group's folder (text)")},
        {QStringLiteral("cpu_quota_percent"), QStringLiteral("%"),
            QStringLiteral("the limit: share of one CPU")},
        {QStringLiteral("cpu_period_ms"), QStringLiteral("ms"),
            QStringLiteral("the limit's enforcement period")},
        {QStringLiteral("cpu_share_before_percent"), QStringLiteral("%"),
            QStringLiteral("measured CPU share of the container before the limit")},
        {QStringLiteral("cpu_share_limited_percent"), QStringLiteral("%"),
            QStringLiteral("CPU share under the limit: measured when cgroup_mode is real, else the model's")},
        {QStringLiteral("cpu_share_measured_after_percent"), QStringLiteral("%"),
            QStringLiteral("measured CPU share after the limit time (unlimited when modelled)")},
        {QStringLiteral("throttled_periods"), QStringLiteral("periods"),
            QStringLiteral(
                "periods in which the group hit its quota (cpu.stat; model: periods under the limit)")},
        {QStringLiteral("throttled_ms"), QStringLiteral("ms"),
            QStringLiteral("time the group waited for a new period (cpu.stat)")},
    };
}

std::vector<LayerListing> ContainersEngine::modelLayers()
{
    std::vector<LayerListing> layers(OverlayImage::LayerCount);
    std::map<std::pair<int, QString>, LayerEntry> entries;
    for (const ImageFile &f : OverlayImage::files()) {
        const QStringList parts = f.path.split(QLatin1Char('/'));
        for (int i = 1; i < parts.size(); ++i) {
            const QString folder = parts.mid(0, i).join(QLatin1Char('/'));
            entries[{f.layer, folder}] = {folder, 'd', 0, 0};
        }
        entries[{f.layer, f.path}] = {f.path, 'f', f.content.size(), 0};
    }
    for (const auto &[key, entry] : entries)
        layers[std::size_t(key.first)].push_back(entry);
    return layers;
}

void ContainersEngine::publishCopy(const ContainersSnapshot &snap)
{
    publish(std::make_shared<ContainersSnapshot>(snap));
}

bool ContainersEngine::runNamespaces(ContainerProcess *container, ContainersSnapshot *snap, QString *error)
{
    const auto tick = [this] { return !stopRequested(); };
    const ContainerProcess::Wait w = container->readUntil(
        [](const ContainerReport &r) { return r.namespacesDone; }, kStartTimeoutMs, tick, error);
    if (w != ContainerProcess::Wait::Done) {
        snap->report = container->report();
        return false;
    }
    // The host pid of the container's init may come a moment after the namespaces report.
    if (container->report().childHostPid <= 0) {
        QString late;
        container->readUntil([](const ContainerReport &r) { return r.childHostPid > 0; }, 1000, tick, &late);
    }
    snap->report = container->report();
    const ContainerReport &r = snap->report;

    // The host's view of the same process, from the host's own /proc. The child enters its PID
    // namespace as it starts: on a loaded machine the host may look a moment too early, so it
    // looks again for up to half a second before concluding that there is no nested namespace.
    QString hostError;
    for (int attempt = 0; attempt < 25; ++attempt) {
        snap->hostHostname = HostView::hostName();
        snap->hostProcessCount = HostView::processCount();
        snap->hostNamespaces = HostView::namespaces(0);
        snap->hostInit = {};
        snap->hostChildren.clear();
        hostError.clear();
        if (r.childHostPid > 0 && HostView::process(r.childHostPid, &snap->hostInit, &hostError)) {
            snap->initNamespaces = HostView::namespaces(r.childHostPid);
            for (int child : HostView::childrenOf(r.childHostPid)) {
                HostProcess p;
                QString ignored;
                if (HostView::process(child, &p, &ignored))
                    snap->hostChildren.push_back(p);
            }
        }
        const bool seen = snap->hostInit.nsPids.size() >= 2 && snap->hostInit.nsPids.back() == r.pid;
        if (seen || r.pid != 1 || stopRequested())
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }

    const bool made = r.unshared.contains(QStringLiteral("pid")) && r.unshared.contains(QStringLiteral("uts"))
        && r.unshared.contains(QStringLiteral("mnt"));
    const bool confirmed = snap->hostInit.nsPids.size() >= 2 && snap->hostInit.nsPids.back() == r.pid;
    if (made && r.pid == 1 && r.hostname == snap->requestedHostname && confirmed) {
        snap->namespaces.mode = ContainerPart::Mode::Real;
        QStringList nsPids;
        for (int p : snap->hostInit.nsPids)
            nsPids << QString::number(p);
        snap->namespaces.why
            = QStringLiteral("unshare() made %1 namespaces; the host's /proc/%2/status confirms it "
                             "(NSpid %3)")
                  .arg(r.unshared.join(QStringLiteral(", ")))
                  .arg(r.childHostPid)
                  .arg(nsPids.join(QLatin1Char(' ')));
        const QString other = errorsText(r, {QStringLiteral("unshare")});
        if (!other.isEmpty())
            snap->namespaces.why += QStringLiteral(" (without a user namespace: %1)").arg(other);
    } else {
        snap->namespaces.mode = ContainerPart::Mode::Model;
        QString why = errorsText(r,
            {QStringLiteral("unshare"), QStringLiteral("setgroups"), QStringLiteral("uid_map"),
                QStringLiteral("gid_map"), QStringLiteral("sethostname"), QStringLiteral("mount_private"),
                QStringLiteral("mount_proc")});
        if (why.isEmpty() && !hostError.isEmpty())
            why = hostError;
        if (why.isEmpty())
            why = QStringLiteral(
                "the process reported pid %1 and host name '%2', and the host's NSpid line does not "
                "show a nested PID namespace")
                      .arg(r.pid)
                      .arg(r.hostname);
        snap->namespaces.why = QStringLiteral("the OS refused: %1").arg(why);
    }
    return true;
}

bool ContainersEngine::runOverlay(ContainerProcess *container, OverlayImage *image, bool imageBuilt,
    ContainersSnapshot *snap, QString *error)
{
    const ContainersConfig &cfg = config();
    snap->plannedChanges = OverlayImage::changes(cfg.change);
    snap->layersBefore = imageBuilt ? image->list() : modelLayers();
    snap->imageRoot = imageBuilt ? image->root() : QString();

    QString refusal;
    if (imageBuilt) {
        QByteArray commands = "overlay " + QFile::encodeName(image->root()) + '\n';
        for (const ImageChange &c : snap->plannedChanges)
            commands += c.action.toLatin1() + ' ' + c.path.toUtf8() + '\n';
        commands += "end\n";
        if (!container->send(commands, error))
            return false;
        const ContainerProcess::Wait w
            = container->readUntil([](const ContainerReport &r) { return r.overlayDone; }, kStartTimeoutMs,
                [this] { return !stopRequested(); }, error);
        snap->report = container->report();
        if (w != ContainerProcess::Wait::Done)
            return false;
        const ContainerReport &r = snap->report;
        int failed = 0;
        for (const ContainerAction &a : r.actions) {
            if (!a.ok) {
                ++failed;
                refusal += QStringLiteral("%1%2 %3: %4")
                               .arg(refusal.isEmpty() ? QString() : QStringLiteral("; "), a.name, a.path,
                                   a.error);
            }
        }
        if (r.overlayMounted == 1 && failed == 0 && r.actions.size() == snap->plannedChanges.size()) {
            snap->overlay.mode = ContainerPart::Mode::Real;
            snap->overlay.why
                = QStringLiteral("mounted overlayfs on %1/merged inside the container's mount namespace "
                                 "(%2)")
                      .arg(image->root(), r.overlayOptions);
            snap->layersAfter = image->list();
            snap->merged = toListing(r.merged);
            snap->hostMergedEntries = image->hostMergedEntries();
            snap->changes = OverlayImage::diff(snap->layersBefore, snap->layersAfter);
            return true;
        }
        if (r.overlayMounted != 1) {
            refusal
                = QStringLiteral("mount(\"overlay\", %1/merged) refused: %2")
                      .arg(image->root(),
                          errorsText(r,
                              {QStringLiteral("overlay_mount"), QStringLiteral("overlay_mount_userxattr")}));
        }
    } else {
        refusal = snap->overlay.why; // why the image could not be built
    }
    // The model: the same layers, the same changes, made as overlayfs makes them.
    OverlayModel model(snap->layersBefore);
    for (const ImageChange &c : snap->plannedChanges)
        model.apply(c);
    snap->overlay.mode = ContainerPart::Mode::Model;
    snap->overlay.why = QStringLiteral("the OS refused: %1").arg(refusal);
    snap->layersAfter = model.layers();
    snap->merged = model.merged();
    snap->hostMergedEntries = imageBuilt ? image->hostMergedEntries() : 0;
    snap->changes = OverlayImage::diff(snap->layersBefore, snap->layersAfter);
    return true;
}

bool ContainersEngine::runCgroup(
    ContainerProcess *container, CgroupCpuLimit *limit, ContainersSnapshot *snap, QString *error)
{
    const ContainersConfig &cfg = config();
    const bool dirMethod
        = limit->method() == CpuLimitMethod::CgroupV1 || limit->method() == CpuLimitMethod::CgroupV2;
    snap->cgroupMethod = cpuLimitMethodId(limit->method());
    snap->cgroupAttempts = limit->attempts();
    snap->cgroupPath = limit->groupPath();
    // Through systemd-run the container starts inside its scope: limited from the first moment.
    snap->limitAtS = limit->method() == CpuLimitMethod::SystemdRun ? 0.0 : cfg.burnSeconds / 3.0;
    if (limit->method() == CpuLimitMethod::SystemdRun) {
        QString ignored;
        limit->addProcess(snap->report.childHostPid, &ignored);
        snap->cgroupPath = limit->groupPath();
        snap->limitApplied = true;
    }
    QString addError;
    bool limitFailed = false;

    const std::int64_t startNs = monotonicNs();
    const int burnMs = int(cfg.burnSeconds * 1000);
    if (!container->send(QStringLiteral("burn %1 %2\n").arg(burnMs).arg(kSampleMs).toLatin1(), error))
        return false;
    std::int64_t lastPublishNs = startNs;
    const auto tick = [&] {
        const std::int64_t now = monotonicNs();
        if (dirMethod && !snap->limitApplied && !limitFailed
            && now - startNs >= std::int64_t(snap->limitAtS * 1e9)) {
            if (limit->addProcess(snap->report.childHostPid, &addError))
                snap->limitApplied = true;
            else
                limitFailed = true;
        }
        if (now - lastPublishNs >= 200000000) {
            snap->report = container->report();
            const CpuShare share
                = CpuShare::fromSamples(snap->report.cpu, startNs, snap->limitAtS, cfg.periodUs / 1e6);
            snap->shareTimeS = share.timeS;
            snap->sharePercent = share.percent;
            snap->progress = std::min(1.0, (now - startNs) / 1e9 / cfg.burnSeconds);
            snap->status = QStringLiteral("the container computes: %1 of %2 s")
                               .arg((now - startNs) / 1e9, 0, 'f', 1)
                               .arg(cfg.burnSeconds, 0, 'f', 1);
            publishCopy(*snap);
            lastPublishNs = now;
        }
        return !stopRequested();
    };
    const ContainerProcess::Wait w = container->readUntil(
        [](const ContainerReport &r) { return r.burnDone; }, burnMs + kStartTimeoutMs, tick, error);
    snap->report = container->report();
    if (w != ContainerProcess::Wait::Done)
        return false;
    snap->throttle = limit->stat();

    const CpuShare share
        = CpuShare::fromSamples(snap->report.cpu, startNs, snap->limitAtS, cfg.periodUs / 1e6);
    snap->shareTimeS = share.timeS;
    snap->sharePercent = share.percent;
    snap->shareBeforePercent = share.beforePercent;
    snap->measuredAfterPercent = share.afterPercent;
    const CpuQuotaModel model(cfg.quotaPercent, cfg.periodUs);
    snap->modelSharePercent = model.shareSeries(cfg.burnSeconds, kSampleMs / 1000.0, snap->limitAtS);
    snap->modelTimeS.clear();
    for (std::size_t i = 0; i < snap->modelSharePercent.size(); ++i)
        snap->modelTimeS.push_back((i + 1) * kSampleMs / 1000.0);

    const QString earlier = limit->refusals();
    if (limit->real() && snap->limitApplied) {
        snap->cgroup.mode = ContainerPart::Mode::Real;
        snap->shareLimitedPercent = share.afterPercent;
        snap->cgroup.why = QStringLiteral("%1: group %2 with a quota of %3 us per %4 us period")
                               .arg(snap->cgroupMethod,
                                   snap->cgroupPath.isEmpty() ? QStringLiteral("(scope)") : snap->cgroupPath)
                               .arg(qint64(cfg.periodUs * cfg.quotaPercent / 100.0))
                               .arg(cfg.periodUs);
        if (!earlier.isEmpty())
            snap->cgroup.why += QStringLiteral(" (tried before: %1)").arg(earlier);
    } else {
        snap->cgroup.mode = ContainerPart::Mode::Model;
        snap->cgroupMethod = QStringLiteral("model");
        snap->shareLimitedPercent = model.steadySharePercent();
        if (limitFailed)
            snap->cgroup.why = QStringLiteral("the OS refused to move the container into %1: %2")
                                   .arg(snap->cgroupPath, addError);
        else if (cfg.method == CpuLimitMethod::Model)
            snap->cgroup.why = QStringLiteral(
                "the model was asked for (cpu_limit = model); nothing was limited on the OS");
        else
            snap->cgroup.why = QStringLiteral("the OS refused: %1").arg(earlier);
        snap->throttle = {};
        snap->throttle.throttledPeriods = model.throttledPeriods(cfg.burnSeconds - snap->limitAtS);
    }
    return true;
}

void ContainersEngine::run()
{
    const ContainersConfig &cfg = config();
    ContainersSnapshot snap;
    snap.requestedHostname = cfg.hostname;
    snap.quotaPercent = cfg.quotaPercent;
    snap.periodUs = cfg.periodUs;
    snap.burnSeconds = cfg.burnSeconds;
    snap.overlay.mode = cfg.overlay ? ContainerPart::Mode::Pending : ContainerPart::Mode::Skipped;
    snap.cgroup.mode = cfg.cgroup ? ContainerPart::Mode::Pending : ContainerPart::Mode::Skipped;
    snap.status = QStringLiteral("starting the container");
    publishCopy(snap);

    // Declared in this order so that the container ends before its image and its group go.
    OverlayImage image;
    bool imageBuilt = false;
    if (cfg.overlay) {
        QString why;
        imageBuilt = image.build(&why);
        if (!imageBuilt)
            snap.overlay.why = why;
    }
    CgroupCpuLimit limit;
    if (cfg.cgroup)
        limit.create(cfg.method, cfg.quotaPercent, cfg.periodUs);
    ContainerProcess container;

    QString error;
    auto finish = [&](const QString &failure) {
        container.finish();
        QString ignored;
        limit.remove(&ignored);
        image.remove(&ignored);
        snap.progress = 1;
        snap.result = buildResult(snap);
        if (!failure.isEmpty() && !stopRequested()) {
            snap.result.error = failure;
            snap.status = failure;
        } else if (stopRequested()) {
            snap.status = QStringLiteral("stopped; the container and its processes are gone");
        } else {
            snap.status = QStringLiteral("done: namespaces %1, overlay %2, cgroup %3")
                              .arg(snap.namespaces.modeId(), snap.overlay.modeId(), snap.cgroup.modeId());
        }
        publishCopy(snap);
    };

    if (!container.start(cfg.hostname, limit.commandPrefix(), &error)) {
        finish(error);
        return;
    }
    if (!runNamespaces(&container, &snap, &error)) {
        finish(error);
        return;
    }
    snap.progress = 0.2;
    snap.status = QStringLiteral("the container runs: pid %1 inside, %2 on the host (namespaces: %3)")
                      .arg(snap.namespaces.mode == ContainerPart::Mode::Real ? snap.report.pid : 1)
                      .arg(snap.report.childHostPid)
                      .arg(partLabel(snap.namespaces));
    publishCopy(snap);
    if (!checkpoint()) {
        finish(QString());
        return;
    }
    if (cfg.overlay) {
        if (!runOverlay(&container, &image, imageBuilt, &snap, &error)) {
            finish(error);
            return;
        }
        snap.progress = 0.4;
        snap.status
            = QStringLiteral("the container wrote to its files (overlay: %1)").arg(partLabel(snap.overlay));
        publishCopy(snap);
        if (!checkpoint()) {
            finish(QString());
            return;
        }
    }
    if (cfg.cgroup) {
        if (!runCgroup(&container, &limit, &snap, &error)) {
            finish(error);
            return;
        }
    }
    finish(QString());
}

Result ContainersEngine::buildResult(const ContainersSnapshot &s) const
{
    Result result = makeResult();
    QJsonObject &sum = result.summary;
    const ContainerReport &r = s.report;
    if (s.namespaces.done()) {
        const bool real = s.namespaces.mode == ContainerPart::Mode::Real;
        sum.insert(QStringLiteral("pid_in_container"), real ? r.pid : 1);
        sum.insert(QStringLiteral("hostname_in_container"), real ? r.hostname : s.requestedHostname);
        sum.insert(QStringLiteral("host_pid"), s.hostInit.hostPid > 0 ? s.hostInit.hostPid : r.childHostPid);
        sum.insert(QStringLiteral("container_ppid"), real ? r.ppid : 0);
        QStringList nsPids;
        for (int p : s.hostInit.nsPids)
            nsPids << QString::number(p);
        sum.insert(QStringLiteral("ns_pids"), nsPids.join(QLatin1Char(' ')));
        sum.insert(QStringLiteral("container_process_count"), real ? r.processCount : 2);
        sum.insert(QStringLiteral("host_process_count"), s.hostProcessCount);
        sum.insert(QStringLiteral("host_hostname"), s.hostHostname);
        sum.insert(QStringLiteral("uid_in_container"), real ? double(r.uid) : 0.0);
        sum.insert(QStringLiteral("host_uid"), double(s.hostInit.uid));
        sum.insert(QStringLiteral("namespaces_made"), r.unshared.join(QLatin1Char(',')));
        sum.insert(QStringLiteral("namespaces_mode"), s.namespaces.modeId());
        sum.insert(QStringLiteral("namespaces_why"), s.namespaces.why);
    }
    if (s.overlay.done()) {
        sum.insert(QStringLiteral("overlay_mode"), s.overlay.modeId());
        sum.insert(QStringLiteral("overlay_why"), s.overlay.why);
        int lower = 0, upper = 0;
        for (const LayerChange &c : s.changes)
            (c.layer == OverlayImage::Upper ? upper : lower) += 1;
        sum.insert(QStringLiteral("lower_layers_changed"), lower);
        sum.insert(QStringLiteral("upper_changes"), upper);
        // Where each change landed: the layer with an added or changed entry at its path.
        auto landedIn = [&](const QString &path) {
            int layer = -1;
            for (const LayerChange &c : s.changes) {
                if (c.path == path && c.kind != LayerChange::Kind::Removed)
                    layer = std::max(layer, c.layer);
            }
            return layer;
        };
        const QString created = changePath(s.plannedChanges, QStringLiteral("create"));
        const QString appended = changePath(s.plannedChanges, QStringLiteral("append"));
        const QString deleted = changePath(s.plannedChanges, QStringLiteral("delete"));
        if (!created.isEmpty())
            sum.insert(QStringLiteral("create_layer"), landedIn(created));
        if (!appended.isEmpty()) {
            sum.insert(QStringLiteral("append_layer"), landedIn(appended));
            const LayerEntry *up = s.layersAfter.size() > OverlayImage::Upper
                ? OverlayImage::find(s.layersAfter[OverlayImage::Upper], appended)
                : nullptr;
            sum.insert(QStringLiteral("copy_up_bytes"), up ? double(up->sizeBytes) : 0.0);
        }
        if (!deleted.isEmpty()) {
            bool removedBelow = false;
            for (const LayerChange &c : s.changes)
                removedBelow = removedBelow
                    || (c.path == deleted && c.kind == LayerChange::Kind::Removed
                        && c.layer != OverlayImage::Upper);
            const LayerEntry *w = s.layersAfter.size() > OverlayImage::Upper
                ? OverlayImage::find(s.layersAfter[OverlayImage::Upper], deleted)
                : nullptr;
            const bool visible = OverlayImage::find(s.merged, deleted) != nullptr;
            sum.insert(QStringLiteral("delete_outcome"),
                removedBelow                            ? 0
                    : (w && w->kind == 'w' && !visible) ? 1
                                                        : 2);
        }
        sum.insert(QStringLiteral("merged_entries"), int(s.merged.size()));
        sum.insert(QStringLiteral("host_merged_entries"), s.hostMergedEntries);
        // The kernel's result checked against the model of a union file system.
        OverlayModel model(s.layersBefore);
        for (const ImageChange &c : s.plannedChanges)
            model.apply(c);
        const bool matches = s.layersAfter.size() == model.layers().size()
            && sameShape(model.layers()[OverlayImage::Upper], s.layersAfter[OverlayImage::Upper])
            && sameShape(model.merged(), s.merged);
        sum.insert(QStringLiteral("overlay_matches_model"), matches);
    }
    if (s.cgroup.done()) {
        sum.insert(QStringLiteral("cgroup_mode"), s.cgroup.modeId());
        sum.insert(QStringLiteral("cgroup_why"), s.cgroup.why);
        sum.insert(QStringLiteral("cgroup_method"), s.cgroupMethod);
        sum.insert(QStringLiteral("cgroup_path"), s.cgroupPath);
        sum.insert(QStringLiteral("cpu_quota_percent"), s.quotaPercent);
        sum.insert(QStringLiteral("cpu_period_ms"), s.periodUs / 1000.0);
        if (s.limitAtS > 0)
            sum.insert(QStringLiteral("cpu_share_before_percent"), s.shareBeforePercent);
        sum.insert(QStringLiteral("cpu_share_limited_percent"), s.shareLimitedPercent);
        sum.insert(QStringLiteral("cpu_share_measured_after_percent"), s.measuredAfterPercent);
        if (s.throttle.throttledPeriods >= 0)
            sum.insert(QStringLiteral("throttled_periods"), double(s.throttle.throttledPeriods));
        if (s.throttle.throttledUs >= 0)
            sum.insert(QStringLiteral("throttled_ms"), s.throttle.throttledUs / 1000.0);

        Series measured;
        measured.id = QStringLiteral("cpu_share");
        measured.name = QStringLiteral("CPU share of the container (measured)");
        measured.xLabel = QStringLiteral("time (s)");
        measured.yLabel = QStringLiteral("share of one CPU (%)");
        measured.style = Series::Style::Steps;
        measured.x = s.shareTimeS;
        measured.y = s.sharePercent;
        Series modelled = measured;
        modelled.id = QStringLiteral("cpu_share_model");
        modelled.name = QStringLiteral("CPU share under the limit (model)");
        modelled.x = s.modelTimeS;
        modelled.y = s.modelSharePercent;
        result.series = {measured, modelled};
    }
    if (s.overlay.done()) {
        result.table.columns = {QStringLiteral("layer"), QStringLiteral("path"), QStringLiteral("kind"),
            QStringLiteral("size_bytes"), QStringLiteral("change")};
        for (std::size_t layer = 0; layer < s.layersAfter.size(); ++layer) {
            for (const LayerEntry &e : s.layersAfter[layer]) {
                QString change;
                for (const LayerChange &c : s.changes) {
                    if (c.layer == int(layer) && c.path == e.path)
                        change = c.kind == LayerChange::Kind::Added ? QStringLiteral("added")
                                                                    : QStringLiteral("changed");
                }
                result.table.rows.push_back({OverlayImage::layerFolder(int(layer)), e.path,
                    QString(QChar::fromLatin1(e.kind)), double(e.sizeBytes), change});
            }
        }
    }
    return result;
}

} // namespace proclab
