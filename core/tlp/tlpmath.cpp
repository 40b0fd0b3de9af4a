#include "tlpmath.h"

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

int countRunning(const std::vector<ThreadActivity> &activities)
{
    int n = 0;
    for (auto a : activities)
        n += a == ThreadActivity::Running ? 1 : 0;
    return n;
}

} // namespace proclab
