#pragma once

#include <cstdint>

namespace proclab {

/// @brief CLOCK_MONOTONIC in nanoseconds: the clock every measured interval uses.
std::int64_t monotonicNs();

/// @brief CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID) in nanoseconds.
std::int64_t threadCpuNs();

/// @brief CPU time of the whole process (CLOCK_PROCESS_CPUTIME_ID) in nanoseconds.
std::int64_t processCpuNs();

} // namespace proclab
