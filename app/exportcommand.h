#pragma once

#include <QStringList>
#include <QTextStream>

namespace proclab {

/**
 * @brief `proclab export --lesson ID --step N --format png|svg|pdf|csv --output FILE [--window]`:
 * runs a lesson step headless (offscreen) and writes its chart, or with
 * --window a PNG of the whole window at that step.
 * @return exit status: 0 written, 1 the run or the write failed, 2 bad arguments
 */
int runExportCommand(const QStringList &args, QTextStream &out, QTextStream &err);

} // namespace proclab
