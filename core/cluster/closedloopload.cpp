#include "closedloopload.h"

#include "clusterprotocol.h"

#include "common/clock.h"
#include "common/errortext.h"
#include "common/threadpriority.h"

#include <cerrno>
#include <cstring>
#include <string_view>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace proclab {

namespace cp = clusterprotocol;

namespace {

/// Closes the socket however a request ends.
struct SocketGuard {
    int fd;
    ~SocketGuard()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

} // namespace

ClosedLoopLoad::ClosedLoopLoad(LoadOptions options)
    : m_options(options)
    , m_expected(clusterprotocol::makeBody(options.responseBytes))
{
    m_totals.perBackend.assign(std::size_t(std::max(1, m_options.backends)), 0);
}

ClosedLoopLoad::~ClosedLoopLoad()
{
    stop();
}

void ClosedLoopLoad::start()
{
    const std::int64_t now = monotonicNs();
    m_deadlineNs = now + std::int64_t(m_options.durationMs * 1e6);
    {
        std::lock_guard lock(m_mutex);
        m_totals.startNs = now;
    }
    m_running.store(m_options.clients);
    for (int i = 0; i < m_options.clients; ++i)
        m_threads.emplace_back([this, i] { client(i); });
}

void ClosedLoopLoad::stop()
{
    m_stop.store(true);
    join();
}

void ClosedLoopLoad::join()
{
    for (std::thread &t : m_threads) {
        if (t.joinable())
            t.join();
    }
    m_threads.clear();
}

LoadTotals ClosedLoopLoad::totals() const
{
    std::lock_guard lock(m_mutex);
    return m_totals;
}

void ClosedLoopLoad::fail(const QString &error)
{
    std::lock_guard lock(m_mutex);
    ++m_totals.errors;
    if (m_totals.firstError.isEmpty())
        m_totals.firstError = error;
}

void ClosedLoopLoad::client(int index)
{
    (void)index;
    giveWayToWindow();
    std::vector<char> buffer(64 * 1024);
    while (!m_stop.load(std::memory_order_relaxed) && monotonicNs() < m_deadlineNs) {
        const std::int64_t ticket = m_tickets.fetch_add(1);
        if (ticket >= m_options.maxRequests)
            break;
        const std::int64_t t0 = monotonicNs();
        std::int64_t bytes = 0;
        int backend = -1;
        QString error;
        if (oneRequest(ticket, buffer, &bytes, &backend, &error)) {
            const double us = double(monotonicNs() - t0) / 1000.0;
            m_completed.fetch_add(1, std::memory_order_relaxed);
            std::lock_guard lock(m_mutex);
            ++m_totals.completed;
            m_totals.bytesReceived += bytes;
            if (backend >= 0 && std::size_t(backend) < m_totals.perBackend.size())
                ++m_totals.perBackend[std::size_t(backend)];
            m_totals.latenciesUs.push_back(us);
        } else if (!m_stop.load()) {
            fail(error);
        }
    }
    if (m_running.fetch_sub(1) == 1) {
        std::lock_guard lock(m_mutex);
        m_totals.endNs = monotonicNs();
    }
}

bool ClosedLoopLoad::oneRequest(
    std::int64_t ticket, std::vector<char> &buffer, std::int64_t *bytes, int *backend, QString *error)
{
    const std::int64_t deadlineNs = monotonicNs() + std::int64_t(m_options.requestTimeoutMs) * 1000000;
    SocketGuard s {::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    if (s.fd < 0) {
        *error = QStringLiteral("socket failed: %1").arg(lastErrorText());
        return false;
    }
    // Short slices: every blocking call returns within 100 ms, so stop() is seen promptly.
    timeval slice {0, 100000};
    ::setsockopt(s.fd, SOL_SOCKET, SO_RCVTIMEO, &slice, sizeof slice);
    ::setsockopt(s.fd, SOL_SOCKET, SO_SNDTIMEO, &slice, sizeof slice);
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(m_options.port);
    if (::connect(s.fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
        *error = QStringLiteral("connect to the first tier failed: %1").arg(lastErrorText());
        return false;
    }
    const std::string request = cp::requestText(ticket);
    std::size_t sent = 0;
    while (sent < request.size()) {
        const ssize_t w = ::send(s.fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (w < 0) {
            if ((errno == EAGAIN || errno == EINTR) && monotonicNs() < deadlineNs && !m_stop.load())
                continue;
            *error = QStringLiteral("sending the request failed: %1").arg(lastErrorText());
            return false;
        }
        sent += std::size_t(w);
    }
    std::string head;
    cp::ResponseHead response;
    bool haveHead = false;
    std::int64_t bodySeen = 0;
    *bytes = 0;
    for (;;) {
        const ssize_t n = ::recv(s.fd, buffer.data(), buffer.size(), 0);
        if (n < 0) {
            if ((errno == EAGAIN || errno == EINTR) && !m_stop.load()) {
                if (monotonicNs() > deadlineNs) {
                    *error
                        = QStringLiteral("no complete response within %1 ms").arg(m_options.requestTimeoutMs);
                    return false;
                }
                continue;
            }
            *error = QStringLiteral("reading the response failed: %1").arg(lastErrorText());
            return false;
        }
        if (n == 0)
            break; // the server closed: the response is complete (or short)
        *bytes += n;
        std::string_view chunk(buffer.data(), std::size_t(n));
        if (!haveHead) {
            head.append(chunk);
            std::string why;
            const cp::ParseState st = cp::ResponseHead::parse(head, &response, &why);
            if (st == cp::ParseState::Bad) {
                *error = QStringLiteral("bad response: %1").arg(QString::fromStdString(why));
                return false;
            }
            if (st == cp::ParseState::Incomplete)
                continue;
            haveHead = true;
            if (response.status != 200) {
                *error = QStringLiteral("the server answered %1").arg(response.status);
                return false;
            }
            chunk = std::string_view(head).substr(response.headBytes);
        }
        // Compared with the expected body in one memcmp per chunk: checking costs the load
        // generator little next to receiving.
        if (bodySeen + std::int64_t(chunk.size()) > response.contentLength
            || bodySeen + std::int64_t(chunk.size()) > std::int64_t(m_expected.size())
            || std::memcmp(chunk.data(), m_expected.data() + bodySeen, chunk.size()) != 0) {
            *error = QStringLiteral("response body differs from what the back end sends, after byte %1")
                         .arg(bodySeen);
            return false;
        }
        bodySeen += std::int64_t(chunk.size());
    }
    if (!haveHead) {
        *error = QStringLiteral("the connection closed before a response head");
        return false;
    }
    if (response.contentLength != m_options.responseBytes || bodySeen != response.contentLength) {
        *error
            = QStringLiteral("short response: %1 of %2 body bytes").arg(bodySeen).arg(response.contentLength);
        return false;
    }
    *backend = response.backend;
    return true;
}

} // namespace proclab
