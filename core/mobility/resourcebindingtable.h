#pragma once

#include <QString>

#include <vector>

namespace proclab::mobility {

/// How a computation is bound to a resource (M4).
enum class BindingKind {
    ByIdentifier, ///< it needs that very resource (a specific database)
    ByValue, ///< it needs the resource's value (the cache's entries)
    ByType, ///< any resource of the kind will do (a colour monitor)
};

/// How a resource is attached to its machine (M4).
enum class ResourceKind {
    Unattached, ///< moves easily with the computation (a cache, a data file)
    Fastened, ///< could move, at a high cost (a large database)
    Fixed, ///< cannot move (local hardware)
};

/// What to do with a binding when the computation moves.
enum class BindingAction {
    GlobalReference, ///< GR: keep the resource where it is and reach it by a system-wide reference
    Move, ///< MV: move the resource along
    Copy, ///< CP: copy its value along
    Rebind, ///< RB: bind to a resource of the same type at the destination
};

/// @brief The table's answer for one cell: what to do, and what else would do.
struct BindingPrescription {
    BindingAction action = BindingAction::GlobalReference;
    std::vector<BindingAction> alternatives; ///< in the table's order

    bool operator==(const BindingPrescription &) const = default;
};

/**
 * @brief The resource-binding table of code migration: binding (identifier,
 * value, type) by resource (unattached, fastened, fixed) gives GR, MV, CP or RB
 * with the alternatives, as the course slides print it:
 *
 *                  unattached       fastened         fixed
 *     identifier   MV (or GR)       GR (or MV)       GR
 *     value        CP (or MV, GR)   GR (or CP)       GR
 *     type         RB (or MV, GR)   RB (or GR, CP)   RB (or GR)
 */
class ResourceBindingTable {
public:
    /// @brief The cell for @p binding and @p resource.
    static BindingPrescription prescribe(BindingKind binding, ResourceKind resource);
    /// @brief "GR", "MV", "CP", "RB".
    static QString code(BindingAction action);
    /// @brief "establish a global system-wide reference", ...
    static QString description(BindingAction action);
    /// @brief "MV (or GR)": one cell as the slides write it.
    static QString cellText(BindingKind binding, ResourceKind resource);
    static QString bindingName(BindingKind binding); ///< "by identifier", ...
    static QString resourceName(ResourceKind resource); ///< "unattached", ...
    static const std::vector<BindingKind> &bindings();
    static const std::vector<ResourceKind> &resources();
};

} // namespace proclab::mobility
