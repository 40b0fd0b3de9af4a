#pragma once

#include "computation.h"
#include "machinelimits.h"

#include <QString>
#include <QStringList>

#include <map>
#include <optional>

namespace proclab::mobility {

/**
 * @brief Named programs a node hands out on request (code on demand, weak pull).
 *
 * A plain value: the node keeps its own copy and only reads it.
 */
class CodeRepository {
public:
    /// @brief Adds or replaces @p name (a program at its start).
    void add(const QString &name, Computation program);
    /**
     * @brief Assembles every "*.pasm" file of @p directory (a path or ":/..." resource
     * folder) under its base name. Files that fail are skipped and described in @p errors.
     * @return the number of programs added
     */
    int loadDirectory(const QString &directory, const MachineLimits &limits, QStringList *errors = nullptr);

    /// @brief The program called @p name, at its start.
    std::optional<Computation> find(const QString &name) const;
    QStringList names() const;
    bool isEmpty() const { return m_programs.empty(); }

private:
    std::map<QString, Computation> m_programs;
};

} // namespace proclab::mobility
