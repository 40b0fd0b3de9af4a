#pragma once

#include "idlinterface.h"

#include <QStringList>

namespace proclab {

/**
 * @brief The code a stub compiler writes for one method, with the lines of each stage.
 *
 * Line numbers index stubLines and skeletonLines (0-based); -1 where a stage has no line.
 */
struct GeneratedMethodCode {
    QStringList stubLines; ///< the client stub's method
    QStringList skeletonLines; ///< the server skeleton's case for it
    int stubSignature = 0;
    int stubMarshalFirst = 0;
    int stubMarshalLast = 0;
    int stubExchange = 0;
    int stubUnmarshal = 0;
    int skeletonUnmarshalFirst = 0;
    int skeletonUnmarshalLast = 0;
    int skeletonCall = 0;
    int skeletonReply = 0;
};

/**
 * @brief Generates the client stub and the server skeleton of an IDL interface, as C++ source.
 *
 * ProcLab's own stub (ClientStub) and skeleton (RpcServer) run exactly these steps,
 * driven by the same interface definition instead of compiled per interface: the views
 * show this code beside the bytes the real call produced.
 */
class StubGenerator {
public:
    static GeneratedMethodCode generate(const IdlInterface &idl, const IdlMethod &method);
    /// @brief The whole generated client stub class of @p idl.
    static QString stubSource(const IdlInterface &idl);
};

} // namespace proclab
