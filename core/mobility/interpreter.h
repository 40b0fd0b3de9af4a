#pragma once

#include "computation.h"
#include "machinelimits.h"

#include <cstdint>
#include <functional>

namespace proclab::mobility {

/// @brief What one call of Interpreter::run() did.
struct RunOutcome {
    MachineStatus status = MachineStatus::Runnable; ///< Runnable: the slice ended between two instructions
    std::uint64_t stepsRun = 0; ///< instructions completed in this call
};

/**
 * @brief The abstract machine: executes a Computation in bounded slices.
 *
 * run(maxSteps) executes at most that many instructions and returns between
 * two of them, so a caller can stop a computation at any instruction boundary,
 * serialise it and resume it elsewhere. Everything a program can do wrong
 * (overflowing the stack or the call depth, a bad jump, a division by zero, a
 * heap index out of range, running out of heap or of steps) ends in a fault
 * recorded in the execution state, never in undefined behaviour. The state is
 * validated at the start of every run() call, so a decoded image that does not
 * fit its code faults with FaultKind::BadState instead of being trusted.
 *
 * No threads; not thread-safe (one computation, one caller at a time).
 */
class Interpreter {
public:
    explicit Interpreter(Computation &computation, MachineLimits limits = {});

    /// @brief Executes at most @p maxSteps instructions.
    RunOutcome run(std::uint64_t maxSteps);

    /**
     * @brief Runs until the computation halts or faults, in slices of @p sliceSteps,
     * asking @p cancelled between slices (a cancelled run stays Runnable).
     */
    RunOutcome runToEnd(const std::function<bool()> &cancelled = {}, std::uint64_t sliceSteps = 1u << 20);

    const MachineLimits &limits() const { return m_limits; }

private:
    Computation &m_c;
    MachineLimits m_limits;
};

} // namespace proclab::mobility
