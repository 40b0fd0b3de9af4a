// The assembler: shipped programs, layout, and errors with their line and column.
#include "mobility/assembler.h"
#include "mobility/coderepository.h"
#include "mobilitytestutil.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

using namespace proclab::mobility;
using namespace proclab::mobility::testutil;

class TestAssembler : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void shippedProgramsAssemble_data();
    void shippedProgramsAssemble();
    void layoutAndSymbols();
    void constantsAreShared();
    void commentsCommasAndCase();
    void errors_data();
    void errors();
    void fileErrorsNameTheFile();
    void repositoryLoadsAFolder();
};

void TestAssembler::shippedProgramsAssemble_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QStringList>("functions");
    for (const QString &name : {QStringLiteral("primes"), QStringLiteral("integrate"),
             QStringLiteral("factorial"), QStringLiteral("fibonacci"), QStringLiteral("sieve")})
        QTest::newRow(qPrintable(name)) << name << QStringList();
}

void TestAssembler::shippedProgramsAssemble()
{
    QFETCH(QString, name);
    QString error;
    auto c = Assembler::assembleFile(programPath(name), MachineLimits {}, &error);
    QVERIFY2(c, qPrintable(error));
    QCOMPARE(c->code.programName(), name);
    QCOMPARE(c->code.functions()[c->code.entryFunction()].name, QStringLiteral("main"));
    QCOMPARE(c->state.steps, std::uint64_t(0));
    QCOMPARE(c->state.frames.size(), std::size_t(1));
    QCOMPARE(c->state.pc, c->code.functions()[c->code.entryFunction()].entry);
    // The disassembly walks the whole code: every function has a header, every instruction a line.
    const QStringList lines = c->code.disassembly();
    for (const FunctionInfo &f : c->code.functions())
        QVERIFY(lines.contains(f.name + QLatin1Char(':')));
    QVERIFY(!lines.join(QLatin1Char('\n')).contains(QStringLiteral("not an instruction")));
}

void TestAssembler::layoutAndSymbols()
{
    auto c = assemble(QStringLiteral(".program demo\n"
                                     ".global g 3\n"
                                     ".global h 2.5\n"
                                     ".array first 10\n"
                                     ".array second 5\n"
                                     ".const k -4\n"
                                     ".func helper a b\n"
                                     ".local t\n"
                                     "  load b\n"
                                     "  ret\n"
                                     ".end\n"
                                     ".func main\n"
                                     "  push second\n"
                                     "  push k\n"
                                     "  call helper\n"
                                     "  ret\n"
                                     ".end\n"));
    QVERIFY(c);
    QCOMPARE(c->code.programName(), QStringLiteral("demo"));
    QCOMPARE(c->data.globalNames, (std::vector<QString> {QStringLiteral("g"), QStringLiteral("h")}));
    QCOMPARE(c->data.globals, (std::vector<Value> {Value::ofInt(3), Value::ofFloat(2.5)}));
    QCOMPARE(c->data.heap.size(), std::size_t(15));
    const auto &f = c->code.functions();
    QCOMPARE(f.size(), std::size_t(2));
    QCOMPARE(f[0].name, QStringLiteral("helper"));
    QCOMPARE(f[0].entry, std::uint32_t(0));
    QCOMPARE(f[0].params, std::uint16_t(2));
    QCOMPARE(f[0].locals, std::uint16_t(3));
    QCOMPARE(f[1].entry, std::uint32_t(4)); // load (3 bytes) + ret (1)
    QCOMPARE(
        c->code.disassemble(f[1].entry), QStringLiteral("push 10")); // second starts after first's 10 cells
    QCOMPARE(finished(*c).state.result, Value::ofInt(-4));
}

void TestAssembler::constantsAreShared()
{
    auto c = assemble(mainOnly(QStringLiteral("push 1\npush 1\npush 1.0\npush 1\nadd\nadd\nadd\nret")));
    QVERIFY(c);
    // The integer 1 and the float 1.0 are different constants; repeats share one entry.
    QCOMPARE(c->code.constants().size(), std::size_t(2));
    QCOMPARE(finished(*c).state.result, Value::ofFloat(4.0));
}

void TestAssembler::commentsCommasAndCase()
{
    auto c = assemble(QStringLiteral("; a comment line\n"
                                     "# another\n"
                                     ".FUNC main  ; trailing comment\n"
                                     ".local a, b\n"
                                     "   PUSH 2 # push two\n"
                                     "   store a\n"
                                     "start: again: load a\n"
                                     "   Ret\n"
                                     ".end\n"));
    QVERIFY(c);
    QCOMPARE(finished(*c).state.result, Value::ofInt(2));
}

void TestAssembler::errors_data()
{
    QTest::addColumn<QString>("source");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("message");

    QTest::newRow("unknown instruction")
        << mainOnly(QStringLiteral("  pusj 1\n  ret")) << 3 << 3 << "unknown instruction 'pusj'";
    QTest::newRow("missing operand") << mainOnly(QStringLiteral("  push\n  ret")) << 3 << 7
                                     << "push needs an operand";
    QTest::newRow("extra operand") << mainOnly(QStringLiteral("  add 1\n  ret")) << 3 << 7
                                   << "unexpected '1' after add";
    QTest::newRow("unknown label") << mainOnly(QStringLiteral("  jmp nowhere\n")) << 3 << 7
                                   << "unknown label 'nowhere' in main";
    QTest::newRow("label of another function")
        << QStringLiteral(".func f\nthere:\n  push 0\n  ret\n.end\n.func main\n  jmp there\n.end") << 7 << 7
        << "unknown label 'there' in main";
    QTest::newRow("duplicate label") << mainOnly(QStringLiteral("a:\n  nop\na:\n  push 0\n  ret")) << 5 << 1
                                     << "label 'a' is defined twice";
    QTest::newRow("unknown local") << mainOnly(QStringLiteral("  load x\n  ret")) << 3 << 8
                                   << "unknown local 'x' in main";
    QTest::newRow("local slot out of range")
        << mainOnly(QStringLiteral(".local a\n  load 1\n  ret")) << 4 << 8 << "local slot 1 does not exist";
    QTest::newRow("unknown global") << mainOnly(QStringLiteral("  gload g\n  ret")) << 3 << 9
                                    << "unknown global 'g'";
    QTest::newRow("unknown function")
        << mainOnly(QStringLiteral("  call f\n  ret")) << 3 << 8 << "unknown function 'f'";
    QTest::newRow("unknown constant")
        << mainOnly(QStringLiteral("  push size\n  ret")) << 3 << 8 << "unknown constant 'size'";
    QTest::newRow("number too big") << mainOnly(QStringLiteral("  push 9223372036854775808\n  ret")) << 3 << 8
                                    << "not a number that fits 64 bits";
    QTest::newRow("bad number") << mainOnly(QStringLiteral("  push 12abc\n  ret")) << 3 << 8
                                << "not a number";
    QTest::newRow("instruction outside a function")
        << QStringLiteral("push 1\n.func main\nret\n.end") << 1 << 1 << "outside a function";
    QTest::newRow("label outside a function") << QStringLiteral("top:\n.func main\npush 0\nret\n.end") << 1
                                              << 1 << "label 'top' outside a function";
    QTest::newRow("no .end") << QStringLiteral("\n.func main\n  push 0\n  ret\n") << 2 << 1
                             << "function 'main' has no .end";
    QTest::newRow("nested .func") << QStringLiteral(".func main\n  push 0\n.func inner\n  ret\n.end\n.end")
                                  << 3 << 1 << ".func inside function 'main'";
    QTest::newRow(".end without .func") << QStringLiteral(".end") << 1 << 1 << ".end without .func";
    QTest::newRow("empty function") << QStringLiteral(".func main\n.end") << 2 << 1 << "has no instructions";
    QTest::newRow("no main") << QStringLiteral(".func start\n  push 0\n  ret\n.end") << 1 << 1
                             << "no function 'main'";
    QTest::newRow("main with parameters") << QStringLiteral(".func main x\n  push 0\n  ret\n.end") << 1 << 1
                                          << "'main' must take no parameters";
    QTest::newRow("duplicate function") << QStringLiteral(".func main\n ret\n.end\n.func main\n ret\n.end")
                                        << 4 << 7 << "function 'main' is defined twice";
    QTest::newRow("duplicate global")
        << QStringLiteral(".global g\n.global g 2\n") + mainOnly(QStringLiteral("push 0\nret")) << 2 << 9
        << "'g' is already defined";
    QTest::newRow("duplicate local") << mainOnly(QStringLiteral(".local a a\n  push 0\n  ret")) << 3 << 10
                                     << "local 'a' is declared twice";
    QTest::newRow("bad name") << QStringLiteral(".global 2x\n") << 1 << 9
                              << "'2x' is not a valid global name";
    QTest::newRow("unknown directive")
        << QStringLiteral(".data x 1\n") << 1 << 1 << "unknown directive '.data'";
    QTest::newRow("array of zero cells")
        << QStringLiteral(".array a 0\n") << 1 << 10 << "positive integer cell count";
    QTest::newRow("arrays over the heap limit")
        << QStringLiteral(".array a 1048576\n.array b 1\n") << 2 << 10 << "heap limit";
    QTest::newRow("global needs a name")
        << QStringLiteral("  .global\n") << 1 << 10 << ".global needs a name";
}

void TestAssembler::errors()
{
    QFETCH(QString, source);
    QFETCH(int, line);
    QFETCH(int, column);
    QFETCH(QString, message);
    AssemblyError e;
    QVERIFY(!Assembler::assemble(source, MachineLimits {}, &e));
    QVERIFY2(e.message.contains(message), qPrintable(e.toString()));
    QCOMPARE(e.line, line);
    QCOMPARE(e.column, column);
    QVERIFY(e.toString().startsWith(QStringLiteral("line %1, column %2: ").arg(line).arg(column)));
}

void TestAssembler::fileErrorsNameTheFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("broken.pasm"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(".func main\n  jump 3\n.end\n");
    f.close();
    QString error;
    QVERIFY(!Assembler::assembleFile(path, MachineLimits {}, &error));
    QCOMPARE(error, QStringLiteral("broken.pasm: line 2, column 3: unknown instruction 'jump'"));
    QVERIFY(!Assembler::assembleFile(dir.filePath(QStringLiteral("missing.pasm")), MachineLimits {}, &error));
    QVERIFY2(error.contains(QStringLiteral("missing.pasm")), qPrintable(error));
}

void TestAssembler::repositoryLoadsAFolder()
{
    CodeRepository repository;
    QStringList errors;
    QCOMPARE(
        repository.loadDirectory(QStringLiteral(PROCLAB_MOBILITY_PROGRAMS), MachineLimits {}, &errors), 5);
    QVERIFY2(errors.isEmpty(), qPrintable(errors.join(QLatin1Char('\n'))));
    QCOMPARE(repository.names(),
        (QStringList {QStringLiteral("factorial"), QStringLiteral("fibonacci"), QStringLiteral("integrate"),
            QStringLiteral("primes"), QStringLiteral("sieve")}));
    const auto primes = repository.find(QStringLiteral("primes"));
    QVERIFY(primes);
    QVERIFY(*primes == shipped(QStringLiteral("primes")));
    QVERIFY(!repository.find(QStringLiteral("nothing")));
    QVERIFY(repository.loadDirectory(QStringLiteral("/nonexistent/folder"), MachineLimits {}, &errors) == 0);
    QVERIFY(errors.last().contains(QStringLiteral("no such folder")));
}

QTEST_APPLESS_MAIN(TestAssembler)
#include "tst_assembler.moc"
