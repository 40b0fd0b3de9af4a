#pragma once

#include "computation.h"
#include "moveexperiment.h"

#include "engine/engine.h"

#include <QStringList>

#include <chrono>
#include <optional>
#include <string>

namespace proclab {

/// The typed parameters of a mobility run, checked once in configure().
struct MobilityConfig {
    mobility::MoveMode mode = mobility::MoveMode::Strong;
    QString program = QStringLiteral("primes"); ///< a shipped program (":/mobility/programs/<name>.pasm")
    qint64 size = 0; ///< the program's size input (0: as shipped), see sizeGlobal()
    double moveAt = 0.5; ///< strong, clone: move after this share of the unmigrated run's steps
    QString destination; ///< empty: a node process ProcLab starts; "HOST:PORT": a running node
    std::string host; ///< parsed from destination
    std::uint16_t port = 0;
    std::chrono::milliseconds timeout {10000};

    static std::optional<MobilityConfig> fromParams(const ParamValues &values, QString *error);
    /// @brief The global a program's size sets ("hi" for primes), and its largest allowed value.
    static bool sizeGlobal(const QString &program, QString *global, qint64 *maximum);
};

/// What the views draw: where the move is, the computation at the move, the outcome.
struct MobilitySnapshot : Snapshot {
    mobility::MovePhase phase = mobility::MovePhase::Unmigrated;
    QString mode;
    QString program;
    QString node; ///< "127.0.0.1:PORT (pid N)": the node process started here
    std::optional<mobility::Computation> atMove; ///< the computation as it left (or arrived, for pull)
    std::optional<mobility::MoveReport> report; ///< once the run is over
    QStringList nodeLog; ///< what the node process printed (own node only)
};

/**
 * @brief Code mobility (M3) for real: a computation of the abstract machine is
 * moved to another process over TCP (weak push, weak pull, strong migration,
 * cloning) and its result compared with an unmigrated run's, with the bytes of
 * each segment and the time the move took.
 *
 * The other process is, unless a destination is given, this program started
 * again as a mobility node (a helper mode, posix_spawn); with
 * destination=HOST:PORT it is a node already running there. run() only
 * orchestrates MoveExperiment and publishes its progress.
 */
class MobilityEngine : public ConfiguredEngine<MobilityConfig> {
public:
    static constexpr QLatin1String kId {"mobility"};
    static constexpr QLatin1String kInspectorView {
        "mobility.inspector"}; ///< segments and state before and after a move

    MobilityEngine();
    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;
    bool supportsStep() const override { return false; }

    /// @brief Fills a result's summary and table from a move's report (also used by tests).
    static void buildResult(const mobility::MoveReport &report, Result *result);

protected:
    void run() override;

private:
    void publishState(mobility::MovePhase phase, const QString &status,
        const mobility::Computation *computation, double progress);

    std::shared_ptr<MobilitySnapshot> m_last; // engine thread only
};

} // namespace proclab
