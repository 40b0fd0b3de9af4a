#pragma once

#include "containerreport.h"

#include "common/helperprocess.h"

#include <QStringList>

#include <functional>

namespace proclab {

/**
 * @brief The engine's side of the container: starts the container helper (ContainerHelper),
 * sends it commands and collects its report.
 *
 * A plain class used from the engine thread. Every wait is bounded and checks a stop
 * callback between short polls. finish() (and the destructor) end the container so that no
 * process is left: the init is asked to quit, then killed through a pidfd if it does not,
 * which lets the helper reap it before the helper itself is reaped.
 */
class ContainerProcess {
public:
    /// How a wait ended.
    enum class Wait { Done, Stopped, Failed };

    ContainerProcess() = default;
    ~ContainerProcess();
    ContainerProcess(const ContainerProcess &) = delete;
    ContainerProcess &operator=(const ContainerProcess &) = delete;

    /**
     * @brief Starts the helper with host name @p hostname (through @p prefix, e.g. systemd-run).
     * @return false with a one-line @p error
     */
    bool start(const QString &hostname, const QStringList &prefix, QString *error);

    /**
     * @brief Reads report lines until @p done holds for the report.
     * @param timeoutMs the longest wait in all
     * @param tick called between reads (about every 20 ms); returning false stops the wait
     */
    Wait readUntil(const std::function<bool(const ContainerReport &)> &done, int timeoutMs,
        const std::function<bool()> &tick, QString *error);
    /// @brief Sends one or more command lines (each ending in a newline).
    bool send(const QByteArray &commands, QString *error);

    const ContainerReport &report() const { return m_report; }
    /// @brief The helper's pid (the container's parent, in the host's namespaces).
    int helperPid() const { return int(m_helper.pid()); }
    /// @brief Whether the helper and the container's init have both ended and been reaped.
    bool ended() const { return m_helper.reaped(); }
    /// @brief How the helper ended ("exited with status 0", ...).
    QString exitText() const { return m_helper.exitText(); }

    /// @brief Ends the container (asks first, then kills) and reaps the helper.
    void finish();

private:
    void watchInit();

    HelperProcess m_helper;
    ContainerReport m_report;
    int m_initPidFd = -1; ///< pidfd of the container's init, to kill it without a pid race
};

} // namespace proclab
