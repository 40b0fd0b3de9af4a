// Fuzz target: a lesson folder's lesson.json as a teacher might share it (with one Markdown file).
#include "lesson/lesson.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static QTemporaryDir dir;
    static const QString folder = dir.filePath(QStringLiteral("fuzzed"));
    static const bool made = [] {
        QDir().mkpath(folder);
        QFile md(folder + QStringLiteral("/one.md"));
        return md.open(QIODevice::WriteOnly) && md.write("# One\n") > 0;
    }();
    if (!made)
        __builtin_trap();
    QFile f(folder + QStringLiteral("/lesson.json"));
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        __builtin_trap();
    f.write(reinterpret_cast<const char *>(data), qint64(size));
    f.close();
    std::vector<proclab::LessonError> errors;
    const auto lesson = proclab::LessonLoader::loadLesson(folder, &errors);
    // A lesson that loads has steps; one that does not says why.
    if (lesson ? lesson->steps.empty() : errors.empty())
        __builtin_trap();
    return 0;
}
