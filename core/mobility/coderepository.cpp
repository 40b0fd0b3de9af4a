#include "coderepository.h"

#include "assembler.h"

#include <QDir>
#include <QFileInfo>

namespace proclab::mobility {

void CodeRepository::add(const QString &name, Computation program)
{
    m_programs[name] = std::move(program);
}

int CodeRepository::loadDirectory(const QString &directory, const MachineLimits &limits, QStringList *errors)
{
    const QDir dir(directory);
    if (!dir.exists()) {
        if (errors)
            *errors << QStringLiteral("%1: no such folder").arg(directory);
        return 0;
    }
    int added = 0;
    for (const QFileInfo &info : dir.entryInfoList({QStringLiteral("*.pasm")}, QDir::Files, QDir::Name)) {
        QString error;
        auto program = Assembler::assembleFile(info.filePath(), limits, &error);
        if (!program) {
            if (errors)
                *errors << error;
            continue;
        }
        add(info.completeBaseName(), std::move(*program));
        ++added;
    }
    return added;
}

std::optional<Computation> CodeRepository::find(const QString &name) const
{
    const auto it = m_programs.find(name);
    if (it == m_programs.end())
        return std::nullopt;
    return it->second;
}

QStringList CodeRepository::names() const
{
    QStringList out;
    for (const auto &entry : m_programs)
        out << entry.first;
    return out;
}

} // namespace proclab::mobility
