// The Popek-Goldberg checker (V4, V5): verdicts for both ISAs and for edited tables,
// and the verdict agreeing with what trap-and-emulate actually does to a guest.

#include "vmm/guestlibrary.h"
#include "vmm/sensitivitytable.h"
#include "vmm/vmmmodel.h"

#include <QtTest>

using namespace proclab;

class TestVmmChecker : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void cleanIsVirtualizable();
    void popfIsNot();
    void tableRowsMatchTheIsa();
    void editedTables_data();
    void editedTables();
    void badEditsAreRefused();
    void verdictMatchesTrapAndEmulate();
};

void TestVmmChecker::cleanIsVirtualizable()
{
    const VirtualizabilityVerdict v = SensitivityTable::forIsa(IsaVariant::Clean).check();
    QVERIFY(v.virtualizable);
    QVERIFY(v.offending.isEmpty());
    QVERIFY(v.explanation.contains(QLatin1String("trap-and-emulate suffices")));
}

void TestVmmChecker::popfIsNot()
{
    const VirtualizabilityVerdict v = SensitivityTable::forIsa(IsaVariant::Popf).check();
    QVERIFY(!v.virtualizable);
    QCOMPARE(v.offending, QStringList({QStringLiteral("POPF"), QStringLiteral("SMSW")}));
    QVERIFY(v.explanation.startsWith(QLatin1String("POPF, SMSW are sensitive but not privileged")));
    QVERIFY(v.explanation.contains(QLatin1String("binary translation")));
}

void TestVmmChecker::tableRowsMatchTheIsa()
{
    for (const IsaVariant isa : {IsaVariant::Clean, IsaVariant::Popf}) {
        const SensitivityTable t = SensitivityTable::forIsa(isa);
        QCOMPARE(t.entries().size(), ToyIsa::instructions().size());
        int sensitive = 0;
        for (const SensitivityEntry &e : t.entries()) {
            QCOMPARE(e.privileged, ToyIsa::isPrivileged(e.op, isa));
            QCOMPARE(e.sensitive(), ToyIsa::isSensitive(e.op));
            sensitive += e.sensitive() ? 1 : 0;
        }
        QCOMPARE(sensitive, 10); // out iret halt cli sti mfsr mtsr setpt popf smsw
    }
    const SensitivityTable popf = SensitivityTable::forIsa(IsaVariant::Popf);
    QCOMPARE(popf.find(QStringLiteral("POPF"))->classText(),
        QStringLiteral("control-sensitive+behaviour-sensitive"));
    QCOMPARE(popf.find(QStringLiteral("smsw"))->classText(), QStringLiteral("behaviour-sensitive"));
    QCOMPARE(popf.find(QStringLiteral("setpt"))->classText(), QStringLiteral("privileged+control-sensitive"));
    QCOMPARE(popf.find(QStringLiteral("add"))->classText(), QStringLiteral("innocuous"));
    QVERIFY(!popf.find(QStringLiteral("nope")));
}

void TestVmmChecker::editedTables_data()
{
    QTest::addColumn<int>("isa");
    QTest::addColumn<QString>("edits");
    QTest::addColumn<bool>("virtualizable");
    QTest::addColumn<QStringList>("offending");
    QTest::newRow("popf fixed by making both privileged")
        << int(IsaVariant::Popf) << QStringLiteral("popf:pcb, smsw:pb") << true << QStringList();
    QTest::newRow("popf half fixed") << int(IsaVariant::Popf) << QStringLiteral("popf:pcb") << false
                                     << QStringList({QStringLiteral("SMSW")});
    QTest::newRow("smsw declared innocuous") << int(IsaVariant::Popf) << QStringLiteral("smsw:-") << false
                                             << QStringList({QStringLiteral("POPF")});
    QTest::newRow("clean with unprivileged out")
        << int(IsaVariant::Clean) << QStringLiteral("out:c") << false << QStringList({QStringLiteral("OUT")});
    QTest::newRow("clean with a sensitive add")
        << int(IsaVariant::Clean) << QStringLiteral("ADD:b") << false << QStringList({QStringLiteral("ADD")});
    QTest::newRow("privileged but innocuous is fine")
        << int(IsaVariant::Clean) << QStringLiteral("add:p") << true << QStringList();
    QTest::newRow("empty edit list") << int(IsaVariant::Clean) << QString() << true << QStringList();
}

void TestVmmChecker::editedTables()
{
    QFETCH(int, isa);
    QFETCH(QString, edits);
    QFETCH(bool, virtualizable);
    QFETCH(QStringList, offending);
    SensitivityTable t = SensitivityTable::forIsa(static_cast<IsaVariant>(isa));
    QString error;
    QVERIFY2(t.applyEdits(edits, &error), qPrintable(error));
    const VirtualizabilityVerdict v = t.check();
    QCOMPARE(v.virtualizable, virtualizable);
    QCOMPARE(v.offending, offending);
}

void TestVmmChecker::badEditsAreRefused()
{
    SensitivityTable t = SensitivityTable::forIsa(IsaVariant::Popf);
    QString error;
    QVERIFY(!t.applyEdits(QStringLiteral("popf:pcb,frob:p"), &error));
    QCOMPARE(
        error, QStringLiteral("table edit 'frob:p': expected instruction:flags with a known instruction"));
    QVERIFY(!t.applyEdits(QStringLiteral("popf:x"), &error));
    QVERIFY(error.contains(QLatin1String("flags are p (privileged)")));
    QVERIFY(!t.applyEdits(QStringLiteral("popf"), &error));
    // Nothing was applied.
    QVERIFY(!t.find(QStringLiteral("popf"))->privileged);
    QCOMPARE(t.check().offending.size(), 2);
}

void TestVmmChecker::verdictMatchesTrapAndEmulate()
{
    // What the checker predicts is what happens: trap-and-emulate reproduces the native
    // output exactly when the ISA is virtualizable.
    for (const IsaVariant isa : {IsaVariant::Clean, IsaVariant::Popf}) {
        VmmConfig c;
        c.isa = isa;
        c.maxInstructions = 100000;
        QString error;
        QVERIFY(GuestLibrary::load(&c, QStringLiteral("hello"), QStringLiteral(VMM_PROGRAMS_DIR), &error));
        c.mode = VmmMode::Native;
        VmmModel native;
        QVERIFY(native.load(c, &error));
        native.runToEnd();
        c.mode = VmmMode::TrapEmulate;
        VmmModel te;
        QVERIFY(te.load(c, &error));
        te.runToEnd();
        const bool matches = te.guestOutput() == native.guestOutput() && te.state() == native.state();
        QCOMPARE(matches, SensitivityTable::forIsa(isa).check().virtualizable);
        // And the instructions that slipped through are among the offending ones.
        if (!matches) {
            const std::uint32_t word = te.machine().readPhys(te.counters().firstSlipPc);
            const QString name
                = QString::fromLatin1(ToyIsa::info(static_cast<ToyOp>(word >> 24))->mnemonic).toUpper();
            QVERIFY(SensitivityTable::forIsa(isa).check().offending.contains(name));
        }
    }
}

QTEST_APPLESS_MAIN(TestVmmChecker)
#include "tst_vmmchecker.moc"
