// Prints the TLP sampler's overhead (its own CPU time / wall time) and the
// sampling rate it achieved, median and spread over several runs. The target
// is below 2 % at 1 kHz. Beside each figure it prints the floor of any
// /proc/<pid>/task/*/stat sampler on this machine, measured side by side: a
// bare loop making only the same system calls (one wake-up, one pread per
// thread). Asserts nothing.
#include "tlp/tlpengine.h"

#include "common/stats.h"
#include "engine/result.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

using namespace proclab;

namespace {

double bareSamplerPercent(int threads, int rateHz, double seconds);

void measure(const char *label, const QVariantMap &params, int runs)
{
    std::vector<double> cpu, rate, tlp;
    int threads = 0;
    for (int i = 0; i < runs; ++i) {
        const auto eOwner = makeEngine<TlpEngine>();
        TlpEngine &e = *eOwner;
        QString error;
        if (!e.configure(params, &error)) {
            std::printf("configure: %s\n", qPrintable(error));
            return;
        }
        const Result r = runToCompletion(e, std::chrono::seconds(120));
        if (!r.error.isEmpty()) {
            std::printf("%s: error: %s\n", label, qPrintable(r.error));
            return;
        }
        cpu.push_back(r.summary.value(QStringLiteral("sampler_cpu_percent")).toDouble());
        rate.push_back(r.summary.value(QStringLiteral("achieved_rate_hz")).toDouble());
        tlp.push_back(r.summary.value(QStringLiteral("tlp")).toDouble());
        threads = r.summary.value(QStringLiteral("threads_seen")).toInt();
    }
    const Spread c = spreadOf(cpu), h = spreadOf(rate), t = spreadOf(tlp);
    std::vector<double> bare;
    for (int i = 0; i < 3; ++i)
        bare.push_back(bareSamplerPercent(threads, params.value(QStringLiteral("rate_hz")).toInt(), 2.0));
    const double floor = spreadOf(bare).median;
    std::printf("%-22s threads %2d  sampler CPU %5.2f %% [%5.2f..%5.2f]  floor %5.2f %%  rate %7.1f Hz "
                "[%7.1f..%7.1f]  TLP %4.2f [%4.2f..%4.2f]\n",
        label, threads, c.median, c.min, c.max, floor, h.median, h.min, h.max, t.median, t.min, t.max);
}

// The same system calls as the sampler and nothing else: a thread that wakes
// @p rateHz times a second (absolute clock_nanosleep) and pread()s the stat
// files of @p threads sleeping threads each time. Its CPU time / wall time in %.
// With no threads it is the cost of waking alone.
double bareSamplerPercent(int threads, int rateHz, double seconds)
{
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    std::vector<pid_t> tids(static_cast<std::size_t>(threads), 0);
    std::vector<std::thread> parked;
    std::atomic<int> ready {0};
    for (std::size_t i = 0; i < tids.size(); ++i)
        parked.emplace_back([&, i] {
            tids[i] = static_cast<pid_t>(::gettid());
            ++ready;
            std::unique_lock lock(m);
            cv.wait(lock, [&] { return done; });
        });
    while (ready < threads)
        std::this_thread::yield();
    double percent = 0;
    std::thread sampler([&] {
        std::vector<int> fds;
        for (pid_t tid : tids)
            fds.push_back(
                ::open(("/proc/self/task/" + std::to_string(tid) + "/stat").c_str(), O_RDONLY | O_CLOEXEC));
        char buf[1024];
        timespec c0 {}, c1 {}, next {};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
        clock_gettime(CLOCK_MONOTONIC, &next);
        const long periodNs = 1000000000L / rateHz;
        const int wakeups = static_cast<int>(seconds * rateHz);
        for (int i = 0; i < wakeups; ++i) {
            for (int fd : fds)
                (void)!::pread(fd, buf, sizeof buf, 0);
            next.tv_nsec += periodNs;
            if (next.tv_nsec >= 1000000000L) {
                next.tv_nsec -= 1000000000L;
                ++next.tv_sec;
            }
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr);
        }
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
        percent = 100.0 * ((c1.tv_sec - c0.tv_sec) + (c1.tv_nsec - c0.tv_nsec) / 1e9) / seconds;
        for (int fd : fds)
            ::close(fd);
    });
    sampler.join();
    {
        std::lock_guard lock(m);
        done = true;
    }
    cv.notify_all();
    for (auto &t : parked)
        t.join();
    return percent;
}

} // namespace

int main()
{
    std::printf("machine: %s, %d online cores\n", qPrintable(machineDescription()), onlineCores());
    std::printf("median [min..max] of 5 runs of 4 s each\n\n");
    const auto base = [](const char *workload, int threads, int rate) {
        return QVariantMap {{QStringLiteral("workload"), QString::fromLatin1(workload)},
            {QStringLiteral("threads"), threads}, {QStringLiteral("seconds"), 4.0},
            {QStringLiteral("rate_hz"), rate}};
    };
    std::vector<double> floor;
    for (int i = 0; i < 5; ++i)
        floor.push_back(bareSamplerPercent(0, 1000, 2.0));
    const Spread f = spreadOf(floor);
    std::printf(
        "wake-ups alone: a thread that only wakes 1000 times a second uses %.2f %% [%.2f..%.2f] of a core\n",
        f.median, f.min, f.max);
    std::printf("floor: the same wake-ups plus one pread() per thread and nothing else, no bookkeeping\n\n");
    measure("idle x4 at 1 kHz", base("idle", 4, 1000), 5);
    measure("cpu x1 at 1 kHz", base("cpu", 1, 1000), 5);
    measure("mixed x4 at 1 kHz", base("mixed", 4, 1000), 5);
    measure("idle x16 at 1 kHz", base("idle", 16, 1000), 5);
    measure("idle x4 at 5 kHz", base("idle", 4, 5000), 5);
    return 0;
}
