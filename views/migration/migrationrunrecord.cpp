#include "migrationrunrecord.h"

#include "migration/migrationengine.h"
#include "migration/migrationreport.h"

#include <algorithm>

namespace proclab {

std::optional<MigrationRunRecord> MigrationRunRecord::fromResult(const Result &result)
{
    const QJsonObject &s = result.summary;
    if (result.engineId != MigrationEngine::kId || !s.contains(QStringLiteral("strategy")))
        return std::nullopt;
    MigrationRunRecord rec;
    rec.strategy = s.value(QStringLiteral("strategy")).toString();
    rec.dirtyRate = s.value(QStringLiteral("dirty_rate_pages_s")).toDouble(0);
    rec.bandwidthBits = s.value(QStringLiteral("bandwidth_cap_mbit_s")).toDouble(0) * 1e6;
    rec.memoryBytes = s.value(QStringLiteral("memory_mib")).toDouble(0) * (1 << 20);
    rec.downtimeMs = s.value(QStringLiteral("downtime_vm_ms")).toDouble(-1);
    rec.totalMs = s.value(QStringLiteral("total_ms")).toDouble(-1);
    rec.clientDowntimeMs = s.value(QStringLiteral("downtime_client_ms")).toDouble(-1);
    const double originMs = s.value(QStringLiteral("migration_start_ms")).toDouble(0);
    for (const Series &series : result.series) {
        if (series.id != migration::MigrationReport::kResponseSeries)
            continue;
        for (std::size_t i = 0; i < series.x.size() && i < series.y.size(); ++i) {
            rec.timeSec.push_back((series.x[i] * 1000 - originMs) / 1000); // x: seconds since the run began
            rec.responseMs.push_back(std::max(series.y[i], 1e-3));
        }
    }
    if (!result.error.isEmpty())
        rec.downtimeMs = -1; // abandoned runs are not points on the model's curves
    return rec;
}

} // namespace proclab
