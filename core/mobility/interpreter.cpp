#include "interpreter.h"

#include <cmath>
#include <limits>

namespace proclab::mobility {

Interpreter::Interpreter(Computation &computation, MachineLimits limits)
    : m_c(computation)
    , m_limits(limits)
{
}

RunOutcome Interpreter::runToEnd(const std::function<bool()> &cancelled, std::uint64_t sliceSteps)
{
    RunOutcome total;
    while (true) {
        const RunOutcome slice = run(sliceSteps == 0 ? 1 : sliceSteps);
        total.stepsRun += slice.stepsRun;
        total.status = slice.status;
        if (slice.status != MachineStatus::Runnable || (cancelled && cancelled()))
            return total;
    }
}

namespace {

bool isZero(const Value &v)
{
    return v.isInt() ? v.asInt() == 0 : v.asFloat() == 0.0;
}

// Comparisons: two integers compare as integers (exact for all 64 bits), anything else as doubles.
template<typename IntCmp, typename FloatCmp>
Value compare(const Value &a, const Value &b, IntCmp ic, FloatCmp fc)
{
    const bool r = (a.isInt() && b.isInt()) ? ic(a.asInt(), b.asInt()) : fc(a.toDouble(), b.toDouble());
    return Value::ofInt(r ? 1 : 0);
}

} // namespace

RunOutcome Interpreter::run(std::uint64_t maxSteps)
{
    ExecutionState &st = m_c.state;
    if (st.status != MachineStatus::Runnable || maxSteps == 0)
        return {st.status, 0};
    {
        QString error;
        if (!st.validate(m_c.code, m_c.data, m_limits, &error)) {
            st.status = MachineStatus::Faulted;
            st.fault = FaultKind::BadState;
            st.faultMessage = error;
            return {st.status, 0};
        }
    }
    if (st.steps >= m_limits.maxTotalSteps) {
        st.status = MachineStatus::Faulted;
        st.fault = FaultKind::StepBudget;
        st.faultMessage
            = QStringLiteral("the step budget of %1 instructions is used up").arg(m_limits.maxTotalSteps);
        return {st.status, 0};
    }
    const std::uint64_t budgetLeft = m_limits.maxTotalSteps - st.steps;
    const std::uint64_t stepsAllowed = std::min(maxSteps, budgetLeft);

    // Hot-loop copies of everything the instructions touch. The code segment is
    // immutable; the stack, frames and locals get their full capacity once so
    // that the raw pointers below stay valid (the limits bound every growth).
    const std::uint8_t *const code = m_c.code.bytecode().data();
    const std::uint32_t codeSize = std::uint32_t(m_c.code.bytecode().size());
    const std::uint8_t *const starts = m_c.code.instructionStarts().data();
    const Value *const constants = m_c.code.constants().data();
    const FunctionInfo *const functions = m_c.code.functions().data();
    std::vector<Value> &globals = m_c.data.globals;
    std::vector<Value> &heap = m_c.data.heap;
    const std::size_t globalCount = globals.size();

    const std::size_t cap = m_limits.maxStackValues;
    std::size_t sp = st.stack.size();
    st.stack.resize(cap);
    Value *const s = st.stack.data();
    st.frames.reserve(m_limits.maxFrames);
    st.locals.reserve(m_limits.maxLocalsTotal);

    Frame *fr = &st.frames.back();
    Value *L = st.locals.data() + fr->localsBase;
    std::uint32_t localCount = functions[fr->function].locals;
    std::size_t floor = fr->stackBase;
    std::uint32_t pc = st.pc;
    std::uint64_t done = 0;

    FaultKind faultKind = FaultKind::None;
    QString faultText;
    Value result;
    bool halted = false;

#define PL_FAULT(kind, text)                                                                                 \
    do {                                                                                                     \
        faultKind = (kind);                                                                                  \
        faultText = (text);                                                                                  \
        goto stopped;                                                                                        \
    } while (0)
#define PL_NEED(k)                                                                                           \
    if (sp - floor < std::size_t(k))                                                                         \
    PL_FAULT(FaultKind::StackUnderflow,                                                                      \
        QStringLiteral("%1 needs %2 operands, the frame has %3")                                             \
            .arg(QLatin1String(opcodeInfo(op).mnemonic))                                                     \
            .arg(k)                                                                                          \
            .arg(sp - floor))
#define PL_ROOM(k)                                                                                           \
    if (cap - sp < std::size_t(k))                                                                           \
    PL_FAULT(FaultKind::StackOverflow, QStringLiteral("the operand stack is full (%1 values)").arg(cap))
#define PL_INT(v, what)                                                                                      \
    if (!(v).isInt())                                                                                        \
    PL_FAULT(FaultKind::TypeError,                                                                           \
        QStringLiteral("%1 needs an integer %2, got the float %3")                                           \
            .arg(QLatin1String(opcodeInfo(op).mnemonic), QStringLiteral(what), (v).toString()))

    while (done < stepsAllowed) {
        if (pc >= codeSize)
            PL_FAULT(FaultKind::BadJump,
                QStringLiteral("execution ran past the end of the code (%1 bytes)").arg(codeSize));
        const auto op = static_cast<Opcode>(code[pc]);
        switch (op) {
        case Opcode::Nop:
            pc += 1;
            break;
        case Opcode::Push:
            PL_ROOM(1);
            s[sp++] = constants[readU32(code + pc + 1)];
            pc += 5;
            break;
        case Opcode::Pop:
            PL_NEED(1);
            --sp;
            pc += 1;
            break;
        case Opcode::Dup:
            PL_NEED(1);
            PL_ROOM(1);
            s[sp] = s[sp - 1];
            ++sp;
            pc += 1;
            break;
        case Opcode::Swap:
            PL_NEED(2);
            std::swap(s[sp - 1], s[sp - 2]);
            pc += 1;
            break;
        case Opcode::Over:
            PL_NEED(2);
            PL_ROOM(1);
            s[sp] = s[sp - 2];
            ++sp;
            pc += 1;
            break;
        case Opcode::Load: {
            const std::uint16_t i = readU16(code + pc + 1);
            if (i >= localCount)
                PL_FAULT(FaultKind::BadIndex,
                    QStringLiteral("local %1 does not exist (the function has %2)").arg(i).arg(localCount));
            PL_ROOM(1);
            s[sp++] = L[i];
            pc += 3;
            break;
        }
        case Opcode::Store: {
            const std::uint16_t i = readU16(code + pc + 1);
            if (i >= localCount)
                PL_FAULT(FaultKind::BadIndex,
                    QStringLiteral("local %1 does not exist (the function has %2)").arg(i).arg(localCount));
            PL_NEED(1);
            L[i] = s[--sp];
            pc += 3;
            break;
        }
        case Opcode::GLoad: {
            const std::uint32_t i = readU32(code + pc + 1);
            if (i >= globalCount)
                PL_FAULT(FaultKind::BadIndex,
                    QStringLiteral("global %1 does not exist (there are %2)").arg(i).arg(globalCount));
            PL_ROOM(1);
            s[sp++] = globals[i];
            pc += 5;
            break;
        }
        case Opcode::GStore: {
            const std::uint32_t i = readU32(code + pc + 1);
            if (i >= globalCount)
                PL_FAULT(FaultKind::BadIndex,
                    QStringLiteral("global %1 does not exist (there are %2)").arg(i).arg(globalCount));
            PL_NEED(1);
            globals[i] = s[--sp];
            pc += 5;
            break;
        }
        case Opcode::HLoad: {
            PL_NEED(1);
            const Value index = s[sp - 1];
            PL_INT(index, "heap index");
            if (index.bits >= heap.size())
                PL_FAULT(FaultKind::HeapBounds,
                    QStringLiteral("heap index %1 outside the heap of %2 cells")
                        .arg(index.asInt())
                        .arg(heap.size()));
            s[sp - 1] = heap[index.bits];
            pc += 1;
            break;
        }
        case Opcode::HStore: {
            PL_NEED(2);
            const Value index = s[sp - 2];
            PL_INT(index, "heap index");
            if (index.bits >= heap.size())
                PL_FAULT(FaultKind::HeapBounds,
                    QStringLiteral("heap index %1 outside the heap of %2 cells")
                        .arg(index.asInt())
                        .arg(heap.size()));
            heap[index.bits] = s[sp - 1];
            sp -= 2;
            pc += 1;
            break;
        }
        case Opcode::Alloc: {
            PL_NEED(1);
            const Value count = s[sp - 1];
            PL_INT(count, "cell count");
            if (count.asInt() < 0)
                PL_FAULT(FaultKind::OutOfMemory,
                    QStringLiteral("alloc of a negative size (%1)").arg(count.asInt()));
            if (std::uint64_t(count.asInt())
                > m_limits.maxHeapCells - std::min<std::uint64_t>(heap.size(), m_limits.maxHeapCells))
                PL_FAULT(FaultKind::OutOfMemory,
                    QStringLiteral("alloc of %1 cells: the heap has %2 of at most %3")
                        .arg(count.asInt())
                        .arg(heap.size())
                        .arg(m_limits.maxHeapCells));
            const std::size_t base = heap.size();
            heap.resize(base + std::size_t(count.asInt()));
            s[sp - 1] = Value::ofInt(std::int64_t(base));
            pc += 1;
            break;
        }
        case Opcode::Add:
        case Opcode::Sub:
        case Opcode::Mul: {
            PL_NEED(2);
            Value &a = s[sp - 2];
            const Value b = s[sp - 1];
            if (a.isInt() && b.isInt()) {
                // Unsigned arithmetic wraps without undefined behaviour; same bits as two's complement.
                a.bits = op == Opcode::Add ? a.bits + b.bits
                    : op == Opcode::Sub    ? a.bits - b.bits
                                           : a.bits * b.bits;
            } else {
                const double x = a.toDouble(), y = b.toDouble();
                a = Value::ofFloat(op == Opcode::Add ? x + y : op == Opcode::Sub ? x - y : x * y);
            }
            --sp;
            pc += 1;
            break;
        }
        case Opcode::Div: {
            PL_NEED(2);
            Value &a = s[sp - 2];
            const Value b = s[sp - 1];
            if (a.isInt() && b.isInt()) {
                if (b.asInt() == 0)
                    PL_FAULT(FaultKind::DivisionByZero,
                        QStringLiteral("integer division of %1 by zero").arg(a.asInt()));
                // INT64_MIN / -1 does not fit: it wraps to INT64_MIN, as the addition does.
                a = (b.asInt() == -1) ? Value::ofInt(std::int64_t(0 - a.bits))
                                      : Value::ofInt(a.asInt() / b.asInt());
            } else {
                a = Value::ofFloat(a.toDouble() / b.toDouble()); // IEEE: x/0 is an infinity or NaN
            }
            --sp;
            pc += 1;
            break;
        }
        case Opcode::Mod: {
            PL_NEED(2);
            const Value a = s[sp - 2];
            const Value b = s[sp - 1];
            PL_INT(a, "dividend");
            PL_INT(b, "divisor");
            if (b.asInt() == 0)
                PL_FAULT(FaultKind::DivisionByZero, QStringLiteral("remainder of %1 by zero").arg(a.asInt()));
            s[sp - 2] = b.asInt() == -1 ? Value::ofInt(0) : Value::ofInt(a.asInt() % b.asInt());
            --sp;
            pc += 1;
            break;
        }
        case Opcode::Neg: {
            PL_NEED(1);
            Value &a = s[sp - 1];
            a = a.isInt() ? Value::ofInt(std::int64_t(0 - a.bits)) : Value::ofFloat(-a.asFloat());
            pc += 1;
            break;
        }
        case Opcode::Lt:
        case Opcode::Le:
        case Opcode::Gt:
        case Opcode::Ge:
        case Opcode::Eq:
        case Opcode::Ne: {
            PL_NEED(2);
            const Value a = s[sp - 2], b = s[sp - 1];
            Value r;
            switch (op) {
            case Opcode::Lt:
                r = compare(
                    a, b, [](auto x, auto y) { return x < y; }, [](double x, double y) { return x < y; });
                break;
            case Opcode::Le:
                r = compare(
                    a, b, [](auto x, auto y) { return x <= y; }, [](double x, double y) { return x <= y; });
                break;
            case Opcode::Gt:
                r = compare(
                    a, b, [](auto x, auto y) { return x > y; }, [](double x, double y) { return x > y; });
                break;
            case Opcode::Ge:
                r = compare(
                    a, b, [](auto x, auto y) { return x >= y; }, [](double x, double y) { return x >= y; });
                break;
            case Opcode::Eq:
                r = compare(
                    a, b, [](auto x, auto y) { return x == y; }, [](double x, double y) { return x == y; });
                break;
            default:
                r = compare(
                    a, b, [](auto x, auto y) { return x != y; }, [](double x, double y) { return x != y; });
                break;
            }
            s[sp - 2] = r;
            --sp;
            pc += 1;
            break;
        }
        case Opcode::Not: {
            PL_NEED(1);
            PL_INT(s[sp - 1], "operand");
            s[sp - 1] = Value::ofInt(s[sp - 1].asInt() == 0 ? 1 : 0);
            pc += 1;
            break;
        }
        case Opcode::And:
        case Opcode::Or: {
            PL_NEED(2);
            PL_INT(s[sp - 2], "operand");
            PL_INT(s[sp - 1], "operand");
            const bool x = s[sp - 2].asInt() != 0, y = s[sp - 1].asInt() != 0;
            s[sp - 2] = Value::ofInt((op == Opcode::And ? (x && y) : (x || y)) ? 1 : 0);
            --sp;
            pc += 1;
            break;
        }
        case Opcode::IToF:
            PL_NEED(1);
            PL_INT(s[sp - 1], "operand");
            s[sp - 1] = Value::ofFloat(double(s[sp - 1].asInt()));
            pc += 1;
            break;
        case Opcode::FToI: {
            PL_NEED(1);
            const Value a = s[sp - 1];
            if (!a.isFloat())
                PL_FAULT(FaultKind::TypeError,
                    QStringLiteral("ftoi needs a float, got the integer %1").arg(a.asInt()));
            const double f = a.asFloat();
            // The cast is undefined outside [-2^63, 2^63); NaN fails both comparisons.
            if (!(f >= -9223372036854775808.0 && f < 9223372036854775808.0))
                PL_FAULT(FaultKind::ConversionRange,
                    QStringLiteral("ftoi of %1: no 64-bit integer holds it").arg(a.toString()));
            s[sp - 1] = Value::ofInt(static_cast<std::int64_t>(f));
            pc += 1;
            break;
        }
        case Opcode::Sqrt:
            PL_NEED(1);
            s[sp - 1] = Value::ofFloat(std::sqrt(s[sp - 1].toDouble()));
            pc += 1;
            break;
        case Opcode::Jmp:
        case Opcode::Jz:
        case Opcode::Jnz: {
            const std::uint32_t target = readU32(code + pc + 1);
            bool taken = true;
            if (op != Opcode::Jmp) {
                PL_NEED(1);
                taken = isZero(s[sp - 1]) == (op == Opcode::Jz);
            }
            if (taken && (target >= codeSize || !starts[target]))
                PL_FAULT(FaultKind::BadJump,
                    target >= codeSize
                        ? QStringLiteral("jump to %1, outside the code (%2 bytes)").arg(target).arg(codeSize)
                        : QStringLiteral("jump to %1, into the middle of an instruction").arg(target));
            if (op != Opcode::Jmp)
                --sp;
            pc = taken ? target : pc + 5;
            break;
        }
        case Opcode::Call: {
            const std::uint16_t f = readU16(code + pc + 1);
            const FunctionInfo &fn = functions[f];
            PL_NEED(fn.params);
            if (st.frames.size() >= m_limits.maxFrames)
                PL_FAULT(FaultKind::StackOverflow,
                    QStringLiteral("call of %1: the call depth limit of %2 frames is reached")
                        .arg(fn.name)
                        .arg(m_limits.maxFrames));
            if (st.locals.size() + fn.locals > m_limits.maxLocalsTotal)
                PL_FAULT(FaultKind::StackOverflow,
                    QStringLiteral("call of %1: the limit of %2 locals is reached")
                        .arg(fn.name)
                        .arg(m_limits.maxLocalsTotal));
            const std::uint32_t base = std::uint32_t(st.locals.size());
            st.locals.resize(base + fn.locals); // within the reserved capacity: L stays valid
            for (std::uint32_t i = 0; i < fn.params; ++i)
                st.locals[base + i] = s[sp - fn.params + i];
            sp -= fn.params;
            st.frames.push_back(Frame {f, pc + 3, base, std::uint32_t(sp)});
            fr = &st.frames.back();
            L = st.locals.data() + base;
            localCount = fn.locals;
            floor = sp;
            pc = fn.entry;
            break;
        }
        case Opcode::Ret: {
            PL_NEED(1);
            if (st.frames.size() > 1 && fr->stackBase >= cap)
                PL_FAULT(FaultKind::StackOverflow,
                    QStringLiteral("no room on the caller's stack for the return value"));
            const Value r = s[sp - 1];
            const Frame finished = *fr;
            st.locals.resize(finished.localsBase);
            sp = finished.stackBase;
            st.frames.pop_back();
            ++done;
            if (st.frames.empty()) {
                result = r;
                halted = true;
                goto stopped;
            }
            fr = &st.frames.back();
            L = st.locals.data() + fr->localsBase;
            localCount = functions[fr->function].locals;
            floor = fr->stackBase;
            s[sp++] = r;
            pc = finished.returnPc;
            continue; // counted above
        }
        case Opcode::Halt:
            PL_NEED(1);
            result = s[--sp];
            ++done;
            halted = true;
            goto stopped;
        case Opcode::Count:
        default:
            PL_FAULT(FaultKind::BadState, QStringLiteral("unknown opcode %1 at %2").arg(code[pc]).arg(pc));
        }
        ++done;
    }

stopped:
#undef PL_FAULT
#undef PL_NEED
#undef PL_ROOM
#undef PL_INT
    st.pc = pc;
    st.steps += done;
    st.stack.resize(sp);
    if (halted) {
        st.status = MachineStatus::Halted;
        st.result = result;
    } else if (faultKind != FaultKind::None) {
        st.status = MachineStatus::Faulted;
        st.fault = faultKind;
        st.faultMessage
            = QStringLiteral("%1 at address %2: %3").arg(faultKindName(faultKind)).arg(pc).arg(faultText);
    } else if (st.steps >= m_limits.maxTotalSteps) {
        st.status = MachineStatus::Faulted;
        st.fault = FaultKind::StepBudget;
        st.faultMessage = QStringLiteral("%1 at address %2: the budget of %3 instructions is used up")
                              .arg(faultKindName(FaultKind::StepBudget))
                              .arg(pc)
                              .arg(m_limits.maxTotalSteps);
    }
    return {st.status, done};
}

} // namespace proclab::mobility
