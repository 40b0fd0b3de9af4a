#include "migrationlink.h"

#include "wholetransfer.h"

#include <algorithm>
#include <array>

namespace proclab::migration {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

MigrationLink::MigrationLink(
    std::function<bool()> cancelled, std::chrono::milliseconds opTimeout, double capBitsPerSec)
    : m_socket(std::move(cancelled))
    , m_opTimeout(opTimeout)
    , m_ownLimiter(capBitsPerSec)
    , m_limiter(m_ownLimiter)
{
    // Whenever the main connection closes (a close, a cut, a timeout), the urgent one goes
    // too: the migration needs both, and its pending reads would keep the close waiting.
    m_socket.setBeforeClose([this] { closeUrgent(); });
}

MigrationLink::MigrationLink(
    std::function<bool()> cancelled, std::chrono::milliseconds opTimeout, RateLimiter &shared)
    : m_socket(std::move(cancelled))
    , m_opTimeout(opTimeout)
    , m_limiter(shared)
{
    m_socket.setBeforeClose([this] { closeUrgent(); });
}

std::uint64_t MigrationLink::bytesSent() const
{
    std::uint64_t sum = m_bytesSent.load(std::memory_order_relaxed);
    for (const MigrationLink *c : m_channels)
        sum += c->bytesSent();
    return sum;
}

qint64 MigrationLink::pagesSent() const
{
    qint64 sum = m_pagesSent.load(std::memory_order_relaxed);
    for (const MigrationLink *c : m_channels)
        sum += c->pagesSent();
    return sum;
}

double MigrationLink::sendSeconds() const
{
    double most = m_sendSeconds.load(std::memory_order_relaxed);
    for (const MigrationLink *c : m_channels)
        most = std::max(most, c->sendSeconds());
    return most;
}

std::optional<asio::ip::tcp::endpoint> MigrationLink::peer() const
{
    boost::system::error_code ec;
    const auto endpoint = m_socket.socket().remote_endpoint(ec);
    if (ec)
        return std::nullopt;
    return endpoint;
}

bool MigrationLink::joinAsChannel(const asio::ip::tcp::endpoint &peer, const HelloBody &hello,
    std::uint64_t key, std::uint32_t channel, std::chrono::milliseconds timeout, QString *error)
{
    const auto failWith = [&](const QString &why) {
        if (error)
            *error = QStringLiteral("page channel %1: %2").arg(channel).arg(why);
        m_socket.close();
        return false;
    };
    QString why;
    if (!m_socket.connect(peer.address().to_string(), peer.port(), timeout, &why))
        return failWith(why);
    const MsgHeader h = makeHeader(MsgType::ChannelHello, channel, key, sizeof hello);
    const std::vector<asio::const_buffer> out {
        asio::buffer(&h, sizeof h), asio::buffer(&hello, sizeof hello)};
    if (!m_socket.write(out, timeout, &why))
        return failWith(why);
    m_bytesSent += sizeof h + sizeof hello;
    MsgHeader ready;
    if (!m_socket.read(asio::buffer(&ready, sizeof ready), timeout, &why))
        return failWith(why);
    if (!checkType(ready, MsgType::ChannelReady, &why) || !checkBodyBytes(ready, 0, &why))
        return failWith(why);
    if (ready.count != channel)
        return failWith(QStringLiteral("the destination took it as channel %1").arg(ready.count));
    return true;
}

MigrationLink::~MigrationLink()
{
    // Runs every pending handler (aborted) while the reader's state still exists.
    m_socket.close();
    m_socket.setBeforeClose({}); // m_urgent is destroyed before m_socket
}

void MigrationLink::closeUrgent()
{
    if (m_urgent.is_open()) {
        boost::system::error_code ignored;
        m_urgent.close(ignored);
    }
}

void MigrationLink::cutUrgent()
{
    if (m_urgent.is_open()) {
        boost::system::error_code ignored;
        m_urgent.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    }
    closeUrgent();
}

bool MigrationLink::readBody(const MsgHeader &h, void *body, std::size_t bytes, QString *error)
{
    if (!checkBodyBytes(h, bytes, error))
        return false;
    return m_socket.read(asio::buffer(body, bytes), m_opTimeout, error);
}

bool MigrationLink::connectUrgent(
    const HelloBody &hello, std::uint64_t key, std::chrono::milliseconds timeout, QString *error)
{
    auto failWith = [&](const QString &why) {
        if (error)
            *error = QStringLiteral("the urgent connection: %1").arg(why);
        closeUrgent();
        return false;
    };
    boost::system::error_code ec;
    // The main connection's peer: the same address, whatever name it was reached by.
    const auto peer = socket().remote_endpoint(ec);
    if (ec)
        return failWith(asioErrorText(ec));
    closeUrgent();
    QString why;
    bool finished = false;
    boost::system::error_code result;
    m_urgent.async_connect(peer, [&](const boost::system::error_code &e) {
        result = e;
        finished = true;
    });
    if (!m_socket.runUntil([&] { return finished; }, timeout, &why, QStringLiteral("connecting")))
        return failWith(why);
    if (result)
        return failWith(QStringLiteral("cannot connect: %1").arg(asioErrorText(result)));
    m_urgent.set_option(asio::ip::tcp::no_delay(true), ec);
    // The same Hello as the main connection's, token included, and the key the destination gave.
    const MsgHeader h = makeHeader(MsgType::UrgentHello, 0, key, sizeof hello);
    const std::array<asio::const_buffer, 2> out {
        asio::buffer(&h, sizeof h), asio::buffer(&hello, sizeof hello)};
    finished = false;
    asio::async_write(m_urgent, out, [&](const boost::system::error_code &e, std::size_t) {
        result = e;
        finished = true;
    });
    if (!m_socket.runUntil([&] { return finished; }, timeout, &why, QStringLiteral("sending its Hello")))
        return failWith(why);
    if (result)
        return failWith(QStringLiteral("sending failed: %1").arg(asioErrorText(result)));
    m_bytesSent += sizeof h + sizeof hello;
    MsgHeader ready;
    finished = false;
    asio::async_read(
        m_urgent, asio::buffer(&ready, sizeof ready), [&](const boost::system::error_code &e, std::size_t) {
            result = e;
            finished = true;
        });
    if (!m_socket.runUntil(
            [&] { return finished; }, timeout, &why, QStringLiteral("waiting for the destination")))
        return failWith(why);
    if (result)
        return failWith(result == asio::error::eof
                ? QStringLiteral("the destination closed it")
                : QStringLiteral("connection lost (%1)").arg(asioErrorText(result)));
    if (!checkType(ready, MsgType::UrgentReady, &why) || !checkBodyBytes(ready, 0, &why))
        return failWith(why);
    return true;
}

bool MigrationLink::connect(
    const std::string &host, std::uint16_t port, std::chrono::milliseconds timeout, QString *error)
{
    return m_socket.connect(host, port, timeout, error);
}

bool MigrationLink::sendMessage(MsgType type, std::uint32_t count, std::uint64_t arg, const void *body,
    std::size_t bodyBytes, QString *error, Traffic traffic)
{
    const MsgHeader h = makeHeader(type, count, arg, bodyBytes);
    std::vector<asio::const_buffer> bufs {asio::buffer(&h, sizeof h)};
    if (bodyBytes)
        bufs.push_back(asio::buffer(body, bodyBytes));
    if (!m_socket.write(bufs, m_opTimeout, error))
        return false;
    if (traffic == Traffic::Migration)
        m_bytesSent += sizeof h + bodyBytes;
    return true;
}

bool MigrationLink::readMessage(MsgType expected, MsgHeader *out, QString *error)
{
    if (!m_socket.read(asio::buffer(out, sizeof *out), m_opTimeout, error))
        return false;
    return checkType(*out, expected, error);
}

bool MigrationLink::writePages(
    const std::vector<asio::const_buffer> &buffers, std::size_t pages, QString *error)
{
    const auto t = Clock::now();
    if (!m_socket.isOpen()) {
        if (error)
            *error = QStringLiteral("the connection is closed");
        return false;
    }
    // Whole batches to sendmsg() (TransferWhole), not Asio's 64 KiB pieces: fewer calls,
    // fewer trips through the reactor, for every page the migration sends.
    bool finished = false;
    boost::system::error_code result;
    asio::async_write(
        socket(), buffers, TransferWhole {}, [&](const boost::system::error_code &e, std::size_t) {
            result = e;
            finished = true;
        });
    if (!m_socket.runUntil([&] { return finished; }, m_opTimeout, error, QStringLiteral("sending")))
        return false;
    if (result) {
        if (error)
            *error = QStringLiteral("sending failed: %1").arg(asioErrorText(result));
        m_socket.close();
        return false;
    }
    countPagesWritten(
        asio::buffer_size(buffers), pages, std::chrono::duration<double>(Clock::now() - t).count());
    return true;
}

void MigrationLink::countPagesWritten(std::uint64_t bytes, std::size_t pages, double seconds)
{
    m_sendSeconds += seconds;
    m_bytesSent += bytes;
    m_limiter.consume(bytes);
    m_pagesSent += qint64(pages);
}

void MigrationLink::countUrgentPagesWritten(std::uint64_t bytes, std::size_t pages)
{
    m_bytesSent += bytes;
    m_limiter.consume(bytes);
    m_pagesSent += qint64(pages);
    m_urgentPagesSent += qint64(pages);
}

void MigrationLink::startReader(std::size_t pages, std::function<void(std::size_t page)> onPageRequest)
{
    m_readerPages = pages;
    m_onPageRequest = std::move(onPageRequest);
    readNext();
    if (hasUrgent())
        readUrgentNext();
}

void MigrationLink::readUrgentNext()
{
    asio::async_read(m_urgent, asio::buffer(&m_urgentHeader, sizeof m_urgentHeader),
        [this](const boost::system::error_code &ec, std::size_t) { onUrgentReply(ec); });
}

void MigrationLink::onUrgentReply(const boost::system::error_code &ec)
{
    if (ec) {
        // Once the checksums were compared the urgent connection has done its work: the
        // destination closes it at the end as it pleases.
        if (!m_replies.verified)
            readerFailed(ec == asio::error::eof
                    ? QStringLiteral("the destination closed the urgent connection")
                    : QStringLiteral("urgent connection lost (%1)").arg(asioErrorText(ec)));
        return;
    }
    const MsgHeader h = m_urgentHeader;
    if (h.type != std::uint32_t(MsgType::PageRequest) || h.bodyBytes != 0) {
        readerFailed(QStringLiteral("protocol error: message %1 on the urgent connection").arg(h.type));
        return;
    }
    if (h.arg < m_readerPages && m_onPageRequest)
        m_onPageRequest(std::size_t(h.arg));
    readUrgentNext();
}

void MigrationLink::readerFailed(const QString &error)
{
    m_replies.failed = true;
    m_replies.error = error;
}

void MigrationLink::readNext()
{
    asio::async_read(socket(), asio::buffer(&m_readHeader, sizeof m_readHeader),
        [this](const boost::system::error_code &ec, std::size_t) { onReply(ec); });
}

void MigrationLink::onReply(const boost::system::error_code &ec)
{
    if (ec) {
        readerFailed(ec == asio::error::eof ? QStringLiteral("the destination closed the connection")
                                            : QStringLiteral("connection lost (%1)").arg(asioErrorText(ec)));
        return;
    }
    const MsgHeader h = m_readHeader;
    switch (static_cast<MsgType>(h.type)) {
    case MsgType::PageRequest:
        if (h.arg < m_readerPages && m_onPageRequest)
            m_onPageRequest(std::size_t(h.arg));
        break;
    case MsgType::Verified:
        m_replies.verified = true;
        m_replies.equal = h.count == 1;
        m_replies.destinationChecksum = h.arg;
        break;
    case MsgType::Stats: {
        QString error;
        if (!checkBodyBytes(h, sizeof(StatsBody), &error)) {
            readerFailed(error);
            return;
        }
        asio::async_read(socket(), asio::buffer(&m_readStats, sizeof m_readStats),
            [this](const boost::system::error_code &e, std::size_t) {
                if (e) {
                    readerFailed(QStringLiteral("connection lost while reading statistics"));
                    return;
                }
                m_replies.stats = m_readStats;
                readNext();
            });
        return;
    }
    case MsgType::Abort:
        readerFailed(QStringLiteral("the destination gave up"));
        return;
    default:
        break;
    }
    readNext();
}

} // namespace proclab::migration
