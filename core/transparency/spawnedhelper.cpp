#include "spawnedhelper.h"

#include "common/errortext.h"
#include "common/helpermode.h"

#include <cerrno>
#include <thread>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

extern char **environ;

namespace proclab {

SpawnedHelper::~SpawnedHelper()
{
    kill();
}

bool SpawnedHelper::start(const QString &name, const QStringList &args, QString *error)
{
    kill();
    std::vector<std::string> strings = helperArguments(name, args);
    std::vector<char *> argv = argvPointers(strings);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    const int rc = posix_spawn(&m_pid, argv[0], nullptr, &attr, argv.data(), environ);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        m_pid = -1;
        if (error)
            *error = QStringLiteral("cannot start helper %1: %2").arg(name, errnoText(rc));
        return false;
    }
    m_reaped = false;
    m_status = -1;
    return true;
}

bool SpawnedHelper::waitExit(std::chrono::milliseconds timeout)
{
    if (m_reaped)
        return true;
    // waitpid has no timeout: poll it, bounded by the deadline.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        int status = 0;
        const pid_t r = ::waitpid(m_pid, &status, WNOHANG);
        if (r == m_pid) {
            m_reaped = true;
            m_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            return true;
        }
        if (r < 0 && errno != EINTR) {
            m_reaped = true;
            return true;
        }
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

void SpawnedHelper::kill()
{
    if (m_pid <= 0 || m_reaped)
        return;
    ::kill(m_pid, SIGKILL);
    int status = 0;
    while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) { }
    m_reaped = true;
    m_status = -1;
}

} // namespace proclab
