#include "objectclients.h"

#include "common/clock.h"
#include "common/errortext.h"

#include <cerrno>
#include <chrono>
#include <string>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace proclab {

ObjectClients::ObjectClients(InvocationPlan plan, std::uint16_t port, int intervalMs)
    : m_plan(plan)
    , m_port(port)
    , m_intervalMs(intervalMs)
{
    m_totals.repliesPerObject.assign(std::size_t(std::max(1, plan.objects)), 0);
}

ObjectClients::~ObjectClients()
{
    stop();
}

void ObjectClients::start()
{
    m_running.store(m_plan.clients);
    for (int i = 0; i < m_plan.clients; ++i)
        m_threads.emplace_back([this, i] { client(i); });
}

void ObjectClients::stop()
{
    m_stop.store(true);
    for (std::thread &t : m_threads) {
        if (t.joinable())
            t.join();
    }
    m_threads.clear();
}

ClientTotals ObjectClients::totals() const
{
    std::lock_guard lock(m_mutex);
    return m_totals;
}

void ObjectClients::fail(const QString &error)
{
    std::lock_guard lock(m_mutex);
    ++m_totals.errors;
    if (m_totals.firstError.isEmpty())
        m_totals.firstError = error;
}

void ObjectClients::client(int index)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval slice {0, 100000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &slice, sizeof slice);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &slice, sizeof slice);
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(m_port);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
        fail(QStringLiteral("client %1: cannot connect to the object server: %2")
                 .arg(index)
                 .arg(lastErrorText()));
        if (fd >= 0)
            ::close(fd);
        m_running.fetch_sub(1);
        return;
    }
    std::string pending;
    for (int i = 0; i < m_plan.requestsPerClient && !m_stop.load(); ++i) {
        const int object = m_plan.target(index, i);
        const std::string line = InvocationPlan::identity(object) + " printString Hello from client "
            + std::to_string(index) + ", request " + std::to_string(i) + "\n";
        if (::send(fd, line.data(), line.size(), MSG_NOSIGNAL) != ssize_t(line.size())) {
            fail(QStringLiteral("client %1: sending failed: %2").arg(index).arg(lastErrorText()));
            break;
        }
        // Synchronous invocation: wait for the one answer line.
        const std::int64_t deadline = monotonicNs() + 5'000'000'000;
        std::string answer;
        bool ok = false;
        while (!m_stop.load() && monotonicNs() < deadline) {
            const std::size_t eol = pending.find('\n');
            if (eol != std::string::npos) {
                answer = pending.substr(0, eol);
                pending.erase(0, eol + 1);
                ok = true;
                break;
            }
            char buf[1024];
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n > 0) {
                pending.append(buf, std::size_t(n));
                if (pending.size() > 4096)
                    break; // no answer is that long
            } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                break;
            }
        }
        if (m_stop.load())
            break;
        if (!ok || answer.rfind("OK ", 0) != 0) {
            fail(ok ? QStringLiteral("client %1: %2")
                          .arg(index)
                          .arg(QString::fromStdString(answer.substr(0, 200)))
                    : QStringLiteral("client %1: no answer to request %2").arg(index).arg(i));
            if (!ok)
                break;
            continue;
        }
        // "... (call N on this object)": the state the object kept.
        std::int64_t callNumber = 0;
        const std::size_t at = answer.rfind("(call ");
        if (at != std::string::npos)
            callNumber = std::atoll(answer.c_str() + at + 6);
        {
            std::lock_guard lock(m_mutex);
            ++m_totals.replies;
            ++m_totals.repliesPerObject[std::size_t(object)];
            m_totals.maxCallNumberSeen = std::max(m_totals.maxCallNumberSeen, callNumber);
        }
        // The pause between invocations, cut short by stop().
        const std::int64_t until = monotonicNs() + std::int64_t(m_intervalMs) * 1000000;
        while (!m_stop.load() && monotonicNs() < until) {
            const std::int64_t leftUs = (until - monotonicNs()) / 1000;
            if (leftUs > 0)
                std::this_thread::sleep_for(std::chrono::microseconds(std::min<std::int64_t>(leftUs, 20000)));
        }
    }
    ::close(fd);
    m_running.fetch_sub(1);
}

} // namespace proclab
