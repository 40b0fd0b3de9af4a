#include "migrationmodelconfig.h"

#include <algorithm>
#include <cmath>

namespace proclab {

namespace {

const QStringList kSweepIds
    = {QStringLiteral("dirty_rate"), QStringLiteral("bandwidth"), QStringLiteral("none")};

} // namespace

const QStringList &MigrationModelConfig::strategyIds()
{
    static const QStringList ids
        = {QStringLiteral("stopcopy"), QStringLiteral("precopy"), QStringLiteral("postcopy")};
    return ids;
}

QString MigrationModelConfig::sweepId() const
{
    return kSweepIds[int(sweep)];
}

ParamSchema MigrationModelConfig::schema()
{
    const qint64 mib = 1 << 20;
    auto bandwidth = ParamSpec::bitRate(QStringLiteral("bandwidth"), QStringLiteral("Bandwidth"), 1e9, 1e6,
        1e11, QStringLiteral("Network bandwidth between the two hosts."));
    bandwidth.logScale = true;
    auto dirty = ParamSpec::real(QStringLiteral("dirty_rate"), QStringLiteral("Dirty rate"), 5000, 0, 1e7,
        QStringLiteral("pages/s"), QStringLiteral("Page writes per second by the guest."));
    dirty.logScale = true;
    return ParamSchema {
        ParamSpec::choice(QStringLiteral("strategy"), QStringLiteral("Strategy"), QStringLiteral("precopy"),
            strategyIds(), QStringLiteral("The strategy whose rounds the table shows.")),
        ParamSpec::bytes(QStringLiteral("memory"), QStringLiteral("VM memory"), 512 * mib, 16 * mib,
            qint64(64) * 1024 * mib, QStringLiteral("Guest memory to migrate (4 KiB pages).")),
        bandwidth,
        dirty,
        ParamSpec::bytes(QStringLiteral("hot_set"), QStringLiteral("Hot working set"), 8 * mib, 0,
            qint64(64) * 1024 * mib, QStringLiteral("Pages that receive most of the writes.")),
        ParamSpec::integer(QStringLiteral("hot_share"), QStringLiteral("Writes to the hot set"), 90, 0, 100,
            QStringLiteral("%"), QStringLiteral("Share of writes that go to the hot set.")),
        ParamSpec::real(QStringLiteral("latency_ms"), QStringLiteral("One-way latency"), 0.5, 0, 1000,
            QStringLiteral("ms"), QStringLiteral("Time for the CPU state to reach the destination.")),
        ParamSpec::integer(QStringLiteral("downtime_limit_ms"), QStringLiteral("Downtime limit"), 300, 1,
            60000, QStringLiteral("ms"), QStringLiteral("Pre-copy stops when the rest fits in this time.")),
        ParamSpec::integer(QStringLiteral("max_rounds"), QStringLiteral("Maximum rounds"), 30, 1, 1000,
            QStringLiteral("rounds"), QStringLiteral("Pre-copy stops after this many rounds.")),
        ParamSpec::real(QStringLiteral("max_total_factor"), QStringLiteral("Maximum data sent"), 3, 1, 100,
            QStringLiteral("x memory"),
            QStringLiteral("Pre-copy stops before sending more than this many memories.")),
        ParamSpec::choice(QStringLiteral("sweep"), QStringLiteral("Sweep"), QStringLiteral("dirty_rate"),
            kSweepIds,
            QStringLiteral("What the charts vary: the dirty rate (0 to sweep_max) or the bandwidth (10 "
                           "Mbit/s to 10 Gbit/s).")),
        ParamSpec::real(QStringLiteral("sweep_max"), QStringLiteral("Largest dirty rate swept"), 100000, 10,
            1e7, QStringLiteral("pages/s"), QStringLiteral("Right end of the dirty-rate sweep.")),
        ParamSpec::integer(QStringLiteral("sweep_points"), QStringLiteral("Sweep points"), 60, 2, 1000,
            QStringLiteral("points"), QStringLiteral("How many points each curve has.")),
    };
}

std::optional<MigrationModelConfig> MigrationModelConfig::fromParams(const ParamValues &values, QString *)
{
    auto integer = [&](const char *name) { return values.value(QLatin1String(name)).toLongLong(); };
    auto real = [&](const char *name) { return values.value(QLatin1String(name)).toDouble(); };
    auto text = [&](const char *name) { return values.value(QLatin1String(name)).toString(); };

    MigrationModelConfig c;
    MigrationModelInput &in = c.input;
    in.pages = std::floor(double(integer("memory")) / in.pageBytes);
    in.bandwidthBytesPerSec = real("bandwidth") / 8.0;
    in.dirtyRatePagesPerSec = real("dirty_rate");
    in.hotPages = std::min(in.pages, std::floor(double(integer("hot_set")) / in.pageBytes));
    in.hotShare = double(integer("hot_share")) / 100.0;
    in.latencySec = real("latency_ms") / 1000.0;
    in.downtimeLimitSec = double(integer("downtime_limit_ms")) / 1000.0;
    in.maxRounds = int(integer("max_rounds"));
    in.maxTotalFactor = real("max_total_factor");
    c.sweep = static_cast<Sweep>(std::max<int>(0, int(kSweepIds.indexOf(text("sweep")))));
    c.sweepPoints = int(integer("sweep_points"));
    c.sweepMaxPagesPerSec = real("sweep_max");
    c.strategy = std::max<int>(0, int(strategyIds().indexOf(text("strategy"))));
    return c;
}

} // namespace proclab
