#pragma once

#include <QString>

#include <cstdint>

namespace proclab {

/// @brief How a client uses TCP connections for its requests.
enum class ConnectionMode {
    Persistent, ///< one connection for every request, opened again when it breaks
    PerRequest, ///< a new connection for each request
};

/// @brief Settings of a file service client.
struct FileClientConfig {
    std::uint16_t port = 0; ///< the server's port on 127.0.0.1
    int blockBytes = 4096; ///< the client reads and caches whole blocks
    int timeoutMs = 5000; ///< per request
    int cacheBlocks = 256; ///< local cache size in blocks (0 = no cache)
    ConnectionMode mode
        = ConnectionMode::Persistent; ///< stateless client only; a stateful session needs one connection
    QString actor = QStringLiteral("client"); ///< the name on its timeline events
};

/// @brief What a file service client counted.
struct FileClientStats {
    std::int64_t reads = 0; ///< blocks asked for by the application
    std::int64_t clientHits = 0; ///< served from the local cache
    std::int64_t clientMisses = 0; ///< fetched from the server
    std::int64_t validations
        = 0; ///< requests to check a cached copy: stateless STAT, stateful RENEW (lease over)
    std::int64_t staleCopies = 0; ///< cached copies found out of date (by STAT or by INVALIDATE)
    std::int64_t requests = 0; ///< requests sent (each has one answer); retries included
    std::int64_t callbacks = 0; ///< stateful: invalidations received (each acknowledged)
    std::int64_t connectionsOpened = 0;
    std::int64_t failedRequests = 0; ///< requests lost with a broken connection
    std::int64_t retries = 0; ///< requests sent again after that
    std::int64_t serverHits = 0; ///< blocks the server reported as served from its cache
    std::int64_t serverMisses = 0; ///< blocks the server reported as read from its disk
    std::int64_t writes = 0;
    std::int64_t rebuilds = 0; ///< stateful: sessions rebuilt after the server lost them
};

/// @brief A stateful client's rebuild after its server lost the session.
struct FileClientRebuild {
    std::int64_t atNs = 0; ///< Timeline::nowNs()
    bool serverRestarted = false; ///< the epoch changed (else only the connection was lost)
    int lostHandles = 0; ///< handles the client held that the server no longer knows
    int reopened = 0; ///< files opened again
    int keptBlocks = 0; ///< cached blocks whose version was still current
    int droppedBlocks = 0; ///< cached blocks that were out of date
    QString detail; ///< one line for the view
};

} // namespace proclab
