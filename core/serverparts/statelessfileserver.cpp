#include "statelessfileserver.h"

#include "fileprotocol.h"
#include "timeline.h"

namespace proclab {

namespace {
const QString kActor = QStringLiteral("stateless server");
} // namespace

StatelessFileServer::StatelessFileServer(FileStore &files, FileServerConfig config, Timeline *timeline)
    : m_files(files)
    , m_config(config)
    , m_timeline(timeline)
{
}

StatelessFileServer::~StatelessFileServer()
{
    stop();
}

bool StatelessFileServer::start(QString *error, std::uint16_t port)
{
    stop();
    {
        std::lock_guard lock(m_mutex);
        m_stats = {};
    }
    m_cache = std::make_unique<CachedFileStore>(
        m_files, m_config.blockBytes, m_config.cacheBlocks, m_config.diskDelayUs);
    m_server
        = std::make_unique<ConnectionServer>(QStringLiteral("stateless file server"), m_config.maxConnections,
            [this](TcpSocket &s, std::uint64_t id, const StopEvent &stop) { serve(s, id, stop); });
    if (!m_server->start(port, error)) {
        m_server.reset();
        m_cache.reset();
        return false;
    }
    if (m_timeline)
        m_timeline->record(kActor, QStringLiteral("start"),
            QStringLiteral("listening on port %1, empty buffer cache").arg(m_server->port()),
            m_server->port());
    return true;
}

void StatelessFileServer::stop()
{
    if (m_server) {
        m_cache->stop();
        m_server->stop();
        if (m_timeline)
            m_timeline->record(kActor, QStringLiteral("stop"),
                QStringLiteral("lost: a buffer cache of %1 blocks; no client state to lose")
                    .arg(m_cache->cachedBlocks()),
                static_cast<std::int64_t>(m_cache->cachedBlocks()));
    }
    m_server.reset();
    if (m_cache) {
        // Keep the last counters readable after stop().
        const auto s = m_cache->stats();
        std::lock_guard lock(m_mutex);
        m_stats.cacheHits = s.hits;
        m_stats.cacheMisses = s.misses;
        m_stats.diskReads = s.diskReads;
        m_stats.writes = s.writes;
    }
    m_cache.reset();
}

std::uint16_t StatelessFileServer::port() const
{
    return m_server ? m_server->port() : 0;
}

FileServerStats StatelessFileServer::stats() const
{
    std::lock_guard lock(m_mutex);
    FileServerStats s = m_stats;
    if (m_cache) {
        const auto c = m_cache->stats();
        s.cacheHits = c.hits;
        s.cacheMisses = c.misses;
        s.diskReads = c.diskReads;
        s.writes = c.writes;
    }
    return s;
}

std::size_t StatelessFileServer::cachedBlocks() const
{
    return m_cache ? m_cache->cachedBlocks() : 0;
}

void StatelessFileServer::serve(TcpSocket &socket, std::uint64_t, const StopEvent &stop)
{
    {
        std::lock_guard lock(m_mutex);
        ++m_stats.connections;
    }
    const int timeout = m_config.ioTimeoutMs;
    for (std::int64_t i = 0; i < m_config.maxRequestsPerConnection; ++i) {
        std::string line;
        const IoStatus st
            = socket.readLine(&line, FileProtocol::kMaxLineBytes, m_config.idleTimeoutMs, &stop, nullptr);
        if (st == IoStatus::TooLong) {
            {
                std::lock_guard lock(m_mutex);
                ++m_stats.requests;
                ++m_stats.errors;
            }
            (void)socket.writeAll(
                "ERROR request line longer than " + std::to_string(FileProtocol::kMaxLineBytes) + " bytes\n",
                timeout, &stop, nullptr);
            return;
        }
        if (st != IoStatus::Ok)
            return;
        const auto w = FileProtocol::words(line);
        const std::string cmd = w.empty() ? std::string() : w[0];
        std::string reply;
        std::string body;
        bool closeAfter = false;
        std::int64_t offset = 0, length = 0;
        if (cmd == "READ" && w.size() == 4) {
            if (!FileProtocol::toInt(w[2], &offset) || !FileProtocol::toInt(w[3], &length) || offset < 0
                || length < 0) {
                reply = "ERROR offset and length must be whole numbers >= 0";
            } else if (length > m_config.maxTransferBytes) {
                reply = "ERROR at most " + std::to_string(m_config.maxTransferBytes) + " bytes per READ";
            } else {
                CachedFileStore::Read r;
                std::string why;
                if (m_cache->read(w[1], offset, length, &r, &why, &stop)) {
                    reply = "DATA " + std::to_string(r.data.size()) + " " + std::to_string(r.version) + " "
                        + std::to_string(r.hits) + " " + std::to_string(r.misses) + " 0";
                    body = std::move(r.data);
                } else {
                    reply = "ERROR " + why;
                }
            }
        } else if (cmd == "STAT" && w.size() == 2) {
            FileInfo info;
            std::string why;
            reply = m_cache->stat(w[1], &info, &why)
                ? "STAT " + std::to_string(info.sizeBytes) + " " + std::to_string(info.version)
                : "ERROR " + why;
        } else if (cmd == "WRITE" && w.size() == 4) {
            if (!FileProtocol::toInt(w[3], &length) || length < 0 || length > m_config.maxTransferBytes) {
                // The bytes that follow cannot be told apart from requests: end the connection.
                reply = "ERROR a WRITE carries 0-" + std::to_string(m_config.maxTransferBytes) + " bytes";
                closeAfter = true;
            } else {
                std::string data;
                if (socket.readExact(&data, static_cast<std::size_t>(length), timeout, &stop, nullptr)
                    != IoStatus::Ok)
                    return;
                FileInfo after;
                std::string why;
                if (!FileProtocol::toInt(w[2], &offset))
                    reply = "ERROR offset must be a whole number";
                else if (m_cache->write(w[1], offset, data, &after, &why))
                    reply = "WRITTEN " + std::to_string(after.version);
                else
                    reply = "ERROR " + why;
            }
        } else if (cmd == "READ" || cmd == "STAT" || cmd == "WRITE") {
            reply = "ERROR wrong number of arguments to " + cmd;
        } else {
            reply = "ERROR unknown request '" + FileProtocol::printable(cmd) + "' (READ, STAT, WRITE)";
        }
        {
            std::lock_guard lock(m_mutex);
            ++m_stats.requests;
            if (reply.rfind("ERROR", 0) == 0)
                ++m_stats.errors;
        }
        if (socket.writeAll(reply + "\n" + body, timeout, &stop, nullptr) != IoStatus::Ok || closeAfter)
            return;
    }
}

} // namespace proclab
