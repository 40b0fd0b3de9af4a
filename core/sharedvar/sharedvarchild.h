#pragma once

#include <QtGlobal>

#include <cstdint>
#include <vector>

namespace proclab {

/**
 * @brief The slides' global variable `shared_x` and the code a forked child runs.
 *
 * fork() gives every child its own copy of the variable; the parent's stays as it
 * was. The child starts one thread per sleep; each thread reports (SharedVarReport)
 * that it goes to sleep, sleeps, increments the process's shared_x under the
 * process's own mutex and reports the value it produced. The child then reports its
 * final value and _exit()s; it dies with the parent (PR_SET_PDEATHSIG).
 */
class SharedVarChild {
public:
    /// @brief The value of `shared_x` as the calling process sees it.
    static qint64 value();
    /// @brief Sets the calling process's `shared_x` (the parent, before forking).
    static void setValue(qint64 value);

    /**
     * @brief The whole life of a forked child: threads, reports to @p fd, then _exit(0).
     * Uses no Qt and allocates its thread stacks with mmap.
     * @param t0Ns the parent's start time (monotonicNs()) that report times count from
     */
    [[noreturn]] static void run(int fd, const std::vector<std::int64_t> &sleepsNs, std::int64_t t0Ns);

    /**
     * @brief A spawned child's whole life, as a helper mode: a fresh program that initialises
     * its own shared_x. Arguments: report descriptor, start value, t0 (ns), then one sleep (ns)
     * per thread (1 to 8). @return 2 on malformed arguments (nothing is started)
     */
    static int spawnedMain(int argc, char **argv);
};

/// The value of the global `shared_x` as the calling process sees it (for tests).
qint64 sharedVarParentValue();

} // namespace proclab
