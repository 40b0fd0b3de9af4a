#pragma once

#include "backendserver.h"

#include <QString>

#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

#include <sys/types.h>

namespace proclab {

/**
 * @brief The cluster's back ends: N helper processes, each with a control socket to the owner.
 *
 * Each back end is this program started again in the helper mode "cluster-backend"
 * (posix_spawn of /proc/self/exe, never a fork of the multithreaded app), with its end of a
 * SOCK_SEQPACKET socket pair as descriptor 3 and every other descriptor closed. start()
 * waits until each one has reported the TCP port it listens on. stop() closes the control
 * sockets (a back end ends when its control socket closes), waits a bounded time for the
 * processes to end and kills and reaps any that did not, so no child outlives the pool.
 */
class BackendPool {
public:
    BackendPool() = default;
    ~BackendPool();
    BackendPool(const BackendPool &) = delete;
    BackendPool &operator=(const BackendPool &) = delete;

    /**
     * @brief Starts @p count back ends serving with @p options (its id is set per back end).
     * @param cancelled polled while waiting for the back ends to be ready; true gives up
     * @return false with a one-line @p error; every started process is then stopped again
     */
    bool start(int count, const BackendOptions &options, std::chrono::milliseconds readyTimeout,
        const std::function<bool()> &cancelled, QString *error);

    int size() const { return int(m_procs.size()); }
    /// @brief The owner's end of back end @p i's control socket (handoffs are sent on it).
    int controlFd(int i) const { return m_procs[std::size_t(i)].controlFd; }
    /// @brief The 127.0.0.1 port back end @p i listens on for relayed connections.
    std::uint16_t port(int i) const { return m_procs[std::size_t(i)].port; }
    pid_t pid(int i) const { return m_procs[std::size_t(i)].pid; }

    /**
     * @brief Reaps back ends that ended on their own.
     * @return one line naming the first that ended and how ("back end 2 (pid 41) was killed by
     *         signal 9"), or an empty string while all run
     */
    QString checkEnded();

    /// @brief Closes the control sockets, waits at most @p grace for the back ends to end, then
    /// kills and reaps the rest. Idempotent.
    void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

    /// @brief How a wait status reads in a message ("exited with status 1", "was killed by signal 9").
    static QString describeStatus(int status);

private:
    struct Proc {
        pid_t pid = -1;
        int pidFd = -1; ///< pidfd_open() of the child, to wait with a timeout; -1 if unsupported
        int controlFd = -1; ///< the owner's end
        std::uint16_t port = 0;
        bool reaped = false;
        int status = 0;
    };
    bool spawn(int id, const BackendOptions &options, QString *error);
    bool waitReady(std::chrono::milliseconds timeout, const std::function<bool()> &cancelled, QString *error);
    bool reap(Proc &p, bool block);

    std::vector<Proc> m_procs;
};

} // namespace proclab
