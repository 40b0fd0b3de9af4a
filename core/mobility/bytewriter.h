#pragma once

#include "value.h"

#include <QString>

#include <cstdint>
#include <span>
#include <vector>

namespace proclab::mobility {

/**
 * @brief Appends fixed-width little-endian fields to a byte vector.
 *
 * Written byte by byte, so the encoding is the same on every host whatever its
 * own byte order and struct padding.
 */
class ByteWriter {
public:
    /// @brief Reserves room for @p bytes more (an encoder that knows its size allocates once).
    void reserve(std::size_t bytes) { m_bytes.reserve(m_bytes.size() + bytes); }
    void u8(std::uint8_t v) { m_bytes.push_back(v); }
    void u16(std::uint16_t v);
    void u32(std::uint32_t v);
    void u64(std::uint64_t v);
    /// @brief A value: kind byte then its 64 bits.
    void value(const Value &v);
    /// @brief UTF-8 text with a u8 length (the caller keeps it under 256 bytes).
    void shortText(const QString &text);
    /// @brief UTF-8 text with a u16 length.
    void text(const QString &text);
    void bytes(std::span<const std::uint8_t> data);
    /// @brief Overwrites the u32 at @p offset (for lengths known only later).
    void patchU32(std::size_t offset, std::uint32_t v);

    std::size_t size() const { return m_bytes.size(); }
    const std::vector<std::uint8_t> &data() const { return m_bytes; }
    std::vector<std::uint8_t> take() { return std::move(m_bytes); }

private:
    std::vector<std::uint8_t> m_bytes;
};

} // namespace proclab::mobility
