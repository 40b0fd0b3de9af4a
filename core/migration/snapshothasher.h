#pragma once

#include "pagememory.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

namespace proclab::migration {

/**
 * @brief Hashes a memory as it was at one moment (the VM's resume on the
 * destination) while its vCPU already runs and writes.
 *
 * A background thread hashes the pages in order. Before the vCPU writes a page
 * that is not hashed yet, beforeWrite() hashes it on the vCPU's thread, or
 * waits the fraction of a microsecond the background thread needs to finish
 * it. Each page has an atomic state (unhashed, hashing, hashed) and is claimed
 * by exactly one thread, so every page is hashed once, before its first write.
 *
 * This keeps the check "the destination's memory equals the source's at the
 * pause" off the transfer path: hashing each page as it arrives would cost the
 * receiving thread nearly as much as receiving it.
 */
class SnapshotHasher {
public:
    explicit SnapshotHasher(const PageMemory &memory);
    ~SnapshotHasher();
    SnapshotHasher(const SnapshotHasher &) = delete;
    SnapshotHasher &operator=(const SnapshotHasher &) = delete;

    /// Starts the background thread; @p onDone runs on it once every page is hashed.
    void start(std::function<void()> onDone);
    /// On the vCPU thread, before it writes @p page.
    void beforeWrite(std::size_t page);
    /// Stops the background thread early and joins it. Idempotent.
    void stop();

    /// Every page hashed: checksum() is final.
    bool done() const { return m_hashed.load(std::memory_order_acquire) == m_hashes.size(); }
    /// The memory's checksum at start(), as memoryChecksum() would have computed it then.
    std::uint64_t checksum() const;
    /// Pages the vCPU hashed itself because it was about to write them.
    std::size_t hashedByVcpu() const { return m_byVcpu.load(std::memory_order_relaxed); }

private:
    enum : std::uint8_t { kUnhashed = 0, kHashing = 1, kHashed = 2 };
    bool claim(std::size_t page);
    void hashClaimed(std::size_t page);
    void run(const std::function<void()> &onDone);

    const PageMemory &m_memory;
    std::vector<std::atomic<std::uint8_t>> m_state;
    std::vector<std::uint64_t> m_hashes; // element p written only by the thread that claimed p
    std::atomic<std::size_t> m_hashed {0};
    std::atomic<std::size_t> m_byVcpu {0};
    std::atomic<bool> m_stop {false};
    std::thread m_thread;
};

} // namespace proclab::migration
