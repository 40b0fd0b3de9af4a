#include "ownworkload.h"

#include "net/httpclient.h"
#include "net/latencyserver.h"

#include <random>
#include <string>

namespace proclab {

using Clock = std::chrono::steady_clock;

QString ownWorkloadId(OwnWorkloadKind kind)
{
    switch (kind) {
    case OwnWorkloadKind::Cpu:
        return QStringLiteral("cpu");
    case OwnWorkloadKind::Mixed:
        return QStringLiteral("mixed");
    case OwnWorkloadKind::WebClient:
        return QStringLiteral("webclient");
    case OwnWorkloadKind::Idle:
        return QStringLiteral("idle");
    }
    return {};
}

std::optional<OwnWorkloadKind> ownWorkloadFromId(const QString &id)
{
    for (OwnWorkloadKind k :
        {OwnWorkloadKind::Cpu, OwnWorkloadKind::Mixed, OwnWorkloadKind::WebClient, OwnWorkloadKind::Idle}) {
        if (ownWorkloadId(k) == id)
            return k;
    }
    return std::nullopt;
}

OwnWorkload::OwnWorkload(OwnWorkloadKind kind, int threads, std::uint64_t seed)
    : m_kind(kind)
    , m_threads(threads)
    , m_seed(seed)
{
}

OwnWorkload::~OwnWorkload()
{
    stop();
}

bool OwnWorkload::start(QString *error)
{
    if (m_kind == OwnWorkloadKind::WebClient) {
        LatencyServerConfig cfg;
        cfg.name = QStringLiteral("tlp-web");
        cfg.resources = 32;
        cfg.resourceBytes = 64 * 1024;
        cfg.latencyMs = 20;
        m_server = std::make_unique<LatencyServer>(cfg);
        if (!m_server->start(error))
            return false;
    }
    for (int t = 0; t < m_threads; ++t)
        m_workers.emplace_back([this, t] { body(t); });
    return true;
}

void OwnWorkload::requestStop()
{
    m_stopFlag = true;
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
}

void OwnWorkload::stop()
{
    requestStop();
    for (auto &w : m_workers)
        w.join();
    m_workers.clear();
    if (m_server)
        m_server->stop();
}

void OwnWorkload::spin(Clock::duration d)
{
    const auto until = Clock::now() + d;
    volatile double x = 1.0;
    while (Clock::now() < until && !m_stopFlag.load(std::memory_order_relaxed)) {
        for (int i = 0; i < 2000; ++i)
            x = x * 1.0000001 + 1e-9;
    }
}

bool OwnWorkload::idle(Clock::duration d)
{
    std::unique_lock lock(m_mutex);
    return m_wake.wait_for(lock, d, [this] { return m_stop; });
}

void OwnWorkload::body(int index)
{
    std::mt19937_64 rng(m_seed * 1000003ULL + static_cast<std::uint64_t>(index));
    switch (m_kind) {
    case OwnWorkloadKind::Cpu:
        while (!m_stopFlag.load(std::memory_order_relaxed))
            spin(std::chrono::milliseconds(50));
        break;
    case OwnWorkloadKind::Mixed: {
        // Bursts of computing and sleeping, 1 to 20 ms each: about half busy.
        std::uniform_int_distribution<int> ms(1, 20);
        while (!m_stopFlag.load(std::memory_order_relaxed)) {
            spin(std::chrono::milliseconds(ms(rng)));
            if (idle(std::chrono::milliseconds(ms(rng))))
                break;
        }
        break;
    }
    case OwnWorkloadKind::WebClient: {
        // Blocking fetches of random resources: mostly waiting for latency.
        std::uniform_int_distribution<int> res(0, 31);
        std::atomic<bool> *cancel = &m_stopFlag;
        while (!cancel->load()) {
            const std::string path = "/r/" + std::to_string(res(rng));
            const HttpResponse r = httpGet(m_server->port(), path, 5000, Clock::now(), nullptr, cancel);
            if (!r.error.isEmpty() && idle(std::chrono::milliseconds(10)))
                break;
        }
        break;
    }
    case OwnWorkloadKind::Idle: {
        // Threads that exist but never run.
        std::unique_lock lock(m_mutex);
        m_wake.wait(lock, [this] { return m_stop; });
        break;
    }
    }
}

} // namespace proclab
