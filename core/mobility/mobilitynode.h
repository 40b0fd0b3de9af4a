#pragma once

#include "coderepository.h"
#include "machinelimits.h"

#include <QString>
#include <QStringList>

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace proclab::mobility {

/// How a mobility node listens and what it allows.
struct MobilityNodeOptions {
    std::string bindAddress = "127.0.0.1";
    std::uint16_t port = 0; ///< 0: the OS chooses
    bool listen = true; ///< false: no listener; connections come only through adopt() (a shared port)
    int maxSessions = 8; ///< connections served at once; more are refused with a message
    std::chrono::milliseconds messageTimeout {10000}; ///< a request must arrive complete within this
    std::chrono::milliseconds maxRunTime {600000}; ///< interpreter time a computation may use here
    std::uint64_t sliceSteps = 1u << 20; ///< instructions per turn when computations share the node
    MachineLimits limits; ///< what this node accepts and lets run
    CodeRepository repository; ///< programs served to Fetch requests
};

/**
 * @brief The receiving end of code mobility: a service that accepts code and
 * data to run from the beginning (weak, push), serves programs from its code
 * repository (weak, pull), and accepts code, data and execution state to go on
 * from where they stopped (strong: migration or a clone), returning the result.
 *
 * Network I/O runs on one thread the node owns (Asio, asynchronous, every
 * session under a deadline); computations run on a second thread, in slices,
 * taking turns. Protocol: see mobilityprotocol.h. Bad input of any kind ends
 * that session with an Error message and a log line; the node goes on.
 * stop() closes every session and joins both threads.
 */
class MobilityNode {
public:
    explicit MobilityNode(MobilityNodeOptions options);
    ~MobilityNode();
    MobilityNode(const MobilityNode &) = delete;
    MobilityNode &operator=(const MobilityNode &) = delete;

    /// @brief Binds, listens and starts the threads; false with a one-line @p error.
    bool start(QString *error);
    /// @brief Closes every session, stops the computations here and joins the threads.
    void stop();
    /// @brief The port listened on (after start()).
    std::uint16_t port() const;

    /**
     * @brief Serves a connection another listener accepted (a host that shares
     * one port between services and told them apart by the first bytes, see
     * isMobilityPrefix()). Takes ownership of @p nativeSocket; false when the
     * node is not running (the socket is closed then).
     */
    bool adopt(int nativeSocket);
    /// @brief Whether @p firstBytes (at least 4) start a mobility session.
    static bool isMobilityPrefix(std::span<const std::uint8_t> firstBytes);

    /// @brief Lines describing what happened since the last call (thread-safe).
    QStringList takeLog();

    /// @brief Counts since start() (thread-safe).
    struct Counters {
        int sessions = 0; ///< connections served
        int refusedBusy = 0; ///< connections refused at the session cap
        int refused = 0; ///< sessions ended with an Error (bad input, order, timeout)
        int results = 0; ///< computations that ended here and were reported
        int fetches = 0; ///< programs handed out
    };
    Counters counters() const;
    /// @brief Sessions open now.
    int activeSessions() const;

    struct Impl;

private:
    std::shared_ptr<Impl> m_impl;
};

} // namespace proclab::mobility
