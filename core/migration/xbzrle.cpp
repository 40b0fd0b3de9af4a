#include "xbzrle.h"

#include <cstring>

namespace proclab::migration {

namespace {

// A run length fits in 13 bits (at most a page): two LEB128 bytes, three allowed.
constexpr std::size_t kMaxLebBytes = 3;

std::size_t lebBytes(std::size_t v)
{
    return v < 0x80 ? 1 : v < 0x4000 ? 2 : 3;
}

std::size_t putLeb(std::uint8_t *out, std::size_t v)
{
    std::size_t n = 0;
    do {
        std::uint8_t b = std::uint8_t(v & 0x7f);
        v >>= 7;
        if (v)
            b |= 0x80;
        out[n++] = b;
    } while (v);
    return n;
}

bool getLeb(const std::uint8_t *in, std::size_t bytes, std::size_t *pos, std::size_t *value)
{
    *value = 0;
    for (std::size_t i = 0; i < kMaxLebBytes; ++i) {
        if (*pos >= bytes)
            return false;
        const std::uint8_t b = in[(*pos)++];
        *value |= std::size_t(b & 0x7f) << (7 * i);
        if (!(b & 0x80))
            return true;
    }
    return false;
}

std::uint64_t load64(const std::uint8_t *p)
{
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

} // namespace

std::ptrdiff_t xbzrleEncode(
    const std::uint8_t *oldPage, const std::uint8_t *newPage, std::uint8_t *out, std::size_t limit)
{
    std::size_t pos = 0;
    std::size_t used = 0;
    while (pos < kPageBytes) {
        const std::size_t unchangedFrom = pos;
        // Unchanged bytes: most of a page that was written in a few places, so a word at a time.
        while (pos + 8 <= kPageBytes && load64(oldPage + pos) == load64(newPage + pos))
            pos += 8;
        while (pos < kPageBytes && oldPage[pos] == newPage[pos])
            ++pos;
        if (pos == kPageBytes)
            break; // the unchanged tail is not encoded
        const std::size_t unchanged = pos - unchangedFrom;
        const std::size_t changedFrom = pos;
        while (pos < kPageBytes && oldPage[pos] != newPage[pos])
            ++pos;
        const std::size_t changed = pos - changedFrom;
        if (used + lebBytes(unchanged) + lebBytes(changed) + changed > limit)
            return -1;
        used += putLeb(out + used, unchanged);
        used += putLeb(out + used, changed);
        std::memcpy(out + used, newPage + changedFrom, changed);
        used += changed;
    }
    return std::ptrdiff_t(used);
}

bool xbzrleDecode(const std::uint8_t *delta, std::size_t bytes, std::uint8_t *page, QString *error)
{
    // First pass: check everything; second pass: apply. A bad delta leaves the page alone.
    const auto walk = [&](bool apply) {
        const auto refuse = [&](const char *why, std::size_t at) {
            if (error)
                *error = QStringLiteral("protocol error: bad page delta (%1 at byte %2 of %3)")
                             .arg(QLatin1String(why))
                             .arg(at)
                             .arg(bytes);
            return false;
        };
        std::size_t in = 0;
        std::size_t pos = 0;
        bool first = true;
        while (in < bytes) {
            const std::size_t pairAt = in;
            std::size_t unchanged = 0, changed = 0;
            if (!getLeb(delta, bytes, &in, &unchanged) || !getLeb(delta, bytes, &in, &changed))
                return refuse("a run length cut short or too long", pairAt);
            if (unchanged == 0 && !first)
                return refuse("an empty unchanged run", pairAt);
            if (changed == 0)
                return refuse("an empty changed run", pairAt);
            if (unchanged > kPageBytes - pos || changed > kPageBytes - pos - unchanged)
                return refuse("runs past the end of the page", pairAt);
            if (changed > bytes - in)
                return refuse("a changed run cut short", pairAt);
            pos += unchanged;
            if (apply)
                std::memcpy(page + pos, delta + in, changed);
            pos += changed;
            in += changed;
            first = false;
        }
        return true;
    };
    if (!walk(false))
        return false;
    walk(true);
    return true;
}

XbzrleCache::XbzrleCache(std::size_t bytes, std::uint32_t channels)
    : m_channels(std::max<std::uint32_t>(1, channels))
    , m_tags(bytes / kPageBytes, kEmpty)
{
    if (!m_tags.empty())
        m_data = std::make_unique_for_overwrite<std::uint8_t[]>(m_tags.size() * kPageBytes);
}

const std::uint8_t *XbzrleCache::find(std::uint32_t page) const
{
    if (m_tags.empty())
        return nullptr;
    const std::size_t slot = slotOf(page);
    return m_tags[slot] == page ? m_data.get() + slot * kPageBytes : nullptr;
}

void XbzrleCache::insert(std::uint32_t page, const std::uint8_t *data)
{
    if (m_tags.empty())
        return;
    const std::size_t slot = slotOf(page);
    m_tags[slot] = page;
    std::memcpy(m_data.get() + slot * kPageBytes, data, kPageBytes);
}

std::size_t XbzrleCache::cachedPages() const
{
    std::size_t n = 0;
    for (std::uint32_t tag : m_tags)
        n += tag != kEmpty;
    return n;
}

} // namespace proclab::migration
