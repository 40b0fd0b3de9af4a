#include "requestreader.h"

#include <algorithm>
#include <cstring>

namespace proclab {

namespace http = boost::beast::http;

namespace {

constexpr std::size_t kInitialBytes = 2048;
constexpr std::size_t kReceiveBytes = 4096; // room beyond the header limit, so one receive can overshoot it

} // namespace

RequestReader::RequestReader(const ServerLimits &limits)
    : m_limits(limits)
{
    resetParser();
}

void RequestReader::resetParser()
{
    m_parser.emplace();
    m_parser->header_limit(m_limits.maxHeaderBytes);
    m_parser->body_limit(m_limits.maxBodyBytes);
    m_parser->eager(true);
    m_started = m_end > m_begin;
}

char *RequestReader::writePtr()
{
    writeSpace();
    return m_buffer.get() + m_end;
}

std::size_t RequestReader::writeSpace()
{
    if (!m_buffer) {
        m_capacity = kInitialBytes;
        m_buffer.reset(new char[m_capacity]);
    }
    if (m_end == m_capacity && m_begin > 0) {
        // Move the unparsed tail to the front: the parser wants a header contiguous.
        std::memmove(m_buffer.get(), m_buffer.get() + m_begin, m_end - m_begin);
        m_end -= m_begin;
        m_begin = 0;
    }
    const std::size_t maxCapacity = std::size_t(m_limits.maxHeaderBytes) + kReceiveBytes;
    if (m_end == m_capacity && m_capacity < maxCapacity) {
        const std::size_t grown = std::min(maxCapacity, m_capacity * 2);
        std::unique_ptr<char[]> bigger(new char[grown]);
        std::memcpy(bigger.get(), m_buffer.get(), m_end);
        m_buffer = std::move(bigger);
        m_capacity = grown;
    }
    return m_capacity - m_end;
}

void RequestReader::commit(std::size_t n)
{
    m_end += n;
    if (n > 0)
        m_started = true;
}

void RequestReader::fail(int status, std::string text)
{
    m_errorStatus = status;
    m_errorText = std::move(text);
}

RequestReader::Status RequestReader::parse()
{
    if (m_errorStatus != 0)
        return Status::Error;
    while (m_end > m_begin && !m_parser->is_done()) {
        boost::system::error_code ec;
        const std::size_t used
            = m_parser->put(boost::asio::const_buffer(m_buffer.get() + m_begin, m_end - m_begin), ec);
        m_begin += used;
        if (ec == http::error::need_more) {
            // The header is not complete yet. A header can only be as large as the
            // buffer may grow; Beast reports header_limit itself once it is exceeded.
            if (m_end - m_begin >= std::size_t(m_limits.maxHeaderBytes) + kReceiveBytes) {
                fail(431,
                    "the request header is larger than " + std::to_string(m_limits.maxHeaderBytes)
                        + " bytes");
                return Status::Error;
            }
            return Status::NeedMore;
        }
        if (ec == http::error::header_limit) {
            fail(431,
                "the request header is larger than " + std::to_string(m_limits.maxHeaderBytes) + " bytes");
            return Status::Error;
        }
        if (ec == http::error::body_limit) {
            fail(413, "the request body is larger than " + std::to_string(m_limits.maxBodyBytes) + " bytes");
            return Status::Error;
        }
        if (ec) {
            fail(400, "the request could not be parsed (" + ec.message() + ")");
            return Status::Error;
        }
        if (used == 0)
            break;
    }
    if (m_begin == m_end && m_begin > 0) {
        m_begin = m_end = 0; // everything consumed: start the buffer over
    }
    if (!m_parser->is_done())
        return Status::NeedMore;

    const auto &msg = m_parser->get();
    switch (msg.method()) {
    case http::verb::get:
        m_request.method = ParsedRequest::Method::Get;
        break;
    case http::verb::head:
        m_request.method = ParsedRequest::Method::Head;
        break;
    default:
        m_request.method = ParsedRequest::Method::Other;
        break;
    }
    const auto methodText = msg.method_string();
    m_request.methodText.assign(methodText.data(), std::min<std::size_t>(methodText.size(), 32));
    m_request.version = msg.version();
    m_request.keepAlive = msg.keep_alive();
    m_request.hasHost = msg.find(http::field::host) != msg.end();
    const auto target = msg.target();
    if (target.empty() || (target[0] != '/' && target.substr(0, 7) != "http://" && target != "*")) {
        fail(400, "the request target must be a path starting with '/'");
        return Status::Error;
    }
    if (m_request.version == 11 && !m_request.hasHost) {
        fail(400, "an HTTP/1.1 request needs a Host field");
        return Status::Error;
    }
    return Status::Complete;
}

RequestReader::Status RequestReader::parseEof()
{
    if (!m_started)
        return Status::NeedMore;
    fail(400, "the client closed the connection in the middle of a request");
    return Status::Error;
}

void RequestReader::next()
{
    resetParser();
    if (m_begin == m_end) {
        m_begin = m_end = 0;
        // A header that needed a big buffer was a one-off: give the memory back.
        if (m_capacity > kInitialBytes * 4) {
            m_buffer.reset();
            m_capacity = 0;
        }
    }
}

} // namespace proclab
