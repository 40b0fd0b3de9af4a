#pragma once

#include "blockcache.h"
#include "fileclientconfig.h"
#include "requestchannel.h"

#include <QString>

#include <mutex>
#include <string>
#include <vector>

namespace proclab {

class StopEvent;
class Timeline;

/**
 * @brief A client of the StatelessFileServer. Each READ names file, offset and
 * length, so any server instance can answer it; the client may keep copies but
 * checks each one with STAT before using it (the server promised nothing). A
 * request lost with a broken connection is simply sent again: every request is
 * self-contained and repeating a READ or STAT is harmless.
 */
class StatelessFileClient {
public:
    StatelessFileClient(
        FileClientConfig config, Timeline *timeline = nullptr, const StopEvent *stop = nullptr);

    /// @brief Block @p block of @p name (shorter at the end of the file).
    bool readBlock(const std::string &name, std::int64_t block, std::string *data, QString *error);
    /// @brief Overwrites block @p block of @p name with @p data.
    bool writeBlock(const std::string &name, std::int64_t block, const std::string &data, QString *error);
    FileClientStats stats() const;
    /// @brief Wall time of every readBlock() so far, in microseconds.
    std::vector<double> readLatenciesUs() const;
    void close() { m_channel.close(); }

private:
    RequestChannel::Outcome callWithRetry(const std::string &line, const std::string &body,
        std::string *reply, std::string *data, QString *error);
    void record(const QString &kind, const QString &detail, std::int64_t value = 0);

    FileClientConfig m_config;
    Timeline *m_timeline;
    RequestChannel m_channel;
    BlockCache m_cache;
    mutable std::mutex m_mutex; // guards m_stats and m_latenciesUs (read from other threads)
    FileClientStats m_stats;
    std::vector<double> m_latenciesUs;
};

} // namespace proclab
