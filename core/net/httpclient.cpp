#include "httpclient.h"

#include "common/clock.h"

#include "common/errortext.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <regex>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace proclab {

namespace {

using Clock = std::chrono::steady_clock;

void setTimeout(int fd, int option, double ms)
{
    timeval tv {};
    const long long us = static_cast<long long>(ms * 1000);
    tv.tv_sec = static_cast<time_t>(us / 1000000);
    tv.tv_usec = static_cast<suseconds_t>(us % 1000000);
    ::setsockopt(fd, SOL_SOCKET, option, &tv, sizeof tv);
}

struct Fd {
    int fd = -1;
    ~Fd()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

} // namespace

HttpResponse httpGet(std::uint16_t port, const std::string &path, double timeoutMs, Clock::time_point origin,
    FetchTiming *timing, const std::atomic<bool> *cancel)
{
    HttpResponse r;
    FetchTiming t;
    t.startMs = msSince(origin);
    const auto deadline = Clock::now() + std::chrono::microseconds(static_cast<long long>(timeoutMs * 1000));
    auto finish = [&](const QString &error) {
        r.error = error;
        t.endMs = msSince(origin);
        t.status = r.status;
        if (timing)
            *timing = t;
        return r;
    };

    Fd s;
    s.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s.fd < 0)
        return finish(QStringLiteral("socket() failed: %1").arg(errnoText(errno)));
    const int one = 1;
    ::setsockopt(s.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setTimeout(s.fd, SO_SNDTIMEO, std::min(timeoutMs, 5000.0)); // also bounds connect()
    setTimeout(s.fd, SO_RCVTIMEO, 100); // short: lets cancel be seen

    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    while (::connect(s.fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
        if (errno == EINTR)
            continue;
        return finish(errno == ECONNREFUSED ? QStringLiteral("connection refused")
                                            : QStringLiteral("connect() failed: %1").arg(errnoText(errno)));
    }
    t.connectedMs = msSince(origin);

    const std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port)
        + "\r\nUser-Agent: proclab\r\nConnection: close\r\n\r\n";
    std::size_t off = 0;
    while (off < req.size()) {
        const ssize_t n = ::send(s.fd, req.data() + off, req.size() - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return finish(QStringLiteral("send() failed: %1").arg(errnoText(errno)));
        off += static_cast<std::size_t>(n);
    }

    std::string data;
    char buf[16384];
    bool gotFirst = false;
    for (;;) {
        const ssize_t n = ::recv(s.fd, buf, sizeof buf, 0);
        if (n > 0) {
            if (!gotFirst) {
                t.firstByteMs = msSince(origin);
                gotFirst = true;
            }
            data.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        if (n == 0)
            break; // the server closed: the response is complete
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (cancel && cancel->load())
                return finish(QStringLiteral("cancelled"));
            if (Clock::now() >= deadline)
                return finish(QStringLiteral("timed out after %1 s").arg(timeoutMs / 1000.0));
            continue;
        }
        return finish(errno == ECONNRESET ? QStringLiteral("connection reset by the server")
                                          : QStringLiteral("recv() failed: %1").arg(errnoText(errno)));
    }
    const auto headerEnd = data.find("\r\n\r\n");
    if (headerEnd == std::string::npos || data.rfind("HTTP/1.", 0) != 0)
        return finish(data.empty() ? QStringLiteral("the server closed the connection without answering")
                                   : QStringLiteral("malformed HTTP response"));
    const auto sp = data.find(' ');
    r.status = std::atoi(data.c_str() + sp + 1);
    r.body = data.substr(headerEnd + 4);
    // Content-Length must match: a crashed server may close midway.
    std::string lower = data.substr(0, headerEnd);
    for (auto &ch : lower)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    const auto cl = lower.find("content-length:");
    if (cl != std::string::npos) {
        const long long expected = std::atoll(lower.c_str() + cl + 15);
        if (expected != static_cast<long long>(r.body.size()))
            return finish(
                QStringLiteral("response cut short: %1 of %2 bytes").arg(r.body.size()).arg(expected));
    }
    t.bytes = static_cast<std::int64_t>(r.body.size());
    if (r.status != 200)
        return finish(QStringLiteral("HTTP status %1").arg(r.status));
    return finish(QString());
}

std::vector<std::string> parseReferences(const std::string &html)
{
    std::vector<std::string> refs;
    static const std::regex re(R"re(src\s*=\s*"([^"]+)")re", std::regex::icase);
    for (auto it = std::sregex_iterator(html.begin(), html.end(), re); it != std::sregex_iterator(); ++it)
        refs.push_back((*it)[1].str());
    return refs;
}

} // namespace proclab
