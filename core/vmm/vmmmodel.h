#pragma once

#include "binarytranslator.h"
#include "toyassembler.h"
#include "toymachine.h"
#include "vmmcosttable.h"
#include "vmmtrace.h"

#include <QString>
#include <QStringList>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace proclab {

/// @brief How the guest runs (the `mode` parameter).
enum class VmmMode : std::uint8_t {
    Native, ///< the guest kernel in kernel mode on the model machine
    ProcessVm, ///< one user program interpreted as an ordinary process; system calls become library calls
    TrapEmulate, ///< guest kernel deprivileged; privileged instructions trap into the VMM
    BinaryTranslate, ///< guest kernel code translated; sensitive instructions become VMM calls
    Paravirt, ///< guest kernel assembled with hypercalls (PARAVIRT = 1)
    HardwareAssist, ///< VT-x-like guest mode; chosen events exit to the VMM
    Check ///< no run: the Popek-Goldberg checker
};

/// @brief Where the VMM runs (V3): on the bare machine or on a host OS.
enum class VmmHost : std::uint8_t { Native, Hosted };

/// @brief Events that leave hardware-assisted guest mode (the `exits` parameter).
enum VmmExit : std::uint32_t {
    ExitIo = 1u << 0, ///< OUT
    ExitHlt = 1u << 1, ///< HALT
    ExitMmu = 1u << 2, ///< SETPT (address-space switch)
    ExitPte = 1u << 3, ///< stores into guest page tables (shadow paging)
    ExitInterrupt = 1u << 4, ///< timer interrupts (injected by the VMM)
    ExitSyscall = 1u << 5, ///< SYSCALL
    ExitIret = 1u << 6, ///< IRET
    ExitSreg = 1u << 7, ///< MFSR, MTSR
    ExitIntFlag = 1u << 8, ///< CLI, STI, POPF
    ExitSmsw = 1u << 9 ///< SMSW
};

/// @brief Hypercall numbers of the paravirtual interface (HCALL n; arguments in r1, r2; result in r1).
enum VmmHypercall : std::uint32_t {
    HcConsoleWrite = 1, ///< r1 = physical buffer, r2 = length: print it
    HcOut = 2, ///< r1 = port, r2 = value
    HcIret = 3, ///< return from the trap frame (pc, status)
    HcSetPt = 4, ///< r1 = MMU register value
    HcMmuUpdate = 5, ///< r1 = physical address of a page-table entry, r2 = new value
    HcSetTimer = 6, ///< r1 = period in instructions
    HcSetTrap = 7, ///< r1 = trap handler, r2 = physical address of the 4-word trap frame
    HcSetIf = 8, ///< r1 & 1 = virtual interrupt flag
    HcHalt = 9
};

/**
 * @brief Everything one run needs; names match the engine parameters to come.
 */
struct VmmConfig {
    VmmMode mode = VmmMode::Native;
    IsaVariant isa = IsaVariant::Clean;
    VmmHost host = VmmHost::Native;
    QString guest = QStringLiteral("two-tasks"); ///< name, for display
    QString source; ///< the guest's assembly text
    /// Reads files the guest includes (kernel.s); see GuestLibrary.
    std::function<std::optional<QString>(const QString &name)> readInclude;
    /// Extra assembler symbols, e.g. QUANTUM; the shipped guests define their tunables with .ifndef.
    std::map<QString, std::int64_t> defines;
    QString task; ///< process-vm: the `.user` program to run (empty: the only one)
    std::uint32_t exits = defaultExits(); ///< hw-assist: VmmExit bits
    VmmCostTable costs;
    bool translationCache = true; ///< bt: keep translations (off: translate every block entry)
    bool chaining = true; ///< bt: chain translated blocks
    std::uint64_t maxInstructions = 20000000; ///< step budget; a run that needs more ends with a fault
    std::size_t traceCapacity = 0; ///< trace ring size; 0 keeps the fast path untraced
    std::size_t consoleLimitBytes = 65536;

    /// io, hlt, mmu, pte and interrupt: first-generation VT-x without nested paging.
    static constexpr std::uint32_t defaultExits()
    {
        return ExitIo | ExitHlt | ExitMmu | ExitPte | ExitInterrupt;
    }
};

QString vmmModeName(
    VmmMode mode); ///< "native", "process-vm", "trap-emulate", "bt", "paravirt", "hw-assist", "check"
std::optional<VmmMode> vmmModeFromName(const QString &name);
QString vmmHostName(VmmHost host); ///< "native", "hosted"
std::optional<VmmHost> vmmHostFromName(const QString &name);
/// @brief Parses "io,hlt,mmu" (or "none"); std::nullopt with @p error for an unknown name.
std::optional<std::uint32_t> vmmExitsFromText(const QString &text, QString *error);
QString vmmExitsText(std::uint32_t exits);

/// @brief Counters of one run (summary keys in comments).
struct VmmCounters {
    std::uint64_t guestInstructions = 0; ///< guest_instructions
    std::uint64_t traps = 0; ///< traps: traps into the VMM (privileged, system calls, faults, timer)
    std::uint64_t emulatedInstructions = 0; ///< emulated_instructions: done by the VMM, not the hardware
    std::uint64_t translatedBlocks = 0; ///< translated_blocks
    std::uint64_t translatedInstructions = 0; ///< translated_instructions
    std::uint64_t translationCacheHits = 0; ///< translation_cache_hits
    std::uint64_t translationLookups = 0; ///< translation_lookups
    std::uint64_t chainedJumps = 0; ///< chained_jumps
    std::uint64_t hypercalls = 0; ///< hypercalls
    std::uint64_t vmExits = 0; ///< vm_exits
    std::uint64_t worldSwitches = 0; ///< world_switches: guest<->VMM round trips plus host round trips
    std::uint64_t hostRoundTrips = 0; ///< host_round_trips (hosted VMM)
    std::uint64_t libraryCalls = 0; ///< library_calls (process VM)
    std::uint64_t guestKernelEntries
        = 0; ///< guest_kernel_entries: traps and interrupts the guest kernel handled
    std::uint64_t guestInterrupts = 0; ///< guest_interrupts
    std::uint64_t pageTableWrites = 0; ///< page_table_writes the VMM had to follow
    std::uint64_t addressSpaceSwitches = 0; ///< address_space_switches (MMU register writes)
    std::uint64_t sensitiveSlipped = 0; ///< sensitive_slipped: sensitive instructions run without trapping
    std::uint32_t firstSlipPc = 0; ///< where the first one was
    /// context_switches: timer interrupts whose handler changed the address space (software VMMs)
    std::uint64_t contextSwitches = 0;
    /// VMM entries during those handlers, the interrupt itself included (traps_per_context_switch)
    std::uint64_t contextSwitchTraps = 0;
    std::uint64_t modelledCycles = 0; ///< modelled_cycles from the cost table
};

/// @brief Why a run stopped (or that it may go on).
enum class VmmRunState : std::uint8_t {
    Ready, ///< loaded, or stopped by the budget of run(): may continue
    Halted, ///< the guest kernel halted the machine
    Exited, ///< process VM: the program called exit
    Fault ///< a fault ended it (also: the step budget ran out); see faultText()
};

/// @brief The CPU panel's data: real registers, and the VMM's virtual CPU when there is one.
struct VmmCpuView {
    std::uint32_t pc = 0;
    std::array<std::uint32_t, toy::kRegisters> regs {};
    ToySysState real;
    bool hasVirtual = false;
    ToySysState virt;
    bool virtualInterruptPending = false;
    std::uint32_t timerPeriod = 0;
    std::uint32_t timerLeft = 0;
};

/// @brief One row of the guest kernel's process table, read from guest memory.
struct VmmProcessEntry {
    int index = 0;
    std::uint32_t id = 0;
    std::uint32_t state = 0; ///< 0 free, 1 ready, 2 running, 3 exited
    std::uint32_t pc = 0;
    std::array<std::uint32_t, toy::kRegisters> regs {}; ///< r1..r7 saved; [0] is 0
    std::uint32_t status = 0; ///< saved mode and IF
    std::uint32_t ptbr = 0; ///< saved MMU register
    bool current = false;
};

/**
 * @brief The `vmm` model: one guest on the toy machine under one way of running it.
 *
 * Plain class, no threads. load() assembles and sets up, then run(budget) or step()
 * advance it; counters(), guestOutput(), cpu() and processTable() read it out.
 */
class VmmModel {
public:
    /// Layout of the guest kernel's process table (see programs/README.md).
    static constexpr std::uint32_t kProcTableHeaderWords = 16;
    static constexpr std::uint32_t kProcEntryWords = 16;
    static constexpr std::uint32_t kProcMaxEntries = 8;

    VmmModel();
    ~VmmModel();
    VmmModel(const VmmModel &) = delete; // the machine's timer follows m_vcpu by pointer
    VmmModel &operator=(const VmmModel &) = delete;

    /**
     * @brief Assembles the guest and prepares the machine for @p config.
     * @return false with a one-line @p error (assembler messages name file, line and column)
     */
    bool load(const VmmConfig &config, QString *error);

    /// @brief Runs up to @p budget more guest instructions (never past maxInstructions).
    VmmRunState run(std::uint64_t budget);
    /// @brief Runs until the guest halts, exits or faults (bounded by maxInstructions).
    VmmRunState runToEnd();
    /// @brief Runs exactly one guest instruction (with whatever traps it causes).
    VmmRunState step() { return run(1); }

    VmmRunState state() const { return m_state; }
    bool finished() const { return m_state != VmmRunState::Ready; }
    QString faultText() const { return m_fault; }

    const VmmConfig &config() const { return m_config; }
    /// @brief The counters, with modelled cycles computed from the cost table.
    VmmCounters counters() const;
    /// @brief What the guest printed on its console.
    QString guestOutput() const;

    VmmCpuView cpu() const;
    /// @brief The guest kernel's process table (empty in process-vm mode or without a `proctab` label).
    std::vector<VmmProcessEntry> processTable() const;

    const AsmProgram &program() const { return m_program; }
    const ToyMachine &machine() const { return m_machine; }
    /// @brief The translator in bt mode, else nullptr.
    const BinaryTranslator *translator() const { return m_bt.get(); }
    VmmTrace &trace() { return m_trace; }
    /// @brief Resizes (and clears) the trace between runs; 0 switches tracing off and the fast path on.
    void setTraceCapacity(std::size_t capacity);
    /// @brief Assembly text of the instruction the guest executes next (with labels), for the views.
    QString nextInstructionText() const;

private:
    enum class Entry : std::uint8_t { Trap, Exit, Hypercall };

    void finish(VmmRunState state, const QString &fault = QString());
    void vmmEntry(Entry kind, std::uint32_t pc);
    void syncReal();
    void reflect(std::uint32_t cause, std::uint32_t epc, std::uint32_t tval);
    void deliverVirtualInterrupt();
    void emulate(const ToyInsn &insn, std::uint32_t pc, std::uint64_t costCycles, TraceKind kind);
    void shadowWrite(std::uint32_t phys, std::uint32_t value);
    void traceGuestPageTable(std::uint32_t ptbr);
    void guestKernelFault(std::uint32_t cause, std::uint32_t pc, std::uint32_t tval);
    void hypercall(std::uint32_t number, std::uint32_t pc);
    void runtimeCall(std::uint32_t number, std::uint32_t pc);

    void handleSoftwareVmm(const MachineResult &r);
    void handleHardwareAssist(const MachineResult &r);
    void handleProcessVm(const MachineResult &r);
    void runTranslated(std::uint64_t budget);
    void traceStep(
        TraceKind kind, TraceLayer layer, std::uint32_t pc, std::uint32_t cause, std::uint64_t cycles);
    bool softwareVmm() const
    {
        return m_config.mode == VmmMode::TrapEmulate || m_config.mode == VmmMode::BinaryTranslate
            || m_config.mode == VmmMode::Paravirt;
    }
    std::uint64_t cost(VmmCostTable::Item item) const { return m_config.costs.cost(item); }

    VmmConfig m_config;
    AsmProgram m_program;
    ToyMachine m_machine;
    ToySysState m_vcpu;
    bool m_vPending = false;
    std::uint32_t m_pvFrame = 0;
    bool m_pvFrameSet = false;
    std::unique_ptr<BinaryTranslator> m_bt;
    VmmTrace m_trace;
    VmmCounters m_c;
    std::uint64_t m_eventCycles = 0;
    VmmRunState m_state = VmmRunState::Fault;
    QString m_fault = QStringLiteral("nothing loaded");
    int m_pid = 1;
    // A timer interrupt's handler in progress (software VMMs): its VMM entries are counted, and
    // whether it switched address space, until the guest kernel returns to user mode.
    bool m_inTimerHandler = false;
    bool m_timerHandlerSwitched = false;
    std::uint64_t m_timerHandlerTraps = 0;
};

} // namespace proclab
