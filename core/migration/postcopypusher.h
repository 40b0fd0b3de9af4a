#pragma once

#include "migrationlink.h"
#include "pageledger.h"
#include "pagememory.h"

#include <QString>

#include <chrono>
#include <cstdint>
#include <deque>
#include <vector>

namespace proclab::migration {

/**
 * @brief Post-copy's sender: once the VM runs on the destination, pushes every page
 * not sent yet in the background, and the pages the destination's vCPU is waiting
 * for ahead of that stream.
 *
 * Asynchronous: one write at a time on the link's socket, started from handlers
 * that the caller runs with MigrationLink::poll(). The background push sends
 * first the pages the guest is likely to need (setLikelyFirst(): the pages it
 * touched last before the pause, most recent first), then every other page in
 * address order. Page requests (from the link's reader) go in small urgent
 * batches before the next background batch; a background batch is kept short
 * enough to cross a capped link in about kBackgroundBatchTime, so a request
 * never waits behind more than that; the ledger makes sure no page is ever
 * sent twice (a request for a page already on its way is only counted). The
 * link's rate limiter paces the writes with a timer. The source's memory is
 * frozen (the VM left it), so pages go straight from it into the socket.
 *
 * With the link's urgent connection (postcopy_preempt, as QEMU's postcopy-preempt),
 * requested pages do not wait for the background batch in flight nor for the
 * bytes already queued in the main connection's socket buffers: they are
 * written on the urgent connection at once, one urgent write at a time, while
 * the background push goes on in the main one. They do not wait for the rate
 * limiter either, but they are charged to it, so the background push waits the
 * longer and the link's average stays at the cap (the urgent pages are few: a
 * vCPU waits for one page at a time).
 *
 * Lifetime: construct after the link, and close the link (which completes every
 * pending handler) before destroying the pusher.
 */
class PostCopyPusher {
public:
    /// Background batches: at most 256 KiB (an uncapped link: few, large writes) ...
    static constexpr std::size_t kPushBatchPages = 64;
    /// ... and on a capped link no more than crosses it in this time (at least kMinPushBatchPages).
    static constexpr std::chrono::microseconds kBackgroundBatchTime {500};
    static constexpr std::size_t kMinPushBatchPages = 4;
    /// Pages the vCPU waits for go in batches of at most this many.
    static constexpr std::size_t kUrgentBatchPages = 8;

    PostCopyPusher(MigrationLink &link, const PageMemory &memory, PageLedger &ledger);

    /// @brief Pages to push before all others, in this order (before start()); repeats
    /// and pages beyond the memory are left out.
    void setLikelyFirst(const std::vector<std::uint32_t> &pages);
    /// @brief Pages in a background batch on a link capped at @p bitsPerSec (0: uncapped).
    static std::size_t backgroundBatchPages(double bitsPerSec);
    /// @brief Starts pushing (call poll() on the link to let it proceed).
    void start();
    /// @brief The destination's vCPU waits for @p page (from the link's reader).
    void requestPage(std::size_t page);
    /// @brief Ends the push with @p error (fault injection cuts the link and says so here).
    void fail(const QString &error);

    /// Every page was sent and the last write (on either connection) completed.
    bool done() const { return m_pushDone && !m_writing && !m_urgentWriting; }
    /// A write failed (or fail() was called): error() says why.
    bool failed() const { return m_failed; }
    const QString &error() const { return m_error; }
    /// Waiting for the rate limiter (not a stall).
    bool waitingForRate() const { return m_waitingForRate; }
    /// When the last write completed (the caller's no-progress timeout).
    std::chrono::steady_clock::time_point lastProgress() const { return m_lastProgress; }
    /// Sets the no-progress clock to @p t (a wait begins).
    void setLastProgress(std::chrono::steady_clock::time_point t) { m_lastProgress = t; }

private:
    void pump();
    void pumpUrgent();
    std::vector<std::uint32_t> nextUrgentBatch();
    std::vector<std::uint32_t> nextBatch();
    void write(const std::vector<std::uint32_t> &batch);
    void writeUrgent(const std::vector<std::uint32_t> &batch);

    MigrationLink &m_link;
    const PageMemory &m_memory;
    PageLedger &m_ledger;
    boost::asio::steady_timer m_timer;
    std::deque<std::uint32_t> m_urgent;
    std::vector<std::uint32_t> m_likelyFirst;
    std::size_t m_nextLikely = 0;
    std::size_t m_nextPush = 0;
    std::size_t m_batchPages = kPushBatchPages;
    bool m_writing = false;
    bool m_urgentWriting = false; // a write on the urgent connection is in flight
    bool m_pushDone = false;
    bool m_waitingForRate = false;
    bool m_failed = false;
    QString m_error;
    std::chrono::steady_clock::time_point m_lastProgress {};
    // The write in flight: its header and indices must live until it completes.
    MsgHeader m_header;
    std::vector<std::uint64_t> m_indices;
    // The same for the urgent connection's write in flight.
    MsgHeader m_urgentHeader;
    std::vector<std::uint64_t> m_urgentIndices;
};

} // namespace proclab::migration
