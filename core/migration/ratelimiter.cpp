#include "ratelimiter.h"

namespace proclab::migration {

RateLimiter::RateLimiter(double bitsPerSec, std::chrono::nanoseconds burst)
    : m_bitsPerSec(bitsPerSec)
    , m_burstSec(std::chrono::duration<double>(burst).count())
{
}

double RateLimiter::burstBytes() const
{
    return limited() ? m_burstSec * bitsPerSec() / 8.0 : 0.0;
}

void RateLimiter::restart(Clock::time_point now)
{
    std::lock_guard lock(m_mutex);
    restartLocked(now);
}

void RateLimiter::restartLocked(Clock::time_point now)
{
    m_start = now;
    m_bytes = 0;
}

double RateLimiter::aheadSec(Clock::time_point now) const
{
    const double bits = bitsPerSec();
    if (bits <= 0)
        return 0;
    const double due = double(m_bytes) * 8.0 / bits;
    const double elapsed = std::chrono::duration<double>(now - m_start).count();
    return due - elapsed;
}

std::chrono::nanoseconds RateLimiter::delayBeforeSend(Clock::time_point now)
{
    std::lock_guard lock(m_mutex);
    if (aheadSec(now) < -m_burstSec)
        restartLocked(now);
    const double delay = aheadSec(now);
    return delay > 0 ? std::chrono::nanoseconds(static_cast<std::int64_t>(delay * 1e9))
                     : std::chrono::nanoseconds(0);
}

double RateLimiter::tokensBytes(Clock::time_point now) const
{
    std::lock_guard lock(m_mutex);
    return -aheadSec(now) * bitsPerSec() / 8.0;
}

} // namespace proclab::migration
