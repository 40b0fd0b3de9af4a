#pragma once

#include <QString>

#include <array>
#include <cstdint>
#include <optional>

namespace proclab::mobility {

/**
 * The instruction set of the abstract machine. One byte of opcode, then at most
 * one little-endian operand. Stack effects are written (before -- after), the
 * top of the stack on the right.
 */
enum class Opcode : std::uint8_t {
    Nop, ///< ( -- )
    Push, ///< ( -- c )            operand: constant pool index (u32)
    Pop, ///< ( a -- )
    Dup, ///< ( a -- a a )
    Swap, ///< ( a b -- b a )
    Over, ///< ( a b -- a b a )
    Load, ///< ( -- local )        operand: local slot (u16)
    Store, ///< ( v -- )            operand: local slot (u16)
    GLoad, ///< ( -- global )       operand: global index (u32)
    GStore, ///< ( v -- )            operand: global index (u32)
    HLoad, ///< ( i -- heap[i] )
    HStore, ///< ( i v -- )          heap[i] = v
    Alloc, ///< ( n -- base )       grows the heap by n zero cells
    Add, ///< ( a b -- a+b )      integers wrap; a float operand makes it a float operation
    Sub, ///< ( a b -- a-b )
    Mul, ///< ( a b -- a*b )
    Div, ///< ( a b -- a/b )      integer division truncates; integer division by zero faults
    Mod, ///< ( a b -- a%b )      integers only
    Neg, ///< ( a -- -a )
    Lt, ///< ( a b -- a<b )      comparisons push the integer 0 or 1
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    Not, ///< ( a -- !a )         integers only
    And, ///< ( a b -- a&&b )     integers only
    Or, ///< ( a b -- a||b )     integers only
    IToF, ///< ( i -- f )
    FToI, ///< ( f -- i )          truncates; NaN or out of range faults
    Sqrt, ///< ( a -- sqrt(a) )    IEEE square root (correctly rounded everywhere)
    Jmp, ///< ( -- )              operand: target address (u32)
    Jz, ///< ( c -- )            jumps when c is zero
    Jnz, ///< ( c -- )            jumps when c is not zero
    Call, ///< ( args -- r )       operand: function index (u16)
    Ret, ///< ( r -- )            returns r to the caller; from the entry function it halts with r
    Halt, ///< ( r -- )            stops the computation with result r
    Count
};

/// What follows an opcode in the bytecode.
enum class OperandKind : std::uint8_t { None, Constant, Local, Global, Target, Function };

/// @brief The number of bytes an operand of @p kind takes in the bytecode.
constexpr int operandBytes(OperandKind kind)
{
    switch (kind) {
    case OperandKind::None:
        return 0;
    case OperandKind::Local:
    case OperandKind::Function:
        return 2;
    case OperandKind::Constant:
    case OperandKind::Global:
    case OperandKind::Target:
        return 4;
    }
    return 0;
}

/// @brief The mnemonic and operand of one opcode.
struct OpcodeInfo {
    const char *mnemonic;
    OperandKind operand;
};

inline constexpr std::array<OpcodeInfo, static_cast<std::size_t>(Opcode::Count)> kOpcodeTable {{
    {"nop", OperandKind::None},
    {"push", OperandKind::Constant},
    {"pop", OperandKind::None},
    {"dup", OperandKind::None},
    {"swap", OperandKind::None},
    {"over", OperandKind::None},
    {"load", OperandKind::Local},
    {"store", OperandKind::Local},
    {"gload", OperandKind::Global},
    {"gstore", OperandKind::Global},
    {"hload", OperandKind::None},
    {"hstore", OperandKind::None},
    {"alloc", OperandKind::None},
    {"add", OperandKind::None},
    {"sub", OperandKind::None},
    {"mul", OperandKind::None},
    {"div", OperandKind::None},
    {"mod", OperandKind::None},
    {"neg", OperandKind::None},
    {"lt", OperandKind::None},
    {"le", OperandKind::None},
    {"gt", OperandKind::None},
    {"ge", OperandKind::None},
    {"eq", OperandKind::None},
    {"ne", OperandKind::None},
    {"not", OperandKind::None},
    {"and", OperandKind::None},
    {"or", OperandKind::None},
    {"itof", OperandKind::None},
    {"ftoi", OperandKind::None},
    {"sqrt", OperandKind::None},
    {"jmp", OperandKind::Target},
    {"jz", OperandKind::Target},
    {"jnz", OperandKind::Target},
    {"call", OperandKind::Function},
    {"ret", OperandKind::None},
    {"halt", OperandKind::None},
}};

/// @brief Mnemonic and operand of @p op (which must be below Opcode::Count).
constexpr const OpcodeInfo &opcodeInfo(Opcode op)
{
    return kOpcodeTable[static_cast<std::size_t>(op)];
}

/// @brief The length in bytes of an instruction with opcode @p op.
constexpr int instructionBytes(Opcode op)
{
    return 1 + operandBytes(opcodeInfo(op).operand);
}

/// @brief The opcode spelled @p mnemonic (lower case), if any.
inline std::optional<Opcode> opcodeFromMnemonic(QStringView mnemonic)
{
    for (std::size_t i = 0; i < kOpcodeTable.size(); ++i) {
        if (mnemonic == QLatin1String(kOpcodeTable[i].mnemonic))
            return static_cast<Opcode>(i);
    }
    return std::nullopt;
}

} // namespace proclab::mobility
