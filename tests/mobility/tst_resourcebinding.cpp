// The resource-binding table (M4), cell by cell, and the real demonstrations of its actions.
#include "mobility/resourcebindingtable.h"
#include "mobility/resourcedemo.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace proclab::mobility;

Q_DECLARE_METATYPE(proclab::mobility::BindingKind)
Q_DECLARE_METATYPE(proclab::mobility::ResourceKind)

class TestResourceBinding : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void cells_data();
    void cells();
    void everyCellHasOneAnswer();
    void codesAndNames();
    void moveFile();
    void copyFile();
    void refusesToOverwrite();
    void rebindSocket();
    void globalReference();
    void missingFileIsAnError();
};

namespace {

void writeFile(const QString &path, const QByteArray &contents)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QCOMPARE(f.write(contents), contents.size());
}

} // namespace

void TestResourceBinding::cells_data()
{
    QTest::addColumn<BindingKind>("binding");
    QTest::addColumn<ResourceKind>("resource");
    QTest::addColumn<QString>("cell");
    // The table as the slides print it.
    QTest::newRow("identifier, unattached")
        << BindingKind::ByIdentifier << ResourceKind::Unattached << "MV (or GR)";
    QTest::newRow("identifier, fastened")
        << BindingKind::ByIdentifier << ResourceKind::Fastened << "GR (or MV)";
    QTest::newRow("identifier, fixed") << BindingKind::ByIdentifier << ResourceKind::Fixed << "GR";
    QTest::newRow("value, unattached")
        << BindingKind::ByValue << ResourceKind::Unattached << "CP (or MV, GR)";
    QTest::newRow("value, fastened") << BindingKind::ByValue << ResourceKind::Fastened << "GR (or CP)";
    QTest::newRow("value, fixed") << BindingKind::ByValue << ResourceKind::Fixed << "GR";
    QTest::newRow("type, unattached") << BindingKind::ByType << ResourceKind::Unattached << "RB (or MV, GR)";
    QTest::newRow("type, fastened") << BindingKind::ByType << ResourceKind::Fastened << "RB (or GR, CP)";
    QTest::newRow("type, fixed") << BindingKind::ByType << ResourceKind::Fixed << "RB (or GR)";
}

void TestResourceBinding::cells()
{
    QFETCH(BindingKind, binding);
    QFETCH(ResourceKind, resource);
    QFETCH(QString, cell);
    QCOMPARE(ResourceBindingTable::cellText(binding, resource), cell);
    // The structured answer says the same as the text.
    const BindingPrescription p = ResourceBindingTable::prescribe(binding, resource);
    QString rebuilt = ResourceBindingTable::code(p.action);
    QStringList alternatives;
    for (BindingAction a : p.alternatives)
        alternatives << ResourceBindingTable::code(a);
    if (!alternatives.isEmpty())
        rebuilt += QStringLiteral(" (or %1)").arg(alternatives.join(QStringLiteral(", ")));
    QCOMPARE(rebuilt, cell);
    // An action is never its own alternative.
    QVERIFY(std::find(p.alternatives.begin(), p.alternatives.end(), p.action) == p.alternatives.end());
}

void TestResourceBinding::everyCellHasOneAnswer()
{
    int cells = 0, fixedWithoutMove = 0;
    for (BindingKind b : ResourceBindingTable::bindings()) {
        for (ResourceKind r : ResourceBindingTable::resources()) {
            ++cells;
            const BindingPrescription p = ResourceBindingTable::prescribe(b, r);
            // A fixed resource is never moved or copied as the first choice, whatever the binding.
            if (r == ResourceKind::Fixed && p.action != BindingAction::Move
                && p.action != BindingAction::Copy)
                ++fixedWithoutMove;
        }
    }
    QCOMPARE(cells, 9);
    QCOMPARE(fixedWithoutMove, 3);
    // Binding by type always re-binds first: any resource of the kind will do.
    for (ResourceKind r : ResourceBindingTable::resources())
        QCOMPARE(ResourceBindingTable::prescribe(BindingKind::ByType, r).action, BindingAction::Rebind);
}

void TestResourceBinding::codesAndNames()
{
    QCOMPARE(ResourceBindingTable::code(BindingAction::GlobalReference), QStringLiteral("GR"));
    QCOMPARE(ResourceBindingTable::code(BindingAction::Move), QStringLiteral("MV"));
    QCOMPARE(ResourceBindingTable::code(BindingAction::Copy), QStringLiteral("CP"));
    QCOMPARE(ResourceBindingTable::code(BindingAction::Rebind), QStringLiteral("RB"));
    QCOMPARE(ResourceBindingTable::description(BindingAction::GlobalReference),
        QStringLiteral("establish a global system-wide reference"));
    QCOMPARE(ResourceBindingTable::bindingName(BindingKind::ByValue), QStringLiteral("by value"));
    QCOMPARE(ResourceBindingTable::resourceName(ResourceKind::Fastened), QStringLiteral("fastened"));
}

void TestResourceBinding::moveFile()
{
    QTemporaryDir source, node;
    QVERIFY(source.isValid() && node.isValid());
    const QByteArray contents = QByteArrayLiteral("cache entries\n").repeated(1000);
    const QString path = source.filePath(QStringLiteral("cache.dat"));
    writeFile(path, contents);
    const ResourceOutcome r = ResourceDemo::moveFile(path, node.path());
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.action, BindingAction::Move);
    QVERIFY(!r.sourceRemains);
    QVERIFY(!QFile::exists(path));
    QVERIFY(r.destinationHolds);
    QCOMPARE(r.after, QDir(node.path()).absoluteFilePath(QStringLiteral("cache.dat")));
    QVERIFY(r.sameContent);
    QCOMPARE(r.readAfter, contents);
    QCOMPARE(r.bytes, contents.size());
    QVERIFY(r.steps.size() >= 3);
}

void TestResourceBinding::copyFile()
{
    QTemporaryDir source, node;
    QVERIFY(source.isValid() && node.isValid());
    const QString path = source.filePath(QStringLiteral("table.csv"));
    writeFile(path, QByteArrayLiteral("a,b\n1,2\n"));
    const ResourceOutcome r = ResourceDemo::copyFile(path, node.path());
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.action, BindingAction::Copy);
    QVERIFY(r.sourceRemains);
    QVERIFY(r.destinationHolds);
    QVERIFY(r.sameContent);
    // A copy is a value: changing the original afterwards leaves the node's copy as it was.
    writeFile(path, QByteArrayLiteral("changed"));
    QFile copy(r.after);
    QVERIFY(copy.open(QIODevice::ReadOnly));
    QCOMPARE(copy.readAll(), QByteArrayLiteral("a,b\n1,2\n"));
}

void TestResourceBinding::refusesToOverwrite()
{
    QTemporaryDir source, node;
    const QString path = source.filePath(QStringLiteral("x.txt"));
    writeFile(path, "source");
    writeFile(QDir(node.path()).filePath(QStringLiteral("x.txt")), "already there");
    const ResourceOutcome moved = ResourceDemo::moveFile(path, node.path());
    QVERIFY(!moved.ok());
    QVERIFY2(moved.error.contains(QStringLiteral("already at the node")), qPrintable(moved.error));
    QVERIFY(QFile::exists(path)); // nothing happened
    const ResourceOutcome nowhere = ResourceDemo::copyFile(path, QStringLiteral("/nonexistent/node"));
    QVERIFY2(nowhere.error.contains(QStringLiteral("does not exist")), qPrintable(nowhere.error));
}

void TestResourceBinding::rebindSocket()
{
    const ResourceOutcome r = ResourceDemo::rebindSocket();
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.action, BindingAction::Rebind);
    QVERIFY(r.before.startsWith(QStringLiteral("tcp 127.0.0.1:")));
    QVERIFY(r.after.startsWith(QStringLiteral("tcp 127.0.0.1:")));
    QVERIFY(r.before != r.after); // a different connection to a different service ...
    QVERIFY(r.readBefore.startsWith("clock service at the source"));
    QVERIFY(r.readAfter.startsWith("clock service at the node")); // ... of the same type
    QVERIFY(!r.sameContent);
    // The service each answer names is the one the binding pointed at.
    QVERIFY(r.before.endsWith(QString::fromLatin1(r.readBefore.mid(r.readBefore.lastIndexOf(' ') + 1))));
    QVERIFY(r.after.endsWith(QString::fromLatin1(r.readAfter.mid(r.readAfter.lastIndexOf(' ') + 1))));
}

void TestResourceBinding::globalReference()
{
    QTemporaryDir source;
    const QString path = source.filePath(QStringLiteral("sensor.log"));
    QByteArray contents;
    for (int i = 0; i < 5000; ++i)
        contents += QByteArray::number(i * 7919 % 1000) + '\n';
    writeFile(path, contents); // larger than one chunk
    const ResourceOutcome r = ResourceDemo::globalReference(path);
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.action, BindingAction::GlobalReference);
    QVERIFY(r.after.startsWith(QStringLiteral("tcp://127.0.0.1:")));
    QVERIFY(r.after.endsWith(QStringLiteral("/sensor.log")));
    QVERIFY(r.sourceRemains);
    QVERIFY(!r.destinationHolds);
    QVERIFY(r.sameContent);
    QCOMPARE(r.bytes, contents.size());
}

void TestResourceBinding::missingFileIsAnError()
{
    QTemporaryDir node;
    for (const ResourceOutcome &r : {ResourceDemo::moveFile(QStringLiteral("/nonexistent/a"), node.path()),
             ResourceDemo::copyFile(QStringLiteral("/nonexistent/a"), node.path()),
             ResourceDemo::globalReference(QStringLiteral("/nonexistent/a"))}) {
        QVERIFY(!r.ok());
        QVERIFY2(r.error.startsWith(QStringLiteral("cannot read /nonexistent/a")), qPrintable(r.error));
    }
}

QTEST_APPLESS_MAIN(TestResourceBinding)
#include "tst_resourcebinding.moc"
