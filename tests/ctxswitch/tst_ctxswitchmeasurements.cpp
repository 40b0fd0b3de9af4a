// The ctxswitch measurements alone, without the engine: counts and invariants of real
// measurements (never their speed), that a stop leaves no thread or child behind, and that
// the fork helper's reply is checked (crafted bytes, and helpers that misbehave).

#include "ctxswitch/affinityguard.h"
#include "ctxswitch/creationmeasurement.h"
#include "ctxswitch/ctxswitchseries.h"
#include "ctxswitch/forkhelper.h"
#include "ctxswitch/forkreply.h"
#include "ctxswitch/indirectmeasurement.h"
#include "ctxswitch/switchmeasurement.h"

#include "common/helpermode.h"

#include <QTest>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace proclab;

class TestCtxSwitchMeasurements : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void pingPongCountsItsRoundTrips_data();
    void pingPongCountsItsRoundTrips();
    void stoppedBeforeStartMeasuresNothing();
    void creationSamples();
    void forkReplyRoundTrip();
    void forkReplyRefusesMalformedBytes_data();
    void forkReplyRefusesMalformedBytes();
    void brokenHelperGivesOneLineError_data();
    void brokenHelperGivesOneLineError();
    void hungHelperTimesOut();
    void stopDuringHelperRunEndsAndReaps_data();
    void stopDuringHelperRunEndsAndReaps();
    void indirectPoint();
    void indirectNoiseRule();
    void affinityIsRestored();
};

namespace {

bool noChildrenLeft()
{
    errno = 0;
    return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

/// A keepGoing() that turns false at its @p calls-th call (after the helper has started).
std::function<bool()> stopAtCall(int calls)
{
    auto count = std::make_shared<int>(0);
    return [count, calls] { return ++*count < calls; };
}

// Fork helpers that misbehave, started like the real one (this program in helper mode).
constexpr char kGarbageHelper[] = "test-fork-garbage";
constexpr char kShortHelper[] = "test-fork-short";
constexpr char kCrashHelper[] = "test-fork-crash";
constexpr char kTooManyHelper[] = "test-fork-too-many";
constexpr char kHangHelper[] = "test-fork-hang";

void writeAll(const QByteArray &bytes)
{
    const char *p = bytes.constData();
    std::size_t left = std::size_t(bytes.size());
    while (left > 0) {
        const ssize_t n = ::write(STDOUT_FILENO, p, left);
        if (n <= 0)
            return;
        p += n;
        left -= std::size_t(n);
    }
}

/// Runs the broken helper @p name; -1 when @p name is none of them.
int runBrokenHelper(const char *name)
{
    ForkReply three;
    three.valuesNs = {1000, 2000, 3000};
    if (std::strcmp(name, kGarbageHelper) == 0) {
        writeAll("Unknown option: '--proclab-helper'. This program prints text, not a reply.\n");
        return 0;
    }
    if (std::strcmp(name, kShortHelper) == 0) {
        writeAll(three.encode().chopped(5)); // the last value cut short
        return 0;
    }
    if (std::strcmp(name, kCrashHelper) == 0) {
        writeAll(three.encode().left(10));
        ::raise(SIGKILL);
    }
    if (std::strcmp(name, kTooManyHelper) == 0) {
        ForkReply many;
        many.valuesNs.assign(1000, 5000.0); // the tests ask for 100
        writeAll(many.encode());
        return 0;
    }
    if (std::strcmp(name, kHangHelper) == 0) {
        for (;;)
            ::pause();
    }
    return -1;
}

} // namespace

void TestCtxSwitchMeasurements::pingPongCountsItsRoundTrips_data()
{
    QTest::addColumn<bool>("process");
    QTest::addColumn<bool>("futex");
    QTest::newRow("threads, pipe") << false << false;
    QTest::newRow("threads, futex") << false << true;
    QTest::newRow("processes, pipe") << true << false;
    QTest::newRow("processes, futex") << true << true;
}

void TestCtxSwitchMeasurements::pingPongCountsItsRoundTrips()
{
    QFETCH(bool, process);
    QFETCH(bool, futex);
    AffinityGuard restore;
    SwitchMeasurement m;
    m.cpuA = m.cpuB = allowedCpus().front();
    QString error;
    const int n = 100;
    const CostSample s = process ? m.processPingPong(futex, n, &error) : m.threadPingPong(futex, n, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(s.id,
        QStringLiteral("%1_switch_%2")
            .arg(process ? QStringLiteral("process") : QStringLiteral("thread"),
                futex ? QStringLiteral("futex") : QStringLiteral("pipe")));
    // The warm-up round trips are made but not recorded.
    QCOMPARE(int(s.valuesNs.size()), n);
    QCOMPARE(s.roundTrips, qint64(n + SwitchMeasurement::kWarmupRoundTrips));
    QVERIFY(s.p10Ns <= s.medianNs && s.medianNs <= s.p90Ns);
    QVERIFY(s.voluntarySwitches >= 0 && s.involuntarySwitches >= 0);
    for (double v : s.valuesNs)
        QVERIFY(v > 0);
    // Both sides on one CPU: in every round trip each side gives the CPU up once (it blocks,
    // or is preempted by the side it woke), so at least two switches per timed round trip.
    const qint64 counted = s.voluntarySwitches + s.involuntarySwitches;
    QVERIFY2(
        counted >= 2 * n, qPrintable(QStringLiteral("%1 switches for %2 round trips").arg(counted).arg(n)));
    QVERIFY(s.note.isEmpty());
    QVERIFY(noChildrenLeft());
}

void TestCtxSwitchMeasurements::stoppedBeforeStartMeasuresNothing()
{
    SwitchMeasurement m;
    m.keepGoing = [] { return false; };
    QString error;
    for (bool futex : {false, true}) {
        QVERIFY(m.threadPingPong(futex, 1000, &error).valuesNs.empty());
        QVERIFY(m.processPingPong(futex, 1000, &error).valuesNs.empty());
    }
    QVERIFY2(error.isEmpty(), qPrintable(error)); // a stop is not an error
    QVERIFY(noChildrenLeft());
    QVERIFY(m.syscallCost().valuesNs.empty());
    CreationMeasurement c;
    c.keepGoing = [] { return false; };
    QVERIFY(
        c.creation(QStringLiteral("fork"), QStringLiteral("fork"), 10, &CreationMeasurement::forkOnce, &error)
            .valuesNs.empty());
    QVERIFY(c.forkCreation(10, &error).valuesNs.empty());
    QVERIFY(c.forkAfterTouch(qint64(1) << 20, 3, &error).valuesNs.empty());
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(noChildrenLeft());
}

void TestCtxSwitchMeasurements::creationSamples()
{
    CreationMeasurement c;
    QString error;
    const CostSample t = c.creation(QStringLiteral("thread_create"), QStringLiteral("thread"), 6,
        &CreationMeasurement::threadOnce, &error);
    QCOMPARE(int(t.valuesNs.size()), 6);
    QCOMPARE(t.touchedBytes, qint64(0));
    // The forks, timed in the fork helper: every sample taken and a time.
    const CostSample fork = c.forkCreation(7, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(fork.id, QStringLiteral("fork"));
    QCOMPARE(fork.label, QStringLiteral("fork + _exit + waitpid"));
    QCOMPARE(int(fork.valuesNs.size()), 7);
    for (double v : fork.valuesNs)
        QVERIFY(v > 0);
    QVERIFY(fork.p10Ns <= fork.medianNs && fork.medianNs <= fork.p90Ns);
    QCOMPARE(fork.touchedBytes, qint64(0));
    const CostSample f = c.forkAfterTouch(qint64(1) << 20, 3, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(f.id, QStringLiteral("fork_touch_1MiB"));
    QCOMPARE(f.label, QStringLiteral("fork after touching 1MiB"));
    QCOMPARE(f.touchedBytes, qint64(1) << 20);
    QCOMPARE(int(f.valuesNs.size()), 3);
    for (double v : f.valuesNs)
        QVERIFY(v > 0);
    QVERIFY(f.medianNs > 0);
    QVERIFY(noChildrenLeft());
}

void TestCtxSwitchMeasurements::forkReplyRoundTrip()
{
    ForkReply r;
    r.valuesNs = {1.5, 2000, 3e6};
    r.roundTrips = 203;
    r.voluntarySwitches = 410;
    r.involuntarySwitches = 3;
    r.note = QStringLiteral("cut short after 20 s");
    r.error = QStringLiteral("fork failed:\nno memory"); // sent on one line
    const QByteArray bytes = r.encode();
    QCOMPARE(bytes.size(), ForkReply::kHeaderBytes + 3 * 8 + r.note.size() + r.error.size());
    QString error;
    QCOMPARE(ForkReply::payloadBytes(bytes.left(ForkReply::kHeaderBytes), 3, &error),
        std::optional<qint64>(bytes.size() - ForkReply::kHeaderBytes));
    const std::optional<ForkReply> back = ForkReply::decode(bytes, 3, &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(back->valuesNs, r.valuesNs);
    QCOMPARE(back->roundTrips, qint64(203));
    QCOMPARE(back->voluntarySwitches, qint64(410));
    QCOMPARE(back->involuntarySwitches, qint64(3));
    QCOMPARE(back->note, r.note);
    QCOMPARE(back->error, QStringLiteral("fork failed: no memory"));
    // An empty reply (a stop before the first sample) is well formed too.
    QVERIFY(ForkReply::decode(ForkReply().encode(), 0, &error));
}

void TestCtxSwitchMeasurements::forkReplyRefusesMalformedBytes_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expected");
    ForkReply two;
    two.valuesNs = {100, 200};
    two.note = QStringLiteral("n");
    const QByteArray good = two.encode();
    auto withValue = [&](int index, double v) {
        QByteArray b = good;
        std::memcpy(b.data() + ForkReply::kHeaderBytes + 8 * index, &v, sizeof v);
        return b;
    };
    auto withField = [&](int offset, std::int64_t v, int size) {
        QByteArray b = good;
        std::memcpy(b.data() + offset, &v, std::size_t(size));
        return b;
    };
    QTest::newRow("empty") << QByteArray()
                           << QStringLiteral("a reply of 0 bytes, shorter than its 48-byte header");
    QTest::newRow("half a header") << good.left(20)
                                   << QStringLiteral("a reply of 20 bytes, shorter than its 48-byte header");
    QTest::newRow("garbage") << QByteArray("Usage: tst_x [options]\n").leftJustified(64, ' ')
                             << QStringLiteral("not a reply of the fork helper (it starts with 'Usage: t')");
    QTest::newRow("binary garbage") << QByteArray(64, '\x01')
                                    << QStringLiteral("not a reply of the fork helper (it starts with '%1')")
                                           .arg(QString(8, QLatin1Char('?')));
    QTest::newRow("short by a byte") << good.chopped(1)
                                     << QStringLiteral("a reply of 64 bytes where its header announces 65");
    QTest::newRow("a byte too many") << good + 'x'
                                     << QStringLiteral("a reply of 66 bytes where its header announces 65");
    QTest::newRow("more samples than asked")
        << withField(8, 3, 4) << QStringLiteral("3 samples in a reply, more than the 2 asked for");
    QTest::newRow("huge count") << withField(8, 0xffffffff, 4)
                                << QStringLiteral("4294967295 samples in a reply, more than the 2 asked for");
    QTest::newRow("huge note") << withField(12, 5000, 4)
                               << QStringLiteral("a note or error of more than 1024 bytes in a reply");
    QTest::newRow("unknown field") << withField(20, 7, 4)
                                   << QStringLiteral("a reply header with an unknown field set (7)");
    QTest::newRow("negative round trips") << withField(
        24, -5, 8) << QStringLiteral("negative counts in a reply (-5 round trips, -1 and -1 switches)");
    QTest::newRow("NaN sample") << withValue(1, std::numeric_limits<double>::quiet_NaN())
                                << QStringLiteral("sample 1 of a reply is not a time (nan ns)");
    QTest::newRow("negative sample") << withValue(0, -3)
                                     << QStringLiteral("sample 0 of a reply is not a time (-3 ns)");
    QTest::newRow("infinite sample") << withValue(0, std::numeric_limits<double>::infinity())
                                     << QStringLiteral("sample 0 of a reply is not a time (inf ns)");
}

void TestCtxSwitchMeasurements::forkReplyRefusesMalformedBytes()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expected);
    QString error;
    QVERIFY(!ForkReply::decode(bytes, 2, &error));
    QCOMPARE(error, expected);
    QVERIFY(!error.contains(QLatin1Char('\n')));
}

void TestCtxSwitchMeasurements::brokenHelperGivesOneLineError_data()
{
    QTest::addColumn<QString>("helper");
    QTest::addColumn<QString>("expected");
    QTest::newRow("garbage") << QString::fromLatin1(kGarbageHelper)
                             << QStringLiteral(
                                    "the fork helper sent a malformed reply: not a reply of the fork "
                                    "helper (it starts with 'Unknown ')");
    QTest::newRow("short reply") << QString::fromLatin1(kShortHelper)
                                 << QStringLiteral(
                                        "the fork helper ended before its reply was complete (exited with "
                                        "status 0)");
    QTest::newRow("crash") << QString::fromLatin1(kCrashHelper)
                           << QStringLiteral(
                                  "the fork helper ended before its reply was complete (ended by signal 9)");
    QTest::newRow("more samples than asked")
        << QString::fromLatin1(kTooManyHelper)
        << QStringLiteral("the fork helper sent a malformed reply: 1000 samples "
                          "in a reply, more than the 100 asked for");
    QTest::newRow("missing") << QStringLiteral("no-such-fork-helper")
                             << QStringLiteral(
                                    "the fork helper ended before its reply was complete (exited with "
                                    "status 127): proclab: no helper mode 'no-such-fork-helper'");
}

void TestCtxSwitchMeasurements::brokenHelperGivesOneLineError()
{
    QFETCH(QString, helper);
    QFETCH(QString, expected);
    AffinityGuard restore;
    // The process ping-pong: the error fails the run, the note says it on the sample's row.
    SwitchMeasurement m;
    m.cpuA = m.cpuB = allowedCpus().front();
    m.forkHelper = helper;
    QString error;
    const CostSample s = m.processPingPong(false, 100, &error);
    QCOMPARE(error, QStringLiteral("process switch (pipe): ") + expected);
    QCOMPARE(s.note, expected);
    QCOMPARE(s.id, QStringLiteral("process_switch_pipe"));
    QVERIFY(s.valuesNs.empty());
    QCOMPARE(s.voluntarySwitches, qint64(-1));
    // The creation measurements that fork: the same message after their label.
    CreationMeasurement c;
    c.forkHelper = helper;
    error.clear();
    const CostSample f = c.forkCreation(100, &error);
    QCOMPARE(error, QStringLiteral("fork + _exit + waitpid: ") + expected);
    QCOMPARE(f.note, expected);
    QVERIFY(f.valuesNs.empty());
    error.clear();
    const CostSample t = c.forkAfterTouch(qint64(1) << 20, 100, &error);
    QCOMPARE(error, QStringLiteral("fork after touching 1MiB: ") + expected);
    QCOMPARE(t.touchedBytes, qint64(1) << 20);
    QVERIFY(noChildrenLeft());
}

void TestCtxSwitchMeasurements::hungHelperTimesOut()
{
    ForkHelper helper;
    helper.helper = QString::fromLatin1(kHangHelper);
    ForkReply reply;
    QString error;
    QCOMPARE(helper.run({QStringLiteral("fork"), QStringLiteral("5")}, 5, 1, &reply, &error),
        ForkHelper::Outcome::Failed);
    QCOMPARE(error, QStringLiteral("the fork helper did not answer within 1 s"));
    QVERIFY(noChildrenLeft()); // killed and reaped
}

void TestCtxSwitchMeasurements::stopDuringHelperRunEndsAndReaps_data()
{
    QTest::addColumn<QString>("helper");
    QTest::addColumn<bool>("futex");
    // The real helper stops when its input ends and reaps its partner first: were it killed
    // instead, the partner would be left to this process (a subreaper), and seen below.
    QTest::newRow("ping-pong, pipe") << QString::fromLatin1(ForkHelper::kName) << false;
    QTest::newRow("ping-pong, futex") << QString::fromLatin1(ForkHelper::kName) << true;
    // A helper that ignores its input is killed.
    QTest::newRow("hung helper") << QString::fromLatin1(kHangHelper) << false;
}

void TestCtxSwitchMeasurements::stopDuringHelperRunEndsAndReaps()
{
    QFETCH(QString, helper);
    QFETCH(bool, futex);
    AffinityGuard restore;
    SwitchMeasurement m;
    m.cpuA = m.cpuB = allowedCpus().front();
    m.forkHelper = helper;
    // A million round trips: far from done when the stop comes, after a few waits for the reply.
    m.keepGoing = stopAtCall(4);
    QString error;
    const CostSample s = m.processPingPong(futex, 1000000, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error)); // a stop is not an error
    QVERIFY(s.valuesNs.empty());
    QVERIFY(s.note.isEmpty());
    QVERIFY(noChildrenLeft());
}

void TestCtxSwitchMeasurements::indirectPoint()
{
    AffinityGuard restore;
    IndirectMeasurement m;
    m.cpu = allowedCpus().front();
    std::mt19937_64 rng(1);
    QString error;
    const IndirectPoint p = m.point(16 * 1024, 4, rng, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(p.workingSetBytes, qint64(16) * 1024);
    QCOMPARE(p.repetitions, 4);
    QVERIFY(p.warmWalkNs > 0 && p.afterSwitchWalkNs > 0);
    QCOMPARE(p.indirectNs, p.afterSwitchWalkNs - p.warmWalkNs);
}

void TestCtxSwitchMeasurements::indirectNoiseRule()
{
    // Walk times 1000..1020 ns; the walks after a switch shifted by some amount.
    std::vector<double> warm;
    for (int i = 0; i <= 20; ++i)
        warm.push_back(1000 + i);
    auto shifted = [&](double by) {
        std::vector<double> v = warm;
        for (double &x : v)
            x += by;
        return v;
    };
    // Shifted far past the spread: a resolved indirect cost, its spread on both sides of it.
    IndirectPoint far = IndirectPoint::fromWalks(4096, warm, shifted(300));
    QCOMPARE(far.workingSetBytes, qint64(4096));
    QCOMPARE(far.repetitions, 21);
    QCOMPARE(far.indirectNs, 300.0);
    QCOMPARE(far.spreadLowNs, 300.0 - 10); // after p25 (1305) - warm p75 (1015)
    QCOMPARE(far.spreadHighNs, 300.0 + 10);
    QVERIFY(!far.belowNoise());
    // Shifted by less than the middle half's width: the same sign, but below the noise.
    const IndirectPoint near = IndirectPoint::fromWalks(4096, warm, shifted(6));
    QCOMPARE(near.indirectNs, 6.0);
    QVERIFY(near.spreadLowNs < 0 && near.spreadHighNs > 0);
    QVERIFY(near.belowNoise());
    // A negative difference is kept as measured (nothing clamped) and said to be noise.
    const IndirectPoint negative = IndirectPoint::fromWalks(4096, warm, shifted(-4));
    QCOMPARE(negative.indirectNs, -4.0);
    QVERIFY(negative.belowNoise());
    // Faster after the switch beyond the spread: shown as it is, not called noise.
    const IndirectPoint faster = IndirectPoint::fromWalks(4096, warm, shifted(-100));
    QCOMPARE(faster.indirectNs, -100.0);
    QVERIFY(!faster.belowNoise());
    // No walks: no point.
    QCOMPARE(IndirectPoint::fromWalks(4096, {}, {}).repetitions, 0);
    // The peak is the largest point above the noise, however large a noisy one is.
    IndirectPoint noisyBig = IndirectPoint::fromWalks(8192, warm, shifted(9));
    std::vector<IndirectPoint> sweep {near, noisyBig, far};
    QCOMPARE(largestIndirectCost(sweep)->indirectNs, 300.0);
    sweep = {near, noisyBig, faster};
    QCOMPARE(largestIndirectCost(sweep)->indirectNs, -100.0);
    // Every point below the noise: the largest of them (the view then says so).
    sweep = {near, noisyBig, negative};
    QCOMPARE(largestIndirectCost(sweep)->workingSetBytes, qint64(8192));
}

void TestCtxSwitchMeasurements::affinityIsRestored()
{
    const std::vector<int> before = allowedCpus();
    {
        AffinityGuard restore;
        QVERIFY(pinThisThread(before.back()));
        QCOMPARE(allowedCpus(), std::vector<int> {before.back()});
    }
    QCOMPARE(allowedCpus(), before);
}

int main(int argc, char *argv[])
{
    // This program is also the fork helper, real or broken, when started as one.
    if (argc >= 3 && std::strcmp(argv[1], kHelperModeFlag) == 0) {
        if (const int status = runBrokenHelper(argv[2]); status >= 0)
            return status;
    }
    if (const int status = runHelperModeIfRequested(argc, argv); status >= 0)
        return status;
    // A child a helper leaves behind becomes this process's child, where noChildrenLeft() sees it.
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    TestCtxSwitchMeasurements tc;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&tc, argc, argv);
}
#include "tst_ctxswitchmeasurements.moc"
