#pragma once

#include <QString>

#include <optional>

namespace proclab {

/**
 * @brief How the cluster's first tier passes a request to a back end.
 *
 * Relay: the first tier opens a connection to the back end, forwards the request and copies
 * every byte of the response back to the client (a switch that handles all communication).
 * Handoff: the first tier passes the client's connection itself to the back end, which then
 * answers the client directly (TCP handoff).
 */
enum class DispatchMode { Relay, Handoff };

/// @brief "relay" or "handoff".
QString dispatchModeId(DispatchMode mode);
/// @brief The mode named @p id, or nothing.
std::optional<DispatchMode> dispatchModeFromId(const QString &id);

} // namespace proclab
