#include "ledger.h"

#include <algorithm>

namespace proclab {

namespace {

// A simple mix of every balance (FNV-like), stored in the ledger's last word.
std::uint64_t ledgerChecksum(const std::uint64_t *ledger, int words)
{
    std::uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < words - 1; ++i)
        h = (h ^ ledger[i]) * 0x100000001b3ULL;
    return h;
}

} // namespace

void buildLedger(std::uint64_t *ledger, int words)
{
    for (int i = 0; i < words - 1; ++i)
        ledger[i] = 1000 + 17 * static_cast<std::uint64_t>(i); // account balances
    ledger[words - 1] = ledgerChecksum(ledger, words);
}

bool ledgerOk(const std::uint64_t *ledger, int words)
{
    return ledger[words - 1] == ledgerChecksum(ledger, words);
}

void strayClear(std::vector<std::uint64_t> &arena, int ownWords, int strayWords)
{
    const int end = std::min<int>(static_cast<int>(arena.size()), ownWords + strayWords);
    for (int i = 0; i < end; ++i)
        arena[i] = kStrayValue;
}

int strayWordsIn(const std::vector<std::uint64_t> &arena, int from, int to)
{
    int n = 0;
    for (int i = std::max(from, 0); i < to && i < static_cast<int>(arena.size()); ++i)
        n += arena[i] == kStrayValue ? 1 : 0;
    return n;
}

} // namespace proclab
