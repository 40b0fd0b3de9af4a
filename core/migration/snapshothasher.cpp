#include "snapshothasher.h"

namespace proclab::migration {

SnapshotHasher::SnapshotHasher(const PageMemory &memory)
    : m_memory(memory)
    , m_state(memory.pages())
    , m_hashes(memory.pages(), 0)
{
}

SnapshotHasher::~SnapshotHasher()
{
    stop();
}

void SnapshotHasher::start(std::function<void()> onDone)
{
    m_thread = std::thread([this, done = std::move(onDone)] { run(done); });
}

void SnapshotHasher::stop()
{
    m_stop.store(true, std::memory_order_relaxed);
    if (m_thread.joinable())
        m_thread.join();
}

bool SnapshotHasher::claim(std::size_t page)
{
    std::uint8_t expected = kUnhashed;
    return m_state[page].compare_exchange_strong(expected, kHashing, std::memory_order_acq_rel);
}

void SnapshotHasher::hashClaimed(std::size_t page)
{
    m_hashes[page] = pageHash(m_memory.page(page));
    m_state[page].store(kHashed, std::memory_order_release); // the vCPU may write it now
    m_hashed.fetch_add(1, std::memory_order_release);
}

void SnapshotHasher::beforeWrite(std::size_t page)
{
    if (m_state[page].load(std::memory_order_acquire) == kHashed)
        return;
    if (claim(page)) {
        hashClaimed(page);
        m_byVcpu.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    while (m_state[page].load(std::memory_order_acquire) != kHashed) // the background thread has it
        std::this_thread::yield();
}

void SnapshotHasher::run(const std::function<void()> &onDone)
{
    for (std::size_t p = 0; p < m_hashes.size(); ++p) {
        if (m_stop.load(std::memory_order_relaxed))
            return; // between pages: no page is left half claimed
        if (claim(p))
            hashClaimed(p);
    }
    // Every page is claimed; the vCPU may still be hashing its last one.
    while (!done()) {
        if (m_stop.load(std::memory_order_relaxed))
            return;
        std::this_thread::yield();
    }
    if (onDone)
        onDone();
}

std::uint64_t SnapshotHasher::checksum() const
{
    std::uint64_t sum = 0;
    for (std::size_t p = 0; p < m_hashes.size(); ++p)
        sum += pageChecksumTerm(p, m_hashes[p]);
    return sum;
}

} // namespace proclab::migration
