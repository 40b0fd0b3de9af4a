#include "guestcontent.h"

#include <array>
#include <cstring>
#include <vector>

namespace proclab::migration {

namespace {

constexpr std::size_t kContentWordsPerPage = kPageBytes / sizeof(std::uint64_t);

// A small vocabulary: real text repeats words, which is what deflate's matches find.
constexpr std::array<const char *, 48> kWords
    = {"the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on",
        "not", "he", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an", "had", "they",
        "you", "were", "process", "thread", "server", "client", "memory", "page", "virtual", "machine",
        "migration", "request", "network", "kernel", "state", "copy", "source", "destination"};

/// Writes English-like text into @p out[0..bytes) from the generator state @p state.
void fillText(std::uint64_t state, char *out, std::size_t bytes)
{
    std::size_t at = 0;
    std::size_t lineChars = 0;
    while (at < bytes) {
        state = splitMix(state);
        const char *word = kWords[state % kWords.size()];
        const std::size_t n = std::strlen(word);
        for (std::size_t i = 0; i < n && at < bytes; ++i)
            out[at++]
                = (lineChars == 0 && i == 0 && (state >> 32) % 4 == 0) ? char(word[i] - 'a' + 'A') : word[i];
        lineChars += n + 1;
        if (at < bytes)
            out[at++] = lineChars > 60 ? '\n' : ((state >> 40) % 11 == 0 ? ',' : ' ');
        if (lineChars > 60)
            lineChars = 0;
    }
}

/// One 64-byte record of a heap: two pointers into it, a counter, a length, flags, a type.
void fillRecord(std::uint64_t value, std::uint64_t out[8])
{
    const std::uint64_t r = splitMix(value);
    // One heap for the whole guest: pointers share their high bytes, as in a real process.
    const std::uint64_t heap = 0x00007f3a00000000ULL;
    out[0] = heap + (r % 65536) * 64;
    out[1] = heap + ((r >> 16) % 65536) * 64;
    out[2] = (r >> 32) % 1000;
    out[3] = (r >> 42) % 256;
    out[4] = (r >> 50) % 4;
    out[5] = 0;
    out[6] = 0x100000000ULL | ((r >> 52) % 8);
    out[7] = 0;
}

void fillRecords(std::uint64_t state, std::uint64_t *words)
{
    for (std::size_t i = 0; i < kContentWordsPerPage; i += 8)
        fillRecord(state + i, words + i);
}

} // namespace

PageClass pageClass(std::uint64_t seed, std::size_t page)
{
    const auto share = splitMix(seed * 0x2545f4914f6cdd1dULL ^ (page * 0x9e3779b97f4a7c15ULL)) % 100;
    if (share < 25)
        return PageClass::Zero;
    if (share < 55)
        return PageClass::Text;
    if (share < 85)
        return PageClass::Records;
    return PageClass::Random;
}

void guestRefillPage(PageClass cls, std::uint64_t value, std::uint8_t *page)
{
    auto *words = reinterpret_cast<std::uint64_t *>(page);
    switch (cls) {
    case PageClass::Text:
        fillText(value, reinterpret_cast<char *>(page), kPageBytes);
        break;
    case PageClass::Zero:
    case PageClass::Records:
        fillRecords(value, words);
        break;
    case PageClass::Random:
        for (std::size_t i = 0; i < kContentWordsPerPage; ++i)
            words[i] = splitMix(value + i);
        break;
    }
}

void fillGuestPage(MemoryContent content, std::uint64_t seed, std::size_t index, std::uint8_t *page)
{
    auto *words = reinterpret_cast<std::uint64_t *>(page);
    if (content == MemoryContent::Random) {
        for (std::size_t i = 0; i < kContentWordsPerPage; ++i)
            words[i] = patternWord(seed, index, i);
        return;
    }
    const PageClass cls = pageClass(seed, index);
    if (cls == PageClass::Zero) {
        std::memset(page, 0, kPageBytes);
        return;
    }
    guestRefillPage(cls, splitMix(seed ^ splitMix(index + 0x51ed27)), page);
}

void fillGuestMemory(PageMemory &memory, MemoryContent content, std::uint64_t seed)
{
    if (content == MemoryContent::Random) {
        memory.fillPattern(seed);
        return;
    }
    for (std::size_t p = 0; p < memory.pages(); ++p)
        fillGuestPage(content, seed, p, memory.page(p));
}

std::uint64_t guestContentChecksum(std::size_t pages, MemoryContent content, std::uint64_t seed)
{
    std::vector<std::uint64_t> buf(kContentWordsPerPage);
    auto *bytes = reinterpret_cast<std::uint8_t *>(buf.data());
    std::uint64_t sum = 0;
    for (std::size_t p = 0; p < pages; ++p) {
        fillGuestPage(content, seed, p, bytes);
        sum += pageChecksumTerm(p, pageHash(bytes));
    }
    return sum;
}

void guestWriteWords(PageClass cls, std::uint64_t value, std::uint64_t out[8])
{
    switch (cls) {
    case PageClass::Text:
        fillText(value, reinterpret_cast<char *>(out), 8 * sizeof(std::uint64_t));
        break;
    case PageClass::Zero:
    case PageClass::Records:
        fillRecord(value, out);
        break;
    case PageClass::Random:
        for (std::size_t i = 0; i < 8; ++i)
            out[i] = splitMix(value + i);
        break;
    }
}

} // namespace proclab::migration
