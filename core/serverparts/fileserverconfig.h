#pragma once

#include <cstdint>

namespace proclab {

/// @brief Settings and limits shared by the stateless and the stateful file server.
struct FileServerConfig {
    int maxConnections = 16; ///< connections served at once (a stateful client uses two)
    int ioTimeoutMs = 5000; ///< per read or write within a request
    int idleTimeoutMs = 60000; ///< a connection with no new request for this long is closed
    std::int64_t maxRequestsPerConnection = 1000000;
    int blockBytes = 4096; ///< unit of the server's buffer cache and of read-ahead
    int cacheBlocks = 128; ///< server buffer cache size in blocks
    int diskDelayUs
        = 200; ///< simulated disk wait per block read from the file system (a model of a disk; 0 = none)
    int maxTransferBytes = 64 * 1024; ///< largest READ or WRITE
    bool readAhead = true; ///< stateful only: after a READ, fetch the next block of that open file
    int leaseMs = 10000; ///< stateful only: how long a client may use its cached blocks without asking
    int ackTimeoutMs = 2000; ///< stateful only: wait for a client to acknowledge an invalidation
    int maxClients = 64; ///< stateful only: sessions
    int maxHandlesPerClient = 16; ///< stateful only: open files per session
};

/// @brief Counters of a file server (one running instance).
struct FileServerStats {
    std::int64_t connections = 0;
    std::int64_t requests = 0;
    std::int64_t errors = 0; ///< requests answered with ERROR
    std::int64_t cacheHits = 0; ///< blocks served from the buffer cache
    std::int64_t cacheMisses = 0; ///< blocks read from the file system for a request
    std::int64_t prefetches = 0; ///< blocks read ahead
    std::int64_t prefetchHits = 0; ///< cache hits on blocks that read-ahead brought in
    std::int64_t diskReads = 0; ///< blocks read from the file system (misses + read-ahead)
    std::int64_t writes = 0;
    std::int64_t callbacks = 0; ///< invalidations sent to clients
    std::int64_t callbacksAcked = 0;
    std::int64_t leaseWaits = 0; ///< writes that had to wait for an unacknowledged lease to run out
    std::int64_t staleHandles = 0; ///< requests naming a handle the server does not know
};

} // namespace proclab
