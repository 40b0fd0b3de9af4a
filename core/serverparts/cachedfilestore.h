#pragma once

#include "blockcache.h"
#include "filestore.h"
#include "stopwait.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>

namespace proclab {

/**
 * @brief A file server's buffer cache over a FileStore, with optional
 * asynchronous read-ahead.
 *
 * read() serves whole blocks from an LRU BlockCache and reads missing ones from
 * the FileStore, paying the simulated disk wait for each. prefetch() queues a
 * block for the read-ahead thread; a read that needs a block queued or being
 * fetched waits for it and counts as a hit (read-ahead did the disk work). A
 * write drops the file's blocks and bumps the file's generation, so a block
 * read ahead across a write is not kept. Reads hold a shared lock for their
 * whole duration and writes an exclusive one, so a reply never mixes blocks
 * from before and after a write; the read-ahead thread takes no such lock, so a
 * read waiting for it cannot deadlock behind a writer. Thread-safe.
 */
class CachedFileStore {
public:
    /// @brief What one read() found.
    struct Read {
        std::string data;
        std::int64_t version = 0;
        int hits = 0; ///< blocks found in the cache (or being read ahead)
        int misses = 0; ///< blocks read from the file system for this request
        int prefetchHits = 0; ///< hits on blocks read-ahead brought in
    };

    /// @brief Counters since construction.
    struct Stats {
        std::int64_t hits = 0;
        std::int64_t misses = 0;
        std::int64_t prefetches = 0;
        std::int64_t prefetchHits = 0;
        std::int64_t diskReads = 0;
        std::int64_t writes = 0;
    };

    CachedFileStore(FileStore &files, int blockBytes, int cacheBlocks, int diskDelayUs);
    ~CachedFileStore();
    CachedFileStore(const CachedFileStore &) = delete;
    CachedFileStore &operator=(const CachedFileStore &) = delete;

    /// @brief Starts the read-ahead thread (without it prefetch() does nothing).
    void startReadAhead();
    /// @brief Ends the read-ahead thread and any disk wait.
    void stop();

    /// @brief Reads [offset, offset+length) of @p name (shorter at the end of the file).
    bool read(const std::string &name, std::int64_t offset, std::int64_t length, Read *out,
        std::string *error, const StopEvent *stop);
    bool stat(const std::string &name, FileInfo *info, std::string *error) const;
    /// @brief Writes through to the FileStore and drops the file's cached blocks.
    bool write(const std::string &name, std::int64_t offset, const std::string &data, FileInfo *after,
        std::string *error);
    /// @brief Queues block @p block of @p name for read-ahead (ignored if cached, queued or out of range).
    void prefetch(const std::string &name, std::int64_t block, std::int64_t fileBytes);

    Stats stats() const;
    std::size_t cachedBlocks() const;
    int blockBytes() const { return m_blockBytes; }

private:
    bool readBlockFromDisk(const std::string &name, std::int64_t block, std::string *data,
        std::int64_t *version, std::string *error, const StopEvent *stop);
    void readAheadLoop();

    FileStore &m_files;
    const int m_blockBytes;
    const int m_diskDelayUs;
    StopEvent m_stop;
    std::shared_mutex m_rw; // shared: reads and read-ahead; exclusive: writes

    mutable std::mutex m_mutex; // guards everything below
    std::condition_variable m_changed;
    BlockCache m_cache;
    std::set<std::pair<std::string, std::int64_t>> m_inFlight; // blocks the read-ahead thread is reading
    std::map<std::string, std::uint64_t> m_generation; // per file, bumped by every write
    std::deque<std::pair<std::string, std::int64_t>> m_queue;
    bool m_readAheadRunning = false;
    Stats m_stats;
    std::thread m_thread;
};

} // namespace proclab
