#pragma once

// The one way ProcLab includes Boost.Asio.
//
// Boost 1.74 + GCC 12 in C++20: <boost/asio/awaitable.hpp> uses std::exchange without including
// <utility>, so <utility> comes first.
#include <utility>

#if defined(__SANITIZE_THREAD__)
// Asio's std_fenced_block uses atomic_thread_fence, which GCC warns ThreadSanitizer does not model.
// Asio's hand-offs between threads go through mutexes, which ThreadSanitizer does see.
#pragma GCC diagnostic ignored "-Wtsan"
#endif

#include <boost/asio.hpp>
