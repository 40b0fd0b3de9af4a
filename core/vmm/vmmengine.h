#pragma once

#include "sensitivitytable.h"
#include "vmmmodel.h"

#include "engine/engine.h"

#include <functional>
#include <optional>
#include <vector>

namespace proclab {

/**
 * @brief The typed configuration of the vmm engine, checked once in configure().
 *
 * fromParams() also reads and assembles the guest, so that a missing guest, an
 * assembler error or a process-vm guest with several programs is refused before a run.
 */
struct VmmEngineConfig {
    VmmConfig model;
    QString tableEdits; ///< mode=check: edits of the Popek-Goldberg table ("popf:pcb,smsw:pb")
    bool compare = true; ///< after the run, run the guest every other way too (overhead chart)

    static std::optional<VmmEngineConfig> fromParams(const ParamValues &values, QString *error);
};

/**
 * @brief One frame of a vmm run: what the layers, CPU, translation and checker views draw.
 */
struct VmmSnapshot : Snapshot {
    VmmMode mode = VmmMode::Native;
    IsaVariant isa = IsaVariant::Clean;
    VmmHost host = VmmHost::Native;
    QString guest;
    VmmCpuView cpu;
    std::vector<VmmProcessEntry> processes;
    VmmCounters counters;
    QString output; ///< guest console so far
    std::vector<TraceEvent> trace; ///< events since the previous frame (animated runs only)
    QString nextInstruction; ///< disassembly of the instruction at pc
    QStringList translation; ///< bt: the block being executed, guest beside translation
    VmmRunState runState = VmmRunState::Ready;
    QString fault;
    bool finished = false;
    // mode=check
    std::vector<SensitivityEntry> table;
    VirtualizabilityVerdict verdict;
};

/**
 * @brief V1-V6 as a model: a guest OS on the toy machine, run natively, in a process VM,
 * under trap-and-emulate, binary translation, paravirtualization or hardware assistance,
 * or the Popek-Goldberg checker (mode=check).
 *
 * At speed > 0 every guest instruction is one checkpoint and one frame (with the trace of
 * what happened to it), so stepOnce() steps one instruction. At speed 0 (the command line)
 * the model runs untraced in large slices and publishes a few frames a second.
 */
class VmmEngine : public ConfiguredEngine<VmmEngineConfig> {
public:
    static constexpr QLatin1String kId {"vmm"};
    static constexpr QLatin1String kLayersView {"vmm.layers"}; ///< the animated layers (default)
    static constexpr QLatin1String kCpuView {"vmm.cpu"}; ///< CPU panel and process table
    static constexpr QLatin1String kTranslationView {
        "vmm.translation"}; ///< guest block beside its translation
    static constexpr QLatin1String kOverheadView {"vmm.overhead"}; ///< modelled cycles across modes
    static constexpr QLatin1String kCheckerView {"vmm.checker"}; ///< the Popek-Goldberg table

    VmmEngine();
    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;

    /// @brief The result of a (finished or stopped) model run: counters, guest output, state.
    static void fillResult(const VmmModel &model, Result *result);
    /// @brief The result of the checker: verdict, offending instructions and the table.
    static void fillCheckerResult(const SensitivityTable &table, Result *result);

    /// @brief One untraced run of the same guest in another mode, for comparisons.
    struct ModeRun {
        VmmMode mode = VmmMode::Native;
        VmmCounters counters;
        QString output;
        VmmRunState state = VmmRunState::Ready;
    };
    /// The modes the overhead comparison runs, in chart order.
    static const std::vector<VmmMode> &comparedModes();
    /// @brief Runs @p base in @p mode to its end (untraced); std::nullopt when @p stop said so.
    static std::optional<ModeRun> runMode(
        const VmmConfig &base, VmmMode mode, const std::function<bool()> &stop);
    /// @brief Adds the comparison across modes (series, cycles_*, world_switches_*, slowdowns and
    /// the winners' indices) to @p result.
    static void fillComparison(const std::vector<ModeRun> &runs, Result *result);

protected:
    void run() override;

private:
    void runChecker();
};

QString vmmRunStateName(VmmRunState s); ///< "ready", "halted", "exited", "fault"

} // namespace proclab
