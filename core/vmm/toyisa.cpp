#include "toyisa.h"

namespace proclab {

namespace {

using F = ToyFormat;
using I = ToyInterface;

// Columns: op, mnemonic, format, privileged (clean), privileged (popf), control-sensitive,
// behaviour-sensitive, ends a block, interface, summary. The sensitivity columns are the
// ISA's true nature; the checker starts from them and lets the student edit a copy.
const std::array<ToyOpInfo, 29> kInstructions = {{
    {ToyOp::Add, "add", F::R, false, false, false, false, false, I::General, "rd = rs + rt"},
    {ToyOp::Sub, "sub", F::R, false, false, false, false, false, I::General, "rd = rs - rt"},
    {ToyOp::Mul, "mul", F::R, false, false, false, false, false, I::General, "rd = rs * rt (low 32 bits)"},
    {ToyOp::And, "and", F::R, false, false, false, false, false, I::General, "rd = rs & rt"},
    {ToyOp::Or, "or", F::R, false, false, false, false, false, I::General, "rd = rs | rt"},
    {ToyOp::Xor, "xor", F::R, false, false, false, false, false, I::General, "rd = rs ^ rt"},
    {ToyOp::Shl, "shl", F::R, false, false, false, false, false, I::General, "rd = rs << (rt & 31)"},
    {ToyOp::Shr, "shr", F::R, false, false, false, false, false, I::General, "rd = rs >> (rt & 31), logical"},
    {ToyOp::Addi, "addi", F::I, false, false, false, false, false, I::General, "rd = rs + imm"},
    {ToyOp::Ld, "ld", F::Mem, false, false, false, false, false, I::General, "rd = mem[rs + imm]"},
    {ToyOp::St, "st", F::Mem, false, false, false, false, false, I::General, "mem[rs + imm] = rd"},
    {ToyOp::Beq, "beq", F::Branch, false, false, false, false, true, I::General, "if rd == rs: pc = target"},
    {ToyOp::Bne, "bne", F::Branch, false, false, false, false, true, I::General, "if rd != rs: pc = target"},
    {ToyOp::Blt, "blt", F::Branch, false, false, false, false, true, I::General,
        "if rd < rs (signed): pc = target"},
    {ToyOp::Jmp, "jmp", F::Jump, false, false, false, false, true, I::General, "pc = target"},
    {ToyOp::Jal, "jal", F::Jal, false, false, false, false, true, I::Call, "rd = pc + 1; pc = target"},
    {ToyOp::Jr, "jr", F::Jr, false, false, false, false, true, I::Call, "pc = rs"},
    {ToyOp::Syscall, "syscall", F::Imm, false, false, false, false, true, I::SystemCall,
        "trap to the kernel; TVAL = number"},
    {ToyOp::Hcall, "hcall", F::Imm, false, false, false, false, true, I::Hypercall,
        "call the hypervisor; TVAL = number"},
    {ToyOp::Out, "out", F::Out, true, true, true, false, false, I::Privileged, "write rs to an I/O port"},
    {ToyOp::Iret, "iret", F::None, true, true, true, false, true, I::Privileged,
        "return from trap: pc = EPC, STATUS = ESTATUS"},
    {ToyOp::Halt, "halt", F::None, true, true, true, false, true, I::Privileged, "stop the machine"},
    {ToyOp::Cli, "cli", F::None, true, true, true, false, false, I::Privileged, "disable interrupts"},
    {ToyOp::Sti, "sti", F::None, true, true, true, false, false, I::Privileged, "enable interrupts"},
    {ToyOp::Mfsr, "mfsr", F::Mfsr, true, true, false, true, false, I::Privileged, "rd = system register"},
    {ToyOp::Mtsr, "mtsr", F::Mtsr, true, true, true, false, false, I::Privileged, "system register = rs"},
    {ToyOp::Setpt, "setpt", F::Rs, true, true, true, false, false, I::Privileged,
        "MMU register = rs (switch address space)"},
    {ToyOp::Popf, "popf", F::Rs, true, false, true, true, false, I::Privileged,
        "IF = rs & 1 in kernel mode; in user mode nothing happens"},
    {ToyOp::Smsw, "smsw", F::Rd, true, false, false, true, false, I::Privileged, "rd = STATUS (mode, IF)"},
}};

const std::array<const char *, toy::SregCount> kSregNames
    = {"status", "epc", "estatus", "cause", "tval", "vector", "timer", "scratch", "ptbr"};

std::array<const ToyOpInfo *, 256> buildIndex()
{
    std::array<const ToyOpInfo *, 256> index {};
    for (const ToyOpInfo &i : kInstructions)
        index[static_cast<std::uint8_t>(i.op)] = &i;
    return index;
}

const std::array<const ToyOpInfo *, 256> &opIndex()
{
    static const auto index = buildIndex();
    return index;
}

} // namespace

const std::array<ToyOpInfo, 29> &ToyIsa::instructions()
{
    return kInstructions;
}

const ToyOpInfo *ToyIsa::info(ToyOp op)
{
    return opIndex()[static_cast<std::uint8_t>(op)];
}

const ToyOpInfo *ToyIsa::find(const QString &mnemonic)
{
    const QString m = mnemonic.toLower();
    for (const ToyOpInfo &i : kInstructions) {
        if (m == QLatin1String(i.mnemonic))
            return &i;
    }
    return nullptr;
}

bool ToyIsa::isPrivileged(ToyOp op, IsaVariant isa)
{
    const ToyOpInfo *i = info(op);
    if (!i)
        return false;
    return isa == IsaVariant::Clean ? i->privilegedClean : i->privilegedPopf;
}

bool ToyIsa::isSensitive(ToyOp op)
{
    const ToyOpInfo *i = info(op);
    return i && (i->controlSensitive || i->behaviourSensitive);
}

ToyInsn ToyIsa::decode(std::uint32_t word)
{
    ToyInsn d;
    const auto opByte = static_cast<std::uint8_t>(word >> 24);
    const ToyOpInfo *i = opIndex()[opByte];
    if (!i)
        return d; // Illegal
    const unsigned rd = (word >> 20) & 0xF;
    const unsigned rs = (word >> 16) & 0xF;
    const unsigned rt = (word >> 12) & 0xF;
    const std::uint32_t imm16 = word & 0xFFFF;
    const auto simm = static_cast<std::int32_t>(static_cast<std::int16_t>(imm16));
    bool ok = true;
    auto reg = [&ok](unsigned r) {
        if (r >= toy::kRegisters)
            ok = false;
        return static_cast<std::uint8_t>(r);
    };
    d.op = opByte;
    switch (i->format) {
    case F::None:
        ok = (word & 0xFFFFFF) == 0;
        break;
    case F::R:
        d.rd = reg(rd);
        d.rs = reg(rs);
        d.rt = reg(rt);
        ok = ok && (word & 0xFFF) == 0;
        break;
    case F::I:
    case F::Mem:
        d.rd = reg(rd);
        d.rs = reg(rs);
        d.imm = simm;
        break;
    case F::Branch:
        d.rd = reg(rd);
        d.rs = reg(rs);
        d.imm = static_cast<std::int32_t>(imm16);
        break;
    case F::Jump:
    case F::Imm:
        ok = rd == 0 && rs == 0;
        d.imm = static_cast<std::int32_t>(imm16);
        break;
    case F::Jal:
        d.rd = reg(rd);
        ok = ok && rs == 0;
        d.imm = static_cast<std::int32_t>(imm16);
        break;
    case F::Jr:
    case F::Rs:
        d.rs = reg(rs);
        ok = ok && rd == 0 && imm16 == 0;
        break;
    case F::Rd:
        d.rd = reg(rd);
        ok = ok && rs == 0 && imm16 == 0;
        break;
    case F::Out:
        d.rs = reg(rs);
        ok = ok && rd == 0;
        d.imm = static_cast<std::int32_t>(imm16);
        break;
    case F::Mfsr:
        d.rd = reg(rd);
        ok = ok && rs == 0 && imm16 < toy::SregCount;
        d.imm = static_cast<std::int32_t>(imm16);
        break;
    case F::Mtsr:
        d.rs = reg(rs);
        // PTBR is written only by SETPT, so that the MMU switch is one instruction to classify.
        ok = ok && rd == 0 && imm16 < toy::SregCount && imm16 != toy::SregPtbr;
        d.imm = static_cast<std::int32_t>(imm16);
        break;
    }
    if (!ok)
        return ToyInsn {};
    // An ALU result written to r0 is discarded: decode it as a no-op so the
    // interpreter never has to test for r0 on the fast path.
    if ((i->format == F::R || i->format == F::I) && d.rd == 0)
        d = ToyInsn {static_cast<std::uint8_t>(ToyOp::Nop), 0, 0, 0, 0};
    return d;
}

std::uint32_t ToyIsa::encode(ToyOp op, unsigned rd, unsigned rs, unsigned rt, std::int32_t imm)
{
    std::uint32_t w = static_cast<std::uint32_t>(op) << 24;
    w |= (rd & 0xF) << 20;
    w |= (rs & 0xF) << 16;
    const ToyOpInfo *i = info(op);
    if (i && i->format == F::R)
        w |= (rt & 0xF) << 12;
    else
        w |= static_cast<std::uint32_t>(imm) & 0xFFFF;
    return w;
}

QString ToyIsa::sregName(std::uint32_t sreg)
{
    return sreg < kSregNames.size() ? QString::fromLatin1(kSregNames[sreg]) : QString();
}

std::optional<std::uint32_t> ToyIsa::sregFromName(const QString &name)
{
    const QString n = name.toLower();
    for (std::uint32_t i = 0; i < kSregNames.size(); ++i) {
        if (n == QLatin1String(kSregNames[i]))
            return i;
    }
    return std::nullopt;
}

QString ToyIsa::causeName(std::uint32_t cause)
{
    switch (cause) {
    case toy::CauseSyscall:
        return QStringLiteral("syscall");
    case toy::CauseTimer:
        return QStringLiteral("timer");
    case toy::CausePrivileged:
        return QStringLiteral("privileged instruction");
    case toy::CauseIllegal:
        return QStringLiteral("illegal instruction");
    case toy::CausePageFault:
        return QStringLiteral("page fault");
    case toy::CauseBus:
        return QStringLiteral("bus error");
    case toy::CauseHypercall:
        return QStringLiteral("hypercall without hypervisor");
    default:
        return QStringLiteral("cause %1").arg(cause);
    }
}

QString ToyIsa::isaName(IsaVariant isa)
{
    return isa == IsaVariant::Clean ? QStringLiteral("clean") : QStringLiteral("popf");
}

std::optional<IsaVariant> ToyIsa::isaFromName(const QString &name)
{
    if (name == QLatin1String("clean"))
        return IsaVariant::Clean;
    if (name == QLatin1String("popf"))
        return IsaVariant::Popf;
    return std::nullopt;
}

} // namespace proclab
