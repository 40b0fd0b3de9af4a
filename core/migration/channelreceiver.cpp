#include "channelreceiver.h"

#include "common/errortext.h"
#include "xbzrle.h"

#include <algorithm>
#include <cerrno>

#include <poll.h>
#include <sys/socket.h>

namespace proclab::migration {

using Clock = std::chrono::steady_clock;

ChannelReceiver::ChannelReceiver(boost::asio::ip::tcp::socket socket, PageMemory &memory,
    const HelloBody &hello, std::uint32_t channel, std::chrono::milliseconds idleTimeout, Events events)
    : m_socket(std::move(socket))
    , m_fd(m_socket.native_handle())
    , m_memory(memory)
    , m_hello(hello)
    , m_channel(channel)
    , m_idleTimeout(idleTimeout)
    , m_events(std::move(events))
{
    m_delivered.resize(hello.pages);
}

ChannelReceiver::~ChannelReceiver()
{
    stop();
}

void ChannelReceiver::start()
{
    m_thread = std::thread([this] { run(); });
}

void ChannelReceiver::stop()
{
    m_stop.store(true);
    // Wakes a poll() or recv() in progress on the thread: it sees EOF, then the stop.
    ::shutdown(m_fd, SHUT_RDWR);
    if (m_thread.joinable())
        m_thread.join();
}

bool ChannelReceiver::waitReady(bool out, QString *why)
{
    const auto deadline = Clock::now() + m_idleTimeout;
    while (!m_stop.load(std::memory_order_relaxed)) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            *why = QStringLiteral("no data from the source for %1 s")
                       .arg(std::chrono::duration<double>(m_idleTimeout).count(), 0, 'f', 1);
            return false;
        }
        pollfd p {m_fd, short(out ? POLLOUT : POLLIN), 0};
        // In slices, so that a stop is seen even if the shutdown raced the poll.
        const int rc = ::poll(&p, 1, int(std::min<std::int64_t>(left.count(), 200)));
        if (rc > 0)
            return true;
        if (rc < 0 && errno != EINTR) {
            *why = QStringLiteral("poll() failed: %1").arg(lastErrorText());
            return false;
        }
    }
    *why = QStringLiteral("stopped");
    return false;
}

bool ChannelReceiver::readAll(iovec *iov, std::size_t count, QString *why)
{
    std::size_t first = 0;
    while (first < count) {
        if (m_stop.load(std::memory_order_relaxed)) {
            *why = QStringLiteral("stopped");
            return false;
        }
        msghdr msg {};
        msg.msg_iov = iov + first;
        msg.msg_iovlen = std::min<std::size_t>(count - first, IOV_MAX);
        const ssize_t n = ::recvmsg(m_fd, &msg, MSG_DONTWAIT);
        if (n == 0) {
            *why = QStringLiteral("the source closed the connection");
            return false;
        }
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                if (!waitReady(false, why))
                    return false;
                continue;
            }
            *why = QStringLiteral("connection lost (%1)").arg(lastErrorText());
            return false;
        }
        // Past the buffers filled, into the one filled in part.
        std::size_t got = std::size_t(n);
        while (first < count && got >= iov[first].iov_len) {
            got -= iov[first].iov_len;
            ++first;
        }
        if (first < count) {
            iov[first].iov_base = static_cast<char *>(iov[first].iov_base) + got;
            iov[first].iov_len -= got;
        }
    }
    return true;
}

bool ChannelReceiver::readExact(void *data, std::size_t bytes, QString *why)
{
    iovec one {data, bytes};
    return readAll(&one, 1, why);
}

bool ChannelReceiver::writeAll(const void *data, std::size_t bytes, QString *why)
{
    const auto *p = static_cast<const char *>(data);
    while (bytes > 0) {
        const ssize_t n = ::send(m_fd, p, bytes, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                if (!waitReady(true, why))
                    return false;
                continue;
            }
            *why = QStringLiteral("sending failed: %1").arg(lastErrorText());
            return false;
        }
        p += n;
        bytes -= std::size_t(n);
    }
    return true;
}

bool ChannelReceiver::checkIndices(QString *why)
{
    return checkPageIndices(m_indices.data(), m_indices.size(), m_hello.pages, why)
        && checkChannelPages(m_indices.data(), m_indices.size(), m_channel, m_hello.channels, why);
}

bool ChannelReceiver::receivePages(const MsgHeader &h, QString *why)
{
    const auto type = static_cast<MsgType>(h.type);
    const std::uint32_t n = h.count;
    if (type == MsgType::Pages) {
        if (!checkPagesHeader(h, why))
            return false;
        m_indices.resize(n);
        if (!readExact(m_indices.data(), n * sizeof(std::uint64_t), why) || !checkIndices(why))
            return false;
        // Straight into guest memory: these pages are this channel's alone.
        m_iov.clear();
        forEachPageRun(m_indices.data(), m_indices.size(), [&](std::size_t first, std::size_t count) {
            m_iov.push_back(iovec {m_memory.page(first), count * kPageBytes});
        });
        if (!readAll(m_iov.data(), m_iov.size(), why))
            return false;
    } else {
        // XbzrlePages or CompressedPages: the table (indices, then lengths), checked, then the data.
        const bool deltas = type == MsgType::XbzrlePages;
        if (deltas ? !checkXbzrleHeader(h, why) : !checkCompressedHeader(h, why))
            return false;
        const std::uint64_t tableBytes = deltas ? xbzrleBodyBytes(n, 0) : compressedBodyBytes(n, 0);
        m_indices.resize(n);
        m_lengths.resize(n);
        m_data.resize(h.bodyBytes - tableBytes);
        iovec table[2]
            = {{m_indices.data(), n * sizeof(std::uint64_t)}, {m_lengths.data(), n * sizeof(std::uint32_t)}};
        if (!readAll(table, 2, why) || !checkIndices(why))
            return false;
        if (deltas ? !checkXbzrleLengths(m_lengths.data(), n, h.bodyBytes, why)
                   : !checkCompressedLengths(m_lengths.data(), n, h.bodyBytes, why))
            return false;
        if (deltas) {
            for (const std::uint64_t index : m_indices) {
                if (!m_delivered.test(index)) {
                    *why = QStringLiteral("protocol error: a delta for page %1, which never arrived")
                               .arg(index);
                    return false;
                }
            }
        }
        if (!readExact(m_data.data(), m_data.size(), why))
            return false;
        std::size_t offset = 0;
        for (std::size_t i = 0; i < n; ++i) {
            std::uint8_t *page = m_memory.page(m_indices[i]);
            QString error;
            const bool ok = deltas
                ? xbzrleDecode(m_data.data() + offset, m_lengths[i], page, &error)
                : m_decompressor.decompress(m_data.data() + offset, m_lengths[i], page, &error);
            if (!ok) {
                *why = QStringLiteral("page %1: %2").arg(m_indices[i]).arg(error);
                return false;
            }
            offset += m_lengths[i];
        }
    }
    for (const std::uint64_t index : m_indices)
        m_delivered.set(index);
    m_pagesDelivered += m_indices.size();
    m_events.pages(m_indices);
    return true;
}

void ChannelReceiver::run()
{
    QString why;
    const MsgHeader ready = makeHeader(MsgType::ChannelReady, m_channel);
    if (!writeAll(&ready, sizeof ready, &why)) {
        if (!m_stop.load())
            m_events.failed(why);
        return;
    }
    while (true) {
        MsgHeader h;
        if (!readExact(&h, sizeof h, &why))
            break;
        const auto type = static_cast<MsgType>(h.type);
        if (type == MsgType::ChannelFlush) {
            if (!checkBodyBytes(h, 0, &why))
                break;
            m_events.flushed(m_pagesDelivered);
            // Nothing more may come: wait for the close (or the stop), refuse anything else.
            char extra;
            if (readExact(&extra, 1, &why)) {
                m_events.failed(QStringLiteral("protocol error: data after the channel's flush"));
                return;
            }
            return;
        }
        if (type != MsgType::Pages && type != MsgType::XbzrlePages && type != MsgType::CompressedPages) {
            why = QStringLiteral("protocol error: message %1 on a page channel").arg(h.type);
            break;
        }
        if (!receivePages(h, &why))
            break;
    }
    if (!m_stop.load())
        m_events.failed(why);
}

} // namespace proclab::migration
