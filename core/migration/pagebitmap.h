#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace proclab::migration {

/**
 * @brief One bit per page, set by writers and read-and-cleared by the migration:
 * the dirty log of a hypervisor.
 */
class PageBitmap {
public:
    explicit PageBitmap(std::size_t pages = 0) { resize(pages); }
    void resize(std::size_t pages);
    std::size_t pages() const { return m_pages; }

    void set(std::size_t page)
    {
        m_words[page / 64].fetch_or(std::uint64_t(1) << (page % 64), std::memory_order_release);
    }
    bool test(std::size_t page) const
    {
        return (m_words[page / 64].load(std::memory_order_acquire) >> (page % 64)) & 1U;
    }
    /// Number of set bits (pages dirtied since the last harvest).
    std::size_t count() const;
    /// Atomically takes and clears every bit, appending the set pages to @p out in index order.
    void harvest(std::vector<std::uint32_t> *out);
    void clear();

private:
    std::vector<std::atomic<std::uint64_t>> m_words;
    std::size_t m_pages = 0;
};

} // namespace proclab::migration
