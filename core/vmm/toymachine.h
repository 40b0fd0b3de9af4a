#pragma once

#include "toyisa.h"
#include "vmmtrace.h"

#include <QString>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace proclab {

/**
 * @brief The privileged part of a CPU: what a VMM keeps a virtual copy of.
 *
 * The machine has one for the real CPU; a VMM keeps another (the virtual CPU)
 * and runs the same instruction semantics on it (ToyMachine::execSystem).
 */
struct ToySysState {
    bool kernel = true;
    bool interruptsEnabled = false;
    std::uint32_t epc = 0;
    std::uint32_t estatus = 0;
    std::uint32_t cause = 0;
    std::uint32_t tval = 0;
    std::uint32_t vector = 0;
    std::uint32_t scratch = 0;
    std::uint32_t ptbr = 0; ///< the MMU register

    std::uint32_t status() const
    {
        return (kernel ? toy::kStatusKernel : 0u) | (interruptsEnabled ? toy::kStatusIf : 0u);
    }
    void setStatus(std::uint32_t s)
    {
        kernel = (s & toy::kStatusKernel) != 0;
        interruptsEnabled = (s & toy::kStatusIf) != 0;
    }
};

/// @brief Why ToyMachine::run() returned.
enum class MachineStop : std::uint8_t {
    Budget, ///< the instruction budget is used up; run again to go on
    Halted, ///< HALT ran in kernel mode
    Fault, ///< a fault in kernel mode (or a runaway): the machine stopped; see faultText()
    Host ///< an event for the host (VMM or process-VM runtime); see MachineResult::event
};

/// @brief Events the machine hands to its host instead of handling them itself.
enum class HostEvent : std::uint8_t {
    None,
    Trap, ///< a trap the hardware would deliver to a kernel (cause, pc, tval); see retired
    Interrupt, ///< the timer fired
    Exit, ///< hardware-assisted guest: the instruction at pc is in the exit set (not executed)
    InterruptWindow, ///< hardware-assisted guest: a pending interrupt can be injected now
    TracedStore ///< a store into a write-protected page-table page (not executed)
};

/// @brief Result of ToyMachine::run().
struct MachineResult {
    MachineStop stop = MachineStop::Budget;
    HostEvent event = HostEvent::None;
    std::uint32_t cause = 0;
    std::uint32_t pc = 0; ///< the instruction concerned
    std::uint32_t tval = 0;
    std::uint32_t word = 0;
    ToyInsn insn;
    bool retired = false; ///< the instruction completed (SYSCALL, HCALL) before the event
    std::uint32_t storePhys = 0;
    std::uint32_t storeValue = 0;
};

/// @brief What a system instruction did (for the VMM to follow up).
struct SysEffect {
    std::uint32_t nextPc = 0;
    bool halted = false;
    bool ptbrWritten = false;
    bool statusWritten = false; ///< mode or interrupt flag may have changed
    bool timerWritten = false;
};

/// @brief Outcome of one plain instruction run by the binary translator's executor.
struct PlainResult {
    std::uint32_t nextPc = 0;
    std::uint32_t cause = 0; ///< nonzero: faulted (tval holds the address)
    std::uint32_t tval = 0;
    bool tracedStore = false; ///< a store into a traced page-table page was held back
    std::uint32_t storePhys = 0;
    std::uint32_t storeValue = 0;
};

/**
 * @brief The model machine: registers, memory, MMU, timer, console and a fast interpreter.
 *
 * Memory is predecoded word by word (a store re-decodes the word it writes), so the
 * interpreter dispatches on ready-made ToyInsn records. Plain instructions run in a
 * tight loop; system instructions, traps and faults leave it for a slower path.
 * The timer counts instructions retired with interrupts enabled, which makes every run
 * deterministic and lets a VMM deliver interrupts at exactly the instruction where the
 * hardware would.
 *
 * In native use, traps go to the kernel's vector as the hardware would deliver them.
 * A host (VMM, process-VM runtime) can instead ask for traps, interrupts, chosen
 * instructions and stores into traced pages to be handed back to it.
 */
class ToyMachine {
public:
    /// Page flags a VMM sets on physical pages.
    enum PageFlag : std::uint8_t {
        PageTraced = 1, ///< holds a guest page table: stores are seen by the VMM
        PageCode = 2 ///< holds code with translations: stores make them stale
    };

    explicit ToyMachine(IsaVariant isa = IsaVariant::Clean);
    ToyMachine(const ToyMachine &) = delete; // m_timerGate may point into this object
    ToyMachine &operator=(const ToyMachine &) = delete;

    /// @brief Clears memory and registers; kernel mode, interrupts off, paging off, pc 0.
    void reset();
    /// @brief Copies @p words into physical memory from @p at (clipped to memory).
    void loadImage(const std::vector<std::uint32_t> &words, std::uint32_t at = 0);

    IsaVariant isa() const { return m_isa; }
    void setIsa(IsaVariant isa) { m_isa = isa; }

    /**
     * @brief Runs at most @p maxInstructions guest instructions.
     *
     * Returns early when the machine halts, faults, or has an event for its host.
     * Never loops without retiring instructions, so the budget bounds the work.
     */
    MachineResult run(std::uint64_t maxInstructions);

    // --- state --------------------------------------------------------------
    std::uint32_t reg(unsigned i) const { return i < toy::kRegisters ? m_reg[i] : 0; }
    void setReg(unsigned i, std::uint32_t v)
    {
        if (i > 0 && i < toy::kRegisters)
            m_reg[i] = v;
    }
    std::uint32_t pc() const { return m_pc; }
    void setPc(std::uint32_t pc) { m_pc = pc; }
    ToySysState &sys() { return m_sys; }
    const ToySysState &sys() const { return m_sys; }
    bool halted() const { return m_halted; }
    bool faulted() const { return m_faulted; }
    QString faultText() const { return m_faultText; }
    /// @brief Stops the machine with @p text as its fault (used by hosts for guest-kernel faults).
    void setFault(const QString &text);
    /// @brief The message of a fault in kernel mode, the same whichever layer noticed it.
    static QString kernelFaultText(std::uint32_t cause, std::uint32_t pc, std::uint32_t tval);

    std::uint32_t readPhys(std::uint32_t addr) const { return addr < toy::kMemoryWords ? m_mem[addr] : 0; }
    /// @brief Writes one word of physical memory (re-decodes it; marks translated code stale).
    void writePhys(std::uint32_t addr, std::uint32_t value);
    const ToyInsn &decodedAt(std::uint32_t phys) const { return m_dec[phys % toy::kMemoryWords]; }
    const std::vector<std::uint32_t> &memory() const { return m_mem; }

    /**
     * @brief Translates a virtual address as the MMU would for @p sys.
     * @return 0 and the physical address in @p phys, or the fault cause
     */
    std::uint32_t translate(
        const ToySysState &sys, std::uint32_t vaddr, bool write, std::uint32_t *phys) const;

    // --- timer and interrupts ---------------------------------------------------
    /**
     * @brief Makes the timer follow another interrupt flag (a VMM's virtual CPU); nullptr: the real one.
     *
     * The timer counts only instructions retired while that flag is set: the points where a
     * task is preempted then depend on the programs alone, not on how many instructions
     * a kernel (native, paravirtual, emulated) spent with interrupts off. The flag must
     * outlive the machine's use of it.
     */
    void setTimerGate(const bool *interruptFlag)
    {
        m_timerGate = interruptFlag ? interruptFlag : &m_sys.interruptsEnabled;
    }
    std::uint32_t timerPeriod() const { return m_timerPeriod; }
    std::uint32_t timerLeft() const { return m_timerLeft; }
    /// @brief Sets the period (0 = off) and restarts the count.
    void setTimerPeriod(std::uint32_t period);
    bool interruptPending() const { return m_irqPending; }
    /**
     * @brief Puts the timer back as it was saved (a machine restored elsewhere, as live migration
     * does): @p period, @p left instructions to the next interrupt, and whether one is pending.
     */
    void restoreTimer(std::uint32_t period, std::uint32_t left, bool pending)
    {
        m_timerPeriod = period;
        m_timerLeft = period == 0 ? 0 : std::clamp<std::uint32_t>(left, 1, period);
        m_irqPending = pending;
        m_irqExitTaken = false;
    }
    void clearInterruptPending()
    {
        m_irqPending = false;
        m_irqExitTaken = false;
    }
    /// @brief Delivers the pending timer interrupt to the kernel vector (hardware-assisted injection).
    void injectInterrupt();
    /// @brief Delivers a trap to the kernel's vector as the hardware does (STATUS saved, kernel mode, IF
    /// off).
    void deliverTrap(std::uint32_t cause, std::uint32_t epc, std::uint32_t tval);

    /// @brief Retired (completed) guest instructions so far.
    std::uint64_t retired() const { return m_retired; }
    /// @brief Counts one instruction completed outside run() (emulated by a host) and advances the timer.
    void retireOne() { account(1); }

    // --- semantics shared with hosts ------------------------------------------------
    /**
     * @brief Runs system instruction @p d (OUT .. SMSW) on @p sys, at @p pc.
     *
     * The registers, memory, timer and console are this machine's. No privilege check:
     * the caller decides who may run it. Does not retire the instruction.
     */
    SysEffect execSystem(const ToyInsn &d, ToySysState &sys, std::uint32_t pc);
    /**
     * @brief Runs the instruction at pc for a hardware-assisted VMM after an exit, as the guest would.
     * @return its effect (the instruction is retired and pc advanced)
     */
    SysEffect executeExited(const ToyInsn &d);
    /**
     * @brief Runs one plain instruction (ALU, load, store, branch, jump) with physical addressing.
     *
     * Used by the binary translator for translated kernel code. Does not retire.
     */
    PlainResult execPlain(const ToyInsn &d, std::uint32_t pc);
    /// @brief Writes @p value to an I/O port (console, number).
    void portOut(std::uint32_t port, std::uint32_t value);

    // --- devices ----------------------------------------------------------------------
    const std::string &console() const { return m_console; }
    /// @brief Appends @p text to the console (bounded; a host's library call).
    void consoleWrite(const std::string &text);
    void setConsoleLimit(std::size_t bytes) { m_consoleLimit = bytes; }
    std::uint64_t portWrites() const { return m_portWrites; }

    // --- host configuration -----------------------------------------------------------------
    /// @brief Traps, faults and interrupts go to the host instead of the kernel vector.
    void setHostTraps(bool on) { m_hostTraps = on; }
    /// @brief Hardware-assisted guest mode: instructions whose opcode bit is set exit to the host.
    void setExitOps(std::uint64_t opcodeMask) { m_exitOps = opcodeMask; }
    /// @brief Hardware-assisted guest mode: timer interrupts exit to the host, which injects them.
    void setExitOnInterrupt(bool on) { m_exitOnInterrupt = on; }
    /// @brief Stores into PageTraced pages are handed to the host.
    void setTracedStoresExit(bool on) { m_tracedStoresExit = on; }
    /// @brief The real user mode runs a guest kernel: unprivileged sensitive instructions then "slip
    /// through".
    void setDeprivilegedKernel(bool on) { m_deprivileged = on; }
    void setPageFlags(std::uint32_t page, std::uint8_t flags);
    std::uint8_t pageFlags(std::uint32_t page) const { return page < toy::kPages ? m_pageFlags[page] : 0; }
    /// @brief Whether a store hit a PageCode page since the last call (and clears it).
    bool takeCodeDirty()
    {
        const bool d = m_codeDirty;
        m_codeDirty = false;
        return d;
    }

    // --- counters of native events --------------------------------------------------------
    std::uint64_t trapsDelivered() const { return m_delivered; } ///< traps delivered to the kernel vector
    std::uint64_t interruptsDelivered() const { return m_interrupts; }
    std::uint64_t slipped() const { return m_slipped; } ///< sensitive instructions that slipped through
    std::uint32_t firstSlipPc() const { return m_firstSlipPc; }

    // --- tracing ----------------------------------------------------------------------------
    /// @brief Records one event per directly executed instruction into @p trace (nullptr: off).
    void setTrace(VmmTrace *trace) { m_trace = trace; }
    /// @brief Layer to report for guest-kernel code the hardware runs in user mode (deprivileged).
    void setTraceKernelLayer(TraceLayer userModeLayer, TraceLayer kernelModeLayer)
    {
        m_traceUserLayer = userModeLayer;
        m_traceKernelLayer = kernelModeLayer;
    }
    void setTraceKind(TraceKind kind) { m_traceKind = kind; }

private:
    enum class SlowKind : std::uint8_t { ChunkDone, Insn, Fault, WatchedStore };
    struct Slow {
        SlowKind kind = SlowKind::ChunkDone;
        ToyInsn insn;
        std::uint32_t phys = 0; // of the instruction
        std::uint32_t cause = 0;
        std::uint32_t tval = 0;
        std::uint32_t storePhys = 0;
    };

    template<bool Traced> MachineResult runImpl(std::uint64_t maxInstructions);
    template<bool Traced> Slow fastLoop(std::uint64_t &n);
    /// Returns true with @p out filled when run() must return.
    bool handleSlow(const Slow &slow, MachineResult *out);
    bool raiseFault(std::uint32_t cause, std::uint32_t pc, std::uint32_t tval, MachineResult *out);
    bool checkInterrupt(MachineResult *out);
    void account(std::uint64_t done)
    {
        m_retired += done;
        if (m_timerPeriod != 0 && *m_timerGate) {
            m_timerLeft -= static_cast<std::uint32_t>(done);
            if (m_timerLeft == 0) {
                m_irqPending = true;
                m_timerLeft = m_timerPeriod;
            }
        }
    }
    void storeWord(std::uint32_t phys, std::uint32_t value)
    {
        m_mem[phys] = value;
        m_dec[phys] = ToyIsa::decode(value);
    }
    void traceDirect(std::uint32_t pc, std::uint32_t phys, std::uint64_t seq);
    void traceEvent(TraceKind kind, TraceLayer layer, std::uint32_t pc, std::uint32_t cause);
    TraceLayer currentLayer() const { return m_sys.kernel ? m_traceKernelLayer : m_traceUserLayer; }

    IsaVariant m_isa;
    std::vector<std::uint32_t> m_mem;
    std::vector<ToyInsn> m_dec;
    std::array<std::uint32_t, toy::kRegisters> m_reg {};
    std::uint32_t m_pc = 0;
    ToySysState m_sys;
    const bool *m_timerGate = &m_sys.interruptsEnabled;
    std::uint32_t m_timerPeriod = 0;
    std::uint32_t m_timerLeft = 0;
    bool m_irqPending = false;
    bool m_irqExitTaken = false;
    bool m_halted = false;
    bool m_faulted = false;
    QString m_faultText;
    std::uint64_t m_retired = 0;

    std::string m_console;
    std::size_t m_consoleLimit = 1 << 20;
    std::uint64_t m_portWrites = 0;

    bool m_hostTraps = false;
    std::uint64_t m_exitOps = 0;
    bool m_exitOnInterrupt = false;
    bool m_tracedStoresExit = false;
    bool m_deprivileged = false;
    std::array<std::uint8_t, toy::kPages> m_pageFlags {};
    bool m_codeDirty = false;

    std::uint64_t m_delivered = 0;
    std::uint64_t m_interrupts = 0;
    std::uint64_t m_slipped = 0;
    std::uint32_t m_firstSlipPc = 0;

    VmmTrace *m_trace = nullptr;
    TraceLayer m_traceUserLayer = TraceLayer::Application;
    TraceLayer m_traceKernelLayer = TraceLayer::GuestKernel;
    TraceKind m_traceKind = TraceKind::Direct;
};

} // namespace proclab
