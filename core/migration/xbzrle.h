#pragma once

#include "pagememory.h"

#include <QString>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace proclab::migration {

// Delta encoding of dirty pages (XBZRLE, as QEMU does it): a page sent again is
// compared with the copy sent last time; where they are equal nothing needs to
// cross the link. The delta is the XOR of the two copies, run-length encoded: a
// sequence of pairs (length of a run of unchanged bytes, length of a run of
// changed bytes, then the changed bytes' new values), each length an unsigned
// LEB128 number (7 bits a byte, low bits first). Unchanged bytes after the last
// changed run are not encoded; an unchanged page is an empty delta.

/// The longest delta worth sending: a longer one goes as the whole page instead.
inline constexpr std::size_t kXbzrleMaxDeltaBytes = kPageBytes - 16;

/**
 * @brief Encodes @p newPage as a delta against @p oldPage into @p out.
 * @return the delta's length (0 when the pages are equal), or -1 when it would be longer
 * than @p limit bytes (the page is then sent whole; @p out holds no valid delta).
 */
std::ptrdiff_t xbzrleEncode(
    const std::uint8_t *oldPage, const std::uint8_t *newPage, std::uint8_t *out, std::size_t limit);

/**
 * @brief Applies the delta @p delta[0..bytes) to @p page in place.
 *
 * The delta is checked whole before a byte of the page changes: a truncated
 * length or run, a run past the end of the page, an empty changed run or a
 * non-canonical (empty) unchanged run after the first is refused with a one-line
 * @p error and the page is left as it was.
 */
bool xbzrleDecode(const std::uint8_t *delta, std::size_t bytes, std::uint8_t *page, QString *error);

/**
 * @brief The source's bounded cache of the pages it sent: for each, the exact bytes
 * the destination received last, so a delta against it applies to what is there.
 *
 * Direct-mapped, one page per slot (page number modulo the slots): a page sent
 * whole takes its slot and evicts the page that had it, which is then sent whole
 * next time. A page channel of n (PageChannels) only ever sees its own stripes of
 * pages: its cache, made for n channels, maps the page's place among them
 * (pageIndexInChannel()) instead, so every slot is used.
 * One thread at a time (its channel's).
 */
class XbzrleCache {
public:
    /// A cache of @p bytes (whole pages; less than one page: no slot, every lookup misses) for
    /// the pages of one page channel of @p channels (1: any page).
    explicit XbzrleCache(std::size_t bytes, std::uint32_t channels = 1);

    std::size_t slotCount() const { return m_tags.size(); }
    std::size_t bytes() const { return m_tags.size() * kPageBytes; }

    /// The bytes last sent for @p page, or nullptr when they are not cached.
    const std::uint8_t *find(std::uint32_t page) const;
    /// Records @p data (one page) as what was last sent for @p page.
    void insert(std::uint32_t page, const std::uint8_t *data);
    /// Pages currently cached.
    std::size_t cachedPages() const;

private:
    static constexpr std::uint32_t kEmpty = 0xffffffffu;
    std::size_t slotOf(std::uint32_t page) const
    {
        return std::size_t(pageIndexInChannel(page, m_channels) % m_tags.size());
    }
    std::uint32_t m_channels;
    std::vector<std::uint32_t> m_tags; // the page held by each slot, or kEmpty
    std::unique_ptr<std::uint8_t[]> m_data; // slots x kPageBytes
};

} // namespace proclab::migration
