#include "loadcurve.h"

#include "common/stats.h"

#include <algorithm>
#include <cmath>

namespace proclab {

std::vector<int> sweepCounts(int maxThreads)
{
    std::vector<int> ks;
    for (int k = 1; k < maxThreads; k *= 2)
        ks.push_back(k);
    ks.push_back(maxThreads);
    return ks;
}

const LoadPoint &LoadCurve::add(int threads, std::vector<double> loadTimesMs)
{
    LoadPoint p;
    p.threads = threads;
    p.samples = std::move(loadTimesMs);
    p.loadMs = median(p.samples);
    m_points.push_back(std::move(p));
    return m_points.back();
}

double LoadCurve::bestMs() const
{
    if (m_points.empty())
        return 0;
    double best = m_points.front().loadMs;
    for (const auto &p : m_points)
        best = std::min(best, p.loadMs);
    return best;
}

int LoadCurve::kneeThreads() const
{
    if (m_points.empty())
        return 0;
    const double best = bestMs();
    for (const auto &p : m_points) {
        if (p.loadMs <= best * 1.1)
            return p.threads;
    }
    return m_points.back().threads;
}

double LoadCurve::speedup(const LoadPoint &point) const
{
    if (m_points.empty() || point.loadMs <= 0)
        return 0;
    return m_points.front().loadMs / point.loadMs;
}

double PageLoadModel::latencyBoundMs(int threads) const
{
    return latencyMs + std::ceil(double(resources) / std::max(threads, 1)) * latencyMs;
}

double PageLoadModel::bandwidthBoundMs() const
{
    return bandwidthBytesPerSec > 0
        ? 1000.0 * static_cast<double>(resourceBytes) * resources / bandwidthBytesPerSec
        : 0;
}

} // namespace proclab
