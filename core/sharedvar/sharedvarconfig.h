#pragma once

#include "engine/parameter.h"

#include <QString>

#include <cstdint>
#include <optional>

namespace proclab {

/**
 * @brief The sharedvar engine's parameters, converted once in configure().
 */
struct SharedVarConfig {
    int processes = 2; ///< child processes the parent forks (1..4)
    int threads = 3; ///< threads each child starts
    qint64 initial = -1; ///< shared_x in the parent before fork; -1: random 10..99 from the seed
    qint64 maxSleepMs = 3000; ///< each thread sleeps a random time up to this long
    std::uint64_t seed = 1; ///< same seed, same sleep times and initial value
    /**
     * How a child starts. Fork: a copy of the parent, which already holds shared_x. Spawn: a
     * fresh run of the program (as Python's "spawn" start method does), which initialises
     * shared_x again; with a random initial value each child draws its own.
     */
    enum class Start { Fork, Spawn };
    Start start = Start::Fork;

    /// @brief The configuration of validated parameter values (every combination is allowed).
    static std::optional<SharedVarConfig> fromParams(const ParamValues &values, QString *error);
};

} // namespace proclab
