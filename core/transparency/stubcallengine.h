#pragma once

#include "clientstub.h"
#include "rpcserver.h"
#include "stubgenerator.h"

#include "engine/engine.h"

#include <optional>
#include <vector>

namespace proclab {

/**
 * @brief One call of the access-transparency step, as the views show it.
 */
struct StubCallView {
    QString method;
    QString callText; ///< "calc.add(2, 3)"
    QString resultText; ///< "5"
    RpcBytes request;
    std::vector<MarshalField> requestFields;
    RpcBytes reply;
    std::vector<MarshalField> replyFields;
    QString serverSaw; ///< the arguments as the skeleton unmarshalled them
    GeneratedMethodCode code;
    double roundTripUs = 0; ///< measured, this call
};

/**
 * @brief What the stub view draws: the calls so far, the current one and its stage.
 */
struct StubCallSnapshot : Snapshot {
    /// The stages of one call, in order.
    enum Phase {
        AppCalls = 0,
        StubMarshals = 1,
        OnTheWire = 2,
        SkeletonUnmarshals = 3,
        ObjectRuns = 4,
        SkeletonReplies = 5,
        StubUnmarshals = 6,
        AppGetsResult = 7,
    };
    static constexpr int kPhases = 8;
    QString idl;
    std::uint16_t port = 0;
    std::vector<StubCallView> calls; ///< the current call last
    int phase = -1;
    double callUsMedian = 0; ///< measured, once the timed calls ran
    int timedCalls = 0;
};

/**
 * @brief The stubcall engine's parameters.
 */
struct StubCallConfig {
    std::int32_t a = 2;
    std::int32_t b = 3;
    std::string name = "Ada";
    std::vector<double> values {1.5, 2.5, 4};
    int repeats = 200; ///< timed calls for the median

    /// @brief Converts validated parameter values; refuses a malformed list of values.
    static std::optional<StubCallConfig> fromParams(const ParamValues &values, QString *error);
};

/**
 * @brief C4, access transparency, for real: the application calls a Calculator through a
 * client stub generated from its IDL; a real server on 127.0.0.1 runs the skeleton. Each
 * call is shown stage by stage (one checkpoint per stage) with the real marshalled bytes;
 * then calls are timed.
 */
class StubCallEngine : public ConfiguredEngine<StubCallConfig> {
public:
    static constexpr QLatin1String kId {"stubcall"};
    static constexpr QLatin1String kStubView {"stubcall.marshalling"};

    StubCallEngine();
    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;

protected:
    void run() override;
};

} // namespace proclab
