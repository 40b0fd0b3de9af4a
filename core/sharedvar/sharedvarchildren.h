#pragma once

#include "sharedvarplan.h"
#include "sharedvarreport.h"
#include "sharedvarsnapshot.h"

#include <QString>

#include <sys/types.h>

#include <cstdint>
#include <vector>

namespace proclab {

/**
 * @brief The parent's side of the sharedvar run: forks the children of a plan, reads their
 * reports from one pipe each, and reaps them.
 *
 * A plain class on the caller's thread (no thread of its own); the children are processes
 * that run SharedVarChild::run(). next() waits a bounded time, so the caller can check for
 * a stop between calls. Every child forked is reaped by reapAll() or, at the latest, by the
 * destructor (killing it first if it still runs).
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

    /**
     * @brief Starts one child per process of @p plan, each with its own pipe: forked, or with
     * plan.spawn a fresh run of this program in the helper mode kSpawnedChildHelper.
     * @param t0Ns the start time (monotonicNs()) the children's report times count from
     * @return false with a one-line @p error when a pipe or a fork failed (the children
     *         forked until then still run and are reaped as usual)
     */
    bool start(const SharedVarPlan &plan, std::int64_t t0Ns, QString *error);

    /// @brief Child pids by process index (-1 where the fork did not happen).
    const std::vector<pid_t> &pids() const { return m_pids; }
    /// @brief Per child: whether waitpid() collected it.
    const std::vector<bool> &reaped() const { return m_reaped; }
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
    pid_t spawnChild(const SharedVarPlan &plan, int p, int writeFd, std::int64_t t0Ns, QString *error);
    std::vector<pid_t> m_pids;
    std::vector<int> m_fds;
    std::vector<SharedVarReportBuffer> m_buffers;
    std::vector<bool> m_reaped;
    int m_open = 0;
};

} // namespace proclab
