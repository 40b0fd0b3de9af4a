#pragma once

#include "servercounters.h"

#include <QString>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace proclab {

/**
 * @brief The five server organisations of the slides, each a real HTTP/1.1 server.
 */
enum class ServerDesign {
    Iterative, ///< one thread, blocking calls, one client at a time
    Thread, ///< a new thread per connection (capped)
    Pool, ///< a dispatcher thread hands parsed requests to a fixed pool of workers
    Fsm, ///< one thread, non-blocking calls, each connection a finite-state machine (Asio)
    Process, ///< a new process per connection, forked by a single-threaded helper process
};

/// @brief "iterative", "thread", "pool", "fsm" or "process" (the command-line names).
const char *serverDesignName(ServerDesign design);
/// @brief The design with that command-line name.
std::optional<ServerDesign> serverDesignFromName(std::string_view name);
/// @brief Every design, in the order above.
std::vector<ServerDesign> allServerDesigns();

/**
 * @brief What the request handler does for every request (all designs share it).
 */
struct HandlerConfig {
    std::int64_t cpuUs = 0; ///< CPU work per request, spun on the thread's CPU clock (0..1'000'000)
    std::int64_t diskMs = 0; ///< blocking "disk" wait per request (0..10'000); fsm waits on a timer
    std::int64_t responseBytes = 0; ///< body size; 0 = the short default text (0..16 MiB)
};

/**
 * @brief Limits that bound what one client can cost a server.
 */
struct ServerLimits {
    std::uint32_t maxHeaderBytes = 8 * 1024; ///< request line and fields; beyond: 431
    std::uint64_t maxBodyBytes = 64 * 1024; ///< request body; beyond: 413
    std::int64_t requestTimeoutMs = 10'000; ///< a request must be complete this long after it began
                                            ///< (or after accept); otherwise 408 (slow trickles)
    std::int64_t idleTimeoutMs = 5'000; ///< keep-alive: wait this long for the next request
    std::int64_t writeTimeoutMs = 10'000; ///< a client that takes no byte of its response for this
                                          ///< long is dropped (as nginx's send_timeout)
    int maxRequestsPerConnection = 10'000; ///< then the connection is closed (as nginx does)
    int maxConnections = 0; ///< connections served at once; 0 = the design's default;
                            ///< beyond it a connection gets 503 and is closed
};

/**
 * @brief One server to start: its design, port, handler work and limits.
 */
struct ServerConfig {
    ServerDesign design = ServerDesign::Fsm;
    std::uint16_t port = 0; ///< on 127.0.0.1; 0 = chosen by the OS
    HandlerConfig handler;
    ServerLimits limits;
    int poolWorkers = 8; ///< pool: number of worker threads (1..256)

    /// @brief The cap on connections served at once (the design's default if 0 was given).
    int effectiveMaxConnections() const;
    /// @brief false with a one-line @p error naming the field, value and allowed range.
    bool validate(QString *error) const;

    /// @brief The configuration as "key=value" words (the process design passes it to its helper).
    std::vector<std::string> toArgs() const;
    /// @brief Reads what toArgs() wrote; unknown or malformed words give an error.
    static std::optional<ServerConfig> fromArgs(const std::vector<std::string> &args, std::string *error);
};

/**
 * @brief A copy of a server's counters at one moment.
 */
struct ServerStats {
    std::int64_t connectionsAccepted = 0;
    std::int64_t connectionsOpen = 0;
    std::int64_t connectionsOpenMax = 0;
    std::int64_t requests = 0;
    std::int64_t responses2xx = 0;
    std::int64_t responses4xx = 0;
    std::int64_t responses5xx = 0;
    std::int64_t inFlight = 0;
    std::int64_t inFlightMax = 0; ///< most requests ever handled at the same time
    std::int64_t capRejections = 0; ///< connections turned away with 503 at the cap
    std::int64_t badRequests = 0; ///< malformed, oversized or unsupported requests (4xx)
    std::int64_t requestTimeouts = 0; ///< requests that did not arrive in time (408)
    std::int64_t idleCloses = 0; ///< keep-alive connections closed after the idle time
    std::int64_t writeTimeouts = 0; ///< responses the client did not take in time
    std::int64_t acceptErrors = 0; ///< accept() failures (out of descriptors)
    std::int64_t workersStarted = 0; ///< threads (thread) or processes (process) created
    std::array<std::int64_t, kConnectionPhaseCount> connectionsInPhase {}; ///< indexed by ConnectionPhase
};

/**
 * @brief What a server is doing now, for an animated picture.
 */
struct ServerActivity {
    std::array<std::int64_t, kConnectionPhaseCount> connectionsInPhase {}; ///< every design
    int queueLength = 0; ///< pool: parsed requests waiting for a worker
    int queueLengthMax = 0; ///< pool: longest queue so far
    std::vector<ConnectionPhase> workers; ///< pool: each worker's phase (Idle = waiting for work)
    std::vector<std::int64_t> workerRequests; ///< pool: requests each worker has served
};

/**
 * @brief A real HTTP/1.1 server (GET and HEAD, keep-alive) on 127.0.0.1.
 *
 * Every design answers every path with the same small static response after the
 * handler's CPU work and disk wait, parses requests with Boost.Beast under the
 * limits of ServerLimits, and answers malformed or oversized requests with a 4xx
 * status and a one-line reason. Made with makeHttpServer().
 *
 * Threading: start() and stop() from one owner thread (stop() may also come from
 * another thread while the server runs, e.g. an engine's stop); stats() and
 * activity() from any thread at any time.
 */
class HttpServer {
public:
    virtual ~HttpServer();
    HttpServer(const HttpServer &) = delete;
    HttpServer &operator=(const HttpServer &) = delete;

    /// @brief Listens and starts serving; false with a one-line @p error.
    bool start(QString *error);
    /// @brief Stops accepting, closes every connection, joins every thread and
    /// reaps every child process. Idempotent; returns when all of it is done.
    void stop();
    bool isRunning() const { return m_running.load(); }

    /// @brief The port it listens on (after start()).
    std::uint16_t port() const { return m_port.load(); }
    const ServerConfig &config() const { return m_config; }
    ServerDesign design() const { return m_config.design; }

    /// @brief The counters now.
    ServerStats stats() const;
    /// @brief Phases now, and the pool's queue and workers.
    virtual ServerActivity activity() const;

protected:
    explicit HttpServer(ServerConfig config);

    /// Starts serving on the listening socket @p listenFd (non-blocking, close-on-exec);
    /// takes ownership of it whatever happens.
    virtual bool startServing(int listenFd, QString *error) = 0;
    /// Ends everything startServing() started, joins and reaps; returns when done.
    virtual void stopServing() = 0;
    /// Where the counters live (the process design puts them in shared memory).
    virtual ServerCounters &counters() const = 0;

    ServerConfig m_config;

private:
    std::mutex m_lifecycle; // start() and stop() one at a time
    std::atomic<bool> m_running {false};
    std::atomic<std::uint16_t> m_port {0};
};

/// @brief A server of @p config's design (not started).
std::unique_ptr<HttpServer> makeHttpServer(const ServerConfig &config);

/**
 * @brief Opens a listening TCP socket on 127.0.0.1:@p port (0 = OS-chosen), non-blocking
 * and close-on-exec, with the system's largest backlog.
 * @return the descriptor, or -1 with a one-line @p error
 */
int openListenSocket(std::uint16_t port, std::uint16_t *boundPort, QString *error);

} // namespace proclab
