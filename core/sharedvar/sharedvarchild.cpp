#include "sharedvarchild.h"

#include "sharedvarreport.h"

#include "common/clock.h"
#include "common/helpermode.h"

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>

#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace proclab {

namespace {

// The global variable of the slides' example. fork() gives every child its own
// copy; the parent's stays as it was. Atomic only because two engines in one
// process (tests) could run at once; the children use their own mutex.
std::atomic<qint64> g_sharedX {0};

void writeReport(int fd, const SharedVarReport &rec)
{
    const char *p = reinterpret_cast<const char *>(&rec);
    size_t left = sizeof rec;
    while (left > 0) {
        const ssize_t n = ::write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; // the parent went away; nothing to report to
        p += n;
        left -= static_cast<size_t>(n);
    }
}

// One thread of a child process.
struct ChildThread {
    int fd;
    int index;
    std::int64_t sleepNs;
    std::int64_t t0Ns;
    pthread_mutex_t *lock;
};

void *childThreadMain(void *arg)
{
    const ChildThread &t = *static_cast<const ChildThread *>(arg);
    writeReport(t.fd,
        SharedVarReport {
            SharedVarReport::Sleep, t.index, monotonicNs() - t.t0Ns, g_sharedX.load(), t.sleepNs});
    timespec ts {static_cast<time_t>(t.sleepNs / 1000000000LL), static_cast<long>(t.sleepNs % 1000000000LL)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) { }
    pthread_mutex_lock(t.lock);
    // Read-modify-write as the Python example does: shared_x = shared_x + 1.
    const std::int64_t seen = g_sharedX.load() + 1;
    g_sharedX.store(seen);
    writeReport(t.fd, SharedVarReport {SharedVarReport::Wake, t.index, monotonicNs() - t.t0Ns, seen, 0});
    pthread_mutex_unlock(t.lock);
    return nullptr;
}

} // namespace

qint64 SharedVarChild::value()
{
    return g_sharedX.load();
}

void SharedVarChild::setValue(qint64 value)
{
    g_sharedX.store(value);
}

void SharedVarChild::run(int fd, const std::vector<std::int64_t> &sleepsNs, std::int64_t t0Ns)
{
    // If the parent dies, so does the child: no orphan keeps sleeping.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER; // guards g_sharedX among this process's threads
    // Each thread gets a freshly mapped stack. The parent had threads of its own
    // whose (cached) stacks fork() copied; reusing one would give a new thread the
    // id of a thread that no longer exists here, which ThreadSanitizer (and any
    // tool that tracks threads by id) takes for a duplicate.
    constexpr size_t kStackBytes = 2 * 1024 * 1024;
    std::vector<ChildThread> work(sleepsNs.size());
    std::vector<pthread_t> threads(sleepsNs.size());
    std::vector<bool> started(sleepsNs.size(), false);
    for (size_t i = 0; i < sleepsNs.size(); ++i) {
        work[i] = ChildThread {fd, static_cast<int>(i), sleepsNs[i], t0Ns, &lock};
        void *stack = mmap(
            nullptr, kStackBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        if (stack != MAP_FAILED)
            pthread_attr_setstack(&attr, stack, kStackBytes);
        started[i] = pthread_create(&threads[i], &attr, childThreadMain, &work[i]) == 0;
        pthread_attr_destroy(&attr);
    }
    for (size_t i = 0; i < threads.size(); ++i) {
        if (started[i])
            pthread_join(threads[i], nullptr);
    }
    writeReport(
        fd, SharedVarReport {SharedVarReport::ProcessEnd, -1, monotonicNs() - t0Ns, g_sharedX.load(), 0});
    ::close(fd);
    _exit(0);
}

int SharedVarChild::spawnedMain(int argc, char **argv)
{
    // argv[0] is the helper's name: then fd, start value, t0, and 1 to 8 sleeps.
    constexpr int kMaxThreads = 8;
    if (argc < 5 || argc > 4 + kMaxThreads) {
        std::fputs("sharedvar-child: expected FD START T0_NS SLEEP_NS... (1 to 8 sleeps)\n", stderr);
        return 2;
    }
    const auto fd = helperIntegerArgument(argv[1], 3, 1023);
    const auto start = helperIntegerArgument(argv[2], -1000000, 1000000);
    const auto t0 = helperIntegerArgument(argv[3], 0, INT64_MAX);
    std::vector<std::int64_t> sleeps;
    for (int i = 4; i < argc; ++i) {
        const auto s = helperIntegerArgument(argv[i], 0, std::int64_t(60) * 1000000000);
        if (!s) {
            std::fprintf(stderr, "sharedvar-child: bad sleep '%s'\n", argv[i]);
            return 2;
        }
        sleeps.push_back(*s);
    }
    if (!fd || !start || !t0) {
        std::fputs("sharedvar-child: bad descriptor, start value or start time\n", stderr);
        return 2;
    }
    // A fresh program: its global shared_x is whatever the program initialises it to.
    setValue(*start);
    run(int(*fd), sleeps, *t0);
}

qint64 sharedVarParentValue()
{
    return SharedVarChild::value();
}

} // namespace proclab
