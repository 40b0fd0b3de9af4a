#pragma once

#include <QString>

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>

namespace proclab {

/**
 * @brief What a LatencyServer serves and how slowly.
 */
struct LatencyServerConfig {
    QString name = QStringLiteral("server"); ///< shown in /rpc answers and the Server header
    int resources = 16; ///< number of /r/<i> resources the index page references
    std::int64_t resourceBytes = 32 * 1024; ///< size of each resource body
    double latencyMs = 100; ///< delay before the first byte of every response
    double jitterMs = 0; ///< extra uniform random delay 0..jitterMs per response
    double bandwidthBytesPerSec = 0; ///< 0 = unlimited; otherwise one link shared by all responses
    std::uint64_t seed = 1; ///< seeds the jitter
    double idleTimeoutMs = 10000; ///< a connection that sends no full request by then is closed
};

/**
 * @brief A small HTTP/1.1 server (GET only, Connection: close) on 127.0.0.1 with
 * injected network latency and bandwidth, built on Boost.Asio.
 *
 * Paths: "/" (an HTML page whose <img src> tags reference every resource),
 * "/r/<i>" (resource i, resourceBytes of filler), "/rpc" (a one-line answer
 * naming the server: the RPC and replica engines call it).
 *
 * Threading: one io_context runs on one thread the server owns. Latency is a
 * steady_timer per response and bandwidth is enforced by reserving transmission
 * slots on a virtual link before each chunk is written, so no handler ever
 * blocks the io thread and slow responses overlap as they would on a network.
 * stop() and kill() post to that thread and join it.
 */
class LatencyServer {
public:
    explicit LatencyServer(LatencyServerConfig config);
    ~LatencyServer();
    LatencyServer(const LatencyServer &) = delete;
    LatencyServer &operator=(const LatencyServer &) = delete;

    /// @brief Binds 127.0.0.1 on @p port (0 = OS-chosen) and starts the io thread.
    bool start(QString *error, std::uint16_t port = 0);
    /// @brief The port it listens on (valid after start()).
    std::uint16_t port() const { return m_port; }
    /// @brief Closes the listener and every connection, then joins the io thread.
    void stop();
    /// @brief A crash as clients see it: every open connection is reset (RST) and
    /// the listener closed, so new connections are refused. Joins the io thread.
    void kill();
    bool isRunning() const { return m_running.load(); }

    /// Responses fully written so far.
    std::int64_t responsesSent() const { return m_responses.load(); }
    /// Requests parsed so far (including ones still waiting for their latency).
    std::int64_t requestsReceived() const { return m_requests.load(); }

    const LatencyServerConfig &config() const { return m_config; }

    /// The index page body (also what clients parse).
    static std::string indexPage(int resources);

    struct Impl; // Asio state, only touched on the io thread (public for the session code)

private:
    void shutdown(bool abrupt);

    LatencyServerConfig m_config;
    std::unique_ptr<Impl> m_impl;
    std::thread m_thread;
    std::uint16_t m_port = 0;
    std::atomic<bool> m_running {false};
    std::atomic<std::int64_t> m_responses {0};
    std::atomic<std::int64_t> m_requests {0};
};

} // namespace proclab
