#include "cgroupcpulimit.h"

#include "clock.h"
#include "errortext.h"

#include <QFile>
#include <QStandardPaths>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace proclab {

namespace {

constexpr std::int64_t kMaxProcFileBytes = 1 << 20;

struct MethodName {
    CpuLimitMethod method;
    const char *id;
};
constexpr MethodName kMethods[] = {
    {CpuLimitMethod::Auto, "auto"},
    {CpuLimitMethod::CgroupV2, "cgroup-v2"},
    {CpuLimitMethod::CgroupV1, "cgroup-v1"},
    {CpuLimitMethod::SystemdRun, "systemd-run"},
    {CpuLimitMethod::Model, "model"},
};

QString methodLabel(CpuLimitMethod m)
{
    switch (m) {
    case CpuLimitMethod::CgroupV2:
        return QStringLiteral("cgroup v2");
    case CpuLimitMethod::CgroupV1:
        return QStringLiteral("cgroup v1");
    case CpuLimitMethod::SystemdRun:
        return QStringLiteral("systemd-run");
    case CpuLimitMethod::Auto:
    case CpuLimitMethod::Model:
        break;
    }
    return cpuLimitMethodId(m);
}

/// Undoes the octal escapes of /proc/self/mountinfo ("\040" is a space).
QString unescapeMountField(const QString &field)
{
    QString out;
    for (qsizetype i = 0; i < field.size(); ++i) {
        if (field[i] == QLatin1Char('\\') && i + 3 < field.size()) {
            bool ok = false;
            const int code = field.mid(i + 1, 3).toInt(&ok, 8);
            if (ok) {
                out += QChar(code);
                i += 3;
                continue;
            }
        }
        out += field[i];
    }
    return out;
}

/// A file's text (small /proc and /sys files), or an empty string with @p why set.
QString readSmallFile(const QString &path, QString *why = nullptr)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        if (why)
            *why = QStringLiteral("cannot read %1: %2").arg(path, f.errorString());
        return {};
    }
    return QString::fromLocal8Bit(f.read(kMaxProcFileBytes));
}

/// Writes @p text to the control file @p path with one write(); false with the errno text.
bool writeControlFile(const QString &path, const QString &text, QString *why)
{
    const QByteArray p = QFile::encodeName(path);
    const int fd = ::open(p.constData(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        *why = QStringLiteral("cannot open %1 for writing: %2").arg(path, lastErrorText());
        return false;
    }
    const QByteArray data = text.toLocal8Bit();
    ssize_t n;
    do {
        n = ::write(fd, data.constData(), std::size_t(data.size()));
    } while (n < 0 && errno == EINTR);
    const int err = errno;
    ::close(fd);
    if (n != data.size()) {
        *why = QStringLiteral("writing \"%1\" to %2 was refused: %3")
                   .arg(text.trimmed(), path, n < 0 ? errnoText(err) : QStringLiteral("short write"));
        return false;
    }
    return true;
}

/// The folder of group @p path in a hierarchy mounted at @p mount.
QString groupFolder(const QString &mount, const QString &path)
{
    if (path.isEmpty() || path == QLatin1String("/"))
        return mount;
    return mount + (path.startsWith(QLatin1Char('/')) ? path : QLatin1Char('/') + path);
}

/// Runs @p argv (looked up in PATH) with its output discarded and its error output kept;
/// waits at most @p timeoutMs. @return the exit status, or -1 with @p why set
int runProbe(const QStringList &args, int timeoutMs, QString *errors, QString *why)
{
    int err[2];
    if (::pipe2(err, O_CLOEXEC) != 0) {
        *why = QStringLiteral("pipe() failed: %1").arg(lastErrorText());
        return -1;
    }
    std::vector<std::string> strings;
    for (const QString &a : args)
        strings.push_back(a.toStdString());
    std::vector<char *> argv;
    for (std::string &s : strings)
        argv.push_back(s.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid = -1;
    const int rc = posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(err[1]);
    if (rc != 0) {
        ::close(err[0]);
        *why = QStringLiteral("cannot start %1: %2").arg(args.front(), errnoText(rc));
        return -1;
    }
    QByteArray text;
    const std::int64_t deadline = monotonicNs() + std::int64_t(timeoutMs) * 1000000;
    bool open = true;
    while (open) {
        const std::int64_t left = (deadline - monotonicNs()) / 1000000;
        if (left <= 0)
            break;
        pollfd pfd {err[0], POLLIN, 0};
        const int ready = ::poll(&pfd, 1, int(left));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            break;
        char chunk[512];
        const ssize_t n = ::read(err[0], chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            open = false;
        else if (text.size() < 4096)
            text.append(chunk, n);
    }
    ::close(err[0]);
    int status = 0;
    if (open) { // still running at the deadline
        ::kill(pid, SIGKILL);
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) { }
        *why = QStringLiteral("%1 did not finish within %2 ms").arg(args.front()).arg(timeoutMs);
        return -1;
    }
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) { }
    *errors = QString::fromLocal8Bit(text).trimmed();
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    *why = QStringLiteral("%1 ended by signal %2").arg(args.front()).arg(WTERMSIG(status));
    return -1;
}

} // namespace

QString cpuLimitMethodId(CpuLimitMethod method)
{
    for (const MethodName &m : kMethods) {
        if (m.method == method)
            return QLatin1String(m.id);
    }
    return QStringLiteral("model");
}

std::optional<CpuLimitMethod> cpuLimitMethodFromId(const QString &id)
{
    for (const MethodName &m : kMethods) {
        if (id == QLatin1String(m.id))
            return m.method;
    }
    return std::nullopt;
}

QStringList cpuLimitMethodIds()
{
    QStringList ids;
    for (const MethodName &m : kMethods)
        ids << QLatin1String(m.id);
    return ids;
}

CgroupPlaces CgroupPlaces::parse(const QString &mountInfo, const QString &procCgroup)
{
    CgroupPlaces places;
    QString v2Root, v1Root;
    for (const QString &line : mountInfo.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const QStringList f = line.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        const qsizetype dash = f.indexOf(QStringLiteral("-"));
        if (dash < 6 || dash + 3 > f.size())
            continue;
        const QString fsType = f[dash + 1];
        const QStringList superOptions
            = dash + 3 < f.size() ? f[dash + 3].split(QLatin1Char(',')) : QStringList();
        if (fsType == QLatin1String("cgroup2") && places.v2Mount.isEmpty()) {
            places.v2Mount = unescapeMountField(f[4]);
            v2Root = unescapeMountField(f[3]);
        } else if (fsType == QLatin1String("cgroup") && superOptions.contains(QStringLiteral("cpu"))
            && places.v1CpuMount.isEmpty()) {
            places.v1CpuMount = unescapeMountField(f[4]);
            v1Root = unescapeMountField(f[3]);
        }
    }
    // A mount of a sub-tree shows paths below its root: strip that root.
    auto relative = [](QString path, const QString &root) {
        if (root.size() > 1 && path.startsWith(root))
            path = path.mid(root.size());
        return path.isEmpty() ? QStringLiteral("/") : path;
    };
    for (const QString &line : procCgroup.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const qsizetype a = line.indexOf(QLatin1Char(':'));
        const qsizetype b = a < 0 ? -1 : line.indexOf(QLatin1Char(':'), a + 1);
        if (b < 0)
            continue;
        const QString hierarchy = line.left(a);
        const QStringList controllers = line.mid(a + 1, b - a - 1).split(QLatin1Char(','));
        const QString path = line.mid(b + 1);
        if (hierarchy == QLatin1String("0") && line.mid(a + 1, b - a - 1).isEmpty())
            places.v2Path = relative(path, v2Root);
        else if (controllers.contains(QStringLiteral("cpu")))
            places.v1CpuPath = relative(path, v1Root);
    }
    if (places.v2Path.isEmpty())
        places.v2Mount.clear(); // mounted, but this process is not in it
    if (places.v1CpuPath.isEmpty())
        places.v1CpuMount.clear();
    return places;
}

CgroupPlaces CgroupPlaces::ofThisProcess()
{
    return parse(readSmallFile(QStringLiteral("/proc/self/mountinfo")),
        readSmallFile(QStringLiteral("/proc/self/cgroup")));
}

CgroupCpuLimit::CgroupCpuLimit()
    : m_places(CgroupPlaces::ofThisProcess())
{
}

CgroupCpuLimit::CgroupCpuLimit(CgroupPlaces places)
    : m_places(std::move(places))
{
}

CgroupCpuLimit::~CgroupCpuLimit()
{
    QString ignored;
    remove(&ignored);
}

QString CgroupCpuLimit::newGroupName()
{
    static std::atomic<int> counter {0};
    return QStringLiteral("proclab-%1-%2").arg(::getpid()).arg(++counter);
}

bool CgroupCpuLimit::create(CpuLimitMethod method, double quotaPercent, int periodUs)
{
    m_attempts.clear();
    m_method = CpuLimitMethod::Model;
    m_prefix.clear();
    std::vector<CpuLimitMethod> order;
    if (method == CpuLimitMethod::Auto)
        order = {CpuLimitMethod::CgroupV2, CpuLimitMethod::CgroupV1, CpuLimitMethod::SystemdRun};
    else if (method != CpuLimitMethod::Model)
        order = {method};
    for (CpuLimitMethod m : order) {
        QString why;
        bool ok = false;
        switch (m) {
        case CpuLimitMethod::CgroupV2:
            ok = tryV2(quotaPercent, periodUs, &why);
            break;
        case CpuLimitMethod::CgroupV1:
            ok = tryV1(quotaPercent, periodUs, &why);
            break;
        case CpuLimitMethod::SystemdRun:
            ok = trySystemdRun(quotaPercent, periodUs, &why);
            break;
        case CpuLimitMethod::Auto:
        case CpuLimitMethod::Model:
            break;
        }
        m_attempts.push_back({m, ok, why});
        if (ok) {
            m_method = m;
            return true;
        }
    }
    return false;
}

QString CgroupCpuLimit::refusals() const
{
    QStringList parts;
    for (const Attempt &a : m_attempts) {
        if (!a.ok)
            parts << QStringLiteral("%1: %2").arg(methodLabel(a.method), a.why);
    }
    return parts.join(QStringLiteral("; "));
}

bool CgroupCpuLimit::tryV2(double quotaPercent, int periodUs, QString *why)
{
    if (m_places.v2Mount.isEmpty()) {
        *why = QStringLiteral(
            "no cgroup2 file system holds this process (/proc/self/mountinfo, /proc/self/cgroup)");
        return false;
    }
    const QString own = groupFolder(m_places.v2Mount, m_places.v2Path);
    const QString group = own + QLatin1Char('/') + newGroupName();
    if (::mkdir(QFile::encodeName(group).constData(), 0755) != 0) {
        *why = QStringLiteral("cannot create %1: %2").arg(group, lastErrorText());
        return false;
    }
    m_group = group;
    m_ownsGroup = true;
    auto giveUp = [&](const QString &reason) {
        *why = reason;
        QString ignored;
        remove(&ignored);
        return false;
    };
    const QString cpuMax = group + QStringLiteral("/cpu.max");
    const QString offered = readSmallFile(own + QStringLiteral("/cgroup.controllers")).trimmed();
    if (!QFile::exists(cpuMax) && offered.split(QLatin1Char(' ')).contains(QStringLiteral("cpu"))) {
        if (m_places.v2Path == QLatin1String("/"))
            return giveUp(QStringLiteral("the cpu controller is not enabled below the root group %1 "
                                         "(cgroup.subtree_control); ProcLab does not change the root group")
                              .arg(own));
        QString enableWhy;
        if (!writeControlFile(
                own + QStringLiteral("/cgroup.subtree_control"), QStringLiteral("+cpu"), &enableWhy))
            return giveUp(enableWhy
                + QStringLiteral(" (a group that holds processes cannot give controllers to its children)"));
    }
    const qint64 quotaUs = std::max<qint64>(1000, qint64(std::llround(periodUs * quotaPercent / 100.0)));
    QString writeWhy;
    if (!writeControlFile(cpuMax, QStringLiteral("%1 %2\n").arg(quotaUs).arg(periodUs), &writeWhy)) {
        if (!offered.split(QLatin1Char(' ')).contains(QStringLiteral("cpu")))
            writeWhy += QStringLiteral(" (%1/cgroup.controllers offers: %2)")
                            .arg(own, offered.isEmpty() ? QStringLiteral("nothing") : offered);
        return giveUp(writeWhy);
    }
    return true;
}

bool CgroupCpuLimit::tryV1(double quotaPercent, int periodUs, QString *why)
{
    if (m_places.v1CpuMount.isEmpty()) {
        *why = QStringLiteral(
            "no cgroup v1 hierarchy with the cpu controller holds this process (/proc/self/mountinfo)");
        return false;
    }
    const QString own = groupFolder(m_places.v1CpuMount, m_places.v1CpuPath);
    const QString group = own + QLatin1Char('/') + newGroupName();
    if (::mkdir(QFile::encodeName(group).constData(), 0755) != 0) {
        *why = QStringLiteral("cannot create %1: %2").arg(group, lastErrorText());
        return false;
    }
    m_group = group;
    m_ownsGroup = true;
    const qint64 quotaUs = std::max<qint64>(1000, qint64(std::llround(periodUs * quotaPercent / 100.0)));
    if (!writeControlFile(group + QStringLiteral("/cpu.cfs_period_us"), QString::number(periodUs), why)
        || !writeControlFile(group + QStringLiteral("/cpu.cfs_quota_us"), QString::number(quotaUs), why)) {
        QString ignored;
        remove(&ignored);
        return false;
    }
    return true;
}

bool CgroupCpuLimit::trySystemdRun(double quotaPercent, int periodUs, QString *why)
{
    const QString program = QStandardPaths::findExecutable(QStringLiteral("systemd-run"));
    if (program.isEmpty()) {
        *why = QStringLiteral("systemd-run is not installed (not found in PATH)");
        return false;
    }
    // As root the system's manager makes the scope; otherwise the user's own manager.
    QStringList prefix {program};
    if (::geteuid() != 0)
        prefix << QStringLiteral("--user");
    prefix << QStringLiteral("--scope") << QStringLiteral("--quiet") << QStringLiteral("--collect")
           << QStringLiteral("-p")
           << QStringLiteral("CPUQuota=%1%").arg(std::max(1L, std::lround(quotaPercent)))
           << QStringLiteral("-p")
           << QStringLiteral("CPUQuotaPeriodSec=%1ms").arg(std::max(1, periodUs / 1000))
           << QStringLiteral("--");
    QString errors;
    const int status = runProbe(prefix + QStringList {QStringLiteral("/bin/true")}, 10000, &errors, why);
    const QString shown = QStringLiteral("systemd-run%1 --scope")
                              .arg(::geteuid() != 0 ? QStringLiteral(" --user") : QString());
    if (status < 0) {
        *why = shown + QStringLiteral(": ") + *why;
        return false;
    }
    if (status != 0) {
        const QString firstLine = errors.section(QLatin1Char('\n'), 0, 0).trimmed();
        *why = QStringLiteral("%1 refused: %2 (exit status %3)")
                   .arg(shown, firstLine.isEmpty() ? QStringLiteral("no message") : firstLine)
                   .arg(status);
        return false;
    }
    m_prefix = prefix;
    return true;
}

bool CgroupCpuLimit::addProcess(pid_t pid, QString *error)
{
    switch (m_method) {
    case CpuLimitMethod::CgroupV1:
    case CpuLimitMethod::CgroupV2:
        return writeControlFile(m_group + QStringLiteral("/cgroup.procs"), QString::number(pid), error);
    case CpuLimitMethod::SystemdRun: {
        // The scope systemd made for the process: its "0::" line, for the throttling counters.
        const CgroupPlaces places = CgroupPlaces::parse(readSmallFile(QStringLiteral("/proc/self/mountinfo")),
            readSmallFile(QStringLiteral("/proc/%1/cgroup").arg(pid)));
        if (!places.v2Mount.isEmpty())
            m_group = groupFolder(places.v2Mount, places.v2Path);
        else if (!places.v1CpuMount.isEmpty())
            m_group = groupFolder(places.v1CpuMount, places.v1CpuPath);
        m_ownsGroup = false;
        return true;
    }
    case CpuLimitMethod::Auto:
    case CpuLimitMethod::Model:
        break;
    }
    *error = QStringLiteral("no CPU limit is in place");
    return false;
}

CpuThrottleStat CgroupCpuLimit::parseCpuStat(const QString &text)
{
    CpuThrottleStat s;
    for (const QString &line : text.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const QStringList kv = line.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        if (kv.size() != 2)
            continue;
        bool ok = false;
        const qint64 v = kv[1].toLongLong(&ok);
        if (!ok || v < 0)
            continue;
        if (kv[0] == QLatin1String("nr_periods"))
            s.periods = v;
        else if (kv[0] == QLatin1String("nr_throttled"))
            s.throttledPeriods = v;
        else if (kv[0] == QLatin1String("throttled_usec"))
            s.throttledUs = v;
        else if (kv[0] == QLatin1String("throttled_time")) // cgroup v1: nanoseconds
            s.throttledUs = v / 1000;
    }
    return s;
}

CpuThrottleStat CgroupCpuLimit::stat() const
{
    if (m_group.isEmpty())
        return {};
    return parseCpuStat(readSmallFile(m_group + QStringLiteral("/cpu.stat")));
}

bool CgroupCpuLimit::remove(QString *error)
{
    if (!m_ownsGroup || m_group.isEmpty()) {
        m_group.clear();
        return true;
    }
    // A group whose last process just ended may still count it for a moment: retry briefly.
    const QByteArray path = QFile::encodeName(m_group);
    for (int attempt = 0; attempt < 50; ++attempt) {
        if (::rmdir(path.constData()) == 0 || errno == ENOENT) {
            m_group.clear();
            m_ownsGroup = false;
            return true;
        }
        if (errno != EBUSY)
            break;
        const timespec wait {0, 2000000};
        ::nanosleep(&wait, nullptr);
    }
    *error = QStringLiteral("cannot remove %1: %2").arg(m_group, lastErrorText());
    return false;
}

} // namespace proclab
