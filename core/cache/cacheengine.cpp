#include "cacheengine.h"

#include "cachereplay.h"
#include "cachescenario.h"
#include "dintracereader.h"

#include "common/clock.h"

#include <memory>
#include <optional>

namespace proclab {

namespace {

// Model time per access at speed 1: slow enough to follow one access at a time.
constexpr double kSecondsPerAccess = 0.5;
// At speed 0 the run checks for stop/pause once per this many accesses.
constexpr std::uint64_t kBatch = 1u << 16;
// At speed 0 a progress frame at most this often.
constexpr std::int64_t kFlatOutFrameNs = 200'000'000;

} // namespace

CacheEngine::CacheEngine()
    : ConfiguredEngine(EngineInfo {QString(kId),
        QStringLiteral("Cache model: what a context switch does to the cache"), Provenance::Model,
        QStringLiteral("A set-associative write-back cache (LRU, FIFO or random) replaying the "
                       "slides' switch scenario or a din address trace."),
        {QStringLiteral("T5")}, {QString(kGridView)}})
{
}

ParamSchema CacheEngine::schema() const
{
    return ParamSchema {
        ParamSpec::bytes(QStringLiteral("size"), QStringLiteral("Cache size"), 1024, 64, qint64(64) << 20,
            QStringLiteral("Total capacity of the cache (a power of two).")),
        ParamSpec::bytes(QStringLiteral("line"), QStringLiteral("Line size"), 64, 4, 4096,
            QStringLiteral("Bytes per cache line, a power of two.")),
        ParamSpec::integer(QStringLiteral("ways"), QStringLiteral("Associativity"), 4, 1, 1024,
            QStringLiteral("ways"),
            QStringLiteral("Lines per set (1 = direct mapped; = lines for fully "
                           "associative). A power of two.")),
        ParamSpec::choice(QStringLiteral("replacement"), QStringLiteral("Replacement"), QStringLiteral("lru"),
            {QStringLiteral("lru"), QStringLiteral("fifo"), QStringLiteral("random")},
            QStringLiteral("Which line of a full set is evicted: least recently "
                           "used, first in, or a random one.")),
        ParamSpec::bytes(QStringLiteral("a_bytes"), QStringLiteral("Working set of A"), 1024, 4,
            qint64(16) << 20,
            QStringLiteral("Scenario: bytes process A touches before and after the switch.")),
        ParamSpec::bytes(QStringLiteral("b_bytes"), QStringLiteral("Working set of B"), 512, 4,
            qint64(16) << 20, QStringLiteral("Scenario: bytes process B touches while it runs.")),
        ParamSpec::text(QStringLiteral("trace"), QStringLiteral("Trace file"), QString(),
            QStringLiteral("A din trace ('label address [process]' per line; 0 read, "
                           "1 write, 2 fetch, 4 flush). Empty: the slides' scenario."))
            .withEffect(ParamSpec::Effect::ReadsFile),
        ParamSpec::integer(QStringLiteral("max_accesses"), QStringLiteral("Access limit"), 0, 0,
            qint64(1) << 40, QStringLiteral("accesses"),
            QStringLiteral("Stop a trace after this many accesses (0 = all).")),
        ParamSpec::integer(QStringLiteral("seed"), QStringLiteral("Random seed"), 1, 0, 1000000, {},
            QStringLiteral("Seed of the random replacement policy.")),
    };
}

std::vector<OutputSpec> CacheEngine::outputs() const
{
    std::vector<OutputSpec> out {
        {QStringLiteral("accesses"), {}, QStringLiteral("accesses simulated (flushes not counted)")},
        {QStringLiteral("hits"), {}, QStringLiteral("accesses that found their line in the cache")},
        {QStringLiteral("misses"), {}, QStringLiteral("accesses that had to load their line")},
        {QStringLiteral("evictions"), {}, QStringLiteral("valid lines replaced to make room")},
        {QStringLiteral("write_backs"), {},
            QStringLiteral("dirty lines written back (on eviction or flush)")},
        {QStringLiteral("hit_rate_percent"), QStringLiteral("%"), QStringLiteral("hits / accesses")},
        {QStringLiteral("sets"), {}, QStringLiteral("sets of the cache (lines / ways)")},
        {QStringLiteral("lines"), {}, QStringLiteral("lines of the cache (size / line size)")},
        {QStringLiteral("refill_misses"), {},
            QStringLiteral("scenario: misses of A after it is back (phase c)")},
        {QStringLiteral("a_lines_evicted_by_b"), {},
            QStringLiteral("scenario: lines of A evicted while B ran")},
        {QStringLiteral("misses_phase_a"), {},
            QStringLiteral("scenario: misses while A first runs (cold fill)")},
        {QStringLiteral("misses_phase_b"), {}, QStringLiteral("scenario: misses while B runs")},
        {QStringLiteral("misses_phase_c"), {}, QStringLiteral("scenario: misses after switching back to A")},
        {QStringLiteral("trace_lines"), {}, QStringLiteral("trace: lines read from the trace file")},
        {QStringLiteral("simulated_accesses_per_sec"), QStringLiteral("accesses/s"),
            QStringLiteral("records replayed per second of the run (model speed, not a cache figure)")},
    };
    // Per owner: A and B in the scenario, p0..p15 in traces.
    QStringList owners {QStringLiteral("a"), QStringLiteral("b")};
    for (int o = 0; o < CacheModel::kMaxOwners; ++o)
        owners << QStringLiteral("p%1").arg(o);
    for (const QString &o : owners) {
        out.push_back(
            {o + QStringLiteral("_hits"), {}, QStringLiteral("hits of process %1's accesses").arg(o)});
        out.push_back(
            {o + QStringLiteral("_misses"), {}, QStringLiteral("misses of process %1's accesses").arg(o)});
        out.push_back(
            {o + QStringLiteral("_evicted"), {}, QStringLiteral("lines of process %1 evicted").arg(o)});
    }
    return out;
}

void CacheEngine::run()
{
    const CacheConfig &c = config();
    const bool scenario = c.isScenario();
    std::optional<CacheScenario> script;
    DinTraceReader reader;
    if (scenario) {
        script.emplace(c.aBytes, c.bBytes, c.geometry.lineBytes);
    } else if (QString why; !reader.open(c.tracePath, &why)) {
        auto snap = std::make_shared<CacheSnapshot>();
        snap->geometry = c.geometry;
        snap->status = why;
        snap->result = makeResult();
        snap->result.error = why;
        publish(snap);
        return;
    }

    CacheReplay replay(c.geometry, c.seed + 1, scenario);
    const std::int64_t t0 = monotonicNs();
    std::int64_t lastPublishNs = t0;
    std::uint64_t index = 0;
    const std::size_t total = scenario ? script->accesses().size() : 0;
    QString error;
    bool stopped = false;

    for (;;) {
        if (c.maxAccesses > 0 && index >= static_cast<std::uint64_t>(c.maxAccesses))
            break;
        DinRecord rec;
        int phase = 0;
        std::uint64_t blockIndex = 0;
        if (scenario) {
            if (index >= total)
                break;
            const CacheScenarioAccess &a = script->accesses()[index];
            rec = a.record;
            phase = a.phase;
            blockIndex = a.blockIndex;
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

        const std::optional<AccessOutcome> out = replay.apply(index, rec, phase);
        if (!out) { // a flush
            ++index;
            continue;
        }
        if (animated) {
            const QString status = replay.showAccess(index, rec, phase, blockIndex, *out);
            const double progress = scenario ? double(index + 1) / double(total) : reader.progress();
            publish(replay.frame(progress, status));
            ++index;
            if (!pace(kSecondsPerAccess)) {
                stopped = true;
                break;
            }
            continue;
        }
        ++index;
        // Flat out: a progress frame about five times a second, without the grid
        // (it is only synced in animated runs).
        if (index % kBatch == 0) {
            const std::int64_t now = monotonicNs();
            if (now - lastPublishNs > kFlatOutFrameNs) {
                lastPublishNs = now;
                publish(replay.frame(scenario ? double(index) / double(total) : reader.progress(),
                    QStringLiteral("%1 accesses simulated").arg(index), false));
            }
        }
    }

    const double elapsedS = double(monotonicNs() - t0) / 1e9;
    replay.finish(index);
    const Result r = buildResult(replay, index, reader.lineNo(), elapsedS, error);
    auto last = replay.frame(1.0,
        !error.isEmpty() ? error
            : stopped    ? QStringLiteral("stopped after %1 accesses").arg(index)
                         : QStringLiteral("done: %1 accesses, hit rate %2% (model)")
                            .arg(index)
                            .arg(100.0 * replay.model().totals().hitRate(), 0, 'f', 1));
    last->result = r;
    publish(last);
}

Result CacheEngine::buildResult(const CacheReplay &replay, std::uint64_t records, qint64 traceLines,
    double elapsedS, const QString &error) const
{
    Result r = makeResult();
    const CacheModel &model = replay.model();
    const CacheGeometry &g = model.geometry();
    const CacheCounters t = model.totals();
    r.summary.insert(QStringLiteral("accesses"), double(t.accesses()));
    r.summary.insert(QStringLiteral("hits"), double(t.hits));
    r.summary.insert(QStringLiteral("misses"), double(t.misses));
    r.summary.insert(QStringLiteral("evictions"), double(t.evictions));
    r.summary.insert(QStringLiteral("write_backs"), double(t.writeBacks));
    r.summary.insert(QStringLiteral("hit_rate_percent"), 100.0 * t.hitRate());
    r.summary.insert(QStringLiteral("sets"), double(g.sets()));
    r.summary.insert(QStringLiteral("lines"), double(g.lines()));
    for (int o = 0; o < replay.ownersSeen(); ++o) {
        const CacheCounters &c = model.perOwner(o);
        const QString n = replay.isScenario() ? replay.ownerName(o).toLower() : replay.ownerName(o);
        r.summary.insert(QStringLiteral("%1_hits").arg(n), double(c.hits));
        r.summary.insert(QStringLiteral("%1_misses").arg(n), double(c.misses));
        r.summary.insert(QStringLiteral("%1_evicted").arg(n), double(c.evictions));
    }
    if (replay.isScenario()) {
        r.summary.insert(QStringLiteral("refill_misses"), double(replay.refillMisses()));
        r.summary.insert(QStringLiteral("a_lines_evicted_by_b"), double(replay.aLinesEvictedByB()));
        r.summary.insert(QStringLiteral("misses_phase_a"), double(replay.phaseMisses(0)));
        r.summary.insert(QStringLiteral("misses_phase_b"), double(replay.phaseMisses(1)));
        r.summary.insert(QStringLiteral("misses_phase_c"), double(replay.phaseMisses(2)));
    } else {
        r.summary.insert(QStringLiteral("trace_lines"), double(traceLines));
    }
    if (elapsedS > 0)
        r.summary.insert(QStringLiteral("simulated_accesses_per_sec"), double(records) / elapsedS);

    r.series.push_back(replay.hitRate());
    Series ms;
    ms.id = QStringLiteral("misses_per_set");
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
    return r;
}

} // namespace proclab
