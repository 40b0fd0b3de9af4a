#include "webclientengine.h"

#include "net/latencyserver.h"

#include <QJsonArray>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

namespace proclab {

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point origin)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - origin).count();
}

enum Outcome { Pending = 0, First = 1, Late = 2, Failed = 3 };

/**
 * The client-side stub of the slides: the application calls it like one server;
 * it replicates each request to every replica, returns the first answer and
 * keeps counters. One worker thread per replica does the blocking requests, so
 * a slow or dead replica delays nobody but its own worker.
 */
class ReplicatingStub {
public:
    ReplicatingStub(std::vector<std::uint16_t> ports, double timeoutMs, Clock::time_point origin)
        : m_ports(std::move(ports))
        , m_timeoutMs(timeoutMs)
        , m_origin(origin)
        , m_queues(m_ports.size())
        , m_counters(m_ports.size())
    {
        for (std::size_t r = 0; r < m_ports.size(); ++r)
            m_workers.emplace_back([this, r] { worker(static_cast<int>(r)); });
    }

    ~ReplicatingStub()
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

    /// The call as the application sees it: blocks until one replica answered or all failed.
    StubCall call(int index)
    {
        std::unique_lock lock(m_mutex);
        StubCall c;
        c.index = index;
        c.startMs = msSince(m_origin);
        c.outcome.assign(m_ports.size(), Pending);
        m_calls.push_back(c);
        const std::size_t slot = m_calls.size() - 1;
        for (std::size_t r = 0; r < m_ports.size(); ++r) {
            m_queues[r].push_back(slot);
            ++m_counters[r].sent;
        }
        m_wake.notify_all();
        const auto deadline = Clock::now() + std::chrono::milliseconds(static_cast<long long>(m_timeoutMs + 1000));
        m_answered.wait_until(lock, deadline, [&] {
            const auto &cc = m_calls[slot];
            if (cc.winner >= 0 || m_stop)
                return true;
            for (int o : cc.outcome) {
                if (o == Pending)
                    return false;
            }
            return true; // every replica failed
        });
        StubCall &done = m_calls[slot];
        done.latencyMs = msSince(m_origin) - done.startMs;
        return done;
    }

    /// Waits until every replica has answered or failed every request (bounded).
    void drain(std::chrono::milliseconds timeout)
    {
        std::unique_lock lock(m_mutex);
        m_answered.wait_for(lock, timeout, [&] {
            for (const auto &c : m_calls) {
                for (int o : c.outcome) {
                    if (o == Pending)
                        return false;
                }
            }
            return true;
        });
    }

    void markKilled(int replica)
    {
        std::lock_guard lock(m_mutex);
        m_counters[replica].killed = true;
    }

    void copyState(std::vector<StubCall> *calls, std::vector<ReplicaCounters> *counters) const
    {
        std::lock_guard lock(m_mutex);
        calls->assign(m_calls.begin(), m_calls.end());
        *counters = m_counters;
    }

private:
    void worker(int replica)
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
                    c.outcome[replica] = First;
                    ++m_counters[replica].first;
                } else {
                    c.outcome[replica] = Late;
                    ++m_counters[replica].late;
                }
            } else {
                c.outcome[replica] = Failed;
                ++m_counters[replica].failed;
            }
            m_answered.notify_all();
        }
    }

    std::vector<std::uint16_t> m_ports;
    double m_timeoutMs;
    Clock::time_point m_origin;
    mutable std::mutex m_mutex; // guards everything below except the atomics
    std::condition_variable m_wake;     // workers: a request was queued or stop
    std::condition_variable m_answered; // caller and drain: an outcome arrived
    std::deque<StubCall> m_calls;       // deque: references stay valid while appending
    std::vector<std::deque<std::size_t>> m_queues;
    std::vector<ReplicaCounters> m_counters;
    std::vector<std::thread> m_workers;
    bool m_stop = false;
    std::atomic<bool> m_cancel{false};
};

} // namespace

ReplicaEngine::ReplicaEngine()
    : Engine(EngineInfo{QString(kId), QStringLiteral("Replication transparency: a client stub"),
                        Provenance::Measured,
                        QStringLiteral("A client stub sends every request to three local replicas and returns "
                                       "the first answer; one replica is killed during the run."),
                        {QStringLiteral("C4")},
          {QString(kStubView)}})
{
}


ParamSchema ReplicaEngine::schema() const
{
    return ParamSchema{
        ParamSpec::integer(QStringLiteral("requests"), QStringLiteral("Requests"), 40, 1, 200,
                           QStringLiteral("calls"), QStringLiteral("How many calls the application makes.")),
        ParamSpec::integer(QStringLiteral("interval_ms"), QStringLiteral("Pause between calls"), 40, 0, 1000,
                           QStringLiteral("ms"), QStringLiteral("The application waits this long between calls.")),
        ParamSpec::integer(QStringLiteral("latency_ms"), QStringLiteral("Replica latency"), 20, 0, 1000,
                           QStringLiteral("ms"), QStringLiteral("Fixed delay every replica adds to an answer.")),
        ParamSpec::integer(QStringLiteral("jitter_ms"), QStringLiteral("Latency jitter"), 30, 0, 1000,
                           QStringLiteral("ms"),
                           QStringLiteral("Extra random delay, 0 up to this, drawn per answer: it decides "
                                          "which replica is fastest.")),
        ParamSpec::integer(QStringLiteral("kill_at"), QStringLiteral("Kill before call"), 20, -1, 200,
                           QStringLiteral("call"),
                           QStringLiteral("The replica is killed just before this call (-1: never).")),
        ParamSpec::integer(QStringLiteral("kill_replica"), QStringLiteral("Replica to kill"), 0, 0, 2, {},
                           QStringLiteral("Which replica (0, 1 or 2) is killed.")),
        ParamSpec::integer(QStringLiteral("seed"), QStringLiteral("Random seed"), 1, 0, 1000000, {},
                           QStringLiteral("Seeds the replicas' jitter.")),
    };
}

void ReplicaEngine::run()
{
    const int requests = static_cast<int>(intParam(QStringLiteral("requests")));
    const int intervalMs = static_cast<int>(intParam(QStringLiteral("interval_ms")));
    const double latencyMs = static_cast<double>(intParam(QStringLiteral("latency_ms")));
    const double jitterMs = static_cast<double>(intParam(QStringLiteral("jitter_ms")));
    const int killAt = static_cast<int>(intParam(QStringLiteral("kill_at")));
    const int killReplica = static_cast<int>(intParam(QStringLiteral("kill_replica")));
    const auto seed = static_cast<std::uint64_t>(intParam(QStringLiteral("seed")));
    constexpr int kReplicas = 3;

    auto snap = std::make_shared<ReplicaSnapshot>();
    snap->replicas = kReplicas;
    snap->requests = requests;
    snap->killAt = killAt;
    Result result = makeResult();

    std::vector<std::unique_ptr<LatencyServer>> replicas;
    std::vector<std::uint16_t> ports;
    for (int r = 0; r < kReplicas; ++r) {
        LatencyServerConfig cfg;
        cfg.name = QStringLiteral("replica%1").arg(r);
        cfg.resources = 0;
        cfg.latencyMs = latencyMs;
        cfg.jitterMs = jitterMs;
        cfg.seed = seed * 7919 + static_cast<std::uint64_t>(r);
        replicas.push_back(std::make_unique<LatencyServer>(cfg));
        QString error;
        if (!replicas.back()->start(&error)) {
            result.error = error;
            snap->result = result;
            publish(snap);
            return;
        }
        ports.push_back(replicas.back()->port());
    }

    const auto origin = Clock::now();
    {
        ReplicatingStub stub(ports, 5000 + latencyMs + jitterMs, origin);
        auto publishCopy = [&](const QString &status, double progress) {
            stub.copyState(&snap->calls, &snap->counters);
            snap->callerFailures = 0;
            for (const auto &c : snap->calls)
                snap->callerFailures += c.winner < 0 && c.latencyMs > 0 ? 1 : 0;
            snap->status = status;
            snap->progress = progress;
            publish(std::make_shared<ReplicaSnapshot>(*snap));
        };
        for (int i = 0; i < requests; ++i) {
            if (!checkpoint())
                break;
            if (i == killAt) {
                // A crash: open connections are reset and the port refuses new ones.
                replicas[killReplica]->kill();
                stub.markKilled(killReplica);
                snap->killedReplica = killReplica;
                snap->killedAtMs = msSince(origin);
            }
            const StubCall c = stub.call(i);
            publishCopy(c.winner >= 0 ? QStringLiteral("call %1 answered by replica %2 after %3 ms")
                                            .arg(i)
                                            .arg(c.winner)
                                            .arg(c.latencyMs, 0, 'f', 1)
                                      : QStringLiteral("call %1 failed: no replica answered").arg(i),
                        double(i + 1) / requests);
            if (intervalMs > 0 && !sleepFor(std::chrono::milliseconds(intervalMs)))
                break;
        }
        if (!stopRequested())
            stub.drain(std::chrono::milliseconds(static_cast<long long>(6000 + latencyMs + jitterMs)));
        stub.copyState(&snap->calls, &snap->counters);
    } // the stub's workers are joined here, before the replicas stop
    replicas.clear();

    int failures = 0;
    Series latency{QStringLiteral("caller latency (measured)"), QStringLiteral("call"),
                   QStringLiteral("latency seen by the caller (ms)"), Series::Style::Scatter, {}, {}, {}};
    result.table.columns = {QStringLiteral("call"), QStringLiteral("start_ms"), QStringLiteral("latency_ms"),
                            QStringLiteral("winner"), QStringLiteral("replica0"), QStringLiteral("replica1"),
                            QStringLiteral("replica2")};
    const QStringList outcomeNames = {QStringLiteral("pending"), QStringLiteral("first"), QStringLiteral("late"),
                                      QStringLiteral("failed")};
    for (const auto &c : snap->calls) {
        if (c.winner < 0)
            ++failures;
        latency.x.push_back(c.index);
        latency.y.push_back(c.latencyMs);
        latency.pointLabels << (c.winner >= 0 ? QStringLiteral("replica %1").arg(c.winner) : QStringLiteral("failed"));
        QVariantList row{c.index, c.startMs, c.latencyMs, c.winner};
        for (int o : c.outcome)
            row << outcomeNames.value(o);
        result.table.rows.push_back(row);
    }
    snap->callerFailures = failures;
    result.series.push_back(latency);
    std::vector<double> lat;
    for (const auto &c : snap->calls)
        lat.push_back(c.latencyMs);
    result.summary.insert(QStringLiteral("calls"), static_cast<int>(snap->calls.size()));
    result.summary.insert(QStringLiteral("caller_failures"), failures);
    result.summary.insert(QStringLiteral("median_latency_ms"), median(lat));
    result.summary.insert(QStringLiteral("killed_replica"), snap->killedReplica);
    for (int r = 0; r < kReplicas; ++r) {
        const auto &k = snap->counters[r];
        const QString p = QStringLiteral("replica%1_").arg(r);
        result.summary.insert(p + QStringLiteral("sent"), k.sent);
        result.summary.insert(p + QStringLiteral("first"), k.first);
        result.summary.insert(p + QStringLiteral("late"), k.late);
        result.summary.insert(p + QStringLiteral("failed"), k.failed);
    }
    snap->result = result;
    snap->progress = 1;
    snap->status = stopRequested() ? QStringLiteral("stopped")
                                   : QStringLiteral("%1 calls, %2 failed for the caller; replica %3 killed")
                                         .arg(snap->calls.size())
                                         .arg(failures)
                                         .arg(snap->killedReplica);
    publish(std::make_shared<ReplicaSnapshot>(*snap));
}

} // namespace proclab
