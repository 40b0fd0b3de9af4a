#pragma once

#include <cstdint>
#include <vector>

namespace proclab {

/// The value the buggy loop writes: a word holding it was overwritten.
inline constexpr std::uint64_t kStrayValue = 0xBADBADBADULL;

/**
 * @brief The protection demo's ledger: @p words words of account balances, the last word
 * holding a checksum of the others. Plain functions on memory the demo owns.
 */
void buildLedger(std::uint64_t *ledger, int words);

/// @brief Whether the ledger's last word still matches the checksum of the others.
bool ledgerOk(const std::uint64_t *ledger, int words);

/**
 * @brief The bug: a loop meant to clear the first @p ownWords words of @p arena runs
 * @p strayWords words too far (never past the arena's end). The arena belongs to the demo,
 * so the overrun lands in whatever follows the array (the sibling's ledger) and is
 * well-defined C++: no memory outside the demo is touched.
 */
void strayClear(std::vector<std::uint64_t> &arena, int ownWords, int strayWords);

/// @brief How many of the words [@p from, @p to) of @p arena hold kStrayValue (0 for an empty arena).
int strayWordsIn(const std::vector<std::uint64_t> &arena, int from, int to);

} // namespace proclab
