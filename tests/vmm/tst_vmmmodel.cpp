// The vmm model: the same guest under every way of running it. On the clean ISA the
// console output (and, where the kernel is the same, the instruction count) matches the
// native run; on the popf ISA trap-and-emulate misbehaves while binary translation and
// paravirtualization do not. Also: the translation cache, the cost model, the process
// table, stepping, tracing, and bad or runaway programs ending in a reported fault.

#include "vmm/guestlibrary.h"
#include "vmm/sensitivitytable.h"
#include "vmm/vmmmodel.h"

#include <QtTest>

#include <functional>
#include <random>
#include <set>

using namespace proclab;

namespace {

struct Outcome {
    QString output;
    VmmCounters counters;
    VmmRunState state = VmmRunState::Ready;
    QString fault;
};

VmmConfig configFor(const QString &guest, VmmMode mode, IsaVariant isa = IsaVariant::Clean)
{
    VmmConfig c;
    c.mode = mode;
    c.isa = isa;
    QString error;
    if (!GuestLibrary::load(&c, guest, QStringLiteral(VMM_PROGRAMS_DIR), &error))
        qFatal("%s", qPrintable(error));
    return c;
}

Outcome runConfig(const VmmConfig &c)
{
    VmmModel m;
    QString error;
    if (!m.load(c, &error))
        qFatal("load: %s", qPrintable(error));
    Outcome o;
    o.state = m.runToEnd();
    o.output = m.guestOutput();
    o.counters = m.counters();
    o.fault = m.faultText();
    return o;
}

Outcome runGuest(const QString &guest, VmmMode mode, IsaVariant isa = IsaVariant::Clean,
    const std::function<void(VmmConfig &)> &tweak = {})
{
    VmmConfig c = configFor(guest, mode, isa);
    if (tweak)
        tweak(c);
    return runConfig(c);
}

VmmConfig sourceConfig(const QString &source, VmmMode mode, IsaVariant isa = IsaVariant::Clean)
{
    VmmConfig c;
    c.mode = mode;
    c.isa = isa;
    c.guest = QStringLiteral("test");
    c.source = source;
    c.readInclude = GuestLibrary::includeReader(QStringLiteral(VMM_PROGRAMS_DIR));
    c.maxInstructions = 100000;
    return c;
}

const QList<VmmMode> kAllRunModes = {VmmMode::Native, VmmMode::ProcessVm, VmmMode::TrapEmulate,
    VmmMode::BinaryTranslate, VmmMode::Paravirt, VmmMode::HardwareAssist};

} // namespace

class TestVmmModel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void nativeOutputIsWhatTheProgramsSay();
    void sameOutputInEveryMode_data();
    void sameOutputInEveryMode();
    void processVmRunsOneProgram();
    void popfTrapEmulateDiverges_data();
    void popfTrapEmulateDiverges();
    void popfInterruptStateDiffers();
    void translationCache();
    void selfModifyingKernelUnderBt();
    void hostedAddsRoundTrips();
    void adamsAgesenFinding();
    void costTableIsApplied();
    void trapCountsOfAContextSwitch();
    void processTableDuringSwitches();
    void stepMatchesRun_data();
    void stepMatchesRun();
    void traceDescribesEveryLayer();
    void tracingDoesNotChangeTheRun();
    void faults_data();
    void faults();
    void randomImagesEndWithinBudget();
    void configErrors();
    void namesRoundTrip();
};

void TestVmmModel::nativeOutputIsWhatTheProgramsSay()
{
    const Outcome o = runGuest(QStringLiteral("two-tasks"), VmmMode::Native);
    QCOMPARE(o.state, VmmRunState::Halted);
    const QStringList lines = o.output.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 10);
    // Each task's own lines come in order 1..5, whatever the interleaving.
    for (const QString &task : {QStringLiteral("A"), QStringLiteral("B")}) {
        QStringList own;
        for (const QString &l : lines) {
            if (l.startsWith(QStringLiteral("task %1:").arg(task)))
                own << l;
        }
        QCOMPARE(own.size(), 5);
        for (int i = 0; i < 5; ++i)
            QCOMPARE(own[i], QStringLiteral("task %1: line %2").arg(task).arg(i + 1));
    }
    // Timer-driven switching really interleaves them: B prints before A is done.
    QVERIFY(
        lines.indexOf(QStringLiteral("task B: line 1")) < lines.indexOf(QStringLiteral("task A: line 5")));
    QVERIFY(o.counters.guestInterrupts > 5);

    QCOMPARE(runGuest(QStringLiteral("syscalls"), VmmMode::Native).output,
        QStringLiteral("sum of the getpid results: 2000\n"));
    // compute: sum of i*i for i < 256 is 5559680; the checksum xors in the pass number each pass.
    std::uint32_t sum = 0;
    for (std::uint32_t pass = 0; pass < 4000; ++pass) {
        for (std::uint32_t i = 0; i < 256; ++i)
            sum += i * i;
        sum ^= pass;
    }
    QCOMPARE(runGuest(QStringLiteral("compute"), VmmMode::Native).output,
        QStringLiteral("checksum: %1\n").arg(static_cast<std::int32_t>(sum)));
}

void TestVmmModel::sameOutputInEveryMode_data()
{
    QTest::addColumn<QString>("guest");
    for (const QString &g : GuestLibrary::shippedNames())
        QTest::newRow(qPrintable(g)) << g;
}

void TestVmmModel::sameOutputInEveryMode()
{
    QFETCH(QString, guest);
    const Outcome native = runGuest(guest, VmmMode::Native);
    QCOMPARE(native.state, VmmRunState::Halted);
    QVERIFY(!native.output.isEmpty());
    QCOMPARE(native.counters.traps, 0u);

    struct Variant {
        const char *name;
        VmmMode mode;
        std::function<void(VmmConfig &)> tweak;
        bool sameKernel; // runs the very same kernel code, so the same instructions retire
    };
    const std::vector<Variant> variants = {
        {"trap-emulate", VmmMode::TrapEmulate, {}, true},
        {"trap-emulate hosted", VmmMode::TrapEmulate, [](VmmConfig &c) { c.host = VmmHost::Hosted; }, true},
        {"bt", VmmMode::BinaryTranslate, {}, true},
        {"bt without cache", VmmMode::BinaryTranslate, [](VmmConfig &c) { c.translationCache = false; },
            true},
        {"bt without chaining", VmmMode::BinaryTranslate, [](VmmConfig &c) { c.chaining = false; }, true},
        {"paravirt", VmmMode::Paravirt, {}, false},
        {"hw-assist", VmmMode::HardwareAssist, {}, true},
        {"hw-assist all exits", VmmMode::HardwareAssist,
            [](VmmConfig &c) {
                c.exits = *vmmExitsFromText(
                    QStringLiteral("io,hlt,mmu,pte,interrupt,syscall,iret,sreg,intflag,smsw"), nullptr);
            },
            true},
        {"hw-assist no exits", VmmMode::HardwareAssist, [](VmmConfig &c) { c.exits = 0; }, true},
    };
    for (const Variant &v : variants) {
        const Outcome o = runGuest(guest, v.mode, IsaVariant::Clean, v.tweak);
        QVERIFY2(o.state == VmmRunState::Halted, qPrintable(QStringLiteral("%1: %2").arg(v.name, o.fault)));
        QCOMPARE(o.output, native.output);
        QCOMPARE(o.counters.guestKernelEntries, native.counters.guestKernelEntries);
        QCOMPARE(o.counters.sensitiveSlipped, 0u);
        if (v.sameKernel)
            QCOMPARE(o.counters.guestInstructions, native.counters.guestInstructions);
        else
            QVERIFY(o.counters.guestInstructions < native.counters.guestInstructions);
    }
    // Each mode leaves its own fingerprint in the counters.
    const Outcome te = runGuest(guest, VmmMode::TrapEmulate);
    QVERIFY(te.counters.traps > te.counters.guestKernelEntries);
    QVERIFY(te.counters.emulatedInstructions > 0);
    QCOMPARE(te.counters.vmExits + te.counters.hypercalls + te.counters.translatedBlocks, 0u);
    const Outcome bt = runGuest(guest, VmmMode::BinaryTranslate);
    QCOMPARE(bt.counters.traps, bt.counters.guestKernelEntries); // only the guest's own traps reach the VMM
    QVERIFY(bt.counters.translatedBlocks > 0);
    const Outcome pv = runGuest(guest, VmmMode::Paravirt);
    QVERIFY(pv.counters.hypercalls > 0);
    QCOMPARE(pv.counters.emulatedInstructions, 0u); // nothing privileged left to emulate
    const Outcome hw = runGuest(guest, VmmMode::HardwareAssist);
    QVERIFY(hw.counters.vmExits > 0);
    QCOMPARE(hw.counters.traps, 0u);

    // The process VM applies to guests with a single program and prints the same.
    VmmConfig c = configFor(guest, VmmMode::ProcessVm);
    VmmModel m;
    QString error;
    if (m.load(c, &error)) {
        QCOMPARE(m.runToEnd(), VmmRunState::Exited);
        QCOMPARE(m.guestOutput(), native.output);
        QVERIFY(m.counters().libraryCalls > 0);
        QVERIFY(m.counters().guestInstructions < native.counters.guestInstructions); // no kernel to run
    } else {
        QVERIFY(error.contains(QLatin1String("choose one with task")));
    }
}

void TestVmmModel::processVmRunsOneProgram()
{
    // V1: program A of two-tasks run alone on the process VM prints exactly A's lines.
    const Outcome native = runGuest(QStringLiteral("two-tasks"), VmmMode::Native);
    QStringList expected;
    for (const QString &l : native.output.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        if (l.startsWith(QLatin1String("task A")))
            expected << l;
    }
    const Outcome a = runGuest(QStringLiteral("two-tasks"), VmmMode::ProcessVm, IsaVariant::Clean,
        [](VmmConfig &c) { c.task = QStringLiteral("A"); });
    QCOMPARE(a.state, VmmRunState::Exited);
    QCOMPARE(a.output, expected.join(QLatin1Char('\n')) + QLatin1Char('\n'));
    QCOMPARE(a.counters.libraryCalls, 6u); // five writes and an exit
    QCOMPARE(a.counters.traps + a.counters.vmExits + a.counters.worldSwitches, 0u);
}

void TestVmmModel::popfTrapEmulateDiverges_data()
{
    QTest::addColumn<QString>("guest");
    for (const QString &g : GuestLibrary::shippedNames())
        QTest::newRow(qPrintable(g)) << g;
}

void TestVmmModel::popfTrapEmulateDiverges()
{
    QFETCH(QString, guest);
    auto small = [](VmmConfig &c) { c.maxInstructions = 200000; };
    const Outcome native = runGuest(guest, VmmMode::Native, IsaVariant::Popf);
    QCOMPARE(native.state, VmmRunState::Halted);
    QCOMPARE(native.output, runGuest(guest, VmmMode::Native, IsaVariant::Clean).output);

    const Outcome te = runGuest(guest, VmmMode::TrapEmulate, IsaVariant::Popf, small);
    QVERIFY(te.output != native.output);
    // The kernel's mode check (SMSW) sees user mode, and its POPF never enables interrupts:
    // no tick arrives, the kernel waits forever, the budget ends the run.
    QCOMPARE(te.output, QStringLiteral("kernel: warning: not running in kernel mode\n"));
    QCOMPARE(te.state, VmmRunState::Fault);
    QVERIFY(te.fault.startsWith(QLatin1String("step budget exhausted")));
    QCOMPARE(te.counters.sensitiveSlipped, 2u);
    QCOMPARE(te.counters.guestInterrupts, 0u);
    // The view can name the instruction that slipped through.
    VmmConfig c = configFor(guest, VmmMode::TrapEmulate, IsaVariant::Popf);
    VmmModel m;
    QVERIFY(m.load(c, nullptr));
    m.run(1000);
    const std::uint32_t word = m.machine().readPhys(m.counters().firstSlipPc);
    QCOMPARE(static_cast<ToyOp>(word >> 24), ToyOp::Smsw);

    // Binary translation and paravirtualization (and hardware assistance) still match native.
    for (const VmmMode mode : {VmmMode::BinaryTranslate, VmmMode::Paravirt, VmmMode::HardwareAssist}) {
        const Outcome o = runGuest(guest, mode, IsaVariant::Popf);
        QCOMPARE(o.state, VmmRunState::Halted);
        QCOMPARE(o.output, native.output);
        QCOMPARE(o.counters.sensitiveSlipped, 0u);
    }
    // The checker predicted it: popf is not virtualizable by trap-and-emulate, clean is.
    QVERIFY(!SensitivityTable::forIsa(IsaVariant::Popf).check().virtualizable);
}

void TestVmmModel::popfInterruptStateDiffers()
{
    // After the same number of instructions the native kernel has interrupts on (it is idle,
    // waiting for the tick), while the deprivileged kernel's virtual IF is still off.
    const std::uint64_t n = 3000; // past the boot code's page-table loop
    VmmModel native;
    QVERIFY(native.load(configFor(QStringLiteral("hello"), VmmMode::Native, IsaVariant::Popf), nullptr));
    native.run(n);
    VmmModel te;
    QVERIFY(te.load(configFor(QStringLiteral("hello"), VmmMode::TrapEmulate, IsaVariant::Popf), nullptr));
    te.run(n);
    QVERIFY(native.cpu().real.interruptsEnabled || native.counters().guestInterrupts > 0);
    QVERIFY(te.cpu().hasVirtual);
    QVERIFY(!te.cpu().virt.interruptsEnabled);
    QVERIFY(te.cpu().virt.kernel);
    QVERIFY(!te.cpu().real.kernel); // deprivileged
    // On the clean ISA the same comparison agrees.
    VmmModel clean;
    QVERIFY(clean.load(configFor(QStringLiteral("hello"), VmmMode::TrapEmulate, IsaVariant::Clean), nullptr));
    VmmModel cleanNative;
    QVERIFY(
        cleanNative.load(configFor(QStringLiteral("hello"), VmmMode::Native, IsaVariant::Clean), nullptr));
    clean.run(n);
    cleanNative.run(n);
    QCOMPARE(clean.cpu().virt.interruptsEnabled, cleanNative.cpu().real.interruptsEnabled);
    QCOMPARE(clean.cpu().virt.kernel, cleanNative.cpu().real.kernel);
    QCOMPARE(clean.cpu().pc, cleanNative.cpu().pc);
}

void TestVmmModel::translationCache()
{
    for (const QString &guest : {QStringLiteral("syscalls"), QStringLiteral("two-tasks")}) {
        const Outcome cached = runGuest(guest, VmmMode::BinaryTranslate);
        const Outcome uncached = runGuest(guest, VmmMode::BinaryTranslate, IsaVariant::Clean,
            [](VmmConfig &c) { c.translationCache = false; });
        QCOMPARE(cached.output, uncached.output);
        QCOMPARE(cached.counters.guestInstructions, uncached.counters.guestInstructions);
        QCOMPARE(cached.counters.emulatedInstructions, uncached.counters.emulatedInstructions);
        QVERIFY(cached.counters.translationCacheHits > 0);
        QVERIFY(cached.counters.chainedJumps > 0);
        QCOMPARE(uncached.counters.translationCacheHits, 0u);
        QCOMPARE(uncached.counters.chainedJumps, 0u);
        // Without the cache every block entry is a translation.
        QCOMPARE(uncached.counters.translatedBlocks, uncached.counters.translationLookups);
        QVERIFY(uncached.counters.translatedBlocks > 10 * cached.counters.translatedBlocks);
        // With it, every entry through the dispatcher is a hit or a (first) translation.
        QCOMPARE(cached.counters.translationCacheHits + cached.counters.translatedBlocks,
            cached.counters.translationLookups);
        QVERIFY(uncached.counters.modelledCycles > cached.counters.modelledCycles);
    }
    // The translated-code panel's listing shows callouts where the guest had sensitive instructions.
    VmmModel m;
    QVERIFY(m.load(configFor(QStringLiteral("hello"), VmmMode::BinaryTranslate), nullptr));
    m.runToEnd();
    const BinaryTranslator *bt = m.translator();
    QVERIFY(bt);
    const int entry
        = bt->blockAt(static_cast<std::uint32_t>(m.program().symbol(QStringLiteral("trap_entry")).value()));
    QVERIFY(entry >= 0);
    const QStringList listing = bt->listing(entry);
    QVERIFY(!listing.isEmpty());
    QVERIFY(listing.first().contains(QLatin1String("st r1, [2192]")));
    bool sawCallout = false;
    for (const TranslatedBlock &b : bt->blocks()) {
        for (const TranslatedInsn &t : b.code) {
            QCOMPARE(t.callout,
                ToyIsa::isSensitive(static_cast<ToyOp>(t.insn.op))
                    || ToyIsa::isPrivileged(static_cast<ToyOp>(t.insn.op), IsaVariant::Clean)
                    || t.insn.op == static_cast<std::uint8_t>(ToyOp::Syscall)
                    || t.insn.op == static_cast<std::uint8_t>(ToyOp::Hcall)
                    || t.insn.op == static_cast<std::uint8_t>(ToyOp::Illegal));
            sawCallout = sawCallout || t.callout;
        }
    }
    QVERIFY(sawCallout);
}

void TestVmmModel::selfModifyingKernelUnderBt()
{
    // A kernel that patches one of its own instructions in a loop: translations must follow.
    const QString src = QStringLiteral("        li r5, 0\n"
                                       "loop:   li r1, 'a'\n"
                                       "slot:   addi r1, r1, 0\n" // patched: addi r1, r1, k for k = 0, 1, 2
                                       "        out r1, 1\n"
                                       "        addi r5, r5, 1\n"
                                       "        ld r2, [slot]\n"
                                       "        addi r2, r2, 1\n"
                                       "        st r2, [slot]\n"
                                       "        li r3, 3\n"
                                       "        blt r5, r3, loop\n"
                                       "        halt\n");
    const Outcome native = runConfig(sourceConfig(src, VmmMode::Native));
    QCOMPARE(native.output, QStringLiteral("abc"));
    for (const bool cache : {true, false}) {
        VmmConfig c = sourceConfig(src, VmmMode::BinaryTranslate);
        c.translationCache = cache;
        const Outcome bt = runConfig(c);
        QCOMPARE(bt.output, native.output);
        QCOMPARE(bt.counters.guestInstructions, native.counters.guestInstructions);
    }
}

void TestVmmModel::hostedAddsRoundTrips()
{
    for (const VmmMode mode :
        {VmmMode::TrapEmulate, VmmMode::BinaryTranslate, VmmMode::Paravirt, VmmMode::HardwareAssist}) {
        const Outcome bare = runGuest(QStringLiteral("hello"), mode);
        const Outcome hosted = runGuest(
            QStringLiteral("hello"), mode, IsaVariant::Clean, [](VmmConfig &c) { c.host = VmmHost::Hosted; });
        QCOMPARE(hosted.output, bare.output);
        const std::uint64_t entries = bare.counters.traps + bare.counters.vmExits + bare.counters.hypercalls;
        QVERIFY(entries > 0);
        QCOMPARE(bare.counters.worldSwitches, entries);
        QCOMPARE(bare.counters.hostRoundTrips, 0u);
        QCOMPARE(hosted.counters.hostRoundTrips, entries);
        QCOMPARE(hosted.counters.worldSwitches, 2 * entries);
        const VmmCostTable costs;
        QCOMPARE(hosted.counters.modelledCycles - bare.counters.modelledCycles,
            entries * costs.cost(VmmCostTable::HostRoundTrip));
    }
}

void TestVmmModel::adamsAgesenFinding()
{
    // With the default costs: hardware assistance wins on system calls, binary translation
    // on page-table updates and address-space switches (Adams and Agesen, ASPLOS 2006).
    const Outcome sysHw = runGuest(QStringLiteral("syscalls"), VmmMode::HardwareAssist);
    const Outcome sysBt = runGuest(QStringLiteral("syscalls"), VmmMode::BinaryTranslate);
    const Outcome ptHw = runGuest(QStringLiteral("pagetable"), VmmMode::HardwareAssist);
    const Outcome ptBt = runGuest(QStringLiteral("pagetable"), VmmMode::BinaryTranslate);
    QVERIFY(sysHw.counters.modelledCycles < sysBt.counters.modelledCycles);
    QVERIFY(ptBt.counters.modelledCycles < ptHw.counters.modelledCycles);
    // Why: the system-call guest barely exits, the page-table guest exits on every PTE write.
    QVERIFY(sysHw.counters.vmExits < 100);
    QVERIFY(ptHw.counters.vmExits > ptHw.counters.pageTableWrites);
    QCOMPARE(ptBt.counters.pageTableWrites, ptHw.counters.pageTableWrites);
    // Trap-and-emulate is the slowest of the three on both.
    QVERIFY(runGuest(QStringLiteral("syscalls"), VmmMode::TrapEmulate).counters.modelledCycles
        > sysBt.counters.modelledCycles);
    // With nested paging (no mmu/pte exits) hardware assistance wins the page-table guest too.
    const Outcome ptNested = runGuest(QStringLiteral("pagetable"), VmmMode::HardwareAssist, IsaVariant::Clean,
        [](VmmConfig &c) { c.exits = ExitIo | ExitHlt | ExitInterrupt; });
    QCOMPARE(ptNested.output, ptHw.output);
    QVERIFY(ptNested.counters.modelledCycles < ptBt.counters.modelledCycles);
    // On the compute guest every mode is within a few per cent of native but trap-and-emulate.
    const Outcome cNative = runGuest(QStringLiteral("compute"), VmmMode::Native);
    for (const VmmMode mode : {VmmMode::BinaryTranslate, VmmMode::Paravirt, VmmMode::HardwareAssist}) {
        const Outcome o = runGuest(QStringLiteral("compute"), mode);
        QVERIFY(o.counters.modelledCycles < cNative.counters.modelledCycles * 13 / 10);
    }
}

void TestVmmModel::costTableIsApplied()
{
    // Modelled cycles are linear in the cost table: raise one entry, the total rises by
    // exactly that entry's count times the change.
    const Outcome base = runGuest(QStringLiteral("pagetable"), VmmMode::HardwareAssist);
    const Outcome dearer
        = runGuest(QStringLiteral("pagetable"), VmmMode::HardwareAssist, IsaVariant::Clean, [](VmmConfig &c) {
              QString error;
              QVERIFY(c.costs.apply(QStringLiteral("vm_exit=3000"), &error));
          });
    QCOMPARE(dearer.counters.modelledCycles - base.counters.modelledCycles, base.counters.vmExits * 1000);
    const Outcome te = runGuest(QStringLiteral("hello"), VmmMode::TrapEmulate);
    const Outcome te2 = runGuest(QStringLiteral("hello"), VmmMode::TrapEmulate, IsaVariant::Clean,
        [](VmmConfig &c) { c.costs.set(VmmCostTable::Emulate, 0); });
    QCOMPARE(te.counters.modelledCycles - te2.counters.modelledCycles,
        te.counters.emulatedInstructions * VmmCostTable().cost(VmmCostTable::Emulate));
    // Native cycles: one per instruction plus a hardware trap per kernel entry.
    const Outcome n = runGuest(QStringLiteral("hello"), VmmMode::Native);
    QCOMPARE(n.counters.modelledCycles,
        n.counters.guestInstructions
            + n.counters.guestKernelEntries * VmmCostTable().cost(VmmCostTable::NativeTrap));
    // Bad edits are refused and leave the table alone.
    VmmCostTable t;
    QString error;
    QVERIFY(!t.apply(QStringLiteral("vm_exit=12,warp=3"), &error));
    QCOMPARE(error, QStringLiteral("cost table: unknown entry 'warp=3' (expected key=cycles)"));
    QCOMPARE(t.cost(VmmCostTable::VmExit), 2000u);
    QVERIFY(!t.apply(QStringLiteral("vm_exit=-1"), &error));
    QVERIFY(error.contains(QLatin1String("whole number")));
    QVERIFY(t.apply(t.toText(), &error));
}

void TestVmmModel::trapCountsOfAContextSwitch()
{
    // Under trap-and-emulate each timer-driven switch costs the interrupt plus one trap per
    // privileged instruction on the kernel's path: 4 MFSR on entry, SETPT, 2 MTSR and IRET.
    const QString src = QStringLiteral(".equ NTASKS, 2\n.equ QUANTUM, 300\n.include \"kernel.s\"\n"
                                       ".org 0x0f00\ntasks: .word a, 1, b, 1\n"
                                       ".org 0x1000\na:\n.user A\nl: jmp l\n.enduser\n"
                                       ".org 0x1100\nb:\n.user B\nl: jmp l\n.enduser\n");
    VmmConfig c = sourceConfig(src, VmmMode::TrapEmulate);
    VmmModel m;
    QString error;
    QVERIFY2(m.load(c, &error), qPrintable(error));
    // Run past the boot and the first switch, then measure ten switches.
    while (m.counters().guestInterrupts < 2)
        m.run(50);
    const VmmCounters before = m.counters();
    while (m.counters().guestInterrupts < before.guestInterrupts + 10)
        m.run(1);
    const VmmCounters after = m.counters();
    QCOMPARE(after.guestInterrupts - before.guestInterrupts, 10u);
    QCOMPARE(after.traps - before.traps, 10u * 9);
    QCOMPARE(after.addressSpaceSwitches - before.addressSpaceSwitches, 10u);
}

void TestVmmModel::processTableDuringSwitches()
{
    // Native and trap-and-emulate write the same process table at every instruction count.
    VmmModel native;
    VmmModel te;
    QVERIFY(native.load(configFor(QStringLiteral("two-tasks"), VmmMode::Native), nullptr));
    QVERIFY(te.load(configFor(QStringLiteral("two-tasks"), VmmMode::TrapEmulate), nullptr));
    std::set<std::pair<std::uint32_t, std::uint32_t>> savedA; // (pc, r3) at each switch-out
    int sawBothSaved = 0;
    while (!native.finished()) {
        native.run(97);
        te.run(97);
        const auto a = native.processTable();
        const auto b = te.processTable();
        QCOMPARE(a.size(), std::size_t(2));
        QCOMPARE(b.size(), a.size());
        for (std::size_t i = 0; i < a.size(); ++i) {
            QCOMPARE(a[i].pc, b[i].pc);
            QCOMPARE(a[i].regs, b[i].regs);
            QCOMPARE(a[i].state, b[i].state);
            QCOMPARE(a[i].current, b[i].current);
            if (a[i].state != 0) { // filled in by the boot code
                QCOMPARE(a[i].ptbr, 0x0a00u + 128u * static_cast<std::uint32_t>(i) + 1u);
                QCOMPARE(a[i].id, static_cast<std::uint32_t>(i + 1));
            }
        }
        if (a[0].state == 1 && a[1].state == 2) {
            // A is switched out: its saved pc is inside its program and it was in user mode.
            savedA.insert({a[0].pc, a[0].regs[3]});
            QVERIFY(a[0].pc < 0x0200);
            QCOMPARE(a[0].status, toy::kStatusIf);
            ++sawBothSaved;
        }
    }
    QVERIFY(sawBothSaved > 3);
    QVERIFY(savedA.size() > 1); // preempted at different points of its work
    QVERIFY(runGuest(QStringLiteral("two-tasks"), VmmMode::ProcessVm, IsaVariant::Clean, [](VmmConfig &c) {
        c.task = QStringLiteral("B");
    }).output.startsWith(QLatin1String("task B")));
}

void TestVmmModel::stepMatchesRun_data()
{
    QTest::addColumn<int>("mode");
    for (const VmmMode m : kAllRunModes) {
        if (m != VmmMode::ProcessVm)
            QTest::newRow(qPrintable(vmmModeName(m))) << int(m);
    }
}

void TestVmmModel::stepMatchesRun()
{
    QFETCH(int, mode);
    VmmModel stepped;
    VmmModel ran;
    QVERIFY(stepped.load(configFor(QStringLiteral("two-tasks"), static_cast<VmmMode>(mode)), nullptr));
    QVERIFY(ran.load(configFor(QStringLiteral("two-tasks"), static_cast<VmmMode>(mode)), nullptr));
    const std::uint64_t n = 3000;
    for (std::uint64_t i = 0; i < n; ++i) {
        QCOMPARE(stepped.step(), VmmRunState::Ready);
        QCOMPARE(stepped.counters().guestInstructions, i + 1);
    }
    ran.run(n);
    QCOMPARE(stepped.cpu().pc, ran.cpu().pc);
    QCOMPARE(stepped.cpu().regs, ran.cpu().regs);
    QCOMPARE(stepped.counters().traps, ran.counters().traps);
    QCOMPARE(stepped.counters().vmExits, ran.counters().vmExits);
    QCOMPARE(stepped.counters().emulatedInstructions, ran.counters().emulatedInstructions);
    QCOMPARE(stepped.counters().guestKernelEntries, ran.counters().guestKernelEntries);
    QCOMPARE(stepped.guestOutput(), ran.guestOutput());
    // And both finish the same.
    QCOMPARE(stepped.runToEnd(), ran.runToEnd());
    QCOMPARE(stepped.guestOutput(), ran.guestOutput());
    QCOMPARE(stepped.counters().modelledCycles, ran.counters().modelledCycles);
}

void TestVmmModel::traceDescribesEveryLayer()
{
    auto kinds = [](VmmMode mode, const QString &guest, const QString &task = QString()) {
        VmmConfig c = configFor(guest, mode);
        c.traceCapacity = 100000;
        c.task = task;
        VmmModel m;
        if (!m.load(c, nullptr))
            return std::set<std::pair<TraceKind, TraceLayer>> {};
        m.runToEnd();
        std::set<std::pair<TraceKind, TraceLayer>> seen;
        for (const TraceEvent &e : m.trace().events())
            seen.insert({e.kind, e.layer});
        return seen;
    };
    using K = TraceKind;
    using L = TraceLayer;
    const auto native = kinds(VmmMode::Native, QStringLiteral("hello"));
    QVERIFY(native.count({K::Direct, L::Application}));
    QVERIFY(native.count({K::Direct, L::GuestKernel}));
    QVERIFY(native.count({K::TrapDown, L::GuestKernel}));
    QVERIFY(native.count({K::Interrupt, L::GuestKernel}));
    const auto te = kinds(VmmMode::TrapEmulate, QStringLiteral("hello"));
    QVERIFY(te.count({K::Direct, L::GuestKernel})); // deprivileged, but direct
    QVERIFY(te.count({K::TrapDown, L::Vmm}));
    QVERIFY(te.count({K::Emulated, L::Vmm}));
    QVERIFY(te.count({K::Reflected, L::GuestKernel}));
    QVERIFY(te.count({K::Returned, L::Application}));
    const auto bt = kinds(VmmMode::BinaryTranslate, QStringLiteral("hello"));
    QVERIFY(bt.count({K::Translated, L::GuestKernel}));
    QVERIFY(bt.count({K::Callout, L::Vmm}));
    QVERIFY(bt.count({K::Direct, L::Application}));
    QVERIFY(!bt.count({K::Direct, L::GuestKernel})); // kernel code never runs untranslated
    const auto pv = kinds(VmmMode::Paravirt, QStringLiteral("hello"));
    QVERIFY(pv.count({K::Hypercall, L::Vmm}));
    QVERIFY(!pv.count({K::Emulated, L::Vmm}));
    const auto hw = kinds(VmmMode::HardwareAssist, QStringLiteral("hello"));
    QVERIFY(hw.count({K::VmExit, L::Vmm}));
    const auto pvm = kinds(VmmMode::ProcessVm, QStringLiteral("hello"));
    QVERIFY(pvm.count({K::Interpreted, L::Runtime}));
    QVERIFY(pvm.count({K::LibraryCall, L::HostOs}));

    // V2: a call, a system call and a privileged instruction are told apart.
    VmmConfig c
        = sourceConfig(QStringLiteral("jal r6, f\nsyscall 1\nf: out r1, 1\njr r6\n"), VmmMode::Native);
    c.traceCapacity = 16;
    VmmModel m;
    QVERIFY(m.load(c, nullptr));
    m.run(3);
    const auto events = m.trace().events();
    QVERIFY(events.size() >= 3);
    QCOMPARE(events[0].interface, ToyInterface::Call);
    QCOMPARE(events[1].interface, ToyInterface::Privileged);
    QCOMPARE(events[2].interface, ToyInterface::Call);
    // A bounded ring: the oldest events give way.
    VmmConfig small = configFor(QStringLiteral("hello"), VmmMode::TrapEmulate);
    small.traceCapacity = 50;
    VmmModel s;
    QVERIFY(s.load(small, nullptr));
    s.runToEnd();
    QCOMPARE(s.trace().size(), std::size_t(50));
    QVERIFY(s.trace().dropped() > 0);
    QCOMPARE(s.trace().take().size(), std::size_t(50));
    QCOMPARE(s.trace().size(), std::size_t(0));
}

void TestVmmModel::tracingDoesNotChangeTheRun()
{
    for (const VmmMode mode : kAllRunModes) {
        for (const QString &guest : {QStringLiteral("hello"), QStringLiteral("syscalls")}) {
            const Outcome plain = runGuest(guest, mode);
            const Outcome traced
                = runGuest(guest, mode, IsaVariant::Clean, [](VmmConfig &c) { c.traceCapacity = 64; });
            QCOMPARE(traced.output, plain.output);
            QCOMPARE(traced.counters.guestInstructions, plain.counters.guestInstructions);
            QCOMPARE(traced.counters.modelledCycles, plain.counters.modelledCycles);
        }
    }
}

void TestVmmModel::faults_data()
{
    QTest::addColumn<QString>("source");
    QTest::addColumn<int>("mode");
    QTest::addColumn<QString>("fault"); // start of the expected message ("" = not a fault)
    QTest::addColumn<QString>("output");
    for (const VmmMode m : kAllRunModes) {
        if (m == VmmMode::ProcessVm)
            continue;
        const QString n = vmmModeName(m);
        QTest::addRow("%s empty program", qPrintable(n))
            << QString() << int(m) << QStringLiteral("kernel fault: illegal instruction at pc 0x0000")
            << QString();
        QTest::addRow("%s runaway loop", qPrintable(n))
            << QStringLiteral("l: jmp l\n") << int(m) << QStringLiteral("step budget exhausted: 100000")
            << QString();
        QTest::addRow("%s garbage words", qPrintable(n))
            << QStringLiteral("nop\n.word 0xffffffff\n") << int(m)
            << QStringLiteral("kernel fault: illegal instruction at pc 0x0001 (value 0xffffffff)")
            << QString();
        QTest::addRow("%s jump off memory", qPrintable(n))
            << QStringLiteral("li r1, 0x7fff\naddi r1, r1, 1\njr r1\n") << int(m)
            << QStringLiteral("kernel fault: bus error at pc 0x8000") << QString();
        QTest::addRow("%s load off memory", qPrintable(n))
            << QStringLiteral("li r1, -1\nld r2, [r1]\n") << int(m)
            << QStringLiteral("kernel fault: bus error at pc 0x0001 (value 0xffffffff)") << QString();
        // A user program that misbehaves is stopped by the kernel; the others go on.
        QTest::addRow("%s user program faults", qPrintable(n))
            << QStringLiteral(".equ NTASKS, 2\n.equ QUANTUM, 300\n.include \"kernel.s\"\n"
                              ".org 0x0f00\ntasks: .word a, 1, b, 1\n"
                              ".org 0x1000\na:\n.user A\n halt\n.enduser\n"
                              ".org 0x1100\nb:\n.user B\n li r1, m\n li r2, 3\n syscall 1\n syscall 2\nm: "
                              ".ascii \"ok\\n\"\n.enduser\n")
            << int(m) << QString() << QStringLiteral("kernel: a task faulted and was stopped\nok\n");
    }
    QTest::newRow("process-vm privileged")
        << QStringLiteral(".org 0x100\n.user P\n li r1, 1\n halt\n.enduser\n") << int(VmmMode::ProcessVm)
        << QStringLiteral("process VM stopped the program: privileged instruction at pc 0x0001") << QString();
    QTest::newRow("process-vm runaway")
        << QStringLiteral(".org 0x100\n.user P\nl: jmp l\n.enduser\n") << int(VmmMode::ProcessVm)
        << QStringLiteral("step budget exhausted") << QString();
    QTest::newRow("process-vm bad buffer")
        << QStringLiteral(".org 0x100\n.user P\n li r1, -5\n li r2, 10\n syscall 1\n mov r3, r1\n syscall "
                          "7\n syscall 2\n.enduser\n")
        << int(VmmMode::ProcessVm) << QString() << QStringLiteral("-1");
}

void TestVmmModel::faults()
{
    QFETCH(QString, source);
    QFETCH(int, mode);
    QFETCH(QString, fault);
    QFETCH(QString, output);
    VmmConfig c = sourceConfig(source, static_cast<VmmMode>(mode));
    VmmModel m;
    QString error;
    QVERIFY2(m.load(c, &error), qPrintable(error));
    const VmmRunState s = m.runToEnd();
    QVERIFY(m.counters().guestInstructions <= c.maxInstructions);
    if (fault.isEmpty()) {
        QVERIFY2(s != VmmRunState::Fault, qPrintable(m.faultText()));
    } else {
        QCOMPARE(s, VmmRunState::Fault);
        QVERIFY2(m.faultText().startsWith(fault), qPrintable(m.faultText()));
    }
    QCOMPARE(m.guestOutput(), output);
    QCOMPARE(m.run(10), s); // a finished run stays finished
}

void TestVmmModel::randomImagesEndWithinBudget()
{
    // Random words as a guest, seeded: every mode ends (fault, halt or budget) without
    // crashing and never retires more than its budget.
    std::mt19937 rng(20240611);
    for (int round = 0; round < 40; ++round) {
        QString src;
        for (int i = 0; i < 64; ++i) {
            // Mostly valid opcodes with random fields, some raw noise.
            const auto &ops = ToyIsa::instructions();
            std::uint32_t w = rng();
            if (rng() % 4 != 0)
                w = (static_cast<std::uint32_t>(ops[rng() % ops.size()].op) << 24) | (w & 0x0077003F);
            src += QStringLiteral(".word 0x%1\n").arg(w, 8, 16, QLatin1Char('0'));
        }
        for (const VmmMode mode : kAllRunModes) {
            if (mode == VmmMode::ProcessVm)
                continue;
            for (const IsaVariant isa : {IsaVariant::Clean, IsaVariant::Popf}) {
                VmmConfig c = sourceConfig(src, mode, isa);
                c.maxInstructions = 5000;
                VmmModel m;
                QVERIFY(m.load(c, nullptr));
                m.runToEnd();
                QVERIFY(m.finished());
                QVERIFY(m.counters().guestInstructions <= 5000);
            }
        }
    }
}

void TestVmmModel::configErrors()
{
    VmmModel m;
    QString error;
    VmmConfig c = configFor(QStringLiteral("two-tasks"), VmmMode::ProcessVm);
    QVERIFY(!m.load(c, &error));
    QCOMPARE(error,
        QStringLiteral("process-vm runs one user program; two-tasks.s has 2 (A, B): choose one with task"));
    QCOMPARE(m.state(), VmmRunState::Fault);
    c.task = QStringLiteral("Z");
    QVERIFY(!m.load(c, &error));
    QVERIFY(error.contains(QLatin1String("no user program 'Z'")));
    c = configFor(QStringLiteral("hello"), VmmMode::Check);
    QVERIFY(!m.load(c, &error));
    QVERIFY(error.contains(QLatin1String("checker")));
    c = sourceConfig(QStringLiteral("nop\n  add r1, r2\n"), VmmMode::Native);
    QVERIFY(!m.load(c, &error));
    QCOMPARE(error, QStringLiteral("test.s:2:3: 'add' takes 3 operands (rd, rs, rt), got 2"));
    // The paravirtual build of a guest is assembled with PARAVIRT = 1.
    c = sourceConfig(QStringLiteral(".if PARAVIRT\nhcall 9\n.else\nhalt\n.endif\n"), VmmMode::Paravirt);
    QVERIFY(m.load(c, &error));
    QCOMPARE(m.runToEnd(), VmmRunState::Halted);
    QCOMPARE(m.counters().hypercalls, 1u);
    // Tunables can be set from outside.
    VmmConfig q = configFor(QStringLiteral("two-tasks"), VmmMode::Native);
    q.defines[QStringLiteral("LINES")] = 2;
    QVERIFY(m.load(q, &error));
    m.runToEnd();
    QCOMPARE(m.guestOutput().count(QLatin1Char('\n')), 4);
}

void TestVmmModel::namesRoundTrip()
{
    for (const VmmMode m : {VmmMode::Native, VmmMode::ProcessVm, VmmMode::TrapEmulate,
             VmmMode::BinaryTranslate, VmmMode::Paravirt, VmmMode::HardwareAssist, VmmMode::Check})
        QCOMPARE(vmmModeFromName(vmmModeName(m)), std::optional<VmmMode>(m));
    QCOMPARE(vmmModeName(VmmMode::TrapEmulate), QStringLiteral("trap-emulate"));
    QCOMPARE(vmmModeName(VmmMode::BinaryTranslate), QStringLiteral("bt"));
    QCOMPARE(vmmModeName(VmmMode::HardwareAssist), QStringLiteral("hw-assist"));
    QCOMPARE(vmmHostFromName(QStringLiteral("hosted")), std::optional<VmmHost>(VmmHost::Hosted));
    QVERIFY(!vmmHostFromName(QStringLiteral("cloud")));
    QCOMPARE(vmmExitsText(VmmConfig::defaultExits()), QStringLiteral("io,hlt,mmu,pte,interrupt"));
    QCOMPARE(
        vmmExitsFromText(QStringLiteral("io, mmu"), nullptr), std::optional<std::uint32_t>(ExitIo | ExitMmu));
    QCOMPARE(vmmExitsFromText(QStringLiteral("none"), nullptr), std::optional<std::uint32_t>(0u));
    QString error;
    QVERIFY(!vmmExitsFromText(QStringLiteral("io,teleport"), &error));
    QVERIFY(error.startsWith(QLatin1String("exits: unknown event 'teleport'")));
}

QTEST_APPLESS_MAIN(TestVmmModel)
#include "tst_vmmmodel.moc"
