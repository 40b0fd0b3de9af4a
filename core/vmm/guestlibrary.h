#pragma once

#include "vmmmodel.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace proclab {

/**
 * @brief The guests shipped as assembly under lessons/virtualization/programs, or a teacher's own.
 *
 * A guest is `<name>.s` in a folder; it may include other files of the same folder
 * (the shipped guests include kernel.s). The folder may be a resource path (":/...").
 */
class GuestLibrary {
public:
    static constexpr qint64 kMaxFileBytes = 1024 * 1024;

    /// @brief Names of the shipped guests: hello, two-tasks, syscalls, pagetable, compute.
    static QStringList shippedNames();
    /// @brief One sentence on what @p name does (empty for an unknown name).
    static QString describe(const QString &name);
    /// @brief Where the shipped guests are compiled in.
    static QString resourceDirectory() { return QStringLiteral(":/lessons/virtualization/programs"); }

    /// @brief Reads @p fileName from @p directory (size-checked; plain names only, no paths).
    static std::optional<QString> readFile(const QString &directory, const QString &fileName, QString *error);
    /// @brief A reader for `.include` that looks in @p directory.
    static std::function<std::optional<QString>(const QString &)> includeReader(const QString &directory);

    /**
     * @brief Fills @p config's guest, source and include reader with guest @p name from @p directory.
     * @return false with a one-line @p error
     */
    static bool load(VmmConfig *config, const QString &name, const QString &directory, QString *error);
};

} // namespace proclab
