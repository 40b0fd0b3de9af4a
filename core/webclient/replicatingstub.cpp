#include "replicatingstub.h"

#include "net/httpclient.h"

#include <string>

namespace proclab {

using Clock = std::chrono::steady_clock;

ReplicatingStub::ReplicatingStub(std::vector<std::uint16_t> ports, double timeoutMs, Clock::time_point origin)
    : m_ports(std::move(ports))
    , m_timeoutMs(timeoutMs)
    , m_origin(origin)
    , m_queues(m_ports.size())
    , m_counters(m_ports.size())
{
    for (std::size_t r = 0; r < m_ports.size(); ++r)
        m_workers.emplace_back([this, r] { worker(static_cast<int>(r)); });
}

ReplicatingStub::~ReplicatingStub()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_cancel = true;
    m_wake.notify_all();
    for (auto &w : m_workers)
        w.join();
}

double ReplicatingStub::msSinceOrigin() const
{
    return std::chrono::duration<double, std::milli>(Clock::now() - m_origin).count();
}

StubCall ReplicatingStub::call(int index)
{
    std::unique_lock lock(m_mutex);
    StubCall c;
    c.index = index;
    c.startMs = msSinceOrigin();
    c.outcome.assign(m_ports.size(), StubCall::Pending);
    m_calls.push_back(c);
    const std::size_t slot = m_calls.size() - 1;
    for (std::size_t r = 0; r < m_ports.size(); ++r) {
        m_queues[r].push_back(slot);
        ++m_counters[r].sent;
    }
    m_wake.notify_all();
    const auto deadline
        = Clock::now() + std::chrono::milliseconds(static_cast<long long>(m_timeoutMs + 1000));
    m_answered.wait_until(lock, deadline, [&] {
        const auto &cc = m_calls[slot];
        if (cc.winner >= 0 || m_stop)
            return true;
        for (int o : cc.outcome) {
            if (o == StubCall::Pending)
                return false;
        }
        return true; // every replica failed
    });
    StubCall &done = m_calls[slot];
    done.latencyMs = msSinceOrigin() - done.startMs;
    return done;
}

void ReplicatingStub::drain(std::chrono::milliseconds timeout)
{
    std::unique_lock lock(m_mutex);
    m_answered.wait_for(lock, timeout, [&] {
        for (const auto &c : m_calls) {
            for (int o : c.outcome) {
                if (o == StubCall::Pending)
                    return false;
            }
        }
        return true;
    });
}

void ReplicatingStub::markKilled(int replica)
{
    std::lock_guard lock(m_mutex);
    m_counters[replica].killed = true;
}

void ReplicatingStub::copyState(std::vector<StubCall> *calls, std::vector<ReplicaCounters> *counters) const
{
    std::lock_guard lock(m_mutex);
    calls->assign(m_calls.begin(), m_calls.end());
    *counters = m_counters;
}

void ReplicatingStub::worker(int replica)
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [&] { return m_stop || !m_queues[replica].empty(); });
        if (m_stop)
            return;
        const std::size_t slot = m_queues[replica].front();
        m_queues[replica].pop_front();
        const std::string path = "/rpc?call=" + std::to_string(m_calls[slot].index);
        lock.unlock();
        const HttpResponse resp = httpGet(m_ports[replica], path, m_timeoutMs, m_origin, nullptr, &m_cancel);
        lock.lock();
        StubCall &c = m_calls[slot];
        if (resp.error.isEmpty()) {
            if (c.winner < 0) {
                c.winner = replica;
                c.outcome[replica] = StubCall::First;
                ++m_counters[replica].first;
            } else {
                c.outcome[replica] = StubCall::Late;
                ++m_counters[replica].late;
            }
        } else {
            c.outcome[replica] = StubCall::Failed;
            ++m_counters[replica].failed;
        }
        m_answered.notify_all();
    }
}

} // namespace proclab
