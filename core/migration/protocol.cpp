#include "protocol.h"

#include <algorithm>

#include <cstring>

namespace proclab::migration {

MsgHeader makeHeader(MsgType type, std::uint32_t count, std::uint64_t arg, std::uint64_t bodyBytes)
{
    return MsgHeader {std::uint32_t(type), count, arg, bodyBytes};
}

MsgHeader pagesHeader(std::size_t pages)
{
    return makeHeader(MsgType::Pages, std::uint32_t(pages), 0, pagesBodyBytes(pages));
}

void encodePageIndices(const std::uint32_t *pages, std::size_t n, std::vector<std::uint64_t> *out)
{
    out->resize(n);
    for (std::size_t i = 0; i < n; ++i)
        (*out)[i] = pages[i];
}

std::vector<char> encodeMessage(
    MsgType type, std::uint32_t count, std::uint64_t arg, const void *body, std::size_t bodyBytes)
{
    std::vector<char> msg(sizeof(MsgHeader) + bodyBytes);
    const MsgHeader h = makeHeader(type, count, arg, bodyBytes);
    std::memcpy(msg.data(), &h, sizeof h);
    if (bodyBytes)
        std::memcpy(msg.data() + sizeof h, body, bodyBytes);
    return msg;
}

bool checkType(const MsgHeader &h, MsgType expected, QString *error)
{
    if (h.type == std::uint32_t(expected))
        return true;
    if (error && h.type == std::uint32_t(MsgType::Abort))
        *error = abortReasonText(h.arg);
    else if (error)
        *error = QStringLiteral("the destination answered message %1 instead of %2")
                     .arg(h.type)
                     .arg(std::uint32_t(expected));
    return false;
}

bool checkBodyBytes(const MsgHeader &h, std::size_t expectedBytes, QString *error)
{
    if (h.bodyBytes == expectedBytes)
        return true;
    if (error)
        *error = QStringLiteral("protocol error: message %1 has %2 bytes, expected %3")
                     .arg(h.type)
                     .arg(h.bodyBytes)
                     .arg(expectedBytes);
    return false;
}

bool checkPagesHeader(const MsgHeader &h, QString *error)
{
    const std::uint32_t n = h.count;
    if (n != 0 && n <= kMaxPagesPerMessage && h.bodyBytes == pagesBodyBytes(n))
        return true;
    if (error)
        *error = QStringLiteral("protocol error: bad page batch of %1").arg(n);
    return false;
}

bool checkXbzrleHeader(const MsgHeader &h, QString *error)
{
    const std::uint32_t n = h.count;
    if (n != 0 && n <= kMaxPagesPerMessage && h.bodyBytes >= xbzrleBodyBytes(n, 0)
        && h.bodyBytes <= xbzrleBodyBytes(n, std::uint64_t(n) * kXbzrleMaxDeltaBytes))
        return true;
    if (error)
        *error = QStringLiteral("protocol error: bad batch of %1 page deltas in %2 bytes")
                     .arg(n)
                     .arg(h.bodyBytes);
    return false;
}

bool checkXbzrleLengths(const std::uint32_t *lengths, std::size_t n, std::uint64_t bodyBytes, QString *error)
{
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (lengths[i] > kXbzrleMaxDeltaBytes) {
            if (error)
                *error = QStringLiteral("protocol error: a page delta of %1 bytes (at most %2)")
                             .arg(lengths[i])
                             .arg(kXbzrleMaxDeltaBytes);
            return false;
        }
        sum += lengths[i];
    }
    if (xbzrleBodyBytes(n, sum) == bodyBytes)
        return true;
    if (error)
        *error = QStringLiteral("protocol error: page deltas of %1 bytes in a body of %2")
                     .arg(sum)
                     .arg(bodyBytes);
    return false;
}

bool checkCompressedHeader(const MsgHeader &h, QString *error)
{
    const std::uint32_t n = h.count;
    if (n != 0 && n <= kMaxPagesPerMessage && h.bodyBytes >= compressedBodyBytes(n, n)
        && h.bodyBytes <= compressedBodyBytes(n, std::uint64_t(n) * kMaxCompressedPageBytes))
        return true;
    if (error)
        *error = QStringLiteral("protocol error: bad batch of %1 compressed pages in %2 bytes")
                     .arg(n)
                     .arg(h.bodyBytes);
    return false;
}

bool checkCompressedLengths(
    const std::uint32_t *lengths, std::size_t n, std::uint64_t bodyBytes, QString *error)
{
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (lengths[i] == 0 || lengths[i] > kMaxCompressedPageBytes) {
            if (error)
                *error = QStringLiteral("protocol error: a compressed page of %1 bytes (1 to %2)")
                             .arg(lengths[i])
                             .arg(kMaxCompressedPageBytes);
            return false;
        }
        sum += lengths[i];
    }
    if (compressedBodyBytes(n, sum) == bodyBytes)
        return true;
    if (error)
        *error = QStringLiteral("protocol error: compressed pages of %1 bytes in a body of %2")
                     .arg(sum)
                     .arg(bodyBytes);
    return false;
}

bool checkPageIndices(const std::uint64_t *indices, std::size_t n, std::uint64_t pages, QString *error)
{
    for (std::size_t i = 0; i < n; ++i) {
        if (indices[i] >= pages) {
            if (error)
                *error = QStringLiteral("protocol error: page %1 does not exist").arg(indices[i]);
            return false;
        }
    }
    return true;
}

bool checkHello(const HelloBody &hello, QString *error, std::uint64_t maxPages)
{
    const auto refuse = [error](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    if (hello.magic != kMagic || hello.version != kVersion || hello.pageBytes != kPageBytes)
        return refuse(QStringLiteral("not a ProcLab migration (bad magic, version or page size)"));
    if (hello.pages == 0 || hello.pages > std::min(maxPages, kMaxPages))
        return refuse(QStringLiteral("refused a VM of %1 pages (%2 MiB): this node accepts 1 to %3 pages")
                          .arg(hello.pages)
                          .arg(hello.pages / (1024 * 1024 / kPageBytes))
                          .arg(std::min(maxPages, kMaxPages)));
    if (hello.strategy > std::uint32_t(WireStrategy::PostCopy))
        return refuse(QStringLiteral("protocol error: unknown strategy %1").arg(hello.strategy));
    if (hello.hotSharePercent > 100)
        return refuse(QStringLiteral("protocol error: a hot share of %1 %").arg(hello.hotSharePercent));
    if (hello.hotPages > hello.pages || hello.hotFirstPage > hello.pages - hello.hotPages)
        return refuse(QStringLiteral("protocol error: hot set of %1 pages from page %2 outside %3 pages")
                          .arg(hello.hotPages)
                          .arg(hello.hotFirstPage)
                          .arg(hello.pages));
    if (!(hello.dirtyRatePagesPerSec >= 0 && hello.dirtyRatePagesPerSec <= kMaxDirtyRatePagesPerSec))
        return refuse(QStringLiteral("protocol error: dirty rate %1 pages/s is outside 0 to %2")
                          .arg(hello.dirtyRatePagesPerSec)
                          .arg(kMaxDirtyRatePagesPerSec));
    if (hello.workload > kMaxWorkload)
        return refuse(QStringLiteral("protocol error: unknown workload %1").arg(hello.workload));
    if (hello.requestReads > kMaxRequestReads)
        return refuse(QStringLiteral("protocol error: %1 reads a request (at most %2)")
                          .arg(hello.requestReads)
                          .arg(kMaxRequestReads));
    if ((hello.flags & ~kHelloUrgentChannel) != 0)
        return refuse(QStringLiteral("protocol error: unknown Hello flags %1").arg(hello.flags));
    if (hello.channels < 1 || hello.channels > kMaxChannels)
        return refuse(QStringLiteral("protocol error: %1 page channels (1 to %2)")
                          .arg(hello.channels)
                          .arg(kMaxChannels));
    if (hello.channels > 1 && hello.strategy == std::uint32_t(WireStrategy::PostCopy))
        return refuse(QStringLiteral("protocol error: several page channels are for pre-copy and "
                                     "stop-and-copy only"));
    if ((hello.flags & kHelloUrgentChannel) && hello.strategy != std::uint32_t(WireStrategy::PostCopy))
        return refuse(QStringLiteral("protocol error: an urgent channel is for post-copy only"));
    return true;
}

bool checkChannelPages(const std::uint64_t *indices, std::size_t n, std::uint32_t channel,
    std::uint32_t channels, QString *error)
{
    if (channels <= 1)
        return true;
    for (std::size_t i = 0; i < n; ++i) {
        if (pageChannel(indices[i], channels) != channel) {
            if (error)
                *error
                    = QStringLiteral("protocol error: page %1 on channel %2 of %3 (it belongs on channel %4)")
                          .arg(indices[i])
                          .arg(channel)
                          .arg(channels)
                          .arg(pageChannel(indices[i], channels));
            return false;
        }
    }
    return true;
}

QString abortReasonText(std::uint64_t reason)
{
    switch (static_cast<AbortReason>(reason)) {
    case AbortReason::Token:
        return QStringLiteral("the node refused: wrong or missing token (give the node's --token as the "
                              "token parameter)");
    case AbortReason::Busy:
        return QStringLiteral("the node refused: it serves as many migrations at once as it takes");
    case AbortReason::UnknownChannel:
        return QStringLiteral("the node refused the urgent connection: no migration of this source waits "
                              "for one");
    case AbortReason::Unspecified:
        break;
    }
    return QStringLiteral("the destination abandoned the migration");
}

bool checkToken(std::string_view token, QString *error)
{
    if (!token.empty() && token.size() <= kMaxTokenBytes && token.find('\0') == std::string_view::npos)
        return true;
    if (error)
        *error = QStringLiteral("a token has 1 to %1 bytes (no NUL)").arg(kMaxTokenBytes);
    return false;
}

void setHelloToken(HelloBody *hello, std::string_view token)
{
    const std::size_t n = std::min(token.size(), kMaxTokenBytes);
    std::memset(hello->token, 0, sizeof hello->token);
    if (n) // an empty view's data() may be null
        std::memcpy(hello->token, token.data(), n);
    hello->tokenBytes = std::uint32_t(n);
}

bool helloTokenMatches(const HelloBody &hello, std::string_view token)
{
    if (token.size() > kMaxTokenBytes)
        return false;
    char expected[kMaxTokenBytes] = {};
    if (!token.empty())
        std::memcpy(expected, token.data(), token.size());
    // Accumulated through a volatile so that the compiler keeps every comparison: no early exit.
    volatile std::uint32_t diff = hello.tokenBytes ^ std::uint32_t(token.size());
    for (std::size_t i = 0; i < kMaxTokenBytes; ++i)
        diff = diff | std::uint32_t(std::uint8_t(hello.token[i]) ^ std::uint8_t(expected[i]));
    return diff == 0;
}

} // namespace proclab::migration
