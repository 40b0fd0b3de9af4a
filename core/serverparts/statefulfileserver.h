#pragma once

#include "cachedfilestore.h"
#include "connectionserver.h"
#include "fileserverconfig.h"

#include <QString>

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace proclab {

class FileStore;
class Timeline;

/// @brief One row of a stateful server's open-file table (for the view).
struct StatefulOpenFile {
    std::uint64_t clientId = 0;
    std::uint64_t handle = 0;
    QString name;
    std::int64_t lastBlock = -1; ///< the read-ahead position: the last block read through this handle
    std::int64_t reads = 0;
    bool leased = false; ///< the client holds a lease on the file (its cache is protected)
};

/**
 * @brief The stateful file service: it records which client opened which file,
 * reads ahead for each open file, and lets clients cache blocks under a lease
 * it promises to break (call back) before anyone changes the file.
 *
 * Main connection (the connection is the session; it ends with it):
 *   HELLO                          -> "WELCOME <clientId> <epoch> <leaseMs>"
 *   OPEN <name>                    -> "OPENED <handle> <size> <version> <leaseMs>"
 *   READ <handle> <offset> <length> -> "DATA <n> <version> <hits> <misses> <leaseMs>" + n bytes
 *   WRITE <handle> <offset> <length> + bytes -> "WRITTEN <version> <callbacks>"
 *   RENEW <handle>                 -> "RENEWED <version> <leaseMs>"
 *   CLOSE <handle>                 -> "CLOSED <handle>"
 *   BYE                            -> "BYE", then the server closes
 * Callback connection, opened by the client after HELLO:
 *   CALLBACK <clientId>            -> "OK callback channel for client <id>", then the
 *   server sends "INVALIDATE <name> <version>" and the client answers "ACK <name>".
 * A lease (leaseMs > 0) is granted only to a client with a callback channel. A
 * WRITE breaks every other client's lease on the file: it sends INVALIDATE and
 * waits for the ACK (or, failing that, for the lease to run out) before it
 * answers. A handle the server does not know answers "ERROR stale handle <h>":
 * after a restart every handle is stale, and the epoch in WELCOME has changed.
 */
class StatefulFileServer {
public:
    StatefulFileServer(FileStore &files, FileServerConfig config = {}, Timeline *timeline = nullptr);
    ~StatefulFileServer();
    StatefulFileServer(const StatefulFileServer &) = delete;
    StatefulFileServer &operator=(const StatefulFileServer &) = delete;

    /// @brief Listens on 127.0.0.1:@p port (0 = OS-chosen; a restart passes the old port), new epoch.
    bool start(QString *error, std::uint16_t port = 0);
    /// @brief Ends every session and joins every thread: sessions, handles, leases,
    /// read-ahead positions and the buffer cache are all lost (as in a crash).
    void stop();
    std::uint16_t port() const;
    /// @brief This run's epoch (changes at every start()).
    std::int64_t epoch() const { return m_epoch; }
    FileServerStats stats() const;
    std::size_t cachedBlocks() const;
    /// @brief The open-file table now.
    std::vector<StatefulOpenFile> openFiles() const;
    /// @brief Sessions now.
    int sessions() const;

private:
    struct Job;
    struct Channel;
    struct OpenFile;
    struct Session;

    void serve(TcpSocket &socket, std::uint64_t id, const StopEvent &stop);
    void serveSession(TcpSocket &socket, const StopEvent &stop);
    void serveCallback(TcpSocket &socket, std::uint64_t clientId, const StopEvent &stop);
    int breakLeases(std::uint64_t writer, const std::string &name, const StopEvent &stop);
    void record(const QString &kind, const QString &detail, std::int64_t value = 0);

    FileStore &m_files;
    FileServerConfig m_config;
    Timeline *m_timeline;
    std::unique_ptr<CachedFileStore> m_cache;
    std::unique_ptr<ConnectionServer> m_server;
    std::int64_t m_epoch = 0;

    mutable std::mutex m_mutex; // guards everything below and the Session/Channel/Job contents
    std::condition_variable m_changed;
    std::map<std::uint64_t, std::shared_ptr<Session>> m_sessions;
    std::uint64_t m_nextClientId = 1;
    std::uint64_t m_nextHandle = 1;
    bool m_stopping = false;
    FileServerStats m_stats;
};

} // namespace proclab
