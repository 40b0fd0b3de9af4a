#include "cacheconfig.h"

#include <QStringList>

namespace proclab {

std::optional<CacheConfig> CacheConfig::fromParams(const ParamValues &values, QString *error)
{
    auto refuse = [error](const QString &why) -> std::optional<CacheConfig> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    CacheConfig c;
    c.geometry.sizeBytes = static_cast<std::uint64_t>(values.value(QStringLiteral("size")).toLongLong());
    c.geometry.lineBytes = static_cast<std::uint32_t>(values.value(QStringLiteral("line")).toLongLong());
    c.geometry.ways = static_cast<std::uint32_t>(values.value(QStringLiteral("ways")).toLongLong());
    const QString replacement = values.value(QStringLiteral("replacement")).toString();
    const std::optional<Replacement> r = replacementFromId(replacement);
    if (!r)
        return refuse(
            QStringLiteral("parameter 'replacement': '%1' is not lru, fifo or random").arg(replacement));
    c.geometry.replacement = *r;
    QStringList involved;
    if (const QString bad = c.geometry.check(&involved); !bad.isEmpty()) {
        QStringList quoted;
        for (const QString &name : involved)
            quoted << QStringLiteral("'%1'").arg(name);
        return refuse(
            QStringLiteral("%1 %2: %3")
                .arg(quoted.size() == 1 ? QStringLiteral("parameter") : QStringLiteral("parameters"),
                    quoted.join(QStringLiteral(", ")), bad));
    }
    c.tracePath = values.value(QStringLiteral("trace")).toString().trimmed();
    c.aBytes = static_cast<std::uint64_t>(values.value(QStringLiteral("a_bytes")).toLongLong());
    c.bBytes = static_cast<std::uint64_t>(values.value(QStringLiteral("b_bytes")).toLongLong());
    c.maxAccesses = values.value(QStringLiteral("max_accesses")).toLongLong();
    c.seed = static_cast<std::uint64_t>(values.value(QStringLiteral("seed")).toLongLong());
    return c;
}

} // namespace proclab
