// What a real native process holds that does not survive a move (M5), read from /proc.
#include "mobility/nativeprocessprobe.h"

#include <QFile>
#include <QTest>

#include <csignal>

using namespace proclab::mobility;

class TestNativeProcessProbe : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void oneChild();
    void twoRunsCompared();
    void missingProgram();
};

namespace {

const NativeDescriptor *descriptor(const NativeProcessState &s, int fd)
{
    for (const NativeDescriptor &d : s.descriptors) {
        if (d.fd == fd)
            return &d;
    }
    return nullptr;
}

QString statusField(const NativeProcessState &s, const QString &key)
{
    for (const auto &entry : s.status) {
        if (entry.first == key)
            return entry.second;
    }
    return QString();
}

} // namespace

void TestNativeProcessProbe::oneChild()
{
    const NativeProcessState s = NativeProcessProbe::probe();
    QVERIFY2(s.error.isEmpty(), qPrintable(s.error));
    QVERIFY(s.pid > 0);
    QVERIFY(s.pid != ::getpid());
    QVERIFY2(s.program.endsWith(QStringLiteral("sleep")), qPrintable(s.program));
    // Its address space: the landmarks are there.
    QVERIFY(s.mappingCount > 5);
    QStringList kinds;
    for (const NativeRegion &r : s.regions) {
        kinds << r.kind;
        QVERIFY(r.end > r.start);
    }
    QVERIFY2(kinds.contains(QStringLiteral("stack")), qPrintable(kinds.join(QLatin1Char(','))));
    QVERIFY2(kinds.contains(QStringLiteral("executable")), qPrintable(kinds.join(QLatin1Char(','))));
    // The descriptors the probe gave it.
    const NativeDescriptor *file = descriptor(s, 3);
    QVERIFY(file);
    QCOMPARE(file->kind, QStringLiteral("file"));
    QVERIFY2(file->target.contains(QStringLiteral("proclab-native-")), qPrintable(file->target));
    const NativeDescriptor *socket = descriptor(s, 4);
    QVERIFY(socket);
    QCOMPARE(socket->kind, QStringLiteral("socket"));
    QVERIFY(socket->target.startsWith(QStringLiteral("socket:[")));
    const NativeDescriptor *out = descriptor(s, 1);
    QVERIFY(out);
    QCOMPARE(out->kind, QStringLiteral("pipe"));
    QCOMPARE(descriptor(s, 0)->target, QStringLiteral("/dev/null"));
    for (const NativeDescriptor &d : s.descriptors)
        QVERIFY(!d.whyItStays.isEmpty());
    // The kernel's part: SIGUSR1 blocked and pending, the process asleep in the kernel.
    const std::uint64_t usr1 = std::uint64_t(1) << (SIGUSR1 - 1);
    QVERIFY(s.blockedSignals & usr1);
    QVERIFY(s.pendingSignals & usr1);
    QVERIFY2(statusField(s, QStringLiteral("State")).startsWith(QLatin1Char('S')),
        qPrintable(statusField(s, QStringLiteral("State"))));
    QCOMPARE(statusField(s, QStringLiteral("Pid")), QString::number(s.pid));
    QCOMPARE(statusField(s, QStringLiteral("PPid")), QString::number(::getpid()));
    QVERIFY(!statusField(s, QStringLiteral("voluntary_ctxt_switches")).isEmpty());
    // Where it waits in the kernel, and in which system call (when this kernel lets us read them).
    if (!s.syscall.isEmpty()) {
        bool number = false;
        s.syscall.section(QLatin1Char(' '), 0, 0).toInt(&number);
        QVERIFY2(number, qPrintable(s.syscall));
    }
    QVERIFY(!s.waitChannel.isEmpty() || !QFile::exists(QStringLiteral("/proc/self/wchan")));
    QVERIFY(s.schedstat.isEmpty() || s.schedstat.count(QLatin1Char(' ')) == 2);
    // The probe killed and reaped it.
    QCOMPARE(::kill(pid_t(s.pid), 0), -1);
}

void TestNativeProcessProbe::twoRunsCompared()
{
    const NativeStateComparison c = NativeProcessProbe::compareTwoRuns();
    QVERIFY2(c.error.isEmpty(), qPrintable(c.error));
    QVERIFY(c.first.pid != c.second.pid);
    QVERIFY(!c.kernelRelease.isEmpty());
    QVERIFY(!c.regions.empty());
    int differing = 0;
    for (const auto &r : c.regions) {
        QCOMPARE(r.differs, r.firstStart != r.secondStart);
        differing += r.differs ? 1 : 0;
    }
    QCOMPARE(c.regionsThatDiffer, differing);
    // With address space randomisation on, the stack of the same program lands elsewhere each run
    // (2^-20 or so of a chance that it does not); with it off, everything lands at the same place.
    if (c.randomizeVaSpace >= 1) {
        bool stackDiffers = false;
        for (const auto &r : c.regions) {
            if (r.kind == QLatin1String("stack"))
                stackDiffers = r.differs;
        }
        QVERIFY(stackDiffers);
    } else if (c.randomizeVaSpace == 0) {
        QCOMPARE(c.regionsThatDiffer, 0);
    }
    // The kernel's objects differ too: the socket is another one each time.
    QCOMPARE(c.first.descriptors.size(), c.second.descriptors.size());
    const auto socketOf = [](const NativeProcessState &s) {
        for (const NativeDescriptor &d : s.descriptors) {
            if (d.fd == 4)
                return d.target;
        }
        return QString();
    };
    QVERIFY(!socketOf(c.first).isEmpty());
    QVERIFY(socketOf(c.first) != socketOf(c.second));
}

void TestNativeProcessProbe::missingProgram()
{
    NativeProbeConfig config;
    config.program = QStringLiteral("proclab-no-such-program");
    const NativeProcessState s = NativeProcessProbe::probe(config);
    QVERIFY2(s.error.startsWith(QStringLiteral("cannot start proclab-no-such-program")), qPrintable(s.error));
}

QTEST_APPLESS_MAIN(TestNativeProcessProbe)
#include "tst_nativeprocessprobe.moc"
