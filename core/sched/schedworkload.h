#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>
#include <vector>

namespace proclab {

/**
 * @brief One operation of a workload thread, as the workload file writes it.
 *
 * Cpu computes; Syscall is a blocking system call (a trap, then the kernel
 * blocks the caller for the duration, e.g. a disk read); UserWait is a blocking
 * user-level operation (waiting on a user-level lock or condition for the
 * duration), which a user-level thread library handles without the kernel.
 */
struct WorkOp {
    enum class Kind : std::uint8_t { Cpu, Syscall, UserWait };
    Kind kind = Kind::Cpu;
    std::int64_t durationNs = 0;
};

/// A thread of the workload: its script of operations, repeated @c loops times (-1: forever).
struct WorkThread {
    QString name;
    int nice = 0; ///< -20..19, Linux's nice scale
    std::int64_t startNs = 0; ///< when the thread is created
    int loops = 1;
    std::vector<WorkOp> ops;
};

/// A process of the workload. Its nice value is what the kernel sees under N:1 and M:N.
struct WorkProcess {
    QString name;
    int nice = 0;
    std::vector<WorkThread> threads;
};

/// A whole workload: processes with threads.
struct Workload {
    QString name;
    std::vector<WorkProcess> processes;
    int threadCount() const;
};

/**
 * @brief Parses a workload from JSON.
 *
 * Format: {"processes": [{"name": "app", "nice": 0, "threads": [{"name": "A",
 * "nice": 0, "start_ms": 0, "loops": 1, "ops": [["cpu", 4], ["syscall", 20],
 * ["uwait", 2]]}]}]}. Durations are in milliseconds. Errors name the field.
 */
std::optional<Workload> parseWorkloadJson(const QByteArray &json, QString *error);

/**
 * @brief A built-in workload by name, or one read from a JSON file or inline JSON text.
 * @param threads thread count for the "cpu" and "random" workloads
 * @param nices comma-separated nice values applied to the threads in order (empty: keep)
 * @param seed for the "random" workload
 */
std::optional<Workload> loadWorkload(
    const QString &nameOrPath, int threads, const QString &nices, std::uint64_t seed, QString *error);

/**
 * @brief The built-in "cpu" workload with typed nice values: one process ("app") of
 * always-runnable threads T0, T1, ... (each computes forever; a run ends at its time
 * limit), thread i with nice value @p nices[i]. The process takes the first thread's
 * nice value, which is what the kernel sees under N:1 and M:N.
 */
Workload busyThreadsWorkload(const std::vector<int> &nices);

/// Names of the built-in workloads with one line each ("blocking: ...").
QStringList builtinWorkloadNames();

} // namespace proclab
