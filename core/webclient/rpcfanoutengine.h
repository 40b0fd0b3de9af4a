#pragma once

#include "engine/engine.h"

#include <optional>
#include <vector>

namespace proclab {

/**
 * @brief One server count of the RPC fan-out: sequential vs parallel calls.
 */
struct FanoutPoint {
    int servers = 0;
    double sequentialMs = 0; ///< median: one thread calls the servers one after another
    double parallelMs = 0; ///< median: one thread per server, all at once, wait for all
    double speedup = 0; ///< sequentialMs / parallelMs
};

/**
 * @brief What the fan-out view draws: one point per server count measured so far.
 */
struct FanoutSnapshot : Snapshot {
    int maxServers = 0;
    double latencyMs = 0;
    std::vector<FanoutPoint> points;
};

/**
 * @brief The RPC fan-out engine's parameters, converted once.
 */
struct FanoutConfig {
    int servers = 4; ///< the most servers called
    double latencyMs = 100;
    int repeats = 3; ///< rounds per server count (the median is reported)
    bool sweep = true; ///< every server count from 1, else only `servers`

    /// @brief Converts validated parameter values.
    static std::optional<FanoutConfig> fromParams(const ParamValues &values, QString *error);
};

/**
 * @brief T11, second half: one RPC to each of m local servers (each with its own
 * latency), first sequentially from one thread, then with m threads at once.
 */
class RpcFanoutEngine : public ConfiguredEngine<FanoutConfig> {
public:
    /// Engine id (the CLI and lesson files name it).
    static constexpr QLatin1String kId {"rpc-fanout"};
    static constexpr QLatin1String kSpeedupView {"rpc-fanout.speedup"}; ///< view id

    RpcFanoutEngine();
    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;
    bool supportsStep() const override { return false; }

    /**
     * @brief The curves of @p points against the server count: "speedup" (measured),
     * "linear_speedup" (model), then the times "sequential" and "parallel" (measured, ms).
     */
    static std::vector<Series> series(const std::vector<FanoutPoint> &points);

protected:
    void run() override;

private:
    Result buildResult(const FanoutSnapshot &snapshot, const QString &failure) const;
};

} // namespace proclab
