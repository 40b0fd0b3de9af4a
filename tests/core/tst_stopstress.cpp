#include "engine/registry.h"

#include "helpermain.h"
#include "proctasks.h"

#include <QTest>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <random>
#include <thread>

#include <sys/wait.h>

using namespace proclab;

/**
 * Starts and stops every built-in engine at random instants, many times (seeded, bounded in
 * time), and checks that each stop ends the run within a bound and leaves no thread, child
 * process or descriptor behind (counted from /proc/self).
 */
class TestStopStress : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyEngineStopsPromptlyAndCleanly();
};

namespace {

/// Children of this process not yet reaped (zombies or running), without reaping them.
bool anyChildLeft()
{
    siginfo_t info {};
    errno = 0;
    const int rc = ::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT);
    if (rc < 0)
        return errno != ECHILD;
    // rc == 0: a child exists; si_pid is 0 when none has changed state yet (still running).
    return true;
}

} // namespace

void TestStopStress::everyEngineStopsPromptlyAndCleanly()
{
    const int rounds = qEnvironmentVariableIsSet("PROCLAB_STRESS_ROUNDS")
        ? std::clamp(qEnvironmentVariableIntValue("PROCLAB_STRESS_ROUNDS"), 1, 1000)
        : 6;
    // A stop must end the run within this (generous for a loaded 2-core CI machine and the
    // sanitizers); the worst seen is printed so that the figure stays visible.
    const auto bound = std::chrono::seconds(qEnvironmentVariableIsSet("PROCLAB_STRESS_BOUND_S")
            ? qEnvironmentVariableIntValue("PROCLAB_STRESS_BOUND_S")
            : 10);
    std::mt19937 rng(20261130);
    std::uniform_int_distribution<int> delayMs(0, 250);

    const EngineRegistry &registry = EngineRegistry::builtin();
    const int threadsBefore = proclab::testing::countEntries("/proc/self/task");
    const int fdsBefore = proclab::testing::countEntries("/proc/self/fd");
    QVERIFY2(!anyChildLeft(), "a child process exists before the test");

    int stops = 0;
    double worstMs = 0;
    QString worstEngine;
    for (const auto &entry : registry.entries()) {
        for (int r = 0; r < rounds; ++r) {
            std::unique_ptr<Engine> engine = entry.create();
            QString error;
            QVERIFY2(engine->configure({}, &error), qPrintable(entry.info.id + QStringLiteral(": ") + error));
            engine->start();
            std::this_thread::sleep_for(std::chrono::milliseconds(delayMs(rng)));
            const auto t0 = std::chrono::steady_clock::now();
            engine->requestStop();
            const bool ended
                = engine->waitFinished(std::chrono::duration_cast<std::chrono::milliseconds>(bound));
            const double ms
                = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
            QVERIFY2(ended,
                qPrintable(QStringLiteral("%1 did not stop within %2 s (round %3)")
                               .arg(entry.info.id)
                               .arg(bound.count())
                               .arg(r)));
            engine.reset(); // joins the thread
            ++stops;
            if (ms > worstMs) {
                worstMs = ms;
                worstEngine = entry.info.id;
            }
            QVERIFY2(
                !anyChildLeft(), qPrintable(entry.info.id + QStringLiteral(" left a child process behind")));
        }
    }
    // Threads and descriptors may take a moment to disappear from /proc after a join.
    int threadsAfter = 0;
    int fdsAfter = 0;
    for (int i = 0; i < 50; ++i) {
        threadsAfter = proclab::testing::countEntries("/proc/self/task");
        fdsAfter = proclab::testing::countEntries("/proc/self/fd");
        if (threadsAfter <= threadsBefore && fdsAfter <= fdsBefore)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::printf("stop stress: %d stops of %d engines, worst stop %.1f ms (%s); threads %d -> %d, "
                "descriptors %d -> %d\n",
        stops, int(registry.entries().size()), worstMs, qPrintable(worstEngine), threadsBefore, threadsAfter,
        fdsBefore, fdsAfter);
    QVERIFY2(threadsAfter <= threadsBefore,
        qPrintable(QStringLiteral("threads left behind: %1 -> %2").arg(threadsBefore).arg(threadsAfter)));
    QVERIFY2(fdsAfter <= fdsBefore,
        qPrintable(QStringLiteral("descriptors left behind: %1 -> %2").arg(fdsBefore).arg(fdsAfter)));
}

PROCLAB_TEST_MAIN_WITH_HELPERS(TestStopStress)
#include "tst_stopstress.moc"
