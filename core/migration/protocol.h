#pragma once

#include "pagecompressor.h"
#include "pagememory.h"
#include "xbzrle.h"

#include <QString>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace proclab::migration {

// The migration wire format, between the source (the engine) and a destination
// (an in-process MigrationNode or `proclab node` in another process). Every
// message starts with a 24-byte header; integers are little-endian (both ends
// are x86/ARM Linux builds of ProcLab; the Hello magic rejects anything else).

inline constexpr std::uint32_t kMagic = 0x50474d31; // "PGM1"
/// The protocol's version; 2: the Hello carries the node's token, pages may come as XBZRLE deltas;
/// 3: the Hello names the workload, the Stats carry the median wait for a page, pages may come
/// compressed; 4: the CPU state names the guest's memory content, the Stats carry the toy guest
/// OS's figures, and post-copy may add a second, urgent connection (UrgentHello) for page
/// requests and their answers, the Hello carries flags and the HelloAck a body (HelloAckBody);
/// 5: pre-copy and stop-and-copy may send pages on several connections (HelloBody::channels,
/// ChannelHello, ChannelFlush).
inline constexpr std::uint32_t kVersion = 5;
inline constexpr std::size_t kMaxTokenBytes = 64;
inline constexpr std::uint32_t kMaxPagesPerMessage = 256;

enum class MsgType : std::uint32_t {
    Hello = 1, ///< src->dst, body HelloBody
    HelloAck = 2, ///< dst->src, arg = TCP port where the VM will serve clients, body HelloAckBody
    Pages = 3, ///< src->dst, count pages: count x u64 index, then count x 4096 bytes
    RoundEnd = 4, ///< src->dst, arg = round number (informational)
    CpuState = 5, ///< src->dst, body VmStateBody: the VM is paused on the source; resume it
    Resumed = 6, ///< dst->src, the VM runs on the destination now
    PageRequest = 7, ///< dst->src (post-copy), arg = page the vCPU is waiting for
    Complete = 8, ///< src->dst, every page was sent; arg = checksum of the source at the pause
    Verified = 9, ///< dst->src, arg = checksum of the destination's memory as received
    Finish = 10, ///< src->dst, the run is over: stop the VM and report
    Stats = 11, ///< dst->src, body StatsBody
    Abort = 12, ///< either way: the migration is abandoned; from the destination, arg = AbortReason
    /// src->dst (pre-copy), count pages sent as deltas against their last copy (see xbzrle.h):
    /// count x u64 index, count x u32 delta length, then the deltas one after the other
    XbzrlePages = 13,
    /// src->dst (pre-copy, stop-and-copy), count pages each compressed alone (pagecompressor.h):
    /// count x u64 index, count x u32 compressed length, then the compressed pages one after the other
    CompressedPages = 14,
    /// src->dst, the first message on a second connection (post-copy with the urgent channel):
    /// arg = HelloAckBody::joinKey of the main connection, body the main connection's HelloBody
    /// (token included). Page requests and their answers then travel on it.
    UrgentHello = 15,
    UrgentReady = 16, ///< dst->src on the second connection: it is the migration's urgent channel now
    /// src->dst, the first message on a further page channel (HelloBody::channels > 1): count =
    /// the channel's number (1 to channels - 1), arg = HelloAckBody::joinKey, body the main
    /// connection's HelloBody. Pages, XbzrlePages and CompressedPages then travel on it too.
    ChannelHello = 17,
    ChannelReady = 18, ///< dst->src on a page channel: it is channel `count` of the migration now
    /// src->dst on a page channel: no more pages come on it. The destination resumes the VM
    /// only once every page channel's flush was read and its pages applied.
    ChannelFlush = 19,
};

/// Why a destination refused a source: the arg of the Abort it sends before it closes.
enum class AbortReason : std::uint64_t {
    Unspecified = 0,
    Token = 1, ///< the Hello's token is missing or not the node's
    Busy = 2, ///< the node serves as many migrations as it takes at once
    UnknownChannel = 3, ///< an UrgentHello or ChannelHello that matches no migration waiting for it
};

/// HelloBody::flags: the source opens a second, urgent connection (post-copy only).
inline constexpr std::uint32_t kHelloUrgentChannel = 1;

struct MsgHeader {
    std::uint32_t type = 0;
    std::uint32_t count = 0;
    std::uint64_t arg = 0;
    std::uint64_t bodyBytes = 0;
};
static_assert(sizeof(MsgHeader) == 24);

/// The strategy ids on the wire.
enum class WireStrategy : std::uint32_t { StopCopy = 0, PreCopy = 1, PostCopy = 2 };

/// What the destination needs to build the VM: memory size and the workload it runs.
struct HelloBody {
    std::uint32_t magic = kMagic;
    std::uint32_t version = kVersion;
    std::uint64_t pageBytes = 4096;
    std::uint64_t pages = 0;
    std::uint32_t strategy = 0;
    std::uint32_t hotSharePercent = 0;
    std::uint64_t hotFirstPage = 0;
    std::uint64_t hotPages = 0;
    double dirtyRatePagesPerSec = 0;
    std::uint64_t requestReads = 0; ///< pages a client request reads
    std::uint32_t tokenBytes = 0; ///< bytes of token in use; 0: no token
    std::uint32_t workload = 0; ///< what the vCPU does (migration::WorkloadKind)
    std::uint32_t flags = 0; ///< kHelloUrgentChannel or 0
    /// Connections that carry pages (pre-copy, stop-and-copy): a page always travels on channel
    /// pageChannel(page, channels), channel 0 being the main connection. 1 to kMaxChannels.
    std::uint32_t channels = 1;
    /// The node's shared token (`proclab node --token`), zero-padded. Sent in clear: it keeps
    /// out peers that do not know it, not a listener on the network.
    char token[kMaxTokenBytes] = {};
};
static_assert(sizeof(HelloBody) == 144);

/// The HelloAck's body.
struct HelloAckBody {
    /// With kHelloUrgentChannel or more than one channel: the random key an UrgentHello or a
    /// ChannelHello must present to join this migration; otherwise 0.
    std::uint64_t joinKey = 0;
};
static_assert(sizeof(HelloAckBody) == 8);

/// The vCPU's state: what the workload needs to continue where it stopped.
struct VmStateBody {
    std::uint64_t rng = 0; ///< the workload's random generator state
    std::uint64_t writes = 0; ///< page writes so far
    std::uint64_t requests = 0; ///< client requests served so far
    std::uint32_t memoryContent = 0; ///< what the guest's pages hold (migration::MemoryContent)
    std::uint32_t contentSeed = 0; ///< the seed that chose each page's kind of content
};

/// Bytes of the toy guest's console the destination reports (StatsBody::guestConsoleTail).
inline constexpr std::size_t kGuestConsoleTailBytes = 64;

/// What the destination reports when the run finishes.
struct StatsBody {
    std::uint64_t requestsServed = 0;
    std::uint64_t pagesReceived = 0;
    std::uint64_t duplicatePages = 0; ///< pages received more than once
    std::uint64_t demandFaults = 0; ///< post-copy: page requests sent
    std::uint64_t faultWaitNs = 0; ///< post-copy: total time the vCPU waited for pages
    std::uint64_t maxFaultWaitNs = 0;
    std::int64_t degradedNs = 0; ///< post-copy: resume until the last page arrived
    std::uint64_t writes = 0; ///< page writes done on the destination
    std::uint64_t faultWaitP50Ns = 0; ///< post-copy: the median wait of the vCPU for a page
    std::uint64_t guestInstructions = 0; ///< toyos: the toy guest's instructions since its first boot
    std::uint64_t guestConsoleBytes = 0; ///< toyos: bytes the toy guest printed since its first boot
    char guestConsoleTail[kGuestConsoleTailBytes] = {}; ///< toyos: the end of its console, zero-padded
};

// ---- Encoding and checking, shared by the source (the engine's link and senders) and the
// destination (MigrationNode): each rule of the format is written here once.

/// Bytes of a Pages message's body for @p pages pages: their u64 indices, then the pages.
constexpr std::uint64_t pagesBodyBytes(std::size_t pages)
{
    return std::uint64_t(pages) * (sizeof(std::uint64_t) + kPageBytes);
}

/// Bytes of an XbzrlePages message's body for @p pages deltas of @p deltaBytes bytes in all.
constexpr std::uint64_t xbzrleBodyBytes(std::size_t pages, std::uint64_t deltaBytes)
{
    return std::uint64_t(pages) * (sizeof(std::uint64_t) + sizeof(std::uint32_t)) + deltaBytes;
}

/// Bytes of a CompressedPages message's body for @p pages pages of @p dataBytes bytes in all.
constexpr std::uint64_t compressedBodyBytes(std::size_t pages, std::uint64_t dataBytes)
{
    return std::uint64_t(pages) * (sizeof(std::uint64_t) + sizeof(std::uint32_t)) + dataBytes;
}

/// A header for a message of @p type.
MsgHeader makeHeader(
    MsgType type, std::uint32_t count = 0, std::uint64_t arg = 0, std::uint64_t bodyBytes = 0);
/// The header of a Pages message carrying @p pages pages.
MsgHeader pagesHeader(std::size_t pages);
/// The page numbers @p pages[0..n) as the wire's u64 indices, in @p out (resized to n).
void encodePageIndices(const std::uint32_t *pages, std::size_t n, std::vector<std::uint64_t> *out);
/// A whole message (header, then @p bodyBytes of @p body) as bytes, for a queue of writes.
std::vector<char> encodeMessage(MsgType type, std::uint32_t count, std::uint64_t arg,
    const void *body = nullptr, std::size_t bodyBytes = 0);

/// Whether @p h is of @p expected type; otherwise a one-line @p error naming both, or saying
/// why the destination refused when @p h is its Abort.
bool checkType(const MsgHeader &h, MsgType expected, QString *error);
/// Whether @p h announces a body of exactly @p expectedBytes (the struct it must carry).
bool checkBodyBytes(const MsgHeader &h, std::size_t expectedBytes, QString *error);
/// Whether @p h is a valid Pages header: 1..kMaxPagesPerMessage pages and the matching body size.
bool checkPagesHeader(const MsgHeader &h, QString *error);
/**
 * @brief Whether @p h is a valid XbzrlePages header: 1..kMaxPagesPerMessage pages and a body
 * that holds their indices and lengths and no more than a longest delta per page.
 */
bool checkXbzrleHeader(const MsgHeader &h, QString *error);
/**
 * @brief Whether the delta lengths @p lengths[0..n) of an XbzrlePages message are each at
 * most kXbzrleMaxDeltaBytes and add up to the rest of its body (@p bodyBytes in all).
 */
bool checkXbzrleLengths(const std::uint32_t *lengths, std::size_t n, std::uint64_t bodyBytes, QString *error);
/**
 * @brief Whether @p h is a valid CompressedPages header: 1..kMaxPagesPerMessage pages and a
 * body that holds their indices and lengths and 1 to kMaxCompressedPageBytes bytes per page.
 */
bool checkCompressedHeader(const MsgHeader &h, QString *error);
/**
 * @brief Whether the compressed lengths @p lengths[0..n) of a CompressedPages message are each
 * 1 to kMaxCompressedPageBytes and add up to the rest of its body (@p bodyBytes in all).
 */
bool checkCompressedLengths(
    const std::uint32_t *lengths, std::size_t n, std::uint64_t bodyBytes, QString *error);
/// Whether every index of @p indices[0..n) names a page of a memory of @p pages pages.
bool checkPageIndices(const std::uint64_t *indices, std::size_t n, std::uint64_t pages, QString *error);
/// The largest VM a destination accepts, in pages (256 GiB).
inline constexpr std::uint64_t kMaxPages = std::uint64_t(1) << 26;
/// The highest dirty rate a destination's vCPU accepts (pages per second; the engine offers 10^6).
inline constexpr double kMaxDirtyRatePagesPerSec = 1e7;
/// The most pages one client request may read on the destination.
inline constexpr std::uint64_t kMaxRequestReads = 4096;
/// The most page channels a migration may use (HelloBody::channels).
inline constexpr std::uint32_t kMaxChannels = 8;
/**
 * @brief Whether every page of @p indices[0..n) belongs on page channel @p channel of
 * @p channels (pageChannel()): a page never travels on two connections, so its versions
 * arrive in the order they were sent and no two channels write one page.
 */
bool checkChannelPages(const std::uint64_t *indices, std::size_t n, std::uint32_t channel,
    std::uint32_t channels, QString *error);
/// The largest workload id HelloBody::workload may carry (migration::WorkloadKind).
inline constexpr std::uint32_t kMaxWorkload = 4;
/**
 * @brief Whether @p hello is a ProcLab migration this build speaks, of an acceptable size
 * (at most @p maxPages pages) and with every workload value in range: a known strategy, a hot
 * set inside the memory, a share of at most 100 %, a finite dirty rate of at most
 * kMaxDirtyRatePagesPerSec, at most kMaxRequestReads reads a request, no flag but
 * kHelloUrgentChannel (with post-copy only), and 1 to kMaxChannels channels (more than one
 * with pre-copy or stop-and-copy only).
 */
bool checkHello(const HelloBody &hello, QString *error, std::uint64_t maxPages = kMaxPages);

/// What a destination's Abort with @p reason (its arg) tells the source, in one line.
QString abortReasonText(std::uint64_t reason);
/// Whether @p token can be a node's token: 1 to kMaxTokenBytes bytes, no NUL byte.
bool checkToken(std::string_view token, QString *error);
/// Puts @p token (checkToken() first; empty: none) into @p hello.
void setHelloToken(HelloBody *hello, std::string_view token);
/**
 * @brief Whether @p hello carries exactly @p token. Compares every byte of the field whatever
 * differs, so the time taken does not tell a peer how much of a guess was right.
 */
bool helloTokenMatches(const HelloBody &hello, std::string_view token);

} // namespace proclab::migration
