#include "lesson/progressstore.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace proclab;

class TestProgressStore : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void savesAndLoads();
    void unreadableFileIsKeptAside();
    void oversizedFileIsKeptAside();
    void twoWindowsKeepEachOthersAnswers();
};

namespace {

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void writeAll(const QString &path, const QByteArray &data)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(data);
}

} // namespace

void TestProgressStore::savesAndLoads()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("progress.json"));
    ProgressStore a(path);
    a.lesson(QStringLiteral("t6")).currentStep = 3;
    a.recordAnswer(QStringLiteral("t6"), 1, false);
    a.recordAnswer(QStringLiteral("t6"), 1, true);
    QString error;
    QVERIFY2(a.save(&error), qPrintable(error));
    ProgressStore b(path);
    QVERIFY2(b.load(&error), qPrintable(error));
    QCOMPARE(b.find(QStringLiteral("t6"))->currentStep, 3);
    QCOMPARE(b.find(QStringLiteral("t6"))->answers.at(1).tries, 2);
    QCOMPARE(b.correctCount(QStringLiteral("t6")), 1);
}

void TestProgressStore::unreadableFileIsKeptAside()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("progress.json"));
    const QByteArray broken("{\"lessons\": {\"t6\": ");
    writeAll(path, broken);
    ProgressStore store(path);
    QString error;
    QVERIFY(!store.load(&error));
    QVERIFY(!store.keptAsidePath().isEmpty());
    QVERIFY2(error.contains(store.keptAsidePath()), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("starting afresh")), qPrintable(error));
    // The broken file is intact under its new name, and a save does not touch it.
    QCOMPARE(readAll(store.keptAsidePath()), broken);
    store.recordAnswer(QStringLiteral("t6"), 0, true);
    QVERIFY2(store.save(&error), qPrintable(error));
    QCOMPARE(readAll(store.keptAsidePath()), broken);
    ProgressStore again(path);
    QVERIFY(again.load(&error));
    QCOMPARE(again.correctCount(QStringLiteral("t6")), 1);
}

void TestProgressStore::oversizedFileIsKeptAside()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("progress.json"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QVERIFY(f.resize(ProgressStore::kMaxFileBytes + 1));
    f.close();
    ProgressStore store(path);
    QString error;
    QVERIFY(!store.load(&error));
    QVERIFY2(error.contains(QStringLiteral("more than progress can be")), qPrintable(error));
    QVERIFY(QFile::exists(store.keptAsidePath()));
    QVERIFY(!QFile::exists(path));
}

void TestProgressStore::twoWindowsKeepEachOthersAnswers()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("progress.json"));
    ProgressStore first(path);
    ProgressStore second(path);
    QString error;
    QVERIFY(first.load(&error));
    QVERIFY(second.load(&error));
    first.recordAnswer(QStringLiteral("t6"), 0, true);
    second.recordAnswer(QStringLiteral("m6"), 2, true);
    second.recordAnswer(QStringLiteral("t6"), 1, false);
    QVERIFY2(first.save(&error), qPrintable(error));
    QVERIFY2(second.save(&error), qPrintable(error)); // must not drop the first window's answer
    ProgressStore reader(path);
    QVERIFY(reader.load(&error));
    QCOMPARE(reader.correctCount(QStringLiteral("t6")), 1);
    QCOMPARE(reader.correctCount(QStringLiteral("m6")), 1);
    QCOMPARE(reader.find(QStringLiteral("t6"))->answers.at(1).tries, 1);
    QVERIFY(!QFile::exists(path + QStringLiteral(".lock")));
}

QTEST_APPLESS_MAIN(TestProgressStore)
#include "tst_progressstore.moc"
