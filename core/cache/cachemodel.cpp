#include "cachemodel.h"

#include <bit>

namespace proclab {

QString replacementId(Replacement r)
{
    switch (r) {
    case Replacement::Lru:
        return QStringLiteral("lru");
    case Replacement::Fifo:
        return QStringLiteral("fifo");
    case Replacement::Random:
        return QStringLiteral("random");
    }
    return {};
}

std::optional<Replacement> replacementFromId(const QString &id)
{
    const QString s = id.trimmed().toLower();
    if (s == QLatin1String("lru"))
        return Replacement::Lru;
    if (s == QLatin1String("fifo"))
        return Replacement::Fifo;
    if (s == QLatin1String("random"))
        return Replacement::Random;
    return std::nullopt;
}

QString CacheGeometry::check() const
{
    if (lineBytes == 0 || !std::has_single_bit(lineBytes))
        return QStringLiteral("line size %1 B is not a power of two").arg(lineBytes);
    if (sizeBytes == 0 || !std::has_single_bit(sizeBytes))
        return QStringLiteral("cache size %1 B is not a power of two").arg(sizeBytes);
    if (sizeBytes < lineBytes)
        return QStringLiteral("cache size %1 B is smaller than one line of %2 B").arg(sizeBytes).arg(lineBytes);
    if (ways == 0 || !std::has_single_bit(ways))
        return QStringLiteral("associativity %1 is not a power of two").arg(ways);
    if (ways > lines())
        return QStringLiteral("associativity %1 is more than the %2 lines of the cache")
            .arg(ways)
            .arg(lines());
    return {};
}

CacheModel::CacheModel(const CacheGeometry &geometry, std::uint64_t randomSeed)
    : m_geometry(geometry)
    , m_ways(geometry.ways)
    , m_lineShift(static_cast<std::uint32_t>(std::countr_zero(geometry.lineBytes)))
    , m_setMask(geometry.sets() - 1)
    , m_rng(randomSeed ? randomSeed : 1)
    , m_lru(geometry.replacement == Replacement::Lru)
{
    const std::size_t n = geometry.lines();
    m_keys.assign(n, kInvalid);
    m_stamp.assign(n, 0);
    m_dirty.assign(n, 0);
    m_setCounters.assign(geometry.sets(), CacheCounters{});
    m_ownerCounters.assign(kMaxOwners, CacheCounters{});
}

std::uint64_t CacheModel::flush()
{
    std::uint64_t written = 0;
    for (std::size_t i = 0; i < m_keys.size(); ++i) {
        if (m_keys[i] != kInvalid && m_dirty[i]) {
            ++written;
            const auto set = static_cast<std::uint32_t>(i / m_ways);
            ++m_setCounters[set].writeBacks;
            ++m_ownerCounters[m_keys[i] & kOwnerMask].writeBacks;
        }
        m_keys[i] = kInvalid;
        m_dirty[i] = 0;
        m_stamp[i] = 0;
    }
    return written;
}

CacheCounters CacheModel::totals() const
{
    CacheCounters t;
    for (const auto &c : m_setCounters) {
        t.hits += c.hits;
        t.misses += c.misses;
        t.evictions += c.evictions;
        t.writeBacks += c.writeBacks;
    }
    return t;
}

namespace {

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

// Reads one whitespace-delimited token; returns false at the end of the line.
bool nextToken(const char *&p, const char *end, const char **tokBegin, const char **tokEnd)
{
    while (p < end && isSpace(*p))
        ++p;
    if (p >= end)
        return false;
    *tokBegin = p;
    while (p < end && !isSpace(*p))
        ++p;
    *tokEnd = p;
    return true;
}

} // namespace

bool parseDinLine(const char *begin, const char *end, DinRecord *out, bool *skip, QString *error)
{
    *skip = false;
    const char *p = begin;
    const char *lb = nullptr;
    const char *le = nullptr;
    if (!nextToken(p, end, &lb, &le) || *lb == '#') {
        *skip = true;
        return true;
    }
    if (le - lb != 1 || *lb < '0' || *lb > '4') {
        *error = QStringLiteral("label '%1' is not 0 (read), 1 (write), 2 (fetch), 3 or 4 (flush)")
                     .arg(QString::fromLatin1(lb, int(le - lb)).left(20));
        return false;
    }
    out->label = *lb - '0';
    const char *ab = nullptr;
    const char *ae = nullptr;
    if (!nextToken(p, end, &ab, &ae)) {
        if (out->label == 4) { // a flush needs no address
            out->address = 0;
            out->owner = 0;
            return true;
        }
        *error = QStringLiteral("missing address after label %1").arg(out->label);
        return false;
    }
    const char *a = ab;
    if (ae - a > 2 && a[0] == '0' && (a[1] == 'x' || a[1] == 'X'))
        a += 2;
    if (ae - a > 16 || a == ae) {
        *error = QStringLiteral("address '%1' is not a 64-bit hexadecimal number")
                     .arg(QString::fromLatin1(ab, int(ae - ab)).left(24));
        return false;
    }
    std::uint64_t addr = 0;
    for (; a < ae; ++a) {
        const char c = *a;
        std::uint64_t d;
        if (c >= '0' && c <= '9')
            d = std::uint64_t(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = std::uint64_t(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = std::uint64_t(c - 'A' + 10);
        else {
            *error = QStringLiteral("address '%1' is not a hexadecimal number")
                         .arg(QString::fromLatin1(ab, int(ae - ab)).left(24));
            return false;
        }
        addr = (addr << 4) | d;
    }
    out->address = addr;
    out->owner = 0;
    const char *ob = nullptr;
    const char *oe = nullptr;
    if (nextToken(p, end, &ob, &oe) && *ob != '#') {
        int owner = 0;
        bool ok = oe - ob <= 2;
        for (const char *q = ob; ok && q < oe; ++q) {
            ok = *q >= '0' && *q <= '9';
            owner = owner * 10 + (*q - '0');
        }
        if (!ok || owner >= CacheModel::kMaxOwners) {
            *error = QStringLiteral("process '%1' is not a number from 0 to %2")
                         .arg(QString::fromLatin1(ob, int(oe - ob)).left(20))
                         .arg(CacheModel::kMaxOwners - 1);
            return false;
        }
        out->owner = static_cast<std::uint16_t>(owner);
    }
    return true;
}

} // namespace proclab
