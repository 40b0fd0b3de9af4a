#include "neighbourengine.h"

#include "neighbourhelpers.h"
#include "requestloop.h"

#include "common/cgroupcpulimit.h"
#include "common/clock.h"
#include "common/helperprocess.h"

#include <QFile>

#include <algorithm>

#include <sched.h>
#include <unistd.h>

namespace proclab {

namespace {

constexpr int kReadyTimeoutMs = 10000;
constexpr int kWarmUpMs = 100;
constexpr int kMaxRequestsPerPhase = 20000;
constexpr int kCdfPoints = 400;

QString phaseTitle(const QString &id)
{
    if (id == QLatin1String("alone"))
        return QStringLiteral("alone");
    if (id == QLatin1String("cpu"))
        return QStringLiteral("beside a CPU-heavy tenant");
    if (id == QLatin1String("cache"))
        return QStringLiteral("beside a cache-heavy tenant");
    return QStringLiteral("beside the CPU-heavy tenant, CPU-limited");
}

std::vector<int> allowedCpus()
{
    std::vector<int> out;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (::sched_getaffinity(0, sizeof set, &set) != 0)
        return {0};
    for (int c = 0; c < CPU_SETSIZE; ++c) {
        if (CPU_ISSET(c, &set))
            out.push_back(c);
    }
    return out.empty() ? std::vector<int> {0} : out;
}

/// Waits for the one-byte "ready" of a helper.
bool waitReady(HelperProcess *helper, const QString &what, QString *error)
{
    QByteArray byte;
    QString readError;
    const HelperProcess::Read r = helper->readExactly(1, kReadyTimeoutMs, &byte, &readError);
    if (r == HelperProcess::Read::Data && byte == "R")
        return true;
    if (r == HelperProcess::Read::Data)
        *error = QStringLiteral("malformed start of the %1: '%2' instead of 'R'")
                     .arg(what, QString::fromLatin1(byte.toHex()));
    else if (r == HelperProcess::Read::Timeout)
        *error = QStringLiteral("the %1 did not start within %2 s").arg(what).arg(kReadyTimeoutMs / 1000);
    else {
        helper->waitExit(1000);
        const QString said = helper->errorOutput();
        *error = QStringLiteral("the %1 ended before it was ready (%2)%3")
                     .arg(what, helper->exitText(),
                         said.isEmpty() ? QString() : QStringLiteral(": ") + said.left(200));
    }
    return false;
}

} // namespace

NeighbourEngine::NeighbourEngine()
    : ConfiguredEngine(EngineInfo {QString(kId),
        QStringLiteral("Noisy neighbours: isolation is not performance isolation"), Provenance::Measured,
        QStringLiteral(
            "Times a latency-sensitive service alone, then beside a CPU-heavy and a cache-heavy tenant "
            "pinned to the same CPU, then beside the CPU tenant held to a CPU limit by a control group."),
        {QStringLiteral("V9")}, {QString(kLatencyView)}})
{
}

ParamSchema NeighbourEngine::schema() const
{
    QStringList methods = cpuLimitMethodIds();
    methods.removeAll(QStringLiteral("model"));
    return ParamSchema {
        ParamSpec::choice(QStringLiteral("phases"), QStringLiteral("Phases"), QStringLiteral("all"),
            {QStringLiteral("all"), QStringLiteral("cpu"), QStringLiteral("cache"),
                QStringLiteral("limited")},
            QStringLiteral(
                "all: alone, CPU tenant, cache tenant, CPU tenant limited; cpu or cache: alone and that "
                "tenant; limited: alone, CPU tenant, CPU tenant limited.")),
        ParamSpec::integer(QStringLiteral("phase_ms"), QStringLiteral("Phase length"), 1500, 300, 5000,
            QStringLiteral("ms"), QStringLiteral("How long each phase sends requests.")),
        ParamSpec::integer(QStringLiteral("interval_us"), QStringLiteral("Request interval"), 1000, 200,
            20000, QStringLiteral("us"),
            QStringLiteral("One request every this often; the service sleeps in between.")),
        ParamSpec::bytes(QStringLiteral("working_set"), QStringLiteral("Service working set"), 256 * 1024,
            16 * 1024, 16 * 1024 * 1024, QStringLiteral("Memory the service walks to answer one request.")),
        ParamSpec::choice(QStringLiteral("placement"), QStringLiteral("Tenant placement"),
            QStringLiteral("same_core"), {QStringLiteral("same_core"), QStringLiteral("other_core")},
            QStringLiteral(
                "same_core pins the tenant to the service's CPU; other_core to another CPU (they then "
                "share only the caches and memory).")),
        ParamSpec::bytes(QStringLiteral("cache_bytes"), QStringLiteral("Cache tenant's buffer"),
            64 * 1024 * 1024, 1024 * 1024, 512 * 1024 * 1024,
            QStringLiteral("The cache-heavy tenant writes over this much memory.")),
        ParamSpec::integer(QStringLiteral("tenant_quota"), QStringLiteral("Tenant CPU limit"), 20, 5, 90,
            QStringLiteral("%"), QStringLiteral("The limited tenant's share of one CPU.")),
        ParamSpec::integer(QStringLiteral("period_ms"), QStringLiteral("Limit period"), 100, 5, 1000,
            QStringLiteral("ms"),
            QStringLiteral("The tenant may compute for quota x period, then waits for the next period.")),
        ParamSpec::choice(QStringLiteral("cpu_limit"), QStringLiteral("CPU limit method"),
            QStringLiteral("auto"), methods,
            QStringLiteral("auto tries a cgroup v2 group of our own, then cgroup v1, then systemd-run.")),
    };
}

std::vector<OutputSpec> NeighbourEngine::outputs() const
{
    const QString us = QStringLiteral("us");
    const QString none;
    return {
        {QStringLiteral("p50_us_*"), us,
            QStringLiteral("median request latency per phase (alone, cpu, cache, limited), measured")},
        {QStringLiteral("p90_us_*"), us, QStringLiteral("90th percentile latency per phase")},
        {QStringLiteral("p99_us_*"), us, QStringLiteral("99th percentile latency per phase")},
        {QStringLiteral("max_us_*"), us, QStringLiteral("largest latency per phase")},
        {QStringLiteral("mean_us_*"), us, QStringLiteral("mean latency per phase")},
        {QStringLiteral("requests_*"), QStringLiteral("requests"),
            QStringLiteral("requests timed per phase")},
        {QStringLiteral("service_p50_us_*"), us,
            QStringLiteral("median time the service computed per request, per phase")},
        {QStringLiteral("service_p99_us_*"), us,
            QStringLiteral("99th percentile of the service's computing time per phase")},
        {QStringLiteral("tenant_cpu_percent_*"), QStringLiteral("%"),
            QStringLiteral("the tenant's CPU time over wall time in the phase")},
        {QStringLiteral("p50_ratio_*"), QStringLiteral("x"),
            QStringLiteral("median latency of the phase over the median alone")},
        {QStringLiteral("p99_ratio_*"), QStringLiteral("x"),
            QStringLiteral("99th percentile of the phase over the 99th percentile alone")},
        {QStringLiteral("max_ratio_*"), QStringLiteral("x"),
            QStringLiteral("largest latency of the phase over the largest alone")},
        {QStringLiteral("p99_growth_class_*"), none,
            QStringLiteral(
                "p99_ratio as a class: 0 below 2x, 1 from 2x to 10x, 2 from 10x to 100x, 3 100x or more")},
        {QStringLiteral("limited_p99_vs_cpu"), none,
            QStringLiteral("p99 limited against p99 beside the unlimited CPU tenant: 0 below half, 1 from "
                           "half to about the same (1.25x), 2 above")},
        {QStringLiteral("limited_p50_vs_cpu"), none, QStringLiteral("the same comparison for the median")},
        {QStringLiteral("limited_mode"), none,
            QStringLiteral("real (a control group limited the tenant) or skipped (text)")},
        {QStringLiteral("limited_why"), none,
            QStringLiteral("how the tenant was limited, or what the OS refused (text)")},
        {QStringLiteral("limited_method"), none,
            QStringLiteral("cgroup-v2, cgroup-v1 or systemd-run (text)")},
        {QStringLiteral("limited_throttled_periods"), QStringLiteral("periods"),
            QStringLiteral("periods in which the limited tenant hit its quota (cpu.stat)")},
        {QStringLiteral("service_cpu"), none, QStringLiteral("the CPU the service was pinned to")},
        {QStringLiteral("tenant_cpu"), none, QStringLiteral("the CPU the tenants were pinned to")},
        {QStringLiteral("placement"), none, QStringLiteral("same_core or other_core (text)")},
        {QStringLiteral("interval_us"), us, QStringLiteral("time between two requests")},
        {QStringLiteral("working_set_bytes"), QStringLiteral("bytes"),
            QStringLiteral("memory the service walks per request")},
    };
}

double NeighbourEngine::parseStatCpuSeconds(const QByteArray &stat, long ticksPerSecond)
{
    // The name (field 2) may hold spaces and parentheses: the fields start after the last ')'.
    const qsizetype close = stat.lastIndexOf(')');
    if (close < 0 || ticksPerSecond <= 0)
        return -1;
    const QList<QByteArray> f = stat.mid(close + 2).split(' ');
    if (f.size() < 13)
        return -1;
    bool okU = false, okS = false;
    const qlonglong utime = f[11].toLongLong(&okU);
    const qlonglong stime = f[12].toLongLong(&okS);
    if (!okU || !okS || utime < 0 || stime < 0)
        return -1;
    return double(utime + stime) / double(ticksPerSecond);
}

double NeighbourEngine::processCpuSeconds(int pid)
{
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    return parseStatCpuSeconds(f.read(4096), ::sysconf(_SC_CLK_TCK));
}

bool NeighbourEngine::runPhase(HelperProcess *service, NeighbourSnapshot *snap, int index, QString *error)
{
    const NeighbourConfig &cfg = config();
    NeighbourPhase &phase = snap->phases[std::size_t(index)];
    phase.state = NeighbourPhase::State::Running;
    snap->current = index;
    snap->status = QStringLiteral("phase %1 of %2: the service %3")
                       .arg(index + 1)
                       .arg(snap->phases.size())
                       .arg(phaseTitle(phase.id));
    publish(std::make_shared<NeighbourSnapshot>(*snap));

    // The tenant, limited if this phase asks for it.
    CgroupCpuLimit limit;
    HelperProcess tenant;
    if (phase.id == QLatin1String("limited")) {
        if (!limit.create(cfg.method, cfg.quotaPercent, cfg.periodUs)) {
            phase.state = NeighbourPhase::State::Skipped;
            phase.why = QStringLiteral("no control group: the OS refused: %1").arg(limit.refusals());
            return true;
        }
        phase.limitMethod = cpuLimitMethodId(limit.method());
    }
    if (!phase.tenant.isEmpty()) {
        const QStringList args {
            phase.tenant, QString::number(snap->tenantCpu), QString::number(cfg.cacheBytes)};
        if (!tenant.start(QString(NeighbourHelpers::kTenant), args, error, limit.commandPrefix())
            || !waitReady(&tenant, QStringLiteral("tenant"), error))
            return false;
        if (limit.real()) {
            QString addError;
            if (!limit.addProcess(tenant.pid(), &addError)) {
                tenant.kill();
                phase.state = NeighbourPhase::State::Skipped;
                phase.why = QStringLiteral("the OS refused to move the tenant into %1: %2")
                                .arg(limit.groupPath(), addError);
                return true;
            }
            phase.limitPath = limit.groupPath();
            phase.why = QStringLiteral("%1: group %2, %3 us per %4 us period")
                            .arg(phase.limitMethod, phase.limitPath)
                            .arg(qint64(cfg.periodUs * cfg.quotaPercent / 100.0))
                            .arg(cfg.periodUs);
            if (!limit.refusals().isEmpty())
                phase.why += QStringLiteral(" (tried before: %1)").arg(limit.refusals());
        }
    }

    // Warm up (caches, the tenant's first period), then measure.
    std::vector<RequestLoop::Sample> samples;
    const auto keepGoing = [this](const std::vector<RequestLoop::Sample> &) { return !stopRequested(); };
    RequestLoop::End end = RequestLoop::run(
        service, cfg.intervalUs, kWarmUpMs, kMaxRequestsPerPhase, keepGoing, &samples, error);
    const double cpu0 = tenant.pid() > 0 ? processCpuSeconds(tenant.pid()) : -1;
    const std::int64_t wall0 = monotonicNs();
    const CpuThrottleStat throttle0 = limit.stat();
    if (end == RequestLoop::End::Done) {
        const auto tick = [&](const std::vector<RequestLoop::Sample> &so) {
            auto copy = std::make_shared<NeighbourSnapshot>(*snap);
            NeighbourPhase &live = copy->phases[std::size_t(index)];
            for (const RequestLoop::Sample &s : so) {
                live.atS.push_back(s.atS);
                live.latencyUs.push_back(s.latencyUs);
                live.serviceUs.push_back(s.serviceUs);
            }
            live.latency = LatencyStats::of(live.latencyUs);
            live.service = LatencyStats::of(live.serviceUs);
            copy->progress = (index + std::min(1.0, (monotonicNs() - wall0) / 1e6 / cfg.phaseMs))
                / double(snap->phases.size());
            publish(copy);
            return !stopRequested();
        };
        end = RequestLoop::run(
            service, cfg.intervalUs, cfg.phaseMs, kMaxRequestsPerPhase, tick, &samples, error);
    }
    const double cpu1 = tenant.pid() > 0 ? processCpuSeconds(tenant.pid()) : -1;
    const double wallS = (monotonicNs() - wall0) / 1e9;
    const CpuThrottleStat throttle1 = limit.stat();
    tenant.kill();
    QString ignored;
    limit.remove(&ignored);
    if (end != RequestLoop::End::Done)
        return false;

    for (const RequestLoop::Sample &s : samples) {
        phase.atS.push_back(s.atS);
        phase.latencyUs.push_back(s.latencyUs);
        phase.serviceUs.push_back(s.serviceUs);
    }
    phase.latency = LatencyStats::of(phase.latencyUs);
    phase.service = LatencyStats::of(phase.serviceUs);
    if (cpu0 >= 0 && cpu1 >= 0 && wallS > 0)
        phase.tenantCpuPercent = 100.0 * (cpu1 - cpu0) / wallS;
    if (throttle0.throttledPeriods >= 0 && throttle1.throttledPeriods >= 0)
        phase.throttle.throttledPeriods = throttle1.throttledPeriods - throttle0.throttledPeriods;
    phase.state = NeighbourPhase::State::Done;
    return true;
}

void NeighbourEngine::run()
{
    const NeighbourConfig &cfg = config();
    NeighbourSnapshot snap;
    snap.intervalUs = cfg.intervalUs;
    snap.workingSetBytes = cfg.workingSetBytes;
    snap.cacheBytes = cfg.cacheBytes;
    snap.quotaPercent = cfg.quotaPercent;
    snap.periodUs = cfg.periodUs;
    snap.sameCore = cfg.sameCore;
    for (const QString &id : cfg.phases) {
        NeighbourPhase p;
        p.id = id;
        p.tenant = id == QLatin1String("alone") ? QString()
            : id == QLatin1String("cache")      ? QStringLiteral("cache")
                                                : QStringLiteral("cpu");
        snap.phases.push_back(p);
    }
    const std::vector<int> cpus = allowedCpus();
    snap.allowedCpus = int(cpus.size());
    snap.serviceCpu = cpus.back();
    snap.tenantCpu = cfg.sameCore ? snap.serviceCpu : cpus.front();

    auto finish = [&](const QString &failure) {
        snap.current = -1;
        snap.progress = 1;
        snap.result = buildResult(snap);
        if (!failure.isEmpty() && !stopRequested()) {
            snap.result.error = failure;
            snap.status = failure;
        } else {
            snap.status = stopRequested() ? QStringLiteral("stopped; the service and the tenants are gone")
                                          : QStringLiteral("done (measured on this machine)");
        }
        publish(std::make_shared<NeighbourSnapshot>(snap));
    };
    if (!cfg.sameCore && cpus.size() < 2) {
        finish(QStringLiteral("placement other_core needs two CPUs; this process may use only CPU %1")
                   .arg(cpus.front()));
        return;
    }

    HelperProcess service;
    QString error;
    snap.status = QStringLiteral("starting the service on CPU %1").arg(snap.serviceCpu);
    publish(std::make_shared<NeighbourSnapshot>(snap));
    if (!service.start(QString(NeighbourHelpers::kService),
            {QString::number(snap.serviceCpu), QString::number(cfg.workingSetBytes)}, &error)
        || !waitReady(&service, QStringLiteral("service"), &error)) {
        finish(error);
        return;
    }
    for (int i = 0; i < int(snap.phases.size()); ++i) {
        if (!checkpoint() || !runPhase(&service, &snap, i, &error)) {
            service.kill();
            finish(error);
            return;
        }
        publish(std::make_shared<NeighbourSnapshot>(snap));
    }
    service.closeInput();
    if (!service.waitExit(2000))
        service.kill();
    finish(QString());
}

Result NeighbourEngine::buildResult(const NeighbourSnapshot &s) const
{
    Result result = makeResult();
    QJsonObject &sum = result.summary;
    const NeighbourPhase *alone = nullptr, *cpu = nullptr;
    for (const NeighbourPhase &p : s.phases) {
        if (p.state == NeighbourPhase::State::Done && p.id == QLatin1String("alone"))
            alone = &p;
        if (p.state == NeighbourPhase::State::Done && p.id == QLatin1String("cpu"))
            cpu = &p;
    }
    for (const NeighbourPhase &p : s.phases) {
        if (p.id == QLatin1String("limited")) {
            sum.insert(QStringLiteral("limited_mode"),
                p.state == NeighbourPhase::State::Done          ? QStringLiteral("real")
                    : p.state == NeighbourPhase::State::Skipped ? QStringLiteral("skipped")
                                                                : QStringLiteral("pending"));
            sum.insert(QStringLiteral("limited_why"), p.why);
            if (!p.limitMethod.isEmpty())
                sum.insert(QStringLiteral("limited_method"), p.limitMethod);
            if (p.throttle.throttledPeriods >= 0)
                sum.insert(QStringLiteral("limited_throttled_periods"), double(p.throttle.throttledPeriods));
        }
        if (p.state != NeighbourPhase::State::Done || p.latency.count == 0)
            continue;
        const QString &id = p.id;
        sum.insert(QStringLiteral("p50_us_") + id, p.latency.p50Us);
        sum.insert(QStringLiteral("p90_us_") + id, p.latency.p90Us);
        sum.insert(QStringLiteral("p99_us_") + id, p.latency.p99Us);
        sum.insert(QStringLiteral("max_us_") + id, p.latency.maxUs);
        sum.insert(QStringLiteral("mean_us_") + id, p.latency.meanUs);
        sum.insert(QStringLiteral("requests_") + id, p.latency.count);
        sum.insert(QStringLiteral("service_p50_us_") + id, p.service.p50Us);
        sum.insert(QStringLiteral("service_p99_us_") + id, p.service.p99Us);
        if (p.tenantCpuPercent >= 0)
            sum.insert(QStringLiteral("tenant_cpu_percent_") + id, p.tenantCpuPercent);
        if (alone && &p != alone && alone->latency.p50Us > 0) {
            sum.insert(QStringLiteral("p50_ratio_") + id, p.latency.p50Us / alone->latency.p50Us);
            sum.insert(QStringLiteral("p99_ratio_") + id, p.latency.p99Us / alone->latency.p99Us);
            sum.insert(QStringLiteral("max_ratio_") + id, p.latency.maxUs / alone->latency.maxUs);
            sum.insert(QStringLiteral("p99_growth_class_") + id,
                LatencyStats::growthClass(alone->latency.p99Us, p.latency.p99Us));
        }
        if (id == QLatin1String("limited") && cpu && cpu->latency.p99Us > 0) {
            auto versus = [](double limited, double unlimited) {
                const double r = limited / unlimited;
                return r < 0.5 ? 0 : r <= 1.25 ? 1 : 2;
            };
            sum.insert(QStringLiteral("limited_p99_vs_cpu"), versus(p.latency.p99Us, cpu->latency.p99Us));
            sum.insert(QStringLiteral("limited_p50_vs_cpu"), versus(p.latency.p50Us, cpu->latency.p50Us));
        }

        Series cdf;
        cdf.id = QStringLiteral("cdf_") + id;
        cdf.name = QStringLiteral("latency %1 (measured)").arg(phaseTitle(id));
        cdf.xLabel = QStringLiteral("request latency (us)");
        cdf.yLabel = QStringLiteral("requests at or below (%)");
        LatencyStats::cdf(p.latencyUs, kCdfPoints, &cdf.x, &cdf.y);
        result.series.push_back(cdf);
    }
    sum.insert(QStringLiteral("service_cpu"), s.serviceCpu);
    sum.insert(QStringLiteral("tenant_cpu"), s.tenantCpu);
    sum.insert(
        QStringLiteral("placement"), s.sameCore ? QStringLiteral("same_core") : QStringLiteral("other_core"));
    sum.insert(QStringLiteral("interval_us"), s.intervalUs);
    sum.insert(QStringLiteral("working_set_bytes"), double(s.workingSetBytes));

    result.table.columns = {QStringLiteral("phase"), QStringLiteral("state"), QStringLiteral("requests"),
        QStringLiteral("p50_us"), QStringLiteral("p99_us"), QStringLiteral("max_us"),
        QStringLiteral("service_p50_us"), QStringLiteral("tenant_cpu_percent"), QStringLiteral("note")};
    for (const NeighbourPhase &p : s.phases) {
        const QString state = p.state == NeighbourPhase::State::Done ? QStringLiteral("done")
            : p.state == NeighbourPhase::State::Skipped              ? QStringLiteral("skipped")
                                                                     : QStringLiteral("not run");
        result.table.rows.push_back({p.id, state, p.latency.count, p.latency.p50Us, p.latency.p99Us,
            p.latency.maxUs, p.service.p50Us, p.tenantCpuPercent, p.why});
    }
    return result;
}

} // namespace proclab
