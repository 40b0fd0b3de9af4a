#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace proclab {

/**
 * @brief One call the application made through the replicating client stub.
 */
struct StubCall {
    /// What became of the call at one replica.
    enum Outcome { Pending = 0, First = 1, Late = 2, Failed = 3 };

    int index = 0;
    double startMs = 0; ///< since the stub's origin
    double latencyMs = 0; ///< what the caller waited
    int winner = -1; ///< replica whose answer was returned, -1 if none (the caller saw a failure)
    std::vector<int> outcome; ///< per replica: an Outcome
};

/**
 * @brief Per-replica counters kept by the client stub.
 */
struct ReplicaCounters {
    int sent = 0;
    int first = 0; ///< its answer was the one returned to the caller
    int late = 0; ///< answered, but another replica was faster
    int failed = 0; ///< refused, reset or timed out
    bool killed = false;
};

/**
 * @brief The client-side stub of the slides: the application calls it like one server;
 * it replicates each request to every replica ("/rpc" on 127.0.0.1:port), returns the
 * first answer and keeps counters.
 *
 * One worker thread per replica does the blocking requests, so a slow or dead replica
 * delays nobody but its own worker. The destructor cancels the requests in flight and joins
 * the workers.
 */
class ReplicatingStub {
public:
    /// @param timeoutMs bound of one request; a call waits at most this plus one second
    /// @param origin times in StubCall are measured from here
    ReplicatingStub(
        std::vector<std::uint16_t> ports, double timeoutMs, std::chrono::steady_clock::time_point origin);
    ~ReplicatingStub();
    ReplicatingStub(const ReplicatingStub &) = delete;
    ReplicatingStub &operator=(const ReplicatingStub &) = delete;

    /// @brief The call as the application sees it: blocks until one replica answered or all failed.
    StubCall call(int index);
    /// @brief Waits until every replica has answered or failed every request, at most @p timeout.
    void drain(std::chrono::milliseconds timeout);
    /// @brief Notes in the counters that @p replica was killed (for the view).
    void markKilled(int replica);
    /// @brief Copies the calls so far and the counters.
    void copyState(std::vector<StubCall> *calls, std::vector<ReplicaCounters> *counters) const;

private:
    void worker(int replica);
    double msSinceOrigin() const;

    std::vector<std::uint16_t> m_ports;
    double m_timeoutMs;
    std::chrono::steady_clock::time_point m_origin;
    mutable std::mutex m_mutex; // guards everything below except the atomics
    std::condition_variable m_wake; // workers: a request was queued or stop
    std::condition_variable m_answered; // caller and drain: an outcome arrived
    std::deque<StubCall> m_calls; // deque: references stay valid while appending
    std::vector<std::deque<std::size_t>> m_queues;
    std::vector<ReplicaCounters> m_counters;
    std::vector<std::thread> m_workers;
    bool m_stop = false;
    std::atomic<bool> m_cancel {false};
};

} // namespace proclab
