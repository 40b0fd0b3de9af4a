#pragma once

#include "resourcebindingtable.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <chrono>

namespace proclab::mobility {

/// @brief What happened to a resource when a computation bound to it moved.
struct ResourceOutcome {
    BindingAction action = BindingAction::GlobalReference;
    QString error; ///< empty when the demonstration worked
    QStringList steps; ///< what was done, in order, one line each
    QString before; ///< what the binding named before the move
    QString after; ///< and after it
    bool sourceRemains = false; ///< the original resource is still at the source
    bool destinationHolds = false; ///< the destination holds the resource or a copy of it
    qint64 bytes = 0; ///< bytes moved, copied or read through the reference
    QByteArray readBefore; ///< what the computation read through its binding before the move
    QByteArray readAfter; ///< and after it
    bool sameContent = false; ///< readBefore == readAfter

    bool ok() const { return error.isEmpty(); }
};

/**
 * @brief Real demonstrations of the binding table's actions on this machine:
 * a file moved (MV) or copied (CP) into the node's folder, a socket re-bound
 * to a service of the same type at the node (RB), and a fixed resource read
 * through a system-wide reference (GR). Plain functions on the caller's
 * thread; every socket has @p timeout on each operation.
 */
class ResourceDemo {
public:
    /// @brief MV (by identifier, unattached): the file moves to @p nodeDirectory and the binding follows it.
    static ResourceOutcome moveFile(const QString &sourceFile, const QString &nodeDirectory);
    /// @brief CP (by value, unattached): the node gets a copy; the original stays where it is.
    static ResourceOutcome copyFile(const QString &sourceFile, const QString &nodeDirectory);
    /**
     * @brief RB (by type): the computation talks to a service at the source; after
     * the move its connection cannot follow, so it connects to a service of the same
     * type at the node. Both services are real TCP listeners on 127.0.0.1.
     */
    static ResourceOutcome rebindSocket(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    /**
     * @brief GR (fixed, or fastened): the file stays at the source; a service there
     * serves it, and the moved computation reads it through the reference
     * "tcp://127.0.0.1:PORT/NAME".
     */
    static ResourceOutcome globalReference(
        const QString &sourceFile, std::chrono::milliseconds timeout = std::chrono::seconds(5));
};

} // namespace proclab::mobility
