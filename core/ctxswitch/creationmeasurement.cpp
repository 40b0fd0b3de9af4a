#include "creationmeasurement.h"

#include "common/clock.h"
#include "common/errortext.h"

#include "engine/parameter.h"

#include <cerrno>
#include <thread>

#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace proclab {

CostSample CreationMeasurement::creation(
    const QString &id, const QString &label, int n, const Once &once, QString *error)
{
    CostSample s;
    s.id = id;
    s.label = label;
    const std::int64_t start = monotonicNs();
    for (int i = 0; i < n && keepGoing(); ++i) {
        const std::int64_t t0 = monotonicNs();
        if (!once(error))
            break;
        s.valuesNs.push_back(double(monotonicNs() - t0));
        if (double(monotonicNs() - start) / 1e9 > kTimeLimitS) {
            s.note
                = QStringLiteral("cut short after %1 s (%2 samples)").arg(kTimeLimitS).arg(s.valuesNs.size());
            break;
        }
    }
    s.computeSpread();
    return s;
}

bool CreationMeasurement::forkOnce(QString *error)
{
    const pid_t pid = ::fork();
    if (pid < 0) {
        *error = QStringLiteral("fork failed: %1").arg(lastErrorText());
        return false;
    }
    if (pid == 0)
        _exit(0);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) { }
    return true;
}

bool CreationMeasurement::spawnOnce(QString *error)
{
    pid_t pid = -1;
    char arg0[] = "true";
    char *argv[] = {arg0, nullptr};
    const int rc = posix_spawn(&pid, "/bin/true", nullptr, nullptr, argv, environ);
    if (rc != 0) {
        errno = rc;
        *error = QStringLiteral("posix_spawn /bin/true failed: %1").arg(lastErrorText());
        return false;
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) { }
    return true;
}

bool CreationMeasurement::threadOnce(QString *)
{
    std::thread t([] {});
    t.join();
    return true;
}

void CreationMeasurement::sampleInHelper(
    CostSample &s, const QStringList &args, int n, double timeoutS, QString *error)
{
    ForkHelper helper;
    helper.keepGoing = keepGoing;
    helper.helper = forkHelper;
    ForkReply reply;
    QString why;
    switch (helper.run(args, n, timeoutS, &reply, &why)) {
    case ForkHelper::Outcome::Stopped:
        return;
    case ForkHelper::Outcome::Failed:
        s.note = why;
        *error = QStringLiteral("%1: %2").arg(s.label, why);
        return;
    case ForkHelper::Outcome::Done:
        break;
    }
    s.valuesNs = std::move(reply.valuesNs);
    s.note = reply.note;
    if (!reply.error.isEmpty())
        *error = reply.error;
    s.computeSpread();
}

CostSample CreationMeasurement::forkCreation(int n, QString *error)
{
    CostSample s;
    s.id = QStringLiteral("fork");
    s.label = QStringLiteral("fork + _exit + waitpid");
    // The helper stops itself after kTimeLimitS; the rest is its start and a slow last fork.
    sampleInHelper(s, {QStringLiteral("fork"), QString::number(n)}, n, kTimeLimitS + 30, error);
    return s;
}

CostSample CreationMeasurement::forkAfterTouch(qint64 bytes, int n, QString *error)
{
    const QString size = formatBytes(bytes);
    CostSample s;
    s.id = QStringLiteral("fork_touch_%1").arg(size);
    s.label = QStringLiteral("fork after touching %1").arg(size);
    s.touchedBytes = bytes;
    // Touching is not limited in time: allow it 50 MiB/s, a slow VM's page-fault rate.
    const double touchS = double(bytes) / double(50 << 20);
    sampleInHelper(s, {QStringLiteral("fork-touch"), QString::number(bytes), QString::number(n)}, n,
        kTimeLimitS + 30 + touchS, error);
    return s;
}

// The page tables of the touched memory are copied by every fork.
CostSample CreationMeasurement::forkAfterTouchHere(qint64 bytes, int n, QString *error)
{
    const QString size = formatBytes(bytes);
    CostSample s;
    s.id = QStringLiteral("fork_touch_%1").arg(size);
    s.label = QStringLiteral("fork after touching %1").arg(size);
    s.touchedBytes = bytes;
    void *mem = mmap(nullptr, size_t(bytes), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) {
        s.note = QStringLiteral("could not map %1: %2").arg(size, lastErrorText());
        return s;
    }
    // 4 KiB pages, so that the page-table copy grows with the size (huge
    // pages would hide the effect behind 512x fewer entries).
    madvise(mem, size_t(bytes), MADV_NOHUGEPAGE);
    auto *bytesPtr = static_cast<volatile char *>(mem);
    const long page = sysconf(_SC_PAGESIZE);
    // One write per page: every page is mapped and private. keepGoing() (a system call in the
    // helper) is asked every 1024 pages.
    qint64 pagesWritten = 0;
    for (qint64 off = 0; off < bytes; off += page) {
        if (pagesWritten++ % 1024 == 0 && !keepGoing())
            break;
        bytesPtr[off] = 1;
    }
    s = creation(s.id, s.label, n, &CreationMeasurement::forkOnce, error);
    s.touchedBytes = bytes;
    munmap(mem, size_t(bytes));
    return s;
}

} // namespace proclab
