#include "pagebitmap.h"

#include <bit>

namespace proclab::migration {

void PageBitmap::resize(std::size_t pages)
{
    m_pages = pages;
    std::vector<std::atomic<std::uint64_t>> words((pages + 63) / 64);
    m_words.swap(words);
    clear();
}

std::size_t PageBitmap::count() const
{
    std::size_t n = 0;
    for (const auto &w : m_words)
        n += std::popcount(w.load(std::memory_order_acquire));
    return n;
}

void PageBitmap::harvest(std::vector<std::uint32_t> *out)
{
    for (std::size_t i = 0; i < m_words.size(); ++i) {
        std::uint64_t bits = m_words[i].exchange(0, std::memory_order_acq_rel);
        while (bits) {
            const int b = std::countr_zero(bits);
            out->push_back(static_cast<std::uint32_t>(i * 64 + b));
            bits &= bits - 1;
        }
    }
}

void PageBitmap::clear()
{
    for (auto &w : m_words)
        w.store(0, std::memory_order_relaxed);
}

} // namespace proclab::migration
