#pragma once

#include "net/asio.h"
#include "net/timedsocket.h"
#include "protocol.h"
#include "ratelimiter.h"

#include <QString>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace proclab::migration {

/**
 * @brief The source's end of the migration connection: messages out with a
 * deadline, the destination's replies in, the bandwidth cap, and the traffic
 * figures.
 *
 * Every write the migration makes goes through here, so the bytes, pages and
 * seconds it reports are counted in one place, and every page write is charged
 * to the one RateLimiter. After the switchover the destination talks back
 * (page requests in post-copy, the checksum verdict, its statistics):
 * startReader() decodes those asynchronously, in the handlers run by poll().
 * Post-copy may add a second, urgent connection (connectUrgent()): the
 * destination's page requests arrive on it and the pusher answers them on it,
 * so neither queues behind the background push in the main connection's socket
 * buffers. Both sockets run on one io_context.
 *
 * A multi-channel migration (HelloBody::channels > 1) has one more MigrationLink
 * per further page channel (joinAsChannel()), each driven by a thread of its own
 * while a round is sent (PageChannels) and charged to the main link's limiter;
 * the main link's traffic figures include theirs (addChannel()). The figures
 * are atomic so the engine thread reads them while the channels send. Otherwise
 * one thread at a time.
 */
class MigrationLink {
public:
    /// @p cancelled is polled while an operation waits (the user's stop); @p opTimeout bounds each.
    MigrationLink(std::function<bool()> cancelled, std::chrono::milliseconds opTimeout, double capBitsPerSec);
    /// A further page channel's link: every page write is charged to @p shared (the main link's).
    MigrationLink(std::function<bool()> cancelled, std::chrono::milliseconds opTimeout, RateLimiter &shared);
    ~MigrationLink();
    MigrationLink(const MigrationLink &) = delete;
    MigrationLink &operator=(const MigrationLink &) = delete;

    /// Whether a message counts in the migration's traffic figures.
    enum class Traffic {
        Migration, ///< part of moving the VM (handshake, pages, rounds, CPU state)
        Epilogue, ///< after the migration proper ended (checksum comparison, finish)
    };

    bool connect(
        const std::string &host, std::uint16_t port, std::chrono::milliseconds timeout, QString *error);
    /// @brief Sends a control message (header and optional body) and waits until it is out.
    bool sendMessage(MsgType type, std::uint32_t count, std::uint64_t arg, const void *body,
        std::size_t bodyBytes, QString *error, Traffic traffic = Traffic::Migration);
    /// @brief Reads one message header; a one-line @p error when it is not of type @p expected.
    bool readMessage(MsgType expected, MsgHeader *out, QString *error);
    /// @brief Reads the body of the message whose header @p h was just read: exactly @p bytes.
    bool readBody(const MsgHeader &h, void *body, std::size_t bytes, QString *error);
    /**
     * @brief Opens the urgent connection to the main one's peer: an UrgentHello with @p key and
     * @p hello (the main connection's), then the destination's UrgentReady, within @p timeout.
     */
    bool connectUrgent(
        const HelloBody &hello, std::uint64_t key, std::chrono::milliseconds timeout, QString *error);
    /**
     * @brief Connects this link to @p peer as page channel @p channel of the migration the main
     * connection's HelloAck gave @p key for: a ChannelHello with @p hello (the main
     * connection's), then the destination's ChannelReady, within @p timeout.
     */
    bool joinAsChannel(const boost::asio::ip::tcp::endpoint &peer, const HelloBody &hello, std::uint64_t key,
        std::uint32_t channel, std::chrono::milliseconds timeout, QString *error);
    /// @brief The main connection's peer, for the further connections (empty when not connected).
    std::optional<boost::asio::ip::tcp::endpoint> peer() const;
    /// @brief Counts @p channel's traffic in this link's figures (it must outlive this link's use).
    void addChannel(const MigrationLink *channel) { m_channels.push_back(channel); }
    /// @brief Whether the urgent connection is open.
    bool hasUrgent() const { return m_urgent.is_open(); }
    /// @brief Simulates a cut cable on the urgent connection only (fault injection).
    void cutUrgent();
    /**
     * @brief Writes one batch of pages (@p buffers: a Pages message, header, indices and pages,
     * and/or an XbzrlePages message) and waits until it is out. Counted as @p pages pages and
     * the buffers' bytes, which are charged to the rate limiter.
     */
    bool writePages(const std::vector<boost::asio::const_buffer> &buffers, std::size_t pages, QString *error);
    /// @brief Counts a page write completed asynchronously on socket() (the post-copy push).
    void countPagesWritten(std::uint64_t bytes, std::size_t pages, double seconds);
    /**
     * @brief Counts pages written on the urgent connection: charged to the rate limiter like
     * any page (the background push pays for them by waiting longer), but not to sendSeconds()
     * (they overlap the main connection's writes).
     */
    void countUrgentPagesWritten(std::uint64_t bytes, std::size_t pages);
    /// @brief Pages written on the urgent connection.
    qint64 urgentPagesSent() const { return m_urgentPagesSent; }

    /// The bandwidth cap every page write is charged to.
    RateLimiter &limiter() { return m_limiter; }

    /// @brief Bytes sent during the migration proper (Traffic::Migration messages and pages),
    /// the page channels' included.
    std::uint64_t bytesSent() const;
    /// @brief Pages whose write completed, on every channel.
    qint64 pagesSent() const;
    /**
     * @brief Seconds spent inside page writes: the link's own speed, the cap's waits left out.
     * With page channels, the most any one channel spent: they write at the same time.
     */
    double sendSeconds() const;

    /// What the destination said after the switchover (filled by the reader).
    struct Replies {
        bool verified = false; ///< a Verified message arrived
        bool equal = false; ///< ... saying the checksums are equal
        std::uint64_t destinationChecksum = 0;
        std::optional<StatsBody> stats; ///< the destination's report after Finish
        bool failed = false; ///< the connection or the destination failed
        QString error; ///< why, in one line
    };
    /**
     * @brief Starts reading the destination's replies asynchronously (after the switchover).
     * A PageRequest for a page below @p pages, on either connection, calls @p onPageRequest
     * (in a handler run by poll()).
     */
    void startReader(std::size_t pages, std::function<void(std::size_t page)> onPageRequest);
    const Replies &replies() const { return m_replies; }

    /// @brief Runs ready handlers (reader, asynchronous writes, timers) for at most @p slice.
    void poll(std::chrono::milliseconds slice) { m_socket.poll(slice); }
    /// @brief Simulates a cut cable (fault injection).
    void cut() { m_socket.cut(); }
    /// @brief Closes both connections; pending operations complete (aborted) before it returns.
    void close() { m_socket.close(); }
    bool isOpen() const { return m_socket.isOpen(); }
    std::chrono::milliseconds opTimeout() const { return m_opTimeout; }

    /// For asynchronous operations of the post-copy pusher (run by poll()).
    boost::asio::ip::tcp::socket &socket() { return m_socket.socket(); }
    boost::asio::io_context &context() { return m_socket.context(); }
    /// For the pusher's answers to page requests (hasUrgent() only).
    boost::asio::ip::tcp::socket &urgentSocket() { return m_urgent; }

private:
    void readNext();
    void onReply(const boost::system::error_code &ec);
    void readUrgentNext();
    void onUrgentReply(const boost::system::error_code &ec);
    void readerFailed(const QString &error);
    void closeUrgent();

    TimedSocket m_socket;
    boost::asio::ip::tcp::socket m_urgent {m_socket.context()}; // after m_socket: on its context
    std::chrono::milliseconds m_opTimeout;
    RateLimiter m_ownLimiter;
    RateLimiter &m_limiter; // m_ownLimiter, or the main link's for a page channel
    // Written by the thread that sends on this link, read by the engine thread at any time.
    std::atomic<std::uint64_t> m_bytesSent {0};
    std::atomic<qint64> m_pagesSent {0};
    std::atomic<double> m_sendSeconds {0};
    qint64 m_urgentPagesSent = 0;
    std::vector<const MigrationLink *> m_channels; // the further page channels (main link only)

    // The reader's state: written only by its handlers, on this thread inside poll().
    std::size_t m_readerPages = 0;
    std::function<void(std::size_t)> m_onPageRequest;
    MsgHeader m_readHeader;
    MsgHeader m_urgentHeader;
    StatsBody m_readStats;
    Replies m_replies;
};

} // namespace proclab::migration
