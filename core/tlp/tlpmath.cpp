#include "tlpmath.h"

#include <algorithm>
#include <cmath>

namespace proclab {

TlpStats tlpFromCounts(const std::vector<std::int64_t> &counts)
{
    TlpStats s;
    s.counts = counts;
    // Trailing zero bins carry no information; keep at least c_0.
    while (s.counts.size() > 1 && s.counts.back() == 0)
        s.counts.pop_back();
    if (s.counts.empty())
        s.counts.push_back(0);
    for (std::int64_t n : s.counts)
        s.samples += n;
    s.c.assign(s.counts.size(), 0.0);
    if (s.samples == 0)
        return s;
    double weighted = 0;
    for (std::size_t i = 0; i < s.counts.size(); ++i) {
        s.c[i] = static_cast<double>(s.counts[i]) / static_cast<double>(s.samples);
        weighted += static_cast<double>(i) * s.c[i];
        if (s.counts[i] > 0)
            s.maxConcurrent = static_cast<int>(i);
    }
    // 1 - c_0 from the counts, not from the rounded fraction, so that c_0 == 1 is exact.
    const std::int64_t busySamples = s.samples - s.counts[0];
    s.busyFraction = static_cast<double>(busySamples) / static_cast<double>(s.samples);
    if (busySamples == 0)
        return s;
    s.tlp = weighted / s.busyFraction;
    s.defined = true;
    return s;
}

TlpStats tlpFromTrace(const std::vector<int> &executingPerSample)
{
    std::vector<std::int64_t> counts(1, 0);
    for (int n : executingPerSample) {
        const std::size_t i = n < 0 ? 0 : static_cast<std::size_t>(n);
        if (i >= counts.size())
            counts.resize(i + 1, 0);
        ++counts[i];
    }
    return tlpFromCounts(counts);
}

std::vector<ThreadActivity> classifySample(
    const std::vector<char> &states, const std::vector<int> &order, int cores)
{
    std::vector<ThreadActivity> out(states.size(), ThreadActivity::Blocked);
    int running = 0;
    auto visit = [&](std::size_t i) {
        if (states[i] != 'R')
            return;
        if (cores < 1 || running < cores) {
            out[i] = ThreadActivity::Running;
            ++running;
        } else {
            out[i] = ThreadActivity::Runnable;
        }
    };
    std::vector<bool> seen(states.size(), false);
    for (int i : order) {
        if (i >= 0 && static_cast<std::size_t>(i) < states.size() && !seen[i]) {
            seen[i] = true;
            visit(static_cast<std::size_t>(i));
        }
    }
    for (std::size_t i = 0; i < states.size(); ++i) {
        if (!seen[i])
            visit(i);
    }
    return out;
}

std::vector<ThreadActivity> classifyByCounters(
    const std::vector<CounterDelta> &deltas, std::uint64_t intervalNs, int cores)
{
    std::vector<ThreadActivity> out(deltas.size(), ThreadActivity::Blocked);
    if (deltas.empty())
        return out;
    std::uint64_t totalRunNs = 0;
    int ran = 0;
    for (const auto &d : deltas) {
        totalRunNs += d.runNs;
        ran += d.runNs > 0 ? 1 : 0;
    }
    int k = intervalNs > 0 ? static_cast<int>(std::llround(double(totalRunNs) / double(intervalNs))) : ran;
    // A thread that ran at all in an interval where the sum rounds to 0 still executed.
    if (k == 0 && ran > 0)
        k = 1;
    k = std::min(k, ran);
    if (cores >= 1)
        k = std::min(k, cores);
    std::vector<std::size_t> order(deltas.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(),
        [&](std::size_t a, std::size_t b) { return deltas[a].runNs > deltas[b].runNs; });
    for (std::size_t j = 0; j < order.size(); ++j) {
        const CounterDelta &d = deltas[order[j]];
        if (static_cast<int>(j) < k)
            out[order[j]] = ThreadActivity::Running;
        else if (d.runNs > 0 || d.waitNs > 0 || d.state == 'R')
            out[order[j]] = ThreadActivity::Runnable;
    }
    return out;
}

int countRunning(const std::vector<ThreadActivity> &activities)
{
    int n = 0;
    for (auto a : activities)
        n += a == ThreadActivity::Running ? 1 : 0;
    return n;
}

} // namespace proclab
