#include "ctxswitchengine.h"

#include "common/clock.h"
#include "common/errortext.h"


#include <QDir>
#include <QFile>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <numeric>
#include <random>
#include <thread>

#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

namespace proclab {

namespace {

constexpr int kWarmupRoundTrips = 200;
// A variant that takes longer than this is cut short (the result says so).
constexpr double kVariantTimeLimitS = 20.0;
// Creation measurements stop after this long (fork can take milliseconds on a busy VM).
constexpr double kCreationTimeLimitS = 4.0;
// Futex waits time out this often so that a dead partner or a stop is noticed.
constexpr long kFutexTimeoutNs = 100'000'000;

std::vector<int> allowedCpus()
{
    cpu_set_t set;
    CPU_ZERO(&set);
    std::vector<int> cpus;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        for (int c = 0; c < CPU_SETSIZE; ++c) {
            if (CPU_ISSET(c, &set))
                cpus.push_back(c);
        }
    }
    if (cpus.empty())
        cpus.push_back(0);
    return cpus;
}

// Pins the calling thread (pthread) to one CPU.
bool pinThisThread(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

// Restores the engine thread's CPU mask when a measurement ends.
class AffinityGuard {
public:
    AffinityGuard() { m_ok = pthread_getaffinity_np(pthread_self(), sizeof m_saved, &m_saved) == 0; }
    ~AffinityGuard()
    {
        if (m_ok)
            pthread_setaffinity_np(pthread_self(), sizeof m_saved, &m_saved);
    }
    AffinityGuard(const AffinityGuard &) = delete;
    AffinityGuard &operator=(const AffinityGuard &) = delete;

private:
    cpu_set_t m_saved{};
    bool m_ok = false;
};

struct SwitchCounts {
    long voluntary = 0;
    long involuntary = 0;
};

SwitchCounts threadCounts()
{
    rusage ru{};
    getrusage(RUSAGE_THREAD, &ru);
    return {ru.ru_nvcsw, ru.ru_nivcsw};
}

long futexWait(std::atomic<std::uint32_t> *word, std::uint32_t expected, bool shared)
{
    timespec timeout{0, kFutexTimeoutNs};
    return syscall(SYS_futex, reinterpret_cast<std::uint32_t *>(word),
                   shared ? FUTEX_WAIT : FUTEX_WAIT_PRIVATE, expected, &timeout, nullptr, 0);
}

void futexWake(std::atomic<std::uint32_t> *word, bool shared)
{
    syscall(SYS_futex, reinterpret_cast<std::uint32_t *>(word), shared ? FUTEX_WAKE : FUTEX_WAKE_PRIVATE,
            1, nullptr, nullptr, 0);
}

// The futex hand-off word: 0 = A's turn, 1 = B's turn, 2 = B must quit.
// In a MAP_SHARED page so that a forked child sees the same word.
struct alignas(64) FutexTurn {
    std::atomic<std::uint32_t> turn{0};
};
static_assert(std::atomic<std::uint32_t>::is_always_lock_free);

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
            void *mem = mmap(nullptr, sizeof(FutexTurn), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
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

void fillStats(CostSample &s)
{
    if (s.valuesNs.empty())
        return;
    s.medianNs = percentile(s.valuesNs, 0.5);
    s.p10Ns = percentile(s.valuesNs, 0.1);
    s.p90Ns = percentile(s.valuesNs, 0.9);
}

struct alignas(64) Node {
    Node *next;
    char pad[64 - sizeof(Node *)];
};
static_assert(sizeof(Node) == 64);

// A random single cycle over n nodes (Sattolo's shuffle): a dependent
// pointer chase the hardware prefetchers cannot guess, one line per step.
Node *makeCycle(std::size_t n, std::mt19937_64 &rng)
{
    auto *nodes = static_cast<Node *>(std::aligned_alloc(64, n * sizeof(Node)));
    if (!nodes)
        return nullptr;
    std::vector<std::uint32_t> perm(n);
    std::iota(perm.begin(), perm.end(), 0u);
    for (std::size_t i = n - 1; i > 0; --i) {
        std::uniform_int_distribution<std::size_t> pick(0, i - 1);
        std::swap(perm[i], perm[pick(rng)]);
    }
    for (std::size_t i = 0; i < n; ++i)
        nodes[i].next = &nodes[perm[i]];
    return nodes;
}

__attribute__((noinline)) Node *walk(Node *p, std::size_t steps)
{
    while (steps--)
        p = p->next;
    return p;
}

std::atomic<std::uintptr_t> g_walkSink{0};

qint64 parseSysfsSize(QString text)
{
    text = text.trimmed();
    qint64 mul = 1;
    if (text.endsWith(QLatin1Char('K'))) {
        mul = 1024;
        text.chop(1);
    } else if (text.endsWith(QLatin1Char('M'))) {
        mul = 1024 * 1024;
        text.chop(1);
    }
    bool ok = false;
    const qint64 v = text.toLongLong(&ok);
    return ok ? v * mul : 0;
}

QString readSmallFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromLatin1(f.readAll()).trimmed();
}

} // namespace

std::vector<CacheLevelInfo> readCacheLevels(QString *source)
{
    std::vector<CacheLevelInfo> out;
    const QDir dir(QStringLiteral("/sys/devices/system/cpu/cpu0/cache"));
    const QStringList entries = dir.entryList({QStringLiteral("index*")}, QDir::Dirs, QDir::Name);
    for (const QString &e : entries) {
        const QString base = dir.filePath(e) + QLatin1Char('/');
        CacheLevelInfo c;
        c.level = readSmallFile(base + QStringLiteral("level")).toInt();
        c.type = readSmallFile(base + QStringLiteral("type"));
        c.sizeBytes = parseSysfsSize(readSmallFile(base + QStringLiteral("size")));
        if (c.level > 0 && c.sizeBytes > 0 && c.type != QLatin1String("Instruction"))
            out.push_back(c);
    }
    if (!out.empty()) {
        if (source)
            *source = QStringLiteral("/sys/devices/system/cpu/cpu0/cache");
        return out;
    }
    // Some VMs hide the sysfs cache tree; glibc still reads CPUID.
    const struct {
        int level;
        int name;
        const char *type;
    } levels[] = {{1, _SC_LEVEL1_DCACHE_SIZE, "Data"},
                  {2, _SC_LEVEL2_CACHE_SIZE, "Unified"},
                  {3, _SC_LEVEL3_CACHE_SIZE, "Unified"}};
    for (const auto &l : levels) {
        const long size = sysconf(l.name);
        if (size > 0)
            out.push_back({l.level, QString::fromLatin1(l.type), size});
    }
    if (source)
        *source = QStringLiteral("sysconf (CPUID; /sys/devices/system/cpu/cpu0/cache is absent)");
    return out;
}

CtxSwitchEngine::CtxSwitchEngine()
    : Engine(EngineInfo{
          QString(kId),
          QStringLiteral("Context switches: direct and indirect cost, creation cost"),
          Provenance::Measured,
          QStringLiteral("Measures thread vs process switches (pipe and futex ping-pong), a bare "
                         "system call, thread/fork/spawn creation and the cache cost of a switch."),
          {QStringLiteral("T2"), QStringLiteral("T3"), QStringLiteral("T5")},
          {QString(kSwitchView), QString(kIndirectView)}})
{
}


ParamSchema CtxSwitchEngine::schema() const
{
    return ParamSchema{
        ParamSpec::choice(QStringLiteral("parts"), QStringLiteral("What to measure"),
                          QStringLiteral("all"),
                          {QStringLiteral("all"), QStringLiteral("switch"), QStringLiteral("create"),
                           QStringLiteral("indirect")},
                          QStringLiteral("switch: switch and system-call cost; create: thread, fork "
                                         "and spawn cost; indirect: cache cost vs working set.")),
        ParamSpec::integer(QStringLiteral("round_trips"), QStringLiteral("Round trips"), 3000, 50,
                           1000000, QStringLiteral("round trips"),
                           QStringLiteral("Timed ping-pong round trips per variant (each is two switches).")),
        ParamSpec::choice(QStringLiteral("mechanism"), QStringLiteral("Hand-off"), QStringLiteral("both"),
                          {QStringLiteral("both"), QStringLiteral("pipe"), QStringLiteral("futex")},
                          QStringLiteral("How the token is passed: a 1-byte pipe write, a futex "
                                         "wake, or both variants.")),
        ParamSpec::choice(QStringLiteral("placement"), QStringLiteral("CPU placement"),
                          QStringLiteral("same_cpu"),
                          {QStringLiteral("same_cpu"), QStringLiteral("different_cpus")},
                          QStringLiteral("same_cpu pins both sides to one CPU (every hand-off is a "
                                         "switch); different_cpus shows wake-up latency instead.")),
        ParamSpec::integer(QStringLiteral("creations"), QStringLiteral("Creations"), 50, 5, 100000,
                           QStringLiteral("samples"),
                           QStringLiteral("Samples of each create + destroy measurement.")),
        ParamSpec::bytes(QStringLiteral("fork_touch"), QStringLiteral("Largest memory touched before fork"),
                         qint64(256) << 20, 0, qint64(4) << 30,
                         QStringLiteral("fork is also timed after touching 64 MiB and this much "
                                        "memory (0 = skip).")),
        ParamSpec::integer(QStringLiteral("fork_touch_samples"), QStringLiteral("Forks per size"), 5, 2,
                           1000, QStringLiteral("samples"),
                           QStringLiteral("fork samples after touching memory.")),
        ParamSpec::bytes(QStringLiteral("indirect_max"), QStringLiteral("Largest working set"), 0, 0,
                         qint64(1) << 30,
                         QStringLiteral("Largest working set of the indirect-cost sweep (0 = 4x the "
                                        "last-level cache, at most 4 MiB).")),
        ParamSpec::integer(QStringLiteral("indirect_reps"), QStringLiteral("Sweep repetitions"), 0, 0,
                           1001, QStringLiteral("walks"),
                           QStringLiteral("Walks per working-set size (0 = automatic: many for "
                                          "small sets, 5 for the largest).")),
        ParamSpec::integer(QStringLiteral("seed"), QStringLiteral("Random seed"), 1, 0, 1000000, {},
                           QStringLiteral("Seed of the random pointer chase.")),
    };
}

namespace {

/**
 * The measurement itself, kept apart from the Engine so that each part is a
 * plain function with its own clean-up. stop() is polled every few hundred
 * round trips; a stop ends the part early and everything is still reaped.
 */
class Measurer {
public:
    std::function<bool()> keepGoing; // false when the engine was asked to stop
    int cpuA = 0;
    int cpuB = 0;

    CostSample syscallCost()
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
        fillStats(s);
        return s;
    }

    // An empty sample named like "thread_switch_pipe" / "process switch (futex)".
    static CostSample switchSample(const QString &who, bool futex)
    {
        const QString via = futex ? QStringLiteral("futex") : QStringLiteral("pipe");
        CostSample s;
        s.id = QStringLiteral("%1_switch_%2").arg(who, via);
        s.label = QStringLiteral("%1 switch (%2)").arg(who, via);
        return s;
    }

    CostSample threadPingPong(bool futex, int n, QString *error)
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
        fillStats(s);
        return s; // the channel closes what is still open and unmaps the turn word
    }

    CostSample processPingPong(bool futex, int n, QString *error)
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
            rusage child{};
            // wait4 gives the child's own counts: its side of every hand-off.
            while (wait4(pid, &status, 0, &child) < 0 && errno == EINTR) {
            }
            s.voluntarySwitches = (a1.voluntary - a0.voluntary) + child.ru_nvcsw;
            s.involuntarySwitches = (a1.involuntary - a0.involuntary) + child.ru_nivcsw;
        }
        fillStats(s);
        return s; // the channel closes what is still open and unmaps the turn word
    }

    CostSample creation(const QString &id, const QString &label, int n, const std::function<bool(QString *)> &once,
                        QString *error)
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
            if (double(monotonicNs() - start) / 1e9 > kCreationTimeLimitS) {
                s.note = QStringLiteral("cut short after %1 s (%2 samples)").arg(kCreationTimeLimitS).arg(s.valuesNs.size());
                break;
            }
        }
        fillStats(s);
        return s;
    }

    static bool forkOnce(QString *error)
    {
        const pid_t pid = ::fork();
        if (pid < 0) {
            *error = QStringLiteral("fork failed: %1").arg(lastErrorText());
            return false;
        }
        if (pid == 0)
            _exit(0);
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        return true;
    }

    static bool spawnOnce(QString *error)
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
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        return true;
    }

    static bool threadOnce(QString *)
    {
        std::thread t([] {});
        t.join();
        return true;
    }

    /// fork after touching @p bytes of private memory (its page tables are copied).
    CostSample forkAfterTouch(qint64 bytes, int n, QString *error)
    {
        const QString size = formatBytes(bytes);
        CostSample s;
        s.id = QStringLiteral("fork_touch_%1").arg(size);
        s.label = QStringLiteral("fork after touching %1").arg(size);
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
        for (qint64 off = 0; off < bytes && keepGoing(); off += page)
            bytesPtr[off] = 1; // one write per page: every page is mapped and private
        s = creation(s.id, s.label, n, &Measurer::forkOnce, error);
        munmap(mem, size_t(bytes));
        return s;
    }

    /// One point of the sweep: warm walks vs the first walk after a switch.
    IndirectPoint indirect(qint64 bytes, int reps, std::mt19937_64 &rng, QString *error)
    {
        IndirectPoint pt;
        pt.workingSetBytes = bytes;
        const std::size_t lines = std::max<std::size_t>(2, std::size_t(bytes) / sizeof(Node));
        Node *a = makeCycle(lines, rng);
        Node *b = makeCycle(lines, rng);
        int toB[2] = {-1, -1};
        int toA[2] = {-1, -1};
        if (!a || !b || ::pipe2(toB, O_CLOEXEC) != 0 || ::pipe2(toA, O_CLOEXEC) != 0) {
            *error = QStringLiteral("cannot set up the working-set walk of %1").arg(formatBytes(bytes));
            std::free(a);
            std::free(b);
            for (int fd : {toB[0], toB[1], toA[0], toA[1]})
                if (fd >= 0)
                    ::close(fd);
            return pt;
        }
        // Y: on the same CPU, walks its own buffer whenever it gets the token.
        std::thread y([&] {
            pinThisThread(cpuA);
            char c = 0;
            Node *p = b;
            for (;;) {
                const ssize_t k = ::read(toB[0], &c, 1);
                if (k < 0 && errno == EINTR)
                    continue;
                if (k <= 0 || c == 'q')
                    break;
                p = walk(p, lines);
                if (::write(toA[1], &c, 1) != 1)
                    break;
            }
            g_walkSink.fetch_add(reinterpret_cast<std::uintptr_t>(p), std::memory_order_relaxed);
        });
        pinThisThread(cpuA);
        std::vector<double> warm;
        std::vector<double> after;
        Node *p = walk(a, lines); // bring A's set in
        for (int r = 0; r < reps && keepGoing(); ++r) {
            p = walk(p, lines);
            std::int64_t t0 = monotonicNs();
            p = walk(p, lines);
            warm.push_back(double(monotonicNs() - t0));
            char c = 'w';
            if (::write(toB[1], &c, 1) != 1 || ::read(toA[0], &c, 1) != 1) {
                *error = QStringLiteral("the partner thread of the sweep stopped answering");
                break;
            }
            t0 = monotonicNs();
            p = walk(p, lines); // the first walk after the switch: A's lines were evicted
            after.push_back(double(monotonicNs() - t0));
        }
        char q = 'q';
        if (::write(toB[1], &q, 1) != 1)
            ::close(toB[1]), toB[1] = -1; // EOF also ends Y
        y.join();
        g_walkSink.fetch_add(reinterpret_cast<std::uintptr_t>(p), std::memory_order_relaxed);
        for (int fd : {toB[0], toB[1], toA[0], toA[1]})
            if (fd >= 0)
                ::close(fd);
        std::free(a);
        std::free(b);
        pt.repetitions = int(warm.size());
        pt.warmWalkNs = percentile(warm, 0.5);
        pt.afterSwitchWalkNs = percentile(after, 0.5);
        pt.indirectNs = pt.afterSwitchWalkNs - pt.warmWalkNs;
        return pt;
    }

private:
    // The timed loop, on the engine thread (side A). writeFd/readFd for pipes,
    // ft for futexes; childPid > 0 when the partner is a process (checked on
    // futex timeouts so that a dead child cannot hang us).
    void runPingPong(CostSample &s, int n, bool futex, FutexTurn *ft, bool shared, int writeFd, int readFd,
                     pid_t childPid, QString *error)
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
};

} // namespace

void CtxSwitchEngine::run()
{
    const QString parts = textParam(QStringLiteral("parts"));
    const bool doSwitch = parts == QLatin1String("all") || parts == QLatin1String("switch");
    const bool doCreate = parts == QLatin1String("all") || parts == QLatin1String("create");
    const bool doIndirect = parts == QLatin1String("all") || parts == QLatin1String("indirect");
    const int roundTrips = int(intParam(QStringLiteral("round_trips")));
    const QString mechanism = textParam(QStringLiteral("mechanism"));
    const bool sameCpu = textParam(QStringLiteral("placement")) != QLatin1String("different_cpus");
    const int creations = int(intParam(QStringLiteral("creations")));
    const qint64 forkTouch = intParam(QStringLiteral("fork_touch"));
    const int forkTouchSamples = int(intParam(QStringLiteral("fork_touch_samples")));
    qint64 indirectMax = intParam(QStringLiteral("indirect_max"));
    const int indirectReps = int(intParam(QStringLiteral("indirect_reps")));
    std::mt19937_64 rng(std::uint64_t(intParam(QStringLiteral("seed"))));

    Measurer m;
    m.keepGoing = [this] { return !stopRequested(); };
    const std::vector<int> cpus = allowedCpus();
    m.cpuA = cpus.front();
    m.cpuB = sameCpu || cpus.size() < 2 ? m.cpuA : cpus[1];

    auto snap = std::make_shared<CtxSwitchSnapshot>();
    snap->sameCpu = m.cpuA == m.cpuB;
    snap->cpuA = m.cpuA;
    snap->cpuB = m.cpuB;
    snap->caches = readCacheLevels(&snap->cacheSource);
    QString error;
    QStringList notes;
    if (!sameCpu && cpus.size() < 2)
        notes << QStringLiteral("only one CPU is allowed: both sides share it");

    // Work units, for the progress bar.
    int totalUnits = 0;
    int doneUnits = 0;
    const bool pipe = mechanism != QLatin1String("futex");
    const bool fut = mechanism != QLatin1String("pipe");
    if (doSwitch)
        totalUnits += 1 + (pipe ? 2 : 0) + (fut ? 2 : 0);
    std::vector<qint64> touchSizes;
    if (doCreate) {
        touchSizes.push_back(0);
        if (forkTouch > 0 && forkTouch > (qint64(64) << 20))
            touchSizes.push_back(qint64(64) << 20);
        if (forkTouch > 0)
            touchSizes.push_back(forkTouch);
        totalUnits += 3 + int(touchSizes.size()) - 1;
    }
    std::vector<qint64> sweep;
    if (doIndirect) {
        if (indirectMax <= 0) {
            qint64 llc = 0;
            for (const auto &c : snap->caches)
                llc = std::max(llc, c.sizeBytes);
            // Walks of tens of MiB take seconds on a slow VM: the default stops
            // at 4 MiB (the parameter goes further on request).
            constexpr qint64 kAutoCap = qint64(4) << 20;
            indirectMax = std::min<qint64>(llc > 0 ? 4 * llc : kAutoCap, kAutoCap);
            if (llc > 0 && 4 * llc > kAutoCap)
                notes << QStringLiteral("sweep capped at %1 (4x the last-level cache would be %2; set "
                                        "indirect_max to go further)")
                             .arg(formatBytes(kAutoCap), formatBytes(4 * llc));
        }
        for (qint64 w = 4096; w <= indirectMax; w *= 2) {
            sweep.push_back(w);
            if (w + w / 2 <= indirectMax && w * 2 > w + w / 2)
                sweep.push_back(w + w / 2);
        }
        if (sweep.empty())
            sweep.push_back(std::max<qint64>(indirectMax, 128));
        totalUnits += int(sweep.size());
    }
    auto publishCopy = [&](const QString &status) {
        snap->status = status;
        snap->progress = totalUnits > 0 ? double(doneUnits) / totalUnits : 1.0;
        publish(std::make_shared<CtxSwitchSnapshot>(*snap));
    };
    auto step = [&](const QString &status) {
        ++doneUnits;
        publishCopy(status);
        return checkpoint() && error.isEmpty();
    };

    bool go = true;
    if (doSwitch && go) {
        AffinityGuard restoreAffinity; // pinned while measuring switches, unpinned after
        snap->phase = QStringLiteral("switch");
        publishCopy(QStringLiteral("timing a bare system call"));
        snap->syscall = m.syscallCost();
        go = step(QStringLiteral("system call: %1 ns (median)").arg(snap->syscall.medianNs, 0, 'f', 0));
        struct Variant {
            bool process;
            bool futex;
        };
        std::vector<Variant> variants;
        if (pipe)
            variants.insert(variants.end(), {{false, false}, {true, false}});
        if (fut)
            variants.insert(variants.end(), {{false, true}, {true, true}});
        for (const Variant &v : variants) {
            if (!go)
                break;
            CostSample s = v.process ? m.processPingPong(v.futex, roundTrips, &error)
                                     : m.threadPingPong(v.futex, roundTrips, &error);
            const QString msg = QStringLiteral("%1: %2 us median").arg(s.label).arg(s.medianNs / 1000.0, 0, 'f', 2);
            snap->switches.push_back(std::move(s));
            go = step(msg);
        }
    }
    if (doCreate && go) {
        snap->phase = QStringLiteral("create");
        publishCopy(QStringLiteral("timing thread creation"));
        const std::vector<std::tuple<QString, QString, std::function<bool(QString *)>>> kinds = {
            {QStringLiteral("thread_create"), QStringLiteral("std::thread create + join"), &Measurer::threadOnce},
            {QStringLiteral("fork"), QStringLiteral("fork + _exit + waitpid"), &Measurer::forkOnce},
            {QStringLiteral("spawn"), QStringLiteral("posix_spawn /bin/true + waitpid"), &Measurer::spawnOnce},
        };
        for (const auto &[id, label, fn] : kinds) {
            if (!go)
                break;
            QString why;
            CostSample s = m.creation(id, label, creations, fn, &why);
            if (!why.isEmpty()) {
                // A missing /bin/true is worth a note, not a failed run.
                s.note = why;
                notes << why;
            }
            const QString msg = QStringLiteral("%1: %2 us median").arg(s.label).arg(s.medianNs / 1000.0, 0, 'f', 1);
            snap->creations.push_back(std::move(s));
            go = step(msg);
        }
        for (std::size_t i = 1; i < touchSizes.size() && go; ++i) {
            publishCopy(QStringLiteral("touching %1, then forking").arg(formatBytes(touchSizes[i])));
            CostSample s = m.forkAfterTouch(touchSizes[i], forkTouchSamples, &error);
            if (!s.note.isEmpty())
                notes << s.note;
            const QString msg = QStringLiteral("%1: %2 us median").arg(s.label).arg(s.medianNs / 1000.0, 0, 'f', 1);
            snap->creations.push_back(std::move(s));
            go = step(msg);
        }
    }
    if (doIndirect && go) {
        AffinityGuard restoreAffinity;
        snap->phase = QStringLiteral("indirect");
        publishCopy(QStringLiteral("walking working sets"));
        for (qint64 w : sweep) {
            if (!go)
                break;
            const std::size_t lines = std::size_t(std::max<qint64>(2, w / 64));
            const int reps = indirectReps > 0 ? indirectReps
                                              : int(std::clamp<std::size_t>((std::size_t(1) << 18) / lines, 5, 101));
            IndirectPoint pt = m.indirect(w, reps, rng, &error);
            if (pt.repetitions == 0)
                break;
            snap->indirect.push_back(pt);
            go = step(QStringLiteral("working set %1: indirect cost %2 us")
                          .arg(formatBytes(w))
                          .arg(pt.indirectNs / 1000.0, 0, 'f', 2));
        }
    }

    // The result: medians and spreads in microseconds, ratios for the lesson.
    Result r = makeResult();
    auto us = [](double ns) { return ns / 1000.0; };
    auto addSample = [&](const CostSample &s) {
        if (s.valuesNs.empty())
            return;
        r.summary.insert(s.id + QStringLiteral("_us_median"), us(s.medianNs));
        r.summary.insert(s.id + QStringLiteral("_us_p10"), us(s.p10Ns));
        r.summary.insert(s.id + QStringLiteral("_us_p90"), us(s.p90Ns));
        r.summary.insert(s.id + QStringLiteral("_samples"), double(s.valuesNs.size()));
        r.table.rows.push_back({s.id, s.label, us(s.medianNs), us(s.p10Ns), us(s.p90Ns),
                                qint64(s.valuesNs.size()), s.voluntarySwitches, s.involuntarySwitches,
                                s.note});
    };
    r.table.columns = {QStringLiteral("id"), QStringLiteral("measurement"), QStringLiteral("median_us"),
                       QStringLiteral("p10_us"), QStringLiteral("p90_us"), QStringLiteral("samples"),
                       QStringLiteral("voluntary_switches"), QStringLiteral("involuntary_switches"),
                       QStringLiteral("note")};
    auto find = [](const std::vector<CostSample> &v, const QString &id) -> const CostSample * {
        for (const auto &s : v)
            if (s.id == id && !s.valuesNs.empty())
                return &s;
        return nullptr;
    };
    if (!snap->syscall.valuesNs.empty()) {
        r.summary.insert(QStringLiteral("syscall_ns_median"), snap->syscall.medianNs);
        r.summary.insert(QStringLiteral("syscall_ns_p10"), snap->syscall.p10Ns);
        r.summary.insert(QStringLiteral("syscall_ns_p90"), snap->syscall.p90Ns);
        addSample(snap->syscall);
    }
    for (const auto &s : snap->switches) {
        addSample(s);
        if (s.roundTrips > 0 && s.voluntarySwitches >= 0) {
            r.summary.insert(s.id + QStringLiteral("_voluntary_switches"), double(s.voluntarySwitches));
            r.summary.insert(s.id + QStringLiteral("_involuntary_switches"), double(s.involuntarySwitches));
            r.summary.insert(s.id + QStringLiteral("_round_trips"), double(s.roundTrips));
            r.summary.insert(s.id + QStringLiteral("_switches_per_round_trip"),
                             double(s.voluntarySwitches + s.involuntarySwitches) / double(s.roundTrips));
        }
    }
    for (const QString &mech : {QStringLiteral("pipe"), QStringLiteral("futex")}) {
        const CostSample *t = find(snap->switches, QStringLiteral("thread_switch_") + mech);
        const CostSample *p = find(snap->switches, QStringLiteral("process_switch_") + mech);
        if (t)
            r.summary.insert(QStringLiteral("thread_%1_round_trip_us_median").arg(mech), us(2 * t->medianNs));
        if (p)
            r.summary.insert(QStringLiteral("process_%1_round_trip_us_median").arg(mech), us(2 * p->medianNs));
        if (t && p && t->medianNs > 0)
            r.summary.insert(QStringLiteral("process_thread_switch_ratio_%1").arg(mech), p->medianNs / t->medianNs);
    }
    // The lesson's ratio: pipe when measured, else futex.
    if (r.summary.contains(QStringLiteral("process_thread_switch_ratio_pipe")))
        r.summary.insert(QStringLiteral("process_thread_switch_ratio"),
                         r.summary.value(QStringLiteral("process_thread_switch_ratio_pipe")));
    else if (r.summary.contains(QStringLiteral("process_thread_switch_ratio_futex")))
        r.summary.insert(QStringLiteral("process_thread_switch_ratio"),
                         r.summary.value(QStringLiteral("process_thread_switch_ratio_futex")));
    if (const CostSample *t = find(snap->switches, QStringLiteral("thread_switch_pipe"));
        t && snap->syscall.medianNs > 0)
        r.summary.insert(QStringLiteral("switch_syscall_ratio"), t->medianNs / snap->syscall.medianNs);
    for (const auto &s : snap->creations)
        addSample(s);
    const CostSample *th = find(snap->creations, QStringLiteral("thread_create"));
    const CostSample *fk = find(snap->creations, QStringLiteral("fork"));
    const CostSample *sp = find(snap->creations, QStringLiteral("spawn"));
    if (th && fk && th->medianNs > 0)
        r.summary.insert(QStringLiteral("fork_thread_creation_ratio"), fk->medianNs / th->medianNs);
    if (th && sp && th->medianNs > 0)
        r.summary.insert(QStringLiteral("spawn_thread_creation_ratio"), sp->medianNs / th->medianNs);
    if (fk && !snap->creations.empty()) {
        const CostSample &big = snap->creations.back();
        if (big.id.startsWith(QLatin1String("fork_touch_")) && !big.valuesNs.empty() && fk->medianNs > 0) {
            r.summary.insert(QStringLiteral("fork_touch_growth_ratio"), big.medianNs / fk->medianNs);
            r.summary.insert(QStringLiteral("fork_touch_max_bytes"), double(touchSizes.back()));
        }
    }
    if (!snap->indirect.empty()) {
        Series curve;
        curve.name = QStringLiteral("indirect cost of a switch (measured)");
        curve.xLabel = QStringLiteral("working set (bytes)");
        curve.yLabel = QStringLiteral("extra time of the first walk (us)");
        curve.style = Series::Style::Line;
        const IndirectPoint *peak = &snap->indirect.front();
        for (const auto &pt : snap->indirect) {
            curve.x.push_back(double(pt.workingSetBytes));
            curve.y.push_back(us(pt.indirectNs));
            curve.pointLabels << formatBytes(pt.workingSetBytes);
            if (pt.indirectNs > peak->indirectNs)
                peak = &pt;
            r.table.rows.push_back({QStringLiteral("indirect_%1").arg(formatBytes(pt.workingSetBytes)),
                                    QStringLiteral("indirect cost, working set %1").arg(formatBytes(pt.workingSetBytes)),
                                    us(pt.indirectNs), us(pt.warmWalkNs), us(pt.afterSwitchWalkNs),
                                    pt.repetitions, QVariant(), QVariant(),
                                    QStringLiteral("p10_us = warm walk, p90_us = walk after switch")});
        }
        r.series.push_back(curve);
        r.summary.insert(QStringLiteral("indirect_peak_us"), us(peak->indirectNs));
        r.summary.insert(QStringLiteral("indirect_peak_working_set_bytes"), double(peak->workingSetBytes));
        r.summary.insert(QStringLiteral("indirect_smallest_us"), us(snap->indirect.front().indirectNs));
        if (const CostSample *t = find(snap->switches, QStringLiteral("thread_switch_pipe")); t && t->medianNs > 0)
            r.summary.insert(QStringLiteral("indirect_direct_ratio"), peak->indirectNs / t->medianNs);
    }
    for (const auto &c : snap->caches) {
        r.summary.insert(QStringLiteral("cache_l%1_bytes").arg(c.level), double(c.sizeBytes));
    }
    for (const auto &s : snap->switches) {
        if (s.valuesNs.empty())
            continue;
        // A histogram per variant (microseconds), for the generic chart and CSV.
        Series h;
        h.name = s.label + QStringLiteral(" (measured)");
        h.xLabel = QStringLiteral("time per switch (us)");
        h.yLabel = QStringLiteral("samples");
        h.style = Series::Style::Steps;
        const double lo = percentile(s.valuesNs, 0.0);
        const double hi = std::max(percentile(s.valuesNs, 0.99), lo + 1);
        constexpr int kBins = 40;
        std::vector<double> counts(kBins, 0);
        for (double v : s.valuesNs) {
            const int bin = std::clamp(int((v - lo) / (hi - lo) * kBins), 0, kBins - 1);
            counts[std::size_t(bin)] += 1;
        }
        for (int i = 0; i < kBins; ++i) {
            h.x.push_back(us(lo + (hi - lo) * (i + 0.5) / kBins));
            h.y.push_back(counts[std::size_t(i)]);
        }
        r.series.push_back(std::move(h));
    }
    r.summary.insert(QStringLiteral("cpu_a"), m.cpuA);
    r.summary.insert(QStringLiteral("cpu_b"), m.cpuB);
    if (!notes.isEmpty())
        r.summary.insert(QStringLiteral("notes"), notes.join(QStringLiteral("; ")));
    if (!error.isEmpty())
        r.error = error;
    snap->result = r;
    snap->phase = QStringLiteral("done");
    doneUnits = totalUnits;
    publishCopy(!error.isEmpty() ? error
                    : stopRequested() ? QStringLiteral("stopped; every thread joined, every child reaped")
                                      : QStringLiteral("done (measured on this machine)"));
}


} // namespace proclab
