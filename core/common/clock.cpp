#include "clock.h"

#include <ctime>

namespace proclab {

namespace {

std::int64_t readClockNs(clockid_t clock)
{
    timespec ts {};
    clock_gettime(clock, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

} // namespace

std::int64_t monotonicNs()
{
    return readClockNs(CLOCK_MONOTONIC);
}

std::int64_t threadCpuNs()
{
    return readClockNs(CLOCK_THREAD_CPUTIME_ID);
}

std::int64_t processCpuNs()
{
    return readClockNs(CLOCK_PROCESS_CPUTIME_ID);
}

} // namespace proclab
