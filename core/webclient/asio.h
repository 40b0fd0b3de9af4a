#pragma once

// Boost 1.74's Asio uses std::exchange without including <utility>; GCC 12 in
// C++20 mode then fails in awaitable.hpp. Every Asio user here includes this.
#include <utility>

#include <boost/asio.hpp>
