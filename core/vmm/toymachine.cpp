#include "toymachine.h"

#include <algorithm>

namespace proclab {

namespace {

constexpr std::uint32_t kPageOffsetMask = toy::kPageWords - 1;

inline bool isSystemOp(std::uint8_t op)
{
    return op >= static_cast<std::uint8_t>(ToyOp::Out) && op <= static_cast<std::uint8_t>(ToyOp::Smsw);
}

} // namespace

ToyMachine::ToyMachine(IsaVariant isa)
    : m_isa(isa)
{
    reset();
}

void ToyMachine::reset()
{
    m_mem.assign(toy::kMemoryWords, 0);
    m_dec.assign(toy::kMemoryWords, ToyInsn {});
    m_reg.fill(0);
    m_pc = 0;
    m_sys = ToySysState {};
    m_timerGate = &m_sys.interruptsEnabled;
    m_timerPeriod = 0;
    m_timerLeft = 0;
    m_irqPending = false;
    m_irqExitTaken = false;
    m_halted = false;
    m_faulted = false;
    m_faultText.clear();
    m_retired = 0;
    m_console.clear();
    m_portWrites = 0;
    m_pageFlags.fill(0);
    m_codeDirty = false;
    m_delivered = 0;
    m_interrupts = 0;
    m_slipped = 0;
    m_firstSlipPc = 0;
}

void ToyMachine::loadImage(const std::vector<std::uint32_t> &words, std::uint32_t at)
{
    for (std::size_t i = 0; i < words.size() && at + i < toy::kMemoryWords; ++i)
        storeWord(static_cast<std::uint32_t>(at + i), words[i]);
}

void ToyMachine::setFault(const QString &text)
{
    m_faulted = true;
    m_faultText = text;
}

QString ToyMachine::kernelFaultText(std::uint32_t cause, std::uint32_t pc, std::uint32_t tval)
{
    return QStringLiteral("kernel fault: %1 at pc 0x%2 (value 0x%3)")
        .arg(ToyIsa::causeName(cause))
        .arg(pc, 4, 16, QLatin1Char('0'))
        .arg(tval, 0, 16);
}

void ToyMachine::writePhys(std::uint32_t addr, std::uint32_t value)
{
    if (addr >= toy::kMemoryWords)
        return;
    if (m_pageFlags[addr >> toy::kPageShift] & PageCode)
        m_codeDirty = true;
    storeWord(addr, value);
}

std::uint32_t ToyMachine::translate(
    const ToySysState &sys, std::uint32_t vaddr, bool write, std::uint32_t *phys) const
{
    const bool mapped = !sys.kernel && (sys.ptbr & toy::kPtbrEnable);
    if (!mapped) {
        if (vaddr >= toy::kMemoryWords)
            return toy::CauseBus;
        *phys = vaddr;
        return 0;
    }
    if (vaddr >= toy::kMemoryWords)
        return toy::CausePageFault;
    const std::uint32_t pte = m_mem[(sys.ptbr & toy::kPtbrBaseMask) + (vaddr >> toy::kPageShift)];
    if (!(pte & toy::kPteValid) || (write && !(pte & toy::kPteWritable)))
        return toy::CausePageFault;
    *phys = (pte & toy::kPteFrameMask) | (vaddr & kPageOffsetMask);
    return 0;
}

void ToyMachine::setTimerPeriod(std::uint32_t period)
{
    m_timerPeriod = period;
    m_timerLeft = period;
}

void ToyMachine::deliverTrap(std::uint32_t cause, std::uint32_t epc, std::uint32_t tval)
{
    m_sys.estatus = m_sys.status();
    m_sys.epc = epc;
    m_sys.cause = cause;
    m_sys.tval = tval;
    m_sys.kernel = true;
    m_sys.interruptsEnabled = false;
    m_pc = m_sys.vector;
    ++m_delivered;
}

void ToyMachine::injectInterrupt()
{
    m_irqPending = false;
    m_irqExitTaken = false;
    ++m_interrupts;
    deliverTrap(toy::CauseTimer, m_pc, 0);
}

void ToyMachine::setPageFlags(std::uint32_t page, std::uint8_t flags)
{
    if (page < toy::kPages)
        m_pageFlags[page] = flags;
}

void ToyMachine::portOut(std::uint32_t port, std::uint32_t value)
{
    ++m_portWrites;
    if (port == toy::PortConsole)
        consoleWrite(std::string(1, static_cast<char>(value & 0xFF)));
    else if (port == toy::PortNumber)
        consoleWrite(std::to_string(static_cast<std::int32_t>(value)));
    // Other ports have no device: the write is ignored, as on a bus with nothing there.
}

void ToyMachine::consoleWrite(const std::string &text)
{
    if (m_console.size() >= m_consoleLimit)
        return;
    m_console.append(text, 0, m_consoleLimit - m_console.size());
}

SysEffect ToyMachine::execSystem(const ToyInsn &d, ToySysState &sys, std::uint32_t pc)
{
    SysEffect e;
    e.nextPc = pc + 1;
    switch (static_cast<ToyOp>(d.op)) {
    case ToyOp::Out:
        portOut(static_cast<std::uint32_t>(d.imm), m_reg[d.rs]);
        break;
    case ToyOp::Iret:
        sys.setStatus(sys.estatus);
        e.nextPc = sys.epc;
        e.statusWritten = true;
        break;
    case ToyOp::Halt:
        e.halted = true;
        e.nextPc = pc;
        break;
    case ToyOp::Cli:
        sys.interruptsEnabled = false;
        e.statusWritten = true;
        break;
    case ToyOp::Sti:
        sys.interruptsEnabled = true;
        e.statusWritten = true;
        break;
    case ToyOp::Mfsr: {
        std::uint32_t v = 0;
        switch (d.imm) {
        case toy::SregStatus:
            v = sys.status();
            break;
        case toy::SregEpc:
            v = sys.epc;
            break;
        case toy::SregEstatus:
            v = sys.estatus;
            break;
        case toy::SregCause:
            v = sys.cause;
            break;
        case toy::SregTval:
            v = sys.tval;
            break;
        case toy::SregVector:
            v = sys.vector;
            break;
        case toy::SregTimer:
            v = m_timerPeriod;
            break;
        case toy::SregScratch:
            v = sys.scratch;
            break;
        case toy::SregPtbr:
            v = sys.ptbr;
            break;
        default:
            break;
        }
        if (d.rd != 0)
            m_reg[d.rd] = v;
        break;
    }
    case ToyOp::Mtsr: {
        const std::uint32_t v = m_reg[d.rs];
        switch (d.imm) {
        case toy::SregStatus:
            sys.setStatus(v);
            e.statusWritten = true;
            break;
        case toy::SregEpc:
            sys.epc = v;
            break;
        case toy::SregEstatus:
            sys.estatus = v;
            break;
        case toy::SregCause:
            sys.cause = v;
            break;
        case toy::SregTval:
            sys.tval = v;
            break;
        case toy::SregVector:
            sys.vector = v;
            break;
        case toy::SregTimer:
            setTimerPeriod(v);
            e.timerWritten = true;
            break;
        case toy::SregScratch:
            sys.scratch = v;
            break;
        default:
            break;
        }
        break;
    }
    case ToyOp::Setpt:
        sys.ptbr = m_reg[d.rs];
        e.ptbrWritten = true;
        break;
    case ToyOp::Popf:
        // The behaviour-sensitive case: only kernel mode may change IF; user mode is silently ignored.
        if (sys.kernel) {
            sys.interruptsEnabled = (m_reg[d.rs] & toy::kStatusIf) != 0;
            e.statusWritten = true;
        }
        break;
    case ToyOp::Smsw:
        if (d.rd != 0)
            m_reg[d.rd] = sys.status();
        break;
    default:
        break;
    }
    return e;
}

SysEffect ToyMachine::executeExited(const ToyInsn &d)
{
    SysEffect e;
    const std::uint32_t pc = m_pc;
    if (d.op == static_cast<std::uint8_t>(ToyOp::Syscall)
        || d.op == static_cast<std::uint8_t>(ToyOp::Hcall)) {
        account(1);
        deliverTrap(
            d.op == static_cast<std::uint8_t>(ToyOp::Syscall) ? toy::CauseSyscall : toy::CauseHypercall,
            pc + 1, static_cast<std::uint32_t>(d.imm));
        e.nextPc = m_pc;
        e.statusWritten = true;
        return e;
    }
    e = execSystem(d, m_sys, pc);
    account(1);
    m_pc = e.nextPc;
    if (e.halted)
        m_halted = true;
    return e;
}

PlainResult ToyMachine::execPlain(const ToyInsn &d, std::uint32_t pc)
{
    PlainResult r;
    r.nextPc = pc + 1;
    std::uint32_t *const x = m_reg.data();
    switch (static_cast<ToyOp>(d.op)) {
    case ToyOp::Add:
        x[d.rd] = x[d.rs] + x[d.rt];
        break;
    case ToyOp::Sub:
        x[d.rd] = x[d.rs] - x[d.rt];
        break;
    case ToyOp::Mul:
        x[d.rd] = x[d.rs] * x[d.rt];
        break;
    case ToyOp::And:
        x[d.rd] = x[d.rs] & x[d.rt];
        break;
    case ToyOp::Or:
        x[d.rd] = x[d.rs] | x[d.rt];
        break;
    case ToyOp::Xor:
        x[d.rd] = x[d.rs] ^ x[d.rt];
        break;
    case ToyOp::Shl:
        x[d.rd] = x[d.rs] << (x[d.rt] & 31);
        break;
    case ToyOp::Shr:
        x[d.rd] = x[d.rs] >> (x[d.rt] & 31);
        break;
    case ToyOp::Addi:
        x[d.rd] = x[d.rs] + static_cast<std::uint32_t>(d.imm);
        break;
    case ToyOp::Nop:
        break;
    case ToyOp::Ld: {
        const std::uint32_t ea = x[d.rs] + static_cast<std::uint32_t>(d.imm);
        if (ea >= toy::kMemoryWords) {
            r.cause = toy::CauseBus;
            r.tval = ea;
            break;
        }
        x[d.rd] = m_mem[ea];
        x[0] = 0;
        break;
    }
    case ToyOp::St: {
        const std::uint32_t ea = x[d.rs] + static_cast<std::uint32_t>(d.imm);
        if (ea >= toy::kMemoryWords) {
            r.cause = toy::CauseBus;
            r.tval = ea;
            break;
        }
        if (m_pageFlags[ea >> toy::kPageShift] & PageTraced) {
            r.tracedStore = true;
            r.storePhys = ea;
            r.storeValue = x[d.rd];
            break;
        }
        writePhys(ea, x[d.rd]);
        break;
    }
    case ToyOp::Beq:
        if (x[d.rd] == x[d.rs])
            r.nextPc = static_cast<std::uint32_t>(d.imm);
        break;
    case ToyOp::Bne:
        if (x[d.rd] != x[d.rs])
            r.nextPc = static_cast<std::uint32_t>(d.imm);
        break;
    case ToyOp::Blt:
        if (static_cast<std::int32_t>(x[d.rd]) < static_cast<std::int32_t>(x[d.rs]))
            r.nextPc = static_cast<std::uint32_t>(d.imm);
        break;
    case ToyOp::Jmp:
        r.nextPc = static_cast<std::uint32_t>(d.imm);
        break;
    case ToyOp::Jal:
        x[d.rd] = pc + 1;
        x[0] = 0;
        r.nextPc = static_cast<std::uint32_t>(d.imm);
        break;
    case ToyOp::Jr:
        r.nextPc = x[d.rs];
        break;
    default:
        r.cause = toy::CauseIllegal;
        r.tval = m_mem[pc % toy::kMemoryWords];
        break;
    }
    return r;
}

void ToyMachine::traceDirect(std::uint32_t pc, std::uint32_t phys, std::uint64_t seq)
{
    const std::uint32_t word = m_mem[phys];
    const ToyOpInfo *info = ToyIsa::info(static_cast<ToyOp>(word >> 24));
    TraceEvent e;
    e.seq = seq;
    e.pc = pc;
    e.word = word;
    e.kind = m_traceKind;
    e.layer = currentLayer();
    e.interface = info ? info->interface : ToyInterface::General;
    m_trace->push(e);
}

void ToyMachine::traceEvent(TraceKind kind, TraceLayer layer, std::uint32_t pc, std::uint32_t cause)
{
    if (!m_trace || !m_trace->enabled())
        return;
    TraceEvent e;
    e.seq = m_retired;
    e.pc = pc;
    std::uint32_t phys = 0;
    if (translate(m_sys, pc, false, &phys) == 0)
        e.word = m_mem[phys];
    const ToyOpInfo *info = ToyIsa::info(static_cast<ToyOp>(e.word >> 24));
    e.interface = info ? info->interface : ToyInterface::General;
    e.kind = kind;
    e.layer = layer;
    e.cause = cause;
    m_trace->push(e);
}

template<bool Traced> ToyMachine::Slow ToyMachine::fastLoop(std::uint64_t &n)
{
    // Everything the loop needs is in locals; only the slow path changes mode, MMU or vector.
    std::uint32_t *const x = m_reg.data();
    std::uint32_t *const mem = m_mem.data();
    ToyInsn *const dec = m_dec.data();
    const std::uint8_t *const flags = m_pageFlags.data();
    const bool mapped = !m_sys.kernel && (m_sys.ptbr & toy::kPtbrEnable);
    const std::uint32_t ptBase = m_sys.ptbr & toy::kPtbrBaseMask;
    const std::uint64_t chunk = n;
    const std::uint64_t seqBase = m_retired;
    std::uint32_t pc = m_pc;
    std::uint32_t fetchPage = ~0u;
    std::uint32_t fetchBase = 0;
    Slow out;

    // Data address translation; returns the fault cause or 0.
    auto xlate = [&](std::uint32_t va, bool write, std::uint32_t &pa) -> std::uint32_t {
        if (!mapped) {
            if (va >= toy::kMemoryWords)
                return toy::CauseBus;
            pa = va;
            return 0;
        }
        if (va >= toy::kMemoryWords)
            return toy::CausePageFault;
        const std::uint32_t pte = mem[ptBase + (va >> toy::kPageShift)];
        if (!(pte & toy::kPteValid) || (write && !(pte & toy::kPteWritable)))
            return toy::CausePageFault;
        pa = (pte & toy::kPteFrameMask) | (va & kPageOffsetMask);
        return 0;
    };

    for (;;) {
        if ((pc >> toy::kPageShift) != fetchPage) {
            std::uint32_t pa = 0;
            const std::uint32_t cause = xlate(pc, false, pa);
            if (cause != 0) {
                out.kind = SlowKind::Fault;
                out.cause = cause;
                out.tval = pc;
                break;
            }
            fetchPage = pc >> toy::kPageShift;
            fetchBase = pa & ~kPageOffsetMask;
        }
        const std::uint32_t phys = fetchBase | (pc & kPageOffsetMask);
        const ToyInsn d = dec[phys];
        const std::uint32_t ipc = pc;
        switch (static_cast<ToyOp>(d.op)) {
        case ToyOp::Add:
            x[d.rd] = x[d.rs] + x[d.rt];
            ++pc;
            break;
        case ToyOp::Sub:
            x[d.rd] = x[d.rs] - x[d.rt];
            ++pc;
            break;
        case ToyOp::Mul:
            x[d.rd] = x[d.rs] * x[d.rt];
            ++pc;
            break;
        case ToyOp::And:
            x[d.rd] = x[d.rs] & x[d.rt];
            ++pc;
            break;
        case ToyOp::Or:
            x[d.rd] = x[d.rs] | x[d.rt];
            ++pc;
            break;
        case ToyOp::Xor:
            x[d.rd] = x[d.rs] ^ x[d.rt];
            ++pc;
            break;
        case ToyOp::Shl:
            x[d.rd] = x[d.rs] << (x[d.rt] & 31);
            ++pc;
            break;
        case ToyOp::Shr:
            x[d.rd] = x[d.rs] >> (x[d.rt] & 31);
            ++pc;
            break;
        case ToyOp::Addi:
            x[d.rd] = x[d.rs] + static_cast<std::uint32_t>(d.imm);
            ++pc;
            break;
        case ToyOp::Nop:
            ++pc;
            break;
        case ToyOp::Ld: {
            std::uint32_t pa = 0;
            const std::uint32_t ea = x[d.rs] + static_cast<std::uint32_t>(d.imm);
            const std::uint32_t cause = xlate(ea, false, pa);
            if (cause != 0) {
                out.kind = SlowKind::Fault;
                out.cause = cause;
                out.tval = ea;
                goto done;
            }
            x[d.rd] = mem[pa];
            x[0] = 0;
            ++pc;
            break;
        }
        case ToyOp::St: {
            std::uint32_t pa = 0;
            const std::uint32_t ea = x[d.rs] + static_cast<std::uint32_t>(d.imm);
            const std::uint32_t cause = xlate(ea, true, pa);
            if (cause != 0) {
                out.kind = SlowKind::Fault;
                out.cause = cause;
                out.tval = ea;
                goto done;
            }
            if (flags[pa >> toy::kPageShift] != 0) {
                out.kind = SlowKind::WatchedStore;
                out.insn = d;
                out.phys = phys;
                out.storePhys = pa;
                goto done;
            }
            mem[pa] = x[d.rd];
            dec[pa] = ToyIsa::decode(x[d.rd]);
            // A store into the live page table may remap the code page we fetch from.
            if (mapped && pa - ptBase < toy::kPageTableEntries)
                fetchPage = ~0u;
            ++pc;
            break;
        }
        case ToyOp::Beq:
            pc = x[d.rd] == x[d.rs] ? static_cast<std::uint32_t>(d.imm) : pc + 1;
            break;
        case ToyOp::Bne:
            pc = x[d.rd] != x[d.rs] ? static_cast<std::uint32_t>(d.imm) : pc + 1;
            break;
        case ToyOp::Blt:
            pc = static_cast<std::int32_t>(x[d.rd]) < static_cast<std::int32_t>(x[d.rs])
                ? static_cast<std::uint32_t>(d.imm)
                : pc + 1;
            break;
        case ToyOp::Jmp:
            pc = static_cast<std::uint32_t>(d.imm);
            break;
        case ToyOp::Jal:
            x[d.rd] = pc + 1;
            x[0] = 0;
            pc = static_cast<std::uint32_t>(d.imm);
            break;
        case ToyOp::Jr:
            pc = x[d.rs];
            break;
        default:
            // System instructions, traps and illegal words leave the fast loop.
            out.kind = SlowKind::Insn;
            out.insn = d;
            out.phys = phys;
            goto done;
        }
        if constexpr (Traced)
            traceDirect(ipc, phys, seqBase + (chunk - n));
        if (--n == 0) {
            out.kind = SlowKind::ChunkDone;
            break;
        }
    }
done:
    m_pc = pc;
    return out;
}

bool ToyMachine::raiseFault(std::uint32_t cause, std::uint32_t pc, std::uint32_t tval, MachineResult *out)
{
    if (m_hostTraps) {
        out->stop = MachineStop::Host;
        out->event = HostEvent::Trap;
        out->cause = cause;
        out->pc = pc;
        out->tval = tval;
        std::uint32_t phys = 0;
        if (translate(m_sys, pc, false, &phys) == 0) {
            out->word = m_mem[phys];
            out->insn = m_dec[phys];
        }
        return true;
    }
    if (m_sys.kernel) {
        // A fault inside the kernel has nowhere to go: the machine stops (a double fault).
        m_faulted = true;
        m_faultText = kernelFaultText(cause, pc, tval);
        if (m_trace && m_trace->enabled())
            traceEvent(TraceKind::Fault, TraceLayer::Hardware, pc, cause);
        out->stop = MachineStop::Fault;
        out->pc = pc;
        out->cause = cause;
        out->tval = tval;
        return true;
    }
    if (m_trace && m_trace->enabled())
        traceEvent(TraceKind::TrapDown, m_traceKernelLayer, pc, cause);
    deliverTrap(cause, pc, tval);
    return false;
}

bool ToyMachine::checkInterrupt(MachineResult *out)
{
    if (m_hostTraps) {
        out->stop = MachineStop::Host;
        out->event = HostEvent::Interrupt;
        out->cause = toy::CauseTimer;
        out->pc = m_pc;
        return true;
    }
    if (m_exitOnInterrupt) {
        if (!m_irqExitTaken) {
            m_irqExitTaken = true;
            out->stop = MachineStop::Host;
            out->event = HostEvent::Interrupt;
            out->cause = toy::CauseTimer;
            out->pc = m_pc;
            return true;
        }
        if (m_sys.interruptsEnabled) {
            out->stop = MachineStop::Host;
            out->event = HostEvent::InterruptWindow;
            out->cause = toy::CauseTimer;
            out->pc = m_pc;
            return true;
        }
        return false;
    }
    if (m_sys.interruptsEnabled) {
        if (m_trace && m_trace->enabled())
            traceEvent(TraceKind::Interrupt, m_traceKernelLayer, m_pc, toy::CauseTimer);
        m_irqPending = false;
        ++m_interrupts;
        deliverTrap(toy::CauseTimer, m_pc, 0);
    }
    return false;
}

bool ToyMachine::handleSlow(const Slow &slow, MachineResult *out)
{
    const std::uint32_t pc = m_pc;
    if (slow.kind == SlowKind::Fault)
        return raiseFault(slow.cause, pc, slow.tval, out);

    const ToyInsn &d = slow.insn;
    const bool traced = m_trace && m_trace->enabled();
    if (slow.kind == SlowKind::WatchedStore) {
        const std::uint8_t f = m_pageFlags[slow.storePhys >> toy::kPageShift];
        const std::uint32_t value = m_reg[d.rd];
        if ((f & PageTraced) && m_tracedStoresExit) {
            out->stop = MachineStop::Host;
            out->event = HostEvent::TracedStore;
            out->pc = pc;
            out->insn = d;
            out->word = m_mem[slow.phys];
            out->storePhys = slow.storePhys;
            out->storeValue = value;
            return true;
        }
        if (traced)
            traceDirect(pc, slow.phys, m_retired);
        writePhys(slow.storePhys, value);
        account(1);
        m_pc = pc + 1;
        return false;
    }

    const std::uint8_t op = d.op;
    const std::uint64_t opBit = op < 64 ? (std::uint64_t(1) << op) : 0;
    if (op == static_cast<std::uint8_t>(ToyOp::Syscall) || op == static_cast<std::uint8_t>(ToyOp::Hcall)) {
        const bool isSyscall = op == static_cast<std::uint8_t>(ToyOp::Syscall);
        if (m_exitOps & opBit) {
            out->stop = MachineStop::Host;
            out->event = HostEvent::Exit;
            out->pc = pc;
            out->insn = d;
            out->word = m_mem[slow.phys];
            return true;
        }
        if (!isSyscall && !m_hostTraps) {
            // HCALL on a machine with no hypervisor is a fault, not a service.
            return raiseFault(toy::CauseHypercall, pc, static_cast<std::uint32_t>(d.imm), out);
        }
        if (traced)
            traceDirect(pc, slow.phys, m_retired);
        account(1);
        if (m_hostTraps) {
            out->stop = MachineStop::Host;
            out->event = HostEvent::Trap;
            out->cause = isSyscall ? toy::CauseSyscall : toy::CauseHypercall;
            out->pc = pc;
            out->tval = static_cast<std::uint32_t>(d.imm);
            out->insn = d;
            out->word = m_mem[slow.phys];
            out->retired = true;
            m_pc = pc + 1;
            return true;
        }
        if (traced)
            traceEvent(TraceKind::TrapDown, m_traceKernelLayer, pc, toy::CauseSyscall);
        deliverTrap(toy::CauseSyscall, pc + 1, static_cast<std::uint32_t>(d.imm));
        return false;
    }
    if (!isSystemOp(op))
        return raiseFault(toy::CauseIllegal, pc, m_mem[slow.phys], out);

    const bool privileged = ToyIsa::isPrivileged(static_cast<ToyOp>(op), m_isa);
    if (privileged && !m_sys.kernel)
        return raiseFault(toy::CausePrivileged, pc, m_mem[slow.phys], out);
    if (m_exitOps & opBit) {
        out->stop = MachineStop::Host;
        out->event = HostEvent::Exit;
        out->pc = pc;
        out->insn = d;
        out->word = m_mem[slow.phys];
        return true;
    }
    if (!m_sys.kernel && m_deprivileged) {
        // Sensitive but unprivileged (popf ISA): it runs on the real, user-mode state.
        if (m_slipped++ == 0)
            m_firstSlipPc = pc;
        if (traced)
            traceEvent(TraceKind::SlippedThrough, m_traceUserLayer, pc, 0);
    } else if (traced) {
        traceDirect(pc, slow.phys, m_retired);
    }
    const SysEffect e = execSystem(d, m_sys, pc);
    account(1);
    m_pc = e.nextPc;
    if (e.halted) {
        m_halted = true;
        out->stop = MachineStop::Halted;
        out->pc = pc;
        return true;
    }
    return false;
}

template<bool Traced> MachineResult ToyMachine::runImpl(std::uint64_t maxInstructions)
{
    std::uint64_t budget = maxInstructions;
    MachineResult out;
    for (;;) {
        if (m_halted) {
            out.stop = MachineStop::Halted;
            return out;
        }
        if (m_faulted) {
            out.stop = MachineStop::Fault;
            return out;
        }
        if (m_irqPending && checkInterrupt(&out))
            return out;
        if (budget == 0) {
            out.stop = MachineStop::Budget;
            return out;
        }
        const std::uint64_t chunk
            = (m_timerPeriod != 0 && *m_timerGate && m_timerLeft < budget) ? m_timerLeft : budget;
        std::uint64_t n = chunk;
        const Slow slow = fastLoop<Traced>(n);
        const std::uint64_t done = chunk - n;
        budget -= done;
        account(done);
        if (slow.kind == SlowKind::ChunkDone)
            continue;
        const std::uint64_t before = m_retired;
        if (handleSlow(slow, &out))
            return out;
        budget -= std::min(budget, m_retired - before);
    }
}

MachineResult ToyMachine::run(std::uint64_t maxInstructions)
{
    if (m_trace && m_trace->enabled())
        return runImpl<true>(maxInstructions);
    return runImpl<false>(maxInstructions);
}

} // namespace proclab
