#pragma once

#include "migrationconfig.h"
#include "migrationrun.h"
#include "migrationsnapshot.h"

#include "engine/engine.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace proclab {

/**
 * @brief M6/M7 for real: migrates a running in-process VM over a TCP connection.
 *
 * The VM is a guest memory (anonymous mmap, 4 KiB pages) and a vCPU thread that
 * writes pages at the dirty rate (hot working set plus uniform writes) and
 * answers a client's requests over loopback. The destination is a MigrationNode
 * in this process (own threads, real TCP on 127.0.0.1) or `proclab node` at
 * HOST:PORT. Strategies: stop-and-copy, pre-copy (rounds from a dirty bitmap,
 * stop rules: downtime limit, maximum rounds, maximum data) and post-copy
 * (demand fetches plus a background push, no page sent twice). The checksum of
 * the memory at the pause is compared with the destination's. Any failure
 * abandons the migration and the VM goes on running on the source.
 *
 * run() only orchestrates the phases; the parts are plain classes of their own:
 * migration::MigrationLink (messages, replies, traffic figures, the cap's
 * RateLimiter), migration::PageSender (pages while the VM runs or is paused),
 * migration::PostCopyPusher, migration::PageLedger (who was sent how often) and
 * migration::MigrationReport (snapshot and result from the run's record).
 */
class MigrationEngine : public ConfiguredEngine<MigrationConfig> {
public:
    /// Engine id (the CLI and lesson files name it).
    static constexpr QLatin1String kId {"migration"};
    static constexpr QLatin1String kLiveView {"migration.live"}; ///< view id
    static constexpr QLatin1String kResponseView {"migration.response"}; ///< view id

    MigrationEngine();
    ~MigrationEngine() override; // defined where Parts is complete (the run is stopped before, by makeEngine)
    ParamSchema schema() const override { return MigrationConfig::schema(); }
    std::vector<OutputSpec> outputs() const override;
    bool supportsStep() const override { return false; }

protected:
    void run() override;

private:
    struct Parts; // the objects of one run: memory, VM, client, destination, link, senders

    bool setUp();
    bool migrate();
    bool handshake();
    bool preCopyRounds();
    bool switchover();
    bool postCopyPush();
    bool verify();
    void finishRun();
    /// Copies the link's and the ledger's figures, and the destination's replies, into m_run.
    void collectFigures();
    /// The client's record so far.
    std::vector<MigrationSample> clientSamples() const;
    Result buildResult() const;

    /// Gives up: closes the link, brings the VM back to life on the source, says why.
    void abandon(const QString &reason);
    /// Polls the link until @p done; false (abandoned) on a stop, a failure or no progress.
    bool waitFor(const std::function<bool()> &done, const QString &what);
    /// Takes the dirty pages (write faults: also protects them again).
    void harvestDirty(std::vector<std::uint32_t> *out);
    void pauseVm();
    /// Publishes a snapshot; unless @p force, at most ~30 a second.
    void publishProgress(bool force);
    bool sleepPublishing(qint64 ms);
    double nowMs() const;

    // Engine thread only; made at the start of run() and released before it returns.
    std::unique_ptr<Parts> m_parts;
    migration::MigrationRun m_run;
    Result m_result; // the result so far: parameters and machine, the summary once the run ended
    std::chrono::steady_clock::time_point m_t0;
    std::chrono::steady_clock::time_point m_lastPublish;
};

} // namespace proclab
