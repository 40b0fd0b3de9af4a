#pragma once

#include "net/asio.h"
#include "pagebitmap.h"
#include "pagecompressor.h"
#include "pagememory.h"
#include "protocol.h"

#include <QString>

#include <sys/uio.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

namespace proclab::migration {

/**
 * @brief The destination's end of one further page channel (HelloBody::channels > 1): a
 * thread of its own reads the channel's Pages, XbzrlePages and CompressedPages straight
 * into guest memory, so two connections are read on two cores, until the ChannelFlush.
 *
 * It checks everything it reads as the main connection's reader does, and more: every page
 * must belong on this channel (checkChannelPages()), which is what makes its writes into
 * guest memory disjoint from every other reader's; a delta must be for a page this channel
 * already delivered. Its only hand-over to the migration is through Events, called on its
 * thread: the session posts them to its I/O thread, which owns the page bookkeeping. After
 * the flush it writes nothing more: it waits for the source to close, and anything else that
 * arrives is a protocol error. A silent source is given up after the idle timeout.
 */
class ChannelReceiver {
public:
    /// What the receiver reports, on its own thread; none may block.
    struct Events {
        /// These pages are in guest memory now, in the order they arrived.
        std::function<void(std::vector<std::uint64_t> indices)> pages;
        /// The channel's flush arrived after @p pagesDelivered pages in all.
        std::function<void(std::uint64_t pagesDelivered)> flushed;
        /// The channel failed before its flush (one line); nothing more comes from it.
        std::function<void(QString why)> failed;
    };

    /**
     * @param socket the channel's accepted connection (its ChannelHello was read)
     * @param memory the migration's guest memory, of @p hello.pages pages
     */
    ChannelReceiver(boost::asio::ip::tcp::socket socket, PageMemory &memory, const HelloBody &hello,
        std::uint32_t channel, std::chrono::milliseconds idleTimeout, Events events);
    ~ChannelReceiver();
    ChannelReceiver(const ChannelReceiver &) = delete;
    ChannelReceiver &operator=(const ChannelReceiver &) = delete;

    /// Starts the thread: it answers ChannelReady, then reads.
    void start();
    /// Ends the thread (it may be blocked reading: the connection is shut down) and joins it.
    void stop();

private:
    void run();
    /// Reads exactly the bytes of @p iov[0..count) (modified); false with @p why on EOF, a
    /// timeout, an error or stop(). @p eofIsFine: EOF before the first byte reports why empty.
    bool readAll(iovec *iov, std::size_t count, QString *why);
    bool readExact(void *data, std::size_t bytes, QString *why);
    bool writeAll(const void *data, std::size_t bytes, QString *why);
    /// Waits until the socket is readable (or writable with @p out); false on timeout or stop().
    bool waitReady(bool out, QString *why);
    /// One Pages, XbzrlePages or CompressedPages message whose header is @p h.
    bool receivePages(const MsgHeader &h, QString *why);
    bool checkIndices(QString *why);

    boost::asio::ip::tcp::socket m_socket;
    int m_fd;
    PageMemory &m_memory;
    HelloBody m_hello;
    std::uint32_t m_channel;
    std::chrono::milliseconds m_idleTimeout;
    Events m_events;
    std::atomic<bool> m_stop {false};
    std::thread m_thread;

    // The thread's own.
    PageBitmap m_delivered; // pages of this channel in memory (deltas need one)
    std::uint64_t m_pagesDelivered = 0;
    std::vector<std::uint64_t> m_indices;
    std::vector<std::uint32_t> m_lengths;
    std::vector<std::uint8_t> m_data;
    std::vector<iovec> m_iov;
    PageCompressor m_decompressor;
};

} // namespace proclab::migration
