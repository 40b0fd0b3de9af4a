#include "sharedvarplan.h"

#include <random>

namespace proclab {

SharedVarPlan SharedVarPlan::fromConfig(const SharedVarConfig &config)
{
    SharedVarPlan plan;
    std::mt19937_64 rng(config.seed);
    plan.initial = config.initial;
    if (plan.initial < 0)
        plan.initial = std::uniform_int_distribution<qint64>(10, 99)(rng);
    std::uniform_int_distribution<std::int64_t> sleepDist(
        config.maxSleepMs * 50000, config.maxSleepMs * 1000000);
    plan.spawn = config.start == SharedVarConfig::Start::Spawn;
    for (int p = 0; p < config.processes; ++p) {
        qint64 start = plan.initial;
        if (plan.spawn && config.initial < 0) {
            std::mt19937_64 own(config.seed * 1000003u + std::uint64_t(p) + 1);
            start = std::uniform_int_distribution<qint64>(10, 99)(own);
        }
        plan.childInitial.push_back(start);
    }
    plan.sleepsNs.resize(std::size_t(config.processes));
    for (auto &perProcess : plan.sleepsNs) {
        for (int t = 0; t < config.threads; ++t)
            perProcess.push_back(sleepDist(rng));
    }
    return plan;
}

} // namespace proclab
