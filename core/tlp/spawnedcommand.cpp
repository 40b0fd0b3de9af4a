#include "spawnedcommand.h"

#include "common/errortext.h"

#include <QByteArray>

#include <cerrno>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

extern char **environ;

namespace proclab {

SpawnedCommand::~SpawnedCommand()
{
    killAndReap();
}

bool SpawnedCommand::start(const QString &command, QString *error)
{
    // "exec" lets the shell replace itself, so the pid measured is the
    // program's own when the command is a plain program with arguments.
    static const QString meta = QStringLiteral(";&|<>`$()\n*?{}");
    bool plain = true;
    for (QChar ch : command)
        plain = plain && !meta.contains(ch);
    const QByteArray line = (plain ? QStringLiteral("exec ") + command : command).toLocal8Bit();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    char sh[] = "/bin/sh";
    char dashC[] = "-c";
    char *argv[] = {sh, dashC, const_cast<char *>(line.constData()), nullptr};
    const int rc = posix_spawn(&m_pid, sh, &actions, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        m_pid = -1;
        if (error)
            *error = QStringLiteral("cannot start \"%1\": %2").arg(command, errnoText(rc));
        return false;
    }
    return true;
}

bool SpawnedCommand::ended()
{
    if (m_pid <= 0)
        return true;
    if (m_reaped)
        return true;
    int status = 0;
    const pid_t r = ::waitpid(m_pid, &status, WNOHANG);
    if (r == m_pid) {
        m_reaped = true;
        m_status = status;
    }
    return m_reaped;
}

bool SpawnedCommand::exited() const
{
    if (m_pid <= 0 || m_reaped)
        return true;
    siginfo_t info {};
    if (::waitid(P_PID, static_cast<id_t>(m_pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0)
        return true;
    return info.si_pid == m_pid;
}

void SpawnedCommand::killAndReap()
{
    if (m_pid <= 0)
        return;
    // The whole group: make -j2 and its compilers go too.
    ::kill(-m_pid, SIGKILL);
    if (!m_reaped) {
        int status = 0;
        while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) { }
        m_reaped = true;
        m_status = status;
        m_killed = true;
    }
}

QString SpawnedCommand::exitText() const
{
    if (!m_reaped)
        return QStringLiteral("still running");
    if (m_killed)
        return QStringLiteral("killed at the end of the measurement");
    if (WIFEXITED(m_status))
        return QStringLiteral("exited with status %1").arg(WEXITSTATUS(m_status));
    if (WIFSIGNALED(m_status))
        return QStringLiteral("ended by signal %1").arg(WTERMSIG(m_status));
    return QStringLiteral("ended");
}

int SpawnedCommand::exitCode() const
{
    return m_reaped && !m_killed && WIFEXITED(m_status) ? WEXITSTATUS(m_status) : -1;
}

} // namespace proclab
