#include "nativeprocessprobe.h"

#include "common/errortext.h"

#include <QDir>
#include <QFileInfo>
#include <QTemporaryFile>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace proclab::mobility {

namespace {

using Clock = std::chrono::steady_clock;

/// Reads a /proc file (whose size the kernel reports as 0) up to @p maxBytes.
QByteArray readProc(const QString &path, qsizetype maxBytes = 1 << 20)
{
    QByteArray out;
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return out;
    char buffer[8192];
    while (out.size() < maxBytes) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        out.append(buffer, qsizetype(n));
    }
    ::close(fd);
    return out.left(maxBytes);
}

QString readLink(const QString &path)
{
    char buffer[4096];
    const ssize_t n = ::readlink(QFile::encodeName(path).constData(), buffer, sizeof buffer - 1);
    if (n < 0)
        return QString();
    return QFile::decodeName(QByteArray(buffer, qsizetype(n)));
}

char processState(qint64 pid)
{
    // /proc/PID/stat: "pid (comm) S ..."; comm may hold spaces or parentheses, so find the last ')'.
    const QByteArray stat = readProc(QStringLiteral("/proc/%1/stat").arg(pid), 4096);
    const qsizetype close = stat.lastIndexOf(')');
    if (close < 0 || close + 2 >= stat.size())
        return '?';
    return stat[close + 2];
}

std::uint64_t hexMask(const QString &text)
{
    bool ok = false;
    const std::uint64_t v = text.trimmed().toULongLong(&ok, 16);
    return ok ? v : 0;
}

void classify(NativeDescriptor &d)
{
    const QString &t = d.target;
    if (t.startsWith(QLatin1String("socket:"))) {
        d.kind = QStringLiteral("socket");
        d.whyItStays = QStringLiteral(
            "a connection is kernel state of this host (addresses, sequence numbers, buffers)");
    } else if (t.startsWith(QLatin1String("pipe:"))) {
        d.kind = QStringLiteral("pipe");
        d.whyItStays = QStringLiteral("a pipe is a kernel buffer joining two processes on this host");
    } else if (t.startsWith(QLatin1String("anon_inode:"))) {
        d.kind = QStringLiteral("kernel object");
        d.whyItStays = QStringLiteral("an object that lives only inside this kernel");
    } else if (t.startsWith(QLatin1String("/dev/"))) {
        d.kind = QStringLiteral("device");
        d.whyItStays = QStringLiteral("a device of this host");
    } else {
        d.kind = QStringLiteral("file");
        d.whyItStays = QStringLiteral(
            "a number this kernel gave for an open file with its offset; elsewhere the file may not exist");
    }
}

void readRegions(NativeProcessState &s)
{
    const QString exe = readLink(QStringLiteral("/proc/%1/exe").arg(s.pid));
    const QList<QByteArray> lines = readProc(QStringLiteral("/proc/%1/maps").arg(s.pid)).split('\n');
    auto seen = [&](const QString &kind) {
        for (const NativeRegion &r : s.regions) {
            if (r.kind == kind)
                return true;
        }
        return false;
    };
    for (const QByteArray &raw : lines) {
        const QString line = QString::fromUtf8(raw).simplified();
        if (line.isEmpty())
            continue;
        ++s.mappingCount;
        const QStringList f = line.split(QLatin1Char(' '));
        if (f.size() < 5)
            continue;
        const QStringList range = f[0].split(QLatin1Char('-'));
        if (range.size() != 2)
            continue;
        NativeRegion r;
        bool ok1 = false, ok2 = false;
        r.start = range[0].toULongLong(&ok1, 16);
        r.end = range[1].toULongLong(&ok2, 16);
        if (!ok1 || !ok2)
            continue;
        r.permissions = f[1];
        r.path = f.size() > 5 ? f.mid(5).join(QLatin1Char(' ')) : QString();
        QString kind;
        if (r.path == QLatin1String("[heap]"))
            kind = QStringLiteral("heap");
        else if (r.path == QLatin1String("[stack]"))
            kind = QStringLiteral("stack");
        else if (r.path == QLatin1String("[vdso]"))
            kind = QStringLiteral("vdso");
        else if (!exe.isEmpty() && r.path == exe)
            kind = QStringLiteral("executable");
        else if (r.path.contains(QLatin1String("/libc.so")) || r.path.contains(QLatin1String("/libc-")))
            kind = QStringLiteral("libc");
        else if (r.path.contains(QLatin1String("/ld-linux")) || r.path.contains(QLatin1String("/ld-")))
            kind = QStringLiteral("loader");
        if (kind.isEmpty() || seen(kind))
            continue; // the first mapping of each kind is its base address
        r.kind = kind;
        s.regions.push_back(r);
    }
}

void readDescriptors(NativeProcessState &s)
{
    const QDir dir(QStringLiteral("/proc/%1/fd").arg(s.pid));
    QList<int> fds;
    for (const QString &name : dir.entryList(QDir::Files | QDir::System | QDir::NoDotAndDotDot)) {
        bool ok = false;
        const int fd = name.toInt(&ok);
        if (ok)
            fds << fd;
    }
    std::sort(fds.begin(), fds.end());
    for (int fd : fds) {
        NativeDescriptor d;
        d.fd = fd;
        d.target = readLink(dir.filePath(QString::number(fd)));
        classify(d);
        s.descriptors.push_back(d);
    }
}

void readStatus(NativeProcessState &s)
{
    static const QStringList wanted {QStringLiteral("State"), QStringLiteral("Pid"), QStringLiteral("PPid"),
        QStringLiteral("Uid"), QStringLiteral("Threads"), QStringLiteral("SigQ"), QStringLiteral("SigPnd"),
        QStringLiteral("ShdPnd"), QStringLiteral("SigBlk"), QStringLiteral("SigIgn"),
        QStringLiteral("SigCgt"), QStringLiteral("VmRSS"), QStringLiteral("Cpus_allowed_list"),
        QStringLiteral("voluntary_ctxt_switches"), QStringLiteral("nonvoluntary_ctxt_switches")};
    const QList<QByteArray> lines = readProc(QStringLiteral("/proc/%1/status").arg(s.pid)).split('\n');
    std::uint64_t pending = 0;
    for (const QString &key : wanted) {
        for (const QByteArray &raw : lines) {
            const QString line = QString::fromUtf8(raw);
            const qsizetype colon = line.indexOf(QLatin1Char(':'));
            if (colon <= 0 || line.left(colon) != key)
                continue;
            const QString value = line.mid(colon + 1).simplified();
            s.status.emplace_back(key, value);
            if (key == QLatin1String("SigPnd") || key == QLatin1String("ShdPnd"))
                pending |= hexMask(value);
            else if (key == QLatin1String("SigBlk"))
                s.blockedSignals = hexMask(value);
        }
    }
    s.pendingSignals = pending;
}

} // namespace

NativeProcessState NativeProcessProbe::probe(const NativeProbeConfig &config)
{
    NativeProcessState s;
    s.program = config.program;

    // Descriptor 3: an open file. Descriptor 4: a TCP connection. Standard output: a pipe.
    QTemporaryFile file(QDir::temp().filePath(QStringLiteral("proclab-native-XXXXXX.txt")));
    if (!file.open() || file.write("a file the probed process holds open\n") < 0 || !file.flush()) {
        s.error = QStringLiteral("cannot make a temporary file: %1").arg(file.errorString());
        return s;
    }
    const QByteArray filePath = QFile::encodeName(file.fileName());

    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int pipeFds[2] = {-1, -1};
    auto closeAll = [&] {
        for (int fd : {listener, client, pipeFds[0], pipeFds[1]}) {
            if (fd >= 0)
                ::close(fd);
        }
    };
    sockaddr_in a {};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (listener < 0 || client < 0 || ::bind(listener, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0
        || ::listen(listener, 1) != 0 || ::getsockname(listener, reinterpret_cast<sockaddr *>(&a), &len) != 0
        || ::connect(client, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0
        || ::pipe2(pipeFds, O_CLOEXEC) != 0) {
        s.error = QStringLiteral("cannot prepare the child's descriptors: %1").arg(errnoText(errno));
        closeAll();
        return s;
    }

    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, pipeFds[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 3, filePath.constData(), O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, client, 4);
    // SIGUSR1 blocked from the start: the one sent below stays pending, visible in SigPnd.
    sigset_t mask, defaults;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGUSR1);
    posix_spawnattr_setsigmask(&attributes, &mask);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    const QByteArray program = QFile::encodeName(config.program);
    std::vector<QByteArray> argStorage {program};
    for (const QString &arg : config.arguments)
        argStorage.push_back(arg.toLocal8Bit());
    std::vector<char *> argv;
    for (QByteArray &arg : argStorage)
        argv.push_back(arg.data());
    argv.push_back(nullptr);

    pid_t pid = -1;
    const int rc = posix_spawnp(&pid, program.constData(), &actions, &attributes, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (rc != 0) {
        s.error = QStringLiteral("cannot start %1: %2").arg(config.program, errnoText(rc));
        closeAll();
        return s;
    }
    s.pid = pid;
    ::kill(pid, SIGUSR1);

    // The child is looked at once it sleeps (blocked in the kernel); bounded wait.
    const auto deadline = Clock::now() + config.settleTimeout;
    while (processState(pid) != 'S' && Clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    if (processState(pid) != 'S')
        s.error = QStringLiteral("%1 (pid %2) did not block within %3 ms")
                      .arg(config.program)
                      .arg(pid)
                      .arg(config.settleTimeout.count());

    if (s.error.isEmpty()) {
        s.program = readLink(QStringLiteral("/proc/%1/exe").arg(pid));
        readRegions(s);
        readDescriptors(s);
        readStatus(s);
        s.waitChannel = QString::fromUtf8(readProc(QStringLiteral("/proc/%1/wchan").arg(pid), 256)).trimmed();
        s.syscall = QString::fromUtf8(readProc(QStringLiteral("/proc/%1/syscall").arg(pid), 512)).trimmed();
        s.schedstat
            = QString::fromUtf8(readProc(QStringLiteral("/proc/%1/schedstat").arg(pid), 256)).trimmed();
        s.timerSlackNs
            = QString::fromUtf8(readProc(QStringLiteral("/proc/%1/timerslack_ns").arg(pid), 64)).trimmed();
    }

    ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) { }
    closeAll();
    return s;
}

NativeStateComparison NativeProcessProbe::compareTwoRuns(const NativeProbeConfig &config)
{
    NativeStateComparison c;
    bool ok = false;
    const int aslr = QString::fromLatin1(readProc(QStringLiteral("/proc/sys/kernel/randomize_va_space"), 16))
                         .trimmed()
                         .toInt(&ok);
    c.randomizeVaSpace = ok ? aslr : -1;
    utsname u {};
    if (::uname(&u) == 0) {
        c.kernelRelease = QString::fromLatin1(u.release);
        c.machine = QString::fromLatin1(u.machine);
    }
    c.first = probe(config);
    c.second = probe(config);
    if (!c.first.error.isEmpty() || !c.second.error.isEmpty()) {
        c.error = !c.first.error.isEmpty() ? c.first.error : c.second.error;
        return c;
    }
    for (const NativeRegion &a : c.first.regions) {
        for (const NativeRegion &b : c.second.regions) {
            if (a.kind != b.kind)
                continue;
            NativeStateComparison::RegionDifference d;
            d.kind = a.kind;
            d.firstStart = a.start;
            d.secondStart = b.start;
            d.differs = a.start != b.start;
            c.regionsThatDiffer += d.differs ? 1 : 0;
            c.regions.push_back(d);
        }
    }
    return c;
}

} // namespace proclab::mobility
