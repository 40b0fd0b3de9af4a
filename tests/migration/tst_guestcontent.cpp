// What the guest's memory holds (memory_content) and the toy OS workload (toyos), without a
// migration: content kinds and their compressibility, the toy guest's save and resume, and
// a VM running it paused and continued on a copy of its memory.
#include "migration/guestcontent.h"
#include "migration/pagebitmap.h"
#include "migration/pagecompressor.h"
#include "migration/pagememory.h"
#include "migration/toyguest.h"
#include "migration/vm.h"

#include <QRegularExpression>
#include <QTest>

#include <array>
#include <chrono>
#include <cstring>
#include <thread>

using namespace proclab::migration;
using Clock = std::chrono::steady_clock;

class TestGuestContent : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void mixedSharesAndChecksum();
    void randomIsThePattern();
    void mixedCompressesRandomDoesNot();
    void writesKeepThePagesKind();
    void toyGuestResumesExactly();
    void toyGuestStatePageRefusesGarbage();
    void vmRunsTheToyGuestAndContinuesOnACopy();
};

namespace {

using Page = std::array<std::uint8_t, kPageBytes>;

bool printable(const std::uint8_t *p, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i) {
        if (!((p[i] >= 32 && p[i] < 127) || p[i] == '\n'))
            return false;
    }
    return true;
}

bool allZero(const std::uint8_t *p)
{
    for (std::size_t i = 0; i < kPageBytes; ++i) {
        if (p[i] != 0)
            return false;
    }
    return true;
}

/// Guest memory as plain pages, with a record of the pages written (the ToyGuest's VM).
struct Pages {
    std::vector<Page> pages;
    std::vector<std::size_t> written;
    explicit Pages(std::size_t n)
        : pages(n)
    {
        for (std::size_t p = 0; p < n; ++p)
            fillGuestPage(MemoryContent::Random, 9, p, pages[p].data());
    }
    ToyGuest guest()
    {
        return ToyGuest(
            [this](std::size_t page, std::uint8_t *out) {
                std::memcpy(out, pages.at(page).data(), kPageBytes);
                return true;
            },
            [this](std::size_t page, const std::uint8_t *data) {
                std::memcpy(pages.at(page).data(), data, kPageBytes);
                written.push_back(page);
                return true;
            });
    }
};

} // namespace

void TestGuestContent::mixedSharesAndChecksum()
{
    constexpr std::size_t kN = 20000;
    int count[4] = {};
    for (std::size_t p = 0; p < kN; ++p)
        ++count[int(pageClass(4, p))];
    // The documented shares (25, 30, 30, 15 %), within a few points over 20,000 pages.
    QVERIFY(count[int(PageClass::Zero)] > 4400 && count[int(PageClass::Zero)] < 5600);
    QVERIFY(count[int(PageClass::Text)] > 5400 && count[int(PageClass::Text)] < 6600);
    QVERIFY(count[int(PageClass::Records)] > 5400 && count[int(PageClass::Records)] < 6600);
    QVERIFY(count[int(PageClass::Random)] > 2400 && count[int(PageClass::Random)] < 3600);
    // Another seed puts the kinds elsewhere.
    int same = 0;
    for (std::size_t p = 0; p < 1000; ++p)
        same += pageClass(4, p) == pageClass(5, p) ? 1 : 0;
    QVERIFY(same < 600);

    PageMemory m;
    QString error;
    QVERIFY(m.allocate(512, &error));
    fillGuestMemory(m, MemoryContent::Mixed, 4);
    QCOMPARE(memoryChecksum(m), guestContentChecksum(512, MemoryContent::Mixed, 4));
    QVERIFY(guestContentChecksum(512, MemoryContent::Mixed, 4)
        != guestContentChecksum(512, MemoryContent::Mixed, 6));
    for (std::size_t p = 0; p < 512; ++p) {
        switch (pageClass(4, p)) {
        case PageClass::Zero:
            QVERIFY(allZero(m.page(p)));
            break;
        case PageClass::Text:
            QVERIFY(printable(m.page(p), kPageBytes));
            break;
        case PageClass::Records: {
            // Every record's first word points into the one heap.
            const auto *w = reinterpret_cast<const std::uint64_t *>(m.page(p));
            for (std::size_t i = 0; i < kPageBytes / 8; i += 8)
                QCOMPARE(w[i] >> 32, std::uint64_t(0x7f3a));
            break;
        }
        case PageClass::Random:
            QVERIFY(!allZero(m.page(p)));
            break;
        }
    }
}

void TestGuestContent::randomIsThePattern()
{
    // memory_content=random is the memory the engine always had: fillPattern's words.
    PageMemory m;
    QString error;
    QVERIFY(m.allocate(64, &error));
    fillGuestMemory(m, MemoryContent::Random, 11);
    QCOMPARE(memoryChecksum(m), patternChecksum(64, 11));
    QCOMPARE(guestContentChecksum(64, MemoryContent::Random, 11), patternChecksum(64, 11));
}

void TestGuestContent::mixedCompressesRandomDoesNot()
{
    PageCompressor zlib;
    std::vector<std::uint8_t> out(kMaxCompressedPageBytes);
    Page page;
    std::size_t mixedBytes = 0;
    int randomShrunk = 0;
    constexpr std::size_t kN = 400;
    for (std::size_t p = 0; p < kN; ++p) {
        fillGuestPage(MemoryContent::Mixed, 3, p, page.data());
        const std::ptrdiff_t n = zlib.compress(page.data(), out.data());
        mixedBytes += n < 0 ? kPageBytes : std::size_t(n);
        // Only random pages may fail to shrink.
        if (n < 0)
            QCOMPARE(int(pageClass(3, p)), int(PageClass::Random));
        fillGuestPage(MemoryContent::Random, 3, p, page.data());
        randomShrunk += zlib.compress(page.data(), out.data()) >= 0 ? 1 : 0;
    }
    QVERIFY2(mixedBytes < kN * kPageBytes / 2, qPrintable(QString::number(mixedBytes)));
    QCOMPARE(randomShrunk, 0);
}

void TestGuestContent::writesKeepThePagesKind()
{
    // The vCPU writes into a mixed memory for a while: text pages hold text, zero and record
    // pages still compress to much less than a page.
    constexpr std::size_t kPages = 256;
    PageMemory m;
    QString error;
    QVERIFY(m.allocate(kPages, &error));
    fillGuestMemory(m, MemoryContent::Mixed, 8);
    PageBitmap dirty;
    dirty.resize(kPages);
    for (WorkloadKind kind : {WorkloadKind::HotSet, WorkloadKind::Rewrite}) {
        Workload w;
        w.kind = kind;
        w.pages = kPages;
        w.hotFirstPage = 0;
        w.hotPages = kPages;
        w.hotSharePercent = 100;
        w.dirtyRatePagesPerSec = 50000;
        Vm vm(m, w, &dirty);
        VmStateBody s;
        s.rng = 3;
        s.memoryContent = std::uint32_t(MemoryContent::Mixed);
        s.contentSeed = 8;
        vm.start(s);
        const auto deadline = Clock::now() + std::chrono::seconds(30);
        while (vm.state().writes < 2000 && Clock::now() < deadline) {
            vm.pause();
            vm.resume();
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        QVERIFY(vm.stop().writes >= 2000);
    }
    QVERIFY(dirty.count() > kPages / 2);
    PageCompressor zlib;
    std::vector<std::uint8_t> out(kMaxCompressedPageBytes);
    for (std::size_t p = 0; p < kPages; ++p) {
        const PageClass cls = pageClass(8, p);
        if (cls == PageClass::Text)
            QVERIFY2(printable(m.page(p), kPageBytes), qPrintable(QString::number(p)));
        if (cls == PageClass::Zero || cls == PageClass::Records || cls == PageClass::Text) {
            const std::ptrdiff_t n = zlib.compress(m.page(p), out.data());
            QVERIFY2(n > 0 && n < std::ptrdiff_t(kPageBytes * 3 / 4), qPrintable(QString::number(p)));
        }
    }
}

void TestGuestContent::toyGuestResumesExactly()
{
    QString error;
    QVERIFY2(ToyGuest::bootImage(&error), qPrintable(error));
    // Reference: one guest, one run. Moved: the same instructions in uneven slices, saved and
    // resumed by a new ToyGuest (a new machine) from the pages every few slices.
    constexpr std::uint64_t kTotal = 2'000'000;
    Pages ref(kToyGuestPages + 3);
    ToyGuest a = ref.guest();
    QVERIFY(a.attach());
    QVERIFY(a.run(kTotal));
    QVERIFY(a.save());

    Pages moved(kToyGuestPages + 3);
    std::uint64_t done = 0;
    const std::uint64_t slices[] = {1, 999, 12345, 400, 77777, 3, 250000};
    int i = 0;
    while (done < kTotal) {
        ToyGuest g = moved.guest();
        QVERIFY(g.attach());
        for (int k = 0; k < 3 && done < kTotal; ++k, ++i) {
            const std::uint64_t n = std::min(slices[i % 7], kTotal - done);
            QVERIFY(g.run(n));
            done += n;
        }
        QVERIFY(g.save());
    }
    const auto sr = ToyGuest::readStatus(ref.pages[kToyStatePage].data());
    const auto sm = ToyGuest::readStatus(moved.pages[kToyStatePage].data());
    QVERIFY(sr && sm);
    QCOMPARE(sr->instructions, kTotal);
    QCOMPARE(sm->instructions, kTotal);
    QVERIFY(sr->boots >= 2); // it ran its programs to the end and booted again
    QCOMPARE(sm->boots, sr->boots);
    QCOMPARE(sm->consoleBytes, sr->consoleBytes);
    QCOMPARE(QString::fromStdString(sm->consoleTail), QString::fromStdString(sr->consoleTail));
    for (std::size_t p = 0; p < kToyGuestPages; ++p)
        QVERIFY2(moved.pages[p] == ref.pages[p], qPrintable(QString::number(p)));
    // Pages past the guest's are never written.
    for (std::size_t p : moved.written)
        QVERIFY(p < kToyGuestPages);
    // What it printed: the two tasks' numbered lines.
    static const QRegularExpression line(QStringLiteral("^task [AB]: line [1-9]$"));
    const QStringList lines
        = QString::fromStdString(sr->consoleTail).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY(lines.size() > 10);
    for (int k = 1; k < lines.size(); ++k) // the first may be cut by the tail's start
        QVERIFY2(line.match(lines[k]).hasMatch(), qPrintable(lines[k]));
}

void TestGuestContent::toyGuestStatePageRefusesGarbage()
{
    Page page {};
    QVERIFY(!ToyGuest::readStatus(page.data()));
    Pages pages(kToyGuestPages);
    ToyGuest g = pages.guest();
    QVERIFY(g.attach()); // random pages: no saved machine, so it boots
    QCOMPARE(g.status().boots, std::uint64_t(1));
    QVERIFY(ToyGuest::readStatus(pages.pages[kToyStatePage].data()));
    // One flipped byte in the saved CPU: not a saved machine any more (a fresh boot, not a crash).
    pages.pages[kToyStatePage][5 * 8] ^= 1;
    QVERIFY(!ToyGuest::readStatus(pages.pages[kToyStatePage].data()));
    ToyGuest h = pages.guest();
    QVERIFY(h.attach());
    QCOMPARE(h.status().instructions, std::uint64_t(0));
}

void TestGuestContent::vmRunsTheToyGuestAndContinuesOnACopy()
{
    constexpr std::size_t kPages = 256;
    PageMemory source;
    PageMemory copy;
    QString error;
    QVERIFY(source.allocate(kPages, &error) && copy.allocate(kPages, &error));
    fillGuestMemory(source, MemoryContent::Mixed, 2);
    PageBitmap dirty;
    dirty.resize(kPages);
    Workload w;
    w.kind = WorkloadKind::ToyOs;
    w.pages = kPages;
    w.hotFirstPage = 128;
    w.hotPages = 16;
    Vm vm(source, w, &dirty);
    VmStateBody s;
    s.rng = 1;
    vm.start(s);
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    std::optional<ToyGuestStatus> atPause;
    while (Clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        vm.pause();
        atPause = vm.guestStatus();
        if (atPause && atPause->consoleBytes > 0)
            break;
        vm.resume();
    }
    QVERIFY(atPause && atPause->consoleBytes > 0);
    // The pause saved the CPU into the state page through the write path: the page is dirty.
    QVERIFY(dirty.test(kToyStatePage));
    for (std::size_t p = kToyGuestPages; p < kPages; ++p)
        QVERIFY(!dirty.test(p));
    const auto saved = ToyGuest::readStatus(source.page(kToyStatePage));
    QVERIFY(saved);
    QCOMPARE(saved->instructions, atPause->instructions);
    // The "migration": the memory as it is at the pause, and the vCPU's state.
    const std::uint64_t atPauseSum = memoryChecksum(source);
    for (std::size_t p = 0; p < kPages; ++p)
        source.copyPageConcurrent(p, copy.page(p));
    const VmStateBody cpu = vm.stop();
    QCOMPARE(memoryChecksum(source), atPauseSum); // a paused vCPU that stops writes nothing more

    Vm there(copy, w, nullptr);
    there.start(cpu);
    std::optional<ToyGuestStatus> later;
    while (Clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        there.pause();
        later = there.guestStatus();
        if (later && later->consoleBytes > atPause->consoleBytes)
            break;
        there.resume();
    }
    there.stop();
    QVERIFY(later);
    QVERIFY(later->instructions > atPause->instructions);
    QVERIFY(later->consoleBytes > atPause->consoleBytes);
    QCOMPARE(later->boots >= atPause->boots, true);
    // It went on, not over: what it printed by the pause is where its console continues from.
    const std::string &before = atPause->consoleTail;
    const std::string &after = later->consoleTail;
    const std::size_t grew = std::size_t(later->consoleBytes - atPause->consoleBytes);
    if (grew < after.size()) {
        const std::string prefix = after.substr(0, after.size() - grew);
        QVERIFY(before.size() >= prefix.size());
        QCOMPARE(QString::fromStdString(before.substr(before.size() - prefix.size())),
            QString::fromStdString(prefix));
    }
}

QTEST_APPLESS_MAIN(TestGuestContent)
#include "tst_guestcontent.moc"
