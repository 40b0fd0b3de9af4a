#pragma once

#include <QString>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace proclab::migration {

/// The page size of the migrated VM, as on x86 hosts.
inline constexpr std::size_t kPageBytes = 4096;

/// Pages of a stripe: a multi-channel migration deals the memory out to its channels in
/// stripes of this many consecutive pages (256 KiB), so each channel still sends runs.
inline constexpr std::uint64_t kChannelStripePages = 64;

/// The page channel (0 to @p channels - 1) that carries @p page: always the same one.
constexpr std::uint32_t pageChannel(std::uint64_t page, std::uint32_t channels)
{
    return channels <= 1 ? 0 : std::uint32_t((page / kChannelStripePages) % channels);
}

/// @p page's place among the pages of its channel (0, 1, 2, ... over that channel's stripes).
constexpr std::uint64_t pageIndexInChannel(std::uint64_t page, std::uint32_t channels)
{
    return channels <= 1
        ? page
        : page / (kChannelStripePages * channels) * kChannelStripePages + page % kChannelStripePages;
}

/// SplitMix64's finaliser: the one mixing function behind every made-up page content here.
constexpr std::uint64_t splitMix(std::uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/**
 * @brief A VM's guest memory: anonymous mmap'd pages, released on destruction.
 *
 * Words are read and written through std::atomic_ref (relaxed) whenever another
 * thread may touch the same page at the same time (the vCPU writes a page
 * while pre-copy reads it): that race is the point of live migration, and
 * expressing it with atomics keeps ThreadSanitizer honest about real races.
 */
class PageMemory {
public:
    PageMemory() = default;
    ~PageMemory();
    PageMemory(const PageMemory &) = delete;
    PageMemory &operator=(const PageMemory &) = delete;

    /// Maps @p pages zeroed pages. False with a one-line @p error when the kernel refuses.
    bool allocate(std::size_t pages, QString *error);
    void release();

    std::size_t pages() const { return m_pages; }
    std::uint8_t *page(std::size_t index) const { return m_base + index * kPageBytes; }
    bool isValid() const { return m_base != nullptr; }

    /// Fills every page with a pattern derived from its index and @p seed (the "guest OS").
    void fillPattern(std::uint64_t seed);
    /// Copies one page into @p out with relaxed atomic loads (safe while a vCPU writes it).
    void copyPageConcurrent(std::size_t index, std::uint8_t *out) const;

private:
    std::uint8_t *m_base = nullptr;
    std::size_t m_pages = 0;
};

/// Calls @p f(firstPage, count) for each run of consecutive page numbers in
/// @p pages[0..n): a gather list of one buffer per run instead of one per page.
template<typename Index, typename F> void forEachPageRun(const Index *pages, std::size_t n, F &&f)
{
    for (std::size_t i = 0; i < n;) {
        std::size_t run = 1;
        while (i + run < n && pages[i + run] == pages[i] + run)
            ++run;
        f(static_cast<std::size_t>(pages[i]), run);
        i += run;
    }
}

/// The first word of every page after fillPattern(), for tests computing it a second way.
std::uint64_t patternWord(std::uint64_t seed, std::size_t page, std::size_t word);

/// A 64-bit hash of one page's contents (not cryptographic: it detects lost or torn pages).
std::uint64_t pageHash(const std::uint8_t *page);
/// Combines a page's hash with its index; a memory's checksum is the sum over its pages.
std::uint64_t pageChecksumTerm(std::size_t index, std::uint64_t hash);
/// The checksum of a whole memory (sum of pageChecksumTerm over every page).
std::uint64_t memoryChecksum(const PageMemory &memory);
/// The checksum a memory has right after fillPattern(@p seed), computed without one.
std::uint64_t patternChecksum(std::size_t pages, std::uint64_t seed);

} // namespace proclab::migration
