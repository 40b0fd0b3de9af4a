#pragma once

// A page of pseudo-random bytes, for the page codecs' tests (deltas, compression).
#include "migration/pagememory.h"

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

namespace proclab::migration::testing {

using Page = std::vector<std::uint8_t>;

/// One page filled from @p rng, eight bytes at a time.
inline Page randomPage(std::mt19937_64 &rng)
{
    Page p(kPageBytes);
    for (std::size_t i = 0; i < kPageBytes; i += 8) {
        const std::uint64_t w = rng();
        std::memcpy(p.data() + i, &w, 8);
    }
    return p;
}

} // namespace proclab::migration::testing
