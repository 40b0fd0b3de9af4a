#pragma once

#include "engine/engine.h"

#include <QString>

#include <sys/types.h>

#include <vector>

namespace proclab {

/**
 * @brief One report from a child process: a thread went to sleep or woke and incremented.
 */
struct SharedVarEvent {
    enum class Kind { Sleep, Wake, ProcessEnd };
    Kind kind = Kind::Sleep;
    int process = 0; ///< index of the child process (0 = first)
    int thread = 0; ///< index of the thread inside it (-1 for ProcessEnd)
    double timeMs = 0; ///< since the parent started the run, CLOCK_MONOTONIC
    qint64 value = 0; ///< Wake: shared_x right after this thread's increment; ProcessEnd: final
    double sleepMs = 0; ///< Sleep: how long the thread is going to sleep
};

/**
 * @brief The timeline so far: every event in arrival order, plus the children's pids.
 */
struct SharedVarSnapshot : Snapshot {
    int processes = 0;
    int threads = 0;
    qint64 initial = 0; ///< shared_x in the parent before fork
    std::vector<qint64> childInitial; ///< per child: shared_x when its threads started
    bool spawned = false; ///< children spawned as fresh programs, not forked
    qint64 parentValue = 0; ///< shared_x in the parent after the children ended
    std::vector<pid_t> pids;
    std::vector<bool> reaped; ///< per child: waitpid() collected it
    std::vector<SharedVarEvent> events;
    double elapsedMs = 0;
    double maxSleepMs = 0;
};

/// The name of child process @p index as the slides name them ("eve", "bob", ...).
QString sharedVarProcessName(int index);

} // namespace proclab
