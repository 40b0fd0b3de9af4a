#include "codesegment.h"

#include <algorithm>

namespace proclab::mobility {

std::optional<CodeSegment> CodeSegment::create(QString programName, std::vector<std::uint8_t> bytecode,
    std::vector<Value> constants, std::vector<FunctionInfo> functions, std::uint32_t entryFunction,
    const MachineLimits &limits, QString *error)
{
    auto fail = [&](const QString &message) -> std::optional<CodeSegment> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    if (programName.toUtf8().size() > qsizetype(limits.maxNameBytes))
        return fail(QStringLiteral("the program name is longer than %1 bytes").arg(limits.maxNameBytes));
    if (bytecode.empty())
        return fail(QStringLiteral("the code segment holds no instructions"));
    if (bytecode.size() > limits.maxCodeBytes)
        return fail(QStringLiteral("%1 bytes of bytecode exceed the limit of %2")
                        .arg(bytecode.size())
                        .arg(limits.maxCodeBytes));
    if (constants.size() > limits.maxConstants)
        return fail(QStringLiteral("%1 constants exceed the limit of %2")
                        .arg(constants.size())
                        .arg(limits.maxConstants));
    if (functions.empty())
        return fail(QStringLiteral("the function table is empty"));
    if (functions.size() > limits.maxFunctions)
        return fail(QStringLiteral("%1 functions exceed the limit of %2")
                        .arg(functions.size())
                        .arg(limits.maxFunctions));
    for (const Value &c : constants) {
        if (c.kind != ValueKind::Int && c.kind != ValueKind::Float)
            return fail(QStringLiteral("a constant has an unknown kind"));
    }

    // Decode the stream once: every opcode known, every operand inside the code.
    std::vector<std::uint8_t> starts(bytecode.size(), 0);
    for (std::size_t pc = 0; pc < bytecode.size();) {
        const std::uint8_t raw = bytecode[pc];
        if (raw >= static_cast<std::uint8_t>(Opcode::Count))
            return fail(QStringLiteral("unknown opcode %1 at address %2").arg(raw).arg(pc));
        const auto op = static_cast<Opcode>(raw);
        const int length = instructionBytes(op);
        if (pc + length > bytecode.size())
            return fail(QStringLiteral("the instruction at address %1 (%2) runs past the end of the code")
                            .arg(pc)
                            .arg(QLatin1String(opcodeInfo(op).mnemonic)));
        switch (opcodeInfo(op).operand) {
        case OperandKind::Constant:
            if (readU32(&bytecode[pc + 1]) >= constants.size())
                return fail(QStringLiteral("push at address %1 names constant %2 of %3")
                                .arg(pc)
                                .arg(readU32(&bytecode[pc + 1]))
                                .arg(constants.size()));
            break;
        case OperandKind::Function:
            if (readU16(&bytecode[pc + 1]) >= functions.size())
                return fail(QStringLiteral("call at address %1 names function %2 of %3")
                                .arg(pc)
                                .arg(readU16(&bytecode[pc + 1]))
                                .arg(functions.size()));
            break;
        default:
            break;
        }
        starts[pc] = 1;
        pc += length;
    }

    for (std::size_t i = 0; i < functions.size(); ++i) {
        const FunctionInfo &f = functions[i];
        if (f.name.isEmpty() || f.name.toUtf8().size() > qsizetype(limits.maxNameBytes))
            return fail(QStringLiteral("function %1 has an empty name or one longer than %2 bytes")
                            .arg(i)
                            .arg(limits.maxNameBytes));
        if (f.entry >= bytecode.size() || !starts[f.entry])
            return fail(QStringLiteral("function %1 starts at %2, which is not an instruction")
                            .arg(f.name)
                            .arg(f.entry));
        if (f.params > f.locals)
            return fail(QStringLiteral("function %1 has %2 parameters but only %3 locals")
                            .arg(f.name)
                            .arg(f.params)
                            .arg(f.locals));
        if (f.locals > limits.maxLocalsTotal)
            return fail(QStringLiteral("function %1 has %2 locals, over the limit of %3")
                            .arg(f.name)
                            .arg(f.locals)
                            .arg(limits.maxLocalsTotal));
    }
    if (entryFunction >= functions.size())
        return fail(QStringLiteral("the entry function %1 does not exist").arg(entryFunction));
    if (functions[entryFunction].params != 0)
        return fail(
            QStringLiteral("the entry function %1 takes arguments").arg(functions[entryFunction].name));

    CodeSegment c;
    c.m_programName = std::move(programName);
    c.m_bytecode = std::move(bytecode);
    c.m_constants = std::move(constants);
    c.m_functions = std::move(functions);
    c.m_entryFunction = entryFunction;
    c.m_starts = std::move(starts);
    return c;
}

int CodeSegment::functionAt(std::uint32_t address) const
{
    // Functions need not be laid out in table order: take the closest entry at or below.
    int best = -1;
    for (std::size_t i = 0; i < m_functions.size(); ++i) {
        const std::uint32_t entry = m_functions[i].entry;
        if (entry <= address && (best < 0 || entry > m_functions[std::size_t(best)].entry))
            best = int(i);
    }
    return best;
}

QString CodeSegment::disassemble(std::uint32_t address, std::uint32_t *next) const
{
    if (!isInstructionStart(address)) {
        if (next)
            *next = address + 1;
        return QStringLiteral("(not an instruction)");
    }
    const auto op = static_cast<Opcode>(m_bytecode[address]);
    const OpcodeInfo &info = opcodeInfo(op);
    if (next)
        *next = address + std::uint32_t(instructionBytes(op));
    const std::uint8_t *operand = &m_bytecode[address + 1];
    QString text = QLatin1String(info.mnemonic);
    switch (info.operand) {
    case OperandKind::None:
        break;
    case OperandKind::Constant:
        text += QLatin1Char(' ') + m_constants[readU32(operand)].toString();
        break;
    case OperandKind::Local:
        text += QLatin1Char(' ') + QString::number(readU16(operand));
        break;
    case OperandKind::Global:
    case OperandKind::Target:
        text += QLatin1Char(' ') + QString::number(readU32(operand));
        break;
    case OperandKind::Function:
        text += QLatin1Char(' ') + m_functions[readU16(operand)].name;
        break;
    }
    return text;
}

QStringList CodeSegment::disassembly() const
{
    QStringList lines;
    std::vector<std::pair<std::uint32_t, QString>> heads;
    for (const FunctionInfo &f : m_functions)
        heads.emplace_back(f.entry, f.name);
    std::sort(heads.begin(), heads.end());
    std::size_t h = 0;
    for (std::uint32_t pc = 0; pc < m_bytecode.size();) {
        while (h < heads.size() && heads[h].first == pc)
            lines << QStringLiteral("%1:").arg(heads[h++].second);
        std::uint32_t next = pc;
        lines << QStringLiteral("%1  %2").arg(pc, 5).arg(disassemble(pc, &next));
        pc = next;
    }
    return lines;
}

bool CodeSegment::operator==(const CodeSegment &other) const
{
    return m_programName == other.m_programName && m_bytecode == other.m_bytecode
        && m_constants == other.m_constants && m_functions == other.m_functions
        && m_entryFunction == other.m_entryFunction;
}

} // namespace proclab::mobility
