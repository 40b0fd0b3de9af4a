#pragma once

#include "resourcebindingtable.h"
#include "resourcedemo.h"

#include "engine/engine.h"

#include <optional>

namespace proclab {

/// The typed parameters of a binding run.
struct BindingConfig {
    mobility::BindingKind binding = mobility::BindingKind::ByIdentifier;
    mobility::ResourceKind resource = mobility::ResourceKind::Fixed;

    static std::optional<BindingConfig> fromParams(const ParamValues &values, QString *error);
};

/// What the binding view draws: the chosen cell and, once done, the real demonstration.
struct BindingSnapshot : Snapshot {
    mobility::BindingKind binding = mobility::BindingKind::ByIdentifier;
    mobility::ResourceKind resource = mobility::ResourceKind::Fixed;
    mobility::BindingPrescription prescription;
    int frame = 0; ///< 0: the table answers; 1: the action done on a real resource
    std::optional<mobility::ResourceOutcome> outcome;
};

/**
 * @brief `mobility-binding` (M4): the resource-binding table answers GR, MV, CP
 * or RB for a binding (identifier, value, type) to a resource (unattached,
 * fastened, fixed), then the action is carried out on a real resource of this
 * machine: a file moved or copied into the node's folder, a socket re-bound to
 * a service of the same type, or a file read through a global reference.
 */
class BindingEngine : public ConfiguredEngine<BindingConfig> {
public:
    static constexpr QLatin1String kId {"mobility-binding"};
    static constexpr QLatin1String kTableView {"mobility.binding"}; ///< the table and the demonstration

    BindingEngine();
    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;

    /// @brief The 0-based index of @p action in GR, MV, CP, RB (the order lesson choices use).
    static int actionIndex(mobility::BindingAction action);
    /// @brief Fills a result from the table's answer and the demonstration's outcome.
    static void buildResult(const BindingSnapshot &snapshot, Result *result);

protected:
    void run() override;
};

} // namespace proclab
