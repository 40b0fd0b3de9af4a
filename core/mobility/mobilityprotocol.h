#pragma once

#include "executionstate.h"
#include "imagecodec.h"
#include "machinelimits.h"
#include "value.h"

#include <QString>

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace proclab::mobility {

/**
 * The mobility wire protocol between a sender (MobilityClient) and a node
 * (MobilityNode), version 1. Every message is a 12-byte header, u32 magic
 * "PLMB", u16 version, u16 type, u32 body length, then the body; all fields
 * little-endian. A session is one connection:
 *
 *     sender                         node
 *     Hello(intent)          ->
 *                            <-      HelloAck(limits)
 *     Image(code+data)       ->                        intent run      (weak, push)
 *     Image(code+data+state) ->                        intent migrate / clone (strong)
 *                            <-      Accepted(bytes per segment)
 *                            <-      Result(status, value, steps)   when the computation ends there
 *   or
 *     Fetch(program name)    ->                        intent fetch    (weak, pull: code on demand)
 *                            <-      Code(image of code+data)
 *
 * Anything else, in any other order, more than once, or over a size limit, is
 * answered with Error(one line) and the connection is closed; the node goes on.
 */
namespace wire {

inline constexpr std::uint32_t kMagic = fourcc('P', 'L', 'M', 'B');
inline constexpr std::uint16_t kVersion = 1;
inline constexpr std::size_t kHeaderBytes = 12;
/// Bodies of every message but Image and Code are small: this bounds them.
inline constexpr std::uint32_t kMaxControlBodyBytes = 4096;

enum class MsgType : std::uint16_t {
    Hello = 1, ///< sender -> node: HelloBody
    HelloAck = 2, ///< node -> sender: HelloAckBody
    Image = 3, ///< sender -> node: an image (ImageCodec)
    Accepted = 4, ///< node -> sender: AcceptedBody
    Result = 5, ///< node -> sender: ResultBody
    Fetch = 6, ///< sender -> node: u16-length program name
    Code = 7, ///< node -> sender: an image of code and data
    Error = 8, ///< either way: u16-length one-line message; the session ends
};

/// What the sender means to do in this session.
enum class Intent : std::uint8_t {
    Run = 1, ///< weak mobility, push: code and data run from the beginning on the node
    Fetch = 2, ///< weak mobility, pull: the sender fetches code from the node's repository
    Migrate = 3, ///< strong mobility: the computation goes on at the node and stops at the sender
    Clone = 4, ///< strong mobility: a copy goes on at the node while the original goes on too
};

/// @brief "hello", "image", ... for messages.
QString msgTypeName(std::uint16_t type);
/// @brief "run", "fetch", "migrate", "clone".
QString intentName(Intent intent);

struct Header {
    MsgType type = MsgType::Error;
    std::uint32_t bodyBytes = 0;
};

std::array<std::uint8_t, kHeaderBytes> encodeHeader(MsgType type, std::uint32_t bodyBytes);
/// @brief Checks magic, version and type; false with a one-line @p error.
bool decodeHeader(std::span<const std::uint8_t, kHeaderBytes> bytes, Header *header, QString *error);
/// @brief The largest body a message of @p type may have under @p limits.
std::uint64_t maxBodyBytes(MsgType type, const MachineLimits &limits);

struct HelloBody {
    Intent intent = Intent::Run;
};
struct HelloAckBody {
    std::uint64_t maxImageBytes = 0; ///< the node refuses larger images
    std::uint32_t sessionId = 0;
};
struct AcceptedBody {
    bool resumed = false; ///< true: goes on from the shipped execution state; false: starts over
    std::uint32_t codeBytes = 0; ///< section sizes as the node read them
    std::uint32_t dataBytes = 0;
    std::uint32_t stateBytes = 0;
    std::uint64_t stepsAtArrival = 0;
    std::uint64_t decodeNs = 0; ///< the node's decode and check time
};
struct ResultBody {
    MachineStatus status = MachineStatus::Runnable; ///< Runnable: stopped by the node (see message)
    FaultKind fault = FaultKind::None;
    Value result;
    std::uint64_t stepsTotal = 0; ///< the computation's step count at the end
    std::uint64_t stepsHere = 0; ///< of which the node ran
    std::uint64_t runNs = 0; ///< the node's interpreter time
    std::uint32_t dataChecksum = 0; ///< ImageCodec::dataChecksum of the final data segment
    QString message; ///< the fault, or why the node stopped it
};

std::vector<std::uint8_t> encodeHello(const HelloBody &b);
std::vector<std::uint8_t> encodeHelloAck(const HelloAckBody &b);
std::vector<std::uint8_t> encodeAccepted(const AcceptedBody &b);
std::vector<std::uint8_t> encodeResult(const ResultBody &b);
std::vector<std::uint8_t> encodeText(const QString &text);

bool decodeHello(std::span<const std::uint8_t> bytes, HelloBody *b, QString *error);
bool decodeHelloAck(std::span<const std::uint8_t> bytes, HelloAckBody *b, QString *error);
bool decodeAccepted(std::span<const std::uint8_t> bytes, AcceptedBody *b, QString *error);
bool decodeResult(std::span<const std::uint8_t> bytes, ResultBody *b, QString *error);
bool decodeText(std::span<const std::uint8_t> bytes, QString *text, QString *error);

} // namespace wire
} // namespace proclab::mobility
