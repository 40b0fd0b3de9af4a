#pragma once

#include "machinelimits.h"
#include "value.h"

#include <QString>

#include <cstdint>
#include <vector>

namespace proclab::mobility {

class CodeSegment;
struct DataSegment;

/// Where a computation is in its life.
enum class MachineStatus : std::uint8_t {
    Runnable = 0, ///< not started yet (steps == 0) or stopped between two instructions
    Halted = 1, ///< finished with a result
    Faulted = 2, ///< stopped by a fault; the program counter names the faulting instruction
};

/// Why a computation faulted.
enum class FaultKind : std::uint8_t {
    None = 0,
    StackOverflow, ///< operand stack, call depth or locals over their limit
    StackUnderflow, ///< an instruction needed more operands than its frame has
    StepBudget, ///< the computation used up MachineLimits::maxTotalSteps
    BadJump, ///< control went outside the code or into the middle of an instruction
    DivisionByZero, ///< integer division or remainder by zero
    TypeError, ///< an integer-only instruction got a float
    BadIndex, ///< a local or global that does not exist
    HeapBounds, ///< a heap index outside the heap
    OutOfMemory, ///< alloc past MachineLimits::maxHeapCells
    ConversionRange, ///< ftoi of NaN or of a value no 64-bit integer holds
    BadState, ///< the execution state does not fit the code and data (a corrupt image)
    Count
};

/// @brief Short name of a fault kind ("stack overflow").
QString faultKindName(FaultKind kind);
/// @brief "runnable", "halted" or "faulted".
QString machineStatusName(MachineStatus status);

/// @brief One activation record.
struct Frame {
    std::uint32_t function = 0; ///< index into the function table
    std::uint32_t returnPc = 0; ///< where the caller continues (unused for the entry frame)
    std::uint32_t localsBase = 0; ///< first of this frame's slots in ExecutionState::locals
    std::uint32_t stackBase = 0; ///< operand stack depth when the frame was entered (its floor)

    bool operator==(const Frame &) const = default;
};

/**
 * @brief The execution state of a computation: program counter, operand stack,
 * call frames with their locals, step count, and how it ended.
 *
 * This is the part strong mobility moves and weak mobility leaves behind.
 * Plain data: validate() says whether it fits a code and a data segment, which
 * is checked before any decoded state is run.
 */
struct ExecutionState {
    MachineStatus status = MachineStatus::Runnable;
    std::uint32_t pc = 0;
    std::uint64_t steps = 0; ///< instructions completed since the computation began
    std::vector<Value> stack;
    std::vector<Frame> frames;
    std::vector<Value> locals;
    Value result; ///< valid when Halted
    FaultKind fault = FaultKind::None;
    QString faultMessage;

    /// @brief The state of a computation about to run its entry function from the beginning.
    static ExecutionState atEntry(const CodeSegment &code);

    /**
     * @brief Whether this state can run on @p code and @p data within @p limits.
     * @return false with a one-line @p error naming the first inconsistency
     */
    bool validate(
        const CodeSegment &code, const DataSegment &data, const MachineLimits &limits, QString *error) const;

    bool operator==(const ExecutionState &) const = default;
};

} // namespace proclab::mobility
