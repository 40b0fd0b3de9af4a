// The abstract machine: every instruction, every fault, slicing at any boundary.
#include "mobility/codesegment.h"
#include "mobility/interpreter.h"
#include "mobilitytestutil.h"

#include <QTest>

#include <cmath>
#include <limits>
#include <random>

using namespace proclab::mobility;
using namespace proclab::mobility::testutil;

Q_DECLARE_METATYPE(proclab::mobility::Value)
Q_DECLARE_METATYPE(proclab::mobility::FaultKind)

class TestInterpreter : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void instructions_data();
    void instructions();
    void shippedProgramsAgreeWithCpp();
    void integrationIsBitExact();
    void slicesGiveTheSameComputation();
    void faults_data();
    void faults();
    void faultsInRawCode_data();
    void faultsInRawCode();
    void faultedStateStaysPut();
    void stepBudgetCountsExactly();
    void badStateIsAFault();
    void randomCodeNeverEscapesItsLimits();
};

namespace {

Value I(std::int64_t v)
{
    return Value::ofInt(v);
}
Value F(double v)
{
    return Value::ofFloat(v);
}

/// One function "main" made of raw bytes.
std::optional<Computation> raw(std::vector<std::uint8_t> bytes, std::vector<Value> constants = {},
    std::uint16_t locals = 0, std::size_t globals = 0)
{
    QString error;
    auto code = CodeSegment::create(QStringLiteral("raw"), std::move(bytes), std::move(constants),
        {FunctionInfo {QStringLiteral("main"), 0, 0, locals}}, 0, MachineLimits {}, &error);
    if (!code) {
        qWarning("%s", qPrintable(error));
        return std::nullopt;
    }
    DataSegment data;
    data.globals.assign(globals, I(0));
    data.globalNames.assign(globals, QString());
    return Computation::start(std::move(*code), std::move(data));
}

std::vector<std::uint8_t> op(Opcode o, std::uint32_t operand = 0)
{
    std::vector<std::uint8_t> b {std::uint8_t(o)};
    for (int i = 0; i < operandBytes(opcodeInfo(o).operand); ++i)
        b.push_back(std::uint8_t(operand >> (8 * i)));
    return b;
}

std::vector<std::uint8_t> cat(std::initializer_list<std::vector<std::uint8_t>> parts)
{
    std::vector<std::uint8_t> out;
    for (const auto &p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

} // namespace

void TestInterpreter::instructions_data()
{
    QTest::addColumn<QString>("source");
    QTest::addColumn<Value>("expected");
    const std::int64_t min = std::numeric_limits<std::int64_t>::min();
    const std::int64_t max = std::numeric_limits<std::int64_t>::max();

    QTest::newRow("push ret") << mainOnly(QStringLiteral("push 42\nret")) << I(42);
    QTest::newRow("hex") << mainOnly(QStringLiteral("push 0x10\nret")) << I(16);
    QTest::newRow("add") << mainOnly(QStringLiteral("push 2\npush 3\nadd\nret")) << I(5);
    QTest::newRow("add wraps") << mainOnly(QStringLiteral("push %1\npush 1\nadd\nret").arg(max)) << I(min);
    QTest::newRow("add mixed") << mainOnly(QStringLiteral("push 1\npush 0.5\nadd\nret")) << F(1.5);
    QTest::newRow("sub") << mainOnly(QStringLiteral("push 2\npush 5\nsub\nret")) << I(-3);
    QTest::newRow("mul") << mainOnly(QStringLiteral("push -4\npush 6\nmul\nret")) << I(-24);
    QTest::newRow("mul float") << mainOnly(QStringLiteral("push 1.5\npush 4\nmul\nret")) << F(6.0);
    QTest::newRow("div truncates") << mainOnly(QStringLiteral("push -7\npush 2\ndiv\nret")) << I(-3);
    QTest::newRow("div float") << mainOnly(QStringLiteral("push 7.0\npush 2\ndiv\nret")) << F(3.5);
    QTest::newRow("div min by -1 wraps")
        << mainOnly(QStringLiteral("push %1\npush -1\ndiv\nret").arg(min)) << I(min);
    QTest::newRow("float div by zero is IEEE") << mainOnly(QStringLiteral("push 1.0\npush 0\ndiv\nret"))
                                               << F(std::numeric_limits<double>::infinity());
    QTest::newRow("mod sign of dividend") << mainOnly(QStringLiteral("push -7\npush 3\nmod\nret")) << I(-1);
    QTest::newRow("mod by -1") << mainOnly(QStringLiteral("push %1\npush -1\nmod\nret").arg(min)) << I(0);
    QTest::newRow("neg") << mainOnly(QStringLiteral("push 5\nneg\nret")) << I(-5);
    QTest::newRow("neg float") << mainOnly(QStringLiteral("push 2.5\nneg\nret")) << F(-2.5);
    QTest::newRow("lt mixed") << mainOnly(QStringLiteral("push 1\npush 1.5\nlt\nret")) << I(1);
    QTest::newRow("le") << mainOnly(QStringLiteral("push 3\npush 3\nle\nret")) << I(1);
    QTest::newRow("gt") << mainOnly(QStringLiteral("push 3\npush 4\ngt\nret")) << I(0);
    QTest::newRow("ge") << mainOnly(QStringLiteral("push 4\npush 3\nge\nret")) << I(1);
    QTest::newRow("eq mixed") << mainOnly(QStringLiteral("push 2\npush 2.0\neq\nret")) << I(1);
    // As doubles these two are the same number; as integers they differ, and integers compare exactly.
    QTest::newRow("eq exact for big integers")
        << mainOnly(QStringLiteral("push 9007199254740993\npush 9007199254740992\neq\nret")) << I(0);
    QTest::newRow("ne") << mainOnly(QStringLiteral("push 1\npush 2\nne\nret")) << I(1);
    QTest::newRow("nan is not equal to itself")
        << mainOnly(QStringLiteral("push 0.0\npush 0.0\ndiv\ndup\neq\nret")) << I(0);
    QTest::newRow("not") << mainOnly(QStringLiteral("push 0\nnot\nret")) << I(1);
    QTest::newRow("and") << mainOnly(QStringLiteral("push 2\npush 0\nand\nret")) << I(0);
    QTest::newRow("or") << mainOnly(QStringLiteral("push 0\npush -3\nor\nret")) << I(1);
    QTest::newRow("itof") << mainOnly(QStringLiteral("push 7\nitof\nret")) << F(7.0);
    QTest::newRow("ftoi truncates") << mainOnly(QStringLiteral("push -2.9\nftoi\nret")) << I(-2);
    QTest::newRow("sqrt") << mainOnly(QStringLiteral("push 2.0\nsqrt\nret")) << F(std::sqrt(2.0));
    QTest::newRow("sqrt of int") << mainOnly(QStringLiteral("push 16\nsqrt\nret")) << F(4.0);
    QTest::newRow("dup") << mainOnly(QStringLiteral("push 3\ndup\nmul\nret")) << I(9);
    QTest::newRow("swap") << mainOnly(QStringLiteral("push 1\npush 2\nswap\nsub\nret")) << I(1);
    QTest::newRow("over") << mainOnly(QStringLiteral("push 5\npush 1\nover\nsub\nret")) << I(-4);
    QTest::newRow("pop") << mainOnly(QStringLiteral("push 1\npush 2\npop\nret")) << I(1);
    QTest::newRow("nop") << mainOnly(QStringLiteral("nop\npush 8\nnop\nret")) << I(8);
    QTest::newRow("locals") << mainOnly(QStringLiteral(".local a\npush 6\nstore a\nload a\nload 0\nmul\nret"))
                            << I(36);
    QTest::newRow("globals") << mainOnly(
        QStringLiteral("gload g\npush 1\nadd\ngstore g\ngload 0\nret"), QStringLiteral(".global g 10"))
                             << I(11);
    QTest::newRow("float global") << mainOnly(
        QStringLiteral("gload g\nret"), QStringLiteral(".global g -0.25"))
                                  << F(-0.25);
    QTest::newRow("const") << mainOnly(QStringLiteral("push k\nret"), QStringLiteral(".const k 99")) << I(99);
    QTest::newRow("array") << mainOnly(
        QStringLiteral("push arr\npush 2\nadd\npush 7\nhstore\npush arr\npush 2\nadd\nhload\nret"),
        QStringLiteral(".array pad 4\n.array arr 3"))
                           << I(7);
    QTest::newRow("array base") << mainOnly(
        QStringLiteral("push arr\nret"), QStringLiteral(".array pad 4\n.array arr 3"))
                                << I(4);
    QTest::newRow("alloc grows the heap") << mainOnly(
        QStringLiteral(".local b\npush 5\nalloc\nstore b\nload b\npush 4\nadd\npush 9\nhstore\n"
                       "load b\npush 4\nadd\nhload\nload b\nadd\nret"),
        QStringLiteral(".array pad 2")) << I(9 + 2);
    QTest::newRow("loop sums 1..10") << mainOnly(QStringLiteral(
        ".local i s\npush 1\nstore i\nloop:\nload i\npush 10\nle\njz done\n"
        "load s\nload i\nadd\nstore s\nload i\npush 1\nadd\nstore i\njmp loop\n"
        "done:\nload s\nret")) << I(55);
    QTest::newRow("jnz on float zero not taken")
        << mainOnly(QStringLiteral("push 0.0\njnz yes\npush 1\nret\nyes:\npush 2\nret")) << I(1);
    QTest::newRow("call passes arguments in order") << QStringLiteral(
        ".func f a b c\nload a\nload b\nload c\nmul\nsub\nret\n.end\n.func main\npush 10\npush 2\npush "
        "3\ncall f\nret\n.end") << I(4);
    QTest::newRow("callee locals start at zero")
        << QStringLiteral(".func f\n.local x\nload x\nret\n.end\n.func main\npush 5\ncall f\nadd\nret\n.end")
        << I(5);
    QTest::newRow("halt in a callee ends everything")
        << QStringLiteral(".func f\npush 77\nhalt\n.end\n.func main\ncall f\npush 1\nret\n.end") << I(77);
}

void TestInterpreter::instructions()
{
    QFETCH(QString, source);
    QFETCH(Value, expected);
    auto c = assemble(source);
    QVERIFY(c);
    const Computation done = finished(*c);
    QVERIFY2(done.state.status == MachineStatus::Halted, qPrintable(done.state.faultMessage));
    QCOMPARE(done.state.result.toString(), expected.toString());
    QVERIFY(done.state.result == expected);
}

void TestInterpreter::shippedProgramsAgreeWithCpp()
{
    // The same counts computed another way, in C++.
    const int limit = 20000;
    std::vector<bool> composite(limit, false);
    int primes = 0;
    for (int i = 2; i < limit; ++i) {
        if (composite[std::size_t(i)])
            continue;
        ++primes;
        for (long j = long(i) * i; j < limit; j += i)
            composite[std::size_t(j)] = true;
    }
    const Computation trial = finished(shipped(QStringLiteral("primes"), {{QStringLiteral("hi"), I(limit)}}));
    QVERIFY2(trial.state.status == MachineStatus::Halted, qPrintable(trial.state.faultMessage));
    QCOMPARE(trial.state.result, I(primes));
    QCOMPARE(trial.data.globals[std::size_t(trial.data.globalIndex(QStringLiteral("found")))], I(primes));
    const Computation sieve
        = finished(shipped(QStringLiteral("sieve"), {{QStringLiteral("limit"), I(limit)}}));
    QCOMPARE(sieve.state.result, I(primes));
    QCOMPARE(sieve.data.heap.size(), std::size_t(limit)); // alloc'd at run time

    std::int64_t factorial = 1;
    for (int k = 2; k <= 20; ++k)
        factorial *= k;
    QCOMPARE(finished(shipped(QStringLiteral("factorial"))).state.result, I(factorial));

    std::int64_t a = 0, b = 1;
    for (int k = 0; k < 22; ++k) {
        const std::int64_t t = a + b;
        a = b;
        b = t;
    }
    QCOMPARE(finished(shipped(QStringLiteral("fibonacci"))).state.result, I(a));
}

void TestInterpreter::integrationIsBitExact()
{
    // The same operations in the same order in C++: the machine adds no rounding of its own.
    const std::int64_t n = 1000;
    const double lo = 0.0, hi = 1.0;
    const double h = (hi - lo) / double(n);
    double sum = 0.0;
    for (std::int64_t i = 0; i < n; ++i) {
        const double x = lo + (double(i) + 0.5) * h;
        sum = 4.0 / (1.0 + x * x) + sum;
    }
    const Computation c = finished(shipped(QStringLiteral("integrate"), {{QStringLiteral("n"), I(n)}}));
    QVERIFY2(c.state.status == MachineStatus::Halted, qPrintable(c.state.faultMessage));
    QCOMPARE(c.state.result, F(sum * h));
    QVERIFY(std::abs(c.state.result.asFloat() - M_PI) < 1e-6);
}

void TestInterpreter::slicesGiveTheSameComputation()
{
    std::mt19937 rng(7);
    const QList<Computation> programs {
        shipped(QStringLiteral("primes"), {{QStringLiteral("hi"), I(3000)}}),
        shipped(QStringLiteral("sieve"), {{QStringLiteral("limit"), I(2000)}}),
        shipped(QStringLiteral("fibonacci"), {{QStringLiteral("n"), I(12)}}),
        shipped(QStringLiteral("integrate"), {{QStringLiteral("n"), I(300)}}),
        shipped(QStringLiteral("factorial")),
    };
    for (const Computation &program : programs) {
        const Computation whole = finished(program);
        QVERIFY(whole.state.status == MachineStatus::Halted);
        // One instruction at a time: the machine can stop at every boundary.
        Computation single = program;
        Interpreter one(single);
        std::uint64_t calls = 0;
        while (!single.finished()) {
            const RunOutcome o = one.run(1);
            QCOMPARE(o.stepsRun, std::uint64_t(1));
            ++calls;
        }
        QCOMPARE(calls, whole.state.steps);
        QVERIFY(single == whole);
        // Random slice lengths.
        Computation sliced = program;
        Interpreter some(sliced);
        while (!sliced.finished())
            some.run(1 + rng() % 50);
        QVERIFY(sliced == whole);
    }
}

void TestInterpreter::faults_data()
{
    QTest::addColumn<QString>("source");
    QTest::addColumn<FaultKind>("kind");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("instruction");

    QTest::newRow("operand stack overflow") << mainOnly(QStringLiteral("loop:\npush 1\njmp loop"))
                                            << FaultKind::StackOverflow << "operand stack is full"
                                            << "push 1";
    QTest::newRow("call depth overflow")
        << QStringLiteral(".func f\ncall f\nret\n.end\n.func main\ncall f\nret\n.end")
        << FaultKind::StackOverflow << "call depth limit"
        << "call f";
    QTest::newRow("integer division by zero") << mainOnly(QStringLiteral("push 1\npush 0\ndiv\nret"))
                                              << FaultKind::DivisionByZero << "division of 1 by zero"
                                              << "div";
    QTest::newRow("remainder by zero") << mainOnly(QStringLiteral("push 5\npush 0\nmod\nret"))
                                       << FaultKind::DivisionByZero << "remainder of 5 by zero"
                                       << "mod";
    QTest::newRow("pop on empty") << mainOnly(QStringLiteral("pop\npush 1\nret")) << FaultKind::StackUnderflow
                                  << "needs 1 operands"
                                  << "pop";
    QTest::newRow("add with one operand") << mainOnly(QStringLiteral("push 1\nadd\nret"))
                                          << FaultKind::StackUnderflow << "needs 2 operands, the frame has 1"
                                          << "add";
    QTest::newRow("callee cannot pop its caller's values")
        << QStringLiteral(".func f\npop\npush 0\nret\n.end\n.func main\npush 1\npush 2\ncall f\nret\n.end")
        << FaultKind::StackUnderflow << "the frame has 0"
        << "pop";
    QTest::newRow("ret with nothing")
        << mainOnly(QStringLiteral("ret")) << FaultKind::StackUnderflow << "ret needs 1"
        << "ret";
    QTest::newRow("mod of a float") << mainOnly(QStringLiteral("push 1.5\npush 2\nmod\nret"))
                                    << FaultKind::TypeError << "needs an integer dividend"
                                    << "mod";
    QTest::newRow("not of a float") << mainOnly(QStringLiteral("push 1.0\nnot\nret")) << FaultKind::TypeError
                                    << "integer"
                                    << "not";
    QTest::newRow("itof of a float") << mainOnly(QStringLiteral("push 1.0\nitof\nret"))
                                     << FaultKind::TypeError << "integer"
                                     << "itof";
    QTest::newRow("ftoi of an int") << mainOnly(QStringLiteral("push 1\nftoi\nret")) << FaultKind::TypeError
                                    << "needs a float"
                                    << "ftoi";
    QTest::newRow("float heap index")
        << mainOnly(QStringLiteral("push 0.0\nhload\nret"), QStringLiteral(".array a 2"))
        << FaultKind::TypeError << "heap index"
        << "hload";
    QTest::newRow("heap index past the end")
        << mainOnly(QStringLiteral("push 2\nhload\nret"), QStringLiteral(".array a 2"))
        << FaultKind::HeapBounds << "heap index 2 outside the heap of 2"
        << "hload";
    QTest::newRow("negative heap index")
        << mainOnly(QStringLiteral("push -1\npush 5\nhstore\npush 0\nret"), QStringLiteral(".array a 2"))
        << FaultKind::HeapBounds << "heap index -1"
        << "hstore";
    QTest::newRow("alloc past the limit") << mainOnly(QStringLiteral("push 2000000\nalloc\nret"))
                                          << FaultKind::OutOfMemory << "alloc of 2000000 cells"
                                          << "alloc";
    QTest::newRow("negative alloc") << mainOnly(QStringLiteral("push -1\nalloc\nret"))
                                    << FaultKind::OutOfMemory << "negative"
                                    << "alloc";
    QTest::newRow("ftoi out of range") << mainOnly(QStringLiteral("push 1e300\nftoi\nret"))
                                       << FaultKind::ConversionRange << "no 64-bit integer"
                                       << "ftoi";
    QTest::newRow("ftoi of nan") << mainOnly(QStringLiteral("push 0.0\npush 0.0\ndiv\nftoi\nret"))
                                 << FaultKind::ConversionRange << "nan"
                                 << "ftoi";
    QTest::newRow("jump to the end of the code")
        << mainOnly(QStringLiteral("jmp end\npush 1\nret\nend:")) << FaultKind::BadJump << "outside the code"
        << "jmp 11";
}

void TestInterpreter::faults()
{
    QFETCH(QString, source);
    QFETCH(FaultKind, kind);
    QFETCH(QString, message);
    QFETCH(QString, instruction);
    auto c = assemble(source);
    QVERIFY(c);
    MachineLimits limits;
    limits.maxFrames = 64; // deep recursion faults quickly
    const Computation done = finished(*c, limits);
    QCOMPARE(done.state.status, MachineStatus::Faulted);
    QCOMPARE(faultKindName(done.state.fault), faultKindName(kind));
    QVERIFY2(
        done.state.faultMessage.contains(message, Qt::CaseInsensitive), qPrintable(done.state.faultMessage));
    QVERIFY2(done.state.faultMessage.contains(QStringLiteral("at address %1").arg(done.state.pc)),
        qPrintable(done.state.faultMessage));
    // The program counter names the faulting instruction.
    QCOMPARE(done.code.disassemble(done.state.pc), instruction);
}

void TestInterpreter::faultsInRawCode_data()
{
    QTest::addColumn<std::vector<std::uint8_t>>("bytes");
    QTest::addColumn<int>("locals");
    QTest::addColumn<int>("globals");
    QTest::addColumn<FaultKind>("kind");
    QTest::addColumn<QString>("message");

    QTest::newRow("jump outside the code")
        << op(Opcode::Jmp, 9999) << 0 << 0 << FaultKind::BadJump << "jump to 9999, outside the code";
    QTest::newRow("jump into an instruction")
        << op(Opcode::Jmp, 1) << 0 << 0 << FaultKind::BadJump << "middle of an instruction";
    QTest::newRow("jz into an instruction")
        << cat({op(Opcode::Push, 0), op(Opcode::Jz, 2)}) << 0 << 0 << FaultKind::BadJump << "jump to 2";
    QTest::newRow("running off the end")
        << op(Opcode::Nop) << 0 << 0 << FaultKind::BadJump << "ran past the end";
    QTest::newRow("missing local") << cat({op(Opcode::Load, 3), op(Opcode::Ret)}) << 1 << 0
                                   << FaultKind::BadIndex << "local 3 does not exist (the function has 1)";
    QTest::newRow("missing global") << cat({op(Opcode::GLoad, 5), op(Opcode::Ret)}) << 0 << 2
                                    << FaultKind::BadIndex << "global 5 does not exist (there are 2)";
}

void TestInterpreter::faultsInRawCode()
{
    QFETCH(std::vector<std::uint8_t>, bytes);
    QFETCH(int, locals);
    QFETCH(int, globals);
    QFETCH(FaultKind, kind);
    QFETCH(QString, message);
    auto c = raw(bytes, {I(0)}, std::uint16_t(locals), std::size_t(globals));
    QVERIFY(c);
    const Computation done = finished(*c);
    QCOMPARE(done.state.status, MachineStatus::Faulted);
    QCOMPARE(faultKindName(done.state.fault), faultKindName(kind));
    QVERIFY2(done.state.faultMessage.contains(message), qPrintable(done.state.faultMessage));
}

void TestInterpreter::faultedStateStaysPut()
{
    auto c = assemble(mainOnly(QStringLiteral("push 3\npush 0\ndiv\nret")));
    QVERIFY(c);
    Interpreter vm(*c);
    const RunOutcome first = vm.run(100);
    QCOMPARE(first.status, MachineStatus::Faulted);
    QCOMPARE(first.stepsRun, std::uint64_t(2)); // the faulting instruction does not count
    QCOMPARE(c->state.steps, std::uint64_t(2));
    QCOMPARE(c->state.stack.size(), std::size_t(2)); // its operands are still there
    const Computation before = *c;
    const RunOutcome again = vm.run(100);
    QCOMPARE(again.stepsRun, std::uint64_t(0));
    QVERIFY(*c == before);
}

void TestInterpreter::stepBudgetCountsExactly()
{
    auto c = assemble(mainOnly(QStringLiteral("loop:\njmp loop")));
    QVERIFY(c);
    MachineLimits limits;
    limits.maxTotalSteps = 1000;
    Interpreter vm(*c, limits);
    // Slices that do not divide the budget: it is still exact.
    while (!c->finished())
        vm.run(7);
    QCOMPARE(c->state.status, MachineStatus::Faulted);
    QCOMPARE(c->state.fault, FaultKind::StepBudget);
    QCOMPARE(c->state.steps, std::uint64_t(1000));
    QVERIFY(c->state.faultMessage.contains(QStringLiteral("1000 instructions")));
}

void TestInterpreter::badStateIsAFault()
{
    auto c = assemble(mainOnly(QStringLiteral("push 1\npush 2\nadd\nret")));
    QVERIFY(c);
    Computation midInstruction = *c;
    midInstruction.state.pc = 1; // inside "push"
    Interpreter(midInstruction).run(10);
    QCOMPARE(midInstruction.state.fault, FaultKind::BadState);
    QVERIFY2(midInstruction.state.faultMessage.contains(QStringLiteral("not at an instruction")),
        qPrintable(midInstruction.state.faultMessage));

    Computation noFrames = *c;
    noFrames.state.frames.clear();
    Interpreter(noFrames).run(10);
    QCOMPARE(noFrames.state.fault, FaultKind::BadState);

    Computation wrongLocals = *c;
    wrongLocals.state.locals.push_back(I(1));
    Interpreter(wrongLocals).run(10);
    QCOMPARE(wrongLocals.state.fault, FaultKind::BadState);
    QVERIFY2(wrongLocals.state.faultMessage.contains(QStringLiteral("locals")),
        qPrintable(wrongLocals.state.faultMessage));

    Computation floorAboveStack = *c;
    floorAboveStack.state.frames[0].stackBase = 5;
    Interpreter(floorAboveStack).run(10);
    QCOMPARE(floorAboveStack.state.fault, FaultKind::BadState);
}

void TestInterpreter::randomCodeNeverEscapesItsLimits()
{
    // Any instruction stream that decodes, with any operands, ends in a halt, a fault
    // or a pause within the limits: never a crash (run this under ASan/UBSan too).
    std::mt19937_64 rng(42);
    MachineLimits limits;
    limits.maxStackValues = 32;
    limits.maxFrames = 8;
    limits.maxLocalsTotal = 40;
    limits.maxHeapCells = 64;
    limits.maxTotalSteps = 3000;
    int halted = 0, faulted = 0;
    const std::vector<Value> constants {I(0), I(1), I(-1), I(7), I(std::numeric_limits<std::int64_t>::min()),
        F(0.5), F(-0.0), F(1e300), F(std::nan("")), I(40)};
    for (int trial = 0; trial < 3000; ++trial) {
        std::vector<std::uint8_t> code;
        const int length = 1 + int(rng() % 40);
        std::vector<std::uint32_t> starts;
        for (int k = 0; k < length; ++k) {
            starts.push_back(std::uint32_t(code.size()));
            const auto o = Opcode(rng() % std::uint64_t(Opcode::Count));
            std::uint32_t operand = 0;
            switch (opcodeInfo(o).operand) {
            case OperandKind::Constant:
                operand = std::uint32_t(rng() % constants.size());
                break;
            case OperandKind::Function:
                operand = std::uint32_t(rng() % 2);
                break;
            case OperandKind::Local:
            case OperandKind::Global:
                operand = std::uint32_t(rng() % 5);
                break;
            case OperandKind::Target:
                operand = std::uint32_t(
                    rng() % (std::uint64_t(length) * 5 + 8)); // boundaries, middles and beyond
                break;
            case OperandKind::None:
                break;
            }
            const auto bytes = op(o, operand);
            code.insert(code.end(), bytes.begin(), bytes.end());
        }
        const std::uint32_t second = starts[rng() % starts.size()];
        QString error;
        auto segment = CodeSegment::create(QStringLiteral("random"), code, constants,
            {FunctionInfo {QStringLiteral("main"), 0, 0, 3},
                FunctionInfo {QStringLiteral("f"), second, std::uint16_t(rng() % 3), 3}},
            0, limits, &error);
        QVERIFY2(segment, qPrintable(error));
        DataSegment data;
        data.globals.assign(3, I(0));
        data.globalNames.assign(3, QString());
        data.heap.assign(4, I(0));
        Computation c = Computation::start(std::move(*segment), std::move(data));
        Interpreter vm(c, limits);
        while (!c.finished())
            vm.run(1 + rng() % 100);
        QVERIFY(c.state.steps <= limits.maxTotalSteps);
        QVERIFY(c.state.stack.size() <= limits.maxStackValues);
        QVERIFY(c.state.frames.size() <= limits.maxFrames);
        QVERIFY(c.state.locals.size() <= limits.maxLocalsTotal);
        QVERIFY(c.data.heap.size() <= limits.maxHeapCells);
        if (c.state.status == MachineStatus::Faulted) {
            QVERIFY(c.state.fault != FaultKind::None);
            QVERIFY(!c.state.faultMessage.isEmpty());
            ++faulted;
        } else {
            ++halted;
        }
    }
    // Both outcomes happen: the generator is not trivially faulting everything.
    QVERIFY(halted > 0);
    QVERIFY(faulted > 0);
}

QTEST_APPLESS_MAIN(TestInterpreter)
#include "tst_interpreter.moc"
