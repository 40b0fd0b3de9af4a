#pragma once

#include "replicatingstub.h"

#include "engine/engine.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace proclab {

/**
 * @brief What the replica view draws: the calls so far and the stub's counters.
 */
struct ReplicaSnapshot : Snapshot {
    int replicas = 3;
    int requests = 0;
    int killAt = -1; ///< call index before which the replica was killed, -1 never
    int killedReplica = -1;
    double killedAtMs = -1;
    std::vector<StubCall> calls;
    std::vector<ReplicaCounters> counters;
    int callerFailures = 0;
};

/**
 * @brief The replica engine's parameters, converted once.
 */
struct ReplicaConfig {
    int requests = 40; ///< calls the application makes
    int intervalMs = 40; ///< pause between calls
    double latencyMs = 20; ///< fixed delay of every replica
    double jitterMs = 30; ///< extra random delay 0..jitterMs per answer
    int killAt = 20; ///< the replica is killed just before this call; -1 never
    int killReplica = 0; ///< which replica (0..2)
    std::uint64_t seed = 1; ///< seeds the jitter

    /// @brief Converts validated parameter values.
    static std::optional<ReplicaConfig> fromParams(const ParamValues &values, QString *error);
};

/**
 * @brief C4 for real: a client stub sends every request to three local replicas
 * and returns the first answer; one replica is killed (connections reset, port
 * closed) midway. The caller sees no failure; only the stub's counters change.
 */
class ReplicaEngine : public ConfiguredEngine<ReplicaConfig> {
public:
    /// Engine id (the CLI and lesson files name it).
    static constexpr QLatin1String kId {"replicas"};
    static constexpr QLatin1String kStubView {"replicas.stub"}; ///< view id
    /// Replicas behind the stub.
    static constexpr int kReplicas = 3;

    ReplicaEngine();
    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;
    bool supportsStep() const override { return false; }

    /**
     * @brief What the caller waited per call, split by who answered: "replica_<r>" for each
     * replica r (the calls it answered first), then "failed" when some call failed for the caller.
     */
    static std::vector<Series> callSeries(const ReplicaSnapshot &snapshot);

protected:
    void run() override;

private:
    Result buildResult(const ReplicaSnapshot &snapshot) const;
};

} // namespace proclab
