#include "cache/cacheengine.h"
#include "cache/cachemodel.h"
#include "cache/cachescenario.h"
#include "cache/dintracereader.h"

#include <QTemporaryDir>
#include <QTest>

#include <cstring>
#include <list>

using namespace proclab;

class TestCacheModel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void geometryCheck_data();
    void geometryCheck();
    void directMappedConflicts();
    void lruAndFifoDiffer_data();
    void lruAndFifoDiffer();
    void writeBackOnlyForDirtyLines();
    void ownerIsPartOfTheTag();
    void randomIsSeededAndConsistent();
    void flushWritesBackDirtyLines();
    void agreesWithReferenceModel_data();
    void agreesWithReferenceModel();
    void dinParser_data();
    void dinParser();
    void engineReplaysTraceLikeTheModel();
    void engineReportsBadTraceLine();
    void engineReportsUnreadableTrace();
    void scenarioRefillDependsOnCacheSize_data();
    void scenarioRefillDependsOnCacheSize();
    void animatedRunStepsOneAccess();
    void blockNames();
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

QString writeFile(const QTemporaryDir &dir, const char *name, const QByteArray &text)
{
    const QString path = dir.filePath(QString::fromLatin1(name));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write(text);
    return path;
}

/**
 * The same cache written the slow, obvious way: each set a list of lines in
 * recency (LRU) or arrival (FIFO) order, searched from the front. It shares no
 * code with CacheModel, so agreement on long random traces checks the fast
 * model's shortcuts (the repeated-line check, 32-bit stamps and their renumbering).
 */
class ReferenceCache {
public:
    ReferenceCache(const CacheGeometry &g)
        : m_g(g)
        , m_sets(g.sets())
        , m_setCounters(g.sets())
        , m_ownerCounters(CacheModel::kMaxOwners)
    {
    }
    bool access(std::uint64_t address, AccessKind kind, int owner)
    {
        const std::uint64_t block = address / m_g.lineBytes;
        const std::size_t set = block % m_g.sets();
        std::list<Line> &lines = m_sets[set];
        for (auto it = lines.begin(); it != lines.end(); ++it) {
            if (it->block == block && it->owner == owner) {
                it->dirty = it->dirty || kind == AccessKind::Write;
                if (m_g.replacement == Replacement::Lru)
                    lines.splice(lines.begin(), lines, it); // most recent first
                ++m_setCounters[set].hits;
                ++m_ownerCounters[owner].hits;
                return true;
            }
        }
        ++m_setCounters[set].misses;
        ++m_ownerCounters[owner].misses;
        if (lines.size() == m_g.ways) { // the back is the least recent / first in
            const Line victim = lines.back();
            lines.pop_back();
            ++m_setCounters[set].evictions;
            ++m_ownerCounters[victim.owner].evictions;
            if (victim.dirty) {
                ++m_setCounters[set].writeBacks;
                ++m_ownerCounters[victim.owner].writeBacks;
            }
        }
        lines.push_front(Line {block, owner, kind == AccessKind::Write});
        return false;
    }
    const CacheCounters &set(std::size_t i) const { return m_setCounters[i]; }
    const CacheCounters &owner(int i) const { return m_ownerCounters[i]; }

private:
    struct Line {
        std::uint64_t block;
        int owner;
        bool dirty;
    };
    CacheGeometry m_g;
    std::vector<std::list<Line>> m_sets;
    std::vector<CacheCounters> m_setCounters;
    std::vector<CacheCounters> m_ownerCounters;
};

bool sameCounters(const CacheCounters &a, const CacheCounters &b)
{
    return a.hits == b.hits && a.misses == b.misses && a.evictions == b.evictions
        && a.writeBacks == b.writeBacks;
}

} // namespace

void TestCacheModel::geometryCheck_data()
{
    QTest::addColumn<qint64>("size");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("ways");
    QTest::addColumn<QString>("errorPart");
    QTest::newRow("ok") << qint64(1024) << 64 << 4 << QString();
    QTest::newRow("fully associative") << qint64(1024) << 64 << 16 << QString();
    QTest::newRow("size not power of two") << qint64(1000) << 64 << 4 << QStringLiteral("cache size");
    QTest::newRow("line not power of two") << qint64(1024) << 48 << 4 << QStringLiteral("line size");
    QTest::newRow("ways not power of two") << qint64(1024) << 64 << 3 << QStringLiteral("associativity 3");
    QTest::newRow("too many ways") << qint64(1024) << 64 << 32 << QStringLiteral("more than the 16 lines");
}

void TestCacheModel::geometryCheck()
{
    QFETCH(qint64, size);
    QFETCH(int, line);
    QFETCH(int, ways);
    QFETCH(QString, errorPart);
    const QString err = geo(std::uint64_t(size), std::uint32_t(line), std::uint32_t(ways)).check();
    if (errorPart.isEmpty())
        QVERIFY2(err.isEmpty(), qPrintable(err));
    else
        QVERIFY2(err.contains(errorPart), qPrintable(err));
}

void TestCacheModel::directMappedConflicts()
{
    // 4 lines of 64 B, direct mapped: 0 and 256 both map to set 0.
    CacheModel m(geo(256, 64, 1));
    QCOMPARE(m.geometry().sets(), 4u);
    auto o = m.access(0, AccessKind::Read);
    QVERIFY(!o.hit);
    QVERIFY(!o.evicted);
    QCOMPARE(o.set, 0u);
    o = m.access(256, AccessKind::Read);
    QVERIFY(!o.hit);
    QVERIFY(o.evicted);
    QCOMPARE(o.evictedBlock, std::uint64_t(0));
    o = m.access(0 + 8, AccessKind::Read); // same block as 0, different byte
    QVERIFY(!o.hit);
    QCOMPARE(o.evictedBlock, std::uint64_t(4));
    o = m.access(64, AccessKind::Read); // set 1: no conflict
    QCOMPARE(o.set, 1u);
    o = m.access(0x3f, AccessKind::Read); // still block 0, set 0
    QVERIFY(o.hit);
    const CacheCounters t = m.totals();
    QCOMPARE(t.hits, std::uint64_t(1));
    QCOMPARE(t.misses, std::uint64_t(4));
    QCOMPARE(t.evictions, std::uint64_t(2));
    QCOMPARE(m.perSet()[0].misses, std::uint64_t(3));
    QCOMPARE(m.perSet()[1].misses, std::uint64_t(1));
}

void TestCacheModel::lruAndFifoDiffer_data()
{
    QTest::addColumn<int>("policy");
    QTest::addColumn<QString>("expected"); // h = hit, m = miss, per access
    // Fully associative, 2 lines. Trace: X Y X Z X.
    // LRU: Z evicts Y (X was used last), so the last X hits.
    // FIFO: Z evicts X (loaded first), so the last X misses.
    QTest::newRow("lru") << int(Replacement::Lru) << QStringLiteral("mmhmh");
    QTest::newRow("fifo") << int(Replacement::Fifo) << QStringLiteral("mmhmm");
}

void TestCacheModel::lruAndFifoDiffer()
{
    QFETCH(int, policy);
    QFETCH(QString, expected);
    CacheModel m(geo(128, 64, 2, Replacement(policy)));
    const std::uint64_t trace[] = {0, 64, 0, 128, 0};
    QString got;
    for (std::uint64_t a : trace)
        got += m.access(a, AccessKind::Read).hit ? QLatin1Char('h') : QLatin1Char('m');
    QCOMPARE(got, expected);
    const int hits = int(expected.count(QLatin1Char('h')));
    QCOMPARE(m.totals().hits, std::uint64_t(hits));
    QCOMPARE(m.totals().misses, std::uint64_t(5 - hits));
}

void TestCacheModel::writeBackOnlyForDirtyLines()
{
    CacheModel m(geo(64, 64, 1)); // one line
    auto o = m.access(0, AccessKind::Write); // write-allocate: miss, line now dirty
    QVERIFY(!o.hit);
    QVERIFY(m.dirty(0));
    o = m.access(64, AccessKind::Read); // evicts the dirty line: written back
    QVERIFY(o.evicted);
    QVERIFY(o.writeBack);
    QVERIFY(!m.dirty(0));
    o = m.access(0, AccessKind::Read); // evicts a clean line: no write-back
    QVERIFY(o.evicted);
    QVERIFY(!o.writeBack);
    o = m.access(0, AccessKind::Write); // write hit dirties
    QVERIFY(o.hit);
    QVERIFY(m.dirty(0));
    const CacheCounters t = m.totals();
    QCOMPARE(t.evictions, std::uint64_t(2));
    QCOMPARE(t.writeBacks, std::uint64_t(1));
}

void TestCacheModel::ownerIsPartOfTheTag()
{
    CacheModel m(geo(128, 64, 2));
    QVERIFY(!m.access(0, AccessKind::Read, 0).hit);
    QVERIFY(!m.access(0, AccessKind::Read, 1).hit); // same address, other address space
    QVERIFY(m.access(0, AccessKind::Read, 0).hit);
    QVERIFY(m.access(0, AccessKind::Read, 1).hit);
    QCOMPARE(m.perOwner(0).misses, std::uint64_t(1));
    QCOMPARE(m.perOwner(1).hits, std::uint64_t(1));
    // A third process evicts the least recently used: owner 0's line.
    const auto o = m.access(0, AccessKind::Read, 2);
    QVERIFY(o.evicted);
    QCOMPARE(int(o.evictedOwner), 0);
    QCOMPARE(m.perOwner(0).evictions, std::uint64_t(1));
}

void TestCacheModel::randomIsSeededAndConsistent()
{
    auto runOnce = [](std::uint64_t seed) {
        CacheModel m(geo(1024, 64, 4, Replacement::Random), seed);
        std::uint64_t x = 12345;
        QString pattern;
        for (int i = 0; i < 2000; ++i) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            const auto o = m.access((x >> 33) % 4096, AccessKind(int(x % 2)));
            if (i % 50 == 0)
                pattern += o.hit ? QLatin1Char('h') : QLatin1Char('m');
        }
        const CacheCounters t = m.totals();
        // Invariants: every access is a hit or a miss; only misses evict, and
        // only after the 16 lines are full; write-backs are a subset of evictions.
        [&] {
            QCOMPARE(t.accesses(), std::uint64_t(2000));
            QVERIFY(t.evictions <= t.misses);
            QVERIFY(t.evictions >= t.misses - 16);
            QVERIFY(t.writeBacks <= t.evictions);
        }();
        return pattern;
    };
    QCOMPARE(runOnce(7), runOnce(7));
}

void TestCacheModel::flushWritesBackDirtyLines()
{
    CacheModel m(geo(256, 64, 2));
    m.access(0, AccessKind::Write);
    m.access(64, AccessKind::Read);
    m.access(128, AccessKind::Write);
    QCOMPARE(m.flush(), std::uint64_t(2));
    for (std::size_t i = 0; i < 4; ++i)
        QVERIFY(!m.valid(i));
    QVERIFY(!m.access(0, AccessKind::Read).hit);
}

void TestCacheModel::agreesWithReferenceModel_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("ways");
    QTest::addColumn<int>("policy");
    QTest::addColumn<bool>("nearClockWrap");
    for (int policy : {int(Replacement::Lru), int(Replacement::Fifo)}) {
        const char *name = policy == int(Replacement::Lru) ? "lru" : "fifo";
        QTest::addRow("%s 1 KiB direct", name) << 1024 << 1 << policy << false;
        QTest::addRow("%s 4 KiB 4-way", name) << 4096 << 4 << policy << false;
        QTest::addRow("%s 4 KiB 8-way", name) << 4096 << 8 << policy << false;
        QTest::addRow("%s 8 KiB 16-way", name) << 8192 << 16 << policy << false;
        QTest::addRow("%s 2 KiB fully", name) << 2048 << 32 << policy << false;
        QTest::addRow("%s 4 KiB fully, clock wraps", name) << 4096 << 64 << policy << true;
        QTest::addRow("%s 2 KiB fully, clock wraps", name) << 2048 << 32 << policy << true;
    }
}

void TestCacheModel::agreesWithReferenceModel()
{
    QFETCH(int, size);
    QFETCH(int, ways);
    QFETCH(int, policy);
    QFETCH(bool, nearClockWrap);
    const CacheGeometry g = geo(std::uint64_t(size), 64, std::uint32_t(ways), Replacement(policy));
    CacheModel fast(g);
    ReferenceCache slow(g);
    // Start 30000 accesses before the 32-bit clock runs out, so the renumbering
    // happens in the middle of the trace with every set full.
    if (nearClockWrap) {
        QVERIFY(fast.usesStamps());
        fast.jumpClockForTesting(~std::uint32_t(0) - 30000);
    }
    // Runs of nearby addresses (the repeated-line shortcut) mixed with jumps
    // over 4x the cache, writes, and four processes.
    std::uint64_t x = 0x9e3779b97f4a7c15ULL;
    std::uint64_t addr = 0;
    for (int i = 0; i < 60000; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if (x % 4 == 0)
            addr = (x >> 16) % std::uint64_t(4 * size);
        else
            addr += 8;
        const AccessKind kind = (x >> 40) % 3 == 0 ? AccessKind::Write : AccessKind::Read;
        const int owner = int((x >> 50) % 4);
        const bool fastHit = fast.access(addr, kind, std::uint16_t(owner)).hit;
        const bool slowHit = slow.access(addr, kind, owner);
        if (fastHit != slowHit)
            QFAIL(qPrintable(
                QStringLiteral("access %1 (address %2, process %3): model says %4, reference says %5")
                    .arg(i)
                    .arg(addr)
                    .arg(owner)
                    .arg(fastHit ? "hit" : "miss", slowHit ? "hit" : "miss")));
    }
    for (std::uint32_t s = 0; s < g.sets(); ++s)
        QVERIFY2(sameCounters(fast.perSet()[s], slow.set(s)), qPrintable(QStringLiteral("set %1").arg(s)));
    for (int o = 0; o < 4; ++o)
        QVERIFY2(
            sameCounters(fast.perOwner(o), slow.owner(o)), qPrintable(QStringLiteral("process %1").arg(o)));
    QVERIFY(fast.totals().hits > 1000);
    QVERIFY(fast.totals().evictions > 1000);
}

void TestCacheModel::dinParser_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<bool>("skip");
    QTest::addColumn<int>("label");
    QTest::addColumn<qulonglong>("address");
    QTest::addColumn<int>("owner");
    QTest::addColumn<QString>("errorPart");
    QTest::newRow("read") << QByteArray("0 1f40\n") << true << false << 0 << 0x1f40ull << 0 << QString();
    QTest::newRow("write 0x") << QByteArray("1 0x7fffABCD") << true << false << 1 << 0x7fffabcdull << 0
                              << QString();
    QTest::newRow("fetch tabs") << QByteArray("\t2\t400000  ") << true << false << 2 << 0x400000ull << 0
                                << QString();
    QTest::newRow("process column") << QByteArray("0 10 3") << true << false << 0 << 0x10ull << 3
                                    << QString();
    QTest::newRow("flush") << QByteArray("4") << true << false << 4 << 0ull << 0 << QString();
    QTest::newRow("blank") << QByteArray("   \r\n") << true << true << 0 << 0ull << 0 << QString();
    QTest::newRow("comment") << QByteArray("# a comment") << true << true << 0 << 0ull << 0 << QString();
    QTest::newRow("bad label") << QByteArray("7 100") << false << false << 0 << 0ull << 0
                               << QStringLiteral("label '7'");
    QTest::newRow("word label") << QByteArray("read 100") << false << false << 0 << 0ull << 0
                                << QStringLiteral("label 'read'");
    QTest::newRow("missing address") << QByteArray("0") << false << false << 0 << 0ull << 0
                                     << QStringLiteral("missing address");
    QTest::newRow("bad address") << QByteArray("0 12xz") << false << false << 0 << 0ull << 0
                                 << QStringLiteral("'12xz'");
    QTest::newRow("address too long")
        << QByteArray("0 11112222333344445") << false << false << 0 << 0ull << 0 << QStringLiteral("64-bit");
    QTest::newRow("bad process") << QByteArray("0 10 99") << false << false << 0 << 0ull << 0
                                 << QStringLiteral("process '99'");
}

void TestCacheModel::dinParser()
{
    QFETCH(QByteArray, line);
    QFETCH(bool, ok);
    QFETCH(bool, skip);
    QFETCH(int, label);
    QFETCH(qulonglong, address);
    QFETCH(int, owner);
    QFETCH(QString, errorPart);
    DinRecord rec;
    bool skipped = false;
    QString error;
    QCOMPARE(parseDinLine(line.constData(), line.constData() + line.size(), &rec, &skipped, &error), ok);
    if (!ok) {
        QVERIFY2(error.contains(errorPart), qPrintable(error));
        return;
    }
    QCOMPARE(skipped, skip);
    if (skip)
        return;
    QCOMPARE(rec.label, label);
    QCOMPARE(qulonglong(rec.address), address);
    QCOMPARE(int(rec.owner), owner);
}

void TestCacheModel::engineReplaysTraceLikeTheModel()
{
    QTemporaryDir dir;
    QByteArray text = "# generated\n";
    std::uint64_t x = 99;
    CacheModel reference(geo(512, 32, 2, Replacement::Fifo));
    for (int i = 0; i < 3000; ++i) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        const int label = int((x >> 20) % 3);
        const std::uint64_t addr = (x >> 33) % 3000;
        const int owner = int((x >> 40) % 3);
        text += QByteArray::number(label) + ' ' + QByteArray::number(qulonglong(addr), 16) + ' '
            + QByteArray::number(owner) + '\n';
        reference.access(addr, label == 1 ? AccessKind::Write : AccessKind::Read, std::uint16_t(owner));
    }
    const QString path = writeFile(dir, "t.din", text);
    const auto eOwner = makeEngine<CacheEngine>();
    CacheEngine &e = *eOwner;
    QString error;
    QVERIFY2(e.configure({{QStringLiteral("trace"), path}, {QStringLiteral("size"), QStringLiteral("512")},
                             {QStringLiteral("line"), 32}, {QStringLiteral("ways"), 2},
                             {QStringLiteral("replacement"), QStringLiteral("fifo")}},
                 &error),
        qPrintable(error));
    const Result r = runToCompletion(e, std::chrono::seconds(60));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    const CacheCounters t = reference.totals();
    QCOMPARE(r.summary.value(QStringLiteral("accesses")).toDouble(), 3000.0);
    QCOMPARE(r.summary.value(QStringLiteral("hits")).toDouble(), double(t.hits));
    QCOMPARE(r.summary.value(QStringLiteral("misses")).toDouble(), double(t.misses));
    QCOMPARE(r.summary.value(QStringLiteral("evictions")).toDouble(), double(t.evictions));
    QCOMPARE(r.summary.value(QStringLiteral("write_backs")).toDouble(), double(t.writeBacks));
    for (int o = 0; o < 3; ++o)
        QCOMPARE(r.summary.value(QStringLiteral("p%1_misses").arg(o)).toDouble(),
            double(reference.perOwner(o).misses));
    QCOMPARE(int(r.table.rows.size()), 8); // 512 / 32 / 2 sets
    double setMisses = 0;
    for (const auto &row : r.table.rows)
        setMisses += row.at(2).toDouble();
    QCOMPARE(setMisses, double(t.misses));
}

void TestCacheModel::engineReportsBadTraceLine()
{
    QTemporaryDir dir;
    const QString path = writeFile(dir, "bad.din", "0 100\n\n1 zz9\n0 200\n");
    const auto eOwner = makeEngine<CacheEngine>();
    CacheEngine &e = *eOwner;
    QVERIFY(e.configure({{QStringLiteral("trace"), path}}));
    const Result r = runToCompletion(e, std::chrono::seconds(30));
    QVERIFY2(r.error.contains(QStringLiteral("line 3")), qPrintable(r.error));
    QVERIFY2(r.error.contains(QStringLiteral("zz9")), qPrintable(r.error));
    QVERIFY(!r.error.contains(QLatin1Char('\n')));
    QCOMPARE(e.state(), RunState::Failed);
}

void TestCacheModel::engineReportsUnreadableTrace()
{
    const auto eOwner = makeEngine<CacheEngine>();
    CacheEngine &e = *eOwner;
    QVERIFY(e.configure({{QStringLiteral("trace"), QStringLiteral("/nonexistent/trace.din")}}));
    const Result r = runToCompletion(e, std::chrono::seconds(30));
    QVERIFY2(r.error.contains(QStringLiteral("cannot open")), qPrintable(r.error));
    QVERIFY2(r.error.contains(QStringLiteral("/nonexistent/trace.din")), qPrintable(r.error));
}

void TestCacheModel::scenarioRefillDependsOnCacheSize_data()
{
    QTest::addColumn<QString>("size");
    QTest::addColumn<int>("ways");
    QTest::addColumn<QString>("replacement");
    QTest::addColumn<int>("evictedByB");
    QTest::addColumn<int>("refill");
    // A: 16 blocks, B: 8 blocks, 64 B lines. 1 KiB, 4-way: 4 sets of 4 A lines;
    // B puts 2 blocks in every set and evicts A's 2 oldest. Back in A, the
    // cyclic walk misses on all 16 (each refill evicts the next line A needs).
    QTest::newRow("1KiB 4-way lru") << QStringLiteral("1KiB") << 4 << QStringLiteral("lru") << 8 << 16;
    QTest::newRow("1KiB 4-way fifo") << QStringLiteral("1KiB") << 4 << QStringLiteral("fifo") << 8 << 16;
    // 4 KiB: 64 lines, A and B both fit: nothing evicted, no refill.
    QTest::newRow("4KiB 4-way") << QStringLiteral("4KiB") << 4 << QStringLiteral("lru") << 0 << 0;
    // 2 KiB direct mapped: A in sets 0..15, B in sets 0..7 (same alignment): 8 evicted, 8 refilled.
    QTest::newRow("2KiB direct") << QStringLiteral("2KiB") << 1 << QStringLiteral("lru") << 8 << 8;
}

void TestCacheModel::scenarioRefillDependsOnCacheSize()
{
    QFETCH(QString, size);
    QFETCH(int, ways);
    QFETCH(QString, replacement);
    QFETCH(int, evictedByB);
    QFETCH(int, refill);
    const auto eOwner = makeEngine<CacheEngine>();
    CacheEngine &e = *eOwner;
    QString error;
    QVERIFY2(e.configure({{QStringLiteral("size"), size}, {QStringLiteral("ways"), ways},
                             {QStringLiteral("replacement"), replacement}},
                 &error),
        qPrintable(error));
    const Result r = runToCompletion(e, std::chrono::seconds(30));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.summary.value(QStringLiteral("a_lines_evicted_by_b")).toInt(), evictedByB);
    QCOMPARE(r.summary.value(QStringLiteral("refill_misses")).toInt(), refill);
    QCOMPARE(r.summary.value(QStringLiteral("misses_phase_a")).toInt(), 16); // cold fill of A
    QCOMPARE(r.summary.value(QStringLiteral("accesses")).toInt(), 16 + 16 + 8 + 8 + 16);
    const auto snap = std::dynamic_pointer_cast<const CacheSnapshot>(e.snapshot());
    QVERIFY(snap);
    QVERIFY(snap->hasGrid);
    // The final grid agrees with the counters: every valid line is A's or B's.
    int valid = 0;
    int aLines = 0;
    for (const auto &l : snap->lines) {
        valid += l.valid ? 1 : 0;
        aLines += l.valid && l.owner == 0 ? 1 : 0;
    }
    QVERIFY(valid <= int(snap->lines.size()));
    QVERIFY(aLines >= std::min<int>(16, int(snap->lines.size()) / 2));
}

void TestCacheModel::animatedRunStepsOneAccess()
{
    const auto eOwner = makeEngine<CacheEngine>();
    CacheEngine &e = *eOwner;
    QVERIFY(e.configure({}));
    e.setSpeed(1.0);
    e.pause();
    e.start();
    // One step = one access: the published frame names access 0, then 1.
    for (int expected = 0; expected < 3; ++expected) {
        const quint64 rev = e.revision();
        e.stepOnce();
        QTRY_VERIFY_WITH_TIMEOUT(e.revision() != rev
                && std::dynamic_pointer_cast<const CacheSnapshot>(e.snapshot())
                && std::dynamic_pointer_cast<const CacheSnapshot>(e.snapshot())->accessIndex == expected,
            10000);
        const auto snap = std::dynamic_pointer_cast<const CacheSnapshot>(e.snapshot());
        QCOMPARE(snap->totals.accesses(), std::uint64_t(expected + 1));
        QVERIFY(snap->hasGrid);
        // Exactly one line is marked as touched by this access.
        int marked = 0;
        for (const auto &l : snap->lines)
            marked += l.event != CacheLineView::Event::None ? 1 : 0;
        QCOMPARE(marked, 1);
        // A's cold pass: block A is read, block B written (every fourth block is a write).
        QCOMPARE(snap->currentLabel,
            QStringLiteral("A %1 block %2")
                .arg(expected == 1 ? QStringLiteral("writes") : QStringLiteral("reads"),
                    cacheBlockName(std::uint64_t(expected))));
    }
    e.stop();
    QCOMPARE(e.state(), RunState::Stopped);
}

void TestCacheModel::blockNames()
{
    QCOMPARE(cacheBlockName(0), QStringLiteral("A"));
    QCOMPARE(cacheBlockName(3), QStringLiteral("D"));
    QCOMPARE(cacheBlockName(25), QStringLiteral("Z"));
    QCOMPARE(cacheBlockName(26), QStringLiteral("AA"));
    QCOMPARE(cacheBlockName(27), QStringLiteral("AB"));
}

QTEST_APPLESS_MAIN(TestCacheModel)
#include "tst_cachemodel.moc"
