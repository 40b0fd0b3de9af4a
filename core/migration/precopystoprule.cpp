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

int AutoConverge::afterRound(double pagesSent, double pagesDirtied)
{
    if (pagesDirtied > 0 && pagesDirtied >= kShrinkRatio * pagesSent) {
        m_percent = m_percent == 0 ? kInitialPercent : std::min(kMaxPercent, m_percent + kStepPercent);
        m_maxPercent = std::max(m_maxPercent, m_percent);
    }
    return m_percent;
}

} // namespace proclab::migration
