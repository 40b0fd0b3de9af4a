// Prints the measured page load time against the number of client threads and
// the speed-up of parallel RPCs, with median and spread. Asserts nothing.
#include "webclient/rpcfanoutengine.h"
#include "webclient/webclientengine.h"

#include "engine/result.h"

#include <algorithm>
#include <cstdio>

using namespace proclab;

int main()
{
    std::printf("machine: %s\n", qPrintable(machineDescription()));

    {
        constexpr int kRepeats = 5;
        const auto eOwner = makeEngine<WebClientEngine>();
        WebClientEngine &e = *eOwner;
        QString error;
        if (!e.configure({{QStringLiteral("threads"), 16}, {QStringLiteral("resources"), 16},
                             {QStringLiteral("resource_size"), QStringLiteral("32KiB")},
                             {QStringLiteral("latency_ms"), 50}, {QStringLiteral("sweep"), true},
                             {QStringLiteral("repeats"), kRepeats}},
                &error)) {
            std::printf("configure: %s\n", qPrintable(error));
            return 1;
        }
        const Result r = runToCompletion(e, std::chrono::seconds(120));
        if (!r.error.isEmpty()) {
            std::printf("error: %s\n", qPrintable(r.error));
            return 1;
        }
        const auto snap = std::dynamic_pointer_cast<const WebClientSnapshot>(e.snapshot());
        std::printf(
            "\npage of 16 x 32 KiB, 50 ms latency, unlimited bandwidth, %d loads per point\n", kRepeats);
        std::printf("%8s %12s %12s %12s %14s\n", "threads", "median ms", "min ms", "max ms", "model ms");
        for (const auto &p : snap->curve) {
            const auto [mn, mx] = std::minmax_element(p.samples.begin(), p.samples.end());
            const double model = 50 + 50.0 * ((16 + p.threads - 1) / p.threads);
            std::printf("%8d %12.1f %12.1f %12.1f %14.1f\n", p.threads, p.loadMs, *mn, *mx, model);
        }
    }
    {
        const auto eOwner = makeEngine<RpcFanoutEngine>();
        RpcFanoutEngine &e = *eOwner;
        e.configure({{QStringLiteral("servers"), 8}, {QStringLiteral("latency_ms"), 50},
            {QStringLiteral("repeats"), 7}});
        const Result r = runToCompletion(e, std::chrono::seconds(120));
        if (!r.error.isEmpty()) {
            std::printf("error: %s\n", qPrintable(r.error));
            return 1;
        }
        const auto snap = std::dynamic_pointer_cast<const FanoutSnapshot>(e.snapshot());
        std::printf("\nRPC fan-out, 50 ms per server, median of 7 rounds\n");
        std::printf("%8s %16s %16s %10s\n", "servers", "sequential ms", "parallel ms", "speed-up");
        for (const auto &p : snap->points)
            std::printf("%8d %16.1f %16.1f %10.2f\n", p.servers, p.sequentialMs, p.parallelMs, p.speedup);
    }
    return 0;
}
