#pragma once

#include <QString>
#include <QStringList>

#include <chrono>
#include <cstdint>

#include <sys/types.h>

namespace proclab::mobility {

/// @brief The helper mode that hosts a mobility node in a process of its own.
inline constexpr char kMobilityNodeHelper[] = "mobility-node";

/**
 * @brief Entry point of the "mobility-node" helper mode: a MobilityNode on
 * 127.0.0.1 (an OS-chosen port) serving the shipped programs. Prints
 * "port N", serves until its standard input closes, prints the node's log
 * and "stopped", returns 0 (1 when it cannot listen).
 */
int mobilityNodeHelperMain(int argc, char **argv);

/**
 * @brief "The other machine" as a real second process: this program started
 * again in the mobility-node helper mode (posix_spawn, never fork of the
 * multithreaded app), stopped by closing its standard input.
 */
class MobilityNodeProcess {
public:
    MobilityNodeProcess() = default;
    ~MobilityNodeProcess();
    MobilityNodeProcess(const MobilityNodeProcess &) = delete;
    MobilityNodeProcess &operator=(const MobilityNodeProcess &) = delete;

    /// @brief Starts the process and waits (at most @p timeout) until it listens.
    bool start(std::chrono::milliseconds timeout, QString *error);
    std::uint16_t port() const { return m_port; }
    pid_t pid() const { return m_pid; }
    bool isRunning() const { return m_pid > 0; }

    /**
     * @brief Asks the node to stop, waits for it (killing it after @p timeout) and
     * returns the lines it printed: its log of every session.
     */
    QStringList stop(int *exitCode = nullptr, std::chrono::milliseconds timeout = std::chrono::seconds(10));

private:
    QString readLine(std::chrono::steady_clock::time_point deadline);

    pid_t m_pid = -1;
    int m_stdin = -1;
    int m_stdout = -1;
    std::uint16_t m_port = 0;
    QByteArray m_pending;
};

} // namespace proclab::mobility
