#include "statefulfileclient.h"

#include "fileprotocol.h"
#include "timeline.h"

#include <QStringList>

#include <poll.h>

namespace proclab {

namespace {
constexpr int kMaxDataBytes = 1 << 20;
constexpr int kCallbackSliceMs = 250;
} // namespace

StatefulFileClient::StatefulFileClient(FileClientConfig config, Timeline *timeline, const StopEvent *stop)
    : m_config(std::move(config))
    , m_timeline(timeline)
    , m_stop(stop)
    , m_channel(m_config.port, ConnectionMode::Persistent, m_config.timeoutMs, kMaxDataBytes, stop)
    , m_cache(static_cast<std::size_t>(std::max(1, m_config.cacheBlocks)))
{
}

StatefulFileClient::~StatefulFileClient()
{
    stopCallbackChannel();
}

void StatefulFileClient::record(const QString &kind, const QString &detail, std::int64_t value)
{
    if (m_timeline)
        m_timeline->record(m_config.actor, kind, detail, value);
}

FileClientStats StatefulFileClient::stats() const
{
    std::lock_guard lock(m_mutex);
    FileClientStats s = m_stats;
    s.requests = m_channel.requests() + s.requests; // s.requests holds the callback-channel setups
    s.connectionsOpened = m_channel.connectionsOpened() + s.connectionsOpened;
    return s;
}

std::vector<FileClientRebuild> StatefulFileClient::rebuilds() const
{
    std::lock_guard lock(m_mutex);
    return m_rebuilds;
}

std::vector<double> StatefulFileClient::readLatenciesUs() const
{
    std::lock_guard lock(m_mutex);
    return m_latenciesUs;
}

std::map<std::string, std::uint64_t> StatefulFileClient::handles() const
{
    std::map<std::string, std::uint64_t> out;
    for (const auto &[name, f] : m_open)
        out[name] = f.handle;
    return out;
}

std::int64_t StatefulFileClient::epoch() const
{
    std::lock_guard lock(m_mutex);
    return m_epoch;
}

bool StatefulFileClient::leaseValid(const std::string &name)
{
    if (!m_callbackAlive.load())
        return false;
    // The server ends the callback connection when it loses the session (a
    // restart closes it): a hang-up there voids every lease at once.
    if (m_callbackSocket.isOpen()) {
        pollfd p {m_callbackSocket.fd(), static_cast<short>(POLLRDHUP), 0};
        if (::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)))
            return false;
    }
    auto it = m_leaseExpiryNs.find(name);
    return it != m_leaseExpiryNs.end() && it->second > Timeline::nowNs();
}

void StatefulFileClient::stopCallbackChannel()
{
    if (m_callbackStop)
        m_callbackStop->set();
    if (m_callbackThread.joinable())
        m_callbackThread.join();
    m_callbackStop.reset();
    m_callbackSocket.close();
    m_callbackAlive = false;
}

bool StatefulFileClient::startCallbackChannel(QString *error)
{
    stopCallbackChannel();
    QString why;
    TcpSocket s = TcpSocket::connectLoopback(m_config.port, m_config.timeoutMs, m_stop, &why);
    std::string reply;
    IoStatus st = s.isOpen()
        ? s.writeAll("CALLBACK " + std::to_string(m_clientId) + "\n", m_config.timeoutMs, m_stop, &why)
        : IoStatus::Error;
    if (st == IoStatus::Ok)
        st = s.readLine(&reply, FileProtocol::kMaxLineBytes, m_config.timeoutMs, m_stop, &why);
    {
        std::lock_guard lock(m_mutex);
        ++m_stats.requests;
        if (s.isOpen())
            ++m_stats.connectionsOpened;
    }
    if (st != IoStatus::Ok || reply.rfind("OK", 0) != 0) {
        if (error)
            *error = QStringLiteral("callback channel: %1")
                         .arg(st != IoStatus::Ok ? (why.isEmpty() ? ioStatusText(st) : why)
                                                 : QString::fromStdString(reply));
        return false;
    }
    m_callbackSocket = std::move(s);
    m_callbackStop = std::make_unique<StopEvent>();
    m_callbackAlive = true;
    m_callbackThread = std::thread([this] { callbackLoop(); });
    return true;
}

void StatefulFileClient::callbackLoop()
{
    const StopEvent &stop = *m_callbackStop;
    while (!stop.isSet()) {
        std::string line;
        const IoStatus st
            = m_callbackSocket.readLine(&line, FileProtocol::kMaxLineBytes, kCallbackSliceMs, &stop, nullptr);
        if (st == IoStatus::Timeout)
            continue;
        if (st != IoStatus::Ok)
            break;
        const auto w = FileProtocol::words(line);
        if (w.size() != 3 || w[0] != "INVALIDATE")
            continue; // not for us to act on
        std::size_t dropped = 0;
        {
            std::lock_guard lock(m_mutex);
            dropped = m_cache.dropFile(w[1]);
            m_leaseExpiryNs.erase(w[1]);
            ++m_stats.callbacks;
            if (dropped > 0)
                ++m_stats.staleCopies;
        }
        record(QStringLiteral("invalidated"),
            QStringLiteral("server called back: %1 changed, %2 cached blocks dropped")
                .arg(QString::fromStdString(w[1]))
                .arg(dropped),
            static_cast<std::int64_t>(dropped));
        // The cache is clean before the acknowledgement, so the writer's WRITE
        // completes only when no stale copy is left here.
        if (m_callbackSocket.writeAll("ACK " + w[1] + "\n", m_config.timeoutMs, &stop, nullptr)
            != IoStatus::Ok)
            break;
    }
    m_callbackAlive = false;
}

bool StatefulFileClient::ensureSession(QString *error)
{
    if (m_inSession && m_channel.isConnected())
        return true;
    const bool hadSession = m_clientId != 0;
    std::string reply;
    const auto outcome = m_channel.call("HELLO", {}, &reply, nullptr, error);
    if (outcome != RequestChannel::Outcome::Ok)
        return false;
    const auto w = FileProtocol::words(reply);
    std::int64_t clientId = 0, epoch = 0, leaseMs = 0;
    if (w.size() != 4 || w[0] != "WELCOME" || !FileProtocol::toInt(w[1], &clientId)
        || !FileProtocol::toInt(w[2], &epoch) || !FileProtocol::toInt(w[3], &leaseMs)) {
        if (error)
            *error = QStringLiteral("HELLO: %1").arg(QString::fromStdString(reply));
        m_channel.close();
        return false;
    }
    m_clientId = static_cast<std::uint64_t>(clientId);
    m_inSession = true;
    std::int64_t oldEpoch = 0;
    {
        std::lock_guard lock(m_mutex);
        oldEpoch = m_epoch;
        m_epoch = epoch;
        // Whatever the server promised belonged to the old session.
        m_leaseExpiryNs.clear();
    }
    record(QStringLiteral("session"), QStringLiteral("client %1, server epoch %2").arg(clientId).arg(epoch),
        clientId);
    if (!startCallbackChannel(error))
        return false;
    if (!hadSession)
        return true;

    // Rebuild: the server no longer knows our handles; open the files again and
    // keep only cached blocks whose version is still the file's.
    FileClientRebuild rb;
    rb.atNs = Timeline::nowNs();
    rb.serverRestarted = oldEpoch != epoch;
    rb.lostHandles = static_cast<int>(m_open.size());
    std::vector<std::string> names;
    for (const auto &[name, f] : m_open)
        names.push_back(name);
    m_open.clear();
    QStringList reopened;
    for (const auto &name : names) {
        OpenFile f;
        int dropped = 0;
        if (!openFile(name, &f, error, &dropped))
            return false;
        ++rb.reopened;
        rb.droppedBlocks += dropped;
        reopened << QStringLiteral("%1 -> handle %2").arg(QString::fromStdString(name)).arg(f.handle);
    }
    {
        std::lock_guard lock(m_mutex);
        ++m_stats.rebuilds;
        for (const auto &name : names)
            rb.keptBlocks += static_cast<int>(m_cache.countOf(name));
    }
    rb.detail = QStringLiteral(
        "%1: %2 handles were stale; reopened %3; cache: %4 blocks still current, %5 out of date")
                    .arg(rb.serverRestarted ? QStringLiteral("server restarted (new epoch)")
                                            : QStringLiteral("connection lost (same server)"))
                    .arg(rb.lostHandles)
                    .arg(reopened.isEmpty() ? QStringLiteral("nothing") : reopened.join(QStringLiteral(", ")))
                    .arg(rb.keptBlocks)
                    .arg(rb.droppedBlocks);
    {
        std::lock_guard lock(m_mutex);
        m_rebuilds.push_back(rb);
    }
    record(QStringLiteral("rebuild"), rb.detail, rb.lostHandles);
    return true;
}

bool StatefulFileClient::openFile(const std::string &name, OpenFile *out, QString *error, int *droppedBlocks)
{
    std::string reply;
    const auto outcome = m_channel.call("OPEN " + name, {}, &reply, nullptr, error);
    if (outcome != RequestChannel::Outcome::Ok)
        return false;
    const auto w = FileProtocol::words(reply);
    std::int64_t handle = 0, size = 0, version = 0, leaseMs = 0;
    if (w.size() != 5 || w[0] != "OPENED" || !FileProtocol::toInt(w[1], &handle)
        || !FileProtocol::toInt(w[2], &size) || !FileProtocol::toInt(w[3], &version)
        || !FileProtocol::toInt(w[4], &leaseMs)) {
        if (error)
            *error = QStringLiteral("OPEN %1: %2")
                         .arg(QString::fromStdString(name), QString::fromStdString(reply));
        return false;
    }
    out->handle = static_cast<std::uint64_t>(handle);
    out->sizeBytes = size;
    m_open[name] = *out;
    std::size_t dropped = 0;
    {
        std::lock_guard lock(m_mutex);
        dropped = m_cache.dropOtherVersions(name, version);
        if (leaseMs > 0)
            m_leaseExpiryNs[name] = Timeline::nowNs() + leaseMs * 1000000LL;
        if (dropped > 0)
            ++m_stats.staleCopies;
    }
    if (droppedBlocks)
        *droppedBlocks = static_cast<int>(dropped);
    record(QStringLiteral("open"),
        QStringLiteral("%1 -> handle %2%3")
            .arg(QString::fromStdString(name))
            .arg(handle)
            .arg(dropped ? QStringLiteral(", %1 out-of-date cached blocks dropped").arg(dropped) : QString()),
        handle);
    return true;
}

RequestChannel::Outcome StatefulFileClient::handleCall(const std::string &name,
    const std::string &verbAndArgs, const std::string &body, std::string *reply, std::string *data,
    QString *error)
{
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (!ensureSession(error))
            return RequestChannel::Outcome::Failed;
        auto it = m_open.find(name);
        OpenFile f;
        if (it == m_open.end()) {
            if (!openFile(name, &f, error))
                return RequestChannel::Outcome::Failed;
        } else {
            f = it->second;
        }
        // verbAndArgs has "%h" where the handle goes.
        std::string line = verbAndArgs;
        line.replace(line.find("%h"), 2, std::to_string(f.handle));
        const auto outcome = m_channel.call(line, body, reply, data, error);
        const bool stale
            = outcome == RequestChannel::Outcome::Ok && reply->rfind("ERROR stale handle", 0) == 0;
        if (outcome == RequestChannel::Outcome::Ok && !stale)
            return outcome;
        if (outcome == RequestChannel::Outcome::Failed)
            return outcome;
        // The session is gone (broken connection, or the server forgot the handle):
        // a new session and the rebuild come before sending it again.
        {
            std::lock_guard lock(m_mutex);
            ++m_stats.failedRequests;
            if (attempt == 0)
                ++m_stats.retries;
        }
        record(QStringLiteral("connection-lost"),
            QStringLiteral("%1: %2").arg(QString::fromStdString(line.substr(0, 60)),
                stale ? QString::fromStdString(*reply) : (error ? *error : QString())));
        m_inSession = false;
        m_channel.close();
    }
    return RequestChannel::Outcome::Failed;
}

bool StatefulFileClient::readBlock(
    const std::string &name, std::int64_t block, std::string *data, QString *error)
{
    const std::int64_t t0 = Timeline::nowNs();
    const QString where = QStringLiteral("%1 block %2").arg(QString::fromStdString(name)).arg(block);
    auto finish = [&](bool ok) {
        std::lock_guard lock(m_mutex);
        if (ok)
            m_latenciesUs.push_back(static_cast<double>(Timeline::nowNs() - t0) / 1000.0);
        return ok;
    };
    bool renew = false;
    {
        std::lock_guard lock(m_mutex);
        ++m_stats.reads;
        if (m_config.cacheBlocks > 0 && m_cache.contains(name, block)) {
            if (leaseValid(name)) {
                // Under a lease the server promised to call back first: no message needed.
                *data = m_cache.find(name, block)->data;
                ++m_stats.clientHits;
                m_latenciesUs.push_back(static_cast<double>(Timeline::nowNs() - t0) / 1000.0);
                if (m_timeline)
                    m_timeline->record(m_config.actor, QStringLiteral("read"),
                        where + QStringLiteral(": client cache hit under lease"), block);
                return true;
            }
            // The lease ran out, or the server can no longer call back: ask it.
            renew = true;
        }
    }
    if (renew) {
        std::string reply;
        const std::int64_t sentNs = Timeline::nowNs();
        if (handleCall(name, "RENEW %h", {}, &reply, nullptr, error) != RequestChannel::Outcome::Ok)
            return finish(false);
        const auto w = FileProtocol::words(reply);
        std::int64_t version = 0, leaseMs = 0;
        if (w.size() != 3 || w[0] != "RENEWED" || !FileProtocol::toInt(w[1], &version)
            || !FileProtocol::toInt(w[2], &leaseMs)) {
            if (error)
                *error = QStringLiteral("RENEW %1: %2")
                             .arg(QString::fromStdString(name), QString::fromStdString(reply));
            return finish(false);
        }
        std::lock_guard lock(m_mutex);
        ++m_stats.validations;
        if (m_cache.dropOtherVersions(name, version) > 0)
            ++m_stats.staleCopies;
        if (leaseMs > 0)
            m_leaseExpiryNs[name] = sentNs + leaseMs * 1000000LL;
        if (BlockCache::Entry *e = m_cache.find(name, block)) {
            *data = e->data;
            ++m_stats.clientHits;
            m_latenciesUs.push_back(static_cast<double>(Timeline::nowNs() - t0) / 1000.0);
            if (m_timeline)
                m_timeline->record(m_config.actor, QStringLiteral("read"),
                    where + QStringLiteral(": client cache hit, lease renewed"), block);
            return true;
        }
    }
    std::string reply, bytes;
    const std::int64_t offset = block * m_config.blockBytes;
    const std::int64_t sentNs = Timeline::nowNs();
    if (handleCall(name, "READ %h " + std::to_string(offset) + " " + std::to_string(m_config.blockBytes), {},
            &reply, &bytes, error)
        != RequestChannel::Outcome::Ok)
        return finish(false);
    const auto w = FileProtocol::words(reply);
    std::int64_t n = 0, version = 0, hits = 0, misses = 0, leaseMs = 0;
    if (w.size() != 6 || w[0] != "DATA" || !FileProtocol::toInt(w[1], &n)
        || !FileProtocol::toInt(w[2], &version) || !FileProtocol::toInt(w[3], &hits)
        || !FileProtocol::toInt(w[4], &misses) || !FileProtocol::toInt(w[5], &leaseMs)) {
        if (error)
            *error = QStringLiteral("READ %1: %2").arg(where, QString::fromStdString(reply));
        return finish(false);
    }
    {
        std::lock_guard lock(m_mutex);
        ++m_stats.clientMisses;
        m_stats.serverHits += hits;
        m_stats.serverMisses += misses;
        if (m_config.cacheBlocks > 0) {
            m_cache.dropOtherVersions(name, version);
            m_cache.put(name, block, bytes, version);
        }
        // The lease runs from when the request left, not when the answer came.
        if (leaseMs > 0)
            m_leaseExpiryNs[name] = sentNs + leaseMs * 1000000LL;
        else
            m_leaseExpiryNs.erase(name);
    }
    record(QStringLiteral("read"),
        where
            + (misses > 0 ? QStringLiteral(": fetched, server read it from disk")
                          : QStringLiteral(": fetched, server cache hit (read ahead)")),
        block);
    *data = std::move(bytes);
    return finish(true);
}

bool StatefulFileClient::writeBlock(
    const std::string &name, std::int64_t block, const std::string &data, QString *error)
{
    std::string reply;
    const std::int64_t offset = block * m_config.blockBytes;
    if (handleCall(name, "WRITE %h " + std::to_string(offset) + " " + std::to_string(data.size()), data,
            &reply, nullptr, error)
        != RequestChannel::Outcome::Ok)
        return false;
    const auto w = FileProtocol::words(reply);
    std::int64_t version = 0, callbacks = 0;
    if (w.size() != 3 || w[0] != "WRITTEN" || !FileProtocol::toInt(w[1], &version)
        || !FileProtocol::toInt(w[2], &callbacks)) {
        if (error)
            *error = QStringLiteral("WRITE %1: %2")
                         .arg(QString::fromStdString(name), QString::fromStdString(reply));
        return false;
    }
    {
        std::lock_guard lock(m_mutex);
        ++m_stats.writes;
        if (m_config.cacheBlocks > 0) {
            m_cache.dropOtherVersions(name, version);
            m_cache.put(name, block, data, version);
        }
    }
    record(QStringLiteral("write"),
        QStringLiteral("%1 block %2 written; the server called back %3 other clients")
            .arg(QString::fromStdString(name))
            .arg(block)
            .arg(callbacks),
        block);
    return true;
}

void StatefulFileClient::close()
{
    if (m_inSession && m_channel.isConnected()) {
        std::string reply;
        for (const auto &[name, f] : m_open)
            m_channel.call("CLOSE " + std::to_string(f.handle), {}, &reply, nullptr, nullptr);
        m_channel.call("BYE", {}, &reply, nullptr, nullptr);
    }
    m_open.clear();
    m_inSession = false;
    m_channel.close();
    stopCallbackChannel();
}

} // namespace proclab
