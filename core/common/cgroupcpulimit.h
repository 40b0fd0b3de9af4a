#pragma once

#include <QString>
#include <QStringList>

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace proclab {

/// @brief How a CPU limit is put on a group of processes.
enum class CpuLimitMethod {
    Auto, ///< try cgroup v2, then cgroup v1, then systemd-run, in that order
    CgroupV2, ///< a child group in our own cgroup v2 group (a delegated subtree), cpu.max
    CgroupV1, ///< a child group in the cgroup v1 cpu hierarchy, cpu.cfs_quota_us
    SystemdRun, ///< `systemd-run --scope -p CPUQuota=`: the helper starts inside a new scope
    Model, ///< no limit on the OS: the caller models it
};

/// "auto", "cgroup-v2", "cgroup-v1", "systemd-run", "model".
QString cpuLimitMethodId(CpuLimitMethod method);
/// The method named @p id, or nullopt.
std::optional<CpuLimitMethod> cpuLimitMethodFromId(const QString &id);
/// Every id, in the order of the enum (for parameter choices).
QStringList cpuLimitMethodIds();

/**
 * @brief Where the cgroup file systems are and where this process sits in them, read from
 * /proc/self/mountinfo and /proc/self/cgroup (or given, for tests).
 */
struct CgroupPlaces {
    QString v2Mount; ///< mount point of the cgroup2 file system ("" if none)
    QString v2Path; ///< this process's group in it ("/user.slice/..."), from the "0::" line
    QString v1CpuMount; ///< mount point of the cgroup v1 hierarchy with the cpu controller
    QString v1CpuPath; ///< this process's group in that hierarchy

    /// @brief Parses the text of /proc/self/mountinfo and /proc/self/cgroup.
    static CgroupPlaces parse(const QString &mountInfo, const QString &procCgroup);
    /// @brief Reads them for this process.
    static CgroupPlaces ofThisProcess();
};

/// @brief Throttling counters of a group (cgroup cpu.stat), -1 where unknown.
struct CpuThrottleStat {
    std::int64_t periods = -1; ///< enforcement periods that had runnable tasks
    std::int64_t throttledPeriods = -1; ///< periods in which the group hit its quota
    std::int64_t throttledUs = -1; ///< total time the group's tasks waited for a new period
};

/**
 * @brief A CPU limit for a group of processes: a real control group where the OS lets this
 * process make one, else nothing, with every refusal kept in words (the path and the errno
 * text, or the program's message).
 *
 * A plain class (no thread). create() tries the methods; the caller then starts its process
 * (through commandPrefix() for systemd-run) and moves it in with addProcess(). The group is
 * removed by remove() or the destructor, once its processes ended.
 */
class CgroupCpuLimit {
public:
    /// @brief One method tried: whether it worked and, if not, what the OS refused.
    struct Attempt {
        CpuLimitMethod method = CpuLimitMethod::Model;
        bool ok = false;
        QString why; ///< the refusal in one line (empty when ok)
    };

    /// @brief Works on the groups of this process.
    CgroupCpuLimit();
    /// @brief Works on @p places (tests point it at folders that do not exist).
    explicit CgroupCpuLimit(CgroupPlaces places);
    ~CgroupCpuLimit();
    CgroupCpuLimit(const CgroupCpuLimit &) = delete;
    CgroupCpuLimit &operator=(const CgroupCpuLimit &) = delete;

    /**
     * @brief Puts in place a limit of @p quotaPercent of one CPU per @p periodUs.
     * @param method Auto tries every method in turn; Model tries none
     * @return true when a real limit is in place (method() says which)
     */
    bool create(CpuLimitMethod method, double quotaPercent, int periodUs);

    /// @brief The method in place (Model when none worked).
    CpuLimitMethod method() const { return m_method; }
    bool real() const { return m_method != CpuLimitMethod::Model; }
    /// @brief Every method tried, in order.
    const std::vector<Attempt> &attempts() const { return m_attempts; }
    /// @brief The refusals joined in one text ("cgroup v2: ...; cgroup v1: ..."), empty if none.
    QString refusals() const;

    /// @brief For systemd-run: the program and arguments to start the process through; else empty.
    QStringList commandPrefix() const { return m_prefix; }
    /// @brief For the cgroup methods: moves process @p pid into the group. For systemd-run it
    /// finds the scope the process runs in (for stat()). @return false with a one-line @p error
    bool addProcess(pid_t pid, QString *error);
    /// @brief The group's folder ("" for Model).
    QString groupPath() const { return m_group; }
    /// @brief The group's throttling counters now.
    CpuThrottleStat stat() const;
    /// @brief Removes the group (its processes must have ended). @return false with @p error
    bool remove(QString *error);

    /// @brief Parses a cpu.stat file of cgroup v1 or v2.
    static CpuThrottleStat parseCpuStat(const QString &text);

private:
    bool tryV2(double quotaPercent, int periodUs, QString *why);
    bool tryV1(double quotaPercent, int periodUs, QString *why);
    bool trySystemdRun(double quotaPercent, int periodUs, QString *why);
    QString newGroupName();

    CgroupPlaces m_places;
    CpuLimitMethod m_method = CpuLimitMethod::Model;
    std::vector<Attempt> m_attempts;
    QStringList m_prefix;
    QString m_group; ///< the folder of the group made (cgroup methods) or found (systemd-run)
    bool m_ownsGroup = false; ///< we made m_group and remove it
};

} // namespace proclab
