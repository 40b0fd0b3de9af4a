// ThreadTimeSampler on its own: parsing of schedstat and stat lines, and sampling threads
// of this test whose CPU time is known to grow (a busy thread) or not (a parked one).
#include "threadslive/threadtimesampler.h"

#include <QTest>

#include <atomic>
#include <cstring>
#include <future>
#include <thread>

#include <sys/syscall.h>
#include <unistd.h>

using namespace proclab;

class TestThreadTimeSampler : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parsesSchedstat();
    void parsesStatWithOddCommandNames();
    void busyThreadGrowsParkedThreadDoesNot();
    void goneThreadIsNamedInTheError();
};

namespace {

pid_t currentTid()
{
    return static_cast<pid_t>(::syscall(SYS_gettid));
}

// A thread that reports its id, then spins (busy) or waits (parked) until told to end.
class TestThread {
public:
    explicit TestThread(bool busy)
        : m_thread([this, busy] {
            m_tid.set_value(currentTid());
            volatile std::uint64_t x = 1;
            while (!m_quit.load()) {
                if (busy)
                    x = x * 3 + 1;
                else
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
        })
    {
    }
    ~TestThread() { end(); }
    pid_t tid() { return m_tidFuture.get(); }
    void end()
    {
        m_quit = true;
        if (m_thread.joinable())
            m_thread.join();
    }

private:
    std::promise<pid_t> m_tid;
    std::shared_future<pid_t> m_tidFuture = m_tid.get_future().share();
    std::atomic<bool> m_quit {false};
    std::thread m_thread;
};

} // namespace

void TestThreadTimeSampler::parsesSchedstat()
{
    const char line[] = "123456789 2222 17\n";
    ThreadTimes t;
    QVERIFY(parseSchedstat(line, std::strlen(line), &t));
    QCOMPARE(t.runNs, quint64(123456789));
    QCOMPARE(t.waitNs, quint64(2222));
    QCOMPARE(t.timeslices, quint64(17));
    QVERIFY(!parseSchedstat("12 34", 5, &t));
    QVERIFY(!parseSchedstat("", 0, &t));
    const std::string huge(4096, '1');
    QVERIFY(!parseSchedstat(huge.data(), huge.size(), &t)); // size-checked before use
}

void TestThreadTimeSampler::parsesStatWithOddCommandNames()
{
    // utime 5, stime 3 (fields 14 and 15) after a command name holding ") (".
    const char line[] = "4242 (a) (b c) R 17 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 3 0\n";
    std::uint64_t runNs = 0;
    QVERIFY(parseStatRunNs(line, std::strlen(line), 100, &runNs));
    QCOMPARE(runNs, quint64(8) * 10000000ULL); // 8 ticks of 10 ms
    QVERIFY(parseStatRunNs(line, std::strlen(line), 250, &runNs));
    QCOMPARE(runNs, quint64(8) * 4000000ULL);
    QVERIFY(!parseStatRunNs("garbage", 7, 100, &runNs));
    QVERIFY(!parseStatRunNs("1 (x)", 5, 100, &runNs));
}

void TestThreadTimeSampler::busyThreadGrowsParkedThreadDoesNot()
{
    TestThread busy(true);
    TestThread parked(false);
    const std::vector<pid_t> tids {busy.tid(), parked.tid()};
    const ThreadTimeSampler sampler(tids);
    std::vector<LiveThread> threads(2);
    // Sample until the busy thread has run for 50 ms of CPU (bounded by the QTRY timeout).
    double t = 0;
    QTRY_VERIFY_WITH_TIMEOUT(
        (sampler.sample(t += 1, &threads).isEmpty() && threads[0].samples.back().runMs > 50), 20000);
    QVERIFY(threads[0].samples.size() >= 1);
    QCOMPARE(threads[0].samples.size(), threads[1].samples.size());
    for (const LiveThread &th : threads) {
        for (std::size_t i = 1; i < th.samples.size(); ++i) {
            QVERIFY(th.samples[i].timeMs > th.samples[i - 1].timeMs);
            QVERIFY(th.samples[i].runMs >= th.samples[i - 1].runMs);
            QVERIFY(th.samples[i].waitMs >= th.samples[i - 1].waitMs);
        }
    }
    // The parked thread sleeps: far less CPU than the busy one, so most of the share.
    QVERIFY(threads[0].measuredShare > threads[1].measuredShare);
    QVERIFY(qAbs(threads[0].measuredShare + threads[1].measuredShare - 1.0) < 1e-9);
    if (sampler.usesSchedstat())
        QVERIFY(threads[0].timeslices > 0);
    else
        QCOMPARE(threads[0].samples.back().waitMs, 0.0);
}

void TestThreadTimeSampler::goneThreadIsNamedInTheError()
{
    TestThread a(false);
    TestThread b(false);
    const pid_t gone = b.tid();
    const ThreadTimeSampler sampler({a.tid(), gone});
    b.end();
    std::vector<LiveThread> threads(2);
    // The thread's /proc entry goes once it has been joined.
    QTRY_VERIFY_WITH_TIMEOUT(!sampler.sample(1, &threads).isEmpty(), 5000);
    const QString error = sampler.sample(2, &threads);
    QCOMPARE(error, QStringLiteral("cannot read /proc/self/task/%1").arg(gone));
    // The other thread is still sampled.
    QVERIFY(threads[0].samples.size() >= 2);
}

QTEST_APPLESS_MAIN(TestThreadTimeSampler)
#include "tst_threadtimesampler.moc"
