// The assembler and disassembler: encodings, symbols and expressions, scoped user
// programs, conditional assembly and includes, and error messages that name the line
// and column. Every shipped guest assembles in both kernel variants.

#include "vmm/guestlibrary.h"
#include "vmm/toyassembler.h"
#include "vmm/toydisassembler.h"
#include "vmm/toyisa.h"

#include <QtTest>

using namespace proclab;

namespace {

std::optional<AsmProgram> assemble(const QString &source, std::vector<AsmMessage> *errors = nullptr,
    const AsmOptions &options = AsmOptions {})
{
    return ToyAssembler::assemble(source, options, errors);
}

} // namespace

class TestVmmAssembler : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void encodesEveryFormat();
    void pseudoInstructions();
    void symbolsAndExpressions();
    void dataDirectives();
    void userProgramsAreScoped();
    void conditionalAssembly();
    void includes();
    void errors_data();
    void errors();
    void errorsAreCollected();
    void disassemblerRoundTrip();
    void shippedGuestsAssemble_data();
    void shippedGuestsAssemble();
    void guestFilesAreSizeChecked();
};

void TestVmmAssembler::encodesEveryFormat()
{
    const QString src = QStringLiteral(
        "add r1, r2, r3\n addi r4, sp, -5\n ld r1, [r2 + 7]\n st r1, [r2 - 2]\n ld r3, [100]\n"
        " beq r1, r2, 0x20\n jmp 0x30\n jal r6, 0x40\n jr r6\n syscall 4\n hcall 9\n out r2, 1\n"
        " iret\n halt\n cli\n sti\n mfsr r2, cause\n mtsr vector, r3\n setpt r1\n popf r5\n smsw r4\n");
    const auto p = assemble(src);
    QVERIFY(p);
    const std::vector<std::uint32_t> expected = {ToyIsa::encode(ToyOp::Add, 1, 2, 3, 0),
        ToyIsa::encode(ToyOp::Addi, 4, 7, 0, -5), ToyIsa::encode(ToyOp::Ld, 1, 2, 0, 7),
        ToyIsa::encode(ToyOp::St, 1, 2, 0, -2), ToyIsa::encode(ToyOp::Ld, 3, 0, 0, 100),
        ToyIsa::encode(ToyOp::Beq, 1, 2, 0, 0x20), ToyIsa::encode(ToyOp::Jmp, 0, 0, 0, 0x30),
        ToyIsa::encode(ToyOp::Jal, 6, 0, 0, 0x40), ToyIsa::encode(ToyOp::Jr, 0, 6, 0, 0),
        ToyIsa::encode(ToyOp::Syscall, 0, 0, 0, 4), ToyIsa::encode(ToyOp::Hcall, 0, 0, 0, 9),
        ToyIsa::encode(ToyOp::Out, 0, 2, 0, 1), ToyIsa::encode(ToyOp::Iret, 0, 0, 0, 0),
        ToyIsa::encode(ToyOp::Halt, 0, 0, 0, 0), ToyIsa::encode(ToyOp::Cli, 0, 0, 0, 0),
        ToyIsa::encode(ToyOp::Sti, 0, 0, 0, 0), ToyIsa::encode(ToyOp::Mfsr, 2, 0, 0, 3),
        ToyIsa::encode(ToyOp::Mtsr, 0, 3, 0, 5), ToyIsa::encode(ToyOp::Setpt, 0, 1, 0, 0),
        ToyIsa::encode(ToyOp::Popf, 0, 5, 0, 0), ToyIsa::encode(ToyOp::Smsw, 4, 0, 0, 0)};
    for (std::size_t i = 0; i < expected.size(); ++i)
        QCOMPARE(p->memory[i], expected[i]);
    QCOMPARE(p->wordsEmitted, static_cast<std::uint32_t>(expected.size()));
    // Hand-checked encodings from ISA.md.
    QCOMPARE(p->memory[0], 0x01123000u);
    QCOMPARE(p->memory[1], 0x0947FFFBu);
    QCOMPARE(p->memory[11], 0x30020001u);
}

void TestVmmAssembler::pseudoInstructions()
{
    const auto p = assemble(QStringLiteral("li r1, -1\nmov r2, r1\nnop\n"));
    QVERIFY(p);
    QCOMPARE(p->memory[0], ToyIsa::encode(ToyOp::Addi, 1, 0, 0, -1));
    QCOMPARE(p->memory[1], ToyIsa::encode(ToyOp::Addi, 2, 1, 0, 0));
    QCOMPARE(p->memory[2], ToyIsa::encode(ToyOp::Add, 0, 0, 0, 0));
    QCOMPARE(ToyIsa::decode(p->memory[2]).op, static_cast<std::uint8_t>(ToyOp::Nop));
}

void TestVmmAssembler::symbolsAndExpressions()
{
    const QString src = QStringLiteral(
        ".equ BASE, 0x100\n.equ SIZE, end - start   ; defined before its labels\n"
        ".org BASE\nstart: li r1, SIZE * 2\n li r2, (BASE >> 4) | 1\n li r3, 'A' + 1\n li r4, $\n"
        " li r5, ~0 & 0xff\n li r6, -(3 - 5)\n jmp start\nend:\n");
    const auto p = assemble(src);
    QVERIFY(p);
    QCOMPARE(p->symbol(QStringLiteral("start")).value_or(-1), 0x100);
    QCOMPARE(p->symbol(QStringLiteral("SIZE")).value_or(-1), 7);
    QCOMPARE(ToyIsa::decode(p->memory[0x100]).imm, 14);
    QCOMPARE(ToyIsa::decode(p->memory[0x101]).imm, 0x11);
    QCOMPARE(ToyIsa::decode(p->memory[0x102]).imm, 'B');
    QCOMPARE(ToyIsa::decode(p->memory[0x103]).imm, 0x103);
    QCOMPARE(ToyIsa::decode(p->memory[0x104]).imm, 0xff);
    QCOMPARE(ToyIsa::decode(p->memory[0x105]).imm, 2);
    QCOMPARE(ToyIsa::decode(p->memory[0x106]).imm, 0x100);
    QCOMPARE(p->labelAt(0x100), QStringLiteral("start"));
}

void TestVmmAssembler::dataDirectives()
{
    const auto p = assemble(QStringLiteral(".org 8\nw: .word 1, -1, 0xffffffff\ns: .string \"a\\n\"\n"
                                           "t: .ascii \"xy\"\n .align 4\na: .space 3\nb: .word 5\n"));
    QVERIFY(p);
    QCOMPARE(p->memory[8], 1u);
    QCOMPARE(p->memory[9], 0xFFFFFFFFu);
    QCOMPARE(p->memory[10], 0xFFFFFFFFu);
    QCOMPARE(p->memory[11], std::uint32_t('a'));
    QCOMPARE(p->memory[12], std::uint32_t('\n'));
    QCOMPARE(p->memory[13], 0u);
    QCOMPARE(p->memory[14], std::uint32_t('x'));
    QCOMPARE(p->symbol(QStringLiteral("a")).value_or(-1), 16);
    QCOMPARE(p->symbol(QStringLiteral("b")).value_or(-1), 19);
    QCOMPARE(p->memory[19], 5u);
}

void TestVmmAssembler::userProgramsAreScoped()
{
    const QString src
        = QStringLiteral("jmp A.loop\n.org 0x200\n.user A\nloop: jmp loop\nmsg: .word loop\n.enduser\n"
                         ".org 0x300\n.user B\n nop\nloop: jmp loop\n.enduser\nafter: .word 1\n");
    const auto p = assemble(src);
    QVERIFY(p);
    QCOMPARE(p->programs.size(), std::size_t(2));
    QCOMPARE(p->programs[0].name, QStringLiteral("A"));
    QCOMPARE(p->programs[0].loadAddress, 0x200u);
    QCOMPARE(p->programs[0].sizeWords, 2u);
    QCOMPARE(p->programs[0].pid, 1);
    QCOMPARE(p->programs[1].pid, 2);
    // Labels inside count from virtual 0; the same name lives in both blocks.
    QCOMPARE(p->symbol(QStringLiteral("A.loop")).value_or(-1), 0);
    QCOMPARE(p->symbol(QStringLiteral("B.loop")).value_or(-1), 1);
    QCOMPARE(ToyIsa::decode(p->memory[0x200]).imm, 0);
    QCOMPARE(p->memory[0x201], 0u);
    QCOMPARE(ToyIsa::decode(p->memory[0x301]).imm, 1);
    QCOMPARE(ToyIsa::decode(p->memory[0]).imm, 0); // A.loop from outside
    QCOMPARE(p->symbol(QStringLiteral("after")).value_or(-1), 0x302);
}

void TestVmmAssembler::conditionalAssembly()
{
    const QString src
        = QStringLiteral(".if PARAVIRT\nhcall 1\n.else\nout r1, 1\n.if 0\nbogus ! words\n.endif\n"
                         ".endif\n.ifdef MISSING\nhalt\n.endif\n.ifndef MISSING\niret\n.endif\n");
    AsmOptions pv;
    pv.defines[QStringLiteral("PARAVIRT")] = 1;
    const auto a = assemble(src, nullptr, pv);
    QVERIFY(a);
    QCOMPARE(a->memory[0] >> 24, std::uint32_t(ToyOp::Hcall));
    QCOMPARE(a->memory[1] >> 24, std::uint32_t(ToyOp::Iret));
    AsmOptions plain;
    plain.defines[QStringLiteral("PARAVIRT")] = 0;
    const auto b = assemble(src, nullptr, plain);
    QVERIFY(b);
    QCOMPARE(b->memory[0] >> 24, std::uint32_t(ToyOp::Out));
    QCOMPARE(b->memory[1] >> 24, std::uint32_t(ToyOp::Iret));
}

void TestVmmAssembler::includes()
{
    AsmOptions o;
    o.fileName = QStringLiteral("main.s");
    o.readInclude = [](const QString &name) -> std::optional<QString> {
        if (name == QLatin1String("lib.s"))
            return QStringLiteral(".equ TEN, 10\nlibstart: li r1, TEN\n");
        if (name == QLatin1String("bad.s"))
            return QStringLiteral("li r1, 1\n li r9, 2\n");
        if (name == QLatin1String("self.s"))
            return QStringLiteral(".include \"self.s\"\n");
        return std::nullopt;
    };
    const auto p = assemble(QStringLiteral(".include \"lib.s\"\njmp libstart\n"), nullptr, o);
    QVERIFY(p);
    QCOMPARE(ToyIsa::decode(p->memory[0]).imm, 10);
    QCOMPARE(p->files, QStringList({QStringLiteral("main.s"), QStringLiteral("lib.s")}));

    std::vector<AsmMessage> errors;
    QVERIFY(!assemble(QStringLiteral("nop\n.include \"bad.s\"\n"), &errors, o));
    QCOMPARE(
        errors.front().text(), QStringLiteral("bad.s:2:5: expected a register (r0..r7 or sp), found 'r9'"));
    errors.clear();
    QVERIFY(!assemble(QStringLiteral(".include \"nothere.s\"\n"), &errors, o));
    QCOMPARE(errors.front().text(), QStringLiteral("main.s:1:10: cannot read include file 'nothere.s'"));
    errors.clear();
    QVERIFY(!assemble(QStringLiteral(".include \"self.s\"\n"), &errors, o));
    QVERIFY(errors.front().message.contains(QLatin1String("nested too deeply")));
}

void TestVmmAssembler::errors_data()
{
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("message"); // full "file:line:column: text"
    QTest::newRow("unknown instruction")
        << QStringLiteral("nop\n  frob r1\n") << QStringLiteral("guest.s:2:3: unknown instruction 'frob'");
    QTest::newRow("bad register") << QStringLiteral(
        "add r1, r2, r8\n") << QStringLiteral("guest.s:1:13: expected a register (r0..r7 or sp), found 'r8'");
    QTest::newRow("operand count") << QStringLiteral(
        "\n\n add r1, r2\n") << QStringLiteral("guest.s:3:2: 'add' takes 3 operands (rd, rs, rt), got 2");
    QTest::newRow("immediate range") << QStringLiteral("li r1, 40000\n")
                                     << QStringLiteral("guest.s:1:8: value 40000 out of range -32768..32767");
    QTest::newRow("offset range") << QStringLiteral("ld r1, [r2 + 0x8000]\n")
                                  << QStringLiteral("guest.s:1:14: offset 32768 out of range -32768..32767");
    QTest::newRow("target range") << QStringLiteral("jmp 40000\n")
                                  << QStringLiteral("guest.s:1:5: target 40000 out of range 0..32767");
    QTest::newRow("undefined symbol") << QStringLiteral("li r1, 2\nli r2, nowhere + 1\n")
                                      << QStringLiteral("guest.s:2:8: undefined symbol 'nowhere'");
    QTest::newRow("duplicate label") << QStringLiteral("a: nop\n a: nop\n")
                                     << QStringLiteral("guest.s:2:2: 'a' is defined twice");
    QTest::newRow("register as label")
        << QStringLiteral("r3: nop\n") << QStringLiteral("guest.s:1:1: 'r3' cannot be a label");
    QTest::newRow("bad character") << QStringLiteral("li r1, 3 @ 4\n")
                                   << QStringLiteral("guest.s:1:10: unexpected character '@'");
    QTest::newRow("open string") << QStringLiteral(".string \"abc\n")
                                 << QStringLiteral("guest.s:1:9: string is not closed");
    QTest::newRow("bad number") << QStringLiteral("li r1, 0x1g\n")
                                << QStringLiteral("guest.s:1:8: bad number '0x1g'");
    QTest::newRow("missing operand") << QStringLiteral("add r1, , r2\n")
                                     << QStringLiteral("guest.s:1:9: missing operand before ','");
    QTest::newRow("bad memory operand") << QStringLiteral(
        "ld r1, r2\n") << QStringLiteral("guest.s:1:8: expected a memory operand like [r2 + 4] or [label]");
    QTest::newRow("bad sreg") << QStringLiteral("mfsr r1, pc\n")
                              << QStringLiteral(
                                     "guest.s:1:10: expected a system register (status, epc, estatus, "
                                     "cause, tval, vector, timer, scratch, ptbr)");
    QTest::newRow("ptbr via mtsr") << QStringLiteral("mtsr ptbr, r1\n")
                                   << QStringLiteral("guest.s:1:6: ptbr is written with setpt, not mtsr");
    QTest::newRow("overlap") << QStringLiteral(".org 4\nnop\n.org 4\nhalt\n")
                             << QStringLiteral(
                                    "guest.s:4:1: overlaps what is already at address 0x0004 (line 2)");
    QTest::newRow("org unknown") << QStringLiteral(".org later\nlater: nop\n")
                                 << QStringLiteral(
                                        "guest.s:1:6: the address must be known here (define its symbols "
                                        "earlier)");
    QTest::newRow("if without endif")
        << QStringLiteral("nop\n.if 1\nnop\n") << QStringLiteral("guest.s:2:1: .if without .endif");
    QTest::newRow("else without if") << QStringLiteral(".else\n")
                                     << QStringLiteral("guest.s:1:1: .else without .if");
    QTest::newRow("misaligned user") << QStringLiteral(".org 0x101\n.user A\n.enduser\n")
                                     << QStringLiteral(
                                            "guest.s:2:1: .user must start on a page boundary (a multiple "
                                            "of 256)");
    QTest::newRow("user without end") << QStringLiteral(".org 0x100\n.user A\nnop\n")
                                      << QStringLiteral("guest.s:2:1: .user A without .enduser");
    QTest::newRow("past memory") << QStringLiteral(".org 0x7fff\nnop\nnop\n")
                                 << QStringLiteral("guest.s:3:1: past the end of memory (32768 words)");
    QTest::newRow("self-referencing constant")
        << QStringLiteral(".equ A, B\n.equ B, A + 1\nli r1, A\n")
        << QStringLiteral("guest.s:2:9: constant 'B' is defined in terms of "
                          "itself");
    QTest::newRow("unknown directive")
        << QStringLiteral("  .bytes 1\n") << QStringLiteral("guest.s:1:3: unknown directive '.bytes'");
    QTest::newRow("no such register in memory operand") << QStringLiteral(
        "ld r1, [r9 + 1]\n") << QStringLiteral("guest.s:1:9: no register 'r9' (registers are r0..r7 and sp)");
    QTest::newRow("tab columns count as one")
        << QStringLiteral("\tld r1, [r2 +]\n") << QStringLiteral("guest.s:1:13: missing offset");
}

void TestVmmAssembler::errors()
{
    QFETCH(QString, source);
    QFETCH(QString, message);
    std::vector<AsmMessage> errors;
    QVERIFY(!assemble(source, &errors));
    QVERIFY(!errors.empty());
    QCOMPARE(errors.front().text(), message);
}

void TestVmmAssembler::errorsAreCollected()
{
    std::vector<AsmMessage> errors;
    QVERIFY(!assemble(QStringLiteral("frob\nadd r1\nli r1, 99999\n"), &errors));
    QCOMPARE(errors.size(), std::size_t(3));
    QCOMPARE(errors[0].line, 1);
    QCOMPARE(errors[1].line, 2);
    QCOMPARE(errors[2].line, 3);
    // A flood of errors stops at the limit.
    QString many;
    for (int i = 0; i < 100; ++i)
        many += QStringLiteral("frob\n");
    errors.clear();
    AsmOptions o;
    o.maxErrors = 5;
    QVERIFY(!assemble(many, &errors, o));
    QCOMPARE(errors.size(), std::size_t(5));
}

void TestVmmAssembler::disassemblerRoundTrip()
{
    // Every word of the shipped kernel disassembles to text that assembles to the same word.
    VmmConfig c;
    QString error;
    QVERIFY2(GuestLibrary::load(&c, QStringLiteral("two-tasks"), QStringLiteral(VMM_PROGRAMS_DIR), &error),
        qPrintable(error));
    for (const int pv : {0, 1}) {
        AsmOptions o;
        o.defines[QStringLiteral("PARAVIRT")] = pv;
        o.readInclude = c.readInclude;
        const auto p = assemble(c.source, nullptr, o);
        QVERIFY(p);
        int checked = 0;
        for (std::uint32_t a = 0; a < toy::kMemoryWords; ++a) {
            if (p->lineAt[a] < 0)
                continue;
            const std::uint32_t w = p->memory[a];
            const QString text = ToyDisassembler::disassemble(w);
            const auto again = assemble(text);
            QVERIFY2(again.has_value(), qPrintable(text));
            QCOMPARE(again->memory[0], w);
            ++checked;
        }
        QVERIFY(checked > 300);
    }
    // With labels, targets read as names.
    const auto p = assemble(QStringLiteral("start: jmp start\n"));
    QVERIFY(p);
    QCOMPARE(ToyDisassembler::disassemble(p->memory[0], [&](std::uint32_t a) { return p->labelAt(a); }),
        QStringLiteral("jmp start"));
}

void TestVmmAssembler::shippedGuestsAssemble_data()
{
    QTest::addColumn<QString>("guest");
    QTest::addColumn<int>("programs");
    QTest::newRow("hello") << QStringLiteral("hello") << 1;
    QTest::newRow("two-tasks") << QStringLiteral("two-tasks") << 2;
    QTest::newRow("syscalls") << QStringLiteral("syscalls") << 1;
    QTest::newRow("pagetable") << QStringLiteral("pagetable") << 2;
    QTest::newRow("compute") << QStringLiteral("compute") << 1;
}

void TestVmmAssembler::shippedGuestsAssemble()
{
    QFETCH(QString, guest);
    QFETCH(int, programs);
    QVERIFY(GuestLibrary::shippedNames().contains(guest));
    QVERIFY(!GuestLibrary::describe(guest).isEmpty());
    VmmConfig c;
    QString error;
    QVERIFY2(GuestLibrary::load(&c, guest, QStringLiteral(VMM_PROGRAMS_DIR), &error), qPrintable(error));
    for (const int pv : {0, 1}) {
        AsmOptions o;
        o.defines[QStringLiteral("PARAVIRT")] = pv;
        o.readInclude = c.readInclude;
        std::vector<AsmMessage> errors;
        const auto p = assemble(c.source, &errors, o);
        QVERIFY2(p, errors.empty() ? "" : qPrintable(errors.front().text()));
        QCOMPARE(static_cast<int>(p->programs.size()), programs);
        // The process table lives where the documentation says.
        QCOMPARE(p->symbol(QStringLiteral("proctab")).value_or(-1), 0x0800);
        // The paravirtual kernel has no privileged or sensitive instruction left; the native one has.
        int sensitive = 0;
        for (std::uint32_t a = 0; a < 0x0800; ++a) {
            if (p->lineAt[a] >= 0 && ToyIsa::isSensitive(static_cast<ToyOp>(p->memory[a] >> 24)))
                ++sensitive;
        }
        if (pv)
            QCOMPARE(sensitive, 0);
        else
            QVERIFY(sensitive >= 10);
    }
}

void TestVmmAssembler::guestFilesAreSizeChecked()
{
    QString error;
    QVERIFY(!GuestLibrary::readFile(QStringLiteral(VMM_PROGRAMS_DIR), QStringLiteral("../kernel.s"), &error));
    QVERIFY(error.contains(QLatin1String("not a plain file name")));
    QVERIFY(!GuestLibrary::readFile(QStringLiteral(VMM_PROGRAMS_DIR), QStringLiteral("absent.s"), &error));
    QVERIFY(error.startsWith(QLatin1String("cannot read")));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile big(dir.filePath(QStringLiteral("big.s")));
    QVERIFY(big.open(QIODevice::WriteOnly));
    big.write(QByteArray(GuestLibrary::kMaxFileBytes + 10, ';'));
    big.close();
    QVERIFY(!GuestLibrary::readFile(dir.path(), QStringLiteral("big.s"), &error));
    QVERIFY(error.contains(QLatin1String("larger than")));
}

QTEST_APPLESS_MAIN(TestVmmAssembler)
#include "tst_vmmassembler.moc"
