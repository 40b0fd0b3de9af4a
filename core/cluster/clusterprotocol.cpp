#include "clusterprotocol.h"

#include <charconv>

namespace proclab::clusterprotocol {

namespace {

bool isPrintable(char c)
{
    return c >= 0x20 && c < 0x7f;
}

std::size_t headEnd(std::string_view bytes)
{
    const std::size_t pos = bytes.find("\r\n\r\n");
    return pos == std::string_view::npos ? std::string_view::npos : pos + 4;
}

bool parseInt(std::string_view text, std::int64_t *out)
{
    while (!text.empty() && text.front() == ' ')
        text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ')
        text.remove_suffix(1);
    if (text.empty())
        return false;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
    return ec == std::errc() && ptr == text.data() + text.size();
}

bool startsWithNoCase(std::string_view line, std::string_view prefix)
{
    if (line.size() < prefix.size())
        return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char a = line[i];
        char b = prefix[i];
        if (a >= 'A' && a <= 'Z')
            a = static_cast<char>(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = static_cast<char>(b - 'A' + 'a');
        if (a != b)
            return false;
    }
    return true;
}

} // namespace

ParseState RequestHead::parse(std::string_view bytes, RequestHead *out, std::string *error)
{
    const std::size_t end = headEnd(bytes.substr(0, kMaxRequestBytes));
    // A byte no request line may hold is refused at once, before the head is complete.
    const std::size_t lineEnd = bytes.find("\r\n");
    std::string_view line = bytes.substr(0, lineEnd == std::string_view::npos ? bytes.size() : lineEnd);
    if (lineEnd == std::string_view::npos && !line.empty() && line.back() == '\r')
        line.remove_suffix(1); // the line's end is arriving
    for (char c : line) {
        if (!isPrintable(c)) {
            *error = "the request line holds a control or non-ASCII byte";
            return ParseState::Bad;
        }
    }
    if (end == std::string_view::npos) {
        if (bytes.size() >= kMaxRequestBytes) {
            *error = "the request head is longer than " + std::to_string(kMaxRequestBytes) + " bytes";
            return ParseState::Bad;
        }
        return ParseState::Incomplete;
    }
    if (line.substr(0, 4) != "GET ") {
        *error = "only GET is served";
        return ParseState::Bad;
    }
    const std::size_t sp = line.find(' ', 4);
    if (sp == std::string_view::npos || sp == 4) {
        *error = "the request line has no target";
        return ParseState::Bad;
    }
    const std::string_view target = line.substr(4, sp - 4);
    const std::string_view version = line.substr(sp + 1);
    if (target.front() != '/') {
        *error = "the target does not start with '/'";
        return ParseState::Bad;
    }
    if (version != "HTTP/1.1" && version != "HTTP/1.0") {
        *error = "the request line does not end in HTTP/1.0 or HTTP/1.1";
        return ParseState::Bad;
    }
    out->target = std::string(target);
    out->headBytes = end;
    return ParseState::Complete;
}

ParseState ResponseHead::parse(std::string_view bytes, ResponseHead *out, std::string *error)
{
    const std::size_t end = headEnd(bytes.substr(0, kMaxRequestBytes));
    if (end == std::string_view::npos) {
        if (bytes.size() >= kMaxRequestBytes) {
            *error = "the response head is longer than " + std::to_string(kMaxRequestBytes) + " bytes";
            return ParseState::Bad;
        }
        return ParseState::Incomplete;
    }
    const std::string_view head = bytes.substr(0, end - 2);
    std::size_t pos = 0;
    bool first = true;
    *out = ResponseHead {};
    while (pos < head.size()) {
        const std::size_t eol = head.find("\r\n", pos);
        const std::string_view line = head.substr(pos, eol - pos);
        pos = eol + 2;
        if (first) {
            first = false;
            std::int64_t status = 0;
            if (line.size() < 12 || line.substr(0, 5) != "HTTP/" || !parseInt(line.substr(9, 3), &status)) {
                *error = "the status line is not HTTP/1.x NNN";
                return ParseState::Bad;
            }
            out->status = static_cast<int>(status);
        } else if (startsWithNoCase(line, "content-length:")) {
            if (!parseInt(line.substr(15), &out->contentLength) || out->contentLength < 0) {
                *error = "Content-Length is not a number";
                return ParseState::Bad;
            }
        } else if (startsWithNoCase(line, "x-backend:")) {
            std::int64_t b = -1;
            if (!parseInt(line.substr(10), &b) || b < 0 || b > 1000) {
                *error = "X-Backend is not a back-end number";
                return ParseState::Bad;
            }
            out->backend = static_cast<int>(b);
        }
    }
    out->headBytes = end;
    return ParseState::Complete;
}

std::string requestText(std::int64_t item)
{
    return "GET /item/" + std::to_string(item) + " HTTP/1.1\r\nHost: cluster\r\nConnection: close\r\n\r\n";
}

std::string makeBody(std::int64_t bytes)
{
    std::string body(static_cast<std::size_t>(bytes), '\0');
    for (std::int64_t i = 0; i < bytes; ++i)
        body[static_cast<std::size_t>(i)] = static_cast<char>(bodyByte(i));
    return body;
}

std::string responseHead(std::int64_t bodyBytes, int backend)
{
    return "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: "
        + std::to_string(bodyBytes) + "\r\nX-Backend: " + std::to_string(backend)
        + "\r\nConnection: close\r\n\r\n";
}

std::string badRequestResponse(std::string_view reason)
{
    std::string body(reason);
    body += '\n';
    return "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: "
        + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

} // namespace proclab::clusterprotocol
