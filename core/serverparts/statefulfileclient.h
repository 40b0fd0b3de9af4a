#pragma once

#include "blockcache.h"
#include "fileclientconfig.h"
#include "requestchannel.h"
#include "stopwait.h"
#include "tcpsocket.h"

#include <QString>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace proclab {

class Timeline;

/**
 * @brief A client of the StatefulFileServer: it opens files (the server keeps a
 * handle and reads ahead for it), caches blocks and uses them without asking
 * while its lease holds, and answers invalidations on a callback connection
 * served by a thread of its own.
 *
 * When the server loses the session (restart, or the connection broke) every
 * handle is stale and every lease void. The client notices on its next request,
 * or at once when the callback connection ends; it starts a new session, opens
 * its files again, keeps the cached blocks whose version is still current and
 * drops the rest. rebuilds() lists what was lost and how it was rebuilt.
 */
class StatefulFileClient {
public:
    StatefulFileClient(
        FileClientConfig config, Timeline *timeline = nullptr, const StopEvent *stop = nullptr);
    ~StatefulFileClient();
    StatefulFileClient(const StatefulFileClient &) = delete;
    StatefulFileClient &operator=(const StatefulFileClient &) = delete;

    /// @brief Block @p block of @p name (opens the file on first use).
    bool readBlock(const std::string &name, std::int64_t block, std::string *data, QString *error);
    /// @brief Overwrites block @p block of @p name.
    bool writeBlock(const std::string &name, std::int64_t block, const std::string &data, QString *error);
    /// @brief Closes every handle and ends the session (BYE) and the callback thread.
    void close();

    FileClientStats stats() const;
    std::vector<FileClientRebuild> rebuilds() const;
    std::vector<double> readLatenciesUs() const;
    /// @brief Handles this client holds now: file -> handle.
    std::map<std::string, std::uint64_t> handles() const;
    /// @brief The server epoch of the current session (0 before the first).
    std::int64_t epoch() const;

private:
    struct OpenFile {
        std::uint64_t handle = 0;
        std::int64_t sizeBytes = 0;
    };

    bool ensureSession(QString *error);
    bool openFile(const std::string &name, OpenFile *out, QString *error, int *droppedBlocks = nullptr);
    bool startCallbackChannel(QString *error);
    void stopCallbackChannel();
    void callbackLoop();
    bool leaseValid(const std::string &name); // m_mutex held
    /// Sends a request that names a handle; reconnects, rebuilds and retries once if the session was lost.
    RequestChannel::Outcome handleCall(const std::string &name, const std::string &verbAndArgs,
        const std::string &body, std::string *reply, std::string *data, QString *error);
    void record(const QString &kind, const QString &detail, std::int64_t value = 0);

    FileClientConfig m_config;
    Timeline *m_timeline;
    const StopEvent *m_stop;
    RequestChannel m_channel;
    bool m_inSession = false;
    std::uint64_t m_clientId = 0;
    std::map<std::string, OpenFile> m_open; // main thread only

    // The callback connection and its thread.
    std::unique_ptr<StopEvent> m_callbackStop;
    TcpSocket m_callbackSocket; // the callback thread uses it; the main thread only polls fd() for a hang-up
    std::thread m_callbackThread;
    std::atomic<bool> m_callbackAlive {false};

    mutable std::mutex m_mutex; // guards below (shared with the callback thread)
    BlockCache m_cache;
    std::map<std::string, std::int64_t> m_leaseExpiryNs;
    std::int64_t m_epoch = 0;
    FileClientStats m_stats;
    std::vector<FileClientRebuild> m_rebuilds;
    std::vector<double> m_latenciesUs;
};

} // namespace proclab
