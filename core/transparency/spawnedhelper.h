#pragma once

#include <QString>
#include <QStringList>

#include <chrono>

#include <sys/types.h>

namespace proclab {

/**
 * @brief A helper mode of this program (common/helpermode.h) running as a child process.
 *
 * Started with posix_spawn from the multithreaded app (no fork and continue). The child
 * asks the kernel to kill it when this process dies (PR_SET_PDEATHSIG), so it never
 * outlives the app. The destructor kills and reaps a child still running.
 */
class SpawnedHelper {
public:
    SpawnedHelper() = default;
    ~SpawnedHelper();
    SpawnedHelper(const SpawnedHelper &) = delete;
    SpawnedHelper &operator=(const SpawnedHelper &) = delete;

    /// @brief Starts helper @p name with @p args. False with a one-line @p error.
    bool start(const QString &name, const QStringList &args, QString *error);
    pid_t pid() const { return m_pid; }
    /// @brief Waits for the child to exit by itself, at most @p timeout; true when it did.
    bool waitExit(std::chrono::milliseconds timeout);
    /// @brief Kills the child (SIGKILL) and reaps it. Idempotent.
    void kill();
    /// @brief The exit status once reaped, -1 before or when killed.
    int exitStatus() const { return m_status; }

private:
    pid_t m_pid = -1;
    bool m_reaped = true;
    int m_status = -1;
};

} // namespace proclab
