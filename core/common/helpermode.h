#pragma once

#include <QString>
#include <QStringList>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace proclab {

/**
 * @brief A named entry point that runs as the whole of a fresh, single-threaded process.
 *
 * Engines that need a process of their own (a forking server, a superserver's handler, a child
 * in new namespaces) never fork the multithreaded app and go on running C++ in the child:
 * they start /proc/self/exe again with `--proclab-helper NAME ARGS...` (posix_spawn or
 * fork+exec), and the program's main() hands the process to the helper first thing, before
 * Qt or any thread starts. Modules add their helpers in PROCLAB_REGISTER_ENGINES with
 * EngineRegistry::addHelper().
 */
struct HelperMode {
    QString name; ///< "forkserver", "superserver-echo", ...
    int (*main)(int argc, char **argv) = nullptr; ///< argv[0] is the name, then the helper's own args
};

/// The first argument that asks for a helper mode.
inline constexpr char kHelperModeFlag[] = "--proclab-helper";

/**
 * @brief Runs the helper mode named on the command line, if any.
 * @return the helper's exit status, or -1 when the command line does not ask for a helper
 *         (main() then goes on as usual). An unknown helper name exits with status 127.
 */
int runHelperModeIfRequested(int argc, char **argv);

/// @brief The path of the running executable (/proc/self/exe resolved), to start helpers from.
std::string selfExecutablePath();

/**
 * @brief The argument vector that starts helper @p name with @p args: {exe, flag, name, args...}.
 * Keep the strings alive while the pointers (argvPointers()) are in use.
 */
std::vector<std::string> helperArguments(const QString &name, const QStringList &args = {});

/// @brief NULL-terminated char* array over @p strings, for posix_spawn and execv.
std::vector<char *> argvPointers(std::vector<std::string> &strings);

/// @brief Writes all @p bytes of @p data to @p fd (a helper's output, blocking), retrying after
/// signals; false when the descriptor fails or is closed first.
bool helperWriteAll(int fd, const void *data, std::size_t bytes);

/// @brief A helper's decimal integer argument, whole and within [@p min, @p max], or nullopt.
std::optional<std::int64_t> helperIntegerArgument(const char *text, std::int64_t min, std::int64_t max);

} // namespace proclab
