#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace proclab {

/**
 * @brief Where a connection (or a pool worker) is in serving a request.
 */
enum class ConnectionPhase : int {
    Idle = 0, ///< connection open, waiting for the first byte of a request (worker: waiting for work)
    Reading, ///< part of a request received
    Queued, ///< pool: a complete request waiting for a worker
    Working, ///< the handler's CPU work
    Disk, ///< the handler's blocking "disk" wait (fsm: a timer)
    Writing, ///< sending the response
};
inline constexpr int kConnectionPhaseCount = 6;

/// @brief "idle", "reading", "queued", "working", "disk", "writing".
const char *connectionPhaseName(ConnectionPhase phase);

/**
 * @brief The live counters of one server, updated by whatever serves (threads or
 * processes) and read by anyone.
 *
 * Plain lock-free atomics and nothing else, so the same struct works in one process
 * and in a shared memory mapping across the forking server's processes.
 */
struct ServerCounters {
    std::atomic<std::int64_t> connectionsAccepted {0};
    std::atomic<std::int64_t> connectionsOpen {0};
    std::atomic<std::int64_t> connectionsOpenMax {0};
    std::atomic<std::int64_t> requests {0}; ///< complete requests parsed
    std::atomic<std::int64_t> responses2xx {0};
    std::atomic<std::int64_t> responses4xx {0};
    std::atomic<std::int64_t> responses5xx {0};
    std::atomic<std::int64_t> inFlight {0}; ///< requests parsed and not yet answered
    std::atomic<std::int64_t> inFlightMax {0};
    std::atomic<std::int64_t> capRejections {0}; ///< connections answered 503 at the cap
    std::atomic<std::int64_t> badRequests {0}; ///< 400, 405, 413, 431 answers
    std::atomic<std::int64_t> requestTimeouts {0}; ///< 408: a request did not arrive in time (slow trickle)
    std::atomic<std::int64_t> idleCloses {0}; ///< keep-alive connections closed after their idle time
    std::atomic<std::int64_t> writeTimeouts {0}; ///< clients that did not take their response in time
    std::atomic<std::int64_t> acceptErrors {0}; ///< accept() failed (out of descriptors): accepting paused
    std::atomic<std::int64_t> workersStarted {0}; ///< threads or processes created for connections
    std::array<std::atomic<std::int64_t>, kConnectionPhaseCount> phase {}; ///< connections now in each phase

    static void raiseMax(std::atomic<std::int64_t> &max, std::int64_t value)
    {
        std::int64_t seen = max.load(std::memory_order_relaxed);
        while (value > seen && !max.compare_exchange_weak(seen, value, std::memory_order_relaxed)) { }
    }
    void connectionOpened()
    {
        connectionsAccepted.fetch_add(1, std::memory_order_relaxed);
        raiseMax(connectionsOpenMax, connectionsOpen.fetch_add(1, std::memory_order_relaxed) + 1);
    }
    void connectionClosed() { connectionsOpen.fetch_sub(1, std::memory_order_relaxed); }
    void requestStarted()
    {
        requests.fetch_add(1, std::memory_order_relaxed);
        raiseMax(inFlightMax, inFlight.fetch_add(1, std::memory_order_relaxed) + 1);
    }
    /// A response went out (fully written or not): counts it by class and ends the in-flight span.
    void requestFinished(int status)
    {
        inFlight.fetch_sub(1, std::memory_order_relaxed);
        responded(status);
    }
    /// A response that answers no parsed request (a 400 for garbage, a 408, a 503 at the cap).
    void responded(int status)
    {
        if (status >= 500)
            responses5xx.fetch_add(1, std::memory_order_relaxed);
        else if (status >= 400)
            responses4xx.fetch_add(1, std::memory_order_relaxed);
        else
            responses2xx.fetch_add(1, std::memory_order_relaxed);
    }
    void enterPhase(ConnectionPhase phaseNow)
    {
        phase[int(phaseNow)].fetch_add(1, std::memory_order_relaxed);
    }
    void leavePhase(ConnectionPhase phaseBefore)
    {
        phase[int(phaseBefore)].fetch_sub(1, std::memory_order_relaxed);
    }
};

static_assert(
    std::atomic<std::int64_t>::is_always_lock_free, "shared-memory counters need lock-free atomics");

/**
 * @brief Keeps one connection's phase in ServerCounters::phase: leaves the old
 * phase when entering a new one and when it goes away.
 */
class PhaseTracker {
public:
    explicit PhaseTracker(ServerCounters &counters)
        : m_counters(counters)
    {
        m_counters.enterPhase(m_phase);
    }
    ~PhaseTracker() { m_counters.leavePhase(m_phase); }
    PhaseTracker(const PhaseTracker &) = delete;
    PhaseTracker &operator=(const PhaseTracker &) = delete;

    void set(ConnectionPhase phase)
    {
        if (phase == m_phase)
            return;
        m_counters.leavePhase(m_phase);
        m_counters.enterPhase(phase);
        m_phase = phase;
    }
    ConnectionPhase get() const { return m_phase; }

private:
    ServerCounters &m_counters;
    ConnectionPhase m_phase = ConnectionPhase::Idle;
};

} // namespace proclab
