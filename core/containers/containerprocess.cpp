#include "containerprocess.h"

#include "containerhelper.h"

#include "common/clock.h"

#include <csignal>

#include <sys/syscall.h>
#include <unistd.h>

namespace proclab {

namespace {

constexpr int kPollMs = 20;

} // namespace

ContainerProcess::~ContainerProcess()
{
    finish();
}

bool ContainerProcess::start(const QString &hostname, const QStringList &prefix, QString *error)
{
    m_report = ContainerReport {};
    return m_helper.start(
        QString(ContainerHelper::kName), {QString::number(::getpid()), hostname}, error, prefix);
}

void ContainerProcess::watchInit()
{
    if (m_initPidFd < 0 && m_report.childHostPid > 0)
        m_initPidFd = int(
            ::syscall(SYS_pidfd_open, m_report.childHostPid, 0)); // glibc 2.36's wrapper lacks C linkage
}

ContainerProcess::Wait ContainerProcess::readUntil(const std::function<bool(const ContainerReport &)> &done,
    int timeoutMs, const std::function<bool()> &tick, QString *error)
{
    const std::int64_t deadline = monotonicNs() + std::int64_t(timeoutMs) * 1000000;
    while (!done(m_report)) {
        if (tick && !tick())
            return Wait::Stopped;
        if (monotonicNs() > deadline) {
            *error = QStringLiteral("the container did not answer within %1 s")
                         .arg(timeoutMs / 1000.0, 0, 'f', 1);
            return Wait::Failed;
        }
        QByteArray line;
        QString readError;
        switch (m_helper.readLine(kPollMs, &line, &readError, ContainerReportParser::kMaxLineBytes)) {
        case HelperProcess::Read::Data:
            if (!ContainerReportParser::addLine(line, &m_report, error))
                return Wait::Failed;
            watchInit();
            break;
        case HelperProcess::Read::Timeout:
            break;
        case HelperProcess::Read::TooLong:
            *error = QStringLiteral("malformed output from the container helper: a line longer than %1 bytes")
                         .arg(ContainerReportParser::kMaxLineBytes);
            return Wait::Failed;
        case HelperProcess::Read::Closed: {
            m_helper.waitExit(1000);
            const QString said = m_helper.errorOutput();
            *error = QStringLiteral("the container helper ended early (%1)%2")
                         .arg(m_helper.exitText(),
                             said.isEmpty() ? QString() : QStringLiteral(": ") + said.left(200));
            return Wait::Failed;
        }
        case HelperProcess::Read::Failed:
            *error = readError;
            return Wait::Failed;
        }
    }
    return Wait::Done;
}

bool ContainerProcess::send(const QByteArray &commands, QString *error)
{
    return m_helper.write(commands, 2000, error);
}

void ContainerProcess::finish()
{
    if (m_helper.pid() > 0 && !m_helper.reaped()) {
        QString ignored;
        if (m_helper.inputFd() >= 0)
            m_helper.write("quit\n", 100, &ignored);
        m_helper.closeInput();
        if (!m_helper.waitExit(500) && m_initPidFd >= 0) {
            // Kill the init first, so that the helper reaps it and nothing is left unreaped.
            ::syscall(SYS_pidfd_send_signal, m_initPidFd, SIGKILL, nullptr, 0);
            m_helper.waitExit(2000);
        }
        m_helper.kill();
    }
    if (m_initPidFd >= 0) {
        ::close(m_initPidFd);
        m_initPidFd = -1;
    }
}

} // namespace proclab
