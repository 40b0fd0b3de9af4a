#pragma once

#include "pagememory.h"

#include <QString>

#include <cstddef>
#include <cstdint>
#include <memory>

namespace proclab::migration {

// Compression of whole pages (the `compress` parameter). Each page is compressed
// on its own with zlib (RFC 1950: deflate with a header and an Adler-32 check),
// level 1 by default as QEMU's compression uses: the link is usually faster than
// a higher level would be. A page that does not get shorter goes whole.

/// How pages are compressed on the link.
enum class Compression { None, Zlib };

/// The longest compressed page sent: a page that does not shrink below one page goes whole.
inline constexpr std::size_t kMaxCompressedPageBytes = kPageBytes - 1;

/**
 * @brief Compresses and decompresses single pages with zlib, reusing one stream each way
 * (setting a stream up costs more than a page's worth of work). One thread at a time.
 */
class PageCompressor {
public:
    /// @p level: zlib's 1 (fastest) to 9 (smallest).
    explicit PageCompressor(int level = 1);
    ~PageCompressor();
    PageCompressor(const PageCompressor &) = delete;
    PageCompressor &operator=(const PageCompressor &) = delete;

    /**
     * @brief Compresses the page @p page into @p out (room for kMaxCompressedPageBytes).
     * @return the compressed length (1 to kMaxCompressedPageBytes), or -1 when the page does
     * not get shorter than a page (it is then sent whole; @p out holds nothing valid).
     */
    std::ptrdiff_t compress(const std::uint8_t *page, std::uint8_t *out);

    /**
     * @brief Inflates @p data[0..bytes) into @p page, which must come out exactly one page.
     *
     * Anything else is refused with a one-line @p error: data that is not zlib, fails its
     * check, ends early, inflates to fewer or more bytes than a page, or has bytes after its
     * end. @p page may then hold part of the output (the caller discards it).
     */
    bool decompress(const std::uint8_t *data, std::size_t bytes, std::uint8_t *page, QString *error);

private:
    struct Streams;
    int m_level;
    std::unique_ptr<Streams> m_streams;
};

} // namespace proclab::migration
