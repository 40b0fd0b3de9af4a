#include "statelessfileclient.h"

#include "fileprotocol.h"
#include "timeline.h"

namespace proclab {

namespace {
constexpr int kMaxDataBytes = 1 << 20;
} // namespace

StatelessFileClient::StatelessFileClient(FileClientConfig config, Timeline *timeline, const StopEvent *stop)
    : m_config(std::move(config))
    , m_timeline(timeline)
    , m_channel(m_config.port, m_config.mode, m_config.timeoutMs, kMaxDataBytes, stop)
    , m_cache(static_cast<std::size_t>(std::max(1, m_config.cacheBlocks)))
{
}

void StatelessFileClient::record(const QString &kind, const QString &detail, std::int64_t value)
{
    if (m_timeline)
        m_timeline->record(m_config.actor, kind, detail, value);
}

FileClientStats StatelessFileClient::stats() const
{
    std::lock_guard lock(m_mutex);
    FileClientStats s = m_stats;
    s.requests = m_channel.requests();
    s.connectionsOpened = m_channel.connectionsOpened();
    return s;
}

std::vector<double> StatelessFileClient::readLatenciesUs() const
{
    std::lock_guard lock(m_mutex);
    return m_latenciesUs;
}

RequestChannel::Outcome StatelessFileClient::callWithRetry(
    const std::string &line, const std::string &body, std::string *reply, std::string *data, QString *error)
{
    RequestChannel::Outcome outcome = m_channel.call(line, body, reply, data, error);
    if (outcome != RequestChannel::Outcome::ConnectionLost)
        return outcome;
    // Nothing to restore: the same request, on a new connection, means the same.
    {
        std::lock_guard lock(m_mutex);
        ++m_stats.failedRequests;
        ++m_stats.retries;
    }
    record(QStringLiteral("connection-lost"),
        QStringLiteral("%1 (%2): sending it again")
            .arg(QString::fromStdString(line.substr(0, 60)), error ? *error : QString()));
    return m_channel.call(line, body, reply, data, error);
}

bool StatelessFileClient::readBlock(
    const std::string &name, std::int64_t block, std::string *data, QString *error)
{
    const std::int64_t t0 = Timeline::nowNs();
    std::string reply;
    auto finish = [&](bool ok) {
        std::lock_guard lock(m_mutex);
        if (ok)
            m_latenciesUs.push_back(static_cast<double>(Timeline::nowNs() - t0) / 1000.0);
        return ok;
    };
    auto failWith = [&](const QString &why) {
        if (error)
            *error = why;
        return finish(false);
    };
    {
        std::lock_guard lock(m_mutex);
        ++m_stats.reads;
    }
    const QString where = QStringLiteral("%1 block %2").arg(QString::fromStdString(name)).arg(block);
    if (m_config.cacheBlocks > 0 && m_cache.contains(name, block)) {
        // A copy may be out of date: only the server can say (STAT), since it made no promise.
        {
            std::lock_guard lock(m_mutex);
            ++m_stats.validations;
        }
        if (callWithRetry("STAT " + name, {}, &reply, nullptr, error) != RequestChannel::Outcome::Ok)
            return finish(false);
        const auto w = FileProtocol::words(reply);
        std::int64_t version = 0;
        if (w.size() != 3 || w[0] != "STAT" || !FileProtocol::toInt(w[2], &version))
            return failWith(QStringLiteral("STAT %1: %2")
                                .arg(QString::fromStdString(name), QString::fromStdString(reply)));
        BlockCache::Entry *e = m_cache.find(name, block);
        if (e && e->version == version) {
            *data = e->data;
            {
                std::lock_guard lock(m_mutex);
                ++m_stats.clientHits;
            }
            record(QStringLiteral("read"), where + QStringLiteral(": client cache hit, validated with STAT"),
                block);
            return finish(true);
        }
        const std::size_t dropped = m_cache.dropOtherVersions(name, version);
        {
            std::lock_guard lock(m_mutex);
            ++m_stats.staleCopies;
        }
        record(QStringLiteral("stale-copy"),
            QStringLiteral("%1 changed on the server: %2 cached blocks dropped")
                .arg(QString::fromStdString(name))
                .arg(dropped),
            static_cast<std::int64_t>(dropped));
    }
    std::string bytes;
    const std::int64_t offset = block * m_config.blockBytes;
    if (callWithRetry(
            "READ " + name + " " + std::to_string(offset) + " " + std::to_string(m_config.blockBytes), {},
            &reply, &bytes, error)
        != RequestChannel::Outcome::Ok)
        return finish(false);
    const auto w = FileProtocol::words(reply);
    std::int64_t n = 0, version = 0, hits = 0, misses = 0;
    if (w.size() != 6 || w[0] != "DATA" || !FileProtocol::toInt(w[1], &n)
        || !FileProtocol::toInt(w[2], &version) || !FileProtocol::toInt(w[3], &hits)
        || !FileProtocol::toInt(w[4], &misses))
        return failWith(QStringLiteral("READ %1: %2").arg(where, QString::fromStdString(reply)));
    {
        std::lock_guard lock(m_mutex);
        ++m_stats.clientMisses;
        m_stats.serverHits += hits;
        m_stats.serverMisses += misses;
    }
    if (m_config.cacheBlocks > 0) {
        m_cache.dropOtherVersions(name, version);
        m_cache.put(name, block, bytes, version);
    }
    record(QStringLiteral("read"),
        where
            + (misses > 0 ? QStringLiteral(": fetched, server read it from disk")
                          : QStringLiteral(": fetched, server cache hit")),
        block);
    *data = std::move(bytes);
    return finish(true);
}

bool StatelessFileClient::writeBlock(
    const std::string &name, std::int64_t block, const std::string &data, QString *error)
{
    std::string reply;
    const std::int64_t offset = block * m_config.blockBytes;
    if (callWithRetry("WRITE " + name + " " + std::to_string(offset) + " " + std::to_string(data.size()),
            data, &reply, nullptr, error)
        != RequestChannel::Outcome::Ok)
        return false;
    const auto w = FileProtocol::words(reply);
    std::int64_t version = 0;
    if (w.size() != 2 || w[0] != "WRITTEN" || !FileProtocol::toInt(w[1], &version)) {
        if (error)
            *error = QStringLiteral("WRITE %1: %2")
                         .arg(QString::fromStdString(name), QString::fromStdString(reply));
        return false;
    }
    {
        std::lock_guard lock(m_mutex);
        ++m_stats.writes;
    }
    if (m_config.cacheBlocks > 0) {
        m_cache.dropOtherVersions(name, version);
        m_cache.put(name, block, data, version);
    }
    record(QStringLiteral("write"),
        QStringLiteral("%1 block %2 written, version %3")
            .arg(QString::fromStdString(name))
            .arg(block)
            .arg(version),
        block);
    return true;
}

} // namespace proclab
