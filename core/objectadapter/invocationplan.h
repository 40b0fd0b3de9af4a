#pragma once

#include "activationpolicy.h"

#include <cstdint>
#include <string>
#include <vector>

namespace proclab {

/**
 * @brief What an adapter's counters must read after a plan ran under a policy.
 */
struct ActivationForecast {
    std::int64_t activations = 0; ///< objects created
    std::int64_t threads = 0; ///< threads the adapter started
    std::int64_t maxCallsOnOneObject = 0; ///< the most invocations one activated object served
};

/**
 * @brief Which object each client invokes, request by request: a plain, deterministic plan.
 *
 * Client c's request i goes to object (c + i) mod objects, so every client that makes at
 * least `objects` requests uses every object, and the clients start on different objects.
 */
struct InvocationPlan {
    int clients = 3;
    int requestsPerClient = 6;
    int objects = 2;

    /// @brief The object index of client @p client's request @p index.
    int target(int client, int index) const { return (client + index) % objects; }
    std::int64_t totalRequests() const { return std::int64_t(clients) * requestsPerClient; }

    /// @brief The identity of object @p index, as the clients name it ("SimplePrinter1", ...).
    static std::string identity(int index);
    /// @brief What object @p index prefixes its answers with ("Object1 says:").
    static std::string prefix(int index);

    /// @brief The counters the plan must give under @p activation and @p threading.
    ActivationForecast forecast(ActivationPolicy activation, ThreadingPolicy threading) const;
};

} // namespace proclab
