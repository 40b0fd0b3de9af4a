#pragma once

#include "codesegment.h"
#include "computation.h"
#include "datasegment.h"
#include "executionstate.h"
#include "machinelimits.h"

#include <QString>

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace proclab::mobility {

/// @brief Four ASCII characters as the little-endian u32 they make on the wire.
constexpr std::uint32_t fourcc(char a, char b, char c, char d)
{
    return std::uint32_t(std::uint8_t(a)) | (std::uint32_t(std::uint8_t(b)) << 8)
        | (std::uint32_t(std::uint8_t(c)) << 16) | (std::uint32_t(std::uint8_t(d)) << 24);
}

/// @brief A serialised image and the size of each section in it.
struct EncodedImage {
    std::vector<std::uint8_t> bytes; ///< header and sections, ready to send
    std::uint32_t codeBytes = 0; ///< 0 when the image has no code segment
    std::uint32_t dataBytes = 0;
    std::uint32_t stateBytes = 0;
};

/// @brief What a decoded image held; each part is checked and fits the others.
struct DecodedImage {
    std::optional<CodeSegment> code;
    std::optional<DataSegment> data;
    std::optional<ExecutionState> state;
    std::uint32_t codeBytes = 0;
    std::uint32_t dataBytes = 0;
    std::uint32_t stateBytes = 0;
};

/**
 * @brief The portable serialisation of the three segments and of whole images.
 *
 * Format version 1, all fields little-endian and fixed-width, nothing copied
 * from memory as a struct:
 *
 * - Each segment starts with an 8-byte header: u32 magic ("PLCS" code, "PLDS"
 *   data, "PLES" execution state), u16 version, u16 reserved (0).
 * - Values are a kind byte (0 integer, 1 float) and 64 bits; names are
 *   u8-length UTF-8; counts are u32 and come before their items.
 * - Code: name, u32 bytecode length + bytecode, u32 constants + values,
 *   u32 functions + (name, u32 entry, u16 params, u16 locals), u32 entry function.
 * - Data: u32 globals + (name, value), u32 heap cells + values.
 * - State: u8 status, u8 fault, u16 0, u32 pc, u64 steps, value result,
 *   u16-length fault text, u32 stack + values, u32 frames + 4 x u32,
 *   u32 locals + values.
 * - An image is a 24-byte header (u32 "PLMI", u16 version, u16 section flags
 *   1 code | 2 data | 4 state, u32 code, data and state lengths, u32 CRC-32
 *   of everything after the header) followed by the present sections in that order.
 *
 * Decoding checks the magic, version, every length and count against
 * MachineLimits before allocating anything, the checksum, that each section is
 * consumed exactly, and that an execution state fits its code and data.
 * Failures give one line saying what was wrong and where.
 */
class ImageCodec {
public:
    static constexpr std::uint32_t kImageMagic = fourcc('P', 'L', 'M', 'I');
    static constexpr std::uint32_t kCodeMagic = fourcc('P', 'L', 'C', 'S');
    static constexpr std::uint32_t kDataMagic = fourcc('P', 'L', 'D', 'S');
    static constexpr std::uint32_t kStateMagic = fourcc('P', 'L', 'E', 'S');
    static constexpr std::uint16_t kVersion = 1;
    static constexpr std::size_t kImageHeaderBytes = 24;
    static constexpr std::uint16_t kHasCode = 1, kHasData = 2, kHasState = 4;

    static std::vector<std::uint8_t> encodeCode(const CodeSegment &code);
    static std::vector<std::uint8_t> encodeData(const DataSegment &data);
    static std::vector<std::uint8_t> encodeState(const ExecutionState &state);

    /// @brief A code segment from its serialisation; nullopt with a one-line @p error.
    static std::optional<CodeSegment> decodeCode(
        std::span<const std::uint8_t> bytes, const MachineLimits &limits, QString *error);
    static std::optional<DataSegment> decodeData(
        std::span<const std::uint8_t> bytes, const MachineLimits &limits, QString *error);
    /// @brief An execution state; only its own structure is checked (see ExecutionState::validate()).
    static std::optional<ExecutionState> decodeState(
        std::span<const std::uint8_t> bytes, const MachineLimits &limits, QString *error);

    /// @brief An image of the given parts (null ones are left out).
    static EncodedImage encodeImage(
        const CodeSegment *code, const DataSegment *data, const ExecutionState *state);
    /// @brief Code and data only: what weak mobility ships.
    static EncodedImage encodeWeak(const Computation &c) { return encodeImage(&c.code, &c.data, nullptr); }
    /// @brief Code, data and execution state: what strong mobility ships.
    static EncodedImage encodeStrong(const Computation &c) { return encodeImage(&c.code, &c.data, &c.state); }

    /**
     * @brief Decodes and checks an image. It must hold a code segment; an
     * execution state needs the data segment too and must fit both.
     */
    static std::optional<DecodedImage> decodeImage(
        std::span<const std::uint8_t> bytes, const MachineLimits &limits, QString *error);

    /// @brief CRC-32 (IEEE 802.3, as zlib computes it).
    static std::uint32_t crc32(std::span<const std::uint8_t> bytes);
    /// @brief CRC-32 of a data segment's serialisation: equal data segments have equal checksums.
    static std::uint32_t dataChecksum(const DataSegment &data) { return crc32(encodeData(data)); }
};

} // namespace proclab::mobility
