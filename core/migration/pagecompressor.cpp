#include "pagecompressor.h"

#include <zlib.h>

#include <algorithm>
#include <limits>

namespace proclab::migration {

namespace {
static_assert(kPageBytes <= std::numeric_limits<uInt>::max());
} // namespace

/// zlib's streams, each set up on first use and reset (not rebuilt) for every page.
struct PageCompressor::Streams {
    z_stream deflater {};
    z_stream inflater {};
    bool deflaterReady = false;
    bool inflaterReady = false;

    ~Streams()
    {
        if (deflaterReady)
            deflateEnd(&deflater);
        if (inflaterReady)
            inflateEnd(&inflater);
    }
};

PageCompressor::PageCompressor(int level)
    : m_level(std::clamp(level, 1, 9))
    , m_streams(std::make_unique<Streams>())
{
}

PageCompressor::~PageCompressor() = default;

std::ptrdiff_t PageCompressor::compress(const std::uint8_t *page, std::uint8_t *out)
{
    z_stream &z = m_streams->deflater;
    if (!m_streams->deflaterReady) {
        if (deflateInit(&z, m_level) != Z_OK)
            return -1; // no memory for a stream: the page goes whole
        m_streams->deflaterReady = true;
    } else if (deflateReset(&z) != Z_OK) {
        return -1;
    }
    z.next_in = const_cast<Bytef *>(page); // zlib's API is not const-correct; it only reads
    z.avail_in = uInt(kPageBytes);
    z.next_out = out;
    z.avail_out = uInt(kMaxCompressedPageBytes);
    // Z_STREAM_END only when the whole stream fit: otherwise the page does not shrink enough.
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
        return -1;
    return std::ptrdiff_t(kMaxCompressedPageBytes - z.avail_out);
}

bool PageCompressor::decompress(
    const std::uint8_t *data, std::size_t bytes, std::uint8_t *page, QString *error)
{
    auto fail = [error](const QString &why) {
        if (error)
            *error = QStringLiteral("protocol error: a compressed page %1").arg(why);
        return false;
    };
    if (bytes == 0 || bytes > kMaxCompressedPageBytes)
        return fail(QStringLiteral("of %1 bytes (1 to %2)").arg(bytes).arg(kMaxCompressedPageBytes));
    z_stream &z = m_streams->inflater;
    if (!m_streams->inflaterReady) {
        if (inflateInit(&z) != Z_OK)
            return fail(QStringLiteral("could not be inflated: no memory for zlib"));
        m_streams->inflaterReady = true;
    } else if (inflateReset(&z) != Z_OK) {
        return fail(QStringLiteral("could not be inflated: zlib refused a reset"));
    }
    z.next_in = const_cast<Bytef *>(data);
    z.avail_in = uInt(bytes);
    z.next_out = page;
    z.avail_out = uInt(kPageBytes);
    const int rc = inflate(&z, Z_FINISH);
    const std::size_t produced = kPageBytes - z.avail_out;
    switch (rc) {
    case Z_STREAM_END:
        if (produced != kPageBytes)
            return fail(
                QStringLiteral("inflates to %1 bytes, not one page (%2)").arg(produced).arg(kPageBytes));
        if (z.avail_in != 0)
            return fail(QStringLiteral("has %1 bytes after its end").arg(z.avail_in));
        return true;
    case Z_BUF_ERROR:
        // Out of room with input left: more than a page. Out of input: the stream ends early.
        if (z.avail_out == 0 && z.avail_in > 0)
            return fail(QStringLiteral("inflates to more than one page (%1 bytes)").arg(kPageBytes));
        return fail(QStringLiteral("ends early, after %1 of %2 bytes").arg(produced).arg(kPageBytes));
    case Z_NEED_DICT:
        return fail(QStringLiteral("asks for a preset dictionary"));
    case Z_MEM_ERROR:
        return fail(QStringLiteral("could not be inflated: no memory for zlib"));
    default:
        return fail(QStringLiteral("is not valid zlib data (%1)")
                        .arg(z.msg ? QString::fromLatin1(z.msg) : QStringLiteral("error %1").arg(rc)));
    }
}

} // namespace proclab::migration
