#pragma once

#include "httphandler.h"
#include "servercounters.h"

#include <cstdint>
#include <string_view>

namespace proclab::netio {

/// @brief CLOCK_MONOTONIC in nanoseconds.
std::int64_t nowNs();

/// How a wait ended.
enum class Wait {
    Ready, ///< the descriptor is ready
    Timeout, ///< the deadline passed
    Stopped, ///< the stop descriptor became readable
    Yield, ///< the yield descriptor became readable (iterative: another client is waiting)
    Error, ///< poll failed, or the descriptor reported an error or hang-up with nothing to read
};

/**
 * @brief Waits until @p fd has @p events, @p deadlineNs passes (monotonic), @p stopFd
 * or @p yieldFd becomes readable. Descriptors of -1 are left out.
 */
Wait waitFd(int fd, short events, std::int64_t deadlineNs, int stopFd, int yieldFd = -1);

/// @brief Blocks @p ms milliseconds, or less if @p stopFd becomes readable. false = stopped.
bool sleepUnlessStopped(int stopFd, std::int64_t ms);

/// @brief Whether @p fd is readable right now (no wait).
bool isReadableNow(int fd);

/// How writing a response ended.
enum class Write { Done, Timeout, Stopped, Error };

/**
 * @brief Writes what is left of @p response to the non-blocking socket @p fd
 * (sendmsg of head and body together, MSG_NOSIGNAL), waiting for room as long as
 * the client keeps taking bytes: Timeout when it takes none for @p stallTimeoutMs.
 * A stop ends the wait at once.
 */
Write writeResponse(int fd, ResponseBuffers &response, std::int64_t stallTimeoutMs, int stopFd);

/**
 * @brief Closes after an error response: shuts down sending, then reads and drops
 * what the client still sends until it closes, for at most a short bounded time and
 * amount, so that the error response is not destroyed by a reset (closing with
 * unread input makes the kernel send RST, and the client may lose the response).
 */
void lingeringClose(int fd, int stopFd);

/**
 * @brief Turns a connection away at the cap without waiting for anything: a 503
 * naming the cap (if the socket takes it at once), then close. Counts it.
 */
void rejectAtCap(int fd, const HttpHandler &handler, std::string_view reason, ServerCounters &counters);

} // namespace proclab::netio
