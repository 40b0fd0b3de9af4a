#pragma once

#include <QString>

#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include <sys/types.h>

namespace proclab {

/**
 * @brief One thread as one sample of /proc/<pid>/task/<tid>/stat saw it.
 */
struct TaskSample {
    pid_t pid = 0; ///< the process (thread group) it belongs to
    pid_t tid = 0;
    char state = '?'; ///< R, S, D, T, Z, ... as the kernel reports it
    QString name; ///< comm
    /// From /proc/<pid>/task/<tid>/schedstat when hasCounters: nanoseconds executed and
    /// nanoseconds waited in a run queue since the thread started.
    std::uint64_t runNs = 0;
    std::uint64_t waitNs = 0;
    bool hasCounters = false;
};

/**
 * @brief Reads the states of every thread of a process (and optionally of its
 * descendants) from /proc, fast enough to sample at 1 kHz.
 *
 * Each thread's stat file stays open and is re-read with pread() at offset 0,
 * which makes the kernel generate it anew: one system call per thread and
 * sample, nothing else. refreshTasks() (called every few ms) re-reads a
 * process's thread list from /proc/<pid>/task only when that directory's link
 * count (2 + the number of threads) has changed or one of its threads ended;
 * descendants are found by scanning every process's parent pid in
 * refreshProcesses() (a costlier scan, done a few times per second).
 * Not thread-safe: one sampler thread uses it.
 */
class ProcSampler {
public:
    /// @param excludeTids threads never reported (the sampler's own, and for the
    ///        app's own workloads every thread the app had before it started)
    ProcSampler(pid_t root, bool includeDescendants, std::set<pid_t> excludeTids);
    ~ProcSampler();
    ProcSampler(const ProcSampler &) = delete;
    ProcSampler &operator=(const ProcSampler &) = delete;

    /// @brief Checks that the root process exists. @return false with a one-line error
    bool open(QString *error);
    /// Re-reads the thread lists of the known processes.
    void refreshTasks();
    /// Finds descendants of the root (if enabled) by scanning /proc.
    void refreshProcesses();
    /// Reads the state of every known thread. @return false when no thread is left
    bool sample(std::vector<TaskSample> *out);

    /// The thread ids of process @p pid now (empty if it is gone).
    static std::vector<pid_t> threadsOf(pid_t pid);

    pid_t root() const { return m_root; }
    int processCount() const { return static_cast<int>(m_processes.size()); }
    /// The command name of the root process ("" when gone).
    QString rootName() const { return m_rootName; }

private:
    struct Task {
        int fd = -1;
        int schedstatFd = -1; ///< -1 when the kernel has no schedstat file
        pid_t pid = 0;
        QString name;
    };
    struct Process {
        int taskDirFd = -1; ///< /proc/<pid>/task, open for fstat()
        nlink_t seenLinks = 0; ///< its link count at the last scan; 0: scan again
    };
    void addTasksOf(pid_t pid, Process *process);
    void dropTask(pid_t tid);
    void closeProcess(Process *process);

    pid_t m_root;
    pid_t m_self = 0; ///< this process: its threads' CPU clocks can be read exactly
    bool m_descendants;
    std::set<pid_t> m_exclude;
    QString m_rootName;
    std::vector<pid_t> m_processes;
    std::map<pid_t, Process> m_processState; // by pid
    std::map<pid_t, Task> m_tasks; // by tid
};

/// Parses "run_ns wait_ns slices" of a /proc/.../schedstat file. @return false if malformed
bool parseSchedstat(const char *text, std::size_t size, std::uint64_t *runNs, std::uint64_t *waitNs);

/// Parses the state and comm of one /proc/.../stat line. @return false if malformed
bool parseProcStat(const char *text, std::size_t size, char *state, QString *comm, pid_t *ppid);

} // namespace proclab
