#pragma once

#include "computation.h"
#include "machinelimits.h"

#include <QList>
#include <QPair>
#include <QString>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace proclab::mobility {

/// The four ways a computation moves (M3).
enum class MoveMode {
    WeakPush, ///< code and data shipped to the node, which runs them from the beginning
    WeakPull, ///< code and data fetched from the node's repository and run here (code on demand)
    Strong, ///< stopped here mid-run; code, data and execution state go on at the node
    Clone, ///< a copy in the same state goes on at the node while the original goes on here
};

/// Where a move is, for progress reports.
enum class MovePhase {
    Unmigrated, ///< the reference run here, without moving
    RunningHere, ///< the computation to be moved runs here up to the stop
    Moving, ///< stopped (or not yet started) and on its way
    AtNode, ///< the node has it (or, for pull, the code is here and runs)
    Done,
};

/// @brief "weak-push", "weak-pull", "strong", "clone" (the command line's names).
QString moveModeName(MoveMode mode);
/// @brief The mode spelled @p name, if any.
std::optional<MoveMode> moveModeFromName(const QString &name);

/// What one move does and where to.
struct MoveConfig {
    MoveMode mode = MoveMode::Strong;
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    QString programName; ///< weak-pull: the name the node's repository knows it by
    double moveAtFraction = 0.5; ///< strong, clone: move after this share of the unmigrated run's steps
    std::uint64_t sliceSteps = 1u << 20;
    MachineLimits limits;
    std::chrono::milliseconds connectTimeout {5000};
    std::chrono::milliseconds messageTimeout {10000};
    std::chrono::milliseconds resultTimeout {600000};
    std::function<bool()> cancelled;
    /// weak-pull: the client's own inputs, set in the fetched data segment before it runs here.
    QList<QPair<QString, Value>> inputs;
    /**
     * @brief Told what happens, on the caller's thread: a status line and, where it
     * changed, the computation (unmigrated at its end, the one moving at the stop).
     */
    std::function<void(MovePhase phase, const QString &status, const Computation *computation)> progress;
};

/// What a move did, measured on this machine.
struct MoveReport {
    QString error; ///< empty when the move and both runs completed
    MoveMode mode = MoveMode::Strong;

    Value result; ///< the moved computation's result (where it ended: the node, or here for pull)
    Value resultUnmigrated; ///< the same program run here without moving
    bool equal = false; ///< result == resultUnmigrated, and the final data segments are equal too
    Value resultOriginal; ///< clone: the original's result (it went on here)
    bool originalEqual = false; ///< clone: resultOriginal == resultUnmigrated
    QString faultMessage; ///< a fault of the moved run, if any

    bool resumedAtNode
        = false; ///< the node went on from the shipped state (strong, clone) rather than starting over
    bool codeIdentical = false; ///< weak-pull: the fetched code equals the local copy byte for byte
    std::uint64_t stepsUnmigrated = 0;
    std::uint64_t stepsBeforeMove = 0; ///< executed here before the move (0 for weak mobility)
    std::uint64_t stepsAtNode = 0; ///< executed at the node
    std::uint64_t stepsTotal = 0; ///< the moved computation's step count at its end

    std::uint32_t bytesCode = 0; ///< serialised code segment
    std::uint32_t bytesData = 0; ///< serialised data segment
    std::uint32_t bytesExecutionState = 0; ///< serialised execution state (0 for weak mobility)
    std::uint32_t bytesImage = 0; ///< the whole image with its header

    std::int64_t moveNs = 0; ///< stop (or request) until the node has it running (or the code is here)
    std::int64_t serializeNs = 0; ///< part of moveNs: encoding the image
    std::int64_t nodeDecodeNs = 0; ///< part of moveNs: the node's decoding and checking
    std::int64_t unmigratedNs = 0; ///< the unmigrated run's interpreter time
    std::int64_t nodeRunNs = 0; ///< the node's interpreter time for this computation

    std::optional<Computation> atMove; ///< the computation as it left (strong, clone) or arrived (pull)
};

/**
 * @brief One real move of a computation to (or from) a mobility node, next to
 * an unmigrated run of the same program for comparison.
 *
 * Runs on the caller's thread; the node is another process or a MobilityNode
 * the caller started. No threads of its own.
 */
class MoveExperiment {
public:
    /// @brief Runs @p program (at its start) unmigrated, then moved as @p config says.
    static MoveReport run(const MoveConfig &config, const Computation &program);
};

} // namespace proclab::mobility
