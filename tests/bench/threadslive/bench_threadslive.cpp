// The live CFS demo, repeated: measured CPU share of the nice 0 thread next to
// the model's, median and spread over five 2-second runs. Asserts nothing.
#include "threadslive/threadsliveengine.h"

#include <QCoreApplication>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace proclab;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    std::printf("threads-live benchmark on %s\n", qPrintable(machineDescription()));
    for (const char *nices : {"0,5", "0,0", "0,10"}) {
        std::vector<double> shares;
        double model = 0, busy = 0;
        for (int rep = 0; rep < 5; ++rep) {
            const auto eOwner = makeEngine<ThreadsLiveEngine>();
            ThreadsLiveEngine &e = *eOwner;
            e.configure(
                {{QStringLiteral("nices"), QString::fromLatin1(nices)}, {QStringLiteral("seconds"), 2.0}});
            const Result r = runToCompletion(e, std::chrono::seconds(30));
            if (!r.error.isEmpty()) {
                std::printf("nices %s: %s\n", nices, qPrintable(r.error));
                return 0;
            }
            shares.push_back(r.summary.value(QStringLiteral("measured_share_T0")).toDouble());
            model = r.summary.value(QStringLiteral("model_share_T0")).toDouble();
            busy += r.summary.value(QStringLiteral("busy_fraction")).toDouble() / 5;
        }
        std::sort(shares.begin(), shares.end());
        std::printf("nices %-5s share of T0: measured median %.4f (min %.4f, max %.4f, 5 runs of 2 s), "
                    "CFS model %.4f; the pair got %.0f%% of their CPU\n",
            nices, shares[2], shares.front(), shares.back(), model, 100 * busy);
    }
    return 0;
}
