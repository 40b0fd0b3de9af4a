#include "loaddistribution.h"

#include "common/clock.h"

#include "imagecodec.h"
#include "interpreter.h"
#include "mobilityclient.h"

#include <algorithm>
#include <cmath>

namespace proclab::mobility {

using Clock = std::chrono::steady_clock;

namespace {

} // namespace

std::int64_t LoadDistribution::splitPoint(std::int64_t lo, std::int64_t hi, double nodeShare)
{
    if (hi <= lo)
        return lo;
    const double share = std::clamp(std::isfinite(nodeShare) ? nodeShare : 0.5, 0.0, 1.0);
    const double a = std::pow(double(std::max<std::int64_t>(lo, 0)), 1.5);
    const double b = std::pow(double(hi), 1.5);
    const double m = std::pow(a + (1.0 - share) * (b - a), 1.0 / 1.5);
    return std::clamp<std::int64_t>(std::int64_t(std::llround(m)), lo, hi);
}

LoadReport LoadDistribution::run(const LoadConfig &config, const Computation &program)
{
    LoadReport r;
    const int loIndex = program.data.globalIndex(QStringLiteral("lo"));
    const int hiIndex = program.data.globalIndex(QStringLiteral("hi"));
    if (loIndex < 0 || hiIndex < 0 || !program.data.globals[std::size_t(loIndex)].isInt()
        || !program.data.globals[std::size_t(hiIndex)].isInt()) {
        r.error = QStringLiteral("the program needs integer globals 'lo' and 'hi'");
        return r;
    }
    r.lo = program.data.globals[std::size_t(loIndex)].asInt();
    r.hi = program.data.globals[std::size_t(hiIndex)].asInt();
    r.splitAt = splitPoint(r.lo, r.hi, config.nodeShare);

    // Everything here.
    Computation whole = program;
    auto t0 = Clock::now();
    Interpreter(whole, config.limits).runToEnd(config.cancelled, config.sliceSteps);
    r.allHereNs = nsSince(t0);
    if (whole.state.status != MachineStatus::Halted || !whole.state.result.isInt()) {
        r.error = whole.finished()
            ? QStringLiteral("the program did not end with a count: %1").arg(whole.state.faultMessage)
            : QStringLiteral("stopped");
        return r;
    }
    r.resultAllHere = whole.state.result;
    r.stepsAllHere = whole.state.steps;

    // Split: the upper part goes to the node, the lower part is computed here meanwhile.
    Computation herePart = program;
    herePart.data.globals[std::size_t(hiIndex)] = Value::ofInt(r.splitAt);
    Computation nodePart = program;
    nodePart.data.globals[std::size_t(loIndex)] = Value::ofInt(r.splitAt);

    MobilityClientOptions options;
    options.host = config.host;
    options.port = config.port;
    options.connectTimeout = config.connectTimeout;
    options.messageTimeout = config.messageTimeout;
    options.resultTimeout = config.resultTimeout;
    options.cancelled = config.cancelled;
    options.limits = config.limits;
    MobilityClient client(options);

    t0 = Clock::now();
    const EncodedImage image = ImageCodec::encodeWeak(nodePart);
    wire::AcceptedBody accepted;
    if (!client.open(wire::Intent::Run, &r.error) || !client.sendImage(image.bytes, &accepted, &r.error))
        return r;
    r.moveNs = nsSince(t0);
    const auto hereStart = Clock::now();
    Interpreter(herePart, config.limits).runToEnd(config.cancelled, config.sliceSteps);
    r.herePartNs = nsSince(hereStart);
    if (herePart.state.status != MachineStatus::Halted || !herePart.state.result.isInt()) {
        r.error = herePart.finished()
            ? QStringLiteral("the part here did not end with a count: %1").arg(herePart.state.faultMessage)
            : QStringLiteral("stopped");
        return r;
    }
    wire::ResultBody remote;
    if (!client.awaitResult(&remote, &r.error))
        return r;
    r.splitNs = nsSince(t0);
    if (remote.status != MachineStatus::Halted || !remote.result.isInt()) {
        r.error = QStringLiteral("the node's part did not end with a count: %1").arg(remote.message);
        return r;
    }
    r.nodePartNs = std::int64_t(remote.runNs);
    r.stepsHere = herePart.state.steps;
    r.stepsAtNode = remote.stepsHere;
    r.resultSplit = Value::ofInt(herePart.state.result.asInt() + remote.result.asInt());
    r.equal = r.resultSplit == r.resultAllHere;
    return r;
}

} // namespace proclab::mobility
