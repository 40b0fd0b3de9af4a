#include "bytewriter.h"

namespace proclab::mobility {

void ByteWriter::u16(std::uint16_t v)
{
    const std::uint8_t b[2] = {std::uint8_t(v), std::uint8_t(v >> 8)};
    m_bytes.insert(m_bytes.end(), b, b + 2);
}

void ByteWriter::u32(std::uint32_t v)
{
    std::uint8_t b[4];
    for (int i = 0; i < 4; ++i)
        b[i] = std::uint8_t(v >> (8 * i));
    m_bytes.insert(m_bytes.end(), b, b + 4);
}

void ByteWriter::u64(std::uint64_t v)
{
    std::uint8_t b[8];
    for (int i = 0; i < 8; ++i)
        b[i] = std::uint8_t(v >> (8 * i));
    m_bytes.insert(m_bytes.end(), b, b + 8);
}

void ByteWriter::value(const Value &v)
{
    std::uint8_t b[9];
    b[0] = static_cast<std::uint8_t>(v.kind);
    for (int i = 0; i < 8; ++i)
        b[1 + i] = std::uint8_t(v.bits >> (8 * i));
    m_bytes.insert(m_bytes.end(), b, b + 9);
}

void ByteWriter::shortText(const QString &text)
{
    const QByteArray utf8 = text.toUtf8().left(255);
    u8(std::uint8_t(utf8.size()));
    m_bytes.insert(m_bytes.end(), utf8.begin(), utf8.end());
}

void ByteWriter::text(const QString &text)
{
    const QByteArray utf8 = text.toUtf8().left(65535);
    u16(std::uint16_t(utf8.size()));
    m_bytes.insert(m_bytes.end(), utf8.begin(), utf8.end());
}

void ByteWriter::bytes(std::span<const std::uint8_t> data)
{
    m_bytes.insert(m_bytes.end(), data.begin(), data.end());
}

void ByteWriter::patchU32(std::size_t offset, std::uint32_t v)
{
    for (int i = 0; i < 4 && offset + std::size_t(i) < m_bytes.size(); ++i)
        m_bytes[offset + std::size_t(i)] = std::uint8_t(v >> (8 * i));
}

} // namespace proclab::mobility
