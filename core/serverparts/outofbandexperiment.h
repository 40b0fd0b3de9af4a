#pragma once

#include "outofbandserver.h"
#include "stopwait.h"
#include "timeline.h"

#include "common/stats.h"

#include <QString>

#include <cstdint>
#include <vector>

namespace proclab {

/// @brief One out-of-band run: how long the requests are and how they are interrupted.
struct OutOfBandExperimentConfig {
    int repetitions = 10; ///< trials per method
    int unitUs = 1000; ///< one work unit (the worker checks for interruptions between units)
    std::int64_t units = 20000; ///< upper bound of a request; each trial cancels it long before
    int interruptAfterUnits = 5; ///< units done before the hold is sent
    int holdMs = 20; ///< time on hold before the resume is sent
    int unitsAfterResume = 5; ///< units done after the resume before the cancel is sent
    bool tcpUrgentData = true; ///< run trials with TCP urgent data
    bool urgentPort = true; ///< run trials with the urgent port
    int timeoutMs = 10000; ///< per step
    OutOfBandServerConfig server; ///< the server's limits
};

/// @brief One urgent command of a trial, with the times it went through.
struct OutOfBandStep {
    UrgentCommand command = UrgentCommand::Hold;
    std::int64_t sentNs = 0; ///< client, just before sending
    std::int64_t noticedNs = 0; ///< server's urgent thread read it
    std::int64_t effectNs = 0; ///< server's worker acted on it
    std::int64_t ackNs = 0; ///< client read the worker's status line
    std::int64_t unit = 0; ///< units done when it took effect
};

/// @brief One request started and interrupted three times: hold, resume, cancel.
struct OutOfBandTrial {
    UrgentMethod method = UrgentMethod::TcpUrgentData;
    int repetition = 0;
    std::uint64_t requestId = 0;
    std::int64_t startNs = 0; ///< Timeline::nowNs() just before the client sent the request
    std::vector<OutOfBandStep> steps; ///< hold, resume, cancel in that order when ok
    bool ok = false;
    QString error;
};

/// @brief Latency of one command by one method over every trial, in microseconds.
struct OutOfBandLatency {
    UrgentMethod method = UrgentMethod::TcpUrgentData;
    UrgentCommand command = UrgentCommand::Hold;
    Spread sendToNoticeUs; ///< client send -> urgent thread read it
    Spread sendToEffectUs; ///< client send -> worker acted (waits for the unit boundary)
    Spread sendToAckUs; ///< client send -> client read the status line
};

/// @brief Everything an out-of-band run measured (all figures measured on this machine).
struct OutOfBandExperimentResult {
    bool ok = false;
    QString error;
    std::vector<OutOfBandTrial> trials;
    std::vector<OutOfBandLatency> latency;
    std::vector<TimelineEvent> events; ///< server and client events of every trial
    QString priorityNote; ///< what priority the urgent thread got
    OutOfBandServerStats serverStats;
    std::int64_t droppedEvents = 0;
};

/**
 * @brief Starts an OutOfBandServer and interrupts long requests with each
 * method in turn (alternating, so both see the same machine state): hold after
 * interruptAfterUnits, resume after holdMs, cancel after unitsAfterResume more.
 * run() blocks; stop() from another thread ends it promptly.
 */
class OutOfBandExperiment {
public:
    explicit OutOfBandExperiment(OutOfBandExperimentConfig config);
    /// @brief Runs every trial and returns what was measured.
    OutOfBandExperimentResult run();
    /// @brief Makes a running run() return soon (with what it has so far).
    void stop() { m_stop.set(); }

private:
    OutOfBandTrial runTrial(OutOfBandServer &server, UrgentMethod method, int repetition);

    OutOfBandExperimentConfig m_config;
    StopEvent m_stop;
    Timeline m_timeline {200000};
};

} // namespace proclab
