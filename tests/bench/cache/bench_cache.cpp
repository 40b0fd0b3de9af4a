// Speed of the cache model: accesses per second, single thread, trace in memory
// (the model alone), and end to end through the engine reading a din file.
// Prints median and spread over repetitions; asserts nothing.
//
// Usage: bench_cache [accesses=16000000] [repetitions=5]

#include "cache/cacheengine.h"
#include "cache/cachemodel.h"
#include "common/clock.h"
#include "common/stats.h"

#include <QTemporaryDir>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace proclab;

namespace {

struct Trace {
    std::vector<std::uint64_t> address;
    std::vector<std::uint8_t> kind;
    std::vector<std::uint8_t> owner;
};

// A mix with realistic locality: 3 of 4 accesses walk a 64 KiB loop
// sequentially (8-byte steps), 1 of 4 goes anywhere in 16 MiB; 1 in 4 writes;
// four processes take turns in slices of 10000 accesses.
Trace makeTrace(std::size_t n)
{
    Trace t;
    t.address.resize(n);
    t.kind.resize(n);
    t.owner.resize(n);
    std::uint64_t x = 88172645463325252ULL;
    std::uint64_t seq = 0;
    for (std::size_t i = 0; i < n; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if ((x & 3) != 0) {
            seq = (seq + 8) & 0xffff;
            t.address[i] = 0x100000 + seq;
        } else {
            t.address[i] = (x >> 20) & 0xffffff;
        }
        t.kind[i] = ((x >> 8) & 3) == 0 ? 1 : 0;
        t.owner[i] = std::uint8_t((i / 10000) % 4);
    }
    return t;
}

double threadCpuSeconds()
{
    return double(threadCpuNs()) / 1e9;
}

// Returns accesses per second of wall-clock time; *cpuRate per second of this
// thread's CPU time (the fairer figure on a machine shared with other jobs).
double replay(const Trace &t, const CacheGeometry &g, std::uint64_t *hitsOut, double *cpuRate)
{
    CacheModel m(g);
    const double c0 = threadCpuSeconds();
    const auto t0 = std::chrono::steady_clock::now();
    const std::size_t n = t.address.size();
    for (std::size_t i = 0; i < n; ++i)
        m.access(t.address[i], AccessKind(t.kind[i]), t.owner[i]);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    *cpuRate = double(n) / (threadCpuSeconds() - c0);
    *hitsOut = m.totals().hits;
    return double(n) / s;
}

} // namespace

int main(int argc, char **argv)
{
    const std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 16'000'000;
    const int reps = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
    std::printf("cache model benchmark: %zu accesses per replay, %d repetitions, one thread\n", n, reps);
    std::printf("machine: %s\n\n", machineDescription().toStdString().c_str());
    const Trace trace = makeTrace(n);

    struct Config {
        const char *name;
        std::uint64_t size;
        std::uint32_t ways;
        Replacement r;
    };
    const Config configs[] = {
        {"32 KiB, 8-way, LRU", 32 << 10, 8, Replacement::Lru},
        {"32 KiB, 8-way, FIFO", 32 << 10, 8, Replacement::Fifo},
        {"32 KiB, 8-way, random", 32 << 10, 8, Replacement::Random},
        {"1 MiB, 16-way, LRU", 1 << 20, 16, Replacement::Lru},
        {"4 KiB, direct mapped", 4 << 10, 1, Replacement::Lru},
        {"4 KiB, 64-way (stamps)", 4 << 10, 64, Replacement::Lru},
    };
    for (const Config &c : configs) {
        CacheGeometry g;
        g.sizeBytes = c.size;
        g.lineBytes = 64;
        g.ways = c.ways;
        g.replacement = c.r;
        std::vector<double> rates;
        std::vector<double> cpuRates;
        std::uint64_t hits = 0;
        for (int r = 0; r < reps; ++r) {
            double cpu = 0;
            rates.push_back(replay(trace, g, &hits, &cpu));
            cpuRates.push_back(cpu);
        }
        std::printf(
            "  %-24s %7.1f M accesses/s wall (p10 %.1f, p90 %.1f), %7.1f M/s of CPU time  hit rate %.1f%%\n",
            c.name, percentile(rates, 0.5) / 1e6, percentile(rates, 0.1) / 1e6, percentile(rates, 0.9) / 1e6,
            percentile(cpuRates, 0.5) / 1e6, 100.0 * double(hits) / double(n));
    }

    // End to end: write a din file and replay it through the engine at speed 0.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("bench.din"));
    const std::size_t fileAccesses = std::min<std::size_t>(n, 4'000'000);
    {
        FILE *f = std::fopen(path.toLocal8Bit().constData(), "w");
        if (!f)
            return 0;
        for (std::size_t i = 0; i < fileAccesses; ++i)
            std::fprintf(f, "%d %llx %d\n", trace.kind[i], static_cast<unsigned long long>(trace.address[i]),
                trace.owner[i]);
        std::fclose(f);
    }
    std::vector<double> rates;
    for (int r = 0; r < reps; ++r) {
        const auto eOwner = makeEngine<CacheEngine>();
        CacheEngine &e = *eOwner;
        e.configure({{QStringLiteral("trace"), path}, {QStringLiteral("size"), QStringLiteral("32KiB")},
            {QStringLiteral("ways"), 8}});
        const auto t0 = std::chrono::steady_clock::now();
        const Result res = runToCompletion(e, std::chrono::minutes(5));
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (!res.error.isEmpty()) {
            std::printf("engine: %s\n", res.error.toStdString().c_str());
            break;
        }
        rates.push_back(double(fileAccesses) / s);
    }
    if (!rates.empty())
        std::printf(
            "\n  engine, din file of %zu lines (parse + model): %.1f M accesses/s (p10 %.1f, p90 %.1f)\n",
            fileAccesses, percentile(rates, 0.5) / 1e6, percentile(rates, 0.1) / 1e6,
            percentile(rates, 0.9) / 1e6);
    return 0;
}
