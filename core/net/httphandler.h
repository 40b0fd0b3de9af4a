#pragma once

#include "httpserver.h"
#include "requestreader.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace proclab {

/**
 * @brief One response on its way out: the head built for it, the body it points to
 * and how much of both has been written.
 */
struct ResponseBuffers {
    std::string head; ///< status line and fields (reused: its capacity stays)
    std::string errorBody; ///< the text of an error response
    std::string_view body; ///< the handler's static body or errorBody
    int status = 0;
    bool keepAlive = false; ///< the connection stays open after this response
    std::size_t sent = 0; ///< bytes of head and body written so far

    std::size_t total() const { return head.size() + body.size(); }
    bool done() const { return sent >= total(); }
    /// The unsent parts as at most two pieces (for writev/sendmsg or a buffer sequence).
    int pending(const char *parts[2], std::size_t sizes[2]) const;
};

/**
 * @brief What every design does with a request: the CPU work, the disk wait and the
 * small static response. Shared by all designs so that only their organisation differs.
 *
 * Immutable after construction (the static body is built once and shared), so any
 * number of threads, and forked children, may use one handler.
 */
class HttpHandler {
public:
    HttpHandler(const HandlerConfig &config, std::string serverName);

    /// @brief The status a parsed request gets: 200 for GET and HEAD, 405 otherwise.
    static int statusFor(const ParsedRequest &request);

    /// @brief The handler's CPU work: spins until this thread has used cpuUs of CPU time.
    void doCpuWork() const;
    /// @brief How long the disk wait lasts (the design decides how to wait).
    std::int64_t diskMs() const { return m_config.diskMs; }
    std::int64_t cpuUs() const { return m_config.cpuUs; }

    /// @brief Fills @p out with the answer to a parsed request (200, or 405 with a reason).
    void respond(const ParsedRequest &request, bool keepAlive, ResponseBuffers &out) const;
    /// @brief Fills @p out with an error answer (400, 408, 413, 431, 503) carrying @p reason;
    /// the connection closes after it.
    void respondError(int status, std::string_view reason, ResponseBuffers &out) const;

    /// @brief The body every successful GET gets.
    const std::string &staticBody() const { return m_body; }
    /// @brief The default body text (when responseBytes is 0).
    static const char *defaultBodyText();

private:
    void buildHead(
        int status, bool keepAlive, std::size_t contentLength, ResponseBuffers &out, bool allowHeader) const;

    HandlerConfig m_config;
    std::string m_serverName;
    std::string m_body;
};

/// @brief The reason phrase of a status code ("OK", "Bad Request", ...).
const char *httpStatusText(int status);

/**
 * @brief Spins on this thread's CPU clock for @p us microseconds of CPU time.
 */
void spinCpuUs(std::int64_t us);

} // namespace proclab
