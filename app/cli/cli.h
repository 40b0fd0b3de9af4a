#pragma once

#include <QStringList>
#include <QTextStream>

namespace proclab {

/// Exit statuses of the command line.
enum CliStatus { CliOk = 0, CliRunFailed = 1, CliUsage = 2 };

/**
 * @brief The headless commands: --version, --help, list, run, node.
 *
 * Links only proclab_core (no GUI module), which keeps the engines honest:
 * everything `proclab run` prints was computed without a widget.
 * @param args the arguments after the program name
 * @return the exit status, or -1 when @p args is not a headless command (the GUI handles it)
 */
int runHeadlessCommand(const QStringList &args, QTextStream &out, QTextStream &err);

/// The text of `proclab --help`.
QString cliHelpText();

/// Whether @p args starts with a command that needs no display.
bool isHeadlessCommand(const QStringList &args);

} // namespace proclab
