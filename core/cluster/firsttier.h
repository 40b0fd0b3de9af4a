#pragma once

#include "dispatchmode.h"

#include <QString>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <time.h>

namespace proclab {

/**
 * @brief One back end as the first tier reaches it.
 */
struct FirstTierBackend {
    int controlFd = -1; ///< SOCK_SEQPACKET to the back end (handoffs); owned by the caller
    std::uint16_t port = 0; ///< its 127.0.0.1 port (relayed connections)
};

/**
 * @brief How the first tier dispatches and its limits.
 */
struct FirstTierOptions {
    DispatchMode mode = DispatchMode::Relay;
    std::vector<FirstTierBackend> backends;
    int idleTimeoutMs = 5000; ///< a connection idle this long is closed
    int maxConnections = 4096; ///< more are accepted and closed at once
    std::size_t relayBufferBytes = 64 * 1024; ///< per relayed connection
};

/**
 * @brief Byte and request counters of the first tier (a consistent-enough copy of atomics).
 */
struct FirstTierCounters {
    std::int64_t accepted = 0; ///< client connections accepted
    std::int64_t dispatched = 0; ///< requests passed to a back end (relayed or handed off)
    std::int64_t completed = 0; ///< relayed responses copied to the end, or handoffs sent
    std::int64_t badRequests = 0; ///< requests refused with 400 by the first tier
    std::int64_t timeouts = 0; ///< connections closed for being idle
    std::int64_t refused = 0; ///< connections closed at once (too many)
    std::int64_t backendErrors = 0; ///< requests lost because a back end failed
    std::int64_t clientBytesIn = 0; ///< read from clients
    std::int64_t clientBytesOut = 0; ///< written to clients
    std::int64_t backendBytesOut = 0; ///< written to back ends (relayed requests, handoff messages)
    std::int64_t backendBytesIn = 0; ///< read from back ends (relayed responses)

    /// Every byte that passed through the first tier's sockets, in either direction.
    std::int64_t totalBytes() const
    {
        return clientBytesIn + clientBytesOut + backendBytesOut + backendBytesIn;
    }
    /// Response bytes that passed it (read from back ends and written to clients).
    std::int64_t responseBytes() const { return backendBytesIn + clientBytesOut; }
};

/**
 * @brief The cluster's first tier: a switch on 127.0.0.1 that accepts client connections,
 * reads each request and dispatches it round-robin to a back end, by relaying or by handoff.
 *
 * In relay mode every response byte passes through it; in handoff mode it sends the client's
 * socket with the request it read to the back end over the control socket (SCM_RIGHTS) and
 * closes its own copy, so the response never passes it.
 *
 * Threading: one event loop (epoll, non-blocking sockets) on a thread the first tier owns;
 * counters are atomics any thread may read; stop() wakes the loop (eventfd) and joins.
 * cpuNs() reads the loop thread's own CPU clock, so the CPU the first tier costs is measured
 * apart from the load generator and everything else in the process.
 */
class FirstTier {
public:
    explicit FirstTier(FirstTierOptions options);
    ~FirstTier();
    FirstTier(const FirstTier &) = delete;
    FirstTier &operator=(const FirstTier &) = delete;

    /// @brief Listens on 127.0.0.1 (OS-chosen port) and starts the loop.
    bool start(QString *error);
    std::uint16_t port() const { return m_port; }
    /// @brief Closes every connection and joins the loop. Idempotent.
    void stop();

    FirstTierCounters counters() const;
    /// @brief Requests dispatched to back end @p i so far.
    std::int64_t dispatchedTo(int i) const;
    /// @brief CPU time (user + system) of the loop thread so far, in ns.
    std::int64_t cpuNs() const;
    /// @brief The first back-end failure seen ("back end 1 closed its control socket"), or empty.
    QString failure() const;

private:
    friend struct FirstTierLoop; // the loop's state, touched only by the loop thread
    void loop();
    void setFailure(const QString &text);

    FirstTierOptions m_options;
    std::thread m_thread;
    std::uint16_t m_port = 0;
    int m_listenFd = -1;
    int m_wakeFd = -1;

    struct AtomicCounters {
        std::atomic<std::int64_t> accepted {0}, dispatched {0}, completed {0}, badRequests {0}, timeouts {0},
            refused {0}, backendErrors {0}, clientBytesIn {0}, clientBytesOut {0}, backendBytesOut {0},
            backendBytesIn {0};
    };
    AtomicCounters m_counters;
    std::unique_ptr<std::atomic<std::int64_t>[]> m_perBackend;

    mutable std::mutex m_mutex; // guards the CPU clock hand-over and the failure text
    clockid_t m_cpuClock {};
    bool m_cpuClockValid = false;
    std::int64_t m_finalCpuNs = 0;
    QString m_failure;
};

} // namespace proclab
