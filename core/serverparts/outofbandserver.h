#pragma once

#include "connectionserver.h"
#include "stopwait.h"
#include "tcpsocket.h"

#include <QString>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace proclab {

class Timeline;

/// @brief What an urgent message asks of a running request.
enum class UrgentCommand : char {
    Hold = 'H', ///< put the request on hold at the next unit boundary
    Resume = 'R', ///< let a held request go on
    Cancel = 'C', ///< end the request at the next unit boundary
};

/// @brief How the urgent message travels.
enum class UrgentMethod {
    TcpUrgentData, ///< one byte of TCP urgent data (MSG_OOB) on the request's own connection
    UrgentPort, ///< a line on a separate urgent port, served by a higher-priority thread
};

/// @brief "hold", "resume", "cancel".
QString urgentCommandName(UrgentCommand command);
/// @brief "TCP urgent data", "urgent port".
QString urgentMethodName(UrgentMethod method);

/// @brief Limits of an OutOfBandServer.
struct OutOfBandServerConfig {
    int maxConnections = 8; ///< requests served at once
    std::int64_t maxUnits = 1000000; ///< work units per request
    int maxUnitUs = 100000; ///< length of one unit
    int maxRequestMs = 60000; ///< units * unitUs may not exceed this
    int holdTimeoutMs = 10000; ///< a request on hold this long without resume is cancelled
    int ioTimeoutMs = 5000; ///< per read or write
    int maxUrgentConnections = 8; ///< urgent-port clients at once
    int workerNice = 5; ///< niceness added to worker threads when real-time priority is refused
};

/// @brief Counters of an OutOfBandServer.
struct OutOfBandServerStats {
    std::int64_t requests = 0;
    std::int64_t completed = 0;
    std::int64_t cancelled = 0;
    std::int64_t holds = 0;
    std::int64_t urgentBytes = 0; ///< TCP urgent bytes received
    std::int64_t urgentMessages = 0; ///< commands received on the urgent port
    std::int64_t malformed = 0; ///< bad request lines, bad urgent bytes or lines
};

/**
 * @brief A server whose long requests can be interrupted in the two ways the
 * slides name, both for real.
 *
 * Main port, one request per connection: "WORK <units> <unitUs> [<progressEvery>]"
 * -> "ACCEPTED <id>", then status lines "PROGRESS <unit>", "HELD <unit> noticed=<ns>
 * effect=<ns>", "RESUMED ...", and last "DONE <units>" or "CANCELLED <unit>
 * noticed=<ns> effect=<ns> <reason>"; then the server closes. Times are
 * CLOCK_MONOTONIC nanoseconds (Timeline::nowNs()). A request is a loop of busy
 * CPU units of unitUs each; after each unit the worker looks at what the urgent
 * thread noted, so a command takes effect at the next unit boundary (a resume at
 * once).
 *
 * Urgent path 1, TCP urgent data: the client sends 'H', 'R' or 'C' with MSG_OOB on
 * the request's connection. The urgent thread polls every running request's
 * socket for POLLPRI, reads the byte with recv(MSG_OOB) and notes sockatmark().
 *
 * Urgent path 2, the urgent port: "HOLD <id>", "RESUME <id>" or "CANCEL <id>" ->
 * "OK <id> <command>" or "ERROR <reason>". The same urgent thread serves it.
 *
 * The urgent thread asks for SCHED_FIFO; where that is refused (no CAP_SYS_NICE)
 * the workers lower their own priority instead (nice +workerNice), so the urgent
 * thread is still the one the scheduler favours. priorityNote() says which.
 */
class OutOfBandServer {
public:
    explicit OutOfBandServer(OutOfBandServerConfig config = {}, Timeline *timeline = nullptr);
    ~OutOfBandServer();
    OutOfBandServer(const OutOfBandServer &) = delete;
    OutOfBandServer &operator=(const OutOfBandServer &) = delete;

    /// @brief Listens on two OS-chosen ports (main and urgent) and starts the threads.
    bool start(QString *error);
    /// @brief Cancels running requests, closes everything, joins every thread.
    void stop();
    std::uint16_t port() const;
    std::uint16_t urgentPort() const { return m_urgentPort; }
    /// @brief What priority the urgent thread got, in one sentence.
    QString priorityNote() const;
    OutOfBandServerStats stats() const;

private:
    struct Request;

    void serve(TcpSocket &socket, std::uint64_t id, const StopEvent &stop);
    void runRequest(
        TcpSocket &socket, std::int64_t units, int unitUs, std::int64_t progressEvery, const StopEvent &stop);
    void urgentLoop();
    void notice(const std::shared_ptr<Request> &request, UrgentCommand command, UrgentMethod method,
        const QString &detail);
    void wakeUrgentThread();
    void count(std::int64_t OutOfBandServerStats::*field);

    OutOfBandServerConfig m_config;
    Timeline *m_timeline;
    std::unique_ptr<ConnectionServer> m_server;
    TcpSocket m_urgentListener;
    std::uint16_t m_urgentPort = 0;
    std::unique_ptr<StopEvent> m_stop; // the urgent thread's
    int m_wakeFd = -1; // eventfd: the set of running requests changed
    std::thread m_urgentThread;
    bool m_realtimeUrgent = false; // set in start() before any worker exists
    QString m_priorityNote;

    mutable std::mutex m_mutex; // guards m_requests, m_nextId, m_stats and every Request's state
    std::condition_variable m_changed;
    std::map<std::uint64_t, std::shared_ptr<Request>> m_requests;
    std::uint64_t m_nextId = 1;
    bool m_stopping = false;
    OutOfBandServerStats m_stats;
};

} // namespace proclab
