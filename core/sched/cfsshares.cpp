#include "cfsshares.h"

#include "schedmodel.h"
#include "schedworkload.h"

namespace proclab {

std::vector<double> cfsWeightShares(const std::vector<int> &weights)
{
    double total = 0;
    for (int w : weights)
        total += w;
    std::vector<double> shares(weights.size(), 0.0);
    if (total <= 0)
        return shares;
    for (std::size_t i = 0; i < weights.size(); ++i)
        shares[i] = weights[i] / total;
    return shares;
}

std::vector<double> cfsNiceShares(const std::vector<int> &nices)
{
    std::vector<int> weights;
    weights.reserve(nices.size());
    for (int n : nices)
        weights.push_back(niceToWeight(n));
    return cfsWeightShares(weights);
}

std::vector<double> cfsModelShares(const std::vector<int> &nices, std::int64_t durationNs)
{
    if (nices.empty())
        return {};
    SchedConfig cfg;
    cfg.model = ThreadingModel::OneToOne;
    cfg.policy = SchedPolicy::Cfs;
    cfg.cpus = 1;
    cfg.maxTimeNs = durationNs;
    cfg.traceCap = 0;
    SchedModel model(busyThreadsWorkload(nices), cfg);
    model.runToEnd();
    const std::vector<UserThreadInfo> threads = model.userThreads();
    std::int64_t total = 0;
    for (const UserThreadInfo &t : threads)
        total += t.cpuNs + t.overheadNs;
    std::vector<double> shares(threads.size(), 0.0);
    for (std::size_t i = 0; i < threads.size(); ++i)
        shares[i] = total > 0 ? double(threads[i].cpuNs + threads[i].overheadNs) / total : 0;
    return shares;
}

} // namespace proclab
