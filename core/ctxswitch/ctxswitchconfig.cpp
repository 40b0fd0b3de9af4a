#include "ctxswitchconfig.h"

namespace proclab {

std::vector<qint64> CtxSwitchConfig::forkTouchSizes() const
{
    constexpr qint64 k64MiB = qint64(64) << 20;
    std::vector<qint64> sizes;
    if (forkTouchBytes > k64MiB)
        sizes.push_back(k64MiB);
    if (forkTouchBytes > 0)
        sizes.push_back(forkTouchBytes);
    return sizes;
}

std::optional<CtxSwitchConfig> CtxSwitchConfig::fromParams(const ParamValues &values, QString *error)
{
    auto text = [&](const char *name) { return values.value(QLatin1String(name)).toString(); };
    auto integer = [&](const char *name) { return values.value(QLatin1String(name)).toLongLong(); };
    auto refuse = [error](const char *name, const QString &value, const char *allowed) {
        if (error)
            *error = QStringLiteral("parameter '%1': '%2' is not one of %3")
                         .arg(QLatin1String(name), value, QLatin1String(allowed));
        return std::optional<CtxSwitchConfig>();
    };
    CtxSwitchConfig c;
    const QString parts = text("parts");
    if (parts != QLatin1String("all") && parts != QLatin1String("switch") && parts != QLatin1String("create")
        && parts != QLatin1String("indirect"))
        return refuse("parts", parts, "all, switch, create, indirect");
    c.measureSwitches = parts == QLatin1String("all") || parts == QLatin1String("switch");
    c.measureCreation = parts == QLatin1String("all") || parts == QLatin1String("create");
    c.measureIndirect = parts == QLatin1String("all") || parts == QLatin1String("indirect");
    const QString mechanism = text("mechanism");
    if (mechanism != QLatin1String("both") && mechanism != QLatin1String("pipe")
        && mechanism != QLatin1String("futex"))
        return refuse("mechanism", mechanism, "both, pipe, futex");
    c.pipe = mechanism != QLatin1String("futex");
    c.futex = mechanism != QLatin1String("pipe");
    const QString placement = text("placement");
    if (placement != QLatin1String("same_cpu") && placement != QLatin1String("different_cpus"))
        return refuse("placement", placement, "same_cpu, different_cpus");
    c.sameCpu = placement == QLatin1String("same_cpu");
    c.roundTrips = int(integer("round_trips"));
    c.creations = int(integer("creations"));
    c.forkTouchBytes = integer("fork_touch");
    c.forkTouchSamples = int(integer("fork_touch_samples"));
    c.indirectMaxBytes = integer("indirect_max");
    c.indirectRepetitions = int(integer("indirect_reps"));
    c.seed = std::uint64_t(integer("seed"));
    return c;
}

} // namespace proclab
