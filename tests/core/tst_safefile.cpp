#include "common/safefile.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace proclab;

class TestSafeFile : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void readsARegularFile();
    void refusesSpecialFiles_data();
    void refusesSpecialFiles();
    void refusesOversizedFiles();
    void linksOutOfAFolderAreOutside();
};

void TestSafeFile::readsARegularFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("t.din"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("0 1000\n1 2000\n");
    f.close();
    QByteArray data;
    QString error;
    QVERIFY2(readRegularFile(path, 100, &data, &error), qPrintable(error));
    QCOMPARE(data, QByteArray("0 1000\n1 2000\n"));
}

void TestSafeFile::refusesSpecialFiles_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("expected");
    QTest::newRow("fifo") << "fifo"
                          << "is a FIFO (named pipe), not a regular file: refused";
    QTest::newRow("device") << "device"
                            << "is a device file, not a regular file: refused";
    QTest::newRow("folder") << "folder"
                            << "is a folder, not a regular file: refused";
    QTest::newRow("missing") << "missing"
                             << "cannot open";
}

void TestSafeFile::refusesSpecialFiles()
{
    QFETCH(QString, kind);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    QString path;
    if (kind == QLatin1String("fifo")) {
        path = dir.filePath(QStringLiteral("pipe"));
        QCOMPARE(::mkfifo(QFile::encodeName(path).constData(), 0600), 0);
    } else if (kind == QLatin1String("device")) {
        path = QStringLiteral("/dev/zero"); // would never end as a trace
    } else if (kind == QLatin1String("folder")) {
        path = dir.path();
    } else {
        path = dir.filePath(QStringLiteral("nope"));
    }
    QByteArray data;
    QString error;
    // A FIFO with no writer must be refused at once, not block the reader.
    QVERIFY(!readRegularFile(path, 1 << 20, &data, &error));
    QVERIFY2(error.contains(expected), qPrintable(error));
    QVERIFY(data.isEmpty());
}

void TestSafeFile::refusesOversizedFiles()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("big"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QVERIFY(f.resize(4097));
    f.close();
    QByteArray data;
    QString error;
    QVERIFY(!readRegularFile(path, 4096, &data, &error));
    QVERIFY2(
        error.contains(QStringLiteral("4097 bytes, more than the 4096 bytes allowed")), qPrintable(error));
    QVERIFY(readRegularFile(path, 4097, &data, &error));
    QCOMPARE(data.size(), 4097);
}

void TestSafeFile::linksOutOfAFolderAreOutside()
{
    QTemporaryDir outer;
    QVERIFY(QDir(outer.path()).mkdir(QStringLiteral("lesson")));
    const QString lesson = outer.filePath(QStringLiteral("lesson"));
    QFile secret(outer.filePath(QStringLiteral("secret.txt")));
    QVERIFY(secret.open(QIODevice::WriteOnly));
    secret.close();
    QFile own(lesson + QStringLiteral("/own.din"));
    QVERIFY(own.open(QIODevice::WriteOnly));
    own.close();
    QVERIFY(QFile::link(outer.filePath(QStringLiteral("secret.txt")), lesson + QStringLiteral("/link.din")));
    QVERIFY(isInsideFolder(lesson + QStringLiteral("/own.din"), lesson));
    QVERIFY(!isInsideFolder(lesson + QStringLiteral("/link.din"), lesson));
    QVERIFY(!isInsideFolder(lesson + QStringLiteral("/../secret.txt"), lesson));
    QVERIFY(!isInsideFolder(lesson + QStringLiteral("/missing.din"), lesson));
}

QTEST_APPLESS_MAIN(TestSafeFile)
#include "tst_safefile.moc"
