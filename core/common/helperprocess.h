#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <sys/types.h>

#include <vector>

namespace proclab {

/**
 * @brief A helper mode (helpermode.h) running as a child process, with a pipe to its standard
 * input, a pipe from its standard output, and its standard error kept for error messages.
 *
 * A plain class used from one thread (no thread of its own). The child is started with
 * posix_spawn in a process group of its own; every wait is bounded by a timeout, and the
 * destructor kills the group and reaps the child, so no process outlives the object.
 */
class HelperProcess {
public:
    /// What one read gave.
    enum class Read {
        Data, ///< a complete line (readLine) or all bytes asked for (readExactly)
        Timeout, ///< nothing complete within the time allowed
        Closed, ///< the helper closed its output (it ended or is ending)
        TooLong, ///< a line longer than the limit: the helper's output is malformed
        Failed, ///< poll() or read() failed: see the error
    };

    HelperProcess() = default;
    ~HelperProcess();
    HelperProcess(const HelperProcess &) = delete;
    HelperProcess &operator=(const HelperProcess &) = delete;

    /// The helper's descriptor of the first of start()'s @p extraFds (the next ones follow it).
    static constexpr int kFirstExtraFd = 3;

    /**
     * @brief Starts helper mode @p helper with @p args.
     * @param prefix a program and its arguments to run the helper through (for example
     *        `systemd-run --user --scope ... --`); empty to start the helper directly
     * @param extraFds descriptors of this process the helper gets too, as its descriptors
     *        kFirstExtraFd, kFirstExtraFd + 1, ... in order (the caller keeps and closes its own)
     * @return false with a one-line @p error
     */
    bool start(const QString &helper, const QStringList &args, QString *error, const QStringList &prefix = {},
        const std::vector<int> &extraFds = {});

    /// @brief The child's pid (-1 before start()).
    pid_t pid() const { return m_pid; }
    /// @brief Descriptors of the pipes, for callers that run a tight loop of their own (-1 when closed).
    int inputFd() const { return m_in; }
    int outputFd() const { return m_out; }

    /// @brief Writes all of @p data to the helper's input, waiting at most @p timeoutMs in all.
    bool write(const QByteArray &data, int timeoutMs, QString *error);
    /// @brief Closes the helper's input: its next read sees the end of the file.
    void closeInput();

    /**
     * @brief Waits up to @p timeoutMs for one line of output (returned without its newline).
     * @param maxLength a longer line is malformed output (Read::TooLong)
     */
    Read readLine(int timeoutMs, QByteArray *line, QString *error, int maxLength = 4096);
    /// @brief Waits up to @p timeoutMs for exactly @p bytes bytes of output.
    Read readExactly(int bytes, int timeoutMs, QByteArray *data, QString *error);

    /// @brief What the helper wrote to its standard error so far (at most 4 KiB), trimmed.
    QString errorOutput();

    /// @brief Waits up to @p timeoutMs for the child to end by itself and reaps it; true if it ended.
    bool waitExit(int timeoutMs);
    /// @brief Kills the child's process group (SIGKILL) and reaps the child. Safe to call twice.
    void kill();
    /// @brief Whether the child was reaped.
    bool reaped() const { return m_reaped; }
    /// @brief "exited with status 0", "ended by signal 9", "running".
    QString exitText() const;
    /// @brief The exit status when it exited by itself, else -1.
    int exitCode() const;

private:
    void drainErrors();
    bool tryReap();
    void closeAll();

    pid_t m_pid = -1;
    int m_in = -1;
    int m_out = -1;
    int m_err = -1;
    bool m_reaped = false;
    int m_status = 0;
    QByteArray m_buffer; ///< output read but not returned yet
    QByteArray m_errors;
};

} // namespace proclab
