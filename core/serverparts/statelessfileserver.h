#pragma once

#include "cachedfilestore.h"
#include "connectionserver.h"
#include "fileserverconfig.h"

#include <QString>

#include <cstdint>
#include <memory>
#include <mutex>

namespace proclab {

class FileStore;
class Timeline;

/**
 * @brief The stateless file service: every request names the file, offset and
 * length, and nothing about a client outlives its request.
 *
 * Line protocol over TCP (a connection may carry any number of requests, or one):
 *   READ <name> <offset> <length>   -> "DATA <n> <version> <hits> <misses> 0" + n bytes
 *   STAT <name>                     -> "STAT <size> <version>"
 *   WRITE <name> <offset> <length>  + length bytes -> "WRITTEN <version>"
 * Errors answer "ERROR <reason>" and the connection goes on, except after a
 * line that is too long or a WRITE larger than maxTransferBytes (its bytes
 * cannot be skipped safely): then the connection is closed after the error.
 * The server keeps a buffer cache of file blocks (state about files, which
 * every file server has) but no open-file table, no read-ahead (it cannot know
 * what a client will read next) and no promise to any client's cache: clients
 * validate their copies with STAT.
 */
class StatelessFileServer {
public:
    StatelessFileServer(FileStore &files, FileServerConfig config = {}, Timeline *timeline = nullptr);
    ~StatelessFileServer();
    StatelessFileServer(const StatelessFileServer &) = delete;
    StatelessFileServer &operator=(const StatelessFileServer &) = delete;

    /// @brief Listens on 127.0.0.1:@p port (0 = OS-chosen; a restart passes the old port).
    bool start(QString *error, std::uint16_t port = 0);
    /// @brief Ends every connection and joins every thread; the buffer cache is gone with it.
    void stop();
    std::uint16_t port() const;
    FileServerStats stats() const;
    std::size_t cachedBlocks() const;

private:
    void serve(TcpSocket &socket, std::uint64_t id, const StopEvent &stop);

    FileStore &m_files;
    FileServerConfig m_config;
    Timeline *m_timeline;
    std::unique_ptr<CachedFileStore> m_cache;
    std::unique_ptr<ConnectionServer> m_server;
    mutable std::mutex m_mutex; // guards m_stats
    FileServerStats m_stats;
};

} // namespace proclab
