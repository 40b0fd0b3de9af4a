// SharedVarChildren on its own: real forks by the fork server, one pipe per child, every
// child reaped; and the fork server's lines.

#include "sharedvar/sharedvarchild.h"
#include "sharedvar/sharedvarchildren.h"
#include "sharedvar/sharedvarforkserver.h"
#include "sharedvar/sharedvarplan.h"

#include "common/clock.h"

#include "helpermain.h"

#include <QFile>
#include <QTest>

#include <algorithm>
#include <cerrno>
#include <map>

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace proclab;

class TestSharedVarChildren : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyChildReportsAndIsReaped();
    void destroyingKillsAndReaps();
    void stopKillsAndTheServerReaps();
    void forkServerArguments();
    void forkServerLines_data();
    void forkServerLines();
};

namespace {

bool isReaped(pid_t pid)
{
    // Not this process's child (the fork server is the parent), and gone: neither running
    // nor a zombie waiting for its parent.
    errno = 0;
    if (::waitpid(pid, nullptr, WNOHANG) != -1 || errno != ECHILD)
        return false;
    return ::kill(pid, 0) == -1 && errno == ESRCH;
}

bool noChildrenLeft()
{
    errno = 0;
    return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

/// The parent pid of running process @p pid (from /proc), or -1.
pid_t parentOf(pid_t pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("PPid:"))
            return pid_t(line.mid(5).trimmed().toInt());
    }
    return -1;
}

SharedVarPlan plan(int processes, int threads, std::int64_t sleepNs, qint64 initial)
{
    SharedVarPlan p;
    p.initial = initial;
    for (int i = 0; i < processes; ++i) {
        std::vector<std::int64_t> sleeps;
        for (int t = 0; t < threads; ++t)
            sleeps.push_back(sleepNs * (t + 1));
        p.sleepsNs.push_back(sleeps);
    }
    return p;
}

} // namespace

void TestSharedVarChildren::everyChildReportsAndIsReaped()
{
    const SharedVarPlan p = plan(3, 4, 2'000'000, 20);
    SharedVarChild::setValue(p.initial);
    SharedVarChildren children;
    QString error;
    QVERIFY2(children.start(p, monotonicNs(), &error), qPrintable(error));
    QCOMPARE(int(children.pids().size()), 3);
    QCOMPARE(children.openPipes(), 3);
    std::vector<SharedVarEvent> events;
    for (int polls = 0; children.openPipes() > 0 && polls < 2000; ++polls) {
        SharedVarEvent ev;
        const auto got = children.next(50, &ev, &error);
        QVERIFY(got != SharedVarChildren::Next::Failed);
        if (got == SharedVarChildren::Next::Event)
            events.push_back(ev);
    }
    QCOMPARE(children.openPipes(), 0);
    children.reapAll(false);
    for (std::size_t i = 0; i < children.pids().size(); ++i) {
        QVERIFY(children.reaped()[i]);
        QVERIFY(isReaped(children.pids()[i]));
    }
    // Per process: a sleep and a wake per thread, then its end; its own copy counts 21, 22, ...
    QCOMPARE(int(events.size()), 3 * (4 + 4 + 1));
    std::map<int, std::vector<qint64>> wakes;
    std::map<int, qint64> ends;
    for (const auto &e : events) {
        if (e.kind == SharedVarEvent::Kind::Wake)
            wakes[e.process].push_back(e.value);
        else if (e.kind == SharedVarEvent::Kind::ProcessEnd)
            ends[e.process] = e.value;
        else
            QCOMPARE(e.sleepMs, 2.0 * (e.thread + 1));
    }
    for (int proc = 0; proc < 3; ++proc) {
        std::sort(wakes[proc].begin(), wakes[proc].end());
        QCOMPARE(wakes[proc], (std::vector<qint64> {21, 22, 23, 24}));
        QCOMPARE(ends[proc], qint64(24));
    }
    // The parent's copy (the fork server's) never moved.
    QCOMPARE(children.forkParentValue(), std::optional<qint64>(20));
    QVERIFY(noChildrenLeft());
}

void TestSharedVarChildren::destroyingKillsAndReaps()
{
    std::vector<pid_t> pids;
    {
        SharedVarChildren children;
        QString error;
        QVERIFY(children.start(plan(2, 2, 60'000'000'000LL, 0), monotonicNs(), &error)); // a minute's sleep
        pids = children.pids();
        // The first reports (threads going to sleep) arrive; then the object goes away.
        SharedVarEvent ev;
        bool got = false;
        for (int polls = 0; polls < 200 && !got; ++polls)
            got = children.next(50, &ev, &error) == SharedVarChildren::Next::Event;
        QVERIFY(got);
        QCOMPARE(ev.kind, SharedVarEvent::Kind::Sleep);
        QCOMPARE(children.openPipes(), 2);
        // This process never forks them: their parent is the fork server, one for both.
        const pid_t server = parentOf(pids[0]);
        QVERIFY(server > 0);
        QVERIFY(server != ::getpid());
        QCOMPARE(parentOf(pids[1]), server);
        QCOMPARE(parentOf(server), ::getpid());
    }
    for (pid_t pid : pids) {
        QVERIFY(pid > 0);
        QVERIFY2(isReaped(pid), "a child was left running or as a zombie");
    }
    QVERIFY(noChildrenLeft());
}

void TestSharedVarChildren::stopKillsAndTheServerReaps()
{
    SharedVarChildren children;
    QString error;
    QVERIFY2(children.start(plan(3, 2, 60'000'000'000LL, 5), monotonicNs(), &error), qPrintable(error));
    SharedVarEvent ev;
    bool got = false;
    for (int polls = 0; polls < 200 && !got; ++polls)
        got = children.next(50, &ev, &error) == SharedVarChildren::Next::Event;
    QVERIFY(got);
    QVERIFY(std::none_of(children.reaped().begin(), children.reaped().end(), [](bool b) { return b; }));
    children.reapAll(true);
    // The fork server killed each child, collected it, said so, then gave its own value.
    QCOMPARE(int(children.reaped().size()), 3);
    QVERIFY(std::all_of(children.reaped().begin(), children.reaped().end(), [](bool b) { return b; }));
    QCOMPARE(children.forkParentValue(), std::optional<qint64>(5));
    QCOMPARE(children.openPipes(), 0);
    for (pid_t pid : children.pids())
        QVERIFY2(isReaped(pid), "a child was left running or as a zombie");
    QVERIFY(noChildrenLeft());
}

void TestSharedVarChildren::forkServerArguments()
{
    SharedVarPlan p = plan(2, 3, 1000, 71);
    QCOMPARE(SharedVarForkServer::arguments(p, 123456789),
        (QStringList {QStringLiteral("71"), QStringLiteral("123456789"), QStringLiteral("1000,2000,3000"),
            QStringLiteral("1000,2000,3000")}));
}

void TestSharedVarChildren::forkServerLines_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<int>("kind"); // -1: malformed
    QTest::addColumn<int>("process");
    QTest::addColumn<qint64>("value");
    using Kind = SharedVarForkServer::Line::Kind;
    QTest::newRow("child") << QByteArray("child 1 4242") << int(Kind::Child) << 1 << qint64(4242);
    QTest::newRow("forked") << QByteArray("forked 2") << int(Kind::Forked) << -1 << qint64(2);
    QTest::newRow("reaped") << QByteArray("reaped 0 9") << int(Kind::Reaped) << 0 << qint64(9);
    QTest::newRow("parent") << QByteArray("parent -7") << int(Kind::Parent) << -1 << qint64(-7);
    QTest::newRow("error") << QByteArray("error fork() failed: Resource temporarily unavailable")
                           << int(Kind::Error) << -1 << qint64(0);
    QTest::newRow("child out of range") << QByteArray("child 2 4242") << -1 << -1 << qint64(0);
    QTest::newRow("pid 0") << QByteArray("child 0 0") << -1 << -1 << qint64(0);
    QTest::newRow("more forked than asked") << QByteArray("forked 3") << -1 << -1 << qint64(0);
    QTest::newRow("not a number") << QByteArray("parent 12abc") << -1 << -1 << qint64(0);
    QTest::newRow("extra word") << QByteArray("reaped 0 9 9") << -1 << -1 << qint64(0);
    QTest::newRow("unknown") << QByteArray("hello") << -1 << -1 << qint64(0);
    QTest::newRow("empty") << QByteArray() << -1 << -1 << qint64(0);
}

void TestSharedVarChildren::forkServerLines()
{
    QFETCH(QByteArray, line);
    QFETCH(int, kind);
    QFETCH(int, process);
    QFETCH(qint64, value);
    QString error;
    const std::optional<SharedVarForkServer::Line> got = SharedVarForkServer::parseLine(line, 2, &error);
    if (kind < 0) {
        QVERIFY(!got);
        QCOMPARE(error,
            QStringLiteral("the fork server sent a malformed line: '%1'").arg(QString::fromLatin1(line)));
        return;
    }
    QVERIFY2(got, qPrintable(error));
    QCOMPARE(int(got->kind), kind);
    QCOMPARE(got->process, process);
    QCOMPARE(got->value, value);
    if (got->kind == SharedVarForkServer::Line::Kind::Error)
        QCOMPARE(got->text, QStringLiteral("fork() failed: Resource temporarily unavailable"));
}

// Forked children come from the fork server: this program started again in helper mode. A
// child the server leaves behind becomes this process's (a subreaper), where the tests see it.
int main(int argc, char *argv[])
{
    if (const int status = runHelperModeIfRequested(argc, argv); status >= 0)
        return status;
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    TestSharedVarChildren tc;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&tc, argc, argv);
}
#include "tst_sharedvarchildren.moc"
