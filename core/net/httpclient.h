#pragma once

#include <QString>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace proclab {

/**
 * @brief The times of one blocking HTTP request, in ms since a common origin.
 */
struct FetchTiming {
    double startMs = 0; ///< before connect()
    double connectedMs = 0; ///< connect() returned
    double firstByteMs = 0; ///< the first byte of the response arrived
    double endMs = 0; ///< the connection was closed by the server (whole response read)
    std::int64_t bytes = 0; ///< body bytes received
    int status = 0; ///< HTTP status, 0 when no response
};

/**
 * @brief What one blocking GET returned.
 */
struct HttpResponse {
    int status = 0;
    std::string body;
    QString error; ///< empty on success; one line ("connection refused", "timed out after 10 s")
};

/**
 * @brief One blocking HTTP/1.1 GET to 127.0.0.1:@p port, as a thread of the slides'
 * web client does it: connect, send, recv until the server closes.
 *
 * Every socket call has a timeout (SO_SNDTIMEO covers connect on Linux, SO_RCVTIMEO
 * is short so that @p cancel is seen within 100 ms); the whole request is bounded by
 * @p timeoutMs. Uses plain POSIX sockets: a blocking call per thread is the point.
 * @param origin times in @p timing are measured from here (steady clock)
 */
HttpResponse httpGet(std::uint16_t port, const std::string &path, double timeoutMs,
    std::chrono::steady_clock::time_point origin, FetchTiming *timing = nullptr,
    const std::atomic<bool> *cancel = nullptr);

/// The src="..." references of an HTML page, in order.
std::vector<std::string> parseReferences(const std::string &html);

} // namespace proclab
