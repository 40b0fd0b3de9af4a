#include "cacheengine.h"


#include <QFile>
#include <QFileInfo>

#include <bit>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace proclab {

namespace {

// Model time per access at speed 1: slow enough to follow one access at a time.
constexpr double kSecondsPerAccess = 0.5;
// Grids larger than this are not copied into every frame (the view could not
// draw them line by line anyway); counters and the chart still update.
constexpr std::uint32_t kMaxGridLines = 4096;
// At speed 0 the run checks for stop/pause once per this many accesses.
constexpr std::uint64_t kBatch = 1u << 16;
constexpr std::size_t kMaxChartPoints = 4096;

// Base addresses of the two scenario processes: far apart, same set alignment.
constexpr std::uint64_t kBaseA = 0x10000;
constexpr std::uint64_t kBaseB = 0x80000;

struct ScenarioAccess {
    DinRecord rec;
    int phase = 0;
    std::uint64_t blockIndex = 0; ///< index within its process's working set
};

std::vector<ScenarioAccess> buildScenario(std::uint64_t aBytes, std::uint64_t bBytes, std::uint32_t lineBytes)
{
    const std::uint64_t nA = std::max<std::uint64_t>(1, aBytes / lineBytes);
    const std::uint64_t nB = std::max<std::uint64_t>(1, bBytes / lineBytes);
    std::vector<ScenarioAccess> out;
    auto add = [&](int owner, std::uint64_t i, int label, int phase) {
        ScenarioAccess s;
        s.rec.label = label;
        s.rec.owner = static_cast<std::uint16_t>(owner);
        s.rec.address = (owner == 0 ? kBaseA : kBaseB) + i * lineBytes;
        s.phase = phase;
        s.blockIndex = i;
        out.push_back(s);
    };
    // (a) A fills the cache: a cold pass that writes every fourth block, then a warm pass.
    for (std::uint64_t i = 0; i < nA; ++i)
        add(0, i, i % 4 == 1 ? 1 : 0, 0);
    for (std::uint64_t i = 0; i < nA; ++i)
        add(0, i, 0, 0);
    // (b) Switched to B: B walks its own blocks twice.
    for (int pass = 0; pass < 2; ++pass) {
        for (std::uint64_t i = 0; i < nB; ++i)
            add(1, i, 0, 1);
    }
    // (c) Back in A: block D first (as in the slides' figure), then the rest.
    const std::uint64_t d = std::min<std::uint64_t>(3, nA - 1);
    add(0, d, 0, 2);
    for (std::uint64_t i = 0; i < nA; ++i) {
        if (i != d)
            add(0, i, 0, 2);
    }
    return out;
}

const char *const kPhaseNames[] = {"(a) process A runs", "(b) switched to process B",
                                   "(c) back in process A"};

QString kindVerb(int label)
{
    switch (label) {
    case 1:
        return QStringLiteral("writes");
    case 2:
        return QStringLiteral("fetches");
    default:
        return QStringLiteral("reads");
    }
}

// Reads a trace file line by line without holding it in memory.
class TraceReader {
public:
    ~TraceReader()
    {
        std::free(m_line);
        if (m_file)
            std::fclose(m_file);
    }
    bool open(const QString &path, QString *error)
    {
        m_file = std::fopen(QFile::encodeName(path).constData(), "re");
        if (!m_file) {
            *error = QStringLiteral("trace: cannot open '%1': %2")
                         .arg(path, QString::fromLocal8Bit(std::strerror(errno)));
            return false;
        }
        m_size = QFileInfo(path).size();
        m_path = path;
        return true;
    }
    /// Next record; false at the end or on error (then @p error is set).
    bool next(DinRecord *rec, QString *error)
    {
        for (;;) {
            const ssize_t n = ::getline(&m_line, &m_cap, m_file);
            if (n < 0) {
                if (std::ferror(m_file))
                    *error = QStringLiteral("trace: reading '%1' failed at line %2").arg(m_path).arg(m_lineNo + 1);
                return false;
            }
            ++m_lineNo;
            m_read += n;
            bool skip = false;
            QString why;
            if (!parseDinLine(m_line, m_line + n, rec, &skip, &why)) {
                *error = QStringLiteral("trace %1 line %2: %3").arg(QFileInfo(m_path).fileName()).arg(m_lineNo).arg(why);
                return false;
            }
            if (!skip)
                return true;
        }
    }
    double progress() const { return m_size > 0 ? double(m_read) / double(m_size) : 0.0; }
    qint64 lineNo() const { return m_lineNo; }

private:
    std::FILE *m_file = nullptr;
    char *m_line = nullptr;
    size_t m_cap = 0;
    qint64 m_lineNo = 0;
    qint64 m_read = 0;
    qint64 m_size = 0;
    QString m_path;
};

} // namespace

QString cacheBlockName(std::uint64_t index)
{
    QString name;
    std::uint64_t i = index;
    do {
        name.prepend(QChar(char('A' + i % 26)));
        i = i / 26;
    } while (i-- > 0);
    return name;
}

CacheEngine::CacheEngine()
    : Engine(EngineInfo{
          QString(kId),
          QStringLiteral("Cache model: what a context switch does to the cache"),
          Provenance::Model,
          QStringLiteral("A set-associative write-back cache (LRU, FIFO or random) replaying the "
                         "slides' switch scenario or a din address trace."),
          {QStringLiteral("T5")},
          {QString(kGridView)}})
{
}


ParamSchema CacheEngine::schema() const
{
    return ParamSchema{
        ParamSpec::bytes(QStringLiteral("size"), QStringLiteral("Cache size"), 1024, 64,
                         qint64(64) << 20, QStringLiteral("Total capacity of the cache (a power of two).")),
        ParamSpec::bytes(QStringLiteral("line"), QStringLiteral("Line size"), 64, 4, 4096,
                         QStringLiteral("Bytes per cache line, a power of two.")),
        ParamSpec::integer(QStringLiteral("ways"), QStringLiteral("Associativity"), 4, 1, 1024,
                           QStringLiteral("ways"),
                           QStringLiteral("Lines per set (1 = direct mapped; = lines for fully "
                                          "associative). A power of two.")),
        ParamSpec::choice(QStringLiteral("replacement"), QStringLiteral("Replacement"),
                          QStringLiteral("lru"),
                          {QStringLiteral("lru"), QStringLiteral("fifo"), QStringLiteral("random")},
                          QStringLiteral("Which line of a full set is evicted: least recently "
                                         "used, first in, or a random one.")),
        ParamSpec::bytes(QStringLiteral("a_bytes"), QStringLiteral("Working set of A"), 1024, 4,
                         qint64(16) << 20,
                         QStringLiteral("Scenario: bytes process A touches before and after the switch.")),
        ParamSpec::bytes(QStringLiteral("b_bytes"), QStringLiteral("Working set of B"), 512, 4,
                         qint64(16) << 20,
                         QStringLiteral("Scenario: bytes process B touches while it runs.")),
        ParamSpec::text(QStringLiteral("trace"), QStringLiteral("Trace file"), QString(),
                        QStringLiteral("A din trace ('label address [process]' per line; 0 read, "
                                       "1 write, 2 fetch, 4 flush). Empty: the slides' scenario.")),
        ParamSpec::integer(QStringLiteral("max_accesses"), QStringLiteral("Access limit"), 0, 0,
                           qint64(1) << 40, QStringLiteral("accesses"),
                           QStringLiteral("Stop a trace after this many accesses (0 = all).")),
        ParamSpec::integer(QStringLiteral("seed"), QStringLiteral("Random seed"), 1, 0, 1000000, {},
                           QStringLiteral("Seed of the random replacement policy.")),
    };
}

void CacheEngine::run()
{
    CacheGeometry g;
    g.sizeBytes = static_cast<std::uint64_t>(intParam(QStringLiteral("size")));
    g.lineBytes = static_cast<std::uint32_t>(intParam(QStringLiteral("line")));
    g.ways = static_cast<std::uint32_t>(intParam(QStringLiteral("ways")));
    g.replacement = replacementFromId(textParam(QStringLiteral("replacement"))).value_or(Replacement::Lru);
    const QString tracePath = textParam(QStringLiteral("trace")).trimmed();
    const bool scenario = tracePath.isEmpty();
    const qint64 maxAccesses = intParam(QStringLiteral("max_accesses"));

    auto fail = [&](const QString &why) {
        auto snap = std::make_shared<CacheSnapshot>();
        snap->geometry = g;
        snap->status = why;
        snap->result = makeResult();
        snap->result.error = why;
        publish(snap);
    };
    if (const QString bad = g.check(); !bad.isEmpty()) {
        fail(bad);
        return;
    }

    TraceReader reader;
    std::vector<ScenarioAccess> script;
    if (scenario) {
        script = buildScenario(static_cast<std::uint64_t>(intParam(QStringLiteral("a_bytes"))),
                               static_cast<std::uint64_t>(intParam(QStringLiteral("b_bytes"))), g.lineBytes);
    } else {
        QString error;
        if (!reader.open(tracePath, &error)) {
            fail(error);
            return;
        }
    }

    CacheModel model(g, static_cast<std::uint64_t>(intParam(QStringLiteral("seed"))) + 1);
    const bool withGrid = g.lines() <= kMaxGridLines;

    // The running state every frame copies.
    CacheSnapshot state;
    state.geometry = g;
    state.hasGrid = withGrid;
    state.scenario = scenario;
    if (scenario)
        state.blockBase = {kBaseA >> std::countr_zero(g.lineBytes), kBaseB >> std::countr_zero(g.lineBytes)};
    if (withGrid)
        state.lines.assign(g.lines(), CacheLineView{});
    int ownersSeen = scenario ? 2 : 1;
    std::uint64_t chartStride = 1;
    qint64 refillMisses = 0;
    qint64 bEvictedA = 0;
    std::vector<std::uint64_t> phaseMisses(3, 0);
    std::size_t touchedLine = SIZE_MAX;

    auto ownerName = [&](int o) {
        if (scenario)
            return o == 0 ? QStringLiteral("A") : QStringLiteral("B");
        return QStringLiteral("p%1").arg(o);
    };
    auto fillFrame = [&](CacheSnapshot &s, double progress, const QString &status) {
        s.status = status;
        s.progress = progress;
        s.totals = model.totals();
        s.perOwner.clear();
        for (int o = 0; o < ownersSeen; ++o)
            s.perOwner.push_back(model.perOwner(o));
        s.ownerNames.clear();
        for (int o = 0; o < ownersSeen; ++o)
            s.ownerNames << ownerName(o);
        s.refillMisses = refillMisses;
    };
    auto syncGridLine = [&](std::size_t i, CacheLineView::Event ev) {
        CacheLineView &l = state.lines[i];
        l.valid = model.valid(i);
        l.dirty = model.dirty(i);
        l.owner = model.owner(i);
        l.block = model.block(i);
        l.event = ev;
    };

    const auto t0 = std::chrono::steady_clock::now();
    auto lastPublish = t0;
    std::uint64_t index = 0;
    const std::size_t total = script.size();
    QString error;
    bool stopped = false;

    for (;;) {
        if (maxAccesses > 0 && index >= static_cast<std::uint64_t>(maxAccesses))
            break;
        DinRecord rec;
        int phase = 0;
        std::uint64_t blockIndex = 0;
        if (scenario) {
            if (index >= total)
                break;
            rec = script[index].rec;
            phase = script[index].phase;
            blockIndex = script[index].blockIndex;
        } else if (!reader.next(&rec, &error)) {
            break;
        }

        // Animated playback gates every access; flat out only every batch (the
        // mutex in checkpoint() would otherwise cost more than the access).
        const bool animated = speed() > 0;
        if ((animated || index % kBatch == 0) && !checkpoint()) {
            stopped = true;
            break;
        }

        if (rec.label == 4) {
            model.flush();
            if (withGrid) {
                for (std::size_t i = 0; i < state.lines.size(); ++i)
                    syncGridLine(i, CacheLineView::Event::None);
            }
            ++index;
            continue;
        }
        if (rec.owner >= ownersSeen)
            ownersSeen = rec.owner + 1;
        const AccessKind kind = rec.label == 1 ? AccessKind::Write
            : rec.label == 2                   ? AccessKind::Fetch
                                               : AccessKind::Read;
        const AccessOutcome out = model.access(rec.address, kind, rec.owner);
        if (!out.hit)
            ++phaseMisses[std::min(phase, 2)];
        if (scenario && phase == 2 && !out.hit)
            ++refillMisses;
        if (scenario && phase == 1 && out.evicted && out.evictedOwner == 0)
            ++bEvictedA;

        // Running hit rate, thinned to at most kMaxChartPoints points.
        if (index % chartStride == 0) {
            const CacheCounters t = model.totals();
            state.hitRateX.push_back(double(index + 1));
            state.hitRateY.push_back(100.0 * t.hitRate());
            if (state.hitRateX.size() > kMaxChartPoints) {
                std::size_t j = 0;
                for (std::size_t k = 0; k < state.hitRateX.size(); k += 2, ++j) {
                    state.hitRateX[j] = state.hitRateX[k];
                    state.hitRateY[j] = state.hitRateY[k];
                }
                state.hitRateX.resize(j);
                state.hitRateY.resize(j);
                chartStride *= 2;
            }
        }

        if (animated) {
            if (withGrid) {
                if (touchedLine != SIZE_MAX)
                    state.lines[touchedLine].event = CacheLineView::Event::None;
                touchedLine = std::size_t(out.set) * g.ways + out.way;
                syncGridLine(touchedLine, out.hit ? CacheLineView::Event::Hit
                                          : out.evicted ? CacheLineView::Event::FillAfterEvict
                                                        : CacheLineView::Event::Fill);
            }
            state.accessIndex = qint64(index);
            state.current = rec;
            state.outcome = out;
            state.phaseIndex = phase;
            state.phase = scenario ? QString::fromLatin1(kPhaseNames[phase]) : QString();
            QString what;
            if (scenario)
                what = QStringLiteral("%1 %2 block %3").arg(ownerName(rec.owner), kindVerb(rec.label), cacheBlockName(blockIndex));
            else
                what = QStringLiteral("%1 %2 0x%3").arg(ownerName(rec.owner), kindVerb(rec.label)).arg(rec.address, 0, 16);
            QString result = out.hit ? QStringLiteral("hit in set %1").arg(out.set)
                                     : QStringLiteral("miss, loaded into set %1 way %2").arg(out.set).arg(out.way);
            if (out.evicted) {
                const QString victim = scenario
                    ? QStringLiteral("%1's block %2")
                          .arg(ownerName(out.evictedOwner),
                               cacheBlockName(out.evictedBlock
                                              - ((out.evictedOwner == 0 ? kBaseA : kBaseB) >> std::countr_zero(g.lineBytes))))
                    : QStringLiteral("%1's block 0x%2").arg(ownerName(out.evictedOwner)).arg(out.evictedBlock * g.lineBytes, 0, 16);
                result += QStringLiteral(", evicts %1%2").arg(victim, out.writeBack ? QStringLiteral(" (dirty: written back)") : QString());
            }
            state.currentLabel = what;
            const double progress = scenario ? double(index + 1) / double(total) : reader.progress();
            auto frame = std::make_shared<CacheSnapshot>(state);
            fillFrame(*frame, progress, QStringLiteral("access %1: %2: %3").arg(index + 1).arg(what, result));
            publish(frame);
            ++index;
            if (!pace(kSecondsPerAccess)) {
                stopped = true;
                break;
            }
            continue;
        }
        ++index;
        // Flat out: a progress frame about five times a second.
        if (index % kBatch == 0) {
            const auto now = std::chrono::steady_clock::now();
            if (now - lastPublish > std::chrono::milliseconds(200)) {
                lastPublish = now;
                auto frame = std::make_shared<CacheSnapshot>(state);
                frame->hasGrid = false; // the grid is only synced in animated runs
                frame->lines.clear();
                fillFrame(*frame, scenario ? double(index) / double(total) : reader.progress(),
                          QStringLiteral("%1 accesses simulated").arg(index));
                publish(frame);
            }
        }
    }

    const double elapsedS = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // The final grid is exact whatever the pace: sync every line once.
    if (withGrid) {
        for (std::size_t i = 0; i < state.lines.size(); ++i)
            syncGridLine(i, state.lines[i].event);
    }
    if (state.hitRateX.empty() || state.hitRateX.back() != double(index)) {
        state.hitRateX.push_back(double(index));
        state.hitRateY.push_back(100.0 * model.totals().hitRate());
    }

    Result r = makeResult();
    const CacheCounters t = model.totals();
    r.summary.insert(QStringLiteral("accesses"), double(t.accesses()));
    r.summary.insert(QStringLiteral("hits"), double(t.hits));
    r.summary.insert(QStringLiteral("misses"), double(t.misses));
    r.summary.insert(QStringLiteral("evictions"), double(t.evictions));
    r.summary.insert(QStringLiteral("write_backs"), double(t.writeBacks));
    r.summary.insert(QStringLiteral("hit_rate_percent"), 100.0 * t.hitRate());
    r.summary.insert(QStringLiteral("sets"), double(g.sets()));
    r.summary.insert(QStringLiteral("lines"), double(g.lines()));
    for (int o = 0; o < ownersSeen; ++o) {
        const CacheCounters &c = model.perOwner(o);
        const QString n = scenario ? ownerName(o).toLower() : ownerName(o);
        r.summary.insert(QStringLiteral("%1_hits").arg(n), double(c.hits));
        r.summary.insert(QStringLiteral("%1_misses").arg(n), double(c.misses));
        r.summary.insert(QStringLiteral("%1_evicted").arg(n), double(c.evictions));
    }
    if (scenario) {
        r.summary.insert(QStringLiteral("refill_misses"), double(refillMisses));
        r.summary.insert(QStringLiteral("a_lines_evicted_by_b"), double(bEvictedA));
        r.summary.insert(QStringLiteral("misses_phase_a"), double(phaseMisses[0]));
        r.summary.insert(QStringLiteral("misses_phase_b"), double(phaseMisses[1]));
        r.summary.insert(QStringLiteral("misses_phase_c"), double(phaseMisses[2]));
    } else {
        r.summary.insert(QStringLiteral("trace_lines"), double(reader.lineNo()));
    }
    if (elapsedS > 0)
        r.summary.insert(QStringLiteral("simulated_accesses_per_sec"), double(index) / elapsedS);

    Series hr;
    hr.name = QStringLiteral("running hit rate (model)");
    hr.xLabel = QStringLiteral("access number");
    hr.yLabel = QStringLiteral("hit rate (%)");
    hr.x = state.hitRateX;
    hr.y = state.hitRateY;
    r.series.push_back(hr);
    Series ms;
    ms.name = QStringLiteral("misses per set (model)");
    ms.xLabel = QStringLiteral("set");
    ms.yLabel = QStringLiteral("misses");
    ms.style = Series::Style::Bars;
    r.table.columns = {QStringLiteral("set"), QStringLiteral("hits"), QStringLiteral("misses"),
                       QStringLiteral("evictions"), QStringLiteral("write_backs")};
    const auto &perSet = model.perSet();
    for (std::size_t s = 0; s < perSet.size(); ++s) {
        ms.x.push_back(double(s));
        ms.y.push_back(double(perSet[s].misses));
        if (perSet.size() <= 65536)
            r.table.rows.push_back({qint64(s), qint64(perSet[s].hits), qint64(perSet[s].misses),
                                    qint64(perSet[s].evictions), qint64(perSet[s].writeBacks)});
    }
    r.series.push_back(ms);
    if (!error.isEmpty())
        r.error = error;

    auto last = std::make_shared<CacheSnapshot>(state);
    fillFrame(*last, 1.0,
              !error.isEmpty() ? error
                  : stopped    ? QStringLiteral("stopped after %1 accesses").arg(index)
                               : QStringLiteral("done: %1 accesses, hit rate %2% (model)")
                                     .arg(index)
                                     .arg(100.0 * t.hitRate(), 0, 'f', 1));
    last->result = r;
    publish(last);
}


} // namespace proclab
