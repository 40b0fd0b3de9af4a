#pragma once

#include "neighbourconfig.h"
#include "neighboursnapshot.h"

#include "engine/engine.h"

namespace proclab {

class HelperProcess;

/**
 * @brief V9 measured: isolation is not performance isolation. A latency-sensitive service
 * answers requests alone, then beside a CPU-heavy and a cache-heavy tenant on the same CPU,
 * then beside the CPU-heavy tenant held to a CPU limit by a control group.
 *
 * The service and the tenants are helper processes (NeighbourHelpers) pinned to CPUs; the
 * engine thread is the client (RequestLoop) and times every request. Phases last a fixed
 * time each. Where no control group can be made, the limited phase is skipped and the
 * result says what the OS refused.
 */
class NeighbourEngine : public ConfiguredEngine<NeighbourConfig> {
public:
    static constexpr QLatin1String kId {"neighbour"}; ///< engine id
    static constexpr QLatin1String kLatencyView {"neighbour.latency"}; ///< CDF and percentiles per phase

    NeighbourEngine();
    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;
    bool supportsStep() const override { return false; }

    /// @brief The CPU time of process @p pid in seconds (/proc/<pid>/stat), -1 if unreadable.
    static double processCpuSeconds(int pid);
    /// @brief Parses the text of a /proc/<pid>/stat file into CPU seconds (utime + stime), -1 if malformed.
    static double parseStatCpuSeconds(const QByteArray &stat, long ticksPerSecond);

protected:
    void run() override;

private:
    /// Runs one phase; false when stopped or failed (@p error set when failed).
    bool runPhase(HelperProcess *service, NeighbourSnapshot *snap, int index, QString *error);
    Result buildResult(const NeighbourSnapshot &snap) const;
};

} // namespace proclab
