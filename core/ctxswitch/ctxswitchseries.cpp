#include "ctxswitchseries.h"

#include "common/stats.h"

#include "engine/parameter.h"

#include <algorithm>

namespace proclab {

Series switchHistogram(const CostSample &s)
{
    Series h;
    h.id = s.id;
    h.name = s.label + QStringLiteral(" (measured)");
    h.xLabel = QStringLiteral("time per switch (us)");
    h.yLabel = QStringLiteral("samples");
    h.style = Series::Style::Steps;
    const double lo = percentile(s.valuesNs, 0.0);
    const double hi = std::max(percentile(s.valuesNs, 0.99), lo + 1);
    constexpr int kBins = 40;
    std::vector<double> counts(kBins, 0);
    for (double v : s.valuesNs) {
        const int bin = std::clamp(int((v - lo) / (hi - lo) * kBins), 0, kBins - 1);
        counts[std::size_t(bin)] += 1;
    }
    for (int i = 0; i < kBins; ++i) {
        h.x.push_back((lo + (hi - lo) * (i + 0.5) / kBins) / 1000.0);
        h.y.push_back(counts[std::size_t(i)]);
    }
    return h;
}

std::vector<Series> comparedSwitchHistograms(const std::vector<CostSample> &switches)
{
    double lo = 1e300;
    double hi = 0;
    for (const auto &s : switches) {
        if (s.valuesNs.empty())
            continue;
        lo = std::min(lo, percentile(s.valuesNs, 0.0));
        hi = std::max(hi, percentile(s.valuesNs, 0.98));
    }
    std::vector<Series> series;
    if (!(hi > lo))
        return series;
    constexpr int kBins = 60;
    const double width = (hi - lo) / kBins;
    for (const auto &s : switches) {
        if (s.valuesNs.empty())
            continue;
        Series h;
        h.id = s.id;
        h.name = s.label;
        h.xLabel = QStringLiteral("time per switch (us), measured");
        h.yLabel = QStringLiteral("share of samples (%)");
        h.style = Series::Style::Steps;
        std::vector<double> counts(kBins + 1, 0);
        for (double v : s.valuesNs) {
            const int b = int((v - lo) / width);
            if (b >= 0 && b < kBins)
                counts[std::size_t(b)] += 1;
        }
        for (int b = 0; b <= kBins; ++b) {
            h.x.push_back((lo + b * width) / 1000.0);
            h.y.push_back(100.0 * counts[std::size_t(b)] / double(s.valuesNs.size()));
        }
        series.push_back(std::move(h));
    }
    return series;
}

Series indirectCostSeries(const std::vector<IndirectPoint> &points)
{
    Series curve;
    curve.id = QLatin1String(kIndirectCostSeriesId);
    curve.name = QStringLiteral("indirect cost of a switch (measured)");
    curve.xLabel = QStringLiteral("working set (bytes)");
    curve.yLabel = QStringLiteral("extra time of the first walk (us)");
    curve.style = Series::Style::Line;
    for (const auto &pt : points) {
        curve.x.push_back(double(pt.workingSetBytes));
        curve.y.push_back(pt.indirectNs / 1000.0);
        curve.pointLabels << formatBytes(pt.workingSetBytes);
    }
    return curve;
}

const IndirectPoint *largestIndirectCost(const std::vector<IndirectPoint> &points)
{
    // A difference within the spread of the walks is no peak, whatever its size.
    const IndirectPoint *peak = nullptr;
    for (const auto &pt : points) {
        if (!pt.belowNoise() && (!peak || pt.indirectNs > peak->indirectNs))
            peak = &pt;
    }
    if (peak)
        return peak;
    for (const auto &pt : points) {
        if (!peak || pt.indirectNs > peak->indirectNs)
            peak = &pt;
    }
    return peak;
}

} // namespace proclab
