// Compares the ctxswitch engine's pipe ping-pong with `perf bench sched pipe`
// (processes, and threads with -T), both pinned to CPU 0, run alternately so
// that both see the same machine state. Prints medians over rounds, their
// spread and the ratio engine/perf. Asserts nothing.
//
// Usage: bench_ctxswitch [rounds=5] [loops=20000] [--full]
//   --full also prints the JSON of one default engine run (all parts).

#include "ctxswitch/ctxswitchengine.h"

#include "common/helpermode.h"
#include "common/stats.h"

#include <QJsonDocument>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

using namespace proclab;

namespace {

std::optional<double> perfUsecsPerOp(bool threads, int loops)
{
    const std::string cmd
        = "taskset -c 0 perf bench sched pipe -l " + std::to_string(loops) + (threads ? " -T" : "") + " 2>&1";
    FILE *p = popen(cmd.c_str(), "r");
    if (!p)
        return std::nullopt;
    char line[512];
    std::optional<double> value;
    while (std::fgets(line, sizeof line, p)) {
        if (std::strstr(line, "usecs/op"))
            value = std::strtod(line, nullptr);
    }
    pclose(p);
    return value;
}

struct EngineFigures {
    double threadMeanUs = 0, threadMedianUs = 0, processMeanUs = 0, processMedianUs = 0;
};

std::optional<EngineFigures> engineRoundTrips(int loops)
{
    const auto eOwner = makeEngine<CtxSwitchEngine>();
    CtxSwitchEngine &e = *eOwner;
    QString error;
    if (!e.configure({{QStringLiteral("parts"), QStringLiteral("switch")},
                         {QStringLiteral("mechanism"), QStringLiteral("pipe")},
                         {QStringLiteral("round_trips"), loops}},
            &error)) {
        std::cerr << "configure: " << error.toStdString() << '\n';
        return std::nullopt;
    }
    const Result r = runToCompletion(e, std::chrono::minutes(5));
    if (!r.error.isEmpty()) {
        std::cerr << "engine: " << r.error.toStdString() << '\n';
        return std::nullopt;
    }
    const auto snap = std::dynamic_pointer_cast<const CtxSwitchSnapshot>(e.snapshot());
    EngineFigures f;
    for (const auto &s : snap->switches) {
        // perf reports the mean per round trip; the engine has every sample (per switch = rt / 2).
        const double meanUs = 2.0 * std::accumulate(s.valuesNs.begin(), s.valuesNs.end(), 0.0)
            / double(s.valuesNs.size()) / 1000.0;
        if (s.id == QLatin1String("thread_switch_pipe")) {
            f.threadMeanUs = meanUs;
            f.threadMedianUs = 2.0 * s.medianNs / 1000.0;
        } else if (s.id == QLatin1String("process_switch_pipe")) {
            f.processMeanUs = meanUs;
            f.processMedianUs = 2.0 * s.medianNs / 1000.0;
        }
    }
    return f;
}

void printRow(const char *what, std::vector<double> v)
{
    if (v.empty()) {
        std::printf("  %-44s   (not measured)\n", what);
        return;
    }
    std::printf("  %-44s %9.2f us  (p10 %.2f, p90 %.2f, n=%zu)\n", what, percentile(v, 0.5),
        percentile(v, 0.1), percentile(v, 0.9), v.size());
}

} // namespace

int main(int argc, char **argv)
{
    // The process ping-pong runs in the fork helper: this program started again in helper mode.
    if (const int status = runHelperModeIfRequested(argc, argv); status >= 0)
        return status;
    int rounds = 5;
    int loops = 20000;
    bool full = false;
    int positional = 0;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--full") == 0)
            full = true;
        else if (positional++ == 0)
            rounds = std::max(1, std::atoi(argv[i]));
        else
            loops = std::max(100, std::atoi(argv[i]));
    }
    std::printf(
        "ctxswitch benchmark: pipe ping-pong round trip, CPU 0, %d rounds x %d round trips\n", rounds, loops);
    std::printf("machine: %s\n", machineDescription().toStdString().c_str());
    const bool havePerf
        = access("/usr/bin/perf", X_OK) == 0 || std::system("command -v perf >/dev/null 2>&1") == 0;
    if (!havePerf)
        std::printf("perf is not installed: printing the engine's figures only\n");

    std::vector<double> perfProc, perfThread, engProcMean, engThreadMean, engProcMedian, engThreadMedian;
    for (int r = 0; r < rounds; ++r) {
        if (havePerf) {
            if (auto v = perfUsecsPerOp(false, loops))
                perfProc.push_back(*v);
            if (auto v = perfUsecsPerOp(true, loops))
                perfThread.push_back(*v);
        }
        if (auto f = engineRoundTrips(loops)) {
            engProcMean.push_back(f->processMeanUs);
            engThreadMean.push_back(f->threadMeanUs);
            engProcMedian.push_back(f->processMedianUs);
            engThreadMedian.push_back(f->threadMedianUs);
        }
        std::printf("  round %d done\n", r + 1);
        std::fflush(stdout);
    }
    std::printf("\nper round trip (median over rounds of each round's figure):\n");
    printRow("perf bench sched pipe (processes), mean", perfProc);
    printRow("engine, processes, mean", engProcMean);
    printRow("engine, processes, median", engProcMedian);
    printRow("perf bench sched pipe -T (threads), mean", perfThread);
    printRow("engine, threads, mean", engThreadMean);
    printRow("engine, threads, median", engThreadMedian);
    if (havePerf && !perfProc.empty() && !engProcMean.empty())
        std::printf("ratio engine/perf, processes (means): %.3f\n",
            percentile(engProcMean, 0.5) / percentile(perfProc, 0.5));
    if (havePerf && !perfThread.empty() && !engThreadMean.empty())
        std::printf("ratio engine/perf, threads   (means): %.3f\n",
            percentile(engThreadMean, 0.5) / percentile(perfThread, 0.5));
    if (!engProcMedian.empty() && !engThreadMedian.empty())
        std::printf("ratio process/thread (engine medians): %.3f\n",
            percentile(engProcMedian, 0.5) / percentile(engThreadMedian, 0.5));

    if (full) {
        const auto eOwner = makeEngine<CtxSwitchEngine>();
        CtxSwitchEngine &e = *eOwner;
        e.configure({});
        const auto t0 = std::chrono::steady_clock::now();
        const Result r = runToCompletion(e, std::chrono::minutes(5));
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("\ndefault run (all parts) took %.2f s:\n%s\n", s,
            QJsonDocument(r.toJson()).toJson(QJsonDocument::Indented).constData());
    }
    return 0;
}
