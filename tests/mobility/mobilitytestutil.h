#pragma once

// Helpers shared by the mobility tests (header-only, test code only).

#include "mobility/assembler.h"
#include "mobility/interpreter.h"

#include <QString>
#include <QTest>

#include <optional>

namespace proclab::mobility::testutil {

/// Where the shipped programs are (set by CMake).
inline QString programPath(const QString &name)
{
    return QStringLiteral(PROCLAB_MOBILITY_PROGRAMS "/%1.pasm").arg(name);
}

/// A shipped program at its start, with integer globals overridden; fails the test when it does not assemble.
inline Computation shipped(
    const QString &name, const QList<QPair<QString, Value>> &globals = {}, const MachineLimits &limits = {})
{
    QString error;
    auto c = Assembler::assembleFile(programPath(name), limits, &error);
    if (!c) {
        qWarning("%s", qPrintable(error));
        return Computation {};
    }
    for (const auto &g : globals) {
        if (!c->data.setGlobal(g.first, g.second))
            qWarning("no global %s in %s", qPrintable(g.first), qPrintable(name));
    }
    return *c;
}

/// Assembles @p source or returns nullopt (with the error printed).
inline std::optional<Computation> assemble(const QString &source, const MachineLimits &limits = {})
{
    AssemblyError e;
    auto c = Assembler::assemble(source, limits, &e);
    if (!c)
        qWarning("%s", qPrintable(e.toString()));
    return c;
}

/// @p body as the whole of main.
inline QString mainOnly(const QString &body, const QString &declarations = QString())
{
    return declarations + QStringLiteral("\n.func main\n") + body + QStringLiteral("\n.end\n");
}

inline Computation finished(Computation c, const MachineLimits &limits = {})
{
    Interpreter(c, limits).runToEnd();
    return c;
}

} // namespace proclab::mobility::testutil
