#include "pagememory.h"

#include <bit>
#include <cerrno>
#include <cstring>

#include <sys/mman.h>

namespace proclab::migration {

namespace {

constexpr std::size_t kMemoryWordsPerPage = kPageBytes / sizeof(std::uint64_t);

} // namespace

PageMemory::~PageMemory()
{
    release();
}

bool PageMemory::allocate(std::size_t pages, QString *error)
{
    release();
    if (pages == 0) {
        if (error)
            *error = QStringLiteral("memory must hold at least one page");
        return false;
    }
    // MAP_POPULATE faults every page in now, in bulk: first-touch faults one by one
    // cost ~100 us each on a virtualised host and would otherwise be timed as migration.
    void *p = ::mmap(nullptr, pages * kPageBytes, PROT_READ | PROT_WRITE,
        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_POPULATE, -1, 0);
    if (p == MAP_FAILED) {
        if (error)
            *error = QStringLiteral("cannot map %1 MiB of guest memory: %2")
                         .arg(double(pages * kPageBytes) / (1 << 20), 0, 'f', 0)
                         .arg(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    m_base = static_cast<std::uint8_t *>(p);
    m_pages = pages;
    return true;
}

void PageMemory::release()
{
    if (m_base)
        ::munmap(m_base, m_pages * kPageBytes);
    m_base = nullptr;
    m_pages = 0;
}

std::uint64_t patternWord(std::uint64_t seed, std::size_t page, std::size_t word)
{
    return splitMix(seed * 0x100000001b3ULL + page * kMemoryWordsPerPage + word);
}

void PageMemory::fillPattern(std::uint64_t seed)
{
    for (std::size_t p = 0; p < m_pages; ++p) {
        auto *w = reinterpret_cast<std::uint64_t *>(page(p));
        for (std::size_t i = 0; i < kMemoryWordsPerPage; ++i)
            w[i] = patternWord(seed, p, i);
    }
}

void PageMemory::copyPageConcurrent(std::size_t index, std::uint8_t *out) const
{
    auto *src = reinterpret_cast<std::uint64_t *>(page(index));
    auto *dst = reinterpret_cast<std::uint64_t *>(out);
    for (std::size_t i = 0; i < kMemoryWordsPerPage; ++i)
        dst[i] = std::atomic_ref<std::uint64_t>(src[i]).load(std::memory_order_relaxed);
}

std::uint64_t pageHash(const std::uint8_t *page)
{
    // Four independent multiply-add lanes keep this near memory speed.
    const auto *w = reinterpret_cast<const std::uint64_t *>(page);
    std::uint64_t a = 1, b = 2, c = 3, d = 4;
    for (std::size_t i = 0; i < kMemoryWordsPerPage; i += 4) {
        a = (a ^ w[i]) * 0x9e3779b97f4a7c15ULL;
        b = (b ^ w[i + 1]) * 0xc2b2ae3d27d4eb4fULL;
        c = (c ^ w[i + 2]) * 0x165667b19e3779f9ULL;
        d = (d ^ w[i + 3]) * 0x27d4eb2f165667c5ULL;
    }
    return splitMix(a ^ std::rotl(b, 17) ^ std::rotl(c, 31) ^ std::rotl(d, 47));
}

std::uint64_t pageChecksumTerm(std::size_t index, std::uint64_t hash)
{
    return splitMix(hash ^ (index * 0x9e3779b97f4a7c15ULL));
}

std::uint64_t memoryChecksum(const PageMemory &memory)
{
    std::uint64_t sum = 0;
    for (std::size_t p = 0; p < memory.pages(); ++p)
        sum += pageChecksumTerm(p, pageHash(memory.page(p)));
    return sum;
}

std::uint64_t patternChecksum(std::size_t pages, std::uint64_t seed)
{
    std::vector<std::uint64_t> buf(kMemoryWordsPerPage);
    std::uint64_t sum = 0;
    for (std::size_t p = 0; p < pages; ++p) {
        for (std::size_t i = 0; i < kMemoryWordsPerPage; ++i)
            buf[i] = patternWord(seed, p, i);
        sum += pageChecksumTerm(p, pageHash(reinterpret_cast<const std::uint8_t *>(buf.data())));
    }
    return sum;
}

} // namespace proclab::migration
