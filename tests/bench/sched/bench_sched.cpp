// Scheduling events per second of the sched model (no allocation in the hot
// loop, trace off) and of the engine at speed 0. Prints median and spread of
// five repetitions; asserts nothing.
#include "common/clock.h"
#include "common/stats.h"
#include "sched/schedengine.h"
#include "sched/schedmodel.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

using namespace proclab;

namespace {

struct Case {
    const char *name;
    const char *workload;
    int threads;
    const char *nices;
    ThreadingModel model;
    SchedPolicy policy;
    int cpus;
    std::int64_t maxTimeNs;
};

void report(
    const char *name, const std::vector<double> &rates, const std::vector<double> &cpuRates, double events)
{
    const Spread wall = spreadOf(rates);
    const Spread cpu = spreadOf(cpuRates);
    std::printf(
        "%-36s wall: %6.2f M events/s (min %.2f, max %.2f); per CPU second: %6.2f M (min %.2f, max %.2f); "
        "median of %zu runs of %.0f events\n",
        name, wall.median / 1e6, wall.min / 1e6, wall.max / 1e6, cpu.median / 1e6, cpu.min / 1e6,
        cpu.max / 1e6, rates.size(), events);
}

} // namespace

int main()
{
    std::printf("sched model benchmark on %s\n", qPrintable(machineDescription()));
    const Case cases[] = {
        {"CFS 1:1, 8 busy threads, 1 CPU", "cpu", 8, "0,1,2,3,4,5,6,7", ThreadingModel::OneToOne,
            SchedPolicy::Cfs, 1, 600000000000LL},
        {"RR 1:1, 8 busy threads, 2 CPUs", "cpu", 8, "", ThreadingModel::OneToOne, SchedPolicy::RoundRobin, 2,
            2000000000000LL},
        {"CFS M:N, 'sync' x loops, 1 CPU", "sync", 4, "", ThreadingModel::ManyToMany, SchedPolicy::Cfs, 1,
            100000000000LL},
        {"CFS 1:1, 'mixed', 4 CPUs", "mixed", 4, "", ThreadingModel::OneToOne, SchedPolicy::Cfs, 4,
            100000000000LL},
    };
    for (const Case &c : cases) {
        QString error;
        auto w = loadWorkload(
            QString::fromLatin1(c.workload), c.threads, QString::fromLatin1(c.nices), 1, &error);
        if (!w) {
            std::printf("%s: %s\n", c.name, qPrintable(error));
            continue;
        }
        // Short workloads loop many times so that one run is long enough to time.
        for (auto &p : w->processes)
            for (auto &t : p.threads)
                if (t.loops > 0)
                    t.loops *= 2000;
        SchedConfig cfg;
        cfg.model = c.model;
        cfg.policy = c.policy;
        cfg.cpus = c.cpus;
        cfg.maxTimeNs = c.maxTimeNs;
        cfg.traceCap = 0;
        std::vector<double> rates, cpuRates;
        double events = 0;
        for (int rep = 0; rep < 5; ++rep) {
            SchedModel m(*w, cfg);
            const auto t0 = std::chrono::steady_clock::now();
            const double c0 = threadCpuNs() / 1e9;
            m.runToEnd();
            // CPU time of this thread: on a shared machine wall time also counts other programs.
            const double cpu = threadCpuNs() / 1e9 - c0;
            const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            events = double(m.eventCount());
            rates.push_back(events / s);
            cpuRates.push_back(events / cpu);
        }
        report(c.name, rates, cpuRates, events);
    }

    // The engine as the command line runs it (speed 0, checkpoints every 1024 events).
    std::vector<double> rates, cpuRates;
    double events = 0;
    for (int rep = 0; rep < 5; ++rep) {
        const auto eOwner = makeEngine<SchedEngine>();
        SchedEngine &e = *eOwner;
        e.configure({{QStringLiteral("workload"), QStringLiteral("cpu")}, {QStringLiteral("threads"), 8},
            {QStringLiteral("max_ms"), 600000.0}, {QStringLiteral("trace_cap"), 0}});
        const auto t0 = std::chrono::steady_clock::now();
        const double c0 = processCpuNs() / 1e9; // the engine runs on its own thread
        const Result r = runToCompletion(e, std::chrono::seconds(120));
        const double cpu = processCpuNs() / 1e9 - c0;
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        events = r.summary.value(QStringLiteral("events")).toDouble();
        rates.push_back(events / s);
        cpuRates.push_back(events / cpu);
    }
    report("engine at speed 0 (CFS 1:1, 8 thr)", rates, cpuRates, events);
    return 0;
}
