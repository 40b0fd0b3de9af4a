#include "vmclient.h"

#include "net/timedsocket.h"

namespace proclab::migration {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

VmClient::VmClient(Clock::time_point origin, double intervalMs)
    : m_origin(origin)
    , m_intervalMs(intervalMs)
{
}

VmClient::~VmClient()
{
    stop();
}

void VmClient::start(const std::string &host, std::uint16_t port)
{
    stop();
    {
        std::lock_guard lock(m_mutex);
        m_stop = false;
        m_host = host;
        m_port = port;
        ++m_targetGeneration;
    }
    m_thread = std::thread([this] { threadMain(); });
}

void VmClient::setTarget(const std::string &host, std::uint16_t port)
{
    std::lock_guard lock(m_mutex);
    m_host = host;
    m_port = port;
    ++m_targetGeneration;
}

void VmClient::stop()
{
    if (!m_thread.joinable())
        return;
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_cv.notify_all();
    m_thread.join();
}

std::vector<ClientSample> VmClient::samples() const
{
    std::lock_guard lock(m_mutex);
    return m_samples;
}

std::size_t VmClient::sampleCount() const
{
    std::lock_guard lock(m_mutex);
    return m_samples.size();
}

void VmClient::threadMain()
{
    auto stopped = [this] {
        std::lock_guard lock(m_mutex);
        return m_stop;
    };
    // A connection is abandoned as soon as the VM's address changed: the old host
    // may still accept but will never answer again.
    std::uint64_t connectedGeneration = 0;
    TimedSocket sock([this, &connectedGeneration] {
        std::lock_guard lock(m_mutex);
        return m_stop || m_targetGeneration != connectedGeneration;
    });
    std::uint64_t sequence = 0;
    auto nextSend = Clock::now();
    const auto interval = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double, std::milli>(m_intervalMs));

    auto connectToTarget = [&]() -> bool {
        // Retries until the VM answers at its current address (or the run ends).
        while (!stopped()) {
            std::string host;
            std::uint16_t port = 0;
            {
                std::lock_guard lock(m_mutex);
                host = m_host;
                port = m_port;
                connectedGeneration = m_targetGeneration;
            }
            QString err;
            if (sock.connect(host, port, std::chrono::milliseconds(1000), &err))
                return true;
            std::unique_lock lock(m_mutex);
            m_cv.wait_for(lock, std::chrono::milliseconds(2), [this] { return m_stop; });
        }
        return false;
    };

    if (!connectToTarget())
        return;
    while (!stopped()) {
        {
            std::unique_lock lock(m_mutex);
            if (m_cv.wait_until(lock, nextSend, [this] { return m_stop; }))
                break;
        }
        nextSend += interval;
        if (nextSend < Clock::now())
            nextSend = Clock::now() + interval; // do not burst to catch up after a long wait
        const auto sent = Clock::now();
        WireRequest req {++sequence, 0};
        WireRequest reply;
        bool moved = false;
        bool answered = false;
        while (!answered && !stopped()) {
            QString err;
            if (sock.write({asio::buffer(&req, sizeof req)}, std::chrono::seconds(2), &err)) {
                // No deadline that gives up on the VM: during a stop-and-copy the answer
                // may take many seconds, and that wait is what is being measured. A
                // closed connection (the VM left) ends the read at once.
                while (!stopped()) {
                    if (sock.read(asio::buffer(&reply, sizeof reply), std::chrono::seconds(3600), &err)) {
                        answered = reply.sequence == req.sequence;
                        break;
                    }
                    break;
                }
            }
            if (!answered) {
                moved = true;
                if (!connectToTarget())
                    break;
            }
        }
        if (!answered)
            break;
        const double sentMs = std::chrono::duration<double, std::milli>(sent - m_origin).count();
        const double responseMs = std::chrono::duration<double, std::milli>(Clock::now() - sent).count();
        std::lock_guard lock(m_mutex);
        m_samples.push_back({sentMs, responseMs, moved});
    }
}

} // namespace proclab::migration
