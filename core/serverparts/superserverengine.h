#pragma once

#include "endpointexperiment.h"
#include "serversequence.h"

#include "engine/engine.h"

#include <QStringList>

#include <functional>
#include <mutex>
#include <optional>

namespace proclab {

/**
 * @brief What the superserver view draws: both sequences of a run (the events on one clock),
 * the handler processes and the end-point table.
 */
struct SuperServerSnapshot : Snapshot {
    EndpointExperimentResult run;
    ServerSequence daemonWay; ///< the first service's first connection through the end-point daemon
    ServerSequence superServerWay; ///< the first service's first connection through the superserver
};

/**
 * @brief The superserver engine's parameters, converted once.
 */
struct SuperServerEngineConfig {
    QStringList services = {QStringLiteral("echo"), QStringLiteral("daytime"), QStringLiteral("upper")};
    int repetitions = 5;
    int maxHandlers = 8;
    int handlerTimeoutMs = 5000;

    /// @brief Converts validated values; refuses an unknown or repeated service name.
    static std::optional<SuperServerEngineConfig> fromParams(const ParamValues &values, QString *error);
};

/**
 * @brief S2 for real: the two ways of finding a service on an OS-chosen port.
 *
 * An end-point daemon (portmapper style) with in-process services that registered
 * their ports, and an inetd-like superserver that listens on every service port
 * and starts a handler process per connection (posix_spawn of this program in a
 * helper mode, the connection as the handler's standard input and output).
 * Each service is reached both ways repetitions times; the result holds the
 * events of both sequences, every handler from spawn to reap, and the measured
 * time to the first line either way.
 */
class SuperServerEngine : public ConfiguredEngine<SuperServerEngineConfig> {
public:
    static constexpr QLatin1String kId {"superserver"};
    static constexpr QLatin1String kSequenceView {"superserver.sequence"}; ///< view id: superserver way first
    static constexpr QLatin1String kDaemonView {
        "superserver.daemon"}; ///< view id: end-point daemon way first

    SuperServerEngine();
    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;
    bool supportsStep() const override { return false; }

    /// @brief The result of one experiment run (public so it can be tested without a run).
    Result buildResult(const EndpointExperimentResult &run) const;

protected:
    void run() override;
    void onStopRequested() override;

private:
    std::mutex m_stopMutex;
    std::function<void()> m_stopCurrent; // stops the experiment running now, if any
};

} // namespace proclab
