// The guest's workloads, its record of touched pages and its throttle, without a migration.
#include "migration/pagebitmap.h"
#include "migration/pagememory.h"
#include "migration/vm.h"

#include <QTest>

#include <chrono>
#include <cstring>
#include <set>
#include <thread>

using namespace proclab::migration;
using Clock = std::chrono::steady_clock;

class TestVm : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void overrunSweepsTheHotSetInOrder();
    void rewriteRefillsWholePages();
    void idleWritesNothing();
    void throttleIsClampedAndPausesPromptly();
};

namespace {

constexpr std::size_t kPages = 256;

struct Guest {
    PageMemory memory;
    PageBitmap dirty;
    std::unique_ptr<Vm> vm;

    explicit Guest(WorkloadKind kind, double rate = 20000)
    {
        QString error;
        if (!memory.allocate(kPages, &error))
            qFatal("%s", qPrintable(error));
        memory.fillPattern(3);
        dirty.resize(kPages);
        Workload w;
        w.kind = kind;
        w.pages = kPages;
        w.hotFirstPage = 64;
        w.hotPages = 32;
        w.hotSharePercent = 100;
        w.dirtyRatePagesPerSec = rate;
        vm = std::make_unique<Vm>(memory, w, &dirty);
        vm->recordTouches();
    }
    // Runs the vCPU until it wrote at least @p writes pages (or 30 s passed), then pauses it.
    std::uint64_t runUntil(std::uint64_t writes)
    {
        VmStateBody s;
        s.rng = 77;
        vm->start(s);
        const auto deadline = Clock::now() + std::chrono::seconds(30);
        while (true) {
            vm->pause();
            const std::uint64_t done = vm->state().writes;
            if (done >= writes || Clock::now() > deadline)
                return done;
            vm->resume();
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }
};

} // namespace

void TestVm::overrunSweepsTheHotSetInOrder()
{
    Guest g(WorkloadKind::Overrun);
    const std::uint64_t writes = g.runUntil(100);
    QVERIFY(writes >= 100);
    // Page after page through the hot set: every hot page written, nothing else.
    QCOMPARE(g.dirty.count(), std::size_t(32));
    const std::vector<std::uint32_t> recent = g.vm->pagesByRecentTouch(1000);
    QCOMPARE(recent.size(), std::size_t(32));
    // The last write went to hotFirst + (writes - 1) mod 32, the one before to the page before it.
    for (std::size_t i = 0; i < recent.size(); ++i)
        QCOMPARE(std::uint64_t(recent[i]), 64 + (writes - 1 - i) % 32);
    QCOMPARE(g.vm->pagesByRecentTouch(5).size(), std::size_t(5));
    g.vm->stop();
}

void TestVm::rewriteRefillsWholePages()
{
    Guest g(WorkloadKind::Rewrite);
    PageMemory before;
    QString error;
    QVERIFY(before.allocate(kPages, &error));
    before.fillPattern(3);
    QVERIFY(g.runUntil(50) >= 50);
    g.vm->stop();
    const std::vector<std::uint32_t> recent = g.vm->pagesByRecentTouch(kPages);
    QVERIFY(!recent.empty());
    for (std::uint32_t p : recent) {
        QVERIFY(p >= 64 && p < 96);
        // Most of the page's words changed, not eight of them.
        const auto *a = reinterpret_cast<const std::uint64_t *>(g.memory.page(p));
        const auto *b = reinterpret_cast<const std::uint64_t *>(before.page(p));
        int changed = 0;
        for (std::size_t i = 0; i < kPageBytes / 8; ++i)
            changed += a[i] != b[i] ? 1 : 0;
        QVERIFY2(changed > int(kPageBytes / 8 / 2), qPrintable(QString::number(changed)));
    }
}

void TestVm::idleWritesNothing()
{
    Guest g(WorkloadKind::Idle);
    VmStateBody s;
    s.rng = 5;
    g.vm->start(s);
    // Let it tick a while; an idle guest owes no writes however long it runs.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const VmStateBody end = g.vm->stop();
    QCOMPARE(end.writes, std::uint64_t(0));
    QCOMPARE(g.dirty.count(), std::size_t(0));
    QVERIFY(g.vm->pagesByRecentTouch(kPages).empty());
    QCOMPARE(memoryChecksum(g.memory), patternChecksum(kPages, 3));
}

void TestVm::throttleIsClampedAndPausesPromptly()
{
    Guest g(WorkloadKind::HotSet);
    g.vm->setThrottlePercent(150);
    QCOMPARE(g.vm->throttlePercent(), 99);
    g.vm->setThrottlePercent(-3);
    QCOMPARE(g.vm->throttlePercent(), 0);
    // At 99 % the vCPU sleeps about a second per 10 ms slice; a pause and a stop still
    // end its sleep (the test would hang, not fail, if they did not).
    g.vm->setThrottlePercent(99);
    VmStateBody s;
    s.rng = 9;
    g.vm->start(s);
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    g.vm->pause();
    const std::uint64_t writes = g.vm->state().writes;
    g.vm->resume();
    g.vm->setThrottlePercent(0);
    const VmStateBody end = g.vm->stop();
    QVERIFY(end.writes >= writes);
}

QTEST_APPLESS_MAIN(TestVm)
#include "tst_vm.moc"
