#pragma once

#include "pagebitmap.h"
#include "pagememory.h"

#include <QString>

#include <atomic>
#include <cstdint>
#include <vector>

namespace proclab::migration {

/**
 * @brief Dirty logging the way a hypervisor does it: by write faults.
 *
 * The guest memory is write-protected (mprotect). The vCPU's first store to a
 * page traps (SIGSEGV); the handler sets the page's bit in the dirty bitmap,
 * makes that page writable again and returns, and the store is retried and
 * lands. Later stores to the page in the same round cost nothing.
 *
 * harvest() takes the set bits and write-protects those pages again, under the
 * same lock as the handler: a store that trapped but has not landed yet traps
 * once more and is logged for the next round, so no write is lost.
 *
 * One log may be attached in a process at a time. The SIGSEGV handler is
 * installed once and passes every fault outside the attached memory on to the
 * handler that was there before (or to the default action: a crash stays a crash).
 */
class WriteFaultLog {
public:
    WriteFaultLog() = default;
    ~WriteFaultLog();
    WriteFaultLog(const WriteFaultLog &) = delete;
    WriteFaultLog &operator=(const WriteFaultLog &) = delete;

    /// Starts logging writes to @p memory into @p bitmap (which it clears) and
    /// write-protects the whole memory. False with a one-line @p error.
    bool attach(PageMemory &memory, PageBitmap *bitmap, QString *error);
    /// Makes the memory writable again and stops logging. Idempotent.
    void detach();
    bool attached() const { return m_base.load(std::memory_order_acquire) != nullptr; }

    /// Clears every bit and write-protects the whole memory again (a new first pass).
    void restart();
    /// Appends the logged pages to @p out (in order), clears their bits and
    /// write-protects them again.
    void harvest(std::vector<std::uint32_t> *out);

    /// Write faults taken so far.
    std::uint64_t faults() const { return m_faults.load(std::memory_order_relaxed); }

    /// For the signal handler only: handles a fault at @p address if it is in
    /// the attached memory. Async-signal-safe.
    bool handleFault(const void *address);

private:
    void lock();
    void unlock();

    PageMemory *m_memory = nullptr; // guarded by m_lock
    std::atomic<const std::uint8_t *> m_base {nullptr}; // the range, for the handler's lock-free check
    std::atomic<std::size_t> m_bytes {0};
    PageBitmap *m_bitmap = nullptr;
    std::atomic_flag m_lock = ATOMIC_FLAG_INIT; // a spin lock: the signal handler may take it
    std::atomic<std::uint64_t> m_faults {0};
};

} // namespace proclab::migration
