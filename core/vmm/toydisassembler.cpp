#include "toydisassembler.h"

namespace proclab {

namespace {

QString regName(unsigned r)
{
    return r == 7 ? QStringLiteral("sp") : QStringLiteral("r%1").arg(r);
}

QString hex(std::uint32_t v, int width = 4)
{
    return QStringLiteral("0x%1").arg(v, width, 16, QLatin1Char('0'));
}

} // namespace

QString ToyDisassembler::disassemble(std::uint32_t word, const LabelLookup &labels)
{
    const ToyInsn d = ToyIsa::decode(word);
    const auto op = static_cast<ToyOp>(word >> 24);
    const ToyOpInfo *info = ToyIsa::info(op);
    if (!info || (d.op == static_cast<std::uint8_t>(ToyOp::Illegal)))
        return QStringLiteral(".word %1").arg(hex(word, 8));
    // Decoding turns ALU writes to r0 into Nop; show them as written.
    const unsigned rd = (word >> 20) & 0xF;
    const unsigned rs = (word >> 16) & 0xF;
    const unsigned rt = (word >> 12) & 0xF;
    const std::uint32_t imm16 = word & 0xFFFF;
    const auto simm = static_cast<std::int16_t>(imm16);
    const QString m = QLatin1String(info->mnemonic);
    auto target = [&](std::uint32_t t) {
        const QString label = labels ? labels(t) : QString();
        return label.isEmpty() ? hex(t) : label;
    };
    switch (info->format) {
    case ToyFormat::None:
        return m;
    case ToyFormat::R:
        if (op == ToyOp::Add && rd == 0 && rs == 0 && rt == 0)
            return QStringLiteral("nop");
        return QStringLiteral("%1 %2, %3, %4").arg(m, regName(rd), regName(rs), regName(rt));
    case ToyFormat::I:
        if (rs == 0)
            return QStringLiteral("li %1, %2").arg(regName(rd)).arg(simm);
        if (simm == 0)
            return QStringLiteral("mov %1, %2").arg(regName(rd), regName(rs));
        return QStringLiteral("%1 %2, %3, %4").arg(m, regName(rd), regName(rs)).arg(simm);
    case ToyFormat::Mem: {
        QString mem;
        if (rs == 0)
            mem = QStringLiteral("[%1]").arg(
                labels && !labels(imm16).isEmpty() && simm >= 0 ? labels(imm16) : QString::number(simm));
        else if (simm == 0)
            mem = QStringLiteral("[%1]").arg(regName(rs));
        else if (simm < 0)
            mem = QStringLiteral("[%1 - %2]").arg(regName(rs)).arg(-static_cast<int>(simm));
        else
            mem = QStringLiteral("[%1 + %2]").arg(regName(rs)).arg(simm);
        return QStringLiteral("%1 %2, %3").arg(m, regName(rd), mem);
    }
    case ToyFormat::Branch:
        return QStringLiteral("%1 %2, %3, %4").arg(m, regName(rd), regName(rs), target(imm16));
    case ToyFormat::Jump:
        return QStringLiteral("%1 %2").arg(m, target(imm16));
    case ToyFormat::Jal:
        return QStringLiteral("%1 %2, %3").arg(m, regName(rd), target(imm16));
    case ToyFormat::Jr:
    case ToyFormat::Rs:
        return QStringLiteral("%1 %2").arg(m, regName(rs));
    case ToyFormat::Rd:
        return QStringLiteral("%1 %2").arg(m, regName(rd));
    case ToyFormat::Imm:
        return QStringLiteral("%1 %2").arg(m).arg(imm16);
    case ToyFormat::Out:
        return QStringLiteral("%1 %2, %3").arg(m, regName(rs)).arg(imm16);
    case ToyFormat::Mfsr:
        return QStringLiteral("%1 %2, %3").arg(m, regName(rd), ToyIsa::sregName(imm16));
    case ToyFormat::Mtsr:
        return QStringLiteral("%1 %2, %3").arg(m, ToyIsa::sregName(imm16), regName(rs));
    }
    return QStringLiteral(".word %1").arg(hex(word, 8));
}

} // namespace proclab
