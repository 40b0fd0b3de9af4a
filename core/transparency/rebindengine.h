#pragma once

#include "engine/engine.h"

#include <QStringList>

#include <optional>
#include <vector>

namespace proclab {

/**
 * @brief One arrow of the lookup and rebind sequence: who told whom what, and when.
 */
struct SequenceEvent {
    double atMs = 0; ///< measured, since the start of the run
    int from = 0; ///< a lane (RebindSnapshot::Lane, or kFirstServer + server number)
    int to = 0;
    QString label;
    bool failed = false;
};

/**
 * @brief One process that served the counter object.
 */
struct CounterServerInfo {
    int pid = 0;
    int port = 0;
    double startedMs = 0;
    double retiredMs = -1; ///< -1 while it serves
};

/**
 * @brief What the sequence view draws.
 */
struct RebindSnapshot : Snapshot {
    enum Lane { ClientCode = 0, Stub = 1, NameServerLane = 2, Mover = 3, FirstServer = 4 };
    std::vector<SequenceEvent> events;
    std::vector<CounterServerInfo> servers;
    std::vector<int> values; ///< what each call returned (-1 failed)
    std::vector<double> callMs; ///< measured, per call
    std::vector<bool> rebound; ///< the call needed a lookup after a failure
    int calls = 0;
    QString clientCode;
    std::uint16_t nameServerPort = 0;
};

/**
 * @brief The rebind engine's parameters.
 */
struct RebindConfig {
    int calls = 12;
    int moveEvery = 4; ///< the server moves before every moveEvery-th call
    int moves = 2; ///< at most this many moves

    /// @brief Converts validated parameter values.
    static std::optional<RebindConfig> fromParams(const ParamValues &values, QString *error);
};

/**
 * @brief C4, location and migration transparency, for real: a counter object is served by
 * a process on 127.0.0.1 registered at a name server. Between calls the object moves to a
 * new process on a new port, taking its state along; the client's stub finds its old
 * address dead, asks the name server, rebinds and retries. The client code never changes.
 */
class RebindEngine : public ConfiguredEngine<RebindConfig> {
public:
    static constexpr QLatin1String kId {"rebind"};
    static constexpr QLatin1String kSequenceView {"rebind.sequence"};

    RebindEngine();
    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;

    /// @brief The client program every call runs, shown in the view.
    static QString clientCode();

protected:
    void run() override;
};

} // namespace proclab
