#include "fileserviceexperiment.h"

#include "filestore.h"
#include "statefulfileclient.h"
#include "statefulfileserver.h"
#include "statelessfileclient.h"
#include "statelessfileserver.h"

#include <memory>

namespace proclab {

namespace {

void add(FileServerStats *sum, const FileServerStats &s)
{
    sum->connections += s.connections;
    sum->requests += s.requests;
    sum->errors += s.errors;
    sum->cacheHits += s.cacheHits;
    sum->cacheMisses += s.cacheMisses;
    sum->prefetches += s.prefetches;
    sum->prefetchHits += s.prefetchHits;
    sum->diskReads += s.diskReads;
    sum->writes += s.writes;
    sum->callbacks += s.callbacks;
    sum->callbacksAcked += s.callbacksAcked;
    sum->leaseWaits += s.leaseWaits;
    sum->staleHandles += s.staleHandles;
}

double ratio(std::int64_t part, std::int64_t whole)
{
    return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

// Either server behind one small interface, so the pattern is written once.
class AnyServer {
public:
    AnyServer(bool stateful, FileStore &files, const FileServerConfig &config, Timeline *timeline)
    {
        if (stateful)
            m_stateful = std::make_unique<StatefulFileServer>(files, config, timeline);
        else
            m_stateless = std::make_unique<StatelessFileServer>(files, config, timeline);
    }
    bool start(QString *error, std::uint16_t port)
    {
        return m_stateful ? m_stateful->start(error, port) : m_stateless->start(error, port);
    }
    void stop()
    {
        // Counters of this instance are added before it goes (a restart makes a new one).
        if (m_stateful) {
            m_stateful->stop();
            add(&m_total, m_stateful->stats());
        } else {
            m_stateless->stop();
            add(&m_total, m_stateless->stats());
        }
    }
    std::uint16_t port() const { return m_stateful ? m_stateful->port() : m_stateless->port(); }
    const FileServerStats &total() const { return m_total; }

private:
    std::unique_ptr<StatefulFileServer> m_stateful;
    std::unique_ptr<StatelessFileServer> m_stateless;
    FileServerStats m_total;
};

} // namespace

FileServiceExperiment::FileServiceExperiment(FileServiceExperimentConfig config)
    : m_config(std::move(config))
{
}

bool FileServiceExperiment::runStyle(Style style, ConnectionMode mode, int clientCacheBlocks,
    const QString &name, FileServiceRun *out, QString *error)
{
    const auto &c = m_config;
    const bool stateful = style == Style::Stateful;
    out->style = name;
    Timeline timeline(100000);
    FileStore store;
    FileStoreConfig fc;
    fc.fileCount = c.fileCount;
    fc.fileBytes = static_cast<std::int64_t>(c.fileBlocks) * c.blockBytes;
    fc.seed = c.seed;
    if (!store.create(fc, error))
        return false;
    const std::vector<std::string> names = store.fileNames();
    std::vector<std::string> expected;
    for (int i = 0; i < c.fileCount; ++i)
        expected.push_back(FileStore::generatedContent(c.seed, i, fc.fileBytes));

    FileServerConfig sc = c.server;
    sc.blockBytes = c.blockBytes;
    AnyServer server(stateful, store, sc, &timeline);
    if (!server.start(error, 0))
        return false;
    const std::uint16_t port = server.port();

    FileClientConfig readerConfig;
    readerConfig.port = port;
    readerConfig.blockBytes = c.blockBytes;
    readerConfig.timeoutMs = c.timeoutMs;
    readerConfig.cacheBlocks = clientCacheBlocks;
    readerConfig.mode = mode;
    readerConfig.actor = QStringLiteral("reader");
    FileClientConfig writerConfig = readerConfig;
    writerConfig.actor = QStringLiteral("writer");
    writerConfig.mode = ConnectionMode::Persistent;

    std::unique_ptr<StatefulFileClient> statefulReader, statefulWriter;
    std::unique_ptr<StatelessFileClient> statelessReader, statelessWriter;
    if (stateful) {
        statefulReader = std::make_unique<StatefulFileClient>(readerConfig, &timeline, &m_stop);
        statefulWriter = std::make_unique<StatefulFileClient>(writerConfig, &timeline, &m_stop);
    } else {
        statelessReader = std::make_unique<StatelessFileClient>(readerConfig, &timeline, &m_stop);
        statelessWriter = std::make_unique<StatelessFileClient>(writerConfig, &timeline, &m_stop);
    }
    auto readBlock = [&](int file, std::int64_t block, std::string *data, QString *why) {
        return stateful ? statefulReader->readBlock(names[file], block, data, why)
                        : statelessReader->readBlock(names[file], block, data, why);
    };
    auto writeBlock = [&](int file, std::int64_t block, const std::string &data, QString *why) {
        return stateful ? statefulWriter->writeBlock(names[file], block, data, why)
                        : statelessWriter->writeBlock(names[file], block, data, why);
    };
    auto readerStats = [&] { return stateful ? statefulReader->stats() : statelessReader->stats(); };

    const int half = c.fileCount * c.fileBlocks / 2;
    bool ok = true;
    for (int pass = 0; ok && pass < c.passes; ++pass) {
        for (int op = 0; ok && op < c.fileCount * c.fileBlocks; ++op) {
            if (m_stop.isSet()) {
                *error = QStringLiteral("stopped");
                ok = false;
                break;
            }
            if (op == half && c.write && pass == c.writePass) {
                std::string block(static_cast<std::size_t>(c.blockBytes), ' ');
                const std::string stamp = "written in pass " + std::to_string(pass + 1) + "; ";
                for (std::size_t i = 0; i < block.size(); ++i)
                    block[i] = stamp[i % stamp.size()];
                if (!writeBlock(0, 0, block, error)) {
                    ok = false;
                    break;
                }
                expected[0].replace(0, block.size(), block);
            }
            if (op == half && c.restart && pass == c.restartPass) {
                timeline.record(QStringLiteral("operator"), QStringLiteral("restart"),
                    QStringLiteral("the %1 server is restarted on port %2")
                        .arg(stateful ? QStringLiteral("stateful") : QStringLiteral("stateless"))
                        .arg(port),
                    port);
                out->restartAtRead = static_cast<int>(readerStats().reads);
                server.stop();
                if (!server.start(error, port)) {
                    ok = false;
                    break;
                }
            }
            const int file = op / c.fileBlocks;
            const std::int64_t block = op % c.fileBlocks;
            std::string data;
            if (!readBlock(file, block, &data, error)) {
                ok = false;
                break;
            }
            if (data
                != expected[file].substr(
                    static_cast<std::size_t>(block * c.blockBytes), static_cast<std::size_t>(c.blockBytes)))
                ++out->wrongReads;
            if (c.clientThinkUs > 0
                && sleepUnlessStopped(m_stop, static_cast<std::int64_t>(c.clientThinkUs) * 1000)) {
                *error = QStringLiteral("stopped");
                ok = false;
            }
        }
    }
    if (ok) {
        out->reader = readerStats();
        out->writer = stateful ? statefulWriter->stats() : statelessWriter->stats();
        out->readLatenciesUs
            = stateful ? statefulReader->readLatenciesUs() : statelessReader->readLatenciesUs();
        out->readLatencyUs = spreadOf(out->readLatenciesUs);
        if (stateful)
            out->rebuilds = statefulReader->rebuilds();
        // Final check: every block through the client (its cache or the server)
        // equals what is on disk now, read directly.
        int blocksChecked = 0, blocksWrong = 0;
        for (int f = 0; ok && f < c.fileCount; ++f) {
            std::string disk, why;
            if (!store.readAll(names[f], &disk, &why)) {
                *error = QString::fromStdString(why);
                ok = false;
                break;
            }
            for (int b = 0; b < c.fileBlocks; ++b) {
                std::string data;
                if (!readBlock(f, b, &data, error)) {
                    ok = false;
                    break;
                }
                ++blocksChecked;
                if (data
                    != disk.substr(
                        static_cast<std::size_t>(b) * c.blockBytes, static_cast<std::size_t>(c.blockBytes)))
                    ++blocksWrong;
            }
        }
        if (ok) {
            out->dataMatches = blocksWrong == 0 && out->wrongReads == 0;
            out->dataCheck
                = QStringLiteral("%1 of %2 blocks read through the client equal the files on disk; %3 reads "
                                 "during the run returned other bytes than the file held")
                      .arg(blocksChecked - blocksWrong)
                      .arg(blocksChecked)
                      .arg(out->wrongReads);
        }
    }
    if (stateful) {
        statefulReader->close();
        statefulWriter->close();
    } else {
        statelessReader->close();
        statelessWriter->close();
    }
    server.stop();
    out->server = server.total();
    out->clientHitRate = ratio(out->reader.clientHits, out->reader.reads);
    out->serverHitRate = ratio(out->server.cacheHits, out->server.cacheHits + out->server.cacheMisses);
    if (c.restart) {
        if (stateful) {
            out->restartNotes << QStringLiteral(
                "The server lost its sessions, open-file table, read-ahead positions, "
                "leases and buffer cache.");
            for (const auto &rb : out->rebuilds)
                out->restartNotes << rb.detail;
            if (out->rebuilds.empty())
                out->restartNotes << QStringLiteral(
                    "The client did not need the server again after the restart.");
        } else {
            out->restartNotes << QStringLiteral(
                "The server lost only its buffer cache; no client state existed to lose.");
            out->restartNotes << QStringLiteral(
                "%1 request(s) were lost with the broken connection and sent again "
                "unchanged; nothing had to be rebuilt.")
                                     .arg(out->reader.failedRequests);
        }
    }
    out->events = timeline.events();
    return ok;
}

FileServiceExperimentResult FileServiceExperiment::run()
{
    FileServiceExperimentResult result;
    const auto &c = m_config;
    if (c.fileCount < 1 || c.fileCount > 64 || c.fileBlocks < 1 || c.fileBlocks > 1024 || c.blockBytes < 64
        || c.blockBytes > 65536 || c.passes < 1 || c.passes > 100) {
        result.error
            = QStringLiteral("files 1-64, blocks per file 1-1024, block size 64-65536 bytes, passes 1-100");
        return result;
    }
    QString error;
    if (!runStyle(Style::Stateful, ConnectionMode::Persistent, c.clientCacheBlocks,
            QStringLiteral("stateful"), &result.stateful, &error)
        || !runStyle(Style::Stateless, ConnectionMode::Persistent, c.clientCacheBlocks,
            QStringLiteral("stateless"), &result.stateless, &error)) {
        result.error = error;
        return result;
    }
    if (c.connectionModes) {
        FileServiceRun one, each;
        if (!runStyle(Style::Stateless, ConnectionMode::Persistent, 0,
                QStringLiteral("stateless, one connection"), &one, &error)
            || !runStyle(Style::Stateless, ConnectionMode::PerRequest, 0,
                QStringLiteral("stateless, a connection per request"), &each, &error)) {
            result.error = error;
            return result;
        }
        result.connectionModes = {std::move(one), std::move(each)};
    }
    result.ok = true;
    return result;
}

} // namespace proclab
