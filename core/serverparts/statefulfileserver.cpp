#include "statefulfileserver.h"

#include "fileprotocol.h"
#include "timeline.h"

#include <algorithm>
#include <chrono>
#include <deque>

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace proclab {

namespace {
const QString kActor = QStringLiteral("stateful server");
constexpr int kMaxBadFirstLines = 4;
constexpr int kCallbackSliceMs = 250;
} // namespace

/// An invalidation on its way to one client.
struct StatefulFileServer::Job {
    std::string name;
    std::int64_t version = 0;
    bool done = false;
    bool acked = false;
};

/// A client's callback connection, as seen by writers.
struct StatefulFileServer::Channel {
    Channel()
        : wakeFd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC))
    {
    }
    ~Channel()
    {
        if (wakeFd >= 0)
            ::close(wakeFd);
    }
    Channel(const Channel &) = delete;
    Channel &operator=(const Channel &) = delete;
    void wake() const
    {
        const std::uint64_t one = 1;
        if (wakeFd >= 0) [[maybe_unused]]
            const ssize_t n = ::write(wakeFd, &one, sizeof one);
    }
    int wakeFd;
    std::deque<std::shared_ptr<Job>> jobs;
    bool closed = false;
};

struct StatefulFileServer::OpenFile {
    std::string name;
    std::int64_t sizeBytes = 0;
    std::int64_t lastBlock = -1;
    std::int64_t reads = 0;
};

struct StatefulFileServer::Session {
    std::uint64_t clientId = 0;
    std::map<std::uint64_t, OpenFile> handles;
    std::map<std::string, std::int64_t> leases; // file -> expiry (Timeline::nowNs())
    std::shared_ptr<Channel> channel;
};

StatefulFileServer::StatefulFileServer(FileStore &files, FileServerConfig config, Timeline *timeline)
    : m_files(files)
    , m_config(config)
    , m_timeline(timeline)
{
}

StatefulFileServer::~StatefulFileServer()
{
    stop();
}

void StatefulFileServer::record(const QString &kind, const QString &detail, std::int64_t value)
{
    if (m_timeline)
        m_timeline->record(kActor, kind, detail, value);
}

bool StatefulFileServer::start(QString *error, std::uint16_t port)
{
    stop();
    {
        std::lock_guard lock(m_mutex);
        m_stats = {};
        m_stopping = false;
        m_sessions.clear();
        m_nextClientId = 1;
        m_nextHandle = 1;
    }
    m_epoch = Timeline::nowNs();
    m_cache = std::make_unique<CachedFileStore>(
        m_files, m_config.blockBytes, m_config.cacheBlocks, m_config.diskDelayUs);
    if (m_config.readAhead)
        m_cache->startReadAhead();
    m_server
        = std::make_unique<ConnectionServer>(QStringLiteral("stateful file server"), m_config.maxConnections,
            [this](TcpSocket &s, std::uint64_t id, const StopEvent &stop) { serve(s, id, stop); });
    if (!m_server->start(port, error)) {
        m_server.reset();
        m_cache.reset();
        return false;
    }
    record(QStringLiteral("start"),
        QStringLiteral("listening on port %1, epoch %2, no sessions, empty buffer cache")
            .arg(m_server->port())
            .arg(m_epoch),
        m_server->port());
    return true;
}

void StatefulFileServer::stop()
{
    if (!m_server)
        return;
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_changed.notify_all();
    // What a crash takes with it, counted before the threads go.
    int sessions = 0, handles = 0, leases = 0;
    {
        std::lock_guard lock(m_mutex);
        sessions = static_cast<int>(m_sessions.size());
        for (const auto &[id, s] : m_sessions) {
            handles += static_cast<int>(s->handles.size());
            leases += static_cast<int>(s->leases.size());
        }
    }
    const std::size_t blocks = m_cache->cachedBlocks();
    m_cache->stop();
    m_server->stop();
    record(QStringLiteral("stop"),
        QStringLiteral(
            "lost: %1 sessions, %2 open handles with their read-ahead positions, %3 leases, %4 cached blocks")
            .arg(sessions)
            .arg(handles)
            .arg(leases)
            .arg(blocks),
        handles);
    m_server.reset();
    const auto c = m_cache->stats();
    std::lock_guard lock(m_mutex);
    m_stats.cacheHits = c.hits;
    m_stats.cacheMisses = c.misses;
    m_stats.prefetches = c.prefetches;
    m_stats.prefetchHits = c.prefetchHits;
    m_stats.diskReads = c.diskReads;
    m_stats.writes = c.writes;
    m_sessions.clear();
    m_cache.reset();
}

std::uint16_t StatefulFileServer::port() const
{
    return m_server ? m_server->port() : 0;
}

FileServerStats StatefulFileServer::stats() const
{
    std::lock_guard lock(m_mutex);
    FileServerStats s = m_stats;
    if (m_cache) {
        const auto c = m_cache->stats();
        s.cacheHits = c.hits;
        s.cacheMisses = c.misses;
        s.prefetches = c.prefetches;
        s.prefetchHits = c.prefetchHits;
        s.diskReads = c.diskReads;
        s.writes = c.writes;
    }
    return s;
}

std::size_t StatefulFileServer::cachedBlocks() const
{
    return m_cache ? m_cache->cachedBlocks() : 0;
}

int StatefulFileServer::sessions() const
{
    std::lock_guard lock(m_mutex);
    return static_cast<int>(m_sessions.size());
}

std::vector<StatefulOpenFile> StatefulFileServer::openFiles() const
{
    std::lock_guard lock(m_mutex);
    std::vector<StatefulOpenFile> rows;
    const std::int64_t now = Timeline::nowNs();
    for (const auto &[id, s] : m_sessions) {
        for (const auto &[h, f] : s->handles) {
            auto lease = s->leases.find(f.name);
            rows.push_back({id, h, QString::fromStdString(f.name), f.lastBlock, f.reads,
                lease != s->leases.end() && lease->second > now});
        }
    }
    return rows;
}

void StatefulFileServer::serve(TcpSocket &socket, std::uint64_t, const StopEvent &stop)
{
    {
        std::lock_guard lock(m_mutex);
        ++m_stats.connections;
    }
    const int timeout = m_config.ioTimeoutMs;
    for (int bad = 0; bad < kMaxBadFirstLines; ++bad) {
        std::string line;
        const IoStatus st = socket.readLine(&line, FileProtocol::kMaxLineBytes, timeout, &stop, nullptr);
        if (st == IoStatus::TooLong) {
            (void)socket.writeAll(
                "ERROR request line longer than " + std::to_string(FileProtocol::kMaxLineBytes) + " bytes\n",
                timeout, &stop, nullptr);
            return;
        }
        if (st != IoStatus::Ok)
            return;
        const auto w = FileProtocol::words(line);
        std::int64_t clientId = 0;
        if (w.size() == 1 && w[0] == "HELLO") {
            serveSession(socket, stop);
            return;
        }
        if (w.size() == 2 && w[0] == "CALLBACK" && FileProtocol::toInt(w[1], &clientId) && clientId > 0) {
            serveCallback(socket, static_cast<std::uint64_t>(clientId), stop);
            return;
        }
        {
            std::lock_guard lock(m_mutex);
            ++m_stats.requests;
            ++m_stats.errors;
        }
        if (socket.writeAll("ERROR say HELLO first (or CALLBACK <client id> on a second connection)\n",
                timeout, &stop, nullptr)
            != IoStatus::Ok)
            return;
    }
}

void StatefulFileServer::serveSession(TcpSocket &socket, const StopEvent &stop)
{
    const int timeout = m_config.ioTimeoutMs;
    auto session = std::make_shared<Session>();
    {
        std::unique_lock lock(m_mutex);
        ++m_stats.requests;
        if (static_cast<int>(m_sessions.size()) >= m_config.maxClients) {
            ++m_stats.errors;
            lock.unlock();
            (void)socket.writeAll("ERROR too many clients (" + std::to_string(m_config.maxClients) + ")\n",
                timeout, &stop, nullptr);
            return;
        }
        session->clientId = m_nextClientId++;
        m_sessions[session->clientId] = session;
    }
    const std::uint64_t clientId = session->clientId;
    record(QStringLiteral("hello"),
        QStringLiteral("client %1 starts a session (epoch %2)").arg(clientId).arg(m_epoch),
        static_cast<std::int64_t>(clientId));
    bool ok = socket.writeAll("WELCOME " + std::to_string(clientId) + " " + std::to_string(m_epoch) + " "
                      + std::to_string(m_config.leaseMs) + "\n",
                  timeout, &stop, nullptr)
        == IoStatus::Ok;
    auto leaseMsFor = [&](const std::string &name) -> std::int64_t {
        // m_mutex held. A lease only with a callback channel: without one the
        // server could not keep its promise to invalidate.
        if (!session->channel || session->channel->closed)
            return 0;
        session->leases[name] = Timeline::nowNs() + static_cast<std::int64_t>(m_config.leaseMs) * 1000000LL;
        return m_config.leaseMs;
    };

    for (std::int64_t i = 0; ok && i < m_config.maxRequestsPerConnection; ++i) {
        std::string line;
        // Between requests a session may be idle (its client is using cached
        // blocks under a lease); only a long silence ends it.
        const IoStatus st
            = socket.readLine(&line, FileProtocol::kMaxLineBytes, m_config.idleTimeoutMs, &stop, nullptr);
        if (st == IoStatus::TooLong) {
            (void)socket.writeAll(
                "ERROR request line longer than " + std::to_string(FileProtocol::kMaxLineBytes) + " bytes\n",
                timeout, &stop, nullptr);
            break;
        }
        if (st != IoStatus::Ok)
            break;
        const auto w = FileProtocol::words(line);
        const std::string cmd = w.empty() ? std::string() : w[0];
        std::string reply, body;
        bool closeAfter = false;
        std::string prefetchName;
        std::int64_t prefetchBlock = -1, prefetchFileBytes = 0;
        std::int64_t handle = 0, offset = 0, length = 0;
        // Looks the handle up; false (and the reply set) when the server does not know it.
        auto findHandle = [&](OpenFile *copy) {
            std::lock_guard lock(m_mutex);
            auto it = session->handles.find(static_cast<std::uint64_t>(handle));
            if (it == session->handles.end()) {
                ++m_stats.staleHandles;
                reply = "ERROR stale handle " + std::to_string(handle);
                return false;
            }
            *copy = it->second;
            return true;
        };
        if (cmd == "OPEN" && w.size() == 2) {
            FileInfo info;
            std::string why;
            if (!m_cache->stat(w[1], &info, &why)) {
                reply = "ERROR " + why;
            } else {
                std::lock_guard lock(m_mutex);
                if (static_cast<int>(session->handles.size()) >= m_config.maxHandlesPerClient) {
                    reply
                        = "ERROR too many open files (" + std::to_string(m_config.maxHandlesPerClient) + ")";
                } else {
                    const std::uint64_t h = m_nextHandle++;
                    session->handles[h] = {w[1], info.sizeBytes, -1, 0};
                    reply = "OPENED " + std::to_string(h) + " " + std::to_string(info.sizeBytes) + " "
                        + std::to_string(info.version) + " " + std::to_string(leaseMsFor(w[1]));
                }
            }
            if (reply.rfind("OPENED", 0) == 0)
                record(QStringLiteral("open"),
                    QStringLiteral("client %1 opens %2: %3")
                        .arg(clientId)
                        .arg(QString::fromStdString(w[1]), QString::fromStdString(reply)),
                    static_cast<std::int64_t>(clientId));
        } else if (cmd == "READ" && w.size() == 4) {
            OpenFile f;
            if (!FileProtocol::toInt(w[1], &handle) || !FileProtocol::toInt(w[2], &offset)
                || !FileProtocol::toInt(w[3], &length) || offset < 0 || length < 0) {
                reply = "ERROR handle, offset and length must be whole numbers >= 0";
            } else if (length > m_config.maxTransferBytes) {
                reply = "ERROR at most " + std::to_string(m_config.maxTransferBytes) + " bytes per READ";
            } else if (findHandle(&f)) {
                CachedFileStore::Read r;
                std::string why;
                if (m_cache->read(f.name, offset, length, &r, &why, &stop)) {
                    std::int64_t lease = 0;
                    const std::int64_t lastBlock = r.data.empty()
                        ? offset / m_config.blockBytes
                        : (offset + static_cast<std::int64_t>(r.data.size()) - 1) / m_config.blockBytes;
                    {
                        std::lock_guard lock(m_mutex);
                        auto it = session->handles.find(static_cast<std::uint64_t>(handle));
                        if (it != session->handles.end()) {
                            it->second.lastBlock = lastBlock;
                            ++it->second.reads;
                        }
                        lease = leaseMsFor(f.name);
                    }
                    reply = "DATA " + std::to_string(r.data.size()) + " " + std::to_string(r.version) + " "
                        + std::to_string(r.hits) + " " + std::to_string(r.misses) + " "
                        + std::to_string(lease);
                    body = std::move(r.data);
                    if (m_config.readAhead) {
                        // The open-file table says where this client is in the file:
                        // the next block is likely next, so fetch it now.
                        prefetchName = f.name;
                        prefetchBlock = lastBlock + 1;
                        prefetchFileBytes = f.sizeBytes;
                    }
                } else {
                    reply = "ERROR " + why;
                }
            }
        } else if (cmd == "WRITE" && w.size() == 4) {
            if (!FileProtocol::toInt(w[3], &length) || length < 0 || length > m_config.maxTransferBytes) {
                reply = "ERROR a WRITE carries 0-" + std::to_string(m_config.maxTransferBytes) + " bytes";
                closeAfter = true;
            } else {
                std::string data;
                if (socket.readExact(&data, static_cast<std::size_t>(length), timeout, &stop, nullptr)
                    != IoStatus::Ok)
                    break;
                OpenFile f;
                if (!FileProtocol::toInt(w[1], &handle) || !FileProtocol::toInt(w[2], &offset)) {
                    reply = "ERROR handle and offset must be whole numbers";
                } else if (findHandle(&f)) {
                    FileInfo after;
                    std::string why;
                    if (m_cache->write(f.name, offset, data, &after, &why)) {
                        const int callbacks = breakLeases(clientId, f.name, stop);
                        reply = "WRITTEN " + std::to_string(after.version) + " " + std::to_string(callbacks);
                    } else {
                        reply = "ERROR " + why;
                    }
                }
            }
        } else if (cmd == "RENEW" && w.size() == 2) {
            OpenFile f;
            if (!FileProtocol::toInt(w[1], &handle)) {
                reply = "ERROR the handle must be a whole number";
            } else if (findHandle(&f)) {
                FileInfo info;
                std::string why;
                if (m_cache->stat(f.name, &info, &why)) {
                    std::lock_guard lock(m_mutex);
                    reply = "RENEWED " + std::to_string(info.version) + " "
                        + std::to_string(leaseMsFor(f.name));
                } else {
                    reply = "ERROR " + why;
                }
            }
        } else if (cmd == "CLOSE" && w.size() == 2) {
            OpenFile f;
            if (!FileProtocol::toInt(w[1], &handle)) {
                reply = "ERROR the handle must be a whole number";
            } else if (findHandle(&f)) {
                std::lock_guard lock(m_mutex);
                session->handles.erase(static_cast<std::uint64_t>(handle));
                reply = "CLOSED " + std::to_string(handle);
            }
        } else if (cmd == "BYE" && w.size() == 1) {
            reply = "BYE";
            closeAfter = true;
        } else if (cmd == "OPEN" || cmd == "READ" || cmd == "WRITE" || cmd == "RENEW" || cmd == "CLOSE") {
            reply = "ERROR wrong number of arguments to " + cmd;
        } else if (cmd == "HELLO") {
            reply = "ERROR this connection already has a session (client " + std::to_string(clientId) + ")";
        } else {
            reply = "ERROR unknown request '" + FileProtocol::printable(cmd)
                + "' (OPEN, READ, WRITE, RENEW, CLOSE, BYE)";
        }
        {
            std::lock_guard lock(m_mutex);
            ++m_stats.requests;
            if (reply.rfind("ERROR", 0) == 0)
                ++m_stats.errors;
        }
        if (reply.rfind("ERROR stale handle", 0) == 0)
            record(QStringLiteral("stale-handle"),
                QStringLiteral("client %1: %2").arg(clientId).arg(QString::fromStdString(reply.substr(6))),
                handle);
        ok = socket.writeAll(reply + "\n" + body, timeout, &stop, nullptr) == IoStatus::Ok && !closeAfter;
        if (ok && prefetchBlock >= 0)
            m_cache->prefetch(prefetchName, prefetchBlock, prefetchFileBytes);
    }

    // The connection was the session: its handles and leases end with it, and
    // its callback channel is told to close.
    int handles = 0, leases = 0;
    {
        std::lock_guard lock(m_mutex);
        handles = static_cast<int>(session->handles.size());
        leases = static_cast<int>(session->leases.size());
        if (session->channel) {
            session->channel->closed = true;
            session->channel->wake();
        }
        m_sessions.erase(clientId);
    }
    m_changed.notify_all();
    record(QStringLiteral("session-end"),
        QStringLiteral("client %1 gone: dropped %2 handles and %3 leases")
            .arg(clientId)
            .arg(handles)
            .arg(leases),
        static_cast<std::int64_t>(clientId));
}

int StatefulFileServer::breakLeases(std::uint64_t writer, const std::string &name, const StopEvent &stop)
{
    std::vector<std::shared_ptr<Job>> jobs;
    std::int64_t latestExpiry = 0;
    const std::int64_t now = Timeline::nowNs();
    std::int64_t version = 0;
    {
        FileInfo info;
        std::string why;
        if (m_cache->stat(name, &info, &why))
            version = info.version;
    }
    std::unique_lock lock(m_mutex);
    std::vector<std::pair<std::shared_ptr<Job>, std::int64_t>> pending; // job, lease expiry
    for (auto &[id, s] : m_sessions) {
        if (id == writer)
            continue;
        auto lease = s->leases.find(name);
        if (lease == s->leases.end())
            continue;
        const std::int64_t expiry = lease->second;
        s->leases.erase(lease); // the promise is being broken now
        if (expiry <= now)
            continue;
        auto job = std::make_shared<Job>();
        job->name = name;
        job->version = version;
        if (s->channel && !s->channel->closed) {
            s->channel->jobs.push_back(job);
            s->channel->wake();
        } else {
            job->done = true; // nobody to call: only the lease running out protects the client
        }
        ++m_stats.callbacks;
        pending.emplace_back(job, expiry);
    }
    if (pending.empty())
        return 0;
    m_changed.wait_for(lock, std::chrono::milliseconds(m_config.ackTimeoutMs), [&] {
        return m_stopping
            || std::all_of(pending.begin(), pending.end(), [](const auto &p) { return p.first->done; });
    });
    for (const auto &[job, expiry] : pending) {
        if (job->acked)
            ++m_stats.callbacksAcked;
        else
            latestExpiry = std::max(latestExpiry, expiry);
    }
    if (latestExpiry > 0)
        ++m_stats.leaseWaits;
    lock.unlock();
    record(QStringLiteral("invalidate"),
        QStringLiteral("write to %1 by client %2 broke %3 leases")
            .arg(QString::fromStdString(name))
            .arg(writer)
            .arg(pending.size()),
        static_cast<std::int64_t>(pending.size()));
    // A client that did not acknowledge may still trust its copy until its lease
    // ends: the write is not complete before that.
    if (latestExpiry > 0)
        sleepUnlessStopped(stop, latestExpiry - Timeline::nowNs());
    return static_cast<int>(pending.size());
}

void StatefulFileServer::serveCallback(TcpSocket &socket, std::uint64_t clientId, const StopEvent &stop)
{
    const int timeout = m_config.ioTimeoutMs;
    auto channel = std::make_shared<Channel>();
    std::string refusal;
    {
        std::lock_guard lock(m_mutex);
        ++m_stats.requests;
        auto it = m_sessions.find(clientId);
        if (it == m_sessions.end())
            refusal = "ERROR no session for client " + std::to_string(clientId);
        else if (it->second->channel && !it->second->channel->closed)
            refusal = "ERROR client " + std::to_string(clientId) + " already has a callback channel";
        else
            it->second->channel = channel;
        if (!refusal.empty())
            ++m_stats.errors;
    }
    if (!refusal.empty()) {
        (void)socket.writeAll(refusal + "\n", timeout, &stop, nullptr);
        return;
    }
    record(QStringLiteral("callback-channel"),
        QStringLiteral("client %1 can now be called back").arg(clientId),
        static_cast<std::int64_t>(clientId));
    bool alive = socket.writeAll("OK callback channel for client " + std::to_string(clientId) + "\n", timeout,
                     &stop, nullptr)
        == IoStatus::Ok;
    while (alive && !stop.isSet()) {
        std::deque<std::shared_ptr<Job>> jobs;
        {
            std::lock_guard lock(m_mutex);
            if (channel->closed)
                break;
            jobs.swap(channel->jobs);
        }
        for (const auto &job : jobs) {
            bool acked = false;
            if (alive) {
                alive = socket.writeAll("INVALIDATE " + job->name + " " + std::to_string(job->version) + "\n",
                            m_config.ackTimeoutMs, &stop, nullptr)
                    == IoStatus::Ok;
                std::string line;
                alive = alive
                    && socket.readLine(
                           &line, FileProtocol::kMaxLineBytes, m_config.ackTimeoutMs, &stop, nullptr)
                        == IoStatus::Ok;
                acked = alive && line == "ACK " + job->name;
            }
            {
                std::lock_guard lock(m_mutex);
                job->done = true;
                job->acked = acked;
            }
            m_changed.notify_all();
        }
        if (!jobs.empty())
            continue;
        pollfd fds[3] = {{socket.fd(), static_cast<short>(POLLIN | POLLRDHUP), 0},
            {channel->wakeFd, POLLIN, 0}, {stop.fd(), POLLIN, 0}};
        const int n = ::poll(fds, 3, kCallbackSliceMs);
        if (n < 0 && errno != EINTR)
            break;
        if (fds[2].revents)
            break;
        if (fds[1].revents & POLLIN) {
            std::uint64_t drained = 0;
            [[maybe_unused]] const ssize_t r = ::read(channel->wakeFd, &drained, sizeof drained);
        }
        if (fds[0].revents) {
            // Nothing is expected from the client here but the end of the connection.
            std::string line;
            const IoStatus st = socket.readLine(&line, FileProtocol::kMaxLineBytes, 0, &stop, nullptr);
            if (st != IoStatus::Ok && st != IoStatus::Timeout)
                alive = false;
        }
    }
    // Without the channel the server cannot call this client back, so it can no
    // longer promise anything about its cache: the leases go.
    {
        std::lock_guard lock(m_mutex);
        channel->closed = true;
        for (const auto &job : channel->jobs)
            job->done = true;
        channel->jobs.clear();
        auto it = m_sessions.find(clientId);
        if (it != m_sessions.end() && it->second->channel == channel) {
            it->second->channel.reset();
            it->second->leases.clear();
        }
    }
    m_changed.notify_all();
}

} // namespace proclab
