#pragma once

#include "fileserviceexperiment.h"

#include "engine/engine.h"

#include <functional>
#include <mutex>
#include <optional>

namespace proclab {

/**
 * @brief What the stateless-vs-stateful view draws: each run's counters, read
 * latencies, rebuilds and events.
 */
struct StatefulnessSnapshot : Snapshot {
    FileServiceExperimentResult run;
};

/**
 * @brief The statefulness engine's parameters, converted once.
 */
struct StatefulnessConfig {
    FileServiceExperimentConfig experiment;

    static std::optional<StatefulnessConfig> fromParams(const ParamValues &values, QString *error);
};

/**
 * @brief S4 for real: the same small file service, stateful (open-file table,
 * read-ahead, client leases with callbacks) and stateless (self-contained
 * requests, clients validate), driven by the same access pattern on fresh files,
 * with a second client's write and a server restart in the middle. Then the
 * stateless client without a cache over one TCP connection and over a
 * connection per request, through the same restart: the slides' question
 * whether connection-oriented communication fits a stateless design.
 */
class StatefulnessEngine : public ConfiguredEngine<StatefulnessConfig> {
public:
    static constexpr QLatin1String kId {"statefulness"};
    static constexpr QLatin1String kCompareView {
        "statefulness.compare"}; ///< view id: hit rates, messages, latency
    static constexpr QLatin1String kRestartView {
        "statefulness.restart"}; ///< view id: the restart, lost and rebuilt
    static constexpr QLatin1String kConnectionsView {
        "statefulness.connections"}; ///< view id: one connection vs one per request

    StatefulnessEngine();
    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;
    bool supportsStep() const override { return false; }

    /// @brief The summary key prefix of a run: "stateful", "stateless", "one_connection", "per_request".
    static QString runKey(int index);
    Result buildResult(const FileServiceExperimentResult &run) const;

protected:
    void run() override;
    void onStopRequested() override;

private:
    std::mutex m_stopMutex;
    std::function<void()> m_stopCurrent;
};

} // namespace proclab
