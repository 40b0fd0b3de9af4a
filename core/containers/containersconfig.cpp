#include "containersconfig.h"

namespace proclab {

bool ContainersConfig::validHostname(const QString &name)
{
    if (name.isEmpty() || name.size() > 63 || name.startsWith(QLatin1Char('-'))
        || name.endsWith(QLatin1Char('-')))
        return false;
    for (QChar c : name) {
        const bool ok = (c >= QLatin1Char('a') && c <= QLatin1Char('z'))
            || (c >= QLatin1Char('A') && c <= QLatin1Char('Z'))
            || (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || c == QLatin1Char('-');
        if (!ok)
            return false;
    }
    return true;
}

std::optional<ContainersConfig> ContainersConfig::fromParams(const ParamValues &v, QString *error)
{
    ContainersConfig c;
    const QString parts = v.value(QStringLiteral("parts")).toString();
    c.overlay = parts == QLatin1String("all") || parts == QLatin1String("overlay");
    c.cgroup = parts == QLatin1String("all") || parts == QLatin1String("cgroup");
    c.hostname = v.value(QStringLiteral("hostname")).toString().trimmed();
    if (!validHostname(c.hostname)) {
        if (error)
            *error = QStringLiteral(
                "hostname: '%1' is not a host name (1 to 63 letters, digits and inner hyphens)")
                         .arg(c.hostname);
        return std::nullopt;
    }
    c.change = v.value(QStringLiteral("change")).toString();
    c.quotaPercent = double(v.value(QStringLiteral("cpu_quota")).toLongLong());
    c.periodUs = int(v.value(QStringLiteral("period_ms")).toLongLong()) * 1000;
    c.burnSeconds = v.value(QStringLiteral("burn_seconds")).toDouble();
    const std::optional<CpuLimitMethod> method
        = cpuLimitMethodFromId(v.value(QStringLiteral("cpu_limit")).toString());
    if (!method) {
        if (error)
            *error = QStringLiteral("cpu_limit: unknown method '%1' (%2)")
                         .arg(v.value(QStringLiteral("cpu_limit")).toString(),
                             cpuLimitMethodIds().join(QStringLiteral(", ")));
        return std::nullopt;
    }
    c.method = *method;
    return c;
}

} // namespace proclab
