#include "ratelimiter.h"

namespace proclab::migration {

RateLimiter::RateLimiter(double bitsPerSec, std::chrono::nanoseconds burst)
    : m_bitsPerSec(bitsPerSec)
    , m_burstSec(std::chrono::duration<double>(burst).count())
{
}

double RateLimiter::burstBytes() const
{
    return limited() ? m_burstSec * m_bitsPerSec / 8.0 : 0.0;
}

void RateLimiter::restart(Clock::time_point now)
{
    m_start = now;
    m_bytes = 0;
}

double RateLimiter::aheadSec(Clock::time_point now) const
{
    if (!limited())
        return 0;
    const double due = double(m_bytes) * 8.0 / m_bitsPerSec;
    const double elapsed = std::chrono::duration<double>(now - m_start).count();
    return due - elapsed;
}

std::chrono::nanoseconds RateLimiter::delayBeforeSend(Clock::time_point now)
{
    if (aheadSec(now) < -m_burstSec)
        restart(now);
    const double delay = aheadSec(now);
    return delay > 0 ? std::chrono::nanoseconds(static_cast<std::int64_t>(delay * 1e9))
                     : std::chrono::nanoseconds(0);
}

double RateLimiter::tokensBytes(Clock::time_point now) const
{
    return -aheadSec(now) * m_bitsPerSec / 8.0;
}

} // namespace proclab::migration
