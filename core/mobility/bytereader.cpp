#include "bytereader.h"

namespace proclab::mobility {

ByteReader::ByteReader(std::span<const std::uint8_t> bytes, QString what)
    : m_bytes(bytes)
    , m_what(std::move(what))
{
}

bool ByteReader::fail(const QString &message)
{
    if (m_error.isEmpty())
        m_error = message;
    return false;
}

bool ByteReader::need(std::size_t n, const char *field)
{
    if (!ok())
        return false;
    if (remaining() < n)
        return fail(QStringLiteral("truncated %1: %2 needs %3 bytes at offset %4, %5 left")
                        .arg(m_what, QLatin1String(field))
                        .arg(n)
                        .arg(m_offset)
                        .arg(remaining()));
    return true;
}

bool ByteReader::u8(std::uint8_t *v, const char *field)
{
    if (!need(1, field))
        return false;
    *v = m_bytes[m_offset++];
    return true;
}

bool ByteReader::u16(std::uint16_t *v, const char *field)
{
    if (!need(2, field))
        return false;
    *v = std::uint16_t(m_bytes[m_offset] | (m_bytes[m_offset + 1] << 8));
    m_offset += 2;
    return true;
}

bool ByteReader::u32(std::uint32_t *v, const char *field)
{
    if (!need(4, field))
        return false;
    std::uint32_t r = 0;
    for (int i = 0; i < 4; ++i)
        r |= std::uint32_t(m_bytes[m_offset + std::size_t(i)]) << (8 * i);
    *v = r;
    m_offset += 4;
    return true;
}

bool ByteReader::u64(std::uint64_t *v, const char *field)
{
    if (!need(8, field))
        return false;
    std::uint64_t r = 0;
    for (int i = 0; i < 8; ++i)
        r |= std::uint64_t(m_bytes[m_offset + std::size_t(i)]) << (8 * i);
    *v = r;
    m_offset += 8;
    return true;
}

bool ByteReader::value(Value *v, const char *field)
{
    std::uint8_t kind = 0;
    std::uint64_t bits = 0;
    if (!u8(&kind, field) || !u64(&bits, field))
        return false;
    if (kind != std::uint8_t(ValueKind::Int) && kind != std::uint8_t(ValueKind::Float))
        return fail(QStringLiteral("bad %1: %2 has the unknown value kind %3 at offset %4")
                        .arg(m_what, QLatin1String(field))
                        .arg(kind)
                        .arg(m_offset - 9));
    *v = Value {static_cast<ValueKind>(kind), bits};
    return true;
}

bool ByteReader::shortText(QString *text, std::uint32_t maxBytes, const char *field)
{
    std::uint8_t n = 0;
    if (!u8(&n, field))
        return false;
    if (n > maxBytes)
        return fail(QStringLiteral("bad %1: %2 of %3 bytes is longer than %4")
                        .arg(m_what, QLatin1String(field))
                        .arg(n)
                        .arg(maxBytes));
    std::span<const std::uint8_t> raw;
    if (!bytes(&raw, n, field))
        return false;
    *text = QString::fromUtf8(reinterpret_cast<const char *>(raw.data()), qsizetype(raw.size()));
    return true;
}

bool ByteReader::text(QString *text, std::uint32_t maxBytes, const char *field)
{
    std::uint16_t n = 0;
    if (!u16(&n, field))
        return false;
    if (n > maxBytes)
        return fail(QStringLiteral("bad %1: %2 of %3 bytes is longer than %4")
                        .arg(m_what, QLatin1String(field))
                        .arg(n)
                        .arg(maxBytes));
    std::span<const std::uint8_t> raw;
    if (!bytes(&raw, n, field))
        return false;
    *text = QString::fromUtf8(reinterpret_cast<const char *>(raw.data()), qsizetype(raw.size()));
    return true;
}

bool ByteReader::bytes(std::span<const std::uint8_t> *out, std::size_t n, const char *field)
{
    if (!need(n, field))
        return false;
    *out = m_bytes.subspan(m_offset, n);
    m_offset += n;
    return true;
}

bool ByteReader::checkCount(
    std::uint64_t count, std::uint64_t limit, std::uint64_t minItemBytes, const char *field)
{
    if (!ok())
        return false;
    if (count > limit)
        return fail(QStringLiteral("refused %1: %2 of %3 exceeds the limit of %4")
                        .arg(m_what, QLatin1String(field))
                        .arg(count)
                        .arg(limit));
    if (minItemBytes > 0 && count > remaining() / minItemBytes)
        return fail(QStringLiteral("truncated %1: %2 of %3 needs at least %4 bytes at offset %5, %6 left")
                        .arg(m_what, QLatin1String(field))
                        .arg(count)
                        .arg(count * minItemBytes)
                        .arg(m_offset)
                        .arg(remaining()));
    return true;
}

} // namespace proclab::mobility
