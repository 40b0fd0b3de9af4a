#include "vmmmodel.h"

#include "toydisassembler.h"

#include <QRegularExpression>

#include <algorithm>
#include <limits>

namespace proclab {

namespace {

// System calls of the shipped kernel (kernel.s); the process VM's runtime serves the same numbers.
enum GuestSyscall : std::uint32_t {
    SysWrite = 1, ///< r1 = buffer, r2 = length -> r1 = length written or -1
    SysExit = 2, ///< r1 = exit code
    SysYield = 3, ///< give up the CPU
    SysGetpid = 4, ///< -> r1 = task id
    SysMap = 5, ///< r1 = first page, r2 = count, r3 = frame address -> r1 = 0 or -1
    SysUnmap = 6, ///< r1 = first page, r2 = count -> r1 = 0 or -1
    SysPutnum = 7 ///< print r1 as a signed decimal number
};

constexpr std::uint32_t kMaxWriteWords = 4096;
// Host events in a row that retire no guest instruction before the run is called stuck.
constexpr int kMaxEventsWithoutProgress = 10000;

struct ExitName {
    std::uint32_t bit;
    const char *name;
};
const std::array<ExitName, 10> kExitNames = {{{ExitIo, "io"}, {ExitHlt, "hlt"}, {ExitMmu, "mmu"},
    {ExitPte, "pte"}, {ExitInterrupt, "interrupt"}, {ExitSyscall, "syscall"}, {ExitIret, "iret"},
    {ExitSreg, "sreg"}, {ExitIntFlag, "intflag"}, {ExitSmsw, "smsw"}}};

std::uint64_t opBit(ToyOp op)
{
    return std::uint64_t(1) << static_cast<std::uint8_t>(op);
}

std::uint64_t exitOpcodeMask(std::uint32_t exits)
{
    std::uint64_t m = 0;
    if (exits & ExitIo)
        m |= opBit(ToyOp::Out);
    if (exits & ExitHlt)
        m |= opBit(ToyOp::Halt);
    if (exits & ExitMmu)
        m |= opBit(ToyOp::Setpt);
    if (exits & ExitSyscall)
        m |= opBit(ToyOp::Syscall);
    if (exits & ExitIret)
        m |= opBit(ToyOp::Iret);
    if (exits & ExitSreg)
        m |= opBit(ToyOp::Mfsr) | opBit(ToyOp::Mtsr);
    if (exits & ExitIntFlag)
        m |= opBit(ToyOp::Cli) | opBit(ToyOp::Sti) | opBit(ToyOp::Popf);
    if (exits & ExitSmsw)
        m |= opBit(ToyOp::Smsw);
    return m;
}

} // namespace

QString vmmModeName(VmmMode mode)
{
    switch (mode) {
    case VmmMode::Native:
        return QStringLiteral("native");
    case VmmMode::ProcessVm:
        return QStringLiteral("process-vm");
    case VmmMode::TrapEmulate:
        return QStringLiteral("trap-emulate");
    case VmmMode::BinaryTranslate:
        return QStringLiteral("bt");
    case VmmMode::Paravirt:
        return QStringLiteral("paravirt");
    case VmmMode::HardwareAssist:
        return QStringLiteral("hw-assist");
    case VmmMode::Check:
        return QStringLiteral("check");
    }
    return QString();
}

std::optional<VmmMode> vmmModeFromName(const QString &name)
{
    for (VmmMode m : {VmmMode::Native, VmmMode::ProcessVm, VmmMode::TrapEmulate, VmmMode::BinaryTranslate,
             VmmMode::Paravirt, VmmMode::HardwareAssist, VmmMode::Check}) {
        if (vmmModeName(m) == name)
            return m;
    }
    return std::nullopt;
}

QString vmmHostName(VmmHost host)
{
    return host == VmmHost::Native ? QStringLiteral("native") : QStringLiteral("hosted");
}

std::optional<VmmHost> vmmHostFromName(const QString &name)
{
    if (name == QLatin1String("native"))
        return VmmHost::Native;
    if (name == QLatin1String("hosted"))
        return VmmHost::Hosted;
    return std::nullopt;
}

std::optional<std::uint32_t> vmmExitsFromText(const QString &text, QString *error)
{
    std::uint32_t exits = 0;
    const QStringList parts = text.split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts);
    for (const QString &p : parts) {
        if (p == QLatin1String("none"))
            continue;
        bool found = false;
        for (const ExitName &e : kExitNames) {
            if (p == QLatin1String(e.name)) {
                exits |= e.bit;
                found = true;
            }
        }
        if (!found) {
            if (error) {
                QStringList names;
                for (const ExitName &e : kExitNames)
                    names << QLatin1String(e.name);
                *error = QStringLiteral("exits: unknown event '%1' (known: %2, or none)")
                             .arg(p, names.join(QLatin1Char(',')));
            }
            return std::nullopt;
        }
    }
    return exits;
}

QString vmmExitsText(std::uint32_t exits)
{
    QStringList names;
    for (const ExitName &e : kExitNames) {
        if (exits & e.bit)
            names << QLatin1String(e.name);
    }
    return names.isEmpty() ? QStringLiteral("none") : names.join(QLatin1Char(','));
}

VmmModel::VmmModel() = default;
VmmModel::~VmmModel() = default;

bool VmmModel::load(const VmmConfig &config, QString *error)
{
    auto fail = [&](const QString &message) {
        m_state = VmmRunState::Fault;
        m_fault = message;
        if (error)
            *error = message;
        return false;
    };
    m_config = config;
    m_bt.reset();
    m_machine.setTrace(nullptr);
    if (config.mode == VmmMode::Check)
        return fail(QStringLiteral("mode=check runs the Popek-Goldberg checker, not a guest"));

    AsmOptions options;
    options.fileName
        = config.guest.isEmpty() ? QStringLiteral("guest.s") : config.guest + QStringLiteral(".s");
    options.defines = config.defines;
    options.defines[QStringLiteral("PARAVIRT")] = config.mode == VmmMode::Paravirt ? 1 : 0;
    options.readInclude = config.readInclude;
    std::vector<AsmMessage> messages;
    auto program = ToyAssembler::assemble(config.source, options, &messages);
    if (!program) {
        QString text = messages.empty() ? QStringLiteral("assembly failed") : messages.front().text();
        if (messages.size() > 1)
            text += QStringLiteral(" (and %1 more)").arg(messages.size() - 1);
        return fail(text);
    }
    m_program = std::move(*program);

    m_machine.reset();
    m_machine.setIsa(config.isa);
    m_machine.setConsoleLimit(config.consoleLimitBytes);
    m_machine.setHostTraps(false);
    m_machine.setExitOps(0);
    m_machine.setExitOnInterrupt(false);
    m_machine.setTracedStoresExit(false);
    m_machine.setDeprivilegedKernel(false);
    m_machine.setTraceKernelLayer(TraceLayer::Application, TraceLayer::GuestKernel);
    m_machine.setTraceKind(TraceKind::Direct);
    m_vcpu = ToySysState {};
    m_vPending = false;
    m_pvFrame = 0;
    m_pvFrameSet = false;
    m_c = VmmCounters {};
    m_eventCycles = 0;
    m_inTimerHandler = false;
    m_timerHandlerSwitched = false;
    m_timerHandlerTraps = 0;
    m_fault.clear();
    m_trace.setCapacity(config.traceCapacity);

    switch (config.mode) {
    case VmmMode::Native:
        m_machine.loadImage(m_program.memory);
        break;
    case VmmMode::HardwareAssist:
        m_machine.loadImage(m_program.memory);
        m_machine.setExitOps(exitOpcodeMask(config.exits));
        m_machine.setExitOnInterrupt(config.exits & ExitInterrupt);
        m_machine.setTracedStoresExit(config.exits & ExitPte);
        break;
    case VmmMode::TrapEmulate:
    case VmmMode::BinaryTranslate:
    case VmmMode::Paravirt:
        m_machine.loadImage(m_program.memory);
        m_machine.setHostTraps(true);
        m_machine.setTracedStoresExit(true);
        m_vcpu.kernel = true;
        m_vcpu.interruptsEnabled = false;
        // The guest's timer follows the guest's interrupt flag, not the real one (always on).
        m_machine.setTimerGate(&m_vcpu.interruptsEnabled);
        if (config.mode == VmmMode::BinaryTranslate) {
            m_bt = std::make_unique<BinaryTranslator>(config.isa);
            m_bt->setCacheEnabled(config.translationCache);
            m_bt->setChaining(config.chaining);
            m_bt->reset(m_machine);
            m_bt->setTrace(config.traceCapacity > 0 ? &m_trace : nullptr);
        }
        syncReal();
        break;
    case VmmMode::ProcessVm: {
        const AsmUserProgram *chosen = nullptr;
        QStringList names;
        for (const AsmUserProgram &u : m_program.programs) {
            names << u.name;
            if (!config.task.isEmpty() && u.name == config.task)
                chosen = &u;
        }
        if (config.task.isEmpty() && m_program.programs.size() == 1)
            chosen = &m_program.programs.front();
        if (!chosen) {
            if (m_program.programs.empty())
                return fail(QStringLiteral("process-vm runs one user program, but %1 has no .user block")
                                .arg(options.fileName));
            if (config.task.isEmpty())
                return fail(
                    QStringLiteral("process-vm runs one user program; %1 has %2 (%3): choose one with task")
                        .arg(options.fileName)
                        .arg(m_program.programs.size())
                        .arg(names.join(QStringLiteral(", "))));
            return fail(QStringLiteral("process-vm: no user program '%1' in %2 (it has %3)")
                            .arg(config.task, options.fileName, names.join(QStringLiteral(", "))));
        }
        // The program's image at virtual 0 of a flat address space, as a runtime would load it.
        std::vector<std::uint32_t> image(m_program.memory.begin() + chosen->loadAddress,
            m_program.memory.begin() + chosen->loadAddress + chosen->sizeWords);
        m_machine.loadImage(image, 0);
        m_machine.setHostTraps(true);
        m_machine.sys().kernel = false;
        m_machine.sys().interruptsEnabled = false;
        m_machine.setTraceKernelLayer(TraceLayer::Runtime, TraceLayer::Runtime);
        m_machine.setTraceKind(TraceKind::Interpreted);
        m_pid = chosen->pid;
        break;
    }
    case VmmMode::Check:
        break;
    }
    m_machine.setTrace(config.traceCapacity > 0 ? &m_trace : nullptr);
    m_state = VmmRunState::Ready;
    return true;
}

void VmmModel::finish(VmmRunState state, const QString &fault)
{
    if (finished())
        return;
    m_state = state;
    m_fault = fault;
    if (state == VmmRunState::Fault)
        traceStep(TraceKind::Fault, TraceLayer::Vmm, m_machine.pc(), 0, 0);
}

void VmmModel::traceStep(
    TraceKind kind, TraceLayer layer, std::uint32_t pc, std::uint32_t cause, std::uint64_t cycles)
{
    if (!m_trace.enabled())
        return;
    TraceEvent e;
    e.seq = m_machine.retired();
    e.pc = pc;
    std::uint32_t phys = 0;
    const ToySysState &view = softwareVmm() ? m_vcpu : m_machine.sys();
    if (m_machine.translate(view, pc, false, &phys) == 0)
        e.word = m_machine.readPhys(phys);
    const ToyOpInfo *info = ToyIsa::info(static_cast<ToyOp>(e.word >> 24));
    e.interface = info ? info->interface : ToyInterface::General;
    e.kind = kind;
    e.layer = layer;
    e.cause = cause;
    e.modelledCycles = cycles;
    m_trace.push(e);
}

void VmmModel::vmmEntry(Entry kind, std::uint32_t pc)
{
    if (m_inTimerHandler)
        ++m_timerHandlerTraps;
    switch (kind) {
    case Entry::Trap:
        ++m_c.traps;
        m_eventCycles += cost(VmmCostTable::VmmTrap);
        traceStep(TraceKind::TrapDown, TraceLayer::Vmm, pc, 0, cost(VmmCostTable::VmmTrap));
        break;
    case Entry::Exit:
        ++m_c.vmExits;
        m_eventCycles += cost(VmmCostTable::VmExit);
        traceStep(TraceKind::VmExit, TraceLayer::Vmm, pc, 0, cost(VmmCostTable::VmExit));
        break;
    case Entry::Hypercall:
        ++m_c.hypercalls;
        m_eventCycles += cost(VmmCostTable::Hypercall);
        traceStep(TraceKind::Hypercall, TraceLayer::Vmm, pc, 0, cost(VmmCostTable::Hypercall));
        break;
    }
    ++m_c.worldSwitches;
    if (m_config.host == VmmHost::Hosted) {
        // A hosted VMM gets its traps through the host OS: one more world switch there and back.
        ++m_c.hostRoundTrips;
        ++m_c.worldSwitches;
        m_eventCycles += cost(VmmCostTable::HostRoundTrip);
        traceStep(TraceKind::HostCall, TraceLayer::HostOs, pc, 0, cost(VmmCostTable::HostRoundTrip));
    }
}

void VmmModel::syncReal()
{
    // Software VMMs run all guest code in real user mode with interrupts on (the VMM
    // owns the timer). The deprivileged guest kernel sees physical memory; guest user
    // code runs on the guest's own page table (the model's shadow table equals it,
    // because guest-physical and machine-physical addresses coincide here).
    ToySysState &real = m_machine.sys();
    real.kernel = false;
    real.interruptsEnabled = true;
    real.ptbr = m_vcpu.kernel ? 0 : m_vcpu.ptbr;
    m_machine.setDeprivilegedKernel(m_vcpu.kernel);
    m_machine.setTraceKernelLayer(
        m_vcpu.kernel ? TraceLayer::GuestKernel : TraceLayer::Application, TraceLayer::GuestKernel);
    if (m_inTimerHandler && !m_vcpu.kernel) {
        m_inTimerHandler = false;
        if (m_timerHandlerSwitched) {
            ++m_c.contextSwitches;
            m_c.contextSwitchTraps += m_timerHandlerTraps;
        }
    }
}

void VmmModel::reflect(std::uint32_t cause, std::uint32_t epc, std::uint32_t tval)
{
    m_vcpu.estatus = m_vcpu.status();
    m_vcpu.epc = epc;
    m_vcpu.cause = cause;
    m_vcpu.tval = tval;
    m_vcpu.kernel = true;
    m_vcpu.interruptsEnabled = false;
    m_machine.setPc(m_vcpu.vector);
    ++m_c.guestKernelEntries;
    m_eventCycles += cost(VmmCostTable::Reflect);
    traceStep(TraceKind::Reflected, TraceLayer::GuestKernel, epc, cause, cost(VmmCostTable::Reflect));
    if (m_config.mode == VmmMode::Paravirt && m_pvFrameSet) {
        // The paravirtual kernel reads its trap frame from memory instead of trapping on MFSR.
        m_machine.writePhys(m_pvFrame + 0, epc);
        m_machine.writePhys(m_pvFrame + 1, m_vcpu.estatus);
        m_machine.writePhys(m_pvFrame + 2, cause);
        m_machine.writePhys(m_pvFrame + 3, tval);
    }
    syncReal();
    if (m_bt)
        m_bt->leave();
}

void VmmModel::deliverVirtualInterrupt()
{
    if (!m_vPending || !m_vcpu.interruptsEnabled || finished())
        return;
    m_vPending = false;
    ++m_c.guestInterrupts;
    // The interrupt reached the VMM once; what the handler does until it returns to user
    // mode is counted on top.
    m_inTimerHandler = true;
    m_timerHandlerSwitched = false;
    m_timerHandlerTraps = 1;
    reflect(toy::CauseTimer, m_machine.pc(), 0);
}

void VmmModel::traceGuestPageTable(std::uint32_t ptbr)
{
    if (!(ptbr & toy::kPtbrEnable))
        return;
    const std::uint32_t page = (ptbr & toy::kPtbrBaseMask) >> toy::kPageShift;
    m_machine.setPageFlags(page, m_machine.pageFlags(page) | ToyMachine::PageTraced);
}

void VmmModel::shadowWrite(std::uint32_t phys, std::uint32_t value)
{
    m_machine.writePhys(phys, value);
    ++m_c.pageTableWrites;
    m_eventCycles += cost(VmmCostTable::ShadowUpdate);
}

void VmmModel::emulate(const ToyInsn &insn, std::uint32_t pc, std::uint64_t costCycles, TraceKind kind)
{
    const SysEffect e = m_machine.execSystem(insn, m_vcpu, pc);
    m_machine.retireOne();
    ++m_c.emulatedInstructions;
    m_eventCycles += costCycles;
    traceStep(kind, TraceLayer::Vmm, pc, 0, costCycles);
    m_machine.setPc(e.nextPc);
    if (e.ptbrWritten) {
        m_timerHandlerSwitched = m_timerHandlerSwitched || m_inTimerHandler;
        ++m_c.addressSpaceSwitches;
        m_eventCycles += cost(VmmCostTable::ShadowUpdate);
        traceGuestPageTable(m_vcpu.ptbr);
    }
    if (e.halted) {
        finish(VmmRunState::Halted);
        return;
    }
    syncReal();
    if (e.statusWritten)
        deliverVirtualInterrupt();
}

void VmmModel::guestKernelFault(std::uint32_t cause, std::uint32_t pc, std::uint32_t tval)
{
    finish(VmmRunState::Fault, ToyMachine::kernelFaultText(cause, pc, tval));
}

void VmmModel::hypercall(std::uint32_t number, std::uint32_t pc)
{
    const std::uint32_t r1 = m_machine.reg(1);
    const std::uint32_t r2 = m_machine.reg(2);
    const std::uint32_t bad = static_cast<std::uint32_t>(-1);
    switch (number) {
    case HcConsoleWrite:
        if (r2 <= kMaxWriteWords && r1 < toy::kMemoryWords && r1 + r2 <= toy::kMemoryWords) {
            std::string s;
            for (std::uint32_t i = 0; i < r2; ++i)
                s.push_back(static_cast<char>(m_machine.readPhys(r1 + i) & 0xFF));
            m_machine.consoleWrite(s);
            m_machine.setReg(1, r2);
        } else {
            m_machine.setReg(1, bad);
        }
        break;
    case HcOut:
        m_machine.portOut(r1, r2);
        break;
    case HcIret:
        if (!m_pvFrameSet) {
            guestKernelFault(toy::CauseHypercall, pc, number);
            return;
        }
        m_vcpu.setStatus(m_machine.readPhys(m_pvFrame + 1));
        m_machine.setPc(m_machine.readPhys(m_pvFrame + 0));
        syncReal();
        deliverVirtualInterrupt();
        break;
    case HcSetPt:
        m_vcpu.ptbr = r1;
        m_timerHandlerSwitched = m_timerHandlerSwitched || m_inTimerHandler;
        ++m_c.addressSpaceSwitches;
        m_eventCycles += cost(VmmCostTable::ShadowUpdate);
        traceGuestPageTable(r1);
        break;
    case HcMmuUpdate:
        // No result register: the kernel calls it in a loop over r1. A bad address is ignored.
        if (r1 < toy::kMemoryWords)
            shadowWrite(r1, r2);
        break;
    case HcSetTimer:
        m_machine.setTimerPeriod(r1);
        break;
    case HcSetTrap:
        m_vcpu.vector = r1;
        if (r2 + 4 <= toy::kMemoryWords) {
            m_pvFrame = r2;
            m_pvFrameSet = true;
        }
        break;
    case HcSetIf:
        m_vcpu.interruptsEnabled = (r1 & 1) != 0;
        deliverVirtualInterrupt();
        break;
    case HcHalt:
        finish(VmmRunState::Halted);
        break;
    default:
        m_machine.setReg(1, bad);
        break;
    }
}

void VmmModel::runtimeCall(std::uint32_t number, std::uint32_t pc)
{
    ++m_c.libraryCalls;
    m_eventCycles += cost(VmmCostTable::LibraryCall);
    traceStep(
        TraceKind::LibraryCall, TraceLayer::HostOs, pc, toy::CauseSyscall, cost(VmmCostTable::LibraryCall));
    const std::uint32_t r1 = m_machine.reg(1);
    const std::uint32_t r2 = m_machine.reg(2);
    const std::uint32_t bad = static_cast<std::uint32_t>(-1);
    switch (number) {
    case SysWrite:
        // The runtime's write(): the program's buffer is in its own flat address space.
        if (r2 <= kMaxWriteWords && r1 < toy::kMemoryWords && r1 + r2 <= toy::kMemoryWords) {
            std::string s;
            for (std::uint32_t i = 0; i < r2; ++i)
                s.push_back(static_cast<char>(m_machine.readPhys(r1 + i) & 0xFF));
            m_machine.consoleWrite(s);
            m_machine.setReg(1, r2);
        } else {
            m_machine.setReg(1, bad);
        }
        break;
    case SysExit:
        finish(VmmRunState::Exited);
        break;
    case SysYield:
        break; // one program: nothing to yield to
    case SysGetpid:
        m_machine.setReg(1, static_cast<std::uint32_t>(m_pid));
        break;
    case SysPutnum:
        m_machine.consoleWrite(std::to_string(static_cast<std::int32_t>(r1)));
        break;
    default: // map, unmap and unknown calls: a process has no page tables to hand out
        m_machine.setReg(1, bad);
        break;
    }
}

void VmmModel::handleSoftwareVmm(const MachineResult &r)
{
    switch (r.event) {
    case HostEvent::Trap:
        vmmEntry(r.cause == toy::CauseHypercall && m_config.mode == VmmMode::Paravirt && m_vcpu.kernel
                ? Entry::Hypercall
                : Entry::Trap,
            r.pc);
        if (r.cause == toy::CauseSyscall) {
            reflect(toy::CauseSyscall, r.pc + 1, r.tval);
        } else if (r.cause == toy::CauseHypercall && m_config.mode == VmmMode::Paravirt && m_vcpu.kernel) {
            hypercall(r.tval, r.pc);
        } else if (r.cause == toy::CausePrivileged && m_vcpu.kernel) {
            emulate(r.insn, r.pc, cost(VmmCostTable::Emulate), TraceKind::Emulated);
        } else if (m_vcpu.kernel) {
            guestKernelFault(r.cause, r.pc, r.tval);
        } else {
            reflect(r.cause, r.pc, r.tval);
        }
        break;
    case HostEvent::Interrupt:
        vmmEntry(Entry::Trap, r.pc);
        m_machine.clearInterruptPending();
        m_vPending = true;
        deliverVirtualInterrupt();
        break;
    case HostEvent::TracedStore:
        // The page table is write-protected: the store traps, the VMM does it and updates its shadow.
        vmmEntry(Entry::Trap, r.pc);
        ++m_c.emulatedInstructions;
        m_eventCycles += cost(VmmCostTable::Emulate);
        shadowWrite(r.storePhys, r.storeValue);
        m_machine.retireOne();
        m_machine.setPc(r.pc + 1);
        break;
    case HostEvent::Exit:
    case HostEvent::InterruptWindow:
    case HostEvent::None:
        break;
    }
    if (!finished())
        traceStep(TraceKind::Returned, m_vcpu.kernel ? TraceLayer::GuestKernel : TraceLayer::Application,
            m_machine.pc(), 0, 0);
}

void VmmModel::handleHardwareAssist(const MachineResult &r)
{
    switch (r.event) {
    case HostEvent::Exit: {
        vmmEntry(Entry::Exit, r.pc);
        const SysEffect e = m_machine.executeExited(r.insn);
        ++m_c.emulatedInstructions;
        m_eventCycles += cost(VmmCostTable::Emulate);
        traceStep(TraceKind::Emulated, TraceLayer::Vmm, r.pc, 0, cost(VmmCostTable::Emulate));
        if (e.ptbrWritten) {
            ++m_c.addressSpaceSwitches;
            m_eventCycles += cost(VmmCostTable::ShadowUpdate);
            if (m_config.exits & ExitPte)
                traceGuestPageTable(m_machine.sys().ptbr);
        }
        if (e.halted)
            finish(VmmRunState::Halted);
        break;
    }
    case HostEvent::Interrupt:
        vmmEntry(Entry::Exit, r.pc);
        if (m_machine.sys().interruptsEnabled)
            m_machine.injectInterrupt();
        break;
    case HostEvent::InterruptWindow:
        vmmEntry(Entry::Exit, r.pc);
        m_machine.injectInterrupt();
        break;
    case HostEvent::TracedStore:
        vmmEntry(Entry::Exit, r.pc);
        ++m_c.emulatedInstructions;
        m_eventCycles += cost(VmmCostTable::Emulate);
        shadowWrite(r.storePhys, r.storeValue);
        m_machine.retireOne();
        m_machine.setPc(r.pc + 1);
        break;
    case HostEvent::Trap:
        // Guest traps stay in guest mode; a trap here means the machine was set up wrongly.
        finish(VmmRunState::Fault, QStringLiteral("hw-assist: unexpected trap to the VMM"));
        break;
    case HostEvent::None:
        break;
    }
    if (!finished())
        traceStep(TraceKind::Returned,
            m_machine.sys().kernel ? TraceLayer::GuestKernel : TraceLayer::Application, m_machine.pc(), 0, 0);
}

void VmmModel::handleProcessVm(const MachineResult &r)
{
    if (r.event == HostEvent::Trap && r.cause == toy::CauseSyscall) {
        runtimeCall(r.tval, r.pc);
        return;
    }
    finish(VmmRunState::Fault,
        QStringLiteral("process VM stopped the program: %1 at pc 0x%2 (value 0x%3)")
            .arg(ToyIsa::causeName(r.cause))
            .arg(r.pc, 4, 16, QLatin1Char('0'))
            .arg(r.tval, 0, 16));
}

void VmmModel::runTranslated(std::uint64_t budget)
{
    const BtResult b = m_bt->run(m_machine, budget);
    switch (b.stop) {
    case BtStop::Budget:
        return;
    case BtStop::Interrupt:
        vmmEntry(Entry::Trap, b.pc);
        m_machine.clearInterruptPending();
        m_vPending = true;
        deliverVirtualInterrupt();
        return;
    case BtStop::Fault:
        guestKernelFault(b.cause, b.pc, b.tval);
        return;
    case BtStop::TracedStore:
        // Adaptive translation: the store is a call into the VMM, which updates its shadow; no trap.
        ++m_c.emulatedInstructions;
        m_eventCycles += cost(VmmCostTable::BtCallout);
        traceStep(TraceKind::Callout, TraceLayer::Vmm, b.pc, 0, cost(VmmCostTable::BtCallout));
        shadowWrite(b.storePhys, b.storeValue);
        m_machine.retireOne();
        m_machine.setPc(b.pc + 1);
        m_bt->continueAt(b.pc + 1);
        return;
    case BtStop::Callout:
        break;
    }
    const auto op = static_cast<ToyOp>(b.insn.op);
    if (op == ToyOp::Syscall) {
        // A system call made by the guest kernel itself: a nested trap into the guest kernel.
        ++m_c.emulatedInstructions;
        m_eventCycles += cost(VmmCostTable::BtCallout);
        m_machine.retireOne();
        reflect(toy::CauseSyscall, b.pc + 1, static_cast<std::uint32_t>(b.insn.imm));
        return;
    }
    if (op == ToyOp::Hcall) {
        guestKernelFault(toy::CauseHypercall, b.pc, static_cast<std::uint32_t>(b.insn.imm));
        return;
    }
    if (op == ToyOp::Illegal) {
        guestKernelFault(toy::CauseIllegal, b.pc, b.word);
        return;
    }
    emulate(b.insn, b.pc, cost(VmmCostTable::BtCallout), TraceKind::Callout);
    if (finished())
        return;
    if (m_vcpu.kernel)
        m_bt->continueAt(m_machine.pc());
    else
        m_bt->leave();
}

VmmRunState VmmModel::run(std::uint64_t budget)
{
    if (finished())
        return m_state;
    const std::uint64_t limit = m_config.maxInstructions;
    const std::uint64_t start = m_machine.retired();
    const std::uint64_t target = (budget >= limit || start + budget >= limit) ? limit : start + budget;
    std::uint64_t lastRetired = start;
    int stuck = 0;
    while (!finished() && m_machine.retired() < target) {
        const std::uint64_t left = target - m_machine.retired();
        if (m_config.mode == VmmMode::BinaryTranslate && m_vcpu.kernel) {
            runTranslated(left);
        } else {
            const MachineResult r = m_machine.run(left);
            switch (r.stop) {
            case MachineStop::Budget:
                break;
            case MachineStop::Halted:
                finish(VmmRunState::Halted);
                break;
            case MachineStop::Fault:
                finish(VmmRunState::Fault, m_machine.faultText());
                break;
            case MachineStop::Host:
                if (softwareVmm())
                    handleSoftwareVmm(r);
                else if (m_config.mode == VmmMode::HardwareAssist)
                    handleHardwareAssist(r);
                else if (m_config.mode == VmmMode::ProcessVm)
                    handleProcessVm(r);
                break;
            }
        }
        if (m_machine.retired() != lastRetired) {
            lastRetired = m_machine.retired();
            stuck = 0;
        } else if (++stuck > kMaxEventsWithoutProgress) {
            finish(VmmRunState::Fault,
                QStringLiteral("no progress: %1 events without a guest instruction completing").arg(stuck));
        }
    }
    if (!finished() && m_machine.retired() >= limit)
        finish(VmmRunState::Fault,
            QStringLiteral("step budget exhausted: %1 guest instructions without the guest "
                           "halting")
                .arg(limit));
    return m_state;
}

VmmRunState VmmModel::runToEnd()
{
    return run(std::numeric_limits<std::uint64_t>::max());
}

VmmCounters VmmModel::counters() const
{
    VmmCounters c = m_c;
    c.guestInstructions = m_machine.retired();
    if (m_bt) {
        const BtCounters &b = m_bt->counters();
        c.translatedBlocks = b.translatedBlocks;
        c.translatedInstructions = b.translatedInstructions;
        c.translationCacheHits = b.cacheHits;
        c.translationLookups = b.cacheLookups;
        c.chainedJumps = b.chainedJumps;
    }
    const bool hardwareKernel = m_config.mode == VmmMode::Native || m_config.mode == VmmMode::HardwareAssist;
    if (hardwareKernel) {
        c.guestKernelEntries = m_machine.trapsDelivered();
        c.guestInterrupts = m_machine.interruptsDelivered();
    }
    c.sensitiveSlipped = m_machine.slipped();
    c.firstSlipPc = m_machine.firstSlipPc();

    const std::uint64_t direct = c.guestInstructions - std::min(c.guestInstructions, c.emulatedInstructions);
    std::uint64_t cycles = m_eventCycles;
    cycles += direct
        * cost(m_config.mode == VmmMode::ProcessVm ? VmmCostTable::InterpretedInstruction
                                                   : VmmCostTable::Instruction);
    if (hardwareKernel)
        cycles += m_machine.trapsDelivered() * cost(VmmCostTable::NativeTrap);
    if (m_bt) {
        cycles += c.translatedInstructions * cost(VmmCostTable::BtTranslate);
        cycles += c.translationLookups * cost(VmmCostTable::BtLookup);
    }
    c.modelledCycles = cycles;
    return c;
}

void VmmModel::setTraceCapacity(std::size_t capacity)
{
    if (capacity == m_trace.capacity())
        return;
    m_config.traceCapacity = capacity;
    m_trace.setCapacity(capacity);
    VmmTrace *t = capacity > 0 ? &m_trace : nullptr;
    m_machine.setTrace(t);
    if (m_bt)
        m_bt->setTrace(t);
}

QString VmmModel::nextInstructionText() const
{
    const ToySysState &view = softwareVmm() ? m_vcpu : m_machine.sys();
    std::uint32_t phys = 0;
    if (m_machine.translate(view, m_machine.pc(), false, &phys) != 0)
        return QStringLiteral("(no instruction at 0x%1)").arg(m_machine.pc(), 4, 16, QLatin1Char('0'));
    // Labels only for kernel addresses: user programs' labels count from their own virtual 0.
    const bool kernelView = view.kernel && m_config.mode != VmmMode::ProcessVm;
    return ToyDisassembler::disassemble(m_machine.readPhys(phys),
        [&](std::uint32_t a) { return kernelView ? m_program.labelAt(a) : QString(); });
}

QString VmmModel::guestOutput() const
{
    return QString::fromLatin1(
        m_machine.console().data(), static_cast<qsizetype>(m_machine.console().size()));
}

VmmCpuView VmmModel::cpu() const
{
    VmmCpuView v;
    v.pc = m_machine.pc();
    for (unsigned i = 0; i < toy::kRegisters; ++i)
        v.regs[i] = m_machine.reg(i);
    v.real = m_machine.sys();
    v.hasVirtual = softwareVmm();
    v.virt = m_vcpu;
    v.virtualInterruptPending = m_vPending;
    v.timerPeriod = m_machine.timerPeriod();
    v.timerLeft = m_machine.timerLeft();
    return v;
}

std::vector<VmmProcessEntry> VmmModel::processTable() const
{
    std::vector<VmmProcessEntry> out;
    if (m_config.mode == VmmMode::ProcessVm)
        return out;
    const auto base = m_program.symbol(QStringLiteral("proctab"));
    if (!base || *base < 0
        || *base + kProcTableHeaderWords + kProcEntryWords * kProcMaxEntries > toy::kMemoryWords)
        return out;
    const auto b = static_cast<std::uint32_t>(*base);
    const auto current = static_cast<std::int32_t>(m_machine.readPhys(b + 0));
    const std::uint32_t count = std::min(m_machine.readPhys(b + 1), kProcMaxEntries);
    for (std::uint32_t i = 0; i < count; ++i) {
        const std::uint32_t e = b + kProcTableHeaderWords + i * kProcEntryWords;
        VmmProcessEntry p;
        p.index = static_cast<int>(i);
        p.state = m_machine.readPhys(e + 0);
        p.pc = m_machine.readPhys(e + 1);
        for (unsigned r = 1; r < toy::kRegisters; ++r)
            p.regs[r] = m_machine.readPhys(e + 1 + r);
        p.status = m_machine.readPhys(e + 9);
        p.ptbr = m_machine.readPhys(e + 10);
        p.id = m_machine.readPhys(e + 11);
        p.current = current == static_cast<std::int32_t>(i);
        out.push_back(p);
    }
    return out;
}

} // namespace proclab
