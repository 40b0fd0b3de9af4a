#pragma once

#include "httpserver.h"

// Beast pulls in Asio; the project's Asio include comes first (<utility> gotcha).
#include "net/asio.h"

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

namespace proclab {

/**
 * @brief The parts of a parsed request the handler looks at.
 */
struct ParsedRequest {
    enum class Method { Get, Head, Other };
    Method method = Method::Get;
    std::string methodText; ///< as sent (for the 405 message)
    bool keepAlive = false; ///< HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with "keep-alive"
    bool hasHost = false; ///< HTTP/1.1 requires a Host field
    unsigned version = 11; ///< 10 or 11
};

/**
 * @brief Receives one connection's bytes and cuts them into requests with
 * Boost.Beast's HTTP parser, under a header-size and a body-size limit.
 *
 * The caller receives straight into writePtr()/writeSpace(), then calls commit()
 * and parse(). Bytes after a complete request (pipelining) stay for the next one.
 * The buffer starts small and grows only while a header needs it, up to the
 * header limit plus one receive's worth, so a connection costs little when idle
 * and a bounded amount at worst. Body bytes go into the parser's body (bounded
 * by the body limit) and are dropped with the request.
 *
 * Not thread-safe; one per connection.
 */
class RequestReader {
public:
    explicit RequestReader(const ServerLimits &limits);

    enum class Status { NeedMore, Complete, Error };

    /// Where to receive next, and how much room there is (never 0 unless parse() must run first).
    char *writePtr();
    std::size_t writeSpace();
    /// @p n bytes were received at writePtr().
    void commit(std::size_t n);

    /// Parses what has been received. Complete: request() is valid until next().
    /// Error: errorStatus() and errorText() say why; the connection must be closed.
    Status parse();
    /// The peer closed its side: Complete never, Error if a request was under way.
    Status parseEof();

    /// Whether any byte of the current request has arrived.
    bool started() const { return m_started; }
    /// Whether bytes of a further request are already buffered.
    bool hasBufferedBytes() const { return m_end > m_begin; }

    const ParsedRequest &request() const { return m_request; }
    int errorStatus() const { return m_errorStatus; }
    const std::string &errorText() const { return m_errorText; }

    /// Done with the current request: starts on the next one (keeps the bytes already received).
    void next();

private:
    void resetParser();
    void fail(int status, std::string text);

    using Parser = boost::beast::http::request_parser<boost::beast::http::string_body>;

    const ServerLimits &m_limits;
    std::unique_ptr<char[]> m_buffer;
    std::size_t m_capacity = 0;
    std::size_t m_begin = 0; // first byte not yet consumed by the parser
    std::size_t m_end = 0; // one past the last received byte
    std::optional<Parser> m_parser;
    ParsedRequest m_request;
    bool m_started = false;
    int m_errorStatus = 0;
    std::string m_errorText;
};

} // namespace proclab
