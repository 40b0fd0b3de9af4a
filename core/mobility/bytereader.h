#pragma once

#include "value.h"

#include <QString>

#include <cstdint>
#include <span>

namespace proclab::mobility {

/**
 * @brief Reads fixed-width little-endian fields from untrusted bytes.
 *
 * Every read checks the bytes left first. The first failure is kept as a
 * one-line message naming the field and the offset ("truncated: the stack
 * count needs 4 bytes at offset 57, 2 are left"); later reads fail too, so a
 * decoder can read a group of fields and check ok() once.
 */
class ByteReader {
public:
    /// @param what  the name of what is being read ("code segment"), for messages
    ByteReader(std::span<const std::uint8_t> bytes, QString what);

    bool u8(std::uint8_t *v, const char *field);
    bool u16(std::uint16_t *v, const char *field);
    bool u32(std::uint32_t *v, const char *field);
    bool u64(std::uint64_t *v, const char *field);
    /// @brief A value; refuses an unknown kind byte.
    bool value(Value *v, const char *field);
    /// @brief u8-length UTF-8 text of at most @p maxBytes bytes.
    bool shortText(QString *text, std::uint32_t maxBytes, const char *field);
    /// @brief u16-length UTF-8 text of at most @p maxBytes bytes.
    bool text(QString *text, std::uint32_t maxBytes, const char *field);
    /// @brief The next @p n bytes, without copying.
    bool bytes(std::span<const std::uint8_t> *out, std::size_t n, const char *field);

    /**
     * @brief Checks a count read from the input before anything is allocated for it:
     * at most @p limit items, and @p count * @p minItemBytes bytes must still be there.
     */
    bool checkCount(std::uint64_t count, std::uint64_t limit, std::uint64_t minItemBytes, const char *field);
    /// @brief Records a failure found by the caller (the first one wins).
    bool fail(const QString &message);

    bool ok() const { return m_error.isEmpty(); }
    const QString &error() const { return m_error; }
    std::size_t offset() const { return m_offset; }
    std::size_t remaining() const { return m_bytes.size() - m_offset; }
    bool atEnd() const { return m_offset == m_bytes.size(); }

private:
    bool need(std::size_t n, const char *field);

    std::span<const std::uint8_t> m_bytes;
    QString m_what;
    std::size_t m_offset = 0;
    QString m_error;
};

} // namespace proclab::mobility
