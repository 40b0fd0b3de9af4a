#pragma once

#include "migrationlink.h"
#include "pagecompressor.h"
#include "pageledger.h"
#include "pagememory.h"
#include "xbzrle.h"

#include <QString>

#include <atomic>
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
 * Pages go straight from guest memory into the socket, one buffer per run of
 * consecutive pages: the kernel's copy into the socket is the only copy, as in a
 * hypervisor. While the VM runs, its vCPU may be writing a page as the kernel
 * copies it; the vCPU sets the page's dirty bit after its stores, so a page torn
 * that way is dirty again and goes in the next round. Under ThreadSanitizer
 * (RunningCopy::AtomicLoads by default there) each page of a running VM is first
 * copied word by word with relaxed atomic loads into a buffer: the same race, but
 * one the sanitizer can see is intended, so it still checks everything else.
 *
 * With a delta cache (setDeltaCache(), XBZRLE) every page is first copied (a
 * stable copy, as the vCPU may write on), and a page whose last sent copy is in
 * the cache goes as a delta against it in an XbzrlePages message when the delta
 * is short enough; otherwise it goes whole, and the copy sent becomes the cached
 * one. With compression (setCompression()) every page that would go whole is
 * first copied the same way and compressed alone; the ones that shrink go in a
 * CompressedPages message, the others whole. Engine thread only.
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

    /// How the pages of a running VM reach the socket.
    enum class RunningCopy {
        Kernel, ///< straight from guest memory: the kernel's copy is the only one
        AtomicLoads, ///< copied with relaxed atomic loads into a buffer first
    };
#if defined(__SANITIZE_THREAD__)
    static constexpr RunningCopy kDefaultRunningCopy = RunningCopy::AtomicLoads;
#else
    static constexpr RunningCopy kDefaultRunningCopy = RunningCopy::Kernel;
#endif

    /// What delta encoding did so far.
    struct DeltaCounts {
        qint64 hits = 0; ///< pages found in the cache and sent as deltas
        qint64 misses = 0; ///< pages not in the cache (sent whole, then cached)
        qint64 overflows = 0; ///< pages in the cache whose delta was too long (sent whole)
        qint64 bytesSaved = 0; ///< bytes whole pages would have taken, less the deltas' bytes
    };

    /// What compression did so far.
    struct CompressCounts {
        qint64 pages = 0; ///< pages sent compressed
        qint64 bytes = 0; ///< their compressed bytes
        qint64 incompressible = 0; ///< pages that did not shrink (sent whole)
        qint64 cpuNs = 0; ///< CPU time this thread spent compressing
    };

    /// @p ledger records each batch sent; nullptr for a page channel's sender, which runs on a
    /// thread of its own: its caller records from pagesOut() instead.
    PageSender(MigrationLink &link, const PageMemory &memory, PageLedger *ledger, Hooks hooks);

    /**
     * @brief Sends @p pages in order and records them in the ledger.
     * @param cutAfter fault injection: cut the connection once this many pages are out
     * @param what where the migration is, for the error ("while sending round 2")
     * @return false with a one-line @p error (the link is closed or cut)
     */
    bool send(const std::vector<std::uint32_t> &pages, Vm vm, std::size_t cutAfter, const QString &what,
        QString *error);
    /// @brief Pages of the list the current (or last) send() has written so far: a prefix of it.
    /// Any thread.
    std::size_t pagesOut() const
    {
        return m_pagesOut.load(std::memory_order_acquire);
    }

    void setRunningCopy(RunningCopy copy)
    {
        m_runningCopy = copy;
    }
    RunningCopy runningCopy() const
    {
        return m_runningCopy;
    }
    /// Sends pages as deltas against @p cache where that is shorter (nullptr: never).
    void setDeltaCache(XbzrleCache *cache)
    {
        m_cache = cache;
    }
    const DeltaCounts &deltaCounts() const
    {
        return m_deltaCounts;
    }
    /// Compresses every page that would go whole (Compression::None: never).
    void setCompression(Compression compression)
    {
        m_compression = compression;
    }
    const CompressCounts &compressCounts() const
    {
        return m_compressCounts;
    }

private:
    /// Fills m_buffers with one batch's messages; returns the pages sent as deltas.
    std::size_t encodeBatch(const std::uint32_t *batch, std::size_t n, Vm vm, MsgHeader *pagesHeader,
        MsgHeader *deltaHeader, MsgHeader *compressedHeader);

    MigrationLink &m_link;
    const PageMemory &m_memory;
    PageLedger *m_ledger;
    Hooks m_hooks;
    std::atomic<std::size_t> m_pagesOut {0};
    RunningCopy m_runningCopy = kDefaultRunningCopy;
    XbzrleCache *m_cache = nullptr;
    DeltaCounts m_deltaCounts;
    std::vector<std::uint8_t> m_copyBuffer; // pages copied from the running VM
    std::vector<std::uint64_t> m_indexBuffer; // one batch's indices on the wire
    std::vector<std::uint64_t> m_deltaIndices; // the batch's pages sent as deltas ...
    std::vector<std::uint32_t> m_deltaLengths; // ... their deltas' lengths ...
    std::vector<std::uint8_t> m_deltaBytes; // ... and the deltas
    Compression m_compression = Compression::None;
    PageCompressor m_compressor;
    CompressCounts m_compressCounts;
    std::vector<std::uint64_t> m_compressedIndices; // the batch's pages sent compressed ...
    std::vector<std::uint32_t> m_compressedLengths; // ... their lengths ...
    std::vector<std::uint8_t> m_compressedBytes; // ... and the compressed pages
    std::vector<boost::asio::const_buffer> m_buffers; // the batch's gather list
};

} // namespace proclab::migration
