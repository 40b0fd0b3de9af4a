#pragma once

#include "migrationlink.h"
#include "pageledger.h"
#include "pagememory.h"

#include <QString>

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

namespace proclab::migration {

/**
 * @brief Sends lists of pages over the link, in Pages messages of up to 256 pages,
 * paced by the link's rate limiter: pre-copy's rounds while the VM runs, and the
 * stop-and-copy while it is paused.
 *
 * While the VM runs, its vCPU may be writing a page as it is sent, so each page
 * is copied word by word with atomic loads into a buffer first; a page torn by a
 * concurrent write is dirty again and goes in the next round. (Handing the pages
 * to the kernel directly, as a hypervisor does, would be the same race, but one
 * ThreadSanitizer could not tell from a bug.) While the VM is paused its memory is
 * frozen and the pages go straight from it into the socket, one buffer per run of
 * consecutive pages. Engine thread only.
 */
class PageSender {
public:
    /// Whether the vCPU may write the memory while it is sent.
    enum class Vm { Running, Paused };

    /// What the sender asks of its caller between batches.
    struct Hooks {
        std::function<bool()> stopRequested; ///< the user's stop
        std::function<bool(std::chrono::nanoseconds)> sleepFor; ///< an interruptible wait (the cap)
        std::function<void()> progress; ///< after each batch (publish)
    };

    /// Never cut the connection (see send()).
    static constexpr std::size_t kNoCut = std::numeric_limits<std::size_t>::max();
    /// Pages per message: 1 MiB batches, few system calls.
    static constexpr std::size_t kBatchPages = 256;

    PageSender(MigrationLink &link, const PageMemory &memory, PageLedger &ledger, Hooks hooks);

    /**
     * @brief Sends @p pages in order and records them in the ledger.
     * @param cutAfter fault injection: cut the connection once this many pages are out
     * @param what where the migration is, for the error ("while sending round 2")
     * @return false with a one-line @p error (the link is closed or cut)
     */
    bool send(const std::vector<std::uint32_t> &pages, Vm vm, std::size_t cutAfter, const QString &what,
        QString *error);

private:
    MigrationLink &m_link;
    const PageMemory &m_memory;
    PageLedger &m_ledger;
    Hooks m_hooks;
    std::vector<std::uint8_t> m_copyBuffer; // pages copied from the running VM
    std::vector<std::uint64_t> m_indexBuffer; // one batch's indices on the wire
};

} // namespace proclab::migration
