#pragma once

#include "serversconfig.h"
#include "serverssnapshot.h"

#include "engine/engine.h"

#include <mutex>
#include <vector>

namespace proclab {

class LoadGenerator;

/**
 * @brief T13, T14, S1 for real: the five server designs of core/net (iterative, process,
 * thread, pool, fsm) under the built-in load generator, one design or several side by side.
 *
 * Each point starts a fresh server of one design on 127.0.0.1 (OS-chosen port), runs the
 * closed-loop load generator against it on a thread of its own for `seconds` (or `requests`
 * requests), and meanwhile samples the server's phases, the pool's queue and workers and the
 * responses so far ten times a second, for the animated picture and the throughput timeline.
 * The process design forks from its single-threaded helper process, never from the app.
 */
class ServersEngine : public ConfiguredEngine<ServersConfig> {
public:
    /// Engine id (the CLI and lesson files name it).
    static constexpr QLatin1String kId {"servers"};
    /// The dispatcher/worker picture with throughput and p99 charts per design.
    static constexpr QLatin1String kDesignsView {"servers.designs"};

    ServersEngine();
    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;
    bool supportsStep() const override { return false; }

    /**
     * @brief The measured points as series: "throughput_<design>" (requests/s) and
     * "p99_<design>" (ms) against clients, one of each per design in @p snapshot's order.
     */
    static std::vector<Series> designSeries(const ServersSnapshot &snapshot);
    /// @brief The result of the points in @p snapshot (summary keys as declared in outputs()).
    static Result buildResult(const ServersSnapshot &snapshot, Result base);

protected:
    void run() override;
    void onStopRequested() override;

private:
    /// Measures one design at one client count, publishing live state into @p snap.
    SweepPoint measurePoint(
        ServerDesign design, int clients, ServersSnapshot &snap, double progressFrom, double progressTo);

    std::mutex m_loadMutex;
    LoadGenerator *m_load = nullptr; // the point under way, for onStopRequested()
};

} // namespace proclab
