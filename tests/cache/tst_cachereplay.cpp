// CacheReplay and CacheScenario alone, without an engine or a thread: the counts the
// cache engine reports, its grid and its running hit rate, checked against a
// CacheModel fed the same accesses directly.

#include "cache/cachemodel.h"
#include "cache/cachereplay.h"
#include "cache/cachescenario.h"

#include <QTest>

#include <set>

using namespace proclab;

class TestCacheReplay : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void scenarioShape();
    void scenarioCountsMatchTheModel_data();
    void scenarioCountsMatchTheModel();
    void gridMatchesTheModelAfterFinish();
    void showAccessMarksOneLine();
    void hitRateIsThinnedButExact();
    void flushEmptiesTheGrid();
    void framesWithoutGrid();
};

namespace {

CacheGeometry geo(
    std::uint64_t size, std::uint32_t line, std::uint32_t ways, Replacement r = Replacement::Lru)
{
    CacheGeometry g;
    g.sizeBytes = size;
    g.lineBytes = line;
    g.ways = ways;
    g.replacement = r;
    return g;
}

AccessKind kindOf(const DinRecord &rec)
{
    return rec.label == 1 ? AccessKind::Write : rec.label == 2 ? AccessKind::Fetch : AccessKind::Read;
}

} // namespace

void TestCacheReplay::scenarioShape()
{
    const CacheScenario s(1024, 512, 64); // A: 16 blocks, B: 8 blocks
    QCOMPARE(s.blocksOfA(), std::uint64_t(16));
    QCOMPARE(s.blocksOfB(), std::uint64_t(8));
    const auto &a = s.accesses();
    QCOMPARE(int(a.size()), 16 + 16 + 8 + 8 + 16);
    // Phases come in order, and phase c starts with block D of A.
    int phase = 0;
    std::set<std::uint64_t> backInA;
    int writes = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        QVERIFY(a[i].phase >= phase);
        phase = a[i].phase;
        QCOMPARE(int(a[i].record.owner), phase == 1 ? 1 : 0);
        QCOMPARE(a[i].record.address, CacheScenario::baseAddress(a[i].record.owner) + a[i].blockIndex * 64);
        writes += a[i].record.label == 1 ? 1 : 0;
        if (phase == 2)
            backInA.insert(a[i].blockIndex);
    }
    QCOMPARE(a[47].phase, 1);
    QCOMPARE(a[48].phase, 2);
    QCOMPARE(cacheBlockName(a[48].blockIndex), QStringLiteral("D"));
    QCOMPARE(int(backInA.size()), 16); // every block of A once
    QCOMPARE(writes, 4); // every fourth block of the cold pass
    // A and B start on the same set of any cache up to 64 KiB: they compete.
    QCOMPARE(CacheScenario::kBaseA % (64 * 1024), CacheScenario::kBaseB % (64 * 1024));
    // At least one block each, whatever the sizes.
    const CacheScenario tiny(4, 4, 64);
    QCOMPARE(tiny.blocksOfA(), std::uint64_t(1));
    QCOMPARE(cacheBlockName(tiny.accesses()[2].blockIndex), QStringLiteral("A"));
}

void TestCacheReplay::scenarioCountsMatchTheModel_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("ways");
    QTest::addColumn<int>("replacement");
    QTest::newRow("1KiB 4-way lru") << 1024 << 4 << int(Replacement::Lru);
    QTest::newRow("2KiB direct") << 2048 << 1 << int(Replacement::Lru);
    QTest::newRow("1KiB 2-way fifo") << 1024 << 2 << int(Replacement::Fifo);
    QTest::newRow("512B 8-way random") << 512 << 8 << int(Replacement::Random);
}

void TestCacheReplay::scenarioCountsMatchTheModel()
{
    QFETCH(int, size);
    QFETCH(int, ways);
    QFETCH(int, replacement);
    const CacheGeometry g = geo(std::uint64_t(size), 64, std::uint32_t(ways), Replacement(replacement));
    const CacheScenario script(1024, 512, 64);
    CacheReplay replay(g, 7, true);
    CacheModel reference(g, 7);
    std::uint64_t missesPerPhase[3] = {0, 0, 0};
    std::uint64_t aEvictedByB = 0;
    std::uint64_t index = 0;
    for (const CacheScenarioAccess &a : script.accesses()) {
        const auto out = replay.apply(index++, a.record, a.phase);
        QVERIFY(out);
        const AccessOutcome ref = reference.access(a.record.address, kindOf(a.record), a.record.owner);
        QCOMPARE(out->hit, ref.hit);
        QCOMPARE(out->set, ref.set);
        QCOMPARE(out->way, ref.way);
        missesPerPhase[a.phase] += ref.hit ? 0 : 1;
        aEvictedByB += a.phase == 1 && ref.evicted && ref.evictedOwner == 0 ? 1 : 0;
    }
    replay.finish(index);
    for (int p = 0; p < 3; ++p)
        QCOMPARE(replay.phaseMisses(p), missesPerPhase[p]);
    QCOMPARE(replay.refillMisses(), qint64(missesPerPhase[2]));
    QCOMPARE(replay.aLinesEvictedByB(), qint64(aEvictedByB));
    QCOMPARE(replay.model().totals().misses, missesPerPhase[0] + missesPerPhase[1] + missesPerPhase[2]);
    QCOMPARE(replay.ownersSeen(), 2);
    QCOMPARE(replay.ownerName(1), QStringLiteral("B"));
    // The final frame counts per owner add up to the totals.
    const auto f = replay.frame(1.0, QStringLiteral("done"));
    QCOMPARE(int(f->perOwner.size()), 2);
    QCOMPARE(f->perOwner[0].hits + f->perOwner[1].hits, f->totals.hits);
    QCOMPARE(f->perOwner[0].misses + f->perOwner[1].misses, f->totals.misses);
    QCOMPARE(f->ownerNames, (QStringList {QStringLiteral("A"), QStringLiteral("B")}));
    QCOMPARE(f->refillMisses, replay.refillMisses());
    QCOMPARE(f->blockBase.size(), std::size_t(2));
    QCOMPARE(f->blockBase[1], CacheScenario::kBaseB / 64);
}

void TestCacheReplay::gridMatchesTheModelAfterFinish()
{
    const CacheGeometry g = geo(512, 32, 4, Replacement::Fifo);
    CacheReplay replay(g, 1, false);
    std::uint64_t x = 12345;
    std::uint64_t index = 0;
    for (; index < 2000; ++index) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        DinRecord rec;
        rec.label = int((x >> 20) % 2);
        rec.address = (x >> 33) % 4096;
        rec.owner = std::uint16_t((x >> 40) % 3);
        replay.apply(index, rec, 0);
    }
    replay.finish(index);
    const auto f = replay.frame(1.0, {});
    QVERIFY(f->hasGrid);
    QCOMPARE(f->lines.size(), std::size_t(g.lines()));
    for (std::size_t i = 0; i < f->lines.size(); ++i) {
        QCOMPARE(f->lines[i].valid, replay.model().valid(i));
        QCOMPARE(f->lines[i].dirty, replay.model().dirty(i));
        QCOMPARE(f->lines[i].owner, replay.model().owner(i));
        QCOMPARE(f->lines[i].block, replay.model().block(i));
    }
    QCOMPARE(replay.ownersSeen(), 3);
    QCOMPARE(f->ownerNames.last(), QStringLiteral("p2"));
}

void TestCacheReplay::showAccessMarksOneLine()
{
    const CacheGeometry g = geo(1024, 64, 4);
    const CacheScenario script(1024, 512, 64);
    CacheReplay replay(g, 1, true);
    std::uint64_t index = 0;
    for (const CacheScenarioAccess &a : script.accesses()) {
        const auto out = replay.apply(index, a.record, a.phase);
        const QString status = replay.showAccess(index, a.record, a.phase, a.blockIndex, *out);
        QVERIFY(status.startsWith(QStringLiteral("access %1: ").arg(index + 1)));
        const auto f = replay.frame(0.5, status);
        int marked = 0;
        for (std::size_t i = 0; i < f->lines.size(); ++i) {
            if (f->lines[i].event == CacheLineView::Event::None)
                continue;
            ++marked;
            QCOMPARE(i, std::size_t(out->set) * g.ways + out->way);
            QCOMPARE(f->lines[i].event == CacheLineView::Event::Hit, out->hit);
            QCOMPARE(f->lines[i].owner, a.record.owner);
        }
        QCOMPARE(marked, 1);
        QCOMPARE(f->accessIndex, qint64(index));
        QCOMPARE(f->phase, CacheScenario::phaseName(a.phase));
        QVERIFY(f->currentLabel.endsWith(QStringLiteral(" block ") + cacheBlockName(a.blockIndex)));
        if (out->evicted)
            QVERIFY2(status.contains(QStringLiteral("evicts")), qPrintable(status));
        ++index;
    }
}

void TestCacheReplay::hitRateIsThinnedButExact()
{
    // Far more accesses than chart points: the series is thinned, but every point it
    // keeps is the hit rate after exactly that many accesses (replayed a second time).
    const CacheGeometry g = geo(4096, 64, 4);
    constexpr std::uint64_t kAccesses = 50000;
    std::vector<DinRecord> trace(kAccesses);
    std::uint64_t x = 99;
    for (auto &rec : trace) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        rec.label = 0;
        rec.address = (x >> 30) % 16384;
    }
    CacheReplay replay(g, 1, false);
    for (std::uint64_t i = 0; i < kAccesses; ++i)
        replay.apply(i, trace[i], 0);
    replay.finish(kAccesses);
    const Series &hr = replay.hitRate();
    QCOMPARE(hr.id, QStringLiteral("hit_rate"));
    QCOMPARE(hr.x.size(), hr.y.size());
    QVERIFY(hr.x.size() <= CacheReplay::kMaxChartPoints + 1);
    QVERIFY(hr.x.size() > CacheReplay::kMaxChartPoints / 2);
    QCOMPARE(hr.x.back(), double(kAccesses));
    QCOMPARE(hr.y.back(), 100.0 * replay.model().totals().hitRate());
    for (std::size_t i = 1; i < hr.x.size(); ++i)
        QVERIFY(hr.x[i] > hr.x[i - 1]);
    CacheModel reference(g, 1);
    std::size_t next = 0;
    for (std::uint64_t i = 0; i < kAccesses && next < hr.x.size(); ++i) {
        reference.access(trace[i].address, AccessKind::Read, 0);
        if (double(i + 1) == hr.x[next]) {
            QCOMPARE(hr.y[next], 100.0 * reference.totals().hitRate());
            ++next;
        }
    }
    QCOMPARE(next, hr.x.size());
}

void TestCacheReplay::flushEmptiesTheGrid()
{
    const CacheGeometry g = geo(256, 64, 2);
    CacheReplay replay(g, 1, false);
    DinRecord w;
    w.label = 1;
    w.address = 0x40;
    QVERIFY(replay.apply(0, w, 0));
    DinRecord flush;
    flush.label = 4;
    QVERIFY(!replay.apply(1, flush, 0));
    const auto f = replay.frame(1.0, {});
    for (const auto &l : f->lines)
        QVERIFY(!l.valid);
    QCOMPARE(f->totals.writeBacks, std::uint64_t(1)); // the dirty line went back to memory
    QCOMPARE(f->totals.accesses(), std::uint64_t(1)); // a flush is not an access
}

void TestCacheReplay::framesWithoutGrid()
{
    // Too many lines to draw: no grid in any frame, counts still there.
    const CacheGeometry big = geo(1 << 20, 64, 4); // 16384 lines
    CacheReplay replay(big, 1, false);
    DinRecord r;
    replay.apply(0, r, 0);
    replay.finish(1);
    const auto f = replay.frame(1.0, {});
    QVERIFY(!replay.hasGrid());
    QVERIFY(!f->hasGrid);
    QVERIFY(f->lines.empty());
    QCOMPARE(f->totals.misses, std::uint64_t(1));
    // A small cache: frames leave the grid out only when asked.
    CacheReplay small(geo(1024, 64, 4), 1, false);
    QVERIFY(small.frame(0, {}, true)->hasGrid);
    QCOMPARE(small.frame(0, {}, true)->lines.size(), std::size_t(16));
    QVERIFY(!small.frame(0, {}, false)->hasGrid);
    QVERIFY(small.frame(0, {}, false)->lines.empty());
}

QTEST_APPLESS_MAIN(TestCacheReplay)
#include "tst_cachereplay.moc"
