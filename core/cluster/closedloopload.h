#pragma once

#include <QString>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace proclab {

/**
 * @brief The bounds and expectations of one load run.
 */
struct LoadOptions {
    std::uint16_t port = 0; ///< the first tier on 127.0.0.1
    int clients = 8; ///< concurrent client threads (a closed loop each)
    std::int64_t maxRequests = 1000; ///< requests in total, over all clients
    double durationMs = 1000; ///< no request starts after this
    std::int64_t responseBytes = 0; ///< the body size every response must have
    int requestTimeoutMs = 5000; ///< one request may take at most this long
    int backends = 1; ///< X-Backend values 0..backends-1 are counted
};

/**
 * @brief What a load run saw, as a consistent copy.
 */
struct LoadTotals {
    std::int64_t completed = 0; ///< responses received whole and correct
    std::int64_t errors = 0; ///< requests that failed (refused, reset, short, wrong bytes, timed out)
    std::int64_t bytesReceived = 0; ///< response bytes (heads and bodies) read by the clients
    QString firstError; ///< one line about the first failure
    std::vector<std::int64_t> perBackend; ///< completed responses by the X-Backend that wrote them
    std::vector<double> latenciesUs; ///< per completed request: connect to last byte
    std::int64_t startNs = 0; ///< monotonic time of the start
    std::int64_t endNs = 0; ///< when the last client finished (0 while running)
};

/**
 * @brief A closed-loop load generator: c client threads, each sending one request at a time
 * (connect, GET, read the whole response until the server closes, check it, next).
 *
 * Bounded in requests (a shared ticket counter) and in time (no request starts after the
 * duration; every socket call has a 100 ms timeout slice and a request at most
 * requestTimeoutMs). Every response is checked: status 200, Content-Length as expected, the
 * body byte for byte (clusterprotocol::bodyByte). stop() sets the flag and joins; the threads
 * notice within one slice.
 */
class ClosedLoopLoad {
public:
    explicit ClosedLoopLoad(LoadOptions options);
    ~ClosedLoopLoad();
    ClosedLoopLoad(const ClosedLoopLoad &) = delete;
    ClosedLoopLoad &operator=(const ClosedLoopLoad &) = delete;

    void start();
    /// @brief Whether every client thread has finished (bounds reached or stopped).
    bool done() const { return m_running.load() == 0; }
    /// @brief Asks the clients to stop and joins them. Idempotent.
    void stop();
    /// @brief Joins the threads once done() (no waiting otherwise; call stop() to end early).
    void join();

    LoadTotals totals() const;
    /// @brief Responses completed so far (cheap, for progress).
    std::int64_t completed() const { return m_completed.load(std::memory_order_relaxed); }

private:
    void client(int index);
    bool oneRequest(
        std::int64_t ticket, std::vector<char> &buffer, std::int64_t *bytes, int *backend, QString *error);
    void fail(const QString &error);

    LoadOptions m_options;
    std::string m_expected; ///< the body every response must carry
    std::vector<std::thread> m_threads;
    std::atomic<bool> m_stop {false};
    std::atomic<int> m_running {0};
    std::atomic<std::int64_t> m_tickets {0};
    std::atomic<std::int64_t> m_completed {0};
    std::int64_t m_deadlineNs = 0;

    mutable std::mutex m_mutex; // guards m_totals
    LoadTotals m_totals;
};

} // namespace proclab
