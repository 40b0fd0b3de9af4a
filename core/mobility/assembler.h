#pragma once

#include "computation.h"
#include "machinelimits.h"

#include <QString>

#include <optional>

namespace proclab::mobility {

/// @brief Where and why assembling failed (line and column count from 1).
struct AssemblyError {
    int line = 0;
    int column = 0;
    QString message;

    /// @brief "line 12, column 5: unknown instruction 'pusj'"
    QString toString() const;
};

/**
 * @brief Turns the machine's assembly language into a code and data segment.
 *
 * One statement per line; `;` or `#` starts a comment. Names are
 * [A-Za-z_][A-Za-z0-9_]*.
 *
 *     .program NAME          the program's name
 *     .global NAME [VALUE]   a global variable (integer or float literal, default 0)
 *     .const NAME VALUE      a named constant for `push`
 *     .array NAME CELLS      reserves heap cells; NAME pushes the first cell's index
 *     .func NAME [PARAM...]  starts a function; its parameters are its first locals
 *     .local NAME...         more locals of the current function
 *     .end                   ends the function
 *     LABEL:                 a jump target, local to its function
 *     MNEMONIC [OPERAND]     an instruction (see Opcode): push takes a literal,
 *                            a .const or an .array name; load/store a local
 *                            name or slot; gload/gstore a global name or index;
 *                            jmp/jz/jnz a label; call a function name.
 *
 * The computation starts in `main`, which takes no parameters; its `ret`
 * value (or `halt`'s operand) is the result.
 */
class Assembler {
public:
    /// @brief Assembles @p source; nullopt with the position and reason in @p error.
    static std::optional<Computation> assemble(
        const QString &source, const MachineLimits &limits, AssemblyError *error);
    /**
     * @brief Reads and assembles a file (a path or a Qt resource ":/...").
     * @return nullopt with "FILE: line L, column C: reason" or an I/O message in @p error
     */
    static std::optional<Computation> assembleFile(
        const QString &path, const MachineLimits &limits, QString *error);
};

} // namespace proclab::mobility
