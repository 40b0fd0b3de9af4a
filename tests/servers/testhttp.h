#pragma once

// Small blocking HTTP helpers for the server tests: a client written separately
// from the servers' own code, so that each checks the other. Every socket has
// receive and send timeouts: a test can fail, but never hang.

#include "proctasks.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace testhttp {

inline int connectTo(std::uint16_t port, int timeoutMs = 10000, int receiveBufferBytes = 0)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    timeval tv {timeoutMs / 1000, (timeoutMs % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (receiveBufferBytes > 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receiveBufferBytes, sizeof receiveBufferBytes);
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

inline bool isReadableNowForTest(int fd)
{
    pollfd p {fd, POLLIN, 0};
    return ::poll(&p, 1, 0) == 1;
}

// A string of the bytes of a literal, NUL bytes included (not the final one).
template<std::size_t N> std::string bytesOf(const char (&literal)[N])
{
    return std::string(literal, N - 1);
}

inline bool sendAll(int fd, const std::string &data)
{
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        done += std::size_t(n);
    }
    return true;
}

struct Response {
    int status = 0;
    std::map<std::string, std::string> headers; // names in lower case
    std::string body;
    std::string error; // empty when a whole response was read

    std::string header(const std::string &name) const
    {
        const auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
    bool closes() const
    {
        std::string v = header("connection");
        std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return char(std::tolower(c)); });
        return v == "close";
    }
};

// Reads one response from a connection; leftover bytes (pipelining) stay in @p pending.
inline Response readResponse(int fd, std::string &pending, bool headRequest = false)
{
    Response r;
    auto fill = [&]() {
        char buf[65536];
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n > 0)
            pending.append(buf, std::size_t(n));
        return n;
    };
    std::size_t end;
    while ((end = pending.find("\r\n\r\n")) == std::string::npos) {
        const ssize_t n = fill();
        if (n <= 0) {
            r.error = n == 0 ? "closed before a response" : std::string("recv: ") + std::strerror(errno);
            return r;
        }
        if (pending.size() > 1 << 20) {
            r.error = "header too large";
            return r;
        }
    }
    const std::string head = pending.substr(0, end);
    pending.erase(0, end + 4);
    if (head.rfind("HTTP/1.1 ", 0) != 0 || head.size() < 12) {
        r.error = "not an HTTP/1.1 status line: " + head.substr(0, 40);
        return r;
    }
    r.status = std::atoi(head.c_str() + 9);
    std::size_t pos = head.find("\r\n");
    while (pos != std::string::npos && pos + 2 < head.size()) {
        const std::size_t next = head.find("\r\n", pos + 2);
        const std::string line
            = head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
        const auto colon = line.find(':');
        if (colon != std::string::npos) {
            std::string name = line.substr(0, colon);
            std::transform(name.begin(), name.end(), name.begin(),
                [](unsigned char c) { return char(std::tolower(c)); });
            std::size_t v = colon + 1;
            while (v < line.size() && line[v] == ' ')
                ++v;
            r.headers[name] = line.substr(v);
        }
        pos = next;
    }
    const std::size_t length = headRequest ? 0 : std::size_t(std::atoll(r.header("content-length").c_str()));
    while (pending.size() < length) {
        const ssize_t n = fill();
        if (n <= 0) {
            r.error = "closed in the middle of the body";
            return r;
        }
    }
    r.body = pending.substr(0, length);
    pending.erase(0, length);
    return r;
}

// Reads until the server closes (or the receive timeout); true if it closed.
inline bool readUntilClosed(int fd, std::string *data = nullptr)
{
    char buf[65536];
    for (;;) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n == 0)
            return true;
        if (n < 0)
            return errno == ECONNRESET;
        if (data && data->size() < (1 << 20))
            data->append(buf, std::size_t(n));
    }
}

inline std::string getRequest(
    const std::string &path = "/", bool keepAlive = true, const char *method = "GET")
{
    return std::string(method) + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: tst\r\n"
        + (keepAlive ? "" : "Connection: close\r\n") + "\r\n";
}

// One request on a new connection.
inline Response fetchOnce(std::uint16_t port, const std::string &request, bool headRequest = false)
{
    Response r;
    const int fd = connectTo(port);
    if (fd < 0) {
        r.error = std::string("connect: ") + std::strerror(errno);
        return r;
    }
    std::string pending;
    if (!sendAll(fd, request))
        r.error = "send failed";
    else
        r = readResponse(fd, pending, headRequest);
    ::close(fd);
    return r;
}

inline int threadCount()
{
    return proclab::testing::taskCount();
}

// Children of every thread of this process (from /proc/self/task/*/children).
inline std::vector<int> childPids()
{
    std::vector<int> pids;
    if (DIR *d = opendir("/proc/self/task")) {
        while (dirent *e = readdir(d)) {
            if (e->d_name[0] == '.')
                continue;
            std::ifstream in(std::string("/proc/self/task/") + e->d_name + "/children");
            int pid;
            while (in >> pid)
                pids.push_back(pid);
        }
        closedir(d);
    }
    return pids;
}

// Polls @p done every 10 ms for at most @p limitMs; true once it holds. For waiting
// on a condition that must come (a thread's exit, a counter), never to assert speed.
template<class F> bool waitUntil(F done, int limitMs = 10000)
{
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(limitMs);
    while (!done()) {
        if (std::chrono::steady_clock::now() > end)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

} // namespace testhttp
