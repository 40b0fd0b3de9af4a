#pragma once

#include "codesegment.h"
#include "datasegment.h"
#include "executionstate.h"

namespace proclab::mobility {

/**
 * @brief A computation of the abstract machine as its three parts: code segment,
 * data segment and execution state.
 *
 * A plain value: copying it is cloning the computation (the copy goes on from
 * the same instruction with the same stack, locals and heap).
 */
struct Computation {
    CodeSegment code;
    DataSegment data;
    ExecutionState state;

    /// @brief @p code and @p data with an execution state at the start of the entry function.
    static Computation start(CodeSegment code, DataSegment data);
    /// @brief This computation's code and data, started over from the beginning (what weak mobility runs).
    Computation restarted() const;

    bool finished() const { return state.status != MachineStatus::Runnable; }

    bool operator==(const Computation &) const = default;
};

} // namespace proclab::mobility
