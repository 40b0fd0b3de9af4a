#include "latencyhistogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace proclab {

namespace {
// The 1-based nearest rank of percentile p among n values; the tiny slack keeps
// p * n / 100 that is a whole number in exact arithmetic from rounding up.
std::int64_t nearestRank(double p, std::int64_t n)
{
    return std::clamp<std::int64_t>(std::int64_t(std::ceil(p * double(n) / 100.0 - 1e-9)), 1, n);
}

constexpr int kSubBits = 7; // 128 buckets per power of two
constexpr int kSub = 1 << kSubBits;
constexpr int kMaxExponent = 42; // values up to 2^43 ns (about 2.4 hours) have their bucket
constexpr int kBucketCount = (kMaxExponent - kSubBits + 2) * kSub;
} // namespace

LatencyHistogram::LatencyHistogram()
    : m_buckets(kBucketCount, 0)
{
}

int LatencyHistogram::bucketOf(std::int64_t ns)
{
    if (ns < kSub)
        return ns < 0 ? 0 : int(ns);
    const int exponent = std::min(63 - std::countl_zero(std::uint64_t(ns)), kMaxExponent);
    if (exponent == kMaxExponent && (ns >> kMaxExponent) > 1)
        return kBucketCount - 1; // beyond the range: the last bucket
    const int sub = int((ns >> (exponent - kSubBits)) & (kSub - 1));
    return (exponent - kSubBits + 1) * kSub + sub;
}

std::int64_t LatencyHistogram::bucketHighestNs(int bucket)
{
    if (bucket < kSub)
        return bucket;
    const int exponent = bucket / kSub + kSubBits - 1;
    const int sub = bucket % kSub;
    const std::int64_t width = std::int64_t(1) << (exponent - kSubBits);
    const std::int64_t lowest = (std::int64_t(1) << exponent) + std::int64_t(sub) * width;
    return lowest + width - 1;
}

void LatencyHistogram::record(std::int64_t ns)
{
    if (ns < 0)
        ns = 0;
    ++m_buckets[std::size_t(bucketOf(ns))];
    if (m_count == 0 || ns < m_min)
        m_min = ns;
    if (m_count == 0 || ns > m_max)
        m_max = ns;
    ++m_count;
    m_sum += ns;
}

void LatencyHistogram::merge(const LatencyHistogram &other)
{
    if (other.m_count == 0)
        return;
    for (std::size_t i = 0; i < m_buckets.size(); ++i)
        m_buckets[i] += other.m_buckets[i];
    m_min = m_count ? std::min(m_min, other.m_min) : other.m_min;
    m_max = m_count ? std::max(m_max, other.m_max) : other.m_max;
    m_count += other.m_count;
    m_sum += other.m_sum;
}

void LatencyHistogram::clear()
{
    std::fill(m_buckets.begin(), m_buckets.end(), 0);
    m_count = m_min = m_max = m_sum = 0;
}

std::int64_t LatencyHistogram::percentileNs(double p) const
{
    if (m_count == 0)
        return 0;
    const std::int64_t rank = nearestRank(p, m_count);
    std::int64_t seen = 0;
    for (std::size_t i = 0; i < m_buckets.size(); ++i) {
        seen += m_buckets[i];
        if (seen >= rank)
            return std::clamp(bucketHighestNs(int(i)), m_min, m_max);
    }
    return m_max;
}

std::int64_t LatencyHistogram::exactPercentileNs(std::vector<std::int64_t> &samples, double p)
{
    if (samples.empty())
        return 0;
    const auto n = std::int64_t(samples.size());
    const std::int64_t rank = nearestRank(p, n);
    auto nth = samples.begin() + (rank - 1);
    std::nth_element(samples.begin(), nth, samples.end());
    return *nth;
}

} // namespace proclab
