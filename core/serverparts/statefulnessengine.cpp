#include "statefulnessengine.h"

namespace proclab {

namespace {
const QString kFiles = QStringLiteral("files");
const QString kBlocks = QStringLiteral("blocks_per_file");
const QString kBlockBytes = QStringLiteral("block_bytes");
const QString kPasses = QStringLiteral("passes");
const QString kWrite = QStringLiteral("write");
const QString kRestart = QStringLiteral("restart");
const QString kClientCache = QStringLiteral("client_cache_blocks");
const QString kServerCache = QStringLiteral("server_cache_blocks");
const QString kThink = QStringLiteral("think_us");
const QString kDisk = QStringLiteral("disk_wait_us");
const QString kReadAhead = QStringLiteral("read_ahead");
const QString kLease = QStringLiteral("lease_ms");
const QString kModes = QStringLiteral("connection_modes");

// The runs of a result in the order runKey() names them.
std::vector<const FileServiceRun *> runsOf(const FileServiceExperimentResult &r)
{
    std::vector<const FileServiceRun *> runs {&r.stateful, &r.stateless};
    for (const auto &m : r.connectionModes)
        runs.push_back(&m);
    return runs;
}

} // namespace

std::optional<StatefulnessConfig> StatefulnessConfig::fromParams(const ParamValues &values, QString *error)
{
    StatefulnessConfig c;
    FileServiceExperimentConfig &e = c.experiment;
    e.fileCount = values.value(kFiles).toInt();
    e.fileBlocks = values.value(kBlocks).toInt();
    e.blockBytes = static_cast<int>(values.value(kBlockBytes).toLongLong());
    e.passes = values.value(kPasses).toInt();
    e.write = values.value(kWrite).toBool();
    e.restart = values.value(kRestart).toBool();
    e.clientCacheBlocks = values.value(kClientCache).toInt();
    e.clientThinkUs = values.value(kThink).toInt();
    e.connectionModes = values.value(kModes).toBool();
    e.server.cacheBlocks = values.value(kServerCache).toInt();
    e.server.diskDelayUs = values.value(kDisk).toInt();
    e.server.readAhead = values.value(kReadAhead).toBool();
    e.server.leaseMs = values.value(kLease).toInt();
    // The write and the restart happen in the second and last pass (the first
    // with one pass), so each has cached copies to act on.
    e.writePass = std::min(1, e.passes - 1);
    e.restartPass = e.passes - 1;
    const std::int64_t bytes = static_cast<std::int64_t>(e.fileCount) * e.fileBlocks * e.blockBytes;
    if (bytes > 64LL * 1024 * 1024) {
        if (error)
            *error = QStringLiteral(
                "files x blocks_per_file x block_bytes is %1 MiB; keep the files under 64 MiB")
                         .arg(static_cast<double>(bytes) / (1024.0 * 1024.0), 0, 'f', 1);
        return std::nullopt;
    }
    return c;
}

StatefulnessEngine::StatefulnessEngine()
    : ConfiguredEngine(EngineInfo {QString(kId), QStringLiteral("Stateless and stateful file servers"),
        Provenance::Measured,
        QStringLiteral("One file service built stateful (open files, read-ahead, client "
                       "leases) and stateless (self-contained requests): hit rates, "
                       "messages and latency on the same reads, and what a restart costs "
                       "each."),
        {QStringLiteral("S4")}, {QString(kCompareView), QString(kRestartView), QString(kConnectionsView)}})
{
}

ParamSchema StatefulnessEngine::schema() const
{
    return ParamSchema {
        ParamSpec::integer(kFiles, QStringLiteral("Files"), 4, 1, 16, QStringLiteral("files"),
            QStringLiteral("Files in the temporary directory the service serves.")),
        ParamSpec::integer(kBlocks, QStringLiteral("Blocks per file"), 16, 1, 256, QStringLiteral("blocks"),
            QStringLiteral("The reader reads each file block by block, front to back.")),
        ParamSpec::bytes(kBlockBytes, QStringLiteral("Block size"), 4096, 512, 65536,
            QStringLiteral("Unit of reads, caches and read-ahead.")),
        ParamSpec::integer(kPasses, QStringLiteral("Passes"), 3, 1, 20, QStringLiteral("passes"),
            QStringLiteral("How often the reader reads every file; later passes can use its cache.")),
        ParamSpec::boolean(kWrite, QStringLiteral("Second writer"), true,
            QStringLiteral("Halfway through the second pass another client overwrites block 0 of the "
                           "first file: cached copies must go.")),
        ParamSpec::boolean(kRestart, QStringLiteral("Restart"), true,
            QStringLiteral("Halfway through the last pass the server is stopped and started again on "
                           "the same port, as after a crash.")),
        ParamSpec::integer(kClientCache, QStringLiteral("Client cache"), 256, 0, 4096,
            QStringLiteral("blocks"),
            QStringLiteral("The reader's own cache; 0 sends every read to the server.")),
        ParamSpec::integer(kServerCache, QStringLiteral("Server cache"), 128, 1, 4096,
            QStringLiteral("blocks"), QStringLiteral("The server's buffer cache (both servers).")),
        ParamSpec::integer(kThink, QStringLiteral("Reader work"), 200, 0, 100000, QStringLiteral("us"),
            QStringLiteral("Time the reader spends on a block before the next read: read-ahead "
                           "works meanwhile.")),
        ParamSpec::integer(kDisk, QStringLiteral("Disk wait"), 200, 0, 100000, QStringLiteral("us"),
            QStringLiteral(
                "A model of a disk, not a measurement: the server waits this long for every block it reads "
                "from the file system.")),
        ParamSpec::boolean(kReadAhead, QStringLiteral("Read-ahead"), true,
            QStringLiteral("The stateful server fetches the next block of an open file.")),
        ParamSpec::integer(kLease, QStringLiteral("Lease"), 10000, 1, 600000, QStringLiteral("ms"),
            QStringLiteral("How long a stateful client may use cached blocks without asking.")),
        ParamSpec::boolean(kModes, QStringLiteral("Connection modes"), true,
            QStringLiteral("Also run the stateless client without a cache over one connection and "
                           "over a connection per request.")),
    };
}

std::vector<OutputSpec> StatefulnessEngine::outputs() const
{
    const QString perRun = QStringLiteral(
        "_reads, _client_hits, _client_hit_rate (0-1), _client_hit_pct, _server_hits, _server_misses, "
        "_server_hit_rate, "
        "_prefetches, "
        "_requests, _validations, _callbacks, _connections, _failed_requests, _retries, _rebuilds, "
        "_read_us_median, _read_us_p10, _read_us_p90, _data_matches (1/0)");
    return {
        {QStringLiteral("stateful_*"), QString(),
            QStringLiteral("the stateful run: ") + perRun
                + QStringLiteral(
                    ", _lost_handles, _reopened, _kept_blocks, _dropped_blocks (at the restart)")},
        {QStringLiteral("stateless_*"), QString(), QStringLiteral("the stateless run: ") + perRun},
        {QStringLiteral("one_connection_*"), QString(),
            QStringLiteral("stateless without a client cache over one TCP connection: ") + perRun},
        {QStringLiteral("per_request_*"), QString(),
            QStringLiteral("stateless without a client cache, a new connection per request: ") + perRun},
        {QStringLiteral("data_matches"), QString(),
            QStringLiteral("1 if every run read exactly what the files held, before and after the restart")},
    };
}

QString StatefulnessEngine::runKey(int index)
{
    switch (index) {
    case 0:
        return QStringLiteral("stateful");
    case 1:
        return QStringLiteral("stateless");
    case 2:
        return QStringLiteral("one_connection");
    default:
        return QStringLiteral("per_request");
    }
}

void StatefulnessEngine::onStopRequested()
{
    std::lock_guard lock(m_stopMutex);
    if (m_stopCurrent)
        m_stopCurrent();
}

void StatefulnessEngine::run()
{
    auto snap = std::make_shared<StatefulnessSnapshot>();
    snap->status = QStringLiteral("stateful, stateless, then the connection modes");
    publish(std::make_shared<StatefulnessSnapshot>(*snap));
    FileServiceExperiment experiment(config().experiment);
    {
        std::lock_guard lock(m_stopMutex);
        m_stopCurrent = [&experiment] { experiment.stop(); };
    }
    if (stopRequested())
        experiment.stop();
    snap->run = experiment.run();
    {
        std::lock_guard lock(m_stopMutex);
        m_stopCurrent = nullptr;
    }
    snap->result = buildResult(snap->run);
    snap->progress = 1;
    snap->status = snap->run.ok ? QStringLiteral("requests: stateful %1, stateless %2")
                                      .arg(snap->run.stateful.reader.requests)
                                      .arg(snap->run.stateless.reader.requests)
                                : snap->run.error;
    publish(snap);
}

Result StatefulnessEngine::buildResult(const FileServiceExperimentResult &run) const
{
    Result r = makeResult();
    if (!run.ok)
        r.error = run.error;
    r.table.columns = {QStringLiteral("run"), QStringLiteral("reads"), QStringLiteral("client_hits"),
        QStringLiteral("server_hits"), QStringLiteral("server_misses"), QStringLiteral("prefetches"),
        QStringLiteral("requests"), QStringLiteral("validations"), QStringLiteral("callbacks"),
        QStringLiteral("connections"), QStringLiteral("failed_requests"), QStringLiteral("rebuilds"),
        QStringLiteral("read_us_median"), QStringLiteral("data_matches")};
    const auto runs = runsOf(run);
    bool allMatch = run.ok;
    for (int i = 0; i < static_cast<int>(runs.size()); ++i) {
        const FileServiceRun &f = *runs[i];
        if (f.style.isEmpty())
            continue; // not run (stopped, or connection modes off)
        const QString k = runKey(i) + QLatin1Char('_');
        auto put
            = [&](const char *name, const QJsonValue &v) { r.summary.insert(k + QLatin1String(name), v); };
        put("reads", static_cast<qint64>(f.reader.reads));
        put("client_hits", static_cast<qint64>(f.reader.clientHits));
        put("client_hit_rate", f.clientHitRate);
        put("client_hit_pct", 100.0 * f.clientHitRate);
        put("server_hits", static_cast<qint64>(f.server.cacheHits));
        put("server_misses", static_cast<qint64>(f.server.cacheMisses));
        put("server_hit_rate", f.serverHitRate);
        put("prefetches", static_cast<qint64>(f.server.prefetches));
        put("requests", static_cast<qint64>(f.reader.requests));
        put("validations", static_cast<qint64>(f.reader.validations));
        put("callbacks", static_cast<qint64>(f.reader.callbacks));
        put("connections", static_cast<qint64>(f.reader.connectionsOpened));
        put("failed_requests", static_cast<qint64>(f.reader.failedRequests));
        put("retries", static_cast<qint64>(f.reader.retries));
        put("rebuilds", static_cast<qint64>(f.reader.rebuilds));
        put("read_us_median", f.readLatencyUs.median);
        put("read_us_p10", f.readLatencyUs.p10);
        put("read_us_p90", f.readLatencyUs.p90);
        put("data_matches", f.dataMatches ? 1 : 0);
        allMatch = allMatch && f.dataMatches;
        if (i == 0) {
            int lost = 0, reopened = 0, kept = 0, dropped = 0;
            for (const auto &rb : f.rebuilds) {
                lost += rb.lostHandles;
                reopened += rb.reopened;
                kept += rb.keptBlocks;
                dropped += rb.droppedBlocks;
            }
            put("lost_handles", lost);
            put("reopened", reopened);
            put("kept_blocks", kept);
            put("dropped_blocks", dropped);
        }
        r.table.rows.push_back({f.style, static_cast<qlonglong>(f.reader.reads),
            static_cast<qlonglong>(f.reader.clientHits), static_cast<qlonglong>(f.server.cacheHits),
            static_cast<qlonglong>(f.server.cacheMisses), static_cast<qlonglong>(f.server.prefetches),
            static_cast<qlonglong>(f.reader.requests), static_cast<qlonglong>(f.reader.validations),
            static_cast<qlonglong>(f.reader.callbacks), static_cast<qlonglong>(f.reader.connectionsOpened),
            static_cast<qlonglong>(f.reader.failedRequests), static_cast<qlonglong>(f.reader.rebuilds),
            f.readLatencyUs.median, f.dataMatches});
        Series s;
        s.id = runKey(i) + QStringLiteral("_read_latency");
        s.name = f.style + QStringLiteral(": read latency");
        s.xLabel = QStringLiteral("read");
        s.yLabel = QStringLiteral("latency (us)");
        s.style = Series::Style::Scatter;
        for (std::size_t j = 0; j < f.readLatenciesUs.size(); ++j) {
            s.x.push_back(static_cast<double>(j + 1));
            s.y.push_back(f.readLatenciesUs[j]);
        }
        r.series.push_back(std::move(s));
    }
    r.summary.insert(QStringLiteral("data_matches"), allMatch ? 1 : 0);
    return r;
}

} // namespace proclab
