#pragma once

#include "vm.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace proclab::migration {

/// One answered client request: when it was sent and how long the answer took.
struct ClientSample {
    double sentMs = 0; ///< since the run's origin
    double responseMs = 0; ///< until the answer arrived (includes reconnecting after a move)
    bool moved = false; ///< the request was re-sent to the VM's new address
};

/**
 * @brief The VM's client: sends a request every interval over TCP and records
 * every response time. When the connection ends (the VM left the source), it
 * reconnects to the VM's current address and re-sends: that gap is the
 * downtime the client sees.
 */
class VmClient {
public:
    VmClient(std::chrono::steady_clock::time_point origin, double intervalMs);
    ~VmClient();
    void start(const std::string &host, std::uint16_t port);
    /// Where the VM is now (the "gratuitous ARP" after a switchover).
    void setTarget(const std::string &host, std::uint16_t port);
    void stop();
    std::vector<ClientSample> samples() const;
    std::size_t sampleCount() const;

private:
    void threadMain();

    std::chrono::steady_clock::time_point m_origin;
    double m_intervalMs;
    std::thread m_thread;
    mutable std::mutex m_mutex; // guards everything below
    std::condition_variable m_cv;
    bool m_stop = false;
    std::string m_host;
    std::uint16_t m_port = 0;
    std::uint64_t m_targetGeneration = 0;
    std::vector<ClientSample> m_samples;
};

} // namespace proclab::migration
