#include "blockcache.h"

#include <algorithm>
#include <limits>

namespace proclab {

BlockCache::BlockCache(std::size_t capacityBlocks)
    : m_capacity(std::max<std::size_t>(1, capacityBlocks))
{
}

BlockCache::Entry *BlockCache::find(const std::string &file, std::int64_t block)
{
    auto it = m_index.find({file, block});
    if (it == m_index.end())
        return nullptr;
    m_lru.splice(m_lru.begin(), m_lru, it->second);
    return &it->second->entry;
}

bool BlockCache::contains(const std::string &file, std::int64_t block) const
{
    return m_index.count({file, block}) != 0;
}

void BlockCache::put(
    const std::string &file, std::int64_t block, std::string data, std::int64_t version, bool prefetched)
{
    Key key {file, block};
    auto it = m_index.find(key);
    if (it != m_index.end()) {
        it->second->entry = {std::move(data), version, prefetched};
        m_lru.splice(m_lru.begin(), m_lru, it->second);
        return;
    }
    while (m_index.size() >= m_capacity && !m_lru.empty()) {
        m_index.erase(m_lru.back().key);
        m_lru.pop_back();
        ++m_evictions;
    }
    m_lru.push_front({key, {std::move(data), version, prefetched}});
    m_index.emplace(std::move(key), m_lru.begin());
}

std::size_t BlockCache::dropFile(const std::string &file)
{
    return dropOtherVersions(file, -1);
}

std::size_t BlockCache::dropOtherVersions(const std::string &file, std::int64_t version)
{
    std::size_t dropped = 0;
    auto it = m_index.lower_bound({file, std::numeric_limits<std::int64_t>::min()});
    while (it != m_index.end() && it->first.first == file) {
        if (it->second->entry.version != version) {
            m_lru.erase(it->second);
            it = m_index.erase(it);
            ++dropped;
        } else {
            ++it;
        }
    }
    return dropped;
}

std::size_t BlockCache::countOf(const std::string &file) const
{
    std::size_t n = 0;
    for (auto it = m_index.lower_bound({file, std::numeric_limits<std::int64_t>::min()});
         it != m_index.end() && it->first.first == file; ++it)
        ++n;
    return n;
}

void BlockCache::clear()
{
    m_lru.clear();
    m_index.clear();
}

} // namespace proclab
