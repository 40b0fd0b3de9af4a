#include "latencystats.h"

#include "common/stats.h"

#include <algorithm>
#include <numeric>

namespace proclab {

LatencyStats LatencyStats::of(const std::vector<double> &samplesUs)
{
    LatencyStats s;
    if (samplesUs.empty())
        return s;
    const Spread spread = spreadOf(samplesUs);
    s.count = spread.count;
    s.minUs = spread.min;
    s.p50Us = spread.median;
    s.p90Us = spread.p90;
    s.p99Us = percentile(samplesUs, 0.99);
    s.maxUs = spread.max;
    s.meanUs = std::accumulate(samplesUs.begin(), samplesUs.end(), 0.0) / double(samplesUs.size());
    return s;
}

void LatencyStats::cdf(
    const std::vector<double> &samplesUs, int maxPoints, std::vector<double> *x, std::vector<double> *y)
{
    x->clear();
    y->clear();
    if (samplesUs.empty() || maxPoints < 2)
        return;
    std::vector<double> sorted = samplesUs;
    std::sort(sorted.begin(), sorted.end());
    const std::size_t n = sorted.size();
    const std::size_t step = std::max<std::size_t>(1, n / std::size_t(maxPoints - 1));
    for (std::size_t i = 0; i < n; i += step) {
        x->push_back(sorted[i]);
        y->push_back(100.0 * double(i + 1) / double(n));
    }
    if (y->back() < 100.0) { // the tail matters most: always end at the maximum
        x->push_back(sorted.back());
        y->push_back(100.0);
    }
}

int LatencyStats::growthClass(double base, double grown)
{
    if (base <= 0)
        return 0;
    const double ratio = grown / base;
    return ratio < 2 ? 0 : ratio < 10 ? 1 : ratio < 100 ? 2 : 3;
}

} // namespace proclab
