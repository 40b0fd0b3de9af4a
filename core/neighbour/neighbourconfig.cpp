#include "neighbourconfig.h"

namespace proclab {

std::optional<NeighbourConfig> NeighbourConfig::fromParams(const ParamValues &v, QString *error)
{
    NeighbourConfig c;
    const QString phases = v.value(QStringLiteral("phases")).toString();
    if (phases == QLatin1String("all"))
        c.phases = {QStringLiteral("alone"), QStringLiteral("cpu"), QStringLiteral("cache"),
            QStringLiteral("limited")};
    else if (phases == QLatin1String("cpu"))
        c.phases = {QStringLiteral("alone"), QStringLiteral("cpu")};
    else if (phases == QLatin1String("cache"))
        c.phases = {QStringLiteral("alone"), QStringLiteral("cache")};
    else if (phases == QLatin1String("limited"))
        c.phases = {QStringLiteral("alone"), QStringLiteral("cpu"), QStringLiteral("limited")};
    else {
        if (error)
            *error = QStringLiteral("phases: unknown choice '%1'").arg(phases);
        return std::nullopt;
    }
    c.phaseMs = int(v.value(QStringLiteral("phase_ms")).toLongLong());
    c.intervalUs = int(v.value(QStringLiteral("interval_us")).toLongLong());
    c.workingSetBytes = v.value(QStringLiteral("working_set")).toLongLong();
    c.sameCore = v.value(QStringLiteral("placement")).toString() == QLatin1String("same_core");
    c.cacheBytes = v.value(QStringLiteral("cache_bytes")).toLongLong();
    c.quotaPercent = double(v.value(QStringLiteral("tenant_quota")).toLongLong());
    c.periodUs = int(v.value(QStringLiteral("period_ms")).toLongLong()) * 1000;
    const std::optional<CpuLimitMethod> method
        = cpuLimitMethodFromId(v.value(QStringLiteral("cpu_limit")).toString());
    if (!method || *method == CpuLimitMethod::Model) {
        if (error)
            *error = QStringLiteral(
                "cpu_limit: '%1' is not a method that limits a real process (auto, cgroup-v2, "
                "cgroup-v1, systemd-run)")
                         .arg(v.value(QStringLiteral("cpu_limit")).toString());
        return std::nullopt;
    }
    c.method = *method;
    return c;
}

} // namespace proclab
