#pragma once

#include "invocationplan.h"

#include <QString>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace proclab {

/**
 * @brief What the clients saw, copied under a lock.
 */
struct ClientTotals {
    std::int64_t replies = 0; ///< OK answers received
    std::int64_t errors = 0; ///< ERR answers, timeouts, broken connections
    QString firstError;
    std::int64_t maxCallNumberSeen = 0; ///< the largest "call N on this object" in any answer
    std::vector<std::int64_t> repliesPerObject;
};

/**
 * @brief The request stream: one thread per client of an InvocationPlan, each with its own
 * TCP connection to the object server, invoking synchronously (send a line, wait for the
 * answer) with a pause between invocations, then disconnecting.
 *
 * Bounded: every socket call has a 100 ms slice, an answer may take at most 5 s, and stop()
 * ends every client within a slice (then joins).
 */
class ObjectClients {
public:
    ObjectClients(InvocationPlan plan, std::uint16_t port, int intervalMs);
    ~ObjectClients();
    ObjectClients(const ObjectClients &) = delete;
    ObjectClients &operator=(const ObjectClients &) = delete;

    void start();
    bool done() const { return m_running.load() == 0; }
    void stop();
    ClientTotals totals() const;

private:
    void client(int index);
    void fail(const QString &error);

    InvocationPlan m_plan;
    std::uint16_t m_port;
    int m_intervalMs;
    std::vector<std::thread> m_threads;
    std::atomic<bool> m_stop {false};
    std::atomic<int> m_running {0};
    mutable std::mutex m_mutex; // guards m_totals
    ClientTotals m_totals;
};

} // namespace proclab
