#pragma once

#include "sharedvarchild.h"
#include "sharedvarconfig.h"
#include "sharedvarsnapshot.h"

#include "engine/engine.h"

#include <vector>

namespace proclab {

/**
 * @brief T6 for real: the parent forks child processes; each starts threads that
 * sleep a seeded random time, increment the process's global `shared_x` and
 * report (time, process, thread, value seen) to the app through a pipe.
 *
 * Each child has its own copy of `shared_x` (fork copies the address space), so
 * each process counts initial+1, +2, ... on its own, while the parent's copy
 * never changes. The parent of forked children is the fork server
 * (SharedVarForkServer), a small process started for the run, so that the app
 * never forks; spawned children are started by the app. The plan (SharedVarPlan)
 * is drawn from the seed first; the children are a SharedVarChildren; run() reads
 * one report per checkpoint and publishes the timeline. Every child is reaped,
 * also when the run is stopped midway (stop kills the remaining children with
 * SIGKILL and their parent waits for them).
 */
class SharedVarEngine : public ConfiguredEngine<SharedVarConfig> {
public:
    /// Engine id (the CLI and lesson files name it).
    static constexpr QLatin1String kId {"sharedvar"};
    static constexpr QLatin1String kTimelineView {"sharedvar.timeline"}; ///< view id

    SharedVarEngine();

    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;

protected:
    void run() override;

private:
    /// The result of the run @p snap shows (every child reaped), @p elapsedMs after the start.
    Result buildResult(const SharedVarSnapshot &snap, double elapsedMs, const QString &failure) const;
};

} // namespace proclab
