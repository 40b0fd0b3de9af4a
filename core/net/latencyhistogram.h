#pragma once

#include <cstdint>
#include <vector>

namespace proclab {

/**
 * @brief A log-linear histogram of latencies in nanoseconds with bounded memory
 * (about 37 KiB whatever the number of samples), mergeable across threads.
 *
 * Values below 128 ns have a bucket each; above, every power of two is cut into
 * 128 equal buckets, so a bucket is at most 1/128 (0.8%) of its values wide. A
 * percentile is the highest value of the bucket holding that rank (never below
 * the exact value, at most 0.8% above it) and never above the largest value seen.
 */
class LatencyHistogram {
public:
    LatencyHistogram();

    void record(std::int64_t ns);
    void merge(const LatencyHistogram &other);
    void clear();

    std::int64_t count() const { return m_count; }
    std::int64_t minNs() const { return m_count ? m_min : 0; }
    std::int64_t maxNs() const { return m_count ? m_max : 0; }
    double meanNs() const { return m_count ? double(m_sum) / double(m_count) : 0.0; }

    /// @brief The nearest-rank percentile @p p (0 < p <= 100): the value at rank
    /// ceil(p/100 * count) in sorted order, to the bucket's resolution.
    std::int64_t percentileNs(double p) const;

    /// @brief The exact nearest-rank percentile of @p samples (reorders them).
    static std::int64_t exactPercentileNs(std::vector<std::int64_t> &samples, double p);

    static int bucketOf(std::int64_t ns);
    static std::int64_t bucketHighestNs(int bucket);

private:
    std::vector<std::int64_t> m_buckets;
    std::int64_t m_count = 0;
    std::int64_t m_min = 0;
    std::int64_t m_max = 0;
    std::int64_t m_sum = 0;
};

} // namespace proclab
