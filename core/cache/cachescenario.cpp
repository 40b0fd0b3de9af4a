#include "cachescenario.h"

#include <algorithm>

namespace proclab {

CacheScenario::CacheScenario(std::uint64_t aBytes, std::uint64_t bBytes, std::uint32_t lineBytes)
    : m_blocksA(std::max<std::uint64_t>(1, aBytes / lineBytes))
    , m_blocksB(std::max<std::uint64_t>(1, bBytes / lineBytes))
{
    const std::uint64_t nA = m_blocksA;
    const std::uint64_t nB = m_blocksB;
    m_accesses.reserve(3 * nA + 2 * nB);
    auto add = [&](int owner, std::uint64_t i, int label, int phase) {
        CacheScenarioAccess s;
        s.record.label = label;
        s.record.owner = static_cast<std::uint16_t>(owner);
        s.record.address = baseAddress(owner) + i * lineBytes;
        s.phase = phase;
        s.blockIndex = i;
        m_accesses.push_back(s);
    };
    // (a) A fills the cache: a cold pass that writes every fourth block, then a warm pass.
    for (std::uint64_t i = 0; i < nA; ++i)
        add(0, i, i % 4 == 1 ? 1 : 0, 0);
    for (std::uint64_t i = 0; i < nA; ++i)
        add(0, i, 0, 0);
    // (b) Switched to B: B walks its own blocks twice.
    for (int pass = 0; pass < 2; ++pass) {
        for (std::uint64_t i = 0; i < nB; ++i)
            add(1, i, 0, 1);
    }
    // (c) Back in A: block D first (as in the slides' figure), then the rest.
    const std::uint64_t d = std::min<std::uint64_t>(3, nA - 1);
    add(0, d, 0, 2);
    for (std::uint64_t i = 0; i < nA; ++i) {
        if (i != d)
            add(0, i, 0, 2);
    }
}

QString CacheScenario::ownerName(int owner)
{
    return owner == 0 ? QStringLiteral("A") : QStringLiteral("B");
}

QString CacheScenario::phaseName(int phase)
{
    switch (phase) {
    case 0:
        return QStringLiteral("(a) process A runs");
    case 1:
        return QStringLiteral("(b) switched to process B");
    default:
        return QStringLiteral("(c) back in process A");
    }
}

QString cacheBlockName(std::uint64_t index)
{
    QString name;
    std::uint64_t i = index;
    do {
        name.prepend(QChar(char('A' + i % 26)));
        i = i / 26;
    } while (i-- > 0);
    return name;
}

} // namespace proclab
