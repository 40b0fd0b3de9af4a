#pragma once

#include "pagememory.h"

#include <cstddef>
#include <cstdint>

namespace proclab::migration {

/// What the guest's memory holds (the `memory_content` parameter).
enum class MemoryContent : std::uint32_t {
    Random = 0, ///< every byte pseudo-random: nothing compresses (the worst case for compression)
    Mixed = 1, ///< zero, text-like, pointer-like and random pages (see PageClass for the shares)
};
/// The largest value VmStateBody::memoryContent may carry.
inline constexpr std::uint32_t kMaxMemoryContent = 1;

/**
 * @brief The kind of data one page of a Mixed memory holds. Which page holds what is
 * fixed by the seed and the page's number, so a page keeps its kind for the whole run
 * (on the destination too): a write into a text page writes text.
 *
 * Shares, chosen to resemble a running guest (a page cache of text files, a heap of
 * small records with pointers, memory never touched, and compressed or encrypted data):
 * 25 % Zero, 30 % Text, 30 % Records, 15 % Random.
 */
enum class PageClass : std::uint8_t {
    Zero, ///< all zero until written; a write leaves one small record in it
    Text, ///< words of English-like text with spaces and line ends
    Records, ///< 64-byte records: pointers into one heap, small counters, lengths, flags, zeros
    Random, ///< pseudo-random bytes (already compressed or encrypted data)
};

/// The class of page @p page in a Mixed memory seeded with @p seed.
PageClass pageClass(std::uint64_t seed, std::size_t page);

/**
 * @brief Fills @p page (kPageBytes, 8-byte aligned) with what page @p index holds
 * at the start of a guest with @p content and @p seed. Random gives fillPattern()'s words.
 */
void fillGuestPage(MemoryContent content, std::uint64_t seed, std::size_t index, std::uint8_t *page);
/// Fills every page of @p memory as fillGuestPage() does (the guest at its start).
void fillGuestMemory(PageMemory &memory, MemoryContent content, std::uint64_t seed);
/// The checksum of a memory right after fillGuestMemory(), computed without one.
std::uint64_t guestContentChecksum(std::size_t pages, MemoryContent content, std::uint64_t seed);

/**
 * @brief Eight words that a vCPU stores into a page of class @p cls (a 64-byte write,
 * one text line, one record), derived from @p value: they keep the page's character.
 */
void guestWriteWords(PageClass cls, std::uint64_t value, std::uint64_t out[8]);
/**
 * @brief A whole page's worth of class @p cls derived from @p value (a buffer refilled):
 * text stays text, records stay records, random stays random; a Zero page gets records.
 */
void guestRefillPage(PageClass cls, std::uint64_t value, std::uint8_t *page);

} // namespace proclab::migration
