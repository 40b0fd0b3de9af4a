#include "cachereplay.h"

#include "cachescenario.h"

#include <bit>

namespace proclab {

namespace {

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

} // namespace

CacheReplay::CacheReplay(const CacheGeometry &geometry, std::uint64_t randomSeed, bool scenario)
    : m_model(geometry, randomSeed)
    , m_ownersSeen(scenario ? 2 : 1)
{
    m_state.geometry = geometry;
    m_state.hasGrid = geometry.lines() <= kMaxGridLines;
    m_state.scenario = scenario;
    if (scenario) {
        const int shift = std::countr_zero(geometry.lineBytes);
        m_state.blockBase = {CacheScenario::kBaseA >> shift, CacheScenario::kBaseB >> shift};
    }
    if (m_state.hasGrid)
        m_lines.assign(geometry.lines(), CacheLineView {});
    m_state.hitRate.id = QStringLiteral("hit_rate");
    m_state.hitRate.name = QStringLiteral("running hit rate (model)");
    m_state.hitRate.xLabel = QStringLiteral("access number");
    m_state.hitRate.yLabel = QStringLiteral("hit rate (%)");
}

QString CacheReplay::ownerName(int owner) const
{
    if (m_state.scenario)
        return CacheScenario::ownerName(owner);
    return QStringLiteral("p%1").arg(owner);
}

void CacheReplay::addChartPoint(std::uint64_t index)
{
    std::vector<double> &x = m_state.hitRate.x;
    std::vector<double> &y = m_state.hitRate.y;
    x.push_back(double(index + 1));
    y.push_back(100.0 * m_model.totals().hitRate());
    if (x.size() > kMaxChartPoints) {
        // Keep every second point and sample half as often from now on.
        std::size_t j = 0;
        for (std::size_t k = 0; k < x.size(); k += 2, ++j) {
            x[j] = x[k];
            y[j] = y[k];
        }
        x.resize(j);
        y.resize(j);
        m_chartStride *= 2;
    }
}

void CacheReplay::syncLine(std::size_t i, CacheLineView::Event event)
{
    CacheLineView &l = m_lines[i];
    l.valid = m_model.valid(i);
    l.dirty = m_model.dirty(i);
    l.owner = m_model.owner(i);
    l.block = m_model.block(i);
    l.event = event;
}

void CacheReplay::syncAllLines(bool keepEvents)
{
    for (std::size_t i = 0; i < m_lines.size(); ++i)
        syncLine(i, keepEvents ? m_lines[i].event : CacheLineView::Event::None);
}

QString CacheReplay::showAccess(
    std::uint64_t index, const DinRecord &rec, int phase, std::uint64_t blockIndex, const AccessOutcome &out)
{
    const CacheGeometry &g = m_model.geometry();
    if (m_state.hasGrid) {
        if (m_touchedLine != SIZE_MAX)
            m_lines[m_touchedLine].event = CacheLineView::Event::None;
        m_touchedLine = std::size_t(out.set) * g.ways + out.way;
        syncLine(m_touchedLine,
            out.hit           ? CacheLineView::Event::Hit
                : out.evicted ? CacheLineView::Event::FillAfterEvict
                              : CacheLineView::Event::Fill);
    }
    const bool scenario = m_state.scenario;
    m_state.accessIndex = qint64(index);
    m_state.current = rec;
    m_state.outcome = out;
    m_state.phaseIndex = phase;
    m_state.phase = scenario ? CacheScenario::phaseName(phase) : QString();
    QString what;
    if (scenario)
        what = QStringLiteral("%1 %2 block %3")
                   .arg(ownerName(rec.owner), kindVerb(rec.label), cacheBlockName(blockIndex));
    else
        what = QStringLiteral("%1 %2 0x%3")
                   .arg(ownerName(rec.owner), kindVerb(rec.label))
                   .arg(rec.address, 0, 16);
    QString result = out.hit ? QStringLiteral("hit in set %1").arg(out.set)
                             : QStringLiteral("miss, loaded into set %1 way %2").arg(out.set).arg(out.way);
    if (out.evicted) {
        const int shift = std::countr_zero(g.lineBytes);
        const QString victim = scenario
            ? QStringLiteral("%1's block %2")
                  .arg(ownerName(out.evictedOwner),
                      cacheBlockName(
                          out.evictedBlock - (CacheScenario::baseAddress(out.evictedOwner) >> shift)))
            : QStringLiteral("%1's block 0x%2")
                  .arg(ownerName(out.evictedOwner))
                  .arg(out.evictedBlock * g.lineBytes, 0, 16);
        result += QStringLiteral(", evicts %1%2")
                      .arg(victim, out.writeBack ? QStringLiteral(" (dirty: written back)") : QString());
    }
    m_state.currentLabel = what;
    return QStringLiteral("access %1: %2: %3").arg(index + 1).arg(what, result);
}

void CacheReplay::finish(std::uint64_t records)
{
    // The final grid is exact whatever the pace: sync every line once.
    if (m_state.hasGrid)
        syncAllLines(true);
    Series &hr = m_state.hitRate;
    if (hr.x.empty() || hr.x.back() != double(records)) {
        hr.x.push_back(double(records));
        hr.y.push_back(100.0 * m_model.totals().hitRate());
    }
}

std::shared_ptr<CacheSnapshot> CacheReplay::frame(double progress, const QString &status, bool withGrid) const
{
    auto s = std::make_shared<CacheSnapshot>(m_state);
    if (withGrid)
        s->lines = m_lines;
    else
        s->hasGrid = false;
    s->status = status;
    s->progress = progress;
    s->totals = m_model.totals();
    for (int o = 0; o < m_ownersSeen; ++o) {
        s->perOwner.push_back(m_model.perOwner(o));
        s->ownerNames << ownerName(o);
    }
    s->refillMisses = m_refillMisses;
    return s;
}

} // namespace proclab
