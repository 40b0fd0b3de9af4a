#pragma once

#include <QString>

#include <array>
#include <cstdint>
#include <optional>

namespace proclab {

/**
 * @brief The two variants of the toy instruction set (V4, V5).
 *
 * In Clean every sensitive instruction is privileged, so trap-and-emulate works.
 * Popf makes POPF and SMSW unprivileged on purpose, as on the x86: POPF silently
 * ignores the interrupt flag in user mode and SMSW reads the privileged status
 * word from user mode, neither of them trapping.
 */
enum class IsaVariant : std::uint8_t { Clean, Popf };

/// Machine geometry; addresses count 32-bit words, not bytes.
namespace toy {
inline constexpr std::uint32_t kMemoryWords = 32768; ///< physical memory, and the size of a virtual space
inline constexpr std::uint32_t kPageShift = 8;
inline constexpr std::uint32_t kPageWords = 1u << kPageShift; ///< 256 words per page
inline constexpr std::uint32_t kPages = kMemoryWords / kPageWords; ///< 128 pages
inline constexpr std::uint32_t kPageTableEntries = kPages; ///< a one-level table: one entry per virtual page
inline constexpr std::uint32_t kRegisters = 8; ///< r0 (always 0) .. r7 (sp by convention)

inline constexpr std::uint32_t kPteValid = 1;
inline constexpr std::uint32_t kPteWritable = 2;
inline constexpr std::uint32_t kPteFrameMask = 0x7F00; ///< physical address of the frame
inline constexpr std::uint32_t kPtbrEnable = 1; ///< MMU register: paging on for user mode
inline constexpr std::uint32_t kPtbrBaseMask = 0x7F80; ///< MMU register: page-table address (128-aligned)

inline constexpr std::uint32_t kStatusIf = 1; ///< STATUS bit: interrupts enabled
inline constexpr std::uint32_t kStatusKernel = 2; ///< STATUS bit: kernel mode

/// Trap causes, as the CAUSE register reports them.
enum Cause : std::uint32_t {
    CauseNone = 0,
    CauseSyscall = 1, ///< SYSCALL; TVAL = its number, EPC = next instruction
    CauseTimer = 2, ///< timer interrupt; EPC = the interrupted instruction
    CausePrivileged = 3, ///< privileged instruction in user mode; EPC = that instruction
    CauseIllegal = 4, ///< undefined instruction word; TVAL = the word
    CausePageFault = 5, ///< TVAL = the virtual address
    CauseBus = 6, ///< physical address outside memory; TVAL = the address
    CauseHypercall = 7, ///< HCALL with no hypervisor underneath; TVAL = its number
};

/// I/O ports reached with OUT.
enum Port : std::uint32_t {
    PortConsole = 1, ///< the low 8 bits are a character for the console
    PortNumber = 2, ///< the value is printed as a signed decimal number
};

/// System registers reached with MFSR/MTSR (all privileged).
enum Sreg : std::uint32_t {
    SregStatus = 0, ///< mode and interrupt flag
    SregEpc = 1, ///< where IRET resumes
    SregEstatus = 2, ///< STATUS saved by the last trap, restored by IRET
    SregCause = 3,
    SregTval = 4,
    SregVector = 5, ///< address of the trap handler
    SregTimer = 6, ///< timer period in retired instructions (0 = off); writing restarts it
    SregScratch = 7, ///< free for the kernel
    SregPtbr = 8, ///< MMU register, read-only here (SETPT writes it)
    SregCount = 9
};
} // namespace toy

/// Opcodes: the top byte of an instruction word. 0 is never valid, so running zeroed memory faults.
enum class ToyOp : std::uint8_t {
    Illegal = 0x00,
    Add = 0x01,
    Sub = 0x02,
    Mul = 0x03,
    And = 0x04,
    Or = 0x05,
    Xor = 0x06,
    Shl = 0x07,
    Shr = 0x08,
    Addi = 0x09,
    Ld = 0x10,
    St = 0x11,
    Beq = 0x18,
    Bne = 0x19,
    Blt = 0x1A,
    Jmp = 0x1B,
    Jal = 0x1C,
    Jr = 0x1D,
    Syscall = 0x20,
    Hcall = 0x21,
    Out = 0x30,
    Iret = 0x31,
    Halt = 0x32,
    Cli = 0x33,
    Sti = 0x34,
    Mfsr = 0x35,
    Mtsr = 0x36,
    Setpt = 0x37,
    Popf = 0x38,
    Smsw = 0x39,
    Nop = 0x3F ///< decoded form only: an ALU instruction that writes r0
};

/// Operand layout of an instruction (see ISA.md).
enum class ToyFormat : std::uint8_t {
    None, ///< no operands
    R, ///< rd, rs, rt
    I, ///< rd, rs, imm
    Mem, ///< rd, [rs + imm]
    Branch, ///< rd, rs, target
    Jump, ///< target
    Jal, ///< rd, target
    Jr, ///< rs
    Imm, ///< imm (call number)
    Out, ///< rs, port
    Mfsr, ///< rd, sreg
    Mtsr, ///< sreg, rs
    Rs, ///< rs
    Rd ///< rd
};

/// How an instruction reaches across the interfaces of V2.
enum class ToyInterface : std::uint8_t {
    General, ///< ordinary instruction any program may run
    Call, ///< call or return inside the program (a library call when it targets library code)
    SystemCall, ///< system call into the operating system
    Privileged, ///< privileged (or sensitive) instruction of the operating system
    Hypercall ///< explicit call into the VMM
};

/// @brief Static facts about one instruction.
struct ToyOpInfo {
    ToyOp op = ToyOp::Illegal;
    const char *mnemonic = "";
    ToyFormat format = ToyFormat::None;
    bool privilegedClean = false; ///< traps in user mode on the clean ISA
    bool privilegedPopf = false; ///< traps in user mode on the popf ISA
    bool controlSensitive = false; ///< changes the machine's configuration (mode, IF, MMU, I/O, vector)
    bool behaviourSensitive = false; ///< result depends on the mode or on privileged state
    bool endsBlock = false; ///< control transfer: ends a basic block for the translator
    ToyInterface interface = ToyInterface::General;
    const char *summary = "";
};

/// @brief A predecoded instruction: what the interpreter dispatches on (8 bytes).
struct ToyInsn {
    std::uint8_t op = 0; ///< a ToyOp value; Illegal for any invalid word
    std::uint8_t rd = 0;
    std::uint8_t rs = 0;
    std::uint8_t rt = 0;
    std::int32_t imm = 0; ///< sign-extended immediate, or the target / port / number / sreg
};

/**
 * @brief The toy ISA: encoding, decoding and the facts the checker and translator need.
 *
 * Every instruction is one 32-bit word: opcode in bits 31..24, rd in 23..20, rs in
 * 19..16, then either rt in 15..12 (bits 11..0 zero) or a 16-bit immediate in 15..0.
 * Fields an instruction does not use must be zero, or the word is illegal.
 */
class ToyIsa {
public:
    /// @brief All real instructions (without the decoded-only Nop), in opcode order.
    static const std::array<ToyOpInfo, 29> &instructions();
    /// @brief Facts about @p op, or nullptr for an undefined opcode.
    static const ToyOpInfo *info(ToyOp op);
    /// @brief Facts about the instruction named @p mnemonic (case-insensitive), or nullptr.
    static const ToyOpInfo *find(const QString &mnemonic);

    /// @brief Whether @p op traps when run in user mode on @p isa.
    static bool isPrivileged(ToyOp op, IsaVariant isa);
    /// @brief Sensitive in the Popek-Goldberg sense (control- or behaviour-sensitive).
    static bool isSensitive(ToyOp op);

    /// @brief Decodes one word; invalid words give op == Illegal.
    static ToyInsn decode(std::uint32_t word);
    /// @brief Encodes the fields (no range checks: the assembler checks first).
    static std::uint32_t encode(ToyOp op, unsigned rd, unsigned rs, unsigned rt, std::int32_t imm);

    /// @brief Name of a system register ("epc"), or an empty string.
    static QString sregName(std::uint32_t sreg);
    /// @brief System register number for @p name, if it is one.
    static std::optional<std::uint32_t> sregFromName(const QString &name);
    /// @brief Short name of a trap cause ("syscall", "timer", ...).
    static QString causeName(std::uint32_t cause);

    static QString isaName(IsaVariant isa); ///< "clean" or "popf"
    static std::optional<IsaVariant> isaFromName(const QString &name);
};

} // namespace proclab
