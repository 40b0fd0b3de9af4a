#pragma once

#include <QString>

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
    /// Empty when the geometry is usable, otherwise one line saying what is wrong.
    QString check() const;
};

/// The kind of an access, numbered as in the din trace format.
enum class AccessKind : std::uint8_t { Read = 0, Write = 1, Fetch = 2 };

/**
 * @brief What one access did to the cache.
 */
struct AccessOutcome {
    bool hit = false;
    bool evicted = false;       ///< a valid line was replaced
    bool writeBack = false;     ///< the replaced line was dirty: written back to memory
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
        const std::size_t base = static_cast<std::size_t>(set) * m_ways;
        ++m_clock;
        AccessOutcome out;
        out.set = set;
        // Branch-free search of the set: every way is compared (a few
        // conditional moves), so only the hit/miss decision can mispredict.
        const std::uint64_t *keys = m_keys.data() + base;
        std::size_t hitIndex = kNoLine;
        for (std::uint32_t w = 0; w < m_ways; ++w)
            hitIndex = keys[w] == key ? base + w : hitIndex; // valid lines never equal kInvalid
        if (hitIndex != kNoLine) {
            out.hit = true;
            out.way = static_cast<std::uint32_t>(hitIndex - base);
            if (m_lru)
                m_stamp[hitIndex] = m_clock;
            // Branch-free: a quarter of the accesses are writes, in no pattern.
            m_dirty[hitIndex] |= static_cast<std::uint8_t>(kind == AccessKind::Write);
            ++m_setCounters[set].hits;
            ++m_ownerCounters[owner].hits;
            return out;
        }
        const std::uint32_t victim = chooseVictim(base);
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
        m_stamp[i] = m_clock; // LRU: last use; FIFO: insertion time
        m_dirty[i] = kind == AccessKind::Write ? 1 : 0;
        ++m_setCounters[set].misses;
        ++m_ownerCounters[owner].misses;
        return out;
    }

    /// @brief Invalidates every line, writing back the dirty ones (din label 4).
    std::uint64_t flush();

    /// Total counters (sum over sets).
    CacheCounters totals() const;
    const std::vector<CacheCounters> &perSet() const { return m_setCounters; }
    const CacheCounters &perOwner(int owner) const { return m_ownerCounters[owner]; }

    /// Line state for drawing: index = set * ways + way.
    bool valid(std::size_t line) const { return m_keys[line] != kInvalid; }
    bool dirty(std::size_t line) const { return m_dirty[line] != 0; }
    std::uint16_t owner(std::size_t line) const { return static_cast<std::uint16_t>(m_keys[line] & kOwnerMask); }
    std::uint64_t block(std::size_t line) const { return m_keys[line] >> kOwnerBits; }

private:
    static constexpr int kOwnerBits = 4;
    static constexpr std::uint64_t kOwnerMask = (1u << kOwnerBits) - 1;
    static constexpr std::uint64_t kInvalid = ~std::uint64_t(0);
    static constexpr std::size_t kNoLine = ~std::size_t(0);

    std::uint32_t chooseVictim(std::size_t base)
    {
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
        // LRU and FIFO both evict the smallest stamp; they differ in when it is
        // set (every use vs. the fill). Invalid lines have stamp 0 and the clock
        // starts at 1, so an empty way is taken first, the lowest one on ties.
        const std::uint64_t *stamp = m_stamp.data() + base;
        std::uint32_t victim = 0;
        std::uint64_t oldest = stamp[0];
        for (std::uint32_t w = 1; w < m_ways; ++w) {
            const bool older = stamp[w] < oldest;
            oldest = older ? stamp[w] : oldest;
            victim = older ? w : victim;
        }
        return victim;
    }

    CacheGeometry m_geometry;
    std::uint32_t m_ways = 1;
    std::uint32_t m_lineShift = 6;
    std::uint64_t m_setMask = 0;
    std::uint64_t m_clock = 0;
    std::uint64_t m_rng = 1;
    bool m_lru = true;
    std::vector<std::uint64_t> m_keys;  ///< (block << 4 | owner) or kInvalid
    std::vector<std::uint64_t> m_stamp; ///< LRU: last access; FIFO: fill time
    std::vector<std::uint8_t> m_dirty;
    std::vector<CacheCounters> m_setCounters;
    std::vector<CacheCounters> m_ownerCounters;
};

/**
 * @brief One record of a din trace: "label address [owner]".
 */
struct DinRecord {
    int label = 0;            ///< 0 read, 1 write, 2 instruction fetch, 3 unknown (read), 4 flush
    std::uint64_t address = 0;
    std::uint16_t owner = 0;  ///< ProcLab extension: optional third column, process 0..15
};

/**
 * @brief Parses one line of a din trace.
 * @return true with @p out filled, or true with @p skip set for blank and '#' lines;
 *         false with a one-line @p error (without the line number) when malformed
 */
bool parseDinLine(const char *begin, const char *end, DinRecord *out, bool *skip, QString *error);

} // namespace proclab
