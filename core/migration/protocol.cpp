#include "protocol.h"

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
    if (error)
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

bool checkHello(const HelloBody &hello, QString *error)
{
    if (hello.magic != kMagic || hello.version != kVersion || hello.pageBytes != kPageBytes) {
        if (error)
            *error = QStringLiteral("not a ProcLab migration (bad magic, version or page size)");
        return false;
    }
    if (hello.pages == 0 || hello.pages > kMaxPages) {
        if (error)
            *error = QStringLiteral("refused a VM of %1 pages").arg(hello.pages);
        return false;
    }
    return true;
}

} // namespace proclab::migration
