#pragma once

#include <cstdint>
#include <string>

namespace proclab {

/**
 * @brief What one second-tier server of the cluster serves and how.
 */
struct BackendOptions {
    int id = 0; ///< the number in the X-Backend header
    std::int64_t responseBytes = 256 * 1024; ///< body size of every response
    /// Time a request holds the back end before its response is written: a stand-in for the
    /// third tier (file or database) the back end waits for. One request at a time holds it.
    int serviceUs = 500;
    int idleTimeoutMs = 5000; ///< a connection idle this long is closed
};

/**
 * @brief A back-end (second-tier) server: single-threaded, event-driven, no threads of its own.
 *
 * It listens on 127.0.0.1 (OS-chosen port) for connections relayed by the first tier, and
 * receives handed-off client connections on its control socket: a SOCK_SEQPACKET message
 * holding the request bytes the first tier already read, with the client's socket attached
 * (SCM_RIGHTS). Either way it answers on the connection it holds, so after a handoff the
 * response goes to the client without passing the first tier.
 *
 * Requests are served one at a time for BackendOptions::serviceUs each (a back end's
 * capacity), while reading and writing of other connections go on. It runs until the control
 * socket closes: that is how the first tier's owner stops it. Normally it runs as the whole
 * of a helper process (clusterBackendMain); tests also run it on a thread.
 */
class BackendServer {
public:
    /// Counters of one run.
    struct Counters {
        std::int64_t served = 0; ///< responses written completely
        std::int64_t handoffs = 0; ///< connections received over the control socket
        std::int64_t relayed = 0; ///< connections accepted from the first tier
        std::int64_t badRequests = 0; ///< requests refused with 400
        std::int64_t badControl = 0; ///< control messages that were not a handoff
        std::int64_t timeouts = 0; ///< connections closed for being idle
        std::int64_t bytesWritten = 0; ///< response bytes written (heads and bodies)
    };

    /// @param controlFd the back end's end of the control socket; the server closes it
    BackendServer(BackendOptions options, int controlFd);
    ~BackendServer();
    BackendServer(const BackendServer &) = delete;
    BackendServer &operator=(const BackendServer &) = delete;

    /**
     * @brief Listens, sends "READY <port>" on the control socket and serves until it closes.
     * @return false with a one-line @p error when it could not start or the control socket failed
     */
    bool run(std::string *error);

    const Counters &counters() const { return m_counters; }

private:
    struct Impl;
    BackendOptions m_options;
    int m_controlFd;
    Counters m_counters;
};

/// @brief Name of the helper mode that runs a back end (see clusterBackendMain).
inline constexpr char kClusterBackendHelper[] = "cluster-backend";

/**
 * @brief Entry point of the back-end helper process: `cluster-backend ID RESPONSE_BYTES SERVICE_US`,
 * control socket on descriptor 3. Exit status 0 when stopped by its owner, 2 on bad arguments.
 */
int clusterBackendMain(int argc, char **argv);

} // namespace proclab
