#pragma once

#include "toyisa.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>

namespace proclab {

/// @brief One assembler diagnostic, with the place it points at (1-based line and column).
struct AsmMessage {
    QString file;
    int line = 0;
    int column = 0;
    QString message;
    /// "file:line:column: message"
    QString text() const;
};

/// @brief A user program marked with `.user NAME` ... `.enduser` (a process-VM can run it alone).
struct AsmUserProgram {
    QString name;
    std::uint32_t loadAddress = 0; ///< physical word address of its first word (page-aligned)
    std::uint32_t sizeWords = 0; ///< words emitted; the program sees them from virtual address 0
    int pid = 0; ///< 1 for the first `.user` block, 2 for the second, ...
};

/// @brief Where one word of the image came from, for the views.
struct AsmSourceLine {
    int file = 0; ///< index into AsmProgram::files
    int line = 0;
    QString text;
};

/**
 * @brief An assembled guest: a full physical memory image plus what the views need.
 */
struct AsmProgram {
    std::vector<std::uint32_t> memory; ///< toy::kMemoryWords words; zero where nothing was emitted
    std::vector<std::int32_t> lineAt; ///< per word: index into lines, or -1
    std::vector<AsmSourceLine> lines;
    QStringList files; ///< [0] is the main file
    std::map<QString, std::int64_t> symbols; ///< labels and constants; scoped ones as "A.loop"
    std::vector<AsmUserProgram> programs; ///< the `.user` blocks in order
    std::uint32_t wordsEmitted = 0;

    /// @brief Value of @p name, or std::nullopt.
    std::optional<std::int64_t> symbol(const QString &name) const;
    /// @brief The label at @p address (preferring unscoped ones), or an empty string.
    QString labelAt(std::uint32_t address) const;
};

/// @brief Inputs besides the source text.
struct AsmOptions {
    QString fileName = QStringLiteral("guest.s");
    /// Symbols defined before the first line (for example PARAVIRT = 1).
    std::map<QString, std::int64_t> defines;
    /// Reads an included file by name; std::nullopt if it does not exist.
    std::function<std::optional<QString>(const QString &name)> readInclude;
    int maxErrors = 20;
};

/**
 * @brief Two-pass assembler for the toy ISA.
 *
 * Syntax: one statement per line, `label:` prefixes, comments from `;` or `#`.
 * Directives: .org, .word, .string (zero-terminated, one character per word),
 * .ascii, .space, .align, .equ NAME, expr, .include "file", .if expr / .ifdef NAME /
 * .ifndef NAME / .else / .endif, .user NAME / .enduser (labels inside are scoped
 * to the block and count from virtual address 0). Pseudo-instructions: li, mov, nop.
 * Expressions: numbers (decimal, 0x, 0b), 'c' characters, symbols, $ (this
 * address), + - * & | << >> ~ and parentheses.
 */
class ToyAssembler {
public:
    /**
     * @brief Assembles @p source.
     * @return the program, or std::nullopt with at least one message in @p errors
     */
    static std::optional<AsmProgram> assemble(
        const QString &source, const AsmOptions &options, std::vector<AsmMessage> *errors);
};

} // namespace proclab
