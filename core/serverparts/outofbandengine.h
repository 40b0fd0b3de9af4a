#pragma once

#include "outofbandexperiment.h"

#include "engine/engine.h"

#include <functional>
#include <mutex>
#include <optional>

namespace proclab {

/**
 * @brief What the out-of-band timeline view draws: every trial's steps and the
 * events of client, urgent thread and worker on one clock.
 */
struct OutOfBandSnapshot : Snapshot {
    OutOfBandExperimentResult run;
    int unitUs = 0;
};

/**
 * @brief The out-of-band engine's parameters, converted once.
 */
struct OutOfBandEngineConfig {
    bool tcpUrgentData = true;
    bool urgentPort = true;
    int repetitions = 10;
    int unitUs = 1000;
    int interruptAfterUnits = 5;
    int holdMs = 20;
    int unitsAfterResume = 5;

    static std::optional<OutOfBandEngineConfig> fromParams(const ParamValues &values, QString *error);
};

/**
 * @brief S3 for real: a long request, a loop of CPU work units, is put on hold,
 * resumed and cancelled by urgent messages sent as TCP urgent data (MSG_OOB on
 * the same connection, noticed with POLLPRI and sockatmark()) or through a
 * separate urgent port served by a higher-priority thread. The times from
 * sending to being noticed and to taking effect are measured per trial.
 */
class OutOfBandEngine : public ConfiguredEngine<OutOfBandEngineConfig> {
public:
    static constexpr QLatin1String kId {"outofband"};
    static constexpr QLatin1String kTimelineView {"outofband.timeline"}; ///< view id

    OutOfBandEngine();
    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;
    bool supportsStep() const override { return false; }

    /// @brief The summary key prefix of a method: "urgent_data" or "urgent_port".
    static QString methodKey(UrgentMethod method);
    /// @brief The result of one experiment run.
    Result buildResult(const OutOfBandExperimentResult &run, int unitUs) const;

protected:
    void run() override;
    void onStopRequested() override;

private:
    std::mutex m_stopMutex;
    std::function<void()> m_stopCurrent;
};

} // namespace proclab
