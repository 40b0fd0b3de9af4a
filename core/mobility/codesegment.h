#pragma once

#include "machinelimits.h"
#include "opcode.h"
#include "value.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>
#include <vector>

namespace proclab::mobility {

/// @brief One entry of the function table: where a function starts and how many locals it has.
struct FunctionInfo {
    QString name;
    std::uint32_t entry = 0; ///< address of its first instruction
    std::uint16_t params = 0; ///< arguments, which become locals 0 .. params-1
    std::uint16_t locals = 0; ///< all local slots, parameters included

    bool operator==(const FunctionInfo &) const = default;
};

/**
 * @brief The code segment of a computation: bytecode, constant pool and function table.
 *
 * Immutable once made, and only made through create(), which checks the
 * structure: every instruction decodes (a known opcode whose operand fits),
 * constant and function operands index the tables, functions start on
 * instruction boundaries. What depends on the run (jump targets, local,
 * global and heap indices, the stack) is checked by the interpreter when the
 * instruction executes, the way a processor raises a fault at the faulting
 * instruction.
 */
class CodeSegment {
public:
    /// An empty segment (no program); create() is how real ones are made.
    CodeSegment() = default;

    /**
     * @brief Checks and builds a code segment.
     * @return nullopt with a one-line @p error when the parts do not form a valid segment
     */
    static std::optional<CodeSegment> create(QString programName, std::vector<std::uint8_t> bytecode,
        std::vector<Value> constants, std::vector<FunctionInfo> functions, std::uint32_t entryFunction,
        const MachineLimits &limits, QString *error);

    const QString &programName() const { return m_programName; }
    const std::vector<std::uint8_t> &bytecode() const { return m_bytecode; }
    const std::vector<Value> &constants() const { return m_constants; }
    const std::vector<FunctionInfo> &functions() const { return m_functions; }
    /// @brief Index of the function a computation starts in (it takes no arguments).
    std::uint32_t entryFunction() const { return m_entryFunction; }
    bool isEmpty() const { return m_bytecode.empty(); }

    /// @brief Whether an instruction starts at @p address.
    bool isInstructionStart(std::uint64_t address) const
    {
        return address < m_starts.size() && m_starts[address] != 0;
    }
    /// @brief The instruction-start map, one byte per code byte (1 where an instruction starts).
    const std::vector<std::uint8_t> &instructionStarts() const { return m_starts; }
    /// @brief The function whose code holds @p address, or -1.
    int functionAt(std::uint32_t address) const;
    /// @brief One instruction as text ("jz 57", "call isprime", "push 2.5"); @p next gets the following
    /// address.
    QString disassemble(std::uint32_t address, std::uint32_t *next = nullptr) const;
    /// @brief The whole bytecode as "address: instruction" lines, with function headers.
    QStringList disassembly() const;

    bool operator==(const CodeSegment &other) const;

private:
    QString m_programName;
    std::vector<std::uint8_t> m_bytecode;
    std::vector<Value> m_constants;
    std::vector<FunctionInfo> m_functions;
    std::uint32_t m_entryFunction = 0;
    std::vector<std::uint8_t> m_starts;
};

/// @brief Reads a little-endian u16 from @p p.
inline std::uint16_t readU16(const std::uint8_t *p)
{
    return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}

/// @brief Reads a little-endian u32 from @p p.
inline std::uint32_t readU32(const std::uint8_t *p)
{
    return std::uint32_t(p[0]) | (std::uint32_t(p[1]) << 8) | (std::uint32_t(p[2]) << 16)
        | (std::uint32_t(p[3]) << 24);
}

} // namespace proclab::mobility
