// SharedVarChildren on its own: real forks, one pipe per child, every child reaped.

#include "sharedvar/sharedvarchild.h"
#include "sharedvar/sharedvarchildren.h"
#include "sharedvar/sharedvarplan.h"

#include "common/clock.h"

#include <QTest>

#include <algorithm>
#include <cerrno>
#include <map>

#include <sys/wait.h>

using namespace proclab;

class TestSharedVarChildren : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyChildReportsAndIsReaped();
    void destroyingKillsAndReaps();
};

namespace {

bool isReaped(pid_t pid)
{
    errno = 0;
    return ::waitpid(pid, nullptr, WNOHANG) == -1 && errno == ECHILD;
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
    // The parent's copy never moved.
    QCOMPARE(SharedVarChild::value(), qint64(20));
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
    }
    for (pid_t pid : pids) {
        QVERIFY(pid > 0);
        QVERIFY2(isReaped(pid), "a child was left running or as a zombie");
    }
}

QTEST_APPLESS_MAIN(TestSharedVarChildren)
#include "tst_sharedvarchildren.moc"
