#pragma once

#include <QString>
#include <QStringList>

#include <chrono>
#include <cstdint>
#include <utility>
#include <vector>

namespace proclab::mobility {

/// @brief One landmark of a native process's address space, from /proc/PID/maps.
struct NativeRegion {
    QString kind; ///< "executable", "heap", "stack", "vdso", "libc", "loader"
    std::uint64_t start = 0;
    std::uint64_t end = 0;
    QString permissions; ///< "r-xp", ...
    QString path;
};

/// @brief One open descriptor, from /proc/PID/fd, and why it means nothing elsewhere.
struct NativeDescriptor {
    int fd = -1;
    QString target; ///< what the kernel says it is: a path, "socket:[123]", "pipe:[456]"
    QString kind; ///< "file", "socket", "pipe", "device", "kernel object"
    QString whyItStays; ///< why this number does not survive a move to another host
};

/// @brief What one real native process holds that a move would have to carry.
struct NativeProcessState {
    QString error; ///< empty when the probe worked
    qint64 pid = 0;
    QString program; ///< the program run (its path)
    int mappingCount = 0; ///< lines of /proc/PID/maps
    std::vector<NativeRegion> regions;
    std::vector<NativeDescriptor> descriptors;
    std::vector<std::pair<QString, QString>> status; ///< chosen /proc/PID/status fields, in order
    QString waitChannel; ///< /proc/PID/wchan: the kernel function it sleeps in
    QString syscall; ///< /proc/PID/syscall: the system call it is blocked in (may be unreadable)
    QString schedstat; ///< /proc/PID/schedstat: ns on a CPU, ns waiting, time slices
    QString timerSlackNs; ///< /proc/PID/timerslack_ns: how late the kernel may fire its timers
    std::uint64_t pendingSignals = 0; ///< SigPnd | ShdPnd as a bit mask (bit n-1 for signal n)
    std::uint64_t blockedSignals = 0; ///< SigBlk
};

/// @brief Two runs of the same program compared: what ASLR and the kernel make different.
struct NativeStateComparison {
    QString error;
    NativeProcessState first;
    NativeProcessState second;
    int randomizeVaSpace = -1; ///< /proc/sys/kernel/randomize_va_space (0 off, 1 partial, 2 full), -1 unknown
    QString kernelRelease; ///< uname: the kernel these addresses and objects belong to
    QString machine; ///< uname: the processor architecture
    struct RegionDifference {
        QString kind;
        std::uint64_t firstStart = 0;
        std::uint64_t secondStart = 0;
        bool differs = false;
    };
    std::vector<RegionDifference> regions; ///< landmarks present in both runs
    int regionsThatDiffer = 0;
};

/// How the probe starts its child.
struct NativeProbeConfig {
    QString program = QStringLiteral("sleep"); ///< looked up in PATH; it must block until killed
    QStringList arguments {QStringLiteral("60")};
    std::chrono::milliseconds settleTimeout {3000}; ///< the child must be asleep within this
};

/**
 * @brief Starts a real native child process with things a move cannot carry
 * (an open file on descriptor 3, a TCP connection on 4, a pipe as its standard
 * output, a blocked signal left pending) and reads what /proc shows of it:
 * its address space, descriptors, the kernel's part of its context. Then kills
 * it. Plain functions on the caller's thread (posix_spawn, no fork).
 */
class NativeProcessProbe {
public:
    static NativeProcessState probe(const NativeProbeConfig &config = {});
    /// @brief Probes two runs of the same program and compares their address landmarks.
    static NativeStateComparison compareTwoRuns(const NativeProbeConfig &config = {});
};

} // namespace proclab::mobility
