#pragma once

#include "dintracereader.h"

#include <QString>

#include <cstdint>
#include <vector>

namespace proclab {

/**
 * @brief One access of the slides' scenario, with the phase it belongs to.
 */
struct CacheScenarioAccess {
    DinRecord record;
    int phase = 0; ///< 0: (a) A runs, 1: (b) switched to B, 2: (c) back in A
    std::uint64_t blockIndex = 0; ///< index within its process's working set (0 = block "A")
};

/**
 * @brief The slides' context-switch scenario as a list of accesses.
 *
 * (a) Process A walks its working set twice (a cold pass that writes every
 * fourth block, then a warm pass); (b) after a switch, process B walks its own
 * blocks twice; (c) back in A, block D first (as in the slides' figure), then
 * the rest of A's blocks. A and B live at base addresses far apart with the
 * same set alignment, so they compete for the same sets.
 */
class CacheScenario {
public:
    static constexpr std::uint64_t kBaseA = 0x10000; ///< byte address of A's block "A"
    static constexpr std::uint64_t kBaseB = 0x80000; ///< byte address of B's block "A"
    static constexpr int kPhases = 3;

    /// @brief The scenario for working sets of @p aBytes and @p bBytes (at least one line each).
    CacheScenario(std::uint64_t aBytes, std::uint64_t bBytes, std::uint32_t lineBytes);

    const std::vector<CacheScenarioAccess> &accesses() const { return m_accesses; }
    /// @brief Blocks in A's and B's working sets.
    std::uint64_t blocksOfA() const { return m_blocksA; }
    std::uint64_t blocksOfB() const { return m_blocksB; }

    /// @brief The base byte address of @p owner's working set (0 = A, otherwise B).
    static std::uint64_t baseAddress(int owner) { return owner == 0 ? kBaseA : kBaseB; }
    /// @brief "A" or "B".
    static QString ownerName(int owner);
    /// @brief English name of phase 0..2, "(a) process A runs" ...
    static QString phaseName(int phase);

private:
    std::vector<CacheScenarioAccess> m_accesses;
    std::uint64_t m_blocksA = 0;
    std::uint64_t m_blocksB = 0;
};

/// The name of block @p index of a scenario working set: A, B, ..., Z, AA, AB, ...
QString cacheBlockName(std::uint64_t index);

} // namespace proclab
