#pragma once

#include <QString>
#include <QStringList>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <optional>
#include <vector>

namespace proclab {

/// How a set chooses the line to evict.
enum class Replacement { Lru, Fifo, Random };

/// "lru", "fifo", "random".
QString replacementId(Replacement r);
std::optional<Replacement> replacementFromId(const QString &id);

/**
 * @brief The geometry of a set-associative cache. Sizes are powers of two.
 */
struct CacheGeometry {
    std::uint64_t sizeBytes = 1024;
    std::uint32_t lineBytes = 64;
    std::uint32_t ways = 4; ///< associativity; ways == lines means fully associative
    Replacement replacement = Replacement::Lru;

    std::uint32_t lines() const { return static_cast<std::uint32_t>(sizeBytes / lineBytes); }
    std::uint32_t sets() const { return lines() / ways; }
    /**
     * @brief Empty when the geometry is usable, otherwise one line saying what is wrong.
     * @param parameters when not null and the geometry is refused, set to the names of the
     *        engine parameters involved ("size", "line", "ways")
     */
    QString check(QStringList *parameters = nullptr) const;
};

/// The kind of an access, numbered as in the din trace format.
enum class AccessKind : std::uint8_t { Read = 0, Write = 1, Fetch = 2 };

/**
 * @brief What one access did to the cache.
 */
struct AccessOutcome {
    bool hit = false;
    bool evicted = false; ///< a valid line was replaced
    bool writeBack = false; ///< the replaced line was dirty: written back to memory
    std::uint32_t set = 0;
    std::uint32_t way = 0;
    std::uint16_t evictedOwner = 0;
    std::uint64_t evictedBlock = 0; ///< block address (address / line size) of the replaced line
};

/// Counters of hits, misses, evictions and write-backs.
struct CacheCounters {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::uint64_t evictions = 0;
    std::uint64_t writeBacks = 0;
    std::uint64_t accesses() const { return hits + misses; }
    double hitRate() const { return accesses() ? double(hits) / double(accesses()) : 0.0; }
};

/**
 * @brief A set-associative, write-back, write-allocate cache model.
 *
 * Built for speed: the sets and line size are powers of two (index by mask and
 * shift), every line's state lives in flat arrays allocated once, and an access
 * allocates nothing. Each line remembers its owner (a process id, 0..kMaxOwners-1);
 * the owner is part of the tag, so two processes' equal addresses are different
 * blocks (two address spaces) that still compete for the same sets.
 *
 * Replacement order: up to 16 ways, each set keeps its ways in one 64-bit word,
 * four bits per way, most recent (LRU) or newest (FIFO) first, so finding the
 * victim is a shift and a hit moves one nibble. Wider sets keep a 32-bit stamp
 * per line (last use or fill time) and evict the smallest.
 */
class CacheModel {
public:
    static constexpr int kMaxOwners = 16;

    /// @brief Builds an empty (cold) cache. @p geometry must pass check().
    explicit CacheModel(const CacheGeometry &geometry, std::uint64_t randomSeed = 1);

    const CacheGeometry &geometry() const { return m_geometry; }

    /// @brief Simulates one access by @p owner to byte address @p address.
    AccessOutcome access(std::uint64_t address, AccessKind kind, std::uint16_t owner = 0)
    {
        const std::uint64_t block = address >> m_lineShift;
        const std::uint32_t set = static_cast<std::uint32_t>(block & m_setMask);
        const std::uint64_t key = (block << kOwnerBits) | owner; // owner in the tag
        AccessOutcome out;
        out.set = set;
        // Most accesses touch the line the previous one touched (spatial locality):
        // that line is still in its place and already the most recent of its
        // set (first in the order, or the newest stamp), so the set need not be
        // searched nor its order changed.
        if (key == m_lastKey) {
            out.hit = true;
            out.way = m_lastWay;
            recordHit(static_cast<std::size_t>(set) * m_ways + m_lastWay, set, kind, owner);
            return out;
        }
        const std::size_t base = static_cast<std::size_t>(set) * m_ways;
        // Branch-free search of the set: every way is compared (a few
        // conditional moves), so only the hit/miss decision can mispredict.
        const std::uint64_t *keys = m_keys.data() + base;
        std::uint32_t way;
        switch (m_ways) { // the same branch every time: predicted perfectly
        case 1:
            way = findWay<1>(keys, key);
            break;
        case 2:
            way = findWay<2>(keys, key);
            break;
        case 4:
            way = findWay<4>(keys, key);
            break;
        case 8:
            way = findWay<8>(keys, key);
            break;
        case 16:
            way = findWay<16>(keys, key);
            break;
        default:
            way = findWay(keys, key, m_ways);
            break;
        }
        if (way != kNoWay) {
            out.hit = true;
            out.way = way;
            if (m_lru) {
                if (m_stamped)
                    touchStamp(base + way);
                else
                    moveToFront(set, way);
            }
            recordHit(base + way, set, kind, owner);
            remember(key, way);
            return out;
        }
        const std::uint32_t victim = chooseVictim(set, base);
        out.way = victim;
        const std::size_t i = base + victim;
        if (m_keys[i] != kInvalid) {
            out.evicted = true;
            out.evictedOwner = static_cast<std::uint16_t>(m_keys[i] & kOwnerMask);
            out.evictedBlock = m_keys[i] >> kOwnerBits;
            ++m_setCounters[set].evictions;
            ++m_ownerCounters[out.evictedOwner].evictions;
            const std::uint8_t wb = m_dirty[i]; // 0 or 1, counted without a branch
            out.writeBack = wb != 0;
            m_setCounters[set].writeBacks += wb;
            m_ownerCounters[out.evictedOwner].writeBacks += wb;
        }
        // Write-allocate: a write miss fetches the line too, then dirties it.
        m_keys[i] = key;
        m_dirty[i] = kind == AccessKind::Write ? 1 : 0;
        if (m_stamped)
            touchStamp(i); // LRU: last use; FIFO: fill time
        else if (m_ordered)
            moveToFront(set, victim);
        ++m_setCounters[set].misses;
        ++m_ownerCounters[owner].misses;
        remember(key, victim);
        return out;
    }

    /// @brief Moves the stamp clock to @p clock (tests reach the 32-bit wrap this way).
    void jumpClockForTesting(std::uint32_t clock) { m_clock = clock; }
    /// True when the replacement order is kept in 32-bit stamps (more than 16 ways).
    bool usesStamps() const { return m_stamped; }

    /// @brief Invalidates every line, writing back the dirty ones (din label 4).
    std::uint64_t flush();

    /// Total counters (sum over sets).
    CacheCounters totals() const;
    const std::vector<CacheCounters> &perSet() const { return m_setCounters; }
    const CacheCounters &perOwner(int owner) const { return m_ownerCounters[owner]; }

    /// Line state for drawing: index = set * ways + way.
    bool valid(std::size_t line) const { return m_keys[line] != kInvalid; }
    bool dirty(std::size_t line) const { return m_dirty[line] != 0; }
    std::uint16_t owner(std::size_t line) const
    {
        return static_cast<std::uint16_t>(m_keys[line] & kOwnerMask);
    }
    std::uint64_t block(std::size_t line) const { return m_keys[line] >> kOwnerBits; }

private:
    static constexpr int kOwnerBits = 4;
    static constexpr std::uint64_t kOwnerMask = (1u << kOwnerBits) - 1;
    static constexpr std::uint64_t kInvalid = ~std::uint64_t(0);
    static constexpr std::uint32_t kNoWay = ~std::uint32_t(0);
    static constexpr std::uint32_t kMaxOrderedWays = 16; ///< 16 nibbles in a 64-bit word
    static constexpr std::uint64_t kNibbleOnes = 0x1111111111111111ULL;
    /// Stamps are 32-bit (half the memory traffic of 64-bit ones); when the
    /// clock reaches this limit every set's stamps are renumbered by rank.
    static constexpr std::uint32_t kClockLimit = ~std::uint32_t(0);

    void recordHit(std::size_t line, std::uint32_t set, AccessKind kind, std::uint16_t owner)
    {
        // Branch-free: writes come in no pattern the predictor could learn.
        m_dirty[line] |= static_cast<std::uint8_t>(kind == AccessKind::Write);
        ++m_setCounters[set].hits;
        ++m_ownerCounters[owner].hits;
    }
    void remember(std::uint64_t key, std::uint32_t way)
    {
        m_lastKey = key;
        m_lastWay = way;
    }
    void touchStamp(std::size_t line)
    {
        if (++m_clock == kClockLimit) [[unlikely]]
            renumberStamps();
        m_stamp[line] = m_clock;
    }
    void renumberStamps();

    /// Makes @p way the first (most recent / newest) of @p set's order word.
    void moveToFront(std::uint32_t set, std::uint32_t way)
    {
        std::uint64_t &order = m_order[set];
        // Find the nibble equal to way: XOR zeroes it; the lowest zero nibble
        // (below it no borrow can arise) is exact. Only the set's ways count.
        const std::uint64_t x = order ^ (kNibbleOnes * way);
        const std::uint64_t zero = (x - kNibbleOnes) & ~x & (kNibbleOnes << 3) & m_orderMask;
        const unsigned shift = static_cast<unsigned>(std::countr_zero(zero)) & ~3u; // 4 * position
        const std::uint64_t below = order & ((std::uint64_t(1) << shift) - 1);
        const std::uint64_t above = shift >= 60 ? 0 : order & (~std::uint64_t(0) << (shift + 4));
        order = above | (below << 4) | way;
    }

    std::uint32_t chooseVictim(std::uint32_t set, std::size_t base)
    {
        if (m_ordered) // the last in the order: least recent (LRU) or oldest fill (FIFO)
            return static_cast<std::uint32_t>(m_order[set] >> m_lastNibbleShift) & 0xf;
        if (m_geometry.replacement == Replacement::Random) {
            // An invalid line first (cold miss), then a random way.
            for (std::uint32_t w = 0; w < m_ways; ++w) {
                if (m_keys[base + w] == kInvalid)
                    return w;
            }
            // xorshift64: fast, seeded, reproducible.
            m_rng ^= m_rng << 13;
            m_rng ^= m_rng >> 7;
            m_rng ^= m_rng << 17;
            return static_cast<std::uint32_t>(m_rng & (m_ways - 1)); // ways is a power of two
        }
        // Stamps: the smallest is the victim. Empty lines have stamp 0 and the
        // clock starts at 1, so an empty way is taken first, the lowest on ties.
        const std::uint32_t *stamp = m_stamp.data() + base;
        std::uint32_t victim = 0;
        std::uint32_t oldest = stamp[0];
        for (std::uint32_t w = 1; w < m_ways; ++w) {
            const bool older = stamp[w] < oldest;
            oldest = older ? stamp[w] : oldest;
            victim = older ? w : victim;
        }
        return victim;
    }

    /// The way of @p keys holding @p key, or kNoWay. Every way is compared with
    /// conditional moves, so only the caller's hit/miss test can mispredict.
    /// Valid lines never equal kInvalid.
    template<std::uint32_t Ways> static std::uint32_t findWay(const std::uint64_t *keys, std::uint64_t key)
    {
        std::uint32_t way = kNoWay;
#pragma GCC unroll 16
        for (std::uint32_t w = 0; w < Ways; ++w)
            way = keys[w] == key ? w : way;
        return way;
    }
    static std::uint32_t findWay(const std::uint64_t *keys, std::uint64_t key, std::uint32_t ways)
    {
        std::uint32_t way = kNoWay;
        for (std::uint32_t w = 0; w < ways; ++w)
            way = keys[w] == key ? w : way;
        return way;
    }

    /// The order word of an empty set: the ways from the back, lowest last, so
    /// empty ways fill in order 0, 1, 2, ...
    std::uint64_t emptyOrder() const;

    CacheGeometry m_geometry;
    std::uint32_t m_ways = 1;
    std::uint32_t m_lineShift = 6;
    std::uint64_t m_setMask = 0;
    std::uint32_t m_clock = 0;
    std::uint64_t m_rng = 1;
    bool m_lru = true;
    bool m_ordered = false; ///< LRU/FIFO with up to 16 ways: order words
    bool m_stamped = false; ///< LRU/FIFO with more ways: stamps
    unsigned m_lastNibbleShift = 0;
    std::uint64_t m_orderMask = 0; ///< the nibbles of the set's ways
    std::uint64_t m_lastKey = kInvalid; ///< the line the previous access touched
    std::uint32_t m_lastWay = 0;
    std::vector<std::uint64_t> m_keys; ///< (block << 4 | owner) or kInvalid
    std::vector<std::uint64_t> m_order; ///< per set, ordered mode: ways as nibbles, first = most recent
    std::vector<std::uint32_t> m_stamp; ///< per line, stamped mode: LRU last access, FIFO fill time; 0 empty
    std::vector<std::uint8_t> m_dirty;
    std::vector<CacheCounters> m_setCounters;
    std::vector<CacheCounters> m_ownerCounters;
};

} // namespace proclab
