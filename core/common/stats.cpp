#include "stats.h"

#include <algorithm>
#include <cmath>

namespace proclab {

namespace {

double percentileOfSorted(const std::vector<double> &sorted, double fraction)
{
    if (sorted.empty())
        return 0;
    fraction = std::clamp(fraction, 0.0, 1.0);
    const double pos = fraction * double(sorted.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const auto hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - double(lo));
}

} // namespace

double percentile(std::vector<double> values, double fraction)
{
    std::sort(values.begin(), values.end());
    return percentileOfSorted(values, fraction);
}

double median(std::vector<double> values)
{
    return percentile(std::move(values), 0.5);
}

Spread spreadOf(std::vector<double> values)
{
    Spread s;
    if (values.empty())
        return s;
    std::sort(values.begin(), values.end());
    s.median = percentileOfSorted(values, 0.5);
    s.p10 = percentileOfSorted(values, 0.1);
    s.p90 = percentileOfSorted(values, 0.9);
    s.min = values.front();
    s.max = values.back();
    s.count = int(values.size());
    return s;
}

} // namespace proclab
