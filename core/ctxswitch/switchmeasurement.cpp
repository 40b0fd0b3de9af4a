#include "switchmeasurement.h"

#include "affinityguard.h"

#include "common/clock.h"
#include "common/errortext.h"

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <new>
#include <thread>

#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

namespace proclab {

// The futex hand-off word: 0 = A's turn, 1 = B's turn, 2 = B must quit.
// In a MAP_SHARED page so that a forked child sees the same word.
struct alignas(64) FutexTurn {
    std::atomic<std::uint32_t> turn {0};
};
static_assert(std::atomic<std::uint32_t>::is_always_lock_free);

namespace {

// Futex waits time out this often so that a dead partner or a stop is noticed.
constexpr long kFutexTimeoutNs = 100'000'000;
constexpr int kWarmupRoundTrips = SwitchMeasurement::kWarmupRoundTrips;
constexpr double kVariantTimeLimitS = SwitchMeasurement::kVariantTimeLimitS;

struct SwitchCounts {
    long voluntary = 0;
    long involuntary = 0;
};

SwitchCounts threadCounts()
{
    rusage ru {};
    getrusage(RUSAGE_THREAD, &ru);
    return {ru.ru_nvcsw, ru.ru_nivcsw};
}

long futexWait(std::atomic<std::uint32_t> *word, std::uint32_t expected, bool shared)
{
    timespec timeout {0, kFutexTimeoutNs};
    return syscall(SYS_futex, reinterpret_cast<std::uint32_t *>(word),
        shared ? FUTEX_WAIT : FUTEX_WAIT_PRIVATE, expected, &timeout, nullptr, 0);
}

void futexWake(std::atomic<std::uint32_t> *word, bool shared)
{
    syscall(SYS_futex, reinterpret_cast<std::uint32_t *>(word), shared ? FUTEX_WAKE : FUTEX_WAKE_PRIVATE, 1,
        nullptr, nullptr, 0);
}

// The two ways a token goes back and forth: a pair of pipes, or one futex word in
// shared memory. Closes whatever is still open and unmaps the word when it goes.
struct PingPongChannel {
    int p1[2] = {-1, -1};
    int p2[2] = {-1, -1};
    FutexTurn *turn = nullptr;

    PingPongChannel() = default;
    PingPongChannel(const PingPongChannel &) = delete;
    PingPongChannel &operator=(const PingPongChannel &) = delete;
    ~PingPongChannel()
    {
        for (int fd : {p1[0], p1[1], p2[0], p2[1]})
            if (fd >= 0)
                ::close(fd);
        if (turn)
            munmap(turn, sizeof(FutexTurn));
    }

    bool open(bool futex, QString *error)
    {
        if (futex) {
            void *mem
                = mmap(nullptr, sizeof(FutexTurn), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
            if (mem == MAP_FAILED) {
                *error = QStringLiteral("mmap failed: %1").arg(lastErrorText());
                return false;
            }
            turn = new (mem) FutexTurn;
            return true;
        }
        if (::pipe2(p1, O_CLOEXEC) != 0 || ::pipe2(p2, O_CLOEXEC) != 0) {
            *error = QStringLiteral("pipe failed: %1").arg(lastErrorText());
            return false;
        }
        return true;
    }
};

// The partner's side of a ping-pong. Runs in a thread or in a forked child,
// so it uses only system calls (async-signal-safe after fork).
void partnerPipeLoop(int readFd, int writeFd)
{
    char c = 0;
    for (;;) {
        const ssize_t k = ::read(readFd, &c, 1);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return; // the other side closed: quit
        if (::write(writeFd, &c, 1) != 1)
            return;
    }
}

void partnerFutexLoop(FutexTurn *f, bool shared)
{
    for (;;) {
        std::uint32_t v = f->turn.load(std::memory_order_acquire);
        while (v == 0) {
            futexWait(&f->turn, 0, shared);
            v = f->turn.load(std::memory_order_acquire);
        }
        if (v == 2)
            return;
        f->turn.store(0, std::memory_order_release);
        futexWake(&f->turn, shared);
    }
}

} // namespace

CostSample SwitchMeasurement::syscallCost()
{
    CostSample s;
    s.id = QStringLiteral("syscall");
    s.label = QStringLiteral("bare system call (getppid)");
    constexpr int kBatch = 1000;
    for (int b = 0; b < 300 && keepGoing(); ++b) {
        const std::int64_t t0 = monotonicNs();
        for (int i = 0; i < kBatch; ++i)
            syscall(SYS_getppid); // always enters the kernel (no vDSO, no caching)
        s.valuesNs.push_back(double(monotonicNs() - t0) / kBatch);
    }
    s.computeSpread();
    return s;
}

CostSample SwitchMeasurement::switchSample(const QString &who, bool futex)
{
    const QString via = futex ? QStringLiteral("futex") : QStringLiteral("pipe");
    CostSample s;
    s.id = QStringLiteral("%1_switch_%2").arg(who, via);
    s.label = QStringLiteral("%1 switch (%2)").arg(who, via);
    return s;
}

CostSample SwitchMeasurement::threadPingPong(bool futex, int n, QString *error)
{
    CostSample s = switchSample(QStringLiteral("thread"), futex);
    PingPongChannel channel;
    if (!channel.open(futex, error))
        return s;
    int *p1 = channel.p1;
    int *p2 = channel.p2;
    FutexTurn *ft = channel.turn;
    SwitchCounts partner;
    std::thread b([&] {
        pinThisThread(cpuB);
        const SwitchCounts c0 = threadCounts();
        if (futex)
            partnerFutexLoop(ft, false);
        else
            partnerPipeLoop(p1[0], p2[1]);
        const SwitchCounts c1 = threadCounts();
        partner = {c1.voluntary - c0.voluntary, c1.involuntary - c0.involuntary};
    });
    pinThisThread(cpuA);
    const SwitchCounts a0 = threadCounts();
    runPingPong(s, n, futex, ft, false, p1[1], p2[0], -1, error);
    const SwitchCounts a1 = threadCounts();
    // Tell the partner to quit, then join it (its counts are read after the join).
    if (futex) {
        ft->turn.store(2, std::memory_order_release);
        futexWake(&ft->turn, false);
    } else {
        ::close(p1[1]);
        p1[1] = -1;
    }
    b.join();
    s.voluntarySwitches = (a1.voluntary - a0.voluntary) + partner.voluntary;
    s.involuntarySwitches = (a1.involuntary - a0.involuntary) + partner.involuntary;
    s.computeSpread();
    return s; // the channel closes what is still open and unmaps the turn word
}

CostSample SwitchMeasurement::processPingPong(bool futex, int n, QString *error)
{
    CostSample s = switchSample(QStringLiteral("process"), futex);
    ForkHelper helper;
    helper.keepGoing = keepGoing;
    helper.helper = forkHelper;
    ForkReply reply;
    QString why;
    const QStringList args {QStringLiteral("pingpong"),
        futex ? QStringLiteral("futex") : QStringLiteral("pipe"), QString::number(cpuA),
        QString::number(cpuB), QString::number(n)};
    // The helper stops itself after kVariantTimeLimitS; the rest is its start, the warm-up and
    // a dead partner's futex timeouts (5 s).
    switch (helper.run(args, n, kVariantTimeLimitS + 30, &reply, &why)) {
    case ForkHelper::Outcome::Stopped:
        return s;
    case ForkHelper::Outcome::Failed:
        s.note = why;
        *error = QStringLiteral("%1: %2").arg(s.label, why);
        return s;
    case ForkHelper::Outcome::Done:
        break;
    }
    s.valuesNs = std::move(reply.valuesNs);
    s.roundTrips = reply.roundTrips;
    s.voluntarySwitches = reply.voluntarySwitches;
    s.involuntarySwitches = reply.involuntarySwitches;
    s.note = reply.note;
    if (!reply.error.isEmpty())
        *error = reply.error;
    s.computeSpread();
    return s;
}

CostSample SwitchMeasurement::processPingPongHere(bool futex, int n, QString *error)
{
    CostSample s = switchSample(QStringLiteral("process"), futex);
    PingPongChannel channel;
    if (!channel.open(futex, error))
        return s;
    int *p1 = channel.p1;
    int *p2 = channel.p2;
    FutexTurn *ft = channel.turn;
    pinThisThread(cpuA);
    const pid_t pid = ::fork();
    if (pid < 0) {
        *error = QStringLiteral("fork failed: %1").arg(lastErrorText());
    } else if (pid == 0) {
        // Child: system calls only, then _exit. It dies with the parent.
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpuB, &set);
        sched_setaffinity(0, sizeof set, &set);
        if (futex) {
            partnerFutexLoop(ft, true);
        } else {
            ::close(p1[1]);
            ::close(p2[0]);
            partnerPipeLoop(p1[0], p2[1]);
        }
        _exit(0);
    }
    if (pid > 0) {
        if (!futex) {
            // Only the child keeps these ends, so its exit gives us EOF.
            ::close(p1[0]);
            ::close(p2[1]);
            p1[0] = p2[1] = -1;
        }
        const SwitchCounts a0 = threadCounts();
        runPingPong(s, n, futex, ft, true, p1[1], p2[0], pid, error);
        const SwitchCounts a1 = threadCounts();
        if (futex) {
            ft->turn.store(2, std::memory_order_release);
            futexWake(&ft->turn, true);
        } else {
            ::close(p1[1]);
            p1[1] = -1;
        }
        int status = 0;
        rusage child {};
        // wait4 gives the child's own counts: its side of every hand-off.
        while (wait4(pid, &status, 0, &child) < 0 && errno == EINTR) { }
        s.voluntarySwitches = (a1.voluntary - a0.voluntary) + child.ru_nvcsw;
        s.involuntarySwitches = (a1.involuntary - a0.involuntary) + child.ru_nivcsw;
    }
    s.computeSpread();
    return s; // the channel closes what is still open and unmaps the turn word
}

// The timed loop, on the calling thread (side A: the engine thread, or the fork
// helper's). writeFd/readFd for pipes, ft for futexes; childPid > 0 when the partner
// is a process (checked on futex timeouts so that a dead child cannot hang us).
void SwitchMeasurement::runPingPong(CostSample &s, int n, bool futex, FutexTurn *ft, bool shared, int writeFd,
    int readFd, pid_t childPid, QString *error)
{
    auto roundTrip = [&]() -> bool {
        if (futex) {
            ft->turn.store(1, std::memory_order_release);
            futexWake(&ft->turn, shared);
            int waits = 0;
            while (ft->turn.load(std::memory_order_acquire) == 1) {
                if (futexWait(&ft->turn, 1, shared) != 0 && errno == ETIMEDOUT) {
                    if (!keepGoing() || ++waits > 50)
                        return false;
                    if (childPid > 0 && ::waitpid(childPid, nullptr, WNOHANG) == childPid)
                        return false;
                }
            }
            return true;
        }
        char c = 'x';
        if (::write(writeFd, &c, 1) != 1)
            return false;
        for (;;) {
            const ssize_t k = ::read(readFd, &c, 1);
            if (k == 1)
                return true;
            if (k < 0 && errno == EINTR)
                continue;
            return false; // EOF: the partner ended
        }
    };
    const std::int64_t start = monotonicNs();
    s.valuesNs.reserve(std::size_t(n));
    for (int i = 0; i < kWarmupRoundTrips + n; ++i) {
        if (i % 256 == 0) {
            if (!keepGoing())
                break;
            if (double(monotonicNs() - start) / 1e9 > kVariantTimeLimitS) {
                s.note = QStringLiteral("cut short after %1 s").arg(kVariantTimeLimitS);
                break;
            }
        }
        const std::int64_t t0 = monotonicNs();
        if (!roundTrip()) {
            if (keepGoing())
                *error = QStringLiteral("%1: the partner stopped answering").arg(s.label);
            break;
        }
        const std::int64_t t1 = monotonicNs();
        ++s.roundTrips;
        if (i >= kWarmupRoundTrips)
            s.valuesNs.push_back(double(t1 - t0) / 2.0); // one round trip = two switches
    }
}

} // namespace proclab
