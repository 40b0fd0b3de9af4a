#include "stopwait.h"

#include <cerrno>

#include <poll.h>
#include <time.h>

namespace proclab {

bool sleepUnlessStopped(const StopEvent &stop, std::int64_t durationNs)
{
    auto nowNs = [] {
        timespec t {};
        clock_gettime(CLOCK_MONOTONIC, &t);
        return static_cast<std::int64_t>(t.tv_sec) * 1000000000LL + t.tv_nsec;
    };
    const std::int64_t endNs = nowNs() + (durationNs > 0 ? durationNs : 0);
    for (;;) {
        if (stop.isSet())
            return true;
        const std::int64_t left = endNs - nowNs();
        if (left <= 0)
            return false;
        const timespec wait {
            static_cast<time_t>(left / 1000000000LL), static_cast<long>(left % 1000000000LL)};
        if (stop.fd() >= 0) {
            // The eventfd becomes readable when the stop is set: ppoll wakes then, or at the end.
            pollfd p {stop.fd(), POLLIN, 0};
            const int r = ::ppoll(&p, 1, &wait, nullptr);
            if (r > 0)
                return true;
            if (r < 0 && errno != EINTR)
                return stop.isSet();
        } else {
            ::nanosleep(&wait, nullptr);
        }
    }
}

} // namespace proclab
