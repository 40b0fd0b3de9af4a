#pragma once

#include <QByteArray>
#include <QMap>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace proclab {

/// @brief A system call the container helper made that the OS refused.
struct ContainerError {
    QString stage; ///< "unshare", "uid_map", "sethostname", "mount_proc", "overlay_mount", ...
    int errnoValue = 0;
    QString text; ///< the OS's words for it ("Operation not permitted")
};

/// @brief A process as the container's own /proc lists it.
struct ContainerProcessEntry {
    int pid = 0;
    QString name; ///< its comm
};

/// @brief One file operation the container made on its merged view.
struct ContainerAction {
    QString name; ///< "create", "append", "delete"
    QString path; ///< relative to the image root
    bool ok = false;
    QString error; ///< the OS's words when it failed
};

/// @brief One entry of the merged view as the container sees it.
struct ContainerMergedEntry {
    char kind = 'f'; ///< 'f' file, 'd' folder, 'l' link, 'o' other
    std::int64_t sizeBytes = 0;
    QString path; ///< relative to the merged root
};

/// @brief One CPU-time sample of the container's process.
struct ContainerCpuSample {
    std::int64_t monotonicNs = 0; ///< CLOCK_MONOTONIC (the container shares the host's clock)
    std::int64_t cpuNs = 0; ///< CLOCK_PROCESS_CPUTIME_ID of the container's process
};

/**
 * @brief Everything the container helper reported, line by line (see ContainerReportParser).
 */
struct ContainerReport {
    bool hello = false;
    QStringList unshared; ///< the namespaces made ("user", "pid", "uts", "mnt")
    std::vector<ContainerError> errors;
    int childHostPid = 0; ///< fork()'s return value in the helper: the host's pid of the child

    // The container's own view.
    int pid = -1;
    int ppid = -1;
    qint64 uid = -1;
    QString hostname;
    bool procMounted = false;
    std::vector<ContainerProcessEntry> processes; ///< the first ones listed (at most kMaxProcesses)
    int processCount = -1; ///< how many processes its /proc lists in all
    QMap<QString, QString> namespaces; ///< "pid" -> "pid:[4026532290]", from its /proc/self/ns
    bool namespacesDone = false;

    // The overlay.
    int overlayMounted = -1; ///< -1 not tried, 0 refused, 1 mounted
    QString overlayOptions; ///< the options of the mount that worked (or of the last refused)
    std::vector<ContainerAction> actions;
    std::vector<ContainerMergedEntry> merged;
    bool overlayDone = false;

    // The CPU burn.
    std::vector<ContainerCpuSample> cpu;
    bool burnDone = false;

    /// @brief The first error of @p stage, or nullptr.
    const ContainerError *errorAt(const QString &stage) const;
};

/**
 * @brief Reads the container helper's output: one line per fact, "<key> <fields>".
 *
 * Everything is size-checked: a line too long, an unknown key, a number out of range or too
 * many entries is refused with a one-line message naming the line, and nothing of it is kept.
 * The grammar (written by ContainerHelper):
 *
 *     hello
 *     unshared user,pid,uts,mnt
 *     error <stage> <errno> <text>
 *     child <host pid>
 *     pid <n> | ppid <n> | uid <n> | hostname <name> | proc_mounted 0|1
 *     proc <pid> <comm> | proc_count <n> | ns <name> <link>
 *     ns_done
 *     overlay_mounted 0|1 <options>
 *     action <name> ok <path> | action <name> <errno> <path> : <text>
 *     merged <kind> <size> <path>
 *     overlay_done
 *     cpu <monotonic ns> <cpu ns>
 *     burn_done
 */
class ContainerReportParser {
public:
    static constexpr int kMaxLineBytes = 1024;
    static constexpr int kMaxProcesses = 256;
    static constexpr int kMaxMerged = 512;
    static constexpr int kMaxErrors = 32;
    static constexpr int kMaxCpuSamples = 20000;

    /**
     * @brief Adds one line (without its newline) to @p report.
     * @return false with a one-line @p error when the line is malformed
     */
    static bool addLine(const QByteArray &line, ContainerReport *report, QString *error);

    /// @brief @p line made printable and cut to 80 characters, for error messages.
    static QString quoted(const QByteArray &line);
};

} // namespace proclab
