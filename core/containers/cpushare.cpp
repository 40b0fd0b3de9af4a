#include "cpushare.h"

namespace proclab {

CpuShare CpuShare::fromSamples(
    const std::vector<ContainerCpuSample> &samples, std::int64_t startNs, double limitAtS, double settleS)
{
    CpuShare out;
    double beforeCpu = 0, beforeWall = 0, afterCpu = 0, afterWall = 0;
    for (std::size_t i = 1; i < samples.size(); ++i) {
        const double wall = (samples[i].monotonicNs - samples[i - 1].monotonicNs) / 1e9;
        const double cpu = (samples[i].cpuNs - samples[i - 1].cpuNs) / 1e9;
        if (wall <= 0)
            continue;
        const double fromS = (samples[i - 1].monotonicNs - startNs) / 1e9;
        const double toS = (samples[i].monotonicNs - startNs) / 1e9;
        out.timeS.push_back(toS);
        out.percent.push_back(100.0 * cpu / wall);
        if (toS <= limitAtS) {
            beforeCpu += cpu;
            beforeWall += wall;
        } else if (fromS >= limitAtS + settleS) {
            afterCpu += cpu;
            afterWall += wall;
            ++out.afterIntervals;
        }
    }
    out.beforePercent = beforeWall > 0 ? 100.0 * beforeCpu / beforeWall : 0;
    out.afterPercent = afterWall > 0 ? 100.0 * afterCpu / afterWall : 0;
    return out;
}

} // namespace proclab
