#include "stopevent.h"

#include <cerrno>
#include <cstdint>

#include <poll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

namespace proclab {

StopEvent::StopEvent()
    : m_fd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC))
{
}

StopEvent::~StopEvent()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

void StopEvent::set()
{
    if (m_set.exchange(true, std::memory_order_acq_rel))
        return;
    if (m_fd >= 0) {
        const std::uint64_t one = 1;
        // The counter is never read, so the descriptor stays readable for every poller.
        [[maybe_unused]] const ssize_t n = ::write(m_fd, &one, sizeof one);
    }
}

bool StopEvent::sleepFor(std::int64_t durationNs) const
{
    timespec start {};
    clock_gettime(CLOCK_MONOTONIC, &start);
    const std::int64_t startNs = static_cast<std::int64_t>(start.tv_sec) * 1000000000LL + start.tv_nsec;
    const std::int64_t endNs = startNs + (durationNs > 0 ? durationNs : 0);
    for (;;) {
        if (isSet())
            return true;
        timespec now {};
        clock_gettime(CLOCK_MONOTONIC, &now);
        const std::int64_t left
            = endNs - (static_cast<std::int64_t>(now.tv_sec) * 1000000000LL + now.tv_nsec);
        if (left <= 0)
            return false;
        const timespec wait {
            static_cast<time_t>(left / 1000000000LL), static_cast<long>(left % 1000000000LL)};
        if (m_fd >= 0) {
            pollfd p {m_fd, POLLIN, 0};
            const int r = ::ppoll(&p, 1, &wait, nullptr);
            if (r > 0)
                return true;
            if (r < 0 && errno != EINTR)
                return isSet();
        } else {
            ::nanosleep(&wait, nullptr);
        }
    }
}

} // namespace proclab
