#include "cachemodel.h"

#include <algorithm>
#include <bit>

namespace proclab {

QString replacementId(Replacement r)
{
    switch (r) {
    case Replacement::Lru:
        return QStringLiteral("lru");
    case Replacement::Fifo:
        return QStringLiteral("fifo");
    case Replacement::Random:
        return QStringLiteral("random");
    }
    return {};
}

std::optional<Replacement> replacementFromId(const QString &id)
{
    const QString s = id.trimmed().toLower();
    if (s == QLatin1String("lru"))
        return Replacement::Lru;
    if (s == QLatin1String("fifo"))
        return Replacement::Fifo;
    if (s == QLatin1String("random"))
        return Replacement::Random;
    return std::nullopt;
}

QString CacheGeometry::check(QStringList *parameters) const
{
    auto refuse = [parameters](QStringList names, QString why) {
        if (parameters)
            *parameters = std::move(names);
        return why;
    };
    if (lineBytes == 0 || !std::has_single_bit(lineBytes))
        return refuse(
            {QStringLiteral("line")}, QStringLiteral("line size %1 B is not a power of two").arg(lineBytes));
    if (sizeBytes == 0 || !std::has_single_bit(sizeBytes))
        return refuse(
            {QStringLiteral("size")}, QStringLiteral("cache size %1 B is not a power of two").arg(sizeBytes));
    if (sizeBytes < lineBytes)
        return refuse({QStringLiteral("size"), QStringLiteral("line")},
            QStringLiteral("cache size %1 B is smaller than one line of %2 B").arg(sizeBytes).arg(lineBytes));
    if (ways == 0 || !std::has_single_bit(ways))
        return refuse(
            {QStringLiteral("ways")}, QStringLiteral("associativity %1 is not a power of two").arg(ways));
    if (ways > lines())
        return refuse({QStringLiteral("ways"), QStringLiteral("size"), QStringLiteral("line")},
            QStringLiteral("associativity %1 is more than the %2 lines of the cache").arg(ways).arg(lines()));
    return {};
}

CacheModel::CacheModel(const CacheGeometry &geometry, std::uint64_t randomSeed)
    : m_geometry(geometry)
    , m_ways(geometry.ways)
    , m_lineShift(static_cast<std::uint32_t>(std::countr_zero(geometry.lineBytes)))
    , m_setMask(geometry.sets() - 1)
    , m_rng(randomSeed ? randomSeed : 1)
    , m_lru(geometry.replacement == Replacement::Lru)
{
    const bool random = geometry.replacement == Replacement::Random;
    m_ordered = !random && m_ways <= kMaxOrderedWays;
    m_stamped = !random && !m_ordered;
    m_lastNibbleShift = 4 * (m_ways - 1);
    m_orderMask = m_ways >= 16 ? ~std::uint64_t(0) : (std::uint64_t(1) << (4 * m_ways)) - 1;
    const std::size_t n = geometry.lines();
    m_keys.assign(n, kInvalid);
    if (m_stamped)
        m_stamp.assign(n, 0);
    if (m_ordered)
        m_order.assign(geometry.sets(), emptyOrder());
    m_dirty.assign(n, 0);
    m_setCounters.assign(geometry.sets(), CacheCounters {});
    m_ownerCounters.assign(kMaxOwners, CacheCounters {});
}

std::uint64_t CacheModel::emptyOrder() const
{
    std::uint64_t order = 0;
    for (std::uint32_t w = 0; w < m_ways; ++w) // way w at position ways-1-w
        order |= std::uint64_t(w) << (4 * (m_ways - 1 - w));
    return order;
}

std::uint64_t CacheModel::flush()
{
    std::uint64_t written = 0;
    for (std::size_t i = 0; i < m_keys.size(); ++i) {
        if (m_keys[i] != kInvalid && m_dirty[i]) {
            ++written;
            const auto set = static_cast<std::uint32_t>(i / m_ways);
            ++m_setCounters[set].writeBacks;
            ++m_ownerCounters[m_keys[i] & kOwnerMask].writeBacks;
        }
        m_keys[i] = kInvalid;
        m_dirty[i] = 0;
    }
    std::fill(m_stamp.begin(), m_stamp.end(), 0);
    std::fill(m_order.begin(), m_order.end(), emptyOrder());
    m_lastKey = kInvalid;
    return written;
}

void CacheModel::renumberStamps()
{
    // Keep each set's order, forget the distances: the valid lines get ranks
    // 1..ways (oldest first), empty lines keep 0, and the clock restarts above them.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> order; // (stamp, way)
    const std::size_t sets = m_keys.size() / m_ways;
    for (std::size_t s = 0; s < sets; ++s) {
        const std::size_t base = s * m_ways;
        order.clear();
        for (std::uint32_t w = 0; w < m_ways; ++w) {
            if (m_keys[base + w] != kInvalid)
                order.emplace_back(m_stamp[base + w], w);
        }
        std::sort(order.begin(), order.end());
        for (std::size_t r = 0; r < order.size(); ++r)
            m_stamp[base + order[r].second] = static_cast<std::uint32_t>(r + 1);
    }
    m_clock = m_ways + 1;
}

CacheCounters CacheModel::totals() const
{
    CacheCounters t;
    for (const auto &c : m_setCounters) {
        t.hits += c.hits;
        t.misses += c.misses;
        t.evictions += c.evictions;
        t.writeBacks += c.writeBacks;
    }
    return t;
}

} // namespace proclab
