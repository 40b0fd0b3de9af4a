#pragma once

#include "migrationlink.h"
#include "pagesender.h"

#include <QString>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace proclab::migration {

/**
 * @brief The pages of pre-copy and stop-and-copy over one connection or several at once
 * (QEMU's multifd): the main connection is channel 0, open() adds channels 1 to n - 1.
 *
 * A page always travels on the same channel (pageChannel(): stripes of 64 consecutive
 * pages dealt out in turn, so each channel still sends runs of pages), so every version
 * of a page goes down one TCP stream and arrives in the order it was sent, and no two
 * channels ever carry the same page; nothing else orders the channels. send() splits a list of pages by
 * channel, sends channel 0's share on the calling (engine) thread and each further channel's share on a
 * thread of its own, each with its own PageSender and socket (so the kernel's copies into
 * the sockets run on both cores), all charged to the main link's rate limiter, and returns
 * once every channel is done: its threads are joined. Before the CPU state, flush() sends
 * each further channel's ChannelFlush: the destination resumes the VM only after it has
 * read every channel's flush and applied the pages before it.
 *
 * The page ledger belongs to the engine thread: the further channels' pages are recorded
 * there, from each sender's pagesOut(), after each of channel 0's batches and while send()
 * waits for the other channels. With one channel this is the main PageSender and nothing
 * more. Engine thread only, except the channel threads it starts and joins itself.
 */
class PageChannels {
public:
    PageChannels(MigrationLink &main, const PageMemory &memory, PageLedger &ledger, PageSender::Hooks hooks);
    ~PageChannels();
    PageChannels(const PageChannels &) = delete;
    PageChannels &operator=(const PageChannels &) = delete;

    /// The main connection's sender (channel 0): delta cache, compression, running copy.
    PageSender &main() { return m_mainSender; }

    /**
     * @brief Opens channels 1 to @p count - 1 to the main connection's peer, each with a
     * ChannelHello carrying @p hello and @p key (the HelloAck's joinKey), within @p timeout each.
     * False with a one-line @p error; channels opened before the failure are closed.
     */
    bool open(std::uint32_t count, const HelloBody &hello, std::uint64_t key,
        std::chrono::milliseconds timeout, QString *error);
    /// Channels in use, the main connection included.
    std::uint32_t count() const { return std::uint32_t(m_channels.size()) + 1; }
    /// Compresses the pages of every channel (see PageSender::setCompression()).
    void setCompression(Compression compression);
    /**
     * @brief Sends pages as deltas against a cache of @p bytes in all (XBZRLE), split evenly
     * between the channels: each caches the pages it carries.
     */
    void enableDeltaCache(std::size_t bytes);
    /// Copies pages of a running VM in the way @p copy says on every channel.
    void setRunningCopy(PageSender::RunningCopy copy);

    /**
     * @brief Sends @p pages, each on its channel, and records them in the ledger.
     * @param cutAfter fault injection: the main connection is cut once about this many of all
     *        the pages are out (its share of them on channel 0)
     * @return false with a one-line @p error: the first channel that failed, or the user's stop;
     *         every channel's thread has ended either way
     */
    bool send(const std::vector<std::uint32_t> &pages, PageSender::Vm vm, std::size_t cutAfter,
        const QString &what, QString *error);
    /// @brief Tells the destination no more pages come on the further channels (ChannelFlush).
    bool flush(QString *error);

    /// What delta encoding did, on every channel; while send() runs, the further channels' part
    /// as of their last join (their senders are their threads' then).
    PageSender::DeltaCounts deltaCounts() const;
    /// What compression did, on every channel (the same way).
    PageSender::CompressCounts compressCounts() const;

private:
    struct Channel {
        std::unique_ptr<MigrationLink> link;
        std::unique_ptr<PageSender> sender;
        std::unique_ptr<XbzrleCache> cache; // with enableDeltaCache()
        std::vector<std::uint32_t> pages; // this send()'s share
        std::size_t recorded = 0; // pages of the share recorded in the ledger
        bool ok = true;
        QString error;
        PageSender::DeltaCounts deltas; // the sender's, copied after each join
        PageSender::CompressCounts compression; // likewise
        std::thread thread;
    };

    /// Records what the further channels wrote since the last call (engine thread).
    void recordChannels();
    /// Whether the user stopped or a channel failed.
    bool aborted() const;
    /// A channel thread's wait before a write (the cap): in short slices, so a stop ends it.
    bool channelSleep(std::chrono::nanoseconds duration) const;
    void joinAll();

    MigrationLink &m_link;
    const PageMemory &m_memory;
    PageLedger &m_ledger;
    PageSender::Hooks m_hooks;
    PageSender m_mainSender;
    std::unique_ptr<XbzrleCache> m_mainCache; // with enableDeltaCache()
    std::vector<std::unique_ptr<Channel>> m_channels;
    std::vector<std::uint32_t> m_mainShare;

    std::atomic<bool> m_abort {false}; // a channel failed: the others stop too
    std::mutex m_mutex; // with m_done: a channel thread ended
    std::condition_variable m_done;
    int m_running = 0; // under m_mutex
};

} // namespace proclab::migration
