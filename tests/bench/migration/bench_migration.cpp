// Benchmarks of live migration (M6, M7). Prints figures; asserts nothing.
//   bench_migration [repetitions]   (default 3)
#include "migration/migrationengine.h"

#include "engine/result.h"

#include <QCoreApplication>
#include <QJsonObject>
#include <QTextStream>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace proclab;

namespace {

struct Stat {
    double median = 0, min = 0, max = 0;
};

Stat stat(std::vector<double> v)
{
    Stat s;
    if (v.empty())
        return s;
    std::sort(v.begin(), v.end());
    s.median = v[v.size() / 2];
    s.min = v.front();
    s.max = v.back();
    return s;
}

QString fmt(const Stat &s, int decimals = 1)
{
    return QStringLiteral("median %1 (min %2, max %3)")
        .arg(s.median, 0, 'f', decimals)
        .arg(s.min, 0, 'f', decimals)
        .arg(s.max, 0, 'f', decimals);
}

Result runOnce(const QVariantMap &params)
{
    MigrationEngine e;
    QString error;
    if (!e.configure(params, &error)) {
        Result r;
        r.error = error;
        return r;
    }
    return runToCompletion(e, std::chrono::minutes(5));
}

double num(const Result &r, const char *key)
{
    return r.summary.value(QLatin1String(key)).toDouble();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int reps = argc > 1 ? std::max(1, atoi(argv[1])) : 3;
    QTextStream out(stdout);
    out << "Live migration benchmark, " << reps << " runs each\n";
    out << "machine: " << machineDescription() << "\n";
    out << "all figures measured on this machine, over TCP on 127.0.0.1\n\n";
    const qint64 mib = 1 << 20;

    // 1. Throughput: 1 GiB, no writes, uncapped.
    {
        std::vector<double> gbps, totalMs;
        for (int i = 0; i < reps; ++i) {
            const Result r = runOnce({{QStringLiteral("strategy"), QStringLiteral("precopy")},
                                      {QStringLiteral("memory"), 1024 * mib},
                                      {QStringLiteral("bandwidth"), 0},
                                      {QStringLiteral("dirty_rate"), 0},
                                      {QStringLiteral("warmup_ms"), 200},
                                      {QStringLiteral("after_ms"), 0}});
            if (!r.error.isEmpty()) {
                out << "  run failed: " << r.error << "\n";
                continue;
            }
            totalMs.push_back(num(r, "total_ms"));
            gbps.push_back(num(r, "memory_mib") * mib / (num(r, "total_ms") / 1000) / 1e9);
        }
        out << "1) 1 GiB VM, no writes, uncapped loopback (pre-copy, 1 round)\n";
        out << "   total migration time (ms): " << fmt(stat(totalMs)) << "\n";
        out << "   throughput (GB/s, 1e9 bytes): " << fmt(stat(gbps), 2) << "   [issue target: 1 GB/s or better]\n\n";
        out.flush();
    }

    // 2. Pre-copy, 512 MiB, 8 MiB hot working set, 1 Gbit/s cap.
    {
        std::vector<double> down, client, total, rounds, sent;
        for (int i = 0; i < reps; ++i) {
            const Result r = runOnce({{QStringLiteral("strategy"), QStringLiteral("precopy")},
                                      {QStringLiteral("memory"), 512 * mib},
                                      {QStringLiteral("bandwidth"), 1e9},
                                      {QStringLiteral("dirty_rate"), 10000},
                                      {QStringLiteral("hot_set"), 8 * mib},
                                      {QStringLiteral("hot_share"), 95},
                                      {QStringLiteral("warmup_ms"), 500},
                                      {QStringLiteral("after_ms"), 500}});
            if (!r.error.isEmpty()) {
                out << "  run failed: " << r.error << "\n";
                continue;
            }
            down.push_back(num(r, "downtime_vm_ms"));
            client.push_back(num(r, "downtime_client_ms"));
            total.push_back(num(r, "total_ms"));
            rounds.push_back(num(r, "rounds"));
            sent.push_back(num(r, "sent_per_memory"));
        }
        out << "2) pre-copy, 512 MiB VM, 8 MiB hot set (10000 writes/s, 95% hot), 1 Gbit/s cap\n";
        out << "   downtime as the VM saw it (ms):      " << fmt(stat(down)) << "   [limit 300 ms]\n";
        out << "   downtime as the client saw it (ms):  " << fmt(stat(client)) << "\n";
        out << "   total migration time (ms):           " << fmt(stat(total)) << "\n";
        out << "   rounds (incl. stop-and-copy):        " << fmt(stat(rounds), 0) << "\n";
        out << "   data sent / memory:                  " << fmt(stat(sent), 3) << "\n";
        out << "   published (Clark et al., NSDI 2005, gigabit): 60 ms game server, 210 ms web benchmark\n\n";
        out.flush();
    }

    // 3. Post-copy, same VM.
    {
        std::vector<double> resent, client, down, degraded, faults, waitMax;
        for (int i = 0; i < reps; ++i) {
            const Result r = runOnce({{QStringLiteral("strategy"), QStringLiteral("postcopy")},
                                      {QStringLiteral("memory"), 512 * mib},
                                      {QStringLiteral("bandwidth"), 1e9},
                                      {QStringLiteral("dirty_rate"), 10000},
                                      {QStringLiteral("hot_set"), 8 * mib},
                                      {QStringLiteral("hot_share"), 95},
                                      {QStringLiteral("warmup_ms"), 500},
                                      {QStringLiteral("after_ms"), 500}});
            if (!r.error.isEmpty()) {
                out << "  run failed: " << r.error << "\n";
                continue;
            }
            resent.push_back(num(r, "pages_resent"));
            client.push_back(num(r, "downtime_client_ms"));
            down.push_back(num(r, "downtime_vm_ms"));
            degraded.push_back(num(r, "degraded_ms"));
            faults.push_back(num(r, "demand_fetches"));
            waitMax.push_back(num(r, "fault_wait_max_ms"));
        }
        out << "3) post-copy, same VM and link\n";
        out << "   pages re-sent:                       " << fmt(stat(resent), 0) << "\n";
        out << "   downtime as the VM saw it (ms):      " << fmt(stat(down), 2) << "\n";
        out << "   downtime as the client saw it (ms):  " << fmt(stat(client)) << "\n";
        out << "   degraded time (ms):                  " << fmt(stat(degraded)) << "\n";
        out << "   demand fetches:                      " << fmt(stat(faults), 0) << "\n";
        out << "   longest vCPU wait for a page (ms):   " << fmt(stat(waitMax), 2) << "\n";
    }
    return 0;
}
