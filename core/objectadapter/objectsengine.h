#pragma once

#include "activationpolicy.h"
#include "invocationplan.h"
#include "objectadapter.h"

#include "engine/engine.h"

#include <optional>
#include <vector>

namespace proclab {

/**
 * @brief What the object-adapter view draws.
 */
struct ObjectsSnapshot : Snapshot {
    ActivationPolicy activation = ActivationPolicy::PerServer;
    ThreadingPolicy threading = ThreadingPolicy::ThreadPerObject;
    InvocationPlan plan;
    AdapterCounters counters; ///< the adapter's counters now
    std::int64_t replies = 0; ///< answers the clients received
    std::int64_t errors = 0;
    std::vector<ObjectView> live; ///< objects activated now
    std::vector<AdapterStep> history; ///< counters after each invocation
    ActivationForecast expected; ///< what the counters must reach (from the plan and the policies)
    bool finished = false; ///< the adapter was shut down (every object dropped)
};

/**
 * @brief The object-adapter engine's parameters, converted once.
 */
struct ObjectsConfig {
    ActivationPolicy activation = ActivationPolicy::PerServer;
    ThreadingPolicy threading = ThreadingPolicy::ThreadPerObject;
    InvocationPlan plan;
    int serviceMs = 5; ///< each invocation's work
    int intervalMs = 60; ///< each client's pause between invocations

    /// @brief Converts validated parameter values.
    static std::optional<ObjectsConfig> fromParams(const ParamValues &values, QString *error);
};

/**
 * @brief S5 for real: an object server whose adapter activates objects by a policy, under a
 * real request stream (client threads invoking over TCP on 127.0.0.1).
 *
 * Two objects (SimplePrinter1, SimplePrinter2) sit behind one adapter, as in the slides' Ice
 * example. The adapter counts the objects it creates and the threads it starts; the result
 * sets them beside what the policy implies for the plan (computed apart, InvocationPlan).
 */
class ObjectsEngine : public ConfiguredEngine<ObjectsConfig> {
public:
    /// Engine id (the CLI and lesson files name it).
    static constexpr QLatin1String kId {"objects"};
    static constexpr QLatin1String kAdapterView {"objects.adapter"}; ///< view id

    ObjectsEngine();
    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;
    bool supportsStep() const override { return false; }

    /// @brief "activations" and "threads" against invocations finished (ids of the same name).
    static std::vector<Series> historySeries(const ObjectsSnapshot &snapshot);

protected:
    void run() override;

private:
    Result buildResult(const ObjectsSnapshot &snapshot) const;
};

} // namespace proclab
