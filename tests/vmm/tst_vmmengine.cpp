// The vmm engine: parameters to a typed configuration (with clear refusals), a run's
// summary as the command line prints it, the checker mode, stepping one guest instruction
// per checkpoint with its trace, and stopping a run that would not end by itself.

#include "vmm/guestlibrary.h"
#include "vmm/vmmengine.h"

#include "engine/registry.h"

#include <QtTest>

using namespace proclab;

namespace {

QString nativeOutput(const QString &guest)
{
    VmmConfig c;
    QString error;
    if (!GuestLibrary::load(&c, guest, QStringLiteral(VMM_PROGRAMS_DIR), &error))
        return error;
    VmmModel m;
    if (!m.load(c, &error))
        return error;
    m.runToEnd();
    return m.guestOutput();
}

std::shared_ptr<const VmmSnapshot> vmmSnapshot(const Engine &e)
{
    return std::dynamic_pointer_cast<const VmmSnapshot>(e.snapshot());
}

} // namespace

class TestVmmEngine : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void registeredUnderItsId();
    void trapEmulateRunMatchesTheModel();
    void everySummaryKeyIsDeclared_data();
    void everySummaryKeyIsDeclared();
    void checkerMode();
    void popfFaultIsAResultNotAnError();
    void configureRefuses_data();
    void configureRefuses();
    void guestFileOfYourOwn();
    void stepsOneInstructionPerCheckpoint();
    void stopsARunawayGuest();
};

void TestVmmEngine::registeredUnderItsId()
{
    const EngineRegistry::Entry *entry = EngineRegistry::builtin().find(QStringLiteral("vmm"));
    QVERIFY(entry);
    QCOMPARE(entry->info.id, QString(VmmEngine::kId));
    QCOMPARE(entry->info.provenance, Provenance::Model);
    QCOMPARE(entry->info.views.first(), QString(VmmEngine::kLayersView));
    QVERIFY(entry->info.syllabus.contains(QStringLiteral("V5")));
}

void TestVmmEngine::trapEmulateRunMatchesTheModel()
{
    const auto e = makeEngine<VmmEngine>();
    QString error;
    QVERIFY2(e->configure({{QStringLiteral("mode"), QStringLiteral("trap-emulate")},
                              {QStringLiteral("isa"), QStringLiteral("clean")},
                              {QStringLiteral("guest"), QStringLiteral("two-tasks")}},
                 &error),
        qPrintable(error));
    e->setSpeed(0);
    const Result r = runToCompletion(*e, std::chrono::seconds(60));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.provenance, Provenance::Model);
    QCOMPARE(r.summary.value(QStringLiteral("guest_output")).toString(),
        nativeOutput(QStringLiteral("two-tasks")));
    QCOMPARE(r.summary.value(QStringLiteral("run_state")).toString(), QStringLiteral("halted"));
    QVERIFY(r.summary.value(QStringLiteral("traps")).toDouble() > 100);
    QVERIFY(r.summary.value(QStringLiteral("emulated_instructions")).toDouble() > 100);
    QCOMPARE(r.summary.value(QStringLiteral("vm_exits")).toDouble(), 0.0);
    QVERIFY(r.summary.value(QStringLiteral("modelled_cycles")).toDouble()
        > r.summary.value(QStringLiteral("guest_instructions")).toDouble());
    QCOMPARE(r.parameters.value(QStringLiteral("mode")).toString(), QStringLiteral("trap-emulate"));
    // The process table as the run left it: two tasks, both exited.
    QCOMPARE(r.table.rows.size(), std::size_t(2));
    QCOMPARE(r.table.rows[0][1].toString(), QStringLiteral("exited"));
    QCOMPARE(r.table.rows[1][5].toString(), QStringLiteral("0x0a81"));
    const auto last = vmmSnapshot(*e);
    QVERIFY(last);
    QVERIFY(last->finished);
    QCOMPARE(last->processes.size(), std::size_t(2));
}

void TestVmmEngine::everySummaryKeyIsDeclared_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QString>("isa");
    for (const char *m : {"native", "process-vm", "trap-emulate", "bt", "paravirt", "hw-assist", "check"}) {
        for (const char *isa : {"clean", "popf"})
            QTest::addRow("%s %s", m, isa) << QString::fromLatin1(m) << QString::fromLatin1(isa);
    }
}

void TestVmmEngine::everySummaryKeyIsDeclared()
{
    QFETCH(QString, mode);
    QFETCH(QString, isa);
    const auto e = makeEngine<VmmEngine>();
    QString error;
    QVERIFY2(e->configure({{QStringLiteral("mode"), mode}, {QStringLiteral("isa"), isa},
                              {QStringLiteral("guest"), QStringLiteral("hello")},
                              {QStringLiteral("max_instructions"), 200000}},
                 &error),
        qPrintable(error));
    e->setSpeed(0);
    const Result r = runToCompletion(*e, std::chrono::seconds(60));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QVERIFY(!r.summary.isEmpty());
    const std::vector<OutputSpec> outputs = e->outputs();
    for (auto it = r.summary.begin(); it != r.summary.end(); ++it)
        QVERIFY2(outputsContain(outputs, it.key()), qPrintable(it.key()));
    if (mode != QLatin1String("check")) {
        for (const char *key : {"guest_output", "guest_instructions", "traps", "emulated_instructions",
                 "translated_blocks", "translation_cache_hits", "hypercalls", "vm_exits", "modelled_cycles"})
            QVERIFY2(r.summary.contains(QLatin1String(key)), key);
    }
}

void TestVmmEngine::checkerMode()
{
    const auto e = makeEngine<VmmEngine>();
    QVERIFY(e->configure({{QStringLiteral("mode"), QStringLiteral("check")},
        {QStringLiteral("isa"), QStringLiteral("popf")}}));
    Result r = runToCompletion(*e, std::chrono::seconds(20));
    QVERIFY(r.error.isEmpty());
    QCOMPARE(r.summary.value(QStringLiteral("virtualizable")).toBool(), false);
    QCOMPARE(r.summary.value(QStringLiteral("offending")).toString(), QStringLiteral("POPF,SMSW"));
    QCOMPARE(r.summary.value(QStringLiteral("offending_count")).toDouble(), 2.0);
    QCOMPARE(r.table.rows.size(), ToyIsa::instructions().size());
    const auto snap = vmmSnapshot(*e);
    QVERIFY(snap);
    QVERIFY(!snap->verdict.virtualizable);
    // Edit the table: make both privileged, and the verdict changes.
    QVERIFY(e->configure(
        {{QStringLiteral("mode"), QStringLiteral("check")}, {QStringLiteral("isa"), QStringLiteral("popf")},
            {QStringLiteral("table"), QStringLiteral("popf:pcb,smsw:pb")}}));
    r = runToCompletion(*e, std::chrono::seconds(20));
    QCOMPARE(r.summary.value(QStringLiteral("virtualizable")).toBool(), true);
    QCOMPARE(r.summary.value(QStringLiteral("offending")).toString(), QString());
    QVERIFY(e->configure({{QStringLiteral("mode"), QStringLiteral("check")},
        {QStringLiteral("isa"), QStringLiteral("clean")}}));
    r = runToCompletion(*e, std::chrono::seconds(20));
    QCOMPARE(r.summary.value(QStringLiteral("virtualizable")).toBool(), true);
}

void TestVmmEngine::popfFaultIsAResultNotAnError()
{
    const auto e = makeEngine<VmmEngine>();
    QVERIFY(e->configure({{QStringLiteral("mode"), QStringLiteral("trap-emulate")},
        {QStringLiteral("isa"), QStringLiteral("popf")},
        {QStringLiteral("guest"), QStringLiteral("two-tasks")},
        {QStringLiteral("max_instructions"), 100000}}));
    e->setSpeed(0);
    const Result r = runToCompletion(*e, std::chrono::seconds(60));
    QVERIFY(r.error.isEmpty());
    QCOMPARE(r.summary.value(QStringLiteral("run_state")).toString(), QStringLiteral("fault"));
    QVERIFY(r.summary.value(QStringLiteral("fault"))
                .toString()
                .startsWith(QLatin1String("step budget exhausted")));
    QVERIFY(r.summary.value(QStringLiteral("guest_output")).toString()
        != nativeOutput(QStringLiteral("two-tasks")));
    QCOMPARE(r.summary.value(QStringLiteral("sensitive_slipped")).toDouble(), 2.0);
    QVERIFY(r.summary.contains(QStringLiteral("first_slip_pc")));
}

void TestVmmEngine::configureRefuses_data()
{
    QTest::addColumn<QVariantMap>("params");
    QTest::addColumn<QString>("error");
    QTest::newRow("unknown guest") << QVariantMap {{QStringLiteral("guest"), QStringLiteral("doom")}}
                                   << QStringLiteral(
                                          "parameter 'guest': value 'doom' is not allowed (allowed: one of "
                                          "hello, two-tasks, syscalls, pagetable, compute)");
    QTest::newRow("unknown exit") << QVariantMap {{QStringLiteral("exits"), QStringLiteral("io,warp")}}
                                  << QStringLiteral(
                                         "parameter 'exits': exits: unknown event 'warp' (known: io,hlt,mmu,"
                                         "pte,interrupt,syscall,iret,sreg,intflag,smsw, or none)");
    QTest::newRow("bad cost") << QVariantMap {{QStringLiteral("costs"), QStringLiteral("vm_exit=fast")}}
                              << QStringLiteral(
                                     "parameter 'costs': cost table: 'vm_exit' needs a whole number of "
                                     "cycles from 0 to 100000000");
    QTest::newRow("bad table edit")
        << QVariantMap {{QStringLiteral("mode"), QStringLiteral("check")},
               {QStringLiteral("table"), QStringLiteral("popf:z")}}
        << QStringLiteral("parameter 'table': table edit 'popf:z': flags are p (privileged), "
                          "c (control-sensitive), b (behaviour-sensitive) or - (none)");
    QTest::newRow("process vm needs one program")
        << QVariantMap {{QStringLiteral("mode"), QStringLiteral("process-vm")},
               {QStringLiteral("guest"), QStringLiteral("two-tasks")}}
        << QStringLiteral(
               "vmm: process-vm runs one user program; two-tasks.s has 2 (A, B): choose one with task");
    QTest::newRow("unknown mode") << QVariantMap {{QStringLiteral("mode"), QStringLiteral("emulate-all")}}
                                  << QStringLiteral(
                                         "parameter 'mode': value 'emulate-all' is not allowed (allowed: "
                                         "one of native, process-vm, trap-emulate, bt, paravirt, hw-assist, "
                                         "check)");
    QTest::newRow("not an assembly file")
        << QVariantMap {{QStringLiteral("guest_file"), QStringLiteral("/etc/passwd")}}
        << QStringLiteral("parameter 'guest_file': '/etc/passwd' is not an assembly "
                          "file (.s)");
}

void TestVmmEngine::configureRefuses()
{
    QFETCH(QVariantMap, params);
    QFETCH(QString, error);
    const auto e = makeEngine<VmmEngine>();
    QString why;
    QVERIFY(!e->configure(params, &why));
    QCOMPARE(why, error);
}

void TestVmmEngine::guestFileOfYourOwn()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // A teacher's guest next to a copy of the kernel.
    QFile::copy(QStringLiteral(VMM_PROGRAMS_DIR "/kernel.s"), dir.filePath(QStringLiteral("kernel.s")));
    QFile f(dir.filePath(QStringLiteral("mine.s")));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(".equ NTASKS, 1\n.equ QUANTUM, 100\n.include \"kernel.s\"\n.org 0x0f00\ntasks: .word img, 1\n"
            ".org 0x1000\nimg:\n.user M\n li r1, 42\n syscall 7\n syscall 2\n.enduser\n");
    f.close();
    const auto e = makeEngine<VmmEngine>();
    QString error;
    QVERIFY2(e->configure({{QStringLiteral("mode"), QStringLiteral("bt")},
                              {QStringLiteral("guest_file"), dir.filePath(QStringLiteral("mine.s"))}},
                 &error),
        qPrintable(error));
    e->setSpeed(0);
    const Result r = runToCompletion(*e, std::chrono::seconds(60));
    QCOMPARE(r.summary.value(QStringLiteral("guest_output")).toString(), QStringLiteral("42"));
    // An assembler error names the file, the line and the column.
    QFile bad(dir.filePath(QStringLiteral("bad.s")));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("nop\n  ld r1, [r9]\n");
    bad.close();
    QVERIFY(!e->configure({{QStringLiteral("guest_file"), dir.filePath(QStringLiteral("bad.s"))}}, &error));
    QCOMPARE(error, QStringLiteral("vmm: bad.s:2:11: no register 'r9' (registers are r0..r7 and sp)"));
}

void TestVmmEngine::stepsOneInstructionPerCheckpoint()
{
    const auto e = makeEngine<VmmEngine>();
    QVERIFY(e->configure({{QStringLiteral("mode"), QStringLiteral("trap-emulate")},
        {QStringLiteral("guest"), QStringLiteral("hello")}}));
    e->setSpeed(1000); // paced, so every instruction is a checkpoint, but quick
    e->pause();
    e->start();
    QTRY_VERIFY(vmmSnapshot(*e) != nullptr);
    bool sawTrap = false;
    for (std::uint64_t i = 1; i <= 40; ++i) {
        e->stepOnce();
        QTRY_COMPARE(vmmSnapshot(*e)->counters.guestInstructions, i);
        const auto s = vmmSnapshot(*e);
        QVERIFY(!s->trace.empty()); // what happened to this instruction, layer by layer
        QVERIFY(!s->nextInstruction.isEmpty());
        QVERIFY(s->cpu.hasVirtual);
        for (const TraceEvent &ev : s->trace)
            sawTrap = sawTrap || ev.kind == TraceKind::TrapDown;
    }
    QVERIFY(sawTrap); // the boot code's first privileged instruction trapped
    e->stop();
    QCOMPARE(e->state(), RunState::Stopped);
}

void TestVmmEngine::stopsARunawayGuest()
{
    const auto e = makeEngine<VmmEngine>();
    QVERIFY(e->configure({{QStringLiteral("mode"), QStringLiteral("trap-emulate")},
        {QStringLiteral("isa"), QStringLiteral("popf")}, {QStringLiteral("guest"), QStringLiteral("hello")},
        {QStringLiteral("max_instructions"), 2000000000}}));
    e->setSpeed(0);
    const quint64 before = e->revision();
    e->start();
    QTRY_VERIFY(e->revision() > before + 1); // running, past its first frame
    e->stop();
    QCOMPARE(e->state(), RunState::Stopped);
    const auto s = vmmSnapshot(*e);
    QVERIFY(s);
    QCOMPARE(s->result.summary.value(QStringLiteral("run_state")).toString(), QStringLiteral("ready"));
}

QTEST_APPLESS_MAIN(TestVmmEngine)
#include "tst_vmmengine.moc"
