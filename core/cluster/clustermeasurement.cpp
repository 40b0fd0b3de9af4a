#include "clustermeasurement.h"

#include "common/clock.h"
#include "common/stats.h"

#include <chrono>

namespace proclab {

namespace {

FirstTierCounters minus(const FirstTierCounters &a, const FirstTierCounters &b)
{
    FirstTierCounters d;
    d.accepted = a.accepted - b.accepted;
    d.dispatched = a.dispatched - b.dispatched;
    d.completed = a.completed - b.completed;
    d.badRequests = a.badRequests - b.badRequests;
    d.timeouts = a.timeouts - b.timeouts;
    d.refused = a.refused - b.refused;
    d.backendErrors = a.backendErrors - b.backendErrors;
    d.clientBytesIn = a.clientBytesIn - b.clientBytesIn;
    d.clientBytesOut = a.clientBytesOut - b.clientBytesOut;
    d.backendBytesOut = a.backendBytesOut - b.backendBytesOut;
    d.backendBytesIn = a.backendBytesIn - b.backendBytesIn;
    return d;
}

} // namespace

ClusterMeasurement::ClusterMeasurement(ClusterPointConfig config)
    : m_config(config)
{
}

ClusterMeasurement::~ClusterMeasurement()
{
    tearDown();
}

bool ClusterMeasurement::setUp(const std::function<bool()> &cancelled, QString *error)
{
    BackendOptions options;
    options.responseBytes = m_config.responseBytes;
    options.serviceUs = m_config.serviceUs;
    options.idleTimeoutMs = m_config.idleTimeoutMs;
    if (!m_pool.start(m_config.backends, options, std::chrono::milliseconds(5000), cancelled, error))
        return false;
    FirstTierOptions tierOptions;
    tierOptions.mode = m_config.mode;
    tierOptions.idleTimeoutMs = m_config.idleTimeoutMs;
    for (int i = 0; i < m_pool.size(); ++i)
        tierOptions.backends.push_back({m_pool.controlFd(i), m_pool.port(i)});
    m_tier = std::make_unique<FirstTier>(tierOptions);
    if (!m_tier->start(error)) {
        tearDown();
        return false;
    }
    return true;
}

void ClusterMeasurement::startLoad()
{
    LoadOptions lo;
    lo.port = m_tier->port();
    lo.clients = m_config.clients;
    lo.maxRequests = m_config.maxRequests;
    lo.durationMs = m_config.durationMs;
    lo.responseBytes = m_config.responseBytes;
    lo.requestTimeoutMs = m_config.idleTimeoutMs;
    lo.backends = m_config.backends;
    m_tierStart = m_tier->counters();
    m_cpuStartNs = m_tier->cpuNs();
    m_load = std::make_unique<ClosedLoopLoad>(lo);
    m_load->start();
}

bool ClusterMeasurement::loadDone() const
{
    return !m_load || m_load->done();
}

QString ClusterMeasurement::failure()
{
    QString why = m_pool.checkEnded();
    if (why.isEmpty() && m_tier)
        why = m_tier->failure();
    return why;
}

ClusterPoint ClusterMeasurement::collect(const LoadTotals &totals, std::int64_t endNs) const
{
    ClusterPoint p;
    p.mode = m_config.mode;
    p.backends = m_config.backends;
    p.completed = totals.completed;
    p.errors = totals.errors;
    p.firstError = totals.firstError;
    p.clientBytes = totals.bytesReceived;
    p.perBackend = totals.perBackend;
    p.seconds = totals.startNs > 0 ? double(endNs - totals.startNs) / 1e9 : 0.0;
    p.throughputRps = p.seconds > 0 ? double(p.completed) / p.seconds : 0.0;
    if (m_tier) {
        p.tier = minus(m_tier->counters(), m_tierStart);
        p.firstTierCpuNs = m_tier->cpuNs() - m_cpuStartNs;
        p.firstTierCpuPercent = p.seconds > 0 ? 100.0 * double(p.firstTierCpuNs) / (p.seconds * 1e9) : 0.0;
    }
    const Spread s = spreadOf(totals.latenciesUs);
    p.latencyMedianUs = s.median;
    p.latencyP10Us = s.p10;
    p.latencyP90Us = s.p90;
    return p;
}

ClusterPoint ClusterMeasurement::progress() const
{
    if (!m_load)
        return collect(LoadTotals {}, 0);
    LoadTotals t = m_load->totals();
    t.latenciesUs.clear(); // not needed for a live view
    return collect(t, t.endNs > 0 ? t.endNs : monotonicNs());
}

ClusterPoint ClusterMeasurement::finish()
{
    if (!m_load)
        return collect(LoadTotals {}, 0);
    if (m_load->done())
        m_load->join();
    else
        m_load->stop();
    const LoadTotals t = m_load->totals();
    return collect(t, t.endNs > 0 ? t.endNs : monotonicNs());
}

void ClusterMeasurement::tearDown()
{
    if (m_load)
        m_load->stop();
    if (m_tier)
        m_tier->stop();
    m_pool.stop();
}

} // namespace proclab
