#pragma once

// Boost 1.74 + GCC 12 in C++20: <boost/asio/awaitable.hpp> uses std::exchange
// without including <utility>. Every migration file includes Asio through here.
#include <utility>

#if defined(__SANITIZE_THREAD__)
// Asio's std_fenced_block uses atomic_thread_fence, which GCC warns TSan does not
// model. Asio's hand-offs between threads go through mutexes, which TSan does see.
#pragma GCC diagnostic ignored "-Wtsan"
#endif

#include <boost/asio.hpp>
