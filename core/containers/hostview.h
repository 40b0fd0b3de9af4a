#pragma once

#include <QMap>
#include <QString>

#include <vector>

namespace proclab {

/// @brief A process as the host sees it: its pid here and its pids in each nested namespace.
struct HostProcess {
    int hostPid = 0;
    std::vector<int> nsPids; ///< the NSpid line: host pid first, innermost namespace last
    QString name; ///< comm
    qint64 uid = -1; ///< real uid as the host sees it
    int ppid = -1; ///< parent as the host sees it
};

/**
 * @brief What the host sees of a process: read from /proc of the host (the engine's own
 * namespaces), never from what the process says about itself.
 */
class HostView {
public:
    /// @brief Reads /proc/<pid>/status. @return false with a one-line @p error
    static bool process(int pid, HostProcess *out, QString *error);
    /// @brief Parses the text of a /proc/<pid>/status file (tests feed their own).
    static bool parseStatus(const QString &status, HostProcess *out);
    /// @brief The targets of /proc/<pid>/ns/{pid,uts,mnt,user} ("pid:[4026531836]"); pid 0 = self.
    static QMap<QString, QString> namespaces(int pid);
    /// @brief Processes whose parent is @p pid (scans /proc; at most 64).
    static std::vector<int> childrenOf(int pid);
    /// @brief How many processes the host's /proc lists.
    static int processCount();
    /// @brief This machine's host name, as the engine sees it.
    static QString hostName();
};

} // namespace proclab
