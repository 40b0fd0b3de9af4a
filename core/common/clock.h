#pragma once

#include <chrono>
#include <cstdint>

namespace proclab {

/// @brief CLOCK_MONOTONIC in nanoseconds: the clock every measured interval uses.
std::int64_t monotonicNs();

/// @brief CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID) in nanoseconds.
std::int64_t threadCpuNs();

/// @brief CPU time of the whole process (CLOCK_PROCESS_CPUTIME_ID) in nanoseconds.
std::int64_t processCpuNs();

/// @brief Milliseconds of the steady clock since @p origin.
inline double msSince(std::chrono::steady_clock::time_point origin)
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - origin).count();
}

/// @brief Nanoseconds of the steady clock since @p origin.
inline std::int64_t nsSince(std::chrono::steady_clock::time_point origin)
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - origin)
        .count();
}

} // namespace proclab
