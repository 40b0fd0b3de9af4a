#include "vmmengine.h"

#include "guestlibrary.h"

#include <QFileInfo>

#include <algorithm>
#include <chrono>
#include <memory>

namespace proclab {

namespace {

// Model time per guest instruction at speed 1: slow enough to follow a token through the layers.
constexpr double kSecondsPerInstruction = 0.4;
// At speed 0 the run checks for stop and pause once per slice of guest instructions.
constexpr std::uint64_t kSlice = 1000000;
// Trace events kept per animated frame (one instruction makes a handful).
constexpr std::size_t kTraceCapacity = 256;

QString hex4(std::uint32_t v)
{
    return QStringLiteral("0x%1").arg(v, 4, 16, QLatin1Char('0'));
}

} // namespace

QString vmmRunStateName(VmmRunState s)
{
    switch (s) {
    case VmmRunState::Ready:
        return QStringLiteral("ready");
    case VmmRunState::Halted:
        return QStringLiteral("halted");
    case VmmRunState::Exited:
        return QStringLiteral("exited");
    case VmmRunState::Fault:
        return QStringLiteral("fault");
    }
    return QString();
}

std::optional<VmmEngineConfig> VmmEngineConfig::fromParams(const ParamValues &values, QString *error)
{
    auto fail = [&](const QString &why) -> std::optional<VmmEngineConfig> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    VmmEngineConfig c;
    VmmConfig &m = c.model;
    const auto mode = vmmModeFromName(values.value(QStringLiteral("mode")).toString());
    const auto isa = ToyIsa::isaFromName(values.value(QStringLiteral("isa")).toString());
    const auto host = vmmHostFromName(values.value(QStringLiteral("host")).toString());
    if (!mode || !isa || !host)
        return fail(QStringLiteral("vmm: unknown mode, isa or host"));
    m.mode = *mode;
    m.isa = *isa;
    m.host = *host;
    QString why;
    const auto exits = vmmExitsFromText(values.value(QStringLiteral("exits")).toString(), &why);
    if (!exits)
        return fail(QStringLiteral("parameter 'exits': %1").arg(why));
    m.exits = *exits;
    if (!m.costs.apply(values.value(QStringLiteral("costs")).toString(), &why))
        return fail(QStringLiteral("parameter 'costs': %1").arg(why));
    c.tableEdits = values.value(QStringLiteral("table")).toString().trimmed();
    c.compare = values.value(QStringLiteral("compare")).toBool();
    SensitivityTable trial = SensitivityTable::forIsa(m.isa);
    if (!trial.applyEdits(c.tableEdits, &why))
        return fail(QStringLiteral("parameter 'table': %1").arg(why));
    m.translationCache = values.value(QStringLiteral("cache")).toBool();
    m.chaining = values.value(QStringLiteral("chaining")).toBool();
    m.task = values.value(QStringLiteral("task")).toString().trimmed();
    m.maxInstructions
        = static_cast<std::uint64_t>(values.value(QStringLiteral("max_instructions")).toLongLong());
    const qint64 quantum = values.value(QStringLiteral("quantum")).toLongLong();
    if (quantum > 0)
        m.defines[QStringLiteral("QUANTUM")] = quantum;
    if (m.mode == VmmMode::Check)
        return c; // the checker needs no guest

    const QString file = values.value(QStringLiteral("guest_file")).toString().trimmed();
    if (!file.isEmpty()) {
        const QFileInfo fi(file);
        if (fi.suffix() != QLatin1String("s"))
            return fail(
                QStringLiteral("parameter 'guest_file': '%1' is not an assembly file (.s)").arg(file));
        if (!GuestLibrary::load(&m, fi.completeBaseName(), fi.absolutePath(), &why))
            return fail(QStringLiteral("parameter 'guest_file': %1").arg(why));
    } else {
        const QString guest = values.value(QStringLiteral("guest")).toString().trimmed();
        if (!GuestLibrary::shippedNames().contains(guest))
            return fail(
                QStringLiteral("parameter 'guest': '%1' is not a shipped guest (%2); a guest of your own "
                               "goes in guest_file")
                    .arg(guest, GuestLibrary::shippedNames().join(QStringLiteral(", "))));
        if (!GuestLibrary::load(&m, guest, GuestLibrary::resourceDirectory(), &why))
            return fail(QStringLiteral("parameter 'guest': %1").arg(why));
    }
    // Assemble once now: assembler errors and a process VM without a single program are
    // configuration errors, reported before anything runs.
    VmmModel trialModel;
    if (!trialModel.load(m, &why))
        return fail(QStringLiteral("vmm: %1").arg(why));
    return c;
}

VmmEngine::VmmEngine()
    : ConfiguredEngine(EngineInfo {QString(kId),
        QStringLiteral("Virtualization: a guest OS on a toy machine, run six ways"), Provenance::Model,
        QStringLiteral("A toy machine with a small kernel and its programs, run natively, in a process VM, "
                       "under trap-and-emulate, binary translation, paravirtualization or hardware "
                       "assistance; counts traps, exits and modelled cycles; checks Popek and Goldberg."),
        {QStringLiteral("V1"), QStringLiteral("V2"), QStringLiteral("V3"), QStringLiteral("V4"),
            QStringLiteral("V5"), QStringLiteral("V6"), QStringLiteral("T2")},
        {QString(kLayersView), QString(kCpuView), QString(kTranslationView), QString(kOverheadView),
            QString(kCheckerView)}})
{
}

ParamSchema VmmEngine::schema() const
{
    return ParamSchema {
        ParamSpec::choice(QStringLiteral("mode"), QStringLiteral("Way of running"), QStringLiteral("native"),
            {QStringLiteral("native"), QStringLiteral("process-vm"), QStringLiteral("trap-emulate"),
                QStringLiteral("bt"), QStringLiteral("paravirt"), QStringLiteral("hw-assist"),
                QStringLiteral("check")},
            QStringLiteral("native: the guest kernel on the machine; process-vm: one program "
                           "interpreted as a process; trap-emulate, bt (binary translation), "
                           "paravirt, hw-assist: under a VMM; check: the Popek-Goldberg checker.")),
        ParamSpec::choice(QStringLiteral("isa"), QStringLiteral("Instruction set"), QStringLiteral("clean"),
            {QStringLiteral("clean"), QStringLiteral("popf")},
            QStringLiteral("clean: every sensitive instruction is privileged. popf: POPF and SMSW "
                           "run in user mode without trapping, as on the x86.")),
        ParamSpec::choice(QStringLiteral("guest"), QStringLiteral("Guest"), QStringLiteral("two-tasks"),
            GuestLibrary::shippedNames(),
            QStringLiteral("A shipped guest: hello, two-tasks, syscalls, pagetable or compute "
                           "(a guest of your own goes in guest_file).")),
        ParamSpec::text(QStringLiteral("guest_file"), QStringLiteral("Guest file"), QString(),
            QStringLiteral("An assembly file (.s) of your own instead of a shipped guest; it may "
                           "include files from its folder (copy kernel.s there)."))
            .withEffect(ParamSpec::Effect::ReadsFile),
        ParamSpec::choice(QStringLiteral("host"), QStringLiteral("VMM runs on"), QStringLiteral("native"),
            {QStringLiteral("native"), QStringLiteral("hosted")},
            QStringLiteral("native: the VMM runs on the bare machine; hosted: on a host OS, which "
                           "adds a round trip through the host to every entry into the VMM.")),
        ParamSpec::text(QStringLiteral("exits"), QStringLiteral("VM exits"),
            vmmExitsText(VmmConfig::defaultExits()),
            QStringLiteral("hw-assist: events that leave guest mode, from io, hlt, mmu, pte, "
                           "interrupt, syscall, iret, sreg, intflag, smsw (or none). Without mmu "
                           "and pte the MMU is virtualized in hardware (nested paging).")),
        ParamSpec::text(QStringLiteral("costs"), QStringLiteral("Cost table"), QString(),
            QStringLiteral("Changes to the modelled cycles, e.g. vm_exit=500,bt_callout=40. Keys: "
                           "instruction, interpreted_instruction, native_trap, vmm_trap, emulate, "
                           "reflect, host_round_trip, vm_exit, hypercall, shadow_update, bt_translate, "
                           "bt_lookup, bt_callout, library_call.")),
        ParamSpec::boolean(QStringLiteral("cache"), QStringLiteral("Translation cache"), true,
            QStringLiteral("bt: keep translated blocks (off: translate at every block entry).")),
        ParamSpec::boolean(QStringLiteral("chaining"), QStringLiteral("Chain translated blocks"), true,
            QStringLiteral("bt: jump from block to block without the dispatcher.")),
        ParamSpec::text(QStringLiteral("task"), QStringLiteral("Program (process VM)"), QString(),
            QStringLiteral("process-vm: which program of the guest to run (needed when it has "
                           "more than one).")),
        ParamSpec::integer(QStringLiteral("quantum"), QStringLiteral("Timer quantum"), 0, 0, 1000000,
            QStringLiteral("instructions"),
            QStringLiteral("Instructions between timer interrupts (0: the guest's own setting).")),
        ParamSpec::integer(QStringLiteral("max_instructions"), QStringLiteral("Step budget"), 20000000, 1000,
            2000000000, QStringLiteral("instructions"),
            QStringLiteral("A run that has not halted after this many guest instructions ends "
                           "with a fault.")),
        ParamSpec::boolean(QStringLiteral("compare"), QStringLiteral("Compare all modes"), true,
            QStringLiteral("After the run, also run the same guest natively, under trap-and-emulate, "
                           "binary translation, paravirtualization and hardware assistance (fast, "
                           "untraced) for the overhead chart.")),
        ParamSpec::text(QStringLiteral("table"), QStringLiteral("Checker table edits"), QString(),
            QStringLiteral("check: reclassify instructions as instruction:flags, flags from p "
                           "(privileged), c (control-sensitive), b (behaviour-sensitive) or - "
                           "(none), e.g. popf:pcb,smsw:pb.")),
    };
}

std::vector<OutputSpec> VmmEngine::outputs() const
{
    auto o = [](const char *key, const char *unit, const char *help) {
        return OutputSpec {QLatin1String(key), QLatin1String(unit), QLatin1String(help)};
    };
    return {
        o("guest_output", "", "what the guest printed on its console"),
        o("run_state", "", "how the run ended: halted, exited (process VM), fault, or ready (stopped early)"),
        o("fault", "", "the fault that ended the run, if one did"),
        o("guest_instructions", "instructions", "guest instructions completed"),
        o("traps", "", "traps into the VMM: privileged instructions, system calls, faults, timer"),
        o("emulated_instructions", "instructions",
            "guest instructions carried out by the VMM, not the hardware"),
        o("translated_blocks", "", "basic blocks translated (every one, also with the cache off)"),
        o("translated_instructions", "instructions", "guest instructions scanned into translations"),
        o("translation_cache_hits", "", "block entries found in the translation cache"),
        o("translation_lookups", "", "block entries through the dispatcher (not chained)"),
        o("chained_jumps", "", "jumps from translated block to block without the dispatcher"),
        o("hypercalls", "", "hypercalls of the paravirtualized kernel"),
        o("vm_exits", "", "exits from hardware-assisted guest mode"),
        o("world_switches", "", "round trips between guest and VMM, plus those through the host OS"),
        o("host_round_trips", "", "hosted VMM: round trips through the host OS"),
        o("library_calls", "", "process VM: system calls served by host library calls"),
        o("guest_kernel_entries", "", "traps and interrupts the guest kernel handled"),
        o("guest_interrupts", "", "timer interrupts the guest kernel took"),
        o("page_table_writes", "", "guest page-table writes the VMM had to follow"),
        o("address_space_switches", "", "writes of the MMU register"),
        o("sensitive_slipped", "", "sensitive instructions run by the deprivileged kernel without trapping"),
        o("first_slip_pc", "", "address of the first of them"),
        o("modelled_cycles", "cycles", "cost of the run in the cost table (model)"),
        o("context_switches", "", "timer interrupts whose handler switched address space (software VMMs)"),
        o("traps_per_context_switch", "",
            "entries into the VMM per context switch of the guest kernel, the timer interrupt included"),
        o("matches_native", "", "1 if the guest printed the same as on the machine itself, else 0"),
        o("native_output", "", "what the guest printed running natively, for comparison"),
        o("cycles_*", "cycles", "compare: modelled cycles of the guest in each mode (model)"),
        o("world_switches_*", "", "compare: guest/VMM round trips in each mode"),
        o("slowdown_*", "x", "compare: modelled cycles of the mode divided by native (model)"),
        o("cheapest_vmm_index", "",
            "compare: cheapest way under a VMM: 0 trap-emulate, 1 bt, 2 paravirt, 3 hw-assist"),
        o("bt_vs_hw_index", "",
            "compare: 0 if binary translation costs fewer cycles than hardware "
            "assistance, 1 otherwise"),
        o("virtualizable", "", "check: whether trap-and-emulate alone suffices (Popek and Goldberg)"),
        o("offending", "", "check: sensitive but unprivileged instructions, comma-separated"),
        o("offending_count", "", "check: how many there are"),
    };
}

void VmmEngine::fillResult(const VmmModel &model, Result *result)
{
    const VmmCounters c = model.counters();
    QJsonObject &s = result->summary;
    s.insert(QStringLiteral("guest_output"), model.guestOutput());
    s.insert(QStringLiteral("run_state"), vmmRunStateName(model.state()));
    if (model.state() == VmmRunState::Fault)
        s.insert(QStringLiteral("fault"), model.faultText());
    auto n = [&](const char *key, std::uint64_t v) { s.insert(QLatin1String(key), double(v)); };
    n("guest_instructions", c.guestInstructions);
    n("traps", c.traps);
    n("emulated_instructions", c.emulatedInstructions);
    n("translated_blocks", c.translatedBlocks);
    n("translated_instructions", c.translatedInstructions);
    n("translation_cache_hits", c.translationCacheHits);
    n("translation_lookups", c.translationLookups);
    n("chained_jumps", c.chainedJumps);
    n("hypercalls", c.hypercalls);
    n("vm_exits", c.vmExits);
    n("world_switches", c.worldSwitches);
    n("host_round_trips", c.hostRoundTrips);
    n("library_calls", c.libraryCalls);
    n("guest_kernel_entries", c.guestKernelEntries);
    n("guest_interrupts", c.guestInterrupts);
    n("page_table_writes", c.pageTableWrites);
    n("address_space_switches", c.addressSpaceSwitches);
    n("sensitive_slipped", c.sensitiveSlipped);
    if (c.sensitiveSlipped > 0)
        n("first_slip_pc", c.firstSlipPc);
    n("modelled_cycles", c.modelledCycles);
    n("context_switches", c.contextSwitches);
    s.insert(QStringLiteral("traps_per_context_switch"),
        c.contextSwitches > 0 ? double(c.contextSwitchTraps) / double(c.contextSwitches) : 0.0);

    // The guest kernel's process table as the run left it.
    result->table.columns = {QStringLiteral("task"), QStringLiteral("state"), QStringLiteral("pc"),
        QStringLiteral("sp"), QStringLiteral("status"), QStringLiteral("mmu"), QStringLiteral("current")};
    static const char *const kStates[] = {"free", "ready", "running", "exited"};
    for (const VmmProcessEntry &p : model.processTable()) {
        result->table.rows.push_back({qint64(p.id), QString::fromLatin1(p.state < 4 ? kStates[p.state] : "?"),
            hex4(p.pc), hex4(p.regs[7]), qint64(p.status), hex4(p.ptbr), p.current});
    }
}

void VmmEngine::fillCheckerResult(const SensitivityTable &table, Result *result)
{
    const VirtualizabilityVerdict v = table.check();
    result->summary.insert(QStringLiteral("virtualizable"), v.virtualizable);
    result->summary.insert(QStringLiteral("offending"), v.offending.join(QLatin1Char(',')));
    result->summary.insert(QStringLiteral("offending_count"), double(v.offending.size()));
    result->table.columns
        = {QStringLiteral("instruction"), QStringLiteral("privileged"), QStringLiteral("control_sensitive"),
            QStringLiteral("behaviour_sensitive"), QStringLiteral("class"), QStringLiteral("offending")};
    for (const SensitivityEntry &e : table.entries()) {
        result->table.rows.push_back({e.mnemonic.toUpper(), e.privileged, e.controlSensitive,
            e.behaviourSensitive, e.classText(), e.sensitive() && !e.privileged});
    }
}

const std::vector<VmmMode> &VmmEngine::comparedModes()
{
    static const std::vector<VmmMode> modes {VmmMode::Native, VmmMode::TrapEmulate, VmmMode::BinaryTranslate,
        VmmMode::Paravirt, VmmMode::HardwareAssist};
    return modes;
}

std::optional<VmmEngine::ModeRun> VmmEngine::runMode(
    const VmmConfig &base, VmmMode mode, const std::function<bool()> &stop)
{
    VmmConfig c = base;
    c.mode = mode;
    c.traceCapacity = 0;
    // A small step budget is there to cut short a guest that misbehaves in the run itself; the
    // comparison runs (native above all) get at least the default so that they finish.
    c.maxInstructions = std::max(c.maxInstructions, VmmConfig {}.maxInstructions);
    ModeRun out;
    out.mode = mode;
    VmmModel model;
    QString error;
    if (!model.load(c, &error)) {
        out.state = VmmRunState::Fault;
        out.output = error;
        return out;
    }
    while (!model.finished()) {
        if (stop && stop())
            return std::nullopt;
        model.run(kSlice);
    }
    out.counters = model.counters();
    out.output = model.guestOutput();
    out.state = model.state();
    return out;
}

void VmmEngine::fillComparison(const std::vector<ModeRun> &runs, Result *result)
{
    Series cycles;
    cycles.name = QStringLiteral("modelled cycles by mode");
    cycles.id = QStringLiteral("modelled_cycles");
    cycles.xLabel = QStringLiteral("mode");
    cycles.yLabel = QStringLiteral("modelled cycles (model)");
    cycles.style = Series::Style::Bars;
    Series switches = cycles;
    switches.name = QStringLiteral("world switches by mode");
    switches.id = QStringLiteral("world_switches");
    switches.yLabel = QStringLiteral("guest/VMM round trips (model)");
    double nativeCycles = 0;
    for (const ModeRun &r : runs) {
        if (r.mode == VmmMode::Native)
            nativeCycles = double(r.counters.modelledCycles);
    }
    double best = -1;
    int bestIndex = -1;
    double btCycles = -1, hwCycles = -1;
    QJsonObject &s = result->summary;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const ModeRun &r = runs[i];
        const QString name = vmmModeName(r.mode);
        QString key = name;
        key.replace(QLatin1Char('-'), QLatin1Char('_'));
        const double cyc = double(r.counters.modelledCycles);
        cycles.x.push_back(double(i));
        cycles.y.push_back(cyc);
        cycles.pointLabels.push_back(name);
        switches.x.push_back(double(i));
        switches.y.push_back(double(r.counters.worldSwitches));
        switches.pointLabels.push_back(name);
        s.insert(QStringLiteral("cycles_") + key, cyc);
        s.insert(QStringLiteral("world_switches_") + key, double(r.counters.worldSwitches));
        s.insert(QStringLiteral("slowdown_") + key, nativeCycles > 0 ? cyc / nativeCycles : 0.0);
        static const std::vector<VmmMode> vmmOrder {
            VmmMode::TrapEmulate, VmmMode::BinaryTranslate, VmmMode::Paravirt, VmmMode::HardwareAssist};
        const auto it = std::find(vmmOrder.begin(), vmmOrder.end(), r.mode);
        if (it != vmmOrder.end() && (best < 0 || cyc < best)) {
            best = cyc;
            bestIndex = int(it - vmmOrder.begin());
        }
        if (r.mode == VmmMode::BinaryTranslate)
            btCycles = cyc;
        if (r.mode == VmmMode::HardwareAssist)
            hwCycles = cyc;
    }
    if (bestIndex >= 0)
        s.insert(QStringLiteral("cheapest_vmm_index"), double(bestIndex));
    if (btCycles >= 0 && hwCycles >= 0)
        s.insert(QStringLiteral("bt_vs_hw_index"), btCycles < hwCycles ? 0.0 : 1.0);
    result->series.push_back(std::move(cycles));
    result->series.push_back(std::move(switches));
}

void VmmEngine::runChecker()
{
    const VmmEngineConfig &cfg = config();
    SensitivityTable table = SensitivityTable::forIsa(cfg.model.isa);
    QString error;
    table.applyEdits(cfg.tableEdits, &error); // validated in fromParams
    auto snap = std::make_shared<VmmSnapshot>();
    snap->mode = VmmMode::Check;
    snap->isa = cfg.model.isa;
    snap->table = table.entries();
    snap->verdict = table.check();
    snap->finished = true;
    snap->progress = 1;
    snap->status = snap->verdict.virtualizable
        ? QStringLiteral("ISA %1: virtualizable by trap-and-emulate").arg(ToyIsa::isaName(cfg.model.isa))
        : QStringLiteral("ISA %1: not virtualizable by trap-and-emulate (%2)")
              .arg(ToyIsa::isaName(cfg.model.isa), snap->verdict.offending.join(QStringLiteral(", ")));
    snap->result = makeResult();
    fillCheckerResult(table, &snap->result);
    publish(snap);
}

void VmmEngine::run()
{
    const VmmEngineConfig &cfg = config();
    if (cfg.model.mode == VmmMode::Check) {
        runChecker();
        return;
    }
    VmmModel model;
    QString error;
    if (!model.load(cfg.model, &error)) {
        auto snap = std::make_shared<VmmSnapshot>();
        snap->status = error;
        snap->result = makeResult();
        snap->result.error = error;
        publish(snap);
        return;
    }

    auto frame = [&](const QString &status, bool withTrace) {
        auto s = std::make_shared<VmmSnapshot>();
        s->mode = cfg.model.mode;
        s->isa = cfg.model.isa;
        s->host = cfg.model.host;
        s->guest = cfg.model.guest;
        s->cpu = model.cpu();
        s->processes = model.processTable();
        s->counters = model.counters();
        s->output = model.guestOutput();
        if (withTrace)
            s->trace = model.trace().take();
        s->nextInstruction = model.nextInstructionText();
        if (const BinaryTranslator *bt = model.translator()) {
            s->translation = bt->listing(bt->currentBlock());
            if (model.finished()) {
                // At the end, the block with the most calls into the VMM says more than the last.
                qsizetype most = s->translation.filter(QStringLiteral("call vmm")).size();
                for (int b = 0;; ++b) {
                    const QStringList l = bt->listing(b);
                    if (l.isEmpty())
                        break;
                    const qsizetype calls = l.filter(QStringLiteral("call vmm")).size();
                    if (calls > most) {
                        most = calls;
                        s->translation = l;
                    }
                }
            }
        }
        s->runState = model.state();
        s->fault = model.faultText();
        s->finished = model.finished();
        s->progress = double(s->counters.guestInstructions) / double(cfg.model.maxInstructions);
        s->status = status;
        return s;
    };

    publish(frame(QStringLiteral("%1 loaded (model)").arg(cfg.model.guest), false));
    auto lastPublish = std::chrono::steady_clock::now();
    bool stopped = false;
    while (!model.finished()) {
        const bool animated = speed() > 0;
        // Tracing only while animating: the untraced interpreter is the fast one.
        model.setTraceCapacity(animated ? kTraceCapacity : 0);
        if (!checkpoint()) {
            stopped = true;
            break;
        }
        if (animated) {
            model.step();
            const VmmCounters k = model.counters();
            publish(frame(QStringLiteral("instruction %1: next %2")
                              .arg(k.guestInstructions)
                              .arg(model.nextInstructionText()),
                true));
            if (!pace(kSecondsPerInstruction)) {
                stopped = true;
                break;
            }
            continue;
        }
        model.run(kSlice);
        const auto now = std::chrono::steady_clock::now();
        if (now - lastPublish > std::chrono::milliseconds(200)) {
            lastPublish = now;
            publish(
                frame(QStringLiteral("%1 guest instructions (model)").arg(model.counters().guestInstructions),
                    false));
        }
    }

    // The same guest natively (is the output the same?) and, with compare, every other way.
    std::vector<ModeRun> runs;
    if (!stopped) {
        const auto stop = [this] { return stopRequested(); };
        for (VmmMode m : comparedModes()) {
            if (m != VmmMode::Native && !cfg.compare)
                continue;
            if (m == cfg.model.mode) {
                runs.push_back(ModeRun {m, model.counters(), model.guestOutput(), model.state()});
                continue;
            }
            std::optional<ModeRun> r = runMode(cfg.model, m, stop);
            if (!r) {
                stopped = true;
                break;
            }
            runs.push_back(std::move(*r));
        }
    }

    const VmmCounters k = model.counters();
    QString status;
    if (stopped)
        status = QStringLiteral("stopped after %1 guest instructions").arg(k.guestInstructions);
    else if (model.state() == VmmRunState::Fault)
        status = QStringLiteral("fault: %1").arg(model.faultText());
    else
        status = QStringLiteral("%1 after %2 guest instructions, %3 modelled cycles (model)")
                     .arg(vmmRunStateName(model.state()))
                     .arg(k.guestInstructions)
                     .arg(k.modelledCycles);
    auto last = frame(status, model.trace().enabled());
    last->progress = 1;
    last->result = makeResult();
    fillResult(model, &last->result);
    for (const ModeRun &r : runs) {
        if (r.mode != VmmMode::Native)
            continue;
        last->result.summary.insert(QStringLiteral("native_output"), r.output);
        last->result.summary.insert(
            QStringLiteral("matches_native"), r.output == model.guestOutput() ? 1.0 : 0.0);
    }
    if (cfg.compare && !stopped)
        fillComparison(runs, &last->result);
    publish(last);
}

} // namespace proclab
