#pragma once

#include "threadtimesampler.h"

#include "engine/engine.h"

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace proclab {

/// The protection demo's buffer: words owned by the worker, then the sibling's ledger.
struct ProtectionState {
    int ownWords = 0; ///< the worker's own array: words [0, ownWords)
    int ledgerWords = 0; ///< the sibling's ledger: words [ownWords, ownWords + ledgerWords)
    int strayWords = 0; ///< how far past its array the buggy loop writes
    std::vector<std::uint64_t> threadArena; ///< after the stray write by a sibling thread
    std::vector<std::uint64_t> parentArena; ///< parent's copy after the child's stray write
    std::vector<std::uint64_t> childArena; ///< the child's copy (reported through a pipe)
    bool threadLedgerOk = true;
    bool parentLedgerOk = true;
    bool childLedgerOk = true;
    quintptr arenaAddress = 0; ///< same virtual address in parent and child
    pid_t childPid = -1;
    bool childReaped = false;
};

/**
 * @brief What the live threads view draws.
 */
struct ThreadsLiveSnapshot : Snapshot {
    QString demo; ///< "shares" or "protection"
    int cpu = 0; ///< the CPU every busy thread is pinned to
    double seconds = 0;
    double elapsedMs = 0;
    bool waitMeasured = true; ///< wait times were read (schedstat); false: run time from stat only
    std::vector<LiveThread> threads;
    ProtectionState protection;
};

/**
 * @brief The threads-live engine's parameters, converted and checked once.
 */
struct ThreadsLiveConfig {
    enum class Demo { Shares, Protection };
    Demo demo = Demo::Shares;
    std::vector<int> nices {0, 5}; ///< shares: one busy thread per value, 1 to 8 values in -20..19
    double seconds = 3; ///< how long the busy threads run
    int cpu = -1; ///< the CPU to pin them to; -1: the last one this process may use
    int sampleMs = 100; ///< interval between two reads of /proc
    int strayWords = 6; ///< protection: words written past the worker's array

    /**
     * @brief Converts validated parameter values. The nice values are parsed (and checked)
     * for the shares demo only; the protection demo ignores them.
     * @return nullopt with a one-line @p error naming `nices` for a bad list
     */
    static std::optional<ThreadsLiveConfig> fromParams(const ParamValues &values, QString *error);
};

/**
 * @brief T10 and T4 on this machine, with real threads.
 *
 * "shares": starts one busy thread per nice value, pins them all to one CPU,
 * gives each its nice value with setpriority(PRIO_PROCESS, tid, nice) and
 * samples /proc/self/task/<tid>/schedstat to chart their real CPU shares and
 * run/wait times, next to the CFS model's prediction for the same weights
 * (cfsModelShares()). Every thread ends at the time limit or on stop and is joined.
 *
 * "protection": a worker thread's off-by-N loop overwrites a sibling thread's
 * ledger in the same process (checksum mismatch), while the same loop in a
 * forked child leaves the parent's copy intact. The writes stay inside one
 * array owned by the demo.
 */
class ThreadsLiveEngine : public ConfiguredEngine<ThreadsLiveConfig> {
public:
    /// Engine id (the CLI and lesson files name it).
    static constexpr QLatin1String kId {"threads-live"};
    static constexpr QLatin1String kLiveView {"threadslive.view"}; ///< view id

    ThreadsLiveEngine();

    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;

    /**
     * @brief The share chart of a shares snapshot, in percent per thread index: series
     * "measured_share" (bars) and "model_share" (the CFS model, points).
     */
    static std::vector<Series> shareSeries(const ThreadsLiveSnapshot &snapshot);
    /**
     * @brief Cumulative run time against time per thread i, "run_time_<i>", each followed by
     * its wait time "wait_time_<i>" when wait times were measured.
     */
    static std::vector<Series> timeSeries(const ThreadsLiveSnapshot &snapshot);

protected:
    void run() override;

private:
    void runShares();
    void runProtection();
    Result buildSharesResult(const ThreadsLiveSnapshot &snapshot, const QString &readError) const;
    Result buildProtectionResult(const ProtectionState &state, const QString &failure) const;
};

} // namespace proclab
