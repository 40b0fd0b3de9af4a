#pragma once

#include "httpserver.h"

#include <sys/types.h>

namespace proclab {

/**
 * @brief Process per connection, as classic forking servers do: a process accepts
 * connections and forks a child for each, which serves it with blocking calls and
 * exits.
 *
 * The app is multithreaded, and a fork of a multithreaded process may run only
 * async-signal-safe code, so the forking is done by a single-threaded helper: this
 * executable started again in helper mode (kForkingHelperName, see common/helpermode.h)
 * with posix_spawn(). The app opens the listening socket and passes it to the
 * helper with a control pipe (stop), a status pipe (ready or an error) and a shared
 * memory page for the counters, which the helper and every child update. The
 * helper reaps its children as they exit (SIGCHLD through a signalfd) and caps
 * them (ServerLimits::maxConnections, 1024 by default; beyond it 503).
 *
 * stop() tells the helper to stop; it kills (SIGKILL) and reaps every child, then
 * exits and is reaped here. The helper and its children form their own process
 * group; as a last resort the whole group is killed. If the app dies, the helper
 * and its children die too (PR_SET_PDEATHSIG).
 */
class ProcessServer : public HttpServer {
public:
    explicit ProcessServer(ServerConfig config);
    ~ProcessServer() override;

    /// @brief The helper's pid (also its process group id) while running, else -1.
    pid_t helperPid() const { return m_helperPid; }

protected:
    bool startServing(int listenFd, QString *error) override;
    void stopServing() override;
    ServerCounters &counters() const override { return *m_counters; }

private:
    // The counters live in a shared memory page (a memfd, mapped in the constructor so
    // that the pointer never changes while others read it); the helper maps the same page.
    ServerCounters *m_counters = nullptr;
    ServerCounters m_unmappedCounters; // only if the memfd could not be made (start() then fails)
    int m_memFd = -1;
    QString m_memError;
    pid_t m_helperPid = -1;
    int m_controlFd = -1; // write end: a byte or EOF tells the helper to stop
};

/// The helper mode name of the process design's forking helper.
inline constexpr char kForkingHelperName[] = "http-fork-server";

/// @brief The forking helper's entry point (registered as helper mode kForkingHelperName by
/// the servers module); argv[0] is the helper's name, then the server's settings as key=value.
int forkingHttpServerHelperMain(int argc, char **argv);

} // namespace proclab
