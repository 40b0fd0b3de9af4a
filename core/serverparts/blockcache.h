#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <string>
#include <utility>

namespace proclab {

/**
 * @brief A least-recently-used cache of file blocks, keyed by (file name, block
 * index), bounded in blocks. Used by the file servers (their buffer cache) and by
 * the file clients (their local copies). No threads, no locking: its owner locks.
 */
class BlockCache {
public:
    /// @brief One cached block.
    struct Entry {
        std::string data;
        std::int64_t version = 0; ///< the file's version the block belongs to
        bool prefetched = false; ///< brought in by read-ahead and not yet asked for
    };

    explicit BlockCache(std::size_t capacityBlocks);

    /// @brief The entry, marked most recently used; nullptr when absent.
    Entry *find(const std::string &file, std::int64_t block);
    /// @brief True if present (does not touch the LRU order).
    bool contains(const std::string &file, std::int64_t block) const;
    /// @brief Inserts or replaces; evicts the least recently used block when full.
    void put(const std::string &file, std::int64_t block, std::string data, std::int64_t version,
        bool prefetched = false);
    /// @brief Drops every block of @p file; returns how many.
    std::size_t dropFile(const std::string &file);
    /// @brief Drops blocks of @p file whose version is not @p version; returns how many.
    std::size_t dropOtherVersions(const std::string &file, std::int64_t version);
    /// @brief Blocks of @p file held.
    std::size_t countOf(const std::string &file) const;
    void clear();
    std::size_t size() const { return m_index.size(); }
    std::size_t capacity() const { return m_capacity; }
    /// @brief Blocks evicted to make room so far.
    std::int64_t evictions() const { return m_evictions; }

private:
    using Key = std::pair<std::string, std::int64_t>;
    struct Node {
        Key key;
        Entry entry;
    };

    std::size_t m_capacity;
    std::list<Node> m_lru; // front = most recently used
    std::map<Key, std::list<Node>::iterator> m_index;
    std::int64_t m_evictions = 0;
};

} // namespace proclab
