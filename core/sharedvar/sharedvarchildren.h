#pragma once

#include "sharedvarforkserver.h"
#include "sharedvarplan.h"
#include "sharedvarreport.h"
#include "sharedvarsnapshot.h"

#include "common/helperprocess.h"

#include <QString>

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace proclab {

/**
 * @brief The app's side of the sharedvar run: starts the children of a plan, reads their
 * reports from one pipe each, and sees that every child is reaped.
 *
 * A plain class on the caller's thread (no thread of its own); the children are processes
 * that run SharedVarChild::run(). Forked children are forked by the fork server
 * (SharedVarForkServer), a small process started for the run, never by the app: the server is
 * their parent and reaps them, and says so on its output. Spawned children are started from
 * here with posix_spawn (which does not copy the app) and reaped from here. next() waits a
 * bounded time, so the caller can check for a stop between calls. Every child is reaped by
 * reapAll() or, at the latest, by the destructor (killing it first if it still runs).
 */
class SharedVarChildren {
public:
    enum class Next {
        Event, ///< one report arrived: the event is filled in
        Nothing, ///< no complete report within the timeout (pipes may have closed)
        Failed, ///< poll() failed: the error is set
    };

    SharedVarChildren() = default;
    ~SharedVarChildren();
    SharedVarChildren(const SharedVarChildren &) = delete;
    SharedVarChildren &operator=(const SharedVarChildren &) = delete;

    /// The helper mode a spawned child runs (SharedVarChild::spawnedMain()).
    static constexpr char kSpawnedChildHelper[] = "sharedvar-child";
    /// The descriptor a spawned child writes its reports to.
    static constexpr int kSpawnedReportFd = 200;
    /// How long the fork server may take to start and fork every child.
    static constexpr int kForkServerStartMs = 10000;

    /**
     * @brief Starts one child per process of @p plan, each with its own pipe: forked by the
     * fork server, or with plan.spawn a fresh run of this program in the helper mode
     * kSpawnedChildHelper.
     * @param t0Ns the start time (monotonicNs()) the children's report times count from
     * @return false with a one-line @p error when a pipe or a fork failed, or the fork server
     *         failed (the children started until then still run and are reaped as usual)
     */
    bool start(const SharedVarPlan &plan, std::int64_t t0Ns, QString *error);

    /// @brief Child pids by process index (-1 where the fork did not happen).
    const std::vector<pid_t> &pids() const { return m_pids; }
    /// @brief Per child: whether waitpid() collected it (the fork server's, for forked children).
    const std::vector<bool> &reaped() const { return m_reaped; }
    /// @brief Forked children: shared_x of their parent, the fork server, after all ended (when it said).
    std::optional<qint64> forkParentValue() const { return m_forkParentValue; }
    /// @brief Pipes still open: children that may still report.
    int openPipes() const { return m_open; }

    /**
     * @brief Waits up to @p timeoutMs for reports and returns at most one event, so that a
     * paused run that steps sees one event per step. A pipe that reached its end is closed.
     */
    Next next(int timeoutMs, SharedVarEvent *event, QString *error);

    /// @brief Closes the pipes and reaps every child, killing first those still running when
    /// @p kill (a stop or a failure).
    void reapAll(bool kill);

private:
    bool startForkServer(const SharedVarPlan &plan, std::int64_t t0Ns, QString *error);
    void applyForkServerLine(const SharedVarForkServer::Line &line);
    /// Reads the fork server's lines until it ends or @p timeoutMs pass; false on a timeout.
    bool readForkServer(int timeoutMs);
    void reapForkServer(bool kill);
    pid_t spawnChild(const SharedVarPlan &plan, int p, int writeFd, std::int64_t t0Ns, QString *error);
    std::vector<pid_t> m_pids;
    std::vector<int> m_fds;
    std::vector<SharedVarReportBuffer> m_buffers;
    std::vector<bool> m_reaped;
    int m_open = 0;
    bool m_forked = false; ///< the children are the fork server's, not this process's
    std::unique_ptr<HelperProcess> m_forkServer; ///< the forked children's parent (fork mode)
    std::optional<qint64> m_forkParentValue;
};

} // namespace proclab
