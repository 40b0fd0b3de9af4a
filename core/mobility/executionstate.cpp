#include "executionstate.h"

#include "codesegment.h"
#include "datasegment.h"

namespace proclab::mobility {

QString faultKindName(FaultKind kind)
{
    switch (kind) {
    case FaultKind::None:
        return QStringLiteral("none");
    case FaultKind::StackOverflow:
        return QStringLiteral("stack overflow");
    case FaultKind::StackUnderflow:
        return QStringLiteral("stack underflow");
    case FaultKind::StepBudget:
        return QStringLiteral("step budget exhausted");
    case FaultKind::BadJump:
        return QStringLiteral("bad jump");
    case FaultKind::DivisionByZero:
        return QStringLiteral("division by zero");
    case FaultKind::TypeError:
        return QStringLiteral("type error");
    case FaultKind::BadIndex:
        return QStringLiteral("bad index");
    case FaultKind::HeapBounds:
        return QStringLiteral("heap index out of bounds");
    case FaultKind::OutOfMemory:
        return QStringLiteral("out of memory");
    case FaultKind::ConversionRange:
        return QStringLiteral("conversion out of range");
    case FaultKind::BadState:
        return QStringLiteral("bad state");
    case FaultKind::Count:
        break;
    }
    return QStringLiteral("unknown fault");
}

QString machineStatusName(MachineStatus status)
{
    switch (status) {
    case MachineStatus::Runnable:
        return QStringLiteral("runnable");
    case MachineStatus::Halted:
        return QStringLiteral("halted");
    case MachineStatus::Faulted:
        return QStringLiteral("faulted");
    }
    return QStringLiteral("unknown");
}

ExecutionState ExecutionState::atEntry(const CodeSegment &code)
{
    ExecutionState s;
    if (code.isEmpty())
        return s;
    const FunctionInfo &entry = code.functions()[code.entryFunction()];
    s.pc = entry.entry;
    s.frames.push_back(Frame {code.entryFunction(), 0, 0, 0});
    s.locals.assign(entry.locals, Value::ofInt(0));
    return s;
}

bool ExecutionState::validate(
    const CodeSegment &code, const DataSegment &data, const MachineLimits &limits, QString *error) const
{
    auto fail = [&](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    if (code.isEmpty())
        return fail(QStringLiteral("there is no code to run"));
    if (!data.check(limits, error))
        return false;
    if (status != MachineStatus::Runnable && status != MachineStatus::Halted
        && status != MachineStatus::Faulted)
        return fail(QStringLiteral("unknown machine status %1").arg(int(status)));
    if (fault >= FaultKind::Count)
        return fail(QStringLiteral("unknown fault kind %1").arg(int(fault)));
    if (steps > limits.maxTotalSteps)
        return fail(QStringLiteral("%1 steps already exceed the step budget of %2")
                        .arg(steps)
                        .arg(limits.maxTotalSteps));
    if (stack.size() > limits.maxStackValues)
        return fail(QStringLiteral("an operand stack of %1 values exceeds the limit of %2")
                        .arg(stack.size())
                        .arg(limits.maxStackValues));
    if (frames.size() > limits.maxFrames)
        return fail(
            QStringLiteral("%1 frames exceed the limit of %2").arg(frames.size()).arg(limits.maxFrames));
    if (locals.size() > limits.maxLocalsTotal)
        return fail(
            QStringLiteral("%1 locals exceed the limit of %2").arg(locals.size()).arg(limits.maxLocalsTotal));
    if (status != MachineStatus::Runnable)
        return true; // a finished computation is only looked at, never run again
    if (frames.empty())
        return fail(QStringLiteral("a runnable state has no frame"));
    if (!code.isInstructionStart(pc))
        return fail(QStringLiteral("the program counter %1 is not at an instruction").arg(pc));
    const auto &functions = code.functions();
    std::uint64_t localsExpected = 0;
    std::uint32_t previousStackBase = 0;
    for (std::size_t i = 0; i < frames.size(); ++i) {
        const Frame &f = frames[i];
        if (f.function >= functions.size())
            return fail(QStringLiteral("frame %1 names function %2 of %3")
                            .arg(i)
                            .arg(f.function)
                            .arg(functions.size()));
        if (f.localsBase != localsExpected)
            return fail(QStringLiteral("frame %1 has its locals at %2, expected %3")
                            .arg(i)
                            .arg(f.localsBase)
                            .arg(localsExpected));
        localsExpected += functions[f.function].locals;
        if (f.stackBase < previousStackBase || f.stackBase > stack.size())
            return fail(QStringLiteral("frame %1 has a stack floor of %2 (stack %3, previous floor %4)")
                            .arg(i)
                            .arg(f.stackBase)
                            .arg(stack.size())
                            .arg(previousStackBase));
        previousStackBase = f.stackBase;
        // A return address may equal the code size (a call as the last instruction);
        // running there is then a bad jump, a fault rather than an invalid state.
        if (i > 0 && f.returnPc != code.bytecode().size() && !code.isInstructionStart(f.returnPc))
            return fail(
                QStringLiteral("frame %1 returns to %2, which is not an instruction").arg(i).arg(f.returnPc));
    }
    if (localsExpected != locals.size())
        return fail(QStringLiteral("the frames need %1 locals but the state holds %2")
                        .arg(localsExpected)
                        .arg(locals.size()));
    for (const Value &v : stack) {
        if (v.kind != ValueKind::Int && v.kind != ValueKind::Float)
            return fail(QStringLiteral("a stack value has an unknown kind"));
    }
    return true;
}

} // namespace proclab::mobility
