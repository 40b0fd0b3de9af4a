#include "sharedvarconfig.h"

namespace proclab {

std::optional<SharedVarConfig> SharedVarConfig::fromParams(const ParamValues &values, QString *)
{
    SharedVarConfig c;
    c.processes = static_cast<int>(values.value(QStringLiteral("processes")).toLongLong());
    c.threads = static_cast<int>(values.value(QStringLiteral("threads")).toLongLong());
    c.initial = values.value(QStringLiteral("initial")).toLongLong();
    c.maxSleepMs = values.value(QStringLiteral("max_sleep_ms")).toLongLong();
    c.seed = static_cast<std::uint64_t>(values.value(QStringLiteral("seed")).toLongLong());
    c.start = values.value(QStringLiteral("start")).toString() == QLatin1String("spawn") ? Start::Spawn
                                                                                         : Start::Fork;
    return c;
}

} // namespace proclab
