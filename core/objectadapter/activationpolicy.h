#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace proclab {

/**
 * @brief When an object adapter creates (activates) the object that serves an invocation.
 *
 * PerRequest: a fresh object for every invocation, dropped after it (no state kept).
 * PerClient: one object per object identity and client, dropped when the client disconnects.
 * PerServer: one object per identity, created at its first invocation, kept until shutdown.
 */
enum class ActivationPolicy { PerRequest, PerClient, PerServer };

/**
 * @brief Which thread runs an invocation.
 *
 * ThreadPerObject: every activated object has a thread of its own that runs its invocations
 * one after the other. ThreadPerRequest: every invocation gets a new thread.
 */
enum class ThreadingPolicy { ThreadPerObject, ThreadPerRequest };

QString activationPolicyId(ActivationPolicy p); ///< "per_request", "per_client", "per_server"
QString threadingPolicyId(ThreadingPolicy p); ///< "per_object", "per_request"
std::optional<ActivationPolicy> activationPolicyFromId(const QString &id);
std::optional<ThreadingPolicy> threadingPolicyFromId(const QString &id);
QStringList activationPolicyIds();
QStringList threadingPolicyIds();

} // namespace proclab
