#include "cpuquotamodel.h"

#include <algorithm>
#include <cmath>

namespace proclab {

CpuQuotaModel::CpuQuotaModel(double quotaPercent, int periodUs)
    : m_quotaS(std::clamp(quotaPercent, 0.0, 100.0) / 100.0 * std::max(1, periodUs) / 1e6)
    , m_periodS(std::max(1, periodUs) / 1e6)
{
}

double CpuQuotaModel::steadySharePercent() const
{
    return 100.0 * m_quotaS / m_periodS;
}

double CpuQuotaModel::runTimeUntil(double t) const
{
    if (t <= 0)
        return 0;
    const double periods = std::floor(t / m_periodS);
    const double inPeriod = t - periods * m_periodS;
    return periods * m_quotaS + std::min(inPeriod, m_quotaS);
}

double CpuQuotaModel::sharePercent(double fromS, double toS, double limitAtS) const
{
    if (toS <= fromS)
        return 0;
    // Unlimited before the limit, bursts of the quota after it.
    const double freeS = std::max(0.0, std::min(toS, limitAtS) - fromS);
    const double limitedS = runTimeUntil(toS - limitAtS) - runTimeUntil(std::max(0.0, fromS - limitAtS));
    return 100.0 * (freeS + std::max(0.0, limitedS)) / (toS - fromS);
}

std::vector<double> CpuQuotaModel::shareSeries(double totalS, double sampleS, double limitAtS) const
{
    std::vector<double> out;
    if (sampleS <= 0)
        return out;
    for (double t = 0; t + sampleS <= totalS + 1e-9; t += sampleS)
        out.push_back(sharePercent(t, t + sampleS, limitAtS));
    return out;
}

long CpuQuotaModel::throttledPeriods(double seconds) const
{
    if (m_quotaS >= m_periodS)
        return 0;
    return long(std::ceil(seconds / m_periodS - 1e-9));
}

} // namespace proclab
