#include "cachedfilestore.h"

#include <algorithm>

namespace proclab {

namespace {
constexpr std::size_t kMaxQueue = 64; // read-ahead requests beyond this are dropped
} // namespace

CachedFileStore::CachedFileStore(FileStore &files, int blockBytes, int cacheBlocks, int diskDelayUs)
    : m_files(files)
    , m_blockBytes(std::max(1, blockBytes))
    , m_diskDelayUs(std::max(0, diskDelayUs))
    , m_cache(static_cast<std::size_t>(std::max(1, cacheBlocks)))
{
}

CachedFileStore::~CachedFileStore()
{
    stop();
}

void CachedFileStore::startReadAhead()
{
    std::lock_guard lock(m_mutex);
    if (m_readAheadRunning || m_stop.isSet())
        return;
    m_readAheadRunning = true;
    m_thread = std::thread([this] { readAheadLoop(); });
}

void CachedFileStore::stop()
{
    m_stop.set();
    {
        std::lock_guard lock(m_mutex);
        m_queue.clear();
    }
    m_changed.notify_all();
    if (m_thread.joinable())
        m_thread.join();
    std::lock_guard lock(m_mutex);
    m_readAheadRunning = false;
}

CachedFileStore::Stats CachedFileStore::stats() const
{
    std::lock_guard lock(m_mutex);
    return m_stats;
}

std::size_t CachedFileStore::cachedBlocks() const
{
    std::lock_guard lock(m_mutex);
    return m_cache.size();
}

bool CachedFileStore::stat(const std::string &name, FileInfo *info, std::string *error) const
{
    return m_files.stat(name, info, error);
}

bool CachedFileStore::readBlockFromDisk(const std::string &name, std::int64_t block, std::string *data,
    std::int64_t *version, std::string *error, const StopEvent *stop)
{
    FileInfo info;
    if (!m_files.read(name, block * m_blockBytes, m_blockBytes, data, &info, error))
        return false;
    *version = info.version;
    // The model of a disk: a fixed wait per block, which read-ahead can hide.
    if (m_diskDelayUs > 0) {
        const std::int64_t ns = static_cast<std::int64_t>(m_diskDelayUs) * 1000;
        if ((stop && sleepUnlessStopped(*stop, ns)) || m_stop.isSet()) {
            *error = "server stopping";
            return false;
        }
    }
    return true;
}

bool CachedFileStore::read(const std::string &name, std::int64_t offset, std::int64_t length, Read *out,
    std::string *error, const StopEvent *stop)
{
    std::shared_lock rw(m_rw);
    FileInfo info;
    if (!m_files.stat(name, &info, error))
        return false;
    if (offset < 0 || length < 0 || offset > info.sizeBytes) {
        *error = "offset " + std::to_string(offset) + " is outside '" + name + "' ("
            + std::to_string(info.sizeBytes) + " bytes)";
        return false;
    }
    out->version = info.version;
    out->data.clear();
    const std::int64_t end = std::min(info.sizeBytes, offset + length);
    if (end <= offset)
        return true;
    const std::int64_t first = offset / m_blockBytes;
    const std::int64_t last = (end - 1) / m_blockBytes;
    for (std::int64_t b = first; b <= last; ++b) {
        std::string block;
        bool hit = false;
        {
            std::unique_lock lock(m_mutex);
            // A block read-ahead is about to fetch or fetching: wait for it rather
            // than read it twice (the read-ahead thread needs no lock we hold).
            const auto key = std::make_pair(name, b);
            m_changed.wait(lock, [&] {
                return m_stop.isSet()
                    || (m_inFlight.count(key) == 0
                        && std::find(m_queue.begin(), m_queue.end(), key) == m_queue.end());
            });
            if (BlockCache::Entry *e = m_cache.find(name, b)) {
                hit = true;
                block = e->data;
                ++out->hits;
                ++m_stats.hits;
                if (e->prefetched) {
                    e->prefetched = false;
                    ++out->prefetchHits;
                    ++m_stats.prefetchHits;
                }
            }
        }
        if (!hit) {
            std::int64_t version = 0;
            if (!readBlockFromDisk(name, b, &block, &version, error, stop))
                return false;
            std::lock_guard lock(m_mutex);
            ++out->misses;
            ++m_stats.misses;
            ++m_stats.diskReads;
            m_cache.put(name, b, block, version);
        }
        const std::int64_t blockStart = b * m_blockBytes;
        const std::int64_t from = std::max(offset, blockStart) - blockStart;
        const std::int64_t to
            = std::min(end, blockStart + static_cast<std::int64_t>(block.size())) - blockStart;
        if (to > from)
            out->data.append(block, static_cast<std::size_t>(from), static_cast<std::size_t>(to - from));
    }
    return true;
}

bool CachedFileStore::write(const std::string &name, std::int64_t offset, const std::string &data,
    FileInfo *after, std::string *error)
{
    std::unique_lock rw(m_rw);
    if (!m_files.write(name, offset, data, after, error))
        return false;
    std::lock_guard lock(m_mutex);
    m_cache.dropFile(name);
    ++m_generation[name];
    ++m_stats.writes;
    return true;
}

void CachedFileStore::prefetch(const std::string &name, std::int64_t block, std::int64_t fileBytes)
{
    if (block < 0 || block * m_blockBytes >= fileBytes)
        return;
    {
        std::lock_guard lock(m_mutex);
        if (!m_readAheadRunning || m_cache.contains(name, block) || m_inFlight.count({name, block})
            || m_queue.size() >= kMaxQueue
            || std::find(m_queue.begin(), m_queue.end(), std::make_pair(name, block)) != m_queue.end())
            return;
        m_queue.emplace_back(name, block);
    }
    m_changed.notify_all();
}

void CachedFileStore::readAheadLoop()
{
    for (;;) {
        std::pair<std::string, std::int64_t> job;
        std::uint64_t generation = 0;
        {
            std::unique_lock lock(m_mutex);
            m_changed.wait(lock, [&] { return !m_queue.empty() || m_stop.isSet(); });
            if (m_stop.isSet())
                return;
            job = m_queue.front();
            m_queue.pop_front();
            // Leaving the queue and becoming in flight happen under one lock, so a
            // read never sees the block as neither.
            if (m_cache.contains(job.first, job.second)) {
                lock.unlock();
                m_changed.notify_all();
                continue;
            }
            m_inFlight.insert(job);
            generation = m_generation[job.first];
        }
        std::string data, error;
        std::int64_t version = 0;
        const bool ok = readBlockFromDisk(job.first, job.second, &data, &version, &error, &m_stop);
        {
            std::lock_guard lock(m_mutex);
            m_inFlight.erase(job);
            // Written meanwhile: what was read may be older than the write.
            if (ok && generation == m_generation[job.first]) {
                m_cache.put(job.first, job.second, std::move(data), version, true);
                ++m_stats.prefetches;
                ++m_stats.diskReads;
            }
        }
        m_changed.notify_all();
    }
}

} // namespace proclab
