// Figures of the server parts (S2, S3, S4). Prints medians and spreads; asserts nothing.
//   bench_serverparts [repetitions]   (default 20)
#include "common/helpermode.h"
#include "serverparts/endpointexperiment.h"
#include "serverparts/fileserviceexperiment.h"
#include "serverparts/outofbandexperiment.h"

#include <QString>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

#include <sys/utsname.h>

using namespace proclab;

namespace {

std::string machine()
{
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line, model = "unknown CPU";
    while (std::getline(cpuinfo, line)) {
        if (line.rfind("model name", 0) == 0) {
            model = line.substr(line.find(':') + 2);
            break;
        }
    }
    utsname u {};
    uname(&u);
    return model + ", " + std::to_string(std::thread::hardware_concurrency()) + " CPUs, " + u.sysname + " "
        + u.release;
}

void printSummary(const char *what, const Spread &s)
{
    std::printf("  %-44s median %9.1f us  p10-p90 %9.1f - %9.1f us  (min %.1f, max %.1f, n=%d)\n", what,
        s.median, s.p10, s.p90, s.min, s.max, s.count);
}

void printRun(const FileServiceRun &r)
{
    std::printf("  %s\n", qPrintable(r.style));
    std::printf("    reads %lld: client cache hits %lld (%.0f%%), server cache hit rate %.0f%% (%lld hits, "
                "%lld misses, "
                "%lld read ahead)\n",
        static_cast<long long>(r.reader.reads), static_cast<long long>(r.reader.clientHits),
        100.0 * r.clientHitRate, 100.0 * r.serverHitRate, static_cast<long long>(r.server.cacheHits),
        static_cast<long long>(r.server.cacheMisses), static_cast<long long>(r.server.prefetches));
    std::printf(
        "    requests %lld (validations %lld), callbacks %lld, connections %lld, failed %lld, retried %lld, "
        "rebuilds %lld\n",
        static_cast<long long>(r.reader.requests), static_cast<long long>(r.reader.validations),
        static_cast<long long>(r.reader.callbacks), static_cast<long long>(r.reader.connectionsOpened),
        static_cast<long long>(r.reader.failedRequests), static_cast<long long>(r.reader.retries),
        static_cast<long long>(r.reader.rebuilds));
    printSummary("read latency", r.readLatencyUs);
    for (const auto &note : r.restartNotes)
        std::printf("    restart: %s\n", qPrintable(note));
    std::printf("    check: %s\n", qPrintable(r.dataCheck));
}

} // namespace

int main(int argc, char **argv)
{
    const int helper = runHelperModeIfRequested(argc, argv);
    if (helper >= 0)
        return helper;
    const int reps = argc > 1 ? std::max(1, std::atoi(argv[1])) : 20;
    std::printf("bench_serverparts on %s, %d repetitions (all figures measured on this machine)\n\n",
        machine().c_str(), reps);

    EndpointExperimentConfig ec;
    ec.repetitions = reps;
    const EndpointExperimentResult e = EndpointExperiment(ec).run();
    std::printf(
        "S2 superserver vs end-point daemon%s\n", e.ok ? "" : qPrintable(QStringLiteral(": ") + e.error));
    printSummary("connect -> greeting via the superserver", e.superServerFirstLineUs);
    printSummary("connect -> greeting of a registered service", e.registeredFirstLineUs);
    printSummary("lookup at the end-point daemon", e.lookupUs);
    printSummary("handler process spawn -> reap", e.spawnToReapUs);
    std::printf("  handlers %zu, distinct pids %d, all reaped %s\n\n", e.handlers.size(),
        e.distinctHandlerPids, e.allHandlersReaped ? "yes" : "no");

    OutOfBandExperimentConfig oc;
    oc.repetitions = reps;
    const OutOfBandExperimentResult o = OutOfBandExperiment(oc).run();
    std::printf("S3 out-of-band, work units of %d us%s\n  %s\n", oc.unitUs,
        o.ok ? "" : qPrintable(QStringLiteral(": ") + o.error), qPrintable(o.priorityNote));
    for (const auto &row : o.latency) {
        const QString head
            = QStringLiteral("%1, %2").arg(urgentMethodName(row.method), urgentCommandName(row.command));
        std::printf("  %s\n", qPrintable(head));
        printSummary("  send -> noticed by the urgent thread", row.sendToNoticeUs);
        printSummary("  send -> effect in the worker", row.sendToEffectUs);
        printSummary("  send -> status line at the client", row.sendToAckUs);
    }
    std::printf("\n");

    FileServiceExperimentConfig fc;
    const FileServiceExperimentResult f = FileServiceExperiment(fc).run();
    std::printf("S4 stateless vs stateful: %d files x %d blocks of %d bytes, %d passes, a write in pass %d, "
                "a restart in "
                "pass %d, simulated disk wait %d us per block (model)%s\n",
        fc.fileCount, fc.fileBlocks, fc.blockBytes, fc.passes, fc.writePass + 1, fc.restartPass + 1,
        fc.server.diskDelayUs, f.ok ? "" : qPrintable(QStringLiteral(": ") + f.error));
    printRun(f.stateful);
    printRun(f.stateless);
    std::printf("S4 does connection-oriented communication fit a stateless design? (no client cache)\n");
    for (const auto &r : f.connectionModes)
        printRun(r);
    return e.ok && o.ok && f.ok ? 0 : 1;
}
