#pragma once

#include <QString>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace proclab {

/**
 * @brief What load to put on a server.
 *
 * Closed loop (rateRps = 0): `clients` clients each send a request, wait for the
 * answer, and send the next at once. Open loop (rateRps > 0): requests are due at
 * a fixed rate whatever the answers do, and up to `clients` connections carry
 * them; a request's latency counts from when it was due, so time spent waiting
 * for a free connection is not hidden. Either way the run ends after `requests`
 * requests (if not 0) or `seconds`, whichever comes first.
 */
struct LoadConfig {
    std::uint16_t port = 0; ///< the server, on 127.0.0.1
    std::string path = "/"; ///< request target
    int clients = 10; ///< closed loop: concurrent clients; open loop: most connections at once (1..20000)
    bool keepAlive = true; ///< false: a new connection per request (closed by the server)
    double rateRps = 0; ///< 0 = closed loop; else requests per second (open loop)
    std::int64_t requests = 0; ///< requests to send in all; 0 = no count bound (then `seconds` bounds it)
    double seconds = 10; ///< time bound of the run (0.01..3600)
    int threads = 0; ///< generator threads; 0 = two, or one on a single core
    std::int64_t requestTimeoutMs = 10'000; ///< a request with no full answer by then is an error
    std::size_t maxSamples = 1'000'000; ///< raw latencies kept for charts and checks (the first ones)

    /// @brief false with a one-line @p error naming the field, value and range.
    bool validate(QString *error) const;
};

/**
 * @brief What a load run measured. Times in milliseconds unless named otherwise.
 */
struct LoadResult {
    QString error; ///< set if the run could not start (nothing else is valid then)
    bool stopped = false; ///< stop() ended it early
    int threads = 0;
    int clients = 0;

    std::int64_t ok = 0; ///< complete 2xx responses (what throughput and latency count)
    std::int64_t errors = 0; ///< the sum of the error kinds below
    std::int64_t connectErrors = 0; ///< connect() failed (refused, out of ports or descriptors)
    std::int64_t ioErrors = 0; ///< connection reset or closed before a full response
    std::int64_t timeouts = 0; ///< no full response within requestTimeoutMs
    std::int64_t badResponses = 0; ///< a response the generator could not parse
    std::int64_t status4xx = 0;
    std::int64_t status5xx = 0; ///< e.g. 503 from a server at its cap
    std::int64_t retries = 0; ///< a kept-alive connection closed by the server before answering: sent again
    std::int64_t connectionsOpened = 0;
    std::int64_t unfinished = 0; ///< requests in flight when the time ran out or stop() came
    QString firstError; ///< the first error, in one line ("connect: Connection refused")

    double elapsedS = 0;
    double throughputRps = 0; ///< ok / elapsedS

    double latencyMeanMs = 0;
    double latencyP50Ms = 0;
    double latencyP95Ms = 0;
    double latencyP99Ms = 0;
    double latencyMaxMs = 0;

    /// CPU time the generator's threads used (user + system, getrusage per thread).
    double generatorCpuS = 0;
    /// generatorCpuS / elapsedS * 100: 100% is one whole core.
    double generatorCpuPercent = 0;
    /// The busiest generator thread's share of one core. Near 100% the generator, not
    /// the server, limits the throughput.
    double busiestThreadCpuPercent = 0;
    bool generatorSaturated = false; ///< busiestThreadCpuPercent >= 90

    std::vector<std::int64_t> samplesNs; ///< raw latencies of ok responses (the first maxSamples)
    bool samplesTruncated = false;
};

/**
 * @brief A built-in HTTP load generator on Boost.Asio: a couple of threads, each
 * with its own io_context and its share of the connections, so 1000 concurrent
 * connections cost two threads.
 *
 * Responses are parsed just enough (status, Content-Length, Connection) to keep
 * the generator cheap; its own CPU use is reported so that a student sees when
 * it, rather than the server, is the bottleneck.
 *
 * Threading: run() blocks the calling thread until the run ends; stop() from any
 * other thread ends it promptly. A stopped generator stays stopped (make a new one).
 */
class LoadGenerator {
public:
    LoadGenerator();
    ~LoadGenerator();
    LoadGenerator(const LoadGenerator &) = delete;
    LoadGenerator &operator=(const LoadGenerator &) = delete;

    /// @brief Runs the load; checks the descriptor limit first (raising it if it can).
    LoadResult run(const LoadConfig &config);
    /// @brief Ends a run under way (and any later one) soon; thread-safe.
    void stop();
    /// @brief Responses so far in the current run (any thread, for progress).
    std::int64_t completedSoFar() const { return m_completed.load(std::memory_order_relaxed); }

    struct Worker; // one per thread (public for the implementation's helpers)

private:
    std::mutex m_mutex;
    std::vector<Worker *> m_workers; // of the run under way
    bool m_stopRequested = false;
    std::atomic<bool> m_stopFlag {false};
    std::atomic<std::int64_t> m_completed {0};
};

} // namespace proclab
