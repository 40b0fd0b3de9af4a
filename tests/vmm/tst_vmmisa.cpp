// The toy ISA and machine: every instruction's semantics in kernel and in user mode,
// the encoding, traps, the MMU and the timer. Programs are small snippets assembled
// here; in user mode the snippet runs with paging off unless a test sets it up.

#include "vmm/toyassembler.h"
#include "vmm/toydisassembler.h"
#include "vmm/toyisa.h"
#include "vmm/toymachine.h"

#include <QtTest>

#include <memory>

using namespace proclab;

namespace {

constexpr std::uint32_t kHandler = 0x0100; // trap vector of the snippets: records and halts

// Assembles @p code at 0 followed by `halt`, with a trap handler at kHandler that halts.
std::unique_ptr<ToyMachine> build(const QString &code, IsaVariant isa = IsaVariant::Clean)
{
    const QString source = QStringLiteral(".org 0\n%1\nend: halt\n.org 0x100\nhandler: halt\n").arg(code);
    std::vector<AsmMessage> errors;
    const auto program = ToyAssembler::assemble(source, AsmOptions {}, &errors);
    if (!program) {
        qWarning() << (errors.empty() ? QString() : errors.front().text());
        return nullptr;
    }
    auto m = std::make_unique<ToyMachine>(isa);
    m->loadImage(program->memory);
    m->sys().vector = kHandler;
    return m;
}

// Runs the machine in @p user or kernel mode until it halts (bounded).
void start(ToyMachine &m, bool user, bool interrupts = false)
{
    m.sys().kernel = !user;
    m.sys().interruptsEnabled = interrupts;
}

std::uint32_t endAddress(const QString &code)
{
    // The `end: halt` line comes right after the code; assemble once more to find it.
    const QString source = QStringLiteral(".org 0\n%1\nend: halt\n").arg(code);
    const auto program = ToyAssembler::assemble(source, AsmOptions {}, nullptr);
    return program ? static_cast<std::uint32_t>(program->symbol(QStringLiteral("end")).value_or(0)) : 0;
}

// In user mode the final HALT traps as a privileged instruction: that is the normal end.
bool endedNormally(const ToyMachine &m, bool user, const QString &code)
{
    if (!m.halted())
        return false;
    if (!user)
        return m.pc() == endAddress(code);
    return m.sys().cause == toy::CausePrivileged && m.sys().epc == endAddress(code) && m.pc() == kHandler;
}

} // namespace

class TestVmmIsa : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void encodeDecodeRoundTrip();
    void decodeRejectsReservedBits_data();
    void decodeRejectsReservedBits();
    void alu_data();
    void alu();
    void r0StaysZero();
    void branches_data();
    void branches();
    void loadStoreKernel();
    void pagingInUserMode();
    void selfModifyingCode();
    void privilegedTrapInUserMode_data();
    void privilegedTrapInUserMode();
    void systemInstructionsInKernelMode();
    void sregRoundTrip();
    void iretRestoresModeAndInterrupts();
    void popfBehaviourSensitive();
    void smswReadsPrivilegedState();
    void syscallTrap();
    void hcallWithoutHypervisor();
    void illegalWord();
    void kernelFaultStopsMachine();
    void timerCountsOnlyWithInterruptsOn();
    void timerInterruptAtExactInstruction();
    void budgetBoundsWork();
};

void TestVmmIsa::encodeDecodeRoundTrip()
{
    QCOMPARE(static_cast<int>(ToyIsa::instructions().size()), 29);
    for (const ToyOpInfo &i : ToyIsa::instructions()) {
        // Fill exactly the fields the format uses, with non-zero values where allowed.
        unsigned rd = 0, rs = 0, rt = 0;
        std::int32_t imm = 0;
        switch (i.format) {
        case ToyFormat::R:
            rd = 3, rs = 4, rt = 5;
            break;
        case ToyFormat::I:
        case ToyFormat::Mem:
            rd = 2, rs = 6, imm = -7;
            break;
        case ToyFormat::Branch:
            rd = 1, rs = 2, imm = 0x1234;
            break;
        case ToyFormat::Jump:
        case ToyFormat::Imm:
            imm = 0x0042;
            break;
        case ToyFormat::Jal:
            rd = 6, imm = 0x0300;
            break;
        case ToyFormat::Jr:
        case ToyFormat::Rs:
            rs = 5;
            break;
        case ToyFormat::Rd:
            rd = 4;
            break;
        case ToyFormat::Out:
            rs = 3, imm = 1;
            break;
        case ToyFormat::Mfsr:
            rd = 2, imm = toy::SregTval;
            break;
        case ToyFormat::Mtsr:
            rs = 2, imm = toy::SregEpc;
            break;
        case ToyFormat::None:
            break;
        }
        const std::uint32_t w = ToyIsa::encode(i.op, rd, rs, rt, imm);
        QCOMPARE(w >> 24, static_cast<std::uint32_t>(i.op));
        const ToyInsn d = ToyIsa::decode(w);
        QCOMPARE(d.op, static_cast<std::uint8_t>(i.op));
        QCOMPARE(unsigned(d.rd), rd);
        QCOMPARE(unsigned(d.rs), rs);
        QCOMPARE(unsigned(d.rt), rt);
        QCOMPARE(d.imm, imm);
        // The disassembly assembles back to the same word.
        const QString text = ToyDisassembler::disassemble(w);
        const auto again = ToyAssembler::assemble(text, AsmOptions {}, nullptr);
        QVERIFY2(again.has_value(), qPrintable(text));
        QCOMPARE(again->memory[0], w);
    }
}

void TestVmmIsa::decodeRejectsReservedBits_data()
{
    QTest::addColumn<std::uint32_t>("word");
    QTest::newRow("zero word") << 0u;
    QTest::newRow("unknown opcode 0x0a") << 0x0A000000u;
    QTest::newRow("unknown opcode 0xff") << 0xFF000000u;
    QTest::newRow("add with low bits") << (ToyIsa::encode(ToyOp::Add, 1, 2, 3, 0) | 1u);
    QTest::newRow("add register 8") << ((0x01u << 24) | (8u << 20) | (1u << 16));
    QTest::newRow("iret with operand") << ((0x31u << 24) | 5u);
    QTest::newRow("jmp with rd") << ((0x1Bu << 24) | (1u << 20) | 5u);
    QTest::newRow("mfsr bad sreg") << ((0x35u << 24) | (1u << 20) | 9u);
    QTest::newRow("mtsr to ptbr") << ((0x36u << 24) | (1u << 16) | toy::SregPtbr);
    QTest::newRow("setpt with imm") << ((0x37u << 24) | (1u << 16) | 1u);
}

void TestVmmIsa::decodeRejectsReservedBits()
{
    QFETCH(std::uint32_t, word);
    QCOMPARE(ToyIsa::decode(word).op, static_cast<std::uint8_t>(ToyOp::Illegal));
    QVERIFY(ToyDisassembler::disassemble(word).startsWith(QLatin1String(".word")));
}

void TestVmmIsa::alu_data()
{
    QTest::addColumn<QString>("op");
    QTest::addColumn<std::uint32_t>("a");
    QTest::addColumn<std::uint32_t>("b");
    QTest::addColumn<std::uint32_t>("expected");
    for (const bool user : {false, true}) {
        const char *mode = user ? "user" : "kernel";
        auto row = [&](const char *name, const char *op, std::uint32_t a, std::uint32_t b, std::uint32_t e) {
            QTest::addRow("%s %s", mode, name) << QString::fromLatin1(op) << a << b << e;
        };
        row("add", "add", 7, 5, 12);
        row("add wraps", "add", 0xFFFFFFFFu, 2, 1);
        row("sub", "sub", 5, 7, 0xFFFFFFFEu);
        row("mul", "mul", 0x10000u, 0x10001u, 0x10000u);
        row("and", "and", 0xF0F0u, 0x0FF0u, 0x00F0u);
        row("or", "or", 0xF000u, 0x000Fu, 0xF00Fu);
        row("xor", "xor", 0xFFFFu, 0x0F0Fu, 0xF0F0u);
        row("shl", "shl", 3, 4, 48);
        row("shl masks count", "shl", 1, 33, 2);
        row("shr logical", "shr", 0x80000000u, 31, 1);
        row("addi negative", "addi", 10, static_cast<std::uint32_t>(-3), 7);
    }
}

void TestVmmIsa::alu()
{
    QFETCH(QString, op);
    QFETCH(std::uint32_t, a);
    QFETCH(std::uint32_t, b);
    QFETCH(std::uint32_t, expected);
    const bool user = QString::fromLatin1(QTest::currentDataTag()).startsWith(QLatin1String("user"));
    QString code = QStringLiteral("ld r1, [va]\nld r2, [vb]\n");
    if (op == QLatin1String("addi"))
        code += QStringLiteral("addi r3, r1, %1\n").arg(static_cast<std::int32_t>(b));
    else
        code += QStringLiteral("%1 r3, r1, r2\n").arg(op);
    code += QStringLiteral("jmp end\nva: .word %1\nvb: .word %2\n").arg(a).arg(b);
    auto m = build(code);
    QVERIFY(m);
    start(*m, user);
    m->run(100);
    QVERIFY(endedNormally(*m, user, code));
    QCOMPARE(m->reg(3), expected);
    QCOMPARE(m->reg(1), a); // sources unchanged
}

void TestVmmIsa::r0StaysZero()
{
    for (const bool user : {false, true}) {
        const QString code
            = QStringLiteral("li r1, 9\nadd r0, r1, r1\naddi r0, r1, 1\nld r0, [v]\njal r0, next\n"
                             "next: add r2, r0, r0\njmp end\nv: .word 77\n");
        auto m = build(code);
        QVERIFY(m);
        start(*m, user);
        m->run(100);
        QVERIFY(endedNormally(*m, user, code));
        QCOMPARE(m->reg(0), 0u);
        QCOMPARE(m->reg(2), 0u);
    }
}

void TestVmmIsa::branches_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<std::uint32_t>("r5");
    // r5 = 1 when the expected path was taken, 2 otherwise.
    const QString tmpl
        = QStringLiteral("li r1, %1\nli r2, %2\n%3 r1, r2, yes\nli r5, 2\njmp end\nyes: li r5, 1\njmp end\n");
    for (const char *mode : {"kernel", "user"}) {
        QTest::addRow("%s beq taken", mode) << tmpl.arg(4).arg(4).arg(QLatin1String("beq")) << 1u;
        QTest::addRow("%s beq not taken", mode) << tmpl.arg(4).arg(5).arg(QLatin1String("beq")) << 2u;
        QTest::addRow("%s bne taken", mode) << tmpl.arg(4).arg(5).arg(QLatin1String("bne")) << 1u;
        QTest::addRow("%s bne not taken", mode) << tmpl.arg(5).arg(5).arg(QLatin1String("bne")) << 2u;
        QTest::addRow("%s blt signed taken", mode) << tmpl.arg(-3).arg(2).arg(QLatin1String("blt")) << 1u;
        QTest::addRow("%s blt equal not taken", mode) << tmpl.arg(2).arg(2).arg(QLatin1String("blt")) << 2u;
        QTest::addRow("%s blt greater not taken", mode)
            << tmpl.arg(3).arg(-2).arg(QLatin1String("blt")) << 2u;
        QTest::addRow("%s jal and jr", mode)
            << QStringLiteral("jal r6, fn\nli r5, 1\njmp end\nfn: mov r4, r6\njr r6\n") << 1u;
    }
}

void TestVmmIsa::branches()
{
    QFETCH(QString, code);
    QFETCH(std::uint32_t, r5);
    const bool user = QString::fromLatin1(QTest::currentDataTag()).startsWith(QLatin1String("user"));
    auto m = build(code);
    QVERIFY(m);
    start(*m, user);
    m->run(100);
    QVERIFY(endedNormally(*m, user, code));
    QCOMPARE(m->reg(5), r5);
    if (code.contains(QLatin1String("jal")))
        QCOMPARE(m->reg(4), 1u); // link = address after the jal at 0
}

void TestVmmIsa::loadStoreKernel()
{
    const QString code = QStringLiteral("li r1, 0x2000\nli r2, 1234\nst r2, [r1 + 5]\nld r3, [r1 + 5]\n"
                                        "st r3, [r1 - 1]\nld r4, [0x1fff]\njmp end\n");
    auto m = build(code);
    QVERIFY(m);
    start(*m, false);
    m->run(100);
    QVERIFY(endedNormally(*m, false, code));
    QCOMPARE(m->readPhys(0x2005), 1234u);
    QCOMPARE(m->reg(3), 1234u);
    QCOMPARE(m->reg(4), 1234u);
}

void TestVmmIsa::pagingInUserMode()
{
    // Page table at 0x0a00: virtual page 0 -> frame 0x0000 (code), page 1 -> frame 0x3000
    // (writable), page 2 -> frame 0x3100 read-only, page 3 unmapped.
    const QString code = QStringLiteral("li r1, 0x0100\nli r2, 55\nst r2, [r1]\nld r3, [r1]\nli r1, 0x0200\n"
                                        "ld r4, [r1]\nst r2, [r1]\njmp end\n");
    auto m = build(code);
    QVERIFY(m);
    m->writePhys(0x0a00 + 0, 0x0000 | toy::kPteValid | toy::kPteWritable);
    m->writePhys(0x0a00 + 1, 0x3000 | toy::kPteValid | toy::kPteWritable);
    m->writePhys(0x0a00 + 2, 0x3100 | toy::kPteValid);
    m->writePhys(0x3100, 99);
    // Kernel mode ignores the MMU register: the kernel sees physical memory.
    m->sys().ptbr = 0x0a00 | toy::kPtbrEnable;
    start(*m, true);
    m->run(100);
    QCOMPARE(m->readPhys(0x3000), 55u); // virtual 0x0100 is physical 0x3000
    QCOMPARE(m->reg(3), 55u);
    QCOMPARE(m->reg(4), 99u); // read through the read-only mapping
    // The store to the read-only page faulted: page fault at its pc, TVAL = virtual address.
    QVERIFY(m->halted());
    QCOMPARE(m->sys().cause, std::uint32_t(toy::CausePageFault));
    QCOMPARE(m->sys().tval, 0x0200u);
    QCOMPARE(m->sys().epc, 6u);
    QCOMPARE(m->readPhys(0x3100), 99u);
    // The MMU's own translation agrees.
    std::uint32_t phys = 0;
    ToySysState s = m->sys();
    s.kernel = false;
    QCOMPARE(m->translate(s, 0x0105, false, &phys), 0u);
    QCOMPARE(phys, 0x3005u);
    QCOMPARE(m->translate(s, 0x0300, false, &phys), std::uint32_t(toy::CausePageFault));
    s.kernel = true;
    QCOMPARE(m->translate(s, 0x0300, false, &phys), 0u);
    QCOMPARE(phys, 0x0300u);
}

void TestVmmIsa::selfModifyingCode()
{
    // Store an instruction word over a later instruction, then run it: predecoding follows.
    const QString code = QStringLiteral("ld r1, [newinsn]\nst r1, [slot]\nslot: li r5, 1\njmp end\n"
                                        "newinsn: .word 0x09500007\n"); // addi r5, r0, 7
    for (const bool user : {false, true}) {
        auto m = build(code);
        QVERIFY(m);
        start(*m, user);
        m->run(100);
        QVERIFY(endedNormally(*m, user, code));
        QCOMPARE(m->reg(5), 7u);
    }
}

void TestVmmIsa::privilegedTrapInUserMode_data()
{
    QTest::addColumn<QString>("insn");
    QTest::addColumn<int>("isa");
    QTest::addColumn<bool>("traps");
    const QStringList privileged = {QStringLiteral("out r1, 1"), QStringLiteral("iret"),
        QStringLiteral("halt"), QStringLiteral("cli"), QStringLiteral("sti"), QStringLiteral("mfsr r1, epc"),
        QStringLiteral("mtsr epc, r1"), QStringLiteral("setpt r1")};
    for (const QString &p : privileged) {
        QTest::addRow("clean %s", qPrintable(p)) << p << int(IsaVariant::Clean) << true;
        QTest::addRow("popf %s", qPrintable(p)) << p << int(IsaVariant::Popf) << true;
    }
    // The two sensitive instructions: privileged on clean, silently unprivileged on popf.
    QTest::newRow("clean popf r1") << QStringLiteral("popf r1") << int(IsaVariant::Clean) << true;
    QTest::newRow("popf popf r1") << QStringLiteral("popf r1") << int(IsaVariant::Popf) << false;
    QTest::newRow("clean smsw r1") << QStringLiteral("smsw r1") << int(IsaVariant::Clean) << true;
    QTest::newRow("popf smsw r1") << QStringLiteral("smsw r1") << int(IsaVariant::Popf) << false;
    QTest::newRow("clean add") << QStringLiteral("add r1, r1, r1") << int(IsaVariant::Clean) << false;
}

void TestVmmIsa::privilegedTrapInUserMode()
{
    QFETCH(QString, insn);
    QFETCH(int, isa);
    QFETCH(bool, traps);
    const QString code = QStringLiteral("li r1, 1\n%1\nli r5, 5\njmp end\n").arg(insn);
    auto m = build(code, static_cast<IsaVariant>(isa));
    QVERIFY(m);
    start(*m, true, true);
    m->run(100);
    QVERIFY(m->halted());
    if (traps) {
        QCOMPARE(m->sys().cause, std::uint32_t(toy::CausePrivileged));
        QCOMPARE(m->sys().epc, 1u); // the faulting instruction, not the next
        QCOMPARE(m->sys().tval, m->readPhys(1));
        QCOMPARE(m->sys().estatus, toy::kStatusIf); // user mode, interrupts were on
        QCOMPARE(m->reg(5), 0u);
        QVERIFY(m->console().empty());
    } else {
        QVERIFY(endedNormally(*m, true, code));
        QCOMPARE(m->reg(5), 5u);
    }
}

void TestVmmIsa::systemInstructionsInKernelMode()
{
    const QString code
        = QStringLiteral("li r1, 'H'\nout r1, 1\nli r1, -42\nout r1, 2\nout r1, 77\nsti\n"
                         "smsw r2\ncli\nsmsw r3\nli r4, 0x0a01\nsetpt r4\nmfsr r6, ptbr\njmp end\n");
    auto m = build(code);
    QVERIFY(m);
    start(*m, false);
    m->run(100);
    QVERIFY(endedNormally(*m, false, code));
    QCOMPARE(QString::fromStdString(m->console()), QStringLiteral("H-42")); // port 77 has no device
    QCOMPARE(m->portWrites(), 3u);
    QCOMPARE(m->reg(2), toy::kStatusKernel | toy::kStatusIf);
    QCOMPARE(m->reg(3), toy::kStatusKernel);
    QCOMPARE(m->sys().ptbr, 0x0a01u);
    QCOMPARE(m->reg(6), 0x0a01u);
}

void TestVmmIsa::sregRoundTrip()
{
    const char *names[] = {"epc", "estatus", "cause", "tval", "vector", "scratch"};
    for (const char *n : names) {
        const QString code
            = QStringLiteral("li r1, 0x1234\nmtsr %1, r1\nmfsr r2, %1\njmp end\n").arg(QLatin1String(n));
        auto m = build(code);
        QVERIFY(m);
        start(*m, false);
        m->run(100);
        QVERIFY2(endedNormally(*m, false, code), n);
        QCOMPARE(m->reg(2), 0x1234u);
    }
    // STATUS written with MTSR changes mode and IF; TIMER written restarts the timer.
    const QString code
        = QStringLiteral("li r1, 100\nmtsr timer, r1\nmfsr r2, timer\nli r1, 3\nmtsr status, r1\n"
                         "mfsr r3, status\njmp end\n");
    auto m = build(code);
    QVERIFY(m);
    start(*m, false);
    m->run(100);
    QVERIFY(endedNormally(*m, false, code));
    QCOMPARE(m->reg(2), 100u);
    QCOMPARE(m->reg(3), 3u);
    QVERIFY(m->sys().interruptsEnabled);
}

void TestVmmIsa::iretRestoresModeAndInterrupts()
{
    // Return to user mode at `user`, with IF on; the user code then traps on `halt`.
    const QString code = QStringLiteral("li r1, user\nmtsr epc, r1\nli r1, 1\nmtsr estatus, r1\niret\n"
                                        "user: li r5, 9\nhalt\n");
    auto m = build(code);
    QVERIFY(m);
    start(*m, false);
    m->run(100);
    QVERIFY(m->halted());
    QCOMPARE(m->reg(5), 9u);
    QCOMPARE(m->sys().cause, std::uint32_t(toy::CausePrivileged)); // user-mode halt trapped
    QCOMPARE(m->sys().estatus, toy::kStatusIf); // it ran in user mode, IF on
}

void TestVmmIsa::popfBehaviourSensitive()
{
    for (const IsaVariant isa : {IsaVariant::Clean, IsaVariant::Popf}) {
        // Kernel mode: POPF sets and clears IF on both ISAs.
        auto m
            = build(QStringLiteral("li r1, 1\npopf r1\nsmsw r2\nli r1, 0\npopf r1\nsmsw r3\njmp end\n"), isa);
        QVERIFY(m);
        start(*m, false);
        m->run(100);
        QCOMPARE(m->reg(2), toy::kStatusKernel | toy::kStatusIf);
        QCOMPARE(m->reg(3), toy::kStatusKernel);
    }
    // User mode on the popf ISA: no trap, and IF silently unchanged (either way).
    for (const bool ifOn : {false, true}) {
        const QString code = QStringLiteral("li r1, %1\npopf r1\nli r5, 5\njmp end\n").arg(ifOn ? 0 : 1);
        auto m = build(code, IsaVariant::Popf);
        QVERIFY(m);
        start(*m, true, ifOn);
        m->run(3);
        QCOMPARE(m->reg(5), 5u);
        QCOMPARE(m->sys().interruptsEnabled, ifOn);
        QVERIFY(!m->sys().kernel);
    }
}

void TestVmmIsa::smswReadsPrivilegedState()
{
    auto m = build(QStringLiteral("smsw r2\njmp end\n"), IsaVariant::Popf);
    QVERIFY(m);
    start(*m, true, true);
    m->run(100);
    QCOMPARE(m->reg(2), toy::kStatusIf); // user mode shows: no kernel bit
    QCOMPARE(m->slipped(), 0u);
    auto g = build(QStringLiteral("smsw r2\njmp end\n"), IsaVariant::Popf);
    QVERIFY(g);
    g->setDeprivilegedKernel(true); // this user-mode code stands for a guest kernel
    start(*g, true, true);
    g->run(1);
    QCOMPARE(g->slipped(), 1u);
    QCOMPARE(g->firstSlipPc(), 0u);
    QCOMPARE(g->reg(2), toy::kStatusIf); // it learns the truth: it is not in kernel mode
}

void TestVmmIsa::syscallTrap()
{
    const QString code = QStringLiteral("li r1, 3\nsyscall 42\nli r5, 1\njmp end\n");
    auto m = build(code);
    QVERIFY(m);
    start(*m, true, true);
    const auto entries = m->trapsDelivered();
    m->run(2);
    QCOMPARE(m->pc(), kHandler);
    QVERIFY(m->sys().kernel);
    QVERIFY(!m->sys().interruptsEnabled);
    QCOMPARE(m->sys().cause, std::uint32_t(toy::CauseSyscall));
    QCOMPARE(m->sys().tval, 42u);
    QCOMPARE(m->sys().epc, 2u); // the instruction after the syscall
    QCOMPARE(m->sys().estatus, toy::kStatusIf);
    QCOMPARE(m->retired(), 2u); // a system call completes; a fault does not
    QCOMPARE(m->trapsDelivered(), entries + 1);
}

void TestVmmIsa::hcallWithoutHypervisor()
{
    auto m = build(QStringLiteral("hcall 3\njmp end\n"));
    QVERIFY(m);
    start(*m, true);
    m->run(1);
    QCOMPARE(m->sys().cause, std::uint32_t(toy::CauseHypercall));
    QCOMPARE(m->sys().epc, 0u);
    auto k = build(QStringLiteral("hcall 3\njmp end\n"));
    QVERIFY(k);
    start(*k, false);
    QCOMPARE(k->run(10).stop, MachineStop::Fault);
    QVERIFY(k->faultText().contains(QLatin1String("hypercall")));
}

void TestVmmIsa::illegalWord()
{
    auto m = build(QStringLiteral(".word 0x0a000000\njmp end\n"));
    QVERIFY(m);
    start(*m, true);
    m->run(10);
    QCOMPARE(m->sys().cause, std::uint32_t(toy::CauseIllegal));
    QCOMPARE(m->sys().tval, 0x0a000000u);
    QCOMPARE(m->retired(), 1u); // only the handler's halt
}

void TestVmmIsa::kernelFaultStopsMachine()
{
    // A kernel load beyond memory, then a jump into zeroed memory: both stop the machine.
    auto m = build(QStringLiteral("li r1, 0x7fff\nld r2, [r1 + 1]\njmp end\n"));
    QVERIFY(m);
    start(*m, false);
    const MachineResult r = m->run(100);
    QCOMPARE(r.stop, MachineStop::Fault);
    QCOMPARE(m->faultText(), QStringLiteral("kernel fault: bus error at pc 0x0001 (value 0x8000)"));
    QCOMPARE(m->run(100).stop, MachineStop::Fault); // stays stopped

    auto z = build(QStringLiteral("jmp 0x4000\n"));
    QVERIFY(z);
    start(*z, false);
    QCOMPARE(z->run(100).stop, MachineStop::Fault);
    QVERIFY(z->faultText().contains(QLatin1String("illegal instruction at pc 0x4000")));
}

void TestVmmIsa::timerCountsOnlyWithInterruptsOn()
{
    // Kernel loop with IF off: the timer does not advance; with IF on it interrupts.
    const QString code = QStringLiteral("li r1, 10\nmtsr timer, r1\nloop: addi r5, r5, 1\njmp loop\n");
    auto m = build(code);
    QVERIFY(m);
    start(*m, false, false);
    m->run(1000);
    QVERIFY(!m->interruptPending());
    QCOMPARE(m->timerLeft(), 10u);
    QCOMPARE(m->trapsDelivered(), 0u);
    m->sys().interruptsEnabled = true;
    m->run(1000);
    QCOMPARE(m->interruptsDelivered(), 1u);
    QCOMPARE(m->sys().cause, std::uint32_t(toy::CauseTimer));
}

void TestVmmIsa::timerInterruptAtExactInstruction()
{
    // Period 7 in a user loop: the interrupt arrives after exactly 7 retired instructions.
    const QString code = QStringLiteral("loop: addi r5, r5, 1\njmp loop\n");
    auto m = build(code);
    QVERIFY(m);
    m->setTimerPeriod(7);
    start(*m, true, true);
    m->run(7);
    // Delivered at the boundary after the seventh instruction, before the next one.
    QVERIFY(!m->interruptPending());
    QCOMPARE(m->reg(5), 4u); // addi, jmp, addi, jmp, addi, jmp, addi
    QCOMPARE(m->sys().epc, 1u);
    QCOMPARE(m->sys().cause, std::uint32_t(toy::CauseTimer));
    QCOMPARE(m->pc(), kHandler);
    QVERIFY(!m->halted());
    m->run(1);
    QVERIFY(m->halted());
}

void TestVmmIsa::budgetBoundsWork()
{
    auto m = build(QStringLiteral("loop: jmp loop\n"));
    QVERIFY(m);
    start(*m, false);
    for (const std::uint64_t n : {1ull, 2ull, 1000ull, 123457ull}) {
        const auto before = m->retired();
        QCOMPARE(m->run(n).stop, MachineStop::Budget);
        QCOMPARE(m->retired() - before, n);
    }
}

QTEST_APPLESS_MAIN(TestVmmIsa)
#include "tst_vmmisa.moc"
