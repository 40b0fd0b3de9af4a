#pragma once

// A raw TCP client for tests: sends any bytes (malformed on purpose) and reads what comes
// back until the server closes or a timeout passes.
#include <QByteArray>

#include <cstdint>
#include <string>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace proclab::testing {

/// What the server answered and whether it closed the connection.
struct RawExchange {
    QByteArray received;
    bool closedByServer = false;
    bool connected = false;
};

inline RawExchange rawExchange(std::uint16_t port, const QByteArray &send, int timeoutMs = 3000)
{
    RawExchange out;
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return out;
    timeval tv {timeoutMs / 1000, (timeoutMs % 1000) * 1000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) != 0) {
        ::close(fd);
        return out;
    }
    out.connected = true;
    if (!send.isEmpty())
        (void)::send(fd, send.constData(), std::size_t(send.size()), MSG_NOSIGNAL);
    char buf[4096];
    for (int i = 0; i < 1000; ++i) {
        const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
        if (n == 0) {
            out.closedByServer = true;
            break;
        }
        if (n < 0)
            break; // timeout or reset
        out.received.append(buf, int(n));
    }
    ::close(fd);
    return out;
}

} // namespace proclab::testing
