#pragma once

#include "fileclientconfig.h"
#include "fileserverconfig.h"
#include "stopwait.h"
#include "timeline.h"

#include "common/stats.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace proclab {

/// @brief The access pattern and the events of a stateless-vs-stateful run.
struct FileServiceExperimentConfig {
    int fileCount = 4; ///< files in the store
    int fileBlocks = 16; ///< blocks per file
    int blockBytes = 4096;
    std::uint64_t seed = 1; ///< file content
    int passes = 3; ///< the reader reads every file front to back this many times
    bool write = true; ///< a second client overwrites block 0 of the first file ...
    int writePass = 1; ///< ... halfway through this pass (0-based)
    bool restart = true; ///< the server is restarted (same port, same files) ...
    int restartPass = 2; ///< ... halfway through this pass
    int clientCacheBlocks = 256; ///< the reader's cache (0 = none)
    int clientThinkUs = 200; ///< the reader's own work per block, between reads (read-ahead overlaps it)
    int timeoutMs = 5000; ///< per request
    bool connectionModes
        = true; ///< also run the stateless client over one connection and a connection per request
    FileServerConfig server; ///< buffer cache, simulated disk wait, read-ahead, lease
};

/// @brief One style (or one connection mode) run through the access pattern.
struct FileServiceRun {
    QString style; ///< "stateful", "stateless", "stateless, one connection", ...
    FileClientStats reader; ///< the reader's counters (before the final check)
    FileClientStats writer; ///< the writing client's counters
    FileServerStats server; ///< summed over the server before and after the restart
    Spread readLatencyUs; ///< every read of the pattern, measured at the reader
    std::vector<double> readLatenciesUs; ///< the same, per read in order
    double clientHitRate = 0; ///< reader.clientHits / reader.reads
    double serverHitRate = 0; ///< server cacheHits / (cacheHits + cacheMisses), by the server's counters
    int restartAtRead = -1; ///< reads done before the restart (an index into readLatenciesUs), -1 without one
    std::vector<FileClientRebuild> rebuilds; ///< stateful: what was lost and how it was rebuilt
    QStringList restartNotes; ///< what the restart meant to this client, in sentences
    std::int64_t wrongReads = 0; ///< reads whose bytes differed from the file at that moment (must be 0)
    bool dataMatches = false; ///< after the run, every block read through the client equals the file on disk
    QString dataCheck; ///< how that check went
    std::vector<TimelineEvent> events;
};

/// @brief Everything a stateless-vs-stateful run measured (all measured on this machine;
/// the disk wait is a model, see FileServerConfig::diskDelayUs).
struct FileServiceExperimentResult {
    bool ok = false;
    QString error;
    FileServiceRun stateful;
    FileServiceRun stateless;
    std::vector<FileServiceRun>
        connectionModes; ///< stateless, no client cache: one connection vs one per request
};

/**
 * @brief Runs the same access pattern against the stateful and the stateless
 * file service, each on fresh files: a reader passes over every file, a second
 * client writes one block, and the server is restarted in the middle of a pass.
 * Then, for "does connection-oriented communication fit a stateless design?",
 * the stateless client without a cache, over one TCP connection and over a new
 * connection per request, through the same restart. run() blocks; stop() from
 * another thread ends it promptly.
 */
class FileServiceExperiment {
public:
    explicit FileServiceExperiment(FileServiceExperimentConfig config);
    FileServiceExperimentResult run();
    void stop() { m_stop.set(); }

private:
    enum class Style { Stateful, Stateless };
    bool runStyle(Style style, ConnectionMode mode, int clientCacheBlocks, const QString &name,
        FileServiceRun *out, QString *error);

    FileServiceExperimentConfig m_config;
    StopEvent m_stop;
};

} // namespace proclab
