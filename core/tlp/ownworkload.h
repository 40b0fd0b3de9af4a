#pragma once

#include <QString>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace proclab {

class LatencyServer;

/// What the threads of the app's own TLP workload do.
enum class OwnWorkloadKind {
    Cpu, ///< always compute
    Mixed, ///< bursts of computing and sleeping, 1 to 20 ms each
    WebClient, ///< blocking fetches from a local server with 20 ms latency
    Idle, ///< exist but only wait
};

/// "cpu", "mixed", "webclient", "idle".
QString ownWorkloadId(OwnWorkloadKind kind);
/// The kind named @p id, or nullopt.
std::optional<OwnWorkloadKind> ownWorkloadFromId(const QString &id);

/**
 * @brief The app's own workload for the TLP engine: threads this object owns, doing what
 * their kind says until stop(), which wakes and joins them (the destructor too).
 *
 * The webclient kind also runs a LatencyServer on 127.0.0.1 that the threads fetch from.
 */
class OwnWorkload {
public:
    OwnWorkload(OwnWorkloadKind kind, int threads, std::uint64_t seed);
    ~OwnWorkload();
    OwnWorkload(const OwnWorkload &) = delete;
    OwnWorkload &operator=(const OwnWorkload &) = delete;

    /// @brief Starts the server (webclient) and the threads. @return false with a one-line @p error
    bool start(QString *error);
    /// @brief Asks every thread to end and wakes it, without waiting.
    void requestStop();
    /// @brief requestStop(), then joins the threads and stops the server. Safe to call twice.
    void stop();

private:
    void spin(std::chrono::steady_clock::duration d);
    // Waits up to @p d or until stop; true if stop was requested.
    bool idle(std::chrono::steady_clock::duration d);
    void body(int index);

    OwnWorkloadKind m_kind;
    int m_threads;
    std::uint64_t m_seed;
    std::unique_ptr<LatencyServer> m_server;
    std::vector<std::thread> m_workers;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stop = false;
    std::atomic<bool> m_stopFlag {false};
};

} // namespace proclab
