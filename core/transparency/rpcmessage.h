#pragma once

#include "idlinterface.h"

#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

namespace proclab {

/// The bytes of one RPC message.
using RpcBytes = std::vector<std::uint8_t>;

/**
 * @brief One field a marshaller wrote: where it is in the message and what it holds.
 */
struct MarshalField {
    int offset = 0;
    int length = 0;
    QString label; ///< "magic", "call id", "a = 2", "length of name", ...
};

/**
 * @brief The fixed header of every RPC message.
 */
struct RpcHeader {
    std::uint8_t kind = 0;
    std::uint16_t method = 0;
    std::uint32_t callId = 0;
    std::uint32_t payloadBytes = 0;
};

/**
 * @brief The wire format of ProcLab's small RPC protocol, and the marshalling a generated
 * stub performs.
 *
 * A message is a 16-byte header (magic "PLRP", version 1, kind, method id, call id,
 * payload length; integers big-endian, network order) and a payload: int32 in 4 bytes,
 * double as 8 bytes IEEE 754, string as a 4-byte length and its bytes, sequence<double>
 * as a 4-byte count and 8 bytes per element. Every length is checked against the limits
 * below before anything is allocated or read.
 */
class RpcMessage {
public:
    enum Kind : std::uint8_t { Call = 0, Reply = 1, Error = 2 };
    static constexpr int kHeaderBytes = 16;
    static constexpr std::uint32_t kMaxPayloadBytes = 64 * 1024;
    static constexpr std::uint32_t kMaxStringBytes = 4096;
    static constexpr std::uint32_t kMaxSequence = 1024;

    /// @brief Marshals a call of @p method; false with @p error when the arguments do not fit it.
    static bool marshalCall(const IdlMethod &method, std::uint32_t callId, const std::vector<RpcValue> &args,
        RpcBytes *out, std::vector<MarshalField> *fields, QString *error);
    /// @brief Marshals the reply carrying @p result (which must have the method's result type).
    static RpcBytes marshalReply(const IdlMethod &method, std::uint32_t callId, const RpcValue &result,
        std::vector<MarshalField> *fields = nullptr);
    /// @brief An error reply: the refusal explained in one line.
    static RpcBytes marshalError(std::uint16_t method, std::uint32_t callId, const QString &message);

    /// @brief Whether the first min(@p size, 4) bytes of @p data agree with the magic "PLRP".
    static bool hasMagic(const std::uint8_t *data, std::size_t size);
    /// @brief Parses and checks a header (magic, version, kind, payload limit).
    static std::optional<RpcHeader> parseHeader(const std::uint8_t *data, std::size_t size, QString *error);
    /**
     * @brief Reads values of @p types from a payload that must contain exactly them.
     * @return false with a one-line @p error on a short, long or oversized payload
     */
    static bool unmarshal(const std::vector<IdlType> &types, const std::uint8_t *data, std::size_t size,
        std::vector<RpcValue> *out, QString *error);
    /// @brief The types of @p method's parameters.
    static std::vector<IdlType> paramTypes(const IdlMethod &method);
};

} // namespace proclab
