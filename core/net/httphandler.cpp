#include "httphandler.h"

#include <charconv>
#include <ctime>

namespace proclab {

namespace {

// The Date field changes once a second: each thread keeps the text for the
// current second (a forked child inherits its parent's, still valid).
std::string_view httpDate()
{
    thread_local std::time_t cachedSecond = -1;
    thread_local char text[64];
    thread_local std::size_t length = 0;
    const std::time_t now = std::time(nullptr);
    if (now != cachedSecond) {
        std::tm tm {};
        gmtime_r(&now, &tm);
        length = std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        cachedSecond = now;
    }
    return {text, length};
}

std::int64_t threadCpuNs()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

} // namespace

int ResponseBuffers::pending(const char *parts[2], std::size_t sizes[2]) const
{
    int n = 0;
    if (sent < head.size()) {
        parts[n] = head.data() + sent;
        sizes[n++] = head.size() - sent;
    }
    const std::size_t bodySent = sent > head.size() ? sent - head.size() : 0;
    if (bodySent < body.size()) {
        parts[n] = body.data() + bodySent;
        sizes[n++] = body.size() - bodySent;
    }
    return n;
}

const char *httpStatusText(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 413:
        return "Content Too Large";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Error";
    }
}

void spinCpuUs(std::int64_t us)
{
    if (us <= 0)
        return;
    const std::int64_t end = threadCpuNs() + us * 1000;
    volatile std::uint64_t sink = 0;
    std::uint64_t x = 88172645463325252ULL;
    // A short burst of arithmetic between clock reads: the work is real CPU work,
    // and the clock (a system call for the thread CPU clock) is read rarely enough
    // not to be most of it.
    do {
        for (int i = 0; i < 200; ++i) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }
        sink = sink + x;
    } while (threadCpuNs() < end);
}

const char *HttpHandler::defaultBodyText()
{
    return "Hello from a ProcLab server.\n";
}

HttpHandler::HttpHandler(const HandlerConfig &config, std::string serverName)
    : m_config(config)
    , m_serverName(std::move(serverName))
{
    if (m_config.responseBytes <= 0) {
        m_body = defaultBodyText();
    } else {
        m_body.assign(static_cast<std::size_t>(m_config.responseBytes), 'x');
        for (std::size_t i = 63; i < m_body.size(); i += 64)
            m_body[i] = '\n';
        m_body.back() = '\n';
    }
}

int HttpHandler::statusFor(const ParsedRequest &request)
{
    return request.method == ParsedRequest::Method::Other ? 405 : 200;
}

void HttpHandler::doCpuWork() const
{
    spinCpuUs(m_config.cpuUs);
}

void HttpHandler::buildHead(
    int status, bool keepAlive, std::size_t contentLength, ResponseBuffers &out, bool allowHeader) const
{
    std::string &h = out.head;
    h.clear();
    char number[24];
    h += "HTTP/1.1 ";
    auto [end, ec] = std::to_chars(number, number + sizeof number, status);
    h.append(number, end);
    h += ' ';
    h += httpStatusText(status);
    h += "\r\nServer: ";
    h += m_serverName;
    h += "\r\nDate: ";
    h += httpDate();
    h += "\r\nContent-Type: text/plain\r\nContent-Length: ";
    auto [end2, ec2] = std::to_chars(number, number + sizeof number, contentLength);
    (void)ec;
    (void)ec2;
    h.append(number, end2);
    if (allowHeader)
        h += "\r\nAllow: GET, HEAD";
    if (status == 503)
        h += "\r\nRetry-After: 1";
    h += keepAlive ? "\r\nConnection: keep-alive\r\n\r\n" : "\r\nConnection: close\r\n\r\n";
    out.status = status;
    out.keepAlive = keepAlive;
    out.sent = 0;
}

void HttpHandler::respond(const ParsedRequest &request, bool keepAlive, ResponseBuffers &out) const
{
    const int status = statusFor(request);
    if (status != 200) {
        out.errorBody
            = "405 Method Not Allowed: this server answers GET and HEAD, not " + request.methodText + "\n";
        buildHead(status, keepAlive, out.errorBody.size(), out, true);
        out.body = out.errorBody;
        return;
    }
    buildHead(200, keepAlive, m_body.size(), out, false);
    // HEAD: the same fields as GET, no body.
    out.body = request.method == ParsedRequest::Method::Head ? std::string_view() : std::string_view(m_body);
}

void HttpHandler::respondError(int status, std::string_view reason, ResponseBuffers &out) const
{
    out.errorBody.clear();
    out.errorBody += std::to_string(status);
    out.errorBody += ' ';
    out.errorBody += httpStatusText(status);
    out.errorBody += ": ";
    out.errorBody += reason;
    out.errorBody += '\n';
    buildHead(status, false, out.errorBody.size(), out, false);
    out.body = out.errorBody;
}

} // namespace proclab
