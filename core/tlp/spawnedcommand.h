#pragma once

#include <QString>

#include <sys/types.h>

namespace proclab {

/**
 * @brief A command line run by /bin/sh, started with posix_spawn in its own process group,
 * its output sent to /dev/null. The destructor kills the group and reaps the child.
 *
 * A plain command ("make -j2") is run with `exec`, so that the pid measured is the
 * program's own rather than the shell's.
 */
class SpawnedCommand {
public:
    SpawnedCommand() = default;
    ~SpawnedCommand();
    SpawnedCommand(const SpawnedCommand &) = delete;
    SpawnedCommand &operator=(const SpawnedCommand &) = delete;

    /// @brief Starts @p command. @return false with a one-line @p error
    bool start(const QString &command, QString *error);
    pid_t pid() const { return m_pid; }

    /// True once the child ended (and was reaped); the status is then in exitText() and exitCode().
    bool ended();
    /// Peeks without reaping: true if the child has exited (a zombie) or is gone.
    bool exited() const;
    /// Kills the whole process group (make and its compilers go too) and reaps the child.
    void killAndReap();

    bool killed() const { return m_killed; }
    /// "exited with status 2", "ended by signal 9", "killed at the end of the measurement", ...
    QString exitText() const;
    /// The exit status when it exited by itself, else -1.
    int exitCode() const;

private:
    pid_t m_pid = -1;
    bool m_reaped = false;
    bool m_killed = false;
    int m_status = 0;
};

} // namespace proclab
