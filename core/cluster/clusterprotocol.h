#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace proclab::clusterprotocol {

/// @brief The largest request head (request line and headers) any cluster server accepts.
inline constexpr std::size_t kMaxRequestBytes = 8192;

/// @brief First byte of a handoff message on a back end's control socket (then the request bytes).
inline constexpr char kHandoffTag = 'H';

/// @brief What a back end sends on its control socket once it listens: "READY <port>".
inline constexpr std::string_view kReadyWord = "READY";

/// @brief How far parsing a request head got.
enum class ParseState { Incomplete, Complete, Bad };

/**
 * @brief The parts of a request head the cluster's servers use.
 *
 * Only "GET <target> HTTP/1.0|1.1" with a target starting with '/' is served: the cluster
 * demonstrates dispatching, not HTTP. Everything else is refused with a one-line reason.
 */
struct RequestHead {
    std::string target; ///< "/item/17"
    std::size_t headBytes = 0; ///< bytes up to and including the blank line

    /**
     * @brief Parses the start of @p bytes.
     * @param error set to one line when the result is Bad ("request line is not GET ...")
     * @return Incomplete while no blank line arrived (and fewer than kMaxRequestBytes bytes)
     */
    static ParseState parse(std::string_view bytes, RequestHead *out, std::string *error);
};

/// @brief The request the load generator sends for item @p item (Connection: close).
std::string requestText(std::int64_t item);

/// @brief Byte @p offset of every response body: a pattern that a short or shifted copy breaks.
inline std::uint8_t bodyByte(std::int64_t offset)
{
    const auto o = static_cast<std::uint64_t>(offset);
    return static_cast<std::uint8_t>((o * 131u + (o >> 9) * 7u + 17u) & 0xffu);
}

/// @brief A body of @p bytes bytes following bodyByte().
std::string makeBody(std::int64_t bytes);

/// @brief The head of a 200 response of @p bodyBytes from back end @p backend.
std::string responseHead(std::int64_t bodyBytes, int backend);

/// @brief A complete 400 response naming @p reason (one line).
std::string badRequestResponse(std::string_view reason);

/**
 * @brief The parts of a response head the load generator checks.
 */
struct ResponseHead {
    int status = 0;
    std::int64_t contentLength = -1;
    int backend = -1; ///< the X-Backend header, -1 when absent
    std::size_t headBytes = 0; ///< bytes up to and including the blank line

    /// @brief Parses the start of @p bytes; Bad when the head is malformed or too long.
    static ParseState parse(std::string_view bytes, ResponseHead *out, std::string *error);
};

} // namespace proclab::clusterprotocol
