// Fuzz target: the migration protocol's messages as a node decodes them from a source (and the
// source decodes the node's answers): headers and bodies one after the other, each checked by
// protocol.h's rules in the node's order (a Hello's token before its values, pages only after
// a Hello). What a check accepts is checked again a second way; what it refuses has a one-line
// reason; compressed pages are inflated as the node does. Decoding stops where the node would
// close the connection.
#include "migration/protocol.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

using namespace proclab::migration;

namespace {

constexpr std::string_view kToken = "fuzz-token";
constexpr std::uint64_t kNodePages = 16384; // a node with a 64 MiB cap

/// One compressor for every input, as a node keeps one per session.
PageCompressor g_compressor;

/// The input as a stream the node reads from.
struct Stream {
    const std::uint8_t *data;
    std::size_t size;
    std::size_t at = 0;

    bool read(void *out, std::size_t n)
    {
        if (size - at < n)
            return false; // the source went away mid-message
        if (n == 0)
            return true; // an empty delta: nothing to copy (and no buffer to copy to)
        std::memcpy(out, data + at, n);
        at += n;
        return true;
    }
    bool skip(std::uint64_t n)
    {
        if (size - at < n)
            return false;
        at += std::size_t(n);
        return true;
    }
};

void expectRefusal(bool accepted, const QString &error)
{
    // A refusal always says why, in one line.
    if (!accepted && (error.isEmpty() || error.contains(QLatin1Char('\n'))))
        __builtin_trap();
}

/// The token comparison, written the obvious way.
bool tokenEqualNaive(const HelloBody &hello, std::string_view token)
{
    if (hello.tokenBytes != token.size())
        return false;
    if (token.size() > kMaxTokenBytes
        || (!token.empty() && std::memcmp(hello.token, token.data(), token.size()) != 0))
        return false;
    return std::all_of(
        hello.token + token.size(), hello.token + kMaxTokenBytes, [](char c) { return c == 0; });
}

/// An accepted Hello's values, checked one by one.
bool helloInRange(const HelloBody &h, std::uint64_t maxPages)
{
    return h.magic == kMagic && h.version == kVersion && h.pageBytes == kPageBytes && h.pages >= 1
        && h.pages <= maxPages && h.strategy <= 2 && h.hotSharePercent <= 100 && h.hotPages <= h.pages
        && h.hotFirstPage <= h.pages && h.hotFirstPage + h.hotPages <= h.pages
        && std::isfinite(h.dirtyRatePagesPerSec) && h.dirtyRatePagesPerSec >= 0
        && h.dirtyRatePagesPerSec <= kMaxDirtyRatePagesPerSec && h.workload <= kMaxWorkload
        && h.requestReads <= kMaxRequestReads && h.channels >= 1 && h.channels <= kMaxChannels
        && (h.channels == 1 || h.strategy != 2)
        && (h.flags == 0 || (h.flags == kHelloUrgentChannel && h.strategy == 2));
}

/// A Hello (or an UrgentHello, which carries the same body) as the node checks it: the size,
/// then the token before anything else, then the values. Its pages when accepted, else 0.
std::uint64_t checkHelloMessage(const MsgHeader &h, Stream &in)
{
    QString error;
    const bool sized = checkBodyBytes(h, sizeof(HelloBody), &error);
    expectRefusal(sized, error);
    HelloBody hello;
    if (!sized || !in.read(&hello, sizeof hello))
        return 0;
    const bool tokenOk = helloTokenMatches(hello, kToken);
    if (tokenOk != tokenEqualNaive(hello, kToken)
        || helloTokenMatches(hello, {}) != tokenEqualNaive(hello, {}))
        __builtin_trap();
    if (!tokenOk)
        return 0;
    const bool ok = checkHello(hello, &error, kNodePages);
    expectRefusal(ok, error);
    if (ok != helloInRange(hello, kNodePages))
        __builtin_trap();
    // The protocol's own limit is never below a node's smaller one.
    QString why;
    if (ok && !checkHello(hello, &why))
        __builtin_trap();
    return ok ? hello.pages : 0;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    Stream in {data, size};
    std::uint64_t pages = 0; // the VM's size once a Hello was accepted
    std::vector<std::uint64_t> indices;
    MsgHeader h;
    while (in.read(&h, sizeof h)) {
        QString error;
        switch (static_cast<MsgType>(h.type)) {
        case MsgType::Hello: {
            if (pages != 0)
                return 0; // a second Hello: the node closes
            pages = checkHelloMessage(h, in);
            if (pages == 0)
                return 0;
            break;
        }
        case MsgType::ChannelHello:
        case MsgType::UrgentHello: {
            // The first message of an urgent connection or a page channel: the same checks as a Hello; then
            // only pages (the answers to page requests) follow on it, checked as on the main one.
            if (pages != 0)
                return 0; // after a Hello: the node closes
            pages = checkHelloMessage(h, in);
            if (pages == 0)
                return 0;
            break;
        }
        case MsgType::HelloAck: {
            // The source reads the node's HelloAck and its body, exactly a HelloAckBody.
            const bool ok = checkBodyBytes(h, sizeof(HelloAckBody), &error);
            expectRefusal(ok, error);
            if (ok != (h.bodyBytes == sizeof(HelloAckBody)))
                __builtin_trap();
            if (!ok || !in.skip(sizeof(HelloAckBody)))
                return 0;
            break;
        }
        case MsgType::Pages: {
            if (pages == 0)
                return 0;
            const bool ok = checkPagesHeader(h, &error);
            expectRefusal(ok, error);
            if (!ok)
                return 0;
            if (h.count == 0 || h.count > kMaxPagesPerMessage
                || h.bodyBytes != std::uint64_t(h.count) * (sizeof(std::uint64_t) + kPageBytes))
                __builtin_trap();
            indices.resize(h.count);
            if (!in.read(indices.data(), indices.size() * sizeof(std::uint64_t)))
                return 0;
            const bool inside = checkPageIndices(indices.data(), indices.size(), pages, &error);
            expectRefusal(inside, error);
            const bool allBelow
                = std::all_of(indices.begin(), indices.end(), [pages](std::uint64_t p) { return p < pages; });
            if (inside != allBelow)
                __builtin_trap();
            // Page channels: the check agrees with stripes of 64 pages dealt out in turn.
            for (std::uint32_t n = 1; n <= kMaxChannels; ++n) {
                const auto stripeChannel = [n](std::uint64_t p) { return std::uint32_t(p / 64 % n); };
                const std::uint32_t k = stripeChannel(indices.front());
                const bool sameChannel = std::all_of(
                    indices.begin(), indices.end(), [&](std::uint64_t p) { return stripeChannel(p) == k; });
                if (checkChannelPages(indices.data(), indices.size(), k, n, nullptr) != sameChannel)
                    __builtin_trap();
            }
            if (!inside || !in.skip(std::uint64_t(h.count) * kPageBytes))
                return 0;
            break;
        }
        case MsgType::XbzrlePages: {
            if (pages == 0)
                return 0;
            const bool ok = checkXbzrleHeader(h, &error);
            expectRefusal(ok, error);
            if (!ok)
                return 0;
            if (h.count == 0 || h.count > kMaxPagesPerMessage || h.bodyBytes < xbzrleBodyBytes(h.count, 0)
                || h.bodyBytes > xbzrleBodyBytes(h.count, std::uint64_t(h.count) * kXbzrleMaxDeltaBytes))
                __builtin_trap();
            indices.resize(h.count);
            std::vector<std::uint32_t> lengths(h.count);
            if (!in.read(indices.data(), indices.size() * sizeof(std::uint64_t))
                || !in.read(lengths.data(), lengths.size() * sizeof(std::uint32_t)))
                return 0;
            const bool inside = checkPageIndices(indices.data(), indices.size(), pages, &error)
                && checkXbzrleLengths(lengths.data(), lengths.size(), h.bodyBytes, &error);
            expectRefusal(inside, error);
            if (!inside)
                return 0;
            std::uint64_t sum = 0;
            for (std::uint32_t n : lengths) {
                if (n > kXbzrleMaxDeltaBytes)
                    __builtin_trap();
                sum += n;
            }
            if (xbzrleBodyBytes(h.count, sum) != h.bodyBytes)
                __builtin_trap();
            // Each delta against a page: accepted, or refused with the page unchanged.
            std::vector<std::uint8_t> page(kPageBytes), before(kPageBytes);
            for (std::size_t i = 0; i < lengths.size(); ++i) {
                std::vector<std::uint8_t> delta(lengths[i]);
                if (!in.read(delta.data(), delta.size()))
                    return 0;
                for (std::size_t b = 0; b < page.size(); ++b)
                    page[b] = std::uint8_t(b * 31 + i);
                before = page;
                QString why;
                const bool applied = xbzrleDecode(delta.data(), delta.size(), page.data(), &why);
                expectRefusal(applied, why);
                if (!applied && page != before)
                    __builtin_trap();
                if (applied && delta.empty() && page != before)
                    __builtin_trap();
            }
            break;
        }
        case MsgType::CompressedPages: {
            if (pages == 0)
                return 0;
            const bool ok = checkCompressedHeader(h, &error);
            expectRefusal(ok, error);
            if (!ok)
                return 0;
            if (h.count == 0 || h.count > kMaxPagesPerMessage
                || h.bodyBytes < compressedBodyBytes(h.count, h.count)
                || h.bodyBytes
                    > compressedBodyBytes(h.count, std::uint64_t(h.count) * kMaxCompressedPageBytes))
                __builtin_trap();
            indices.resize(h.count);
            std::vector<std::uint32_t> lengths(h.count);
            if (!in.read(indices.data(), indices.size() * sizeof(std::uint64_t))
                || !in.read(lengths.data(), lengths.size() * sizeof(std::uint32_t)))
                return 0;
            const bool inside = checkPageIndices(indices.data(), indices.size(), pages, &error)
                && checkCompressedLengths(lengths.data(), lengths.size(), h.bodyBytes, &error);
            expectRefusal(inside, error);
            if (!inside)
                return 0;
            std::uint64_t sum = 0;
            for (std::uint32_t n : lengths) {
                if (n == 0 || n > kMaxCompressedPageBytes)
                    __builtin_trap();
                sum += n;
            }
            if (compressedBodyBytes(h.count, sum) != h.bodyBytes)
                __builtin_trap();
            // Each compressed page inflates to exactly one page, or is refused with a reason;
            // an accepted one compresses back to something that inflates to the same page.
            std::vector<std::uint8_t> page(kPageBytes), again(kPageBytes), packed(kMaxCompressedPageBytes);
            for (std::uint32_t n : lengths) {
                std::vector<std::uint8_t> compressed(n);
                if (!in.read(compressed.data(), compressed.size()))
                    return 0;
                QString why;
                const bool inflated = g_compressor.decompress(compressed.data(), n, page.data(), &why);
                expectRefusal(inflated, why);
                if (!inflated)
                    continue;
                const std::ptrdiff_t packedBytes = g_compressor.compress(page.data(), packed.data());
                if (packedBytes > 0
                    && (!g_compressor.decompress(packed.data(), std::size_t(packedBytes), again.data(), &why)
                        || again != page))
                    __builtin_trap();
            }
            break;
        }
        case MsgType::CpuState:
        case MsgType::Stats: {
            const std::size_t bytes
                = h.type == std::uint32_t(MsgType::CpuState) ? sizeof(VmStateBody) : sizeof(StatsBody);
            const bool ok = checkBodyBytes(h, bytes, &error);
            expectRefusal(ok, error);
            if (ok != (h.bodyBytes == bytes))
                __builtin_trap();
            if (!ok || !in.skip(bytes))
                return 0;
            break;
        }
        default: {
            // Any other message where the source waits for the node's HelloAck (or, on an urgent
            // connection, its UrgentReady): refused with a reason, the node's own reason when it
            // is an Abort.
            const bool ok = checkType(h, MsgType::HelloAck, &error);
            expectRefusal(ok, error);
            if (ok)
                __builtin_trap(); // a HelloAck has its own case
            const bool ready = checkType(h, MsgType::UrgentReady, &error);
            expectRefusal(ready, error);
            if (ready != (h.type == std::uint32_t(MsgType::UrgentReady)))
                __builtin_trap();
            if (h.type == std::uint32_t(MsgType::Abort) && error != abortReasonText(h.arg))
                __builtin_trap();
            break;
        }
        }
    }
    return 0;
}
