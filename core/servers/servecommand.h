#pragma once

#include <QStringList>
#include <QTextStream>

#include <atomic>

namespace proclab {

/**
 * @brief `proclab serve DESIGN [--port N] [--for SECONDS] [--set name=value ...]`: keeps one
 * server design running on 127.0.0.1 for outside clients (curl, a browser, a load tool).
 *
 * Prints the address once the server listens, then serves until @p interrupted becomes true
 * (the command line sets it on Ctrl+C or SIGTERM) or the time given by --for has passed; then
 * stops the server (threads joined, the process design's children reaped) and prints what it
 * served. Settings: cpu_us, disk_ms, pool_workers, response_bytes and the limits of
 * ServerConfig (max_connections, request_timeout_ms, ...).
 * @param args the arguments after "serve"
 * @return 0 after a clean stop, 1 when the server could not start, 2 for a bad command line
 */
int runServeCommand(
    const QStringList &args, QTextStream &out, QTextStream &err, const std::atomic<bool> &interrupted);

/// @brief The usage line of the serve command (for `proclab --help`).
QString serveUsage();

} // namespace proclab
