#include "precopystoprule.h"

#include "pagememory.h"

#include <algorithm>

namespace proclab::migration {

double PreCopyStopRule::expectedBytesPerSec(const Progress &p) const
{
    const double measured = p.sendSeconds > 0 ? p.bytesSent / p.sendSeconds : 1e9;
    return capBitsPerSec > 0 ? std::min(measured, capBitsPerSec / 8) : measured;
}

QString PreCopyStopRule::check(const Progress &p) const
{
    const double estimateMs = p.dirtyPages * kPageBytes / expectedBytesPerSec(p) * 1000;
    if (estimateMs <= downtimeLimitMs)
        return QStringLiteral("converged");
    if (p.rounds >= maxRounds)
        return QStringLiteral("max_rounds");
    if (p.pagesSent + p.dirtyPages > maxTotalFactor * p.memoryPages)
        return QStringLiteral("max_total");
    return {};
}

} // namespace proclab::migration
