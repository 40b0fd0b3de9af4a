#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

namespace proclab::migration {

/**
 * @brief A token bucket that paces the migration link to a bandwidth cap.
 *
 * Tokens are bytes: they accrue at the cap's rate since restart() and each
 * write spends its size. A sender asks delayBeforeSend() before each write and
 * waits that long (in whatever way suits it: an interruptible sleep, an Asio
 * timer); the write itself may then overdraw the bucket, and the debt is what
 * the next delay pays off. A sender that fell behind (slow CPU, a pause
 * between phases) keeps at most the burst as credit: beyond it the bucket
 * starts afresh, empty, so it can never send above the cap for longer than
 * the burst allows.
 *
 * No clock of its own: every call takes the time, so tests drive it with
 * made-up times. Thread-safe: the page channels of a multi-channel migration
 * (one thread each) share one bucket, as they share one link.
 */
class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;

    /// @p bitsPerSec 0 means no cap; @p burst is the most credit a slow sender keeps.
    explicit RateLimiter(
        double bitsPerSec = 0, std::chrono::nanoseconds burst = std::chrono::milliseconds(10));

    /// @brief Changes the cap (0: none); the bucket keeps its state.
    void setRate(double bitsPerSec) { m_bitsPerSec.store(bitsPerSec, std::memory_order_relaxed); }
    double bitsPerSec() const { return m_bitsPerSec.load(std::memory_order_relaxed); }
    bool limited() const { return bitsPerSec() > 0; }
    /// @brief The credit the bucket holds at most, in bytes (0 without a cap).
    double burstBytes() const;

    /// @brief Starts afresh at @p now: no credit, no debt (a phase of the migration begins).
    void restart(Clock::time_point now);
    /// @brief How long to wait from @p now before the next write (zero when it may go now).
    /// Credit beyond the burst is dropped first.
    std::chrono::nanoseconds delayBeforeSend(Clock::time_point now);
    /// @brief Spends @p bytes that went out (or are going out) on the link.
    void consume(std::uint64_t bytes)
    {
        std::lock_guard lock(m_mutex);
        m_bytes += bytes;
    }

    /// @brief The tokens at @p now, in bytes: credit when positive, debt when negative.
    double tokensBytes(Clock::time_point now) const;

private:
    /// Seconds the bytes spent since restart() are ahead of the cap (negative: behind); under m_mutex.
    double aheadSec(Clock::time_point now) const;
    void restartLocked(Clock::time_point now);

    mutable std::mutex m_mutex; // guards m_start and m_bytes
    std::atomic<double> m_bitsPerSec {0};
    double m_burstSec = 0.01;
    Clock::time_point m_start {};
    std::uint64_t m_bytes = 0; // spent since m_start
};

} // namespace proclab::migration
