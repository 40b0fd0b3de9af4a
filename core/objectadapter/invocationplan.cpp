#include "invocationplan.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace proclab {

std::string InvocationPlan::identity(int index)
{
    return "SimplePrinter" + std::to_string(index + 1);
}

std::string InvocationPlan::prefix(int index)
{
    return "Object" + std::to_string(index + 1) + " says:";
}

ActivationForecast InvocationPlan::forecast(ActivationPolicy activation, ThreadingPolicy threading) const
{
    // Count what each policy keys its objects by: nothing (a new one each time), the
    // (client, object) pair, or the object alone.
    std::map<std::pair<int, int>, std::int64_t> perPair;
    std::map<int, std::int64_t> perObject;
    for (int c = 0; c < clients; ++c) {
        for (int i = 0; i < requestsPerClient; ++i) {
            ++perPair[{c, target(c, i)}];
            ++perObject[target(c, i)];
        }
    }
    ActivationForecast f;
    switch (activation) {
    case ActivationPolicy::PerRequest:
        f.activations = totalRequests();
        f.maxCallsOnOneObject = totalRequests() > 0 ? 1 : 0;
        break;
    case ActivationPolicy::PerClient:
        f.activations = std::int64_t(perPair.size());
        for (const auto &kv : perPair)
            f.maxCallsOnOneObject = std::max(f.maxCallsOnOneObject, kv.second);
        break;
    case ActivationPolicy::PerServer:
        f.activations = std::int64_t(perObject.size());
        for (const auto &kv : perObject)
            f.maxCallsOnOneObject = std::max(f.maxCallsOnOneObject, kv.second);
        break;
    }
    f.threads = threading == ThreadingPolicy::ThreadPerRequest ? totalRequests() : f.activations;
    return f;
}

} // namespace proclab
