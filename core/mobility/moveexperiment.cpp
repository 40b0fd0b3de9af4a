#include "moveexperiment.h"

#include "common/clock.h"

#include "imagecodec.h"
#include "interpreter.h"
#include "mobilityclient.h"

#include <algorithm>
#include <cmath>

namespace proclab::mobility {

using Clock = std::chrono::steady_clock;

QString moveModeName(MoveMode mode)
{
    switch (mode) {
    case MoveMode::WeakPush:
        return QStringLiteral("weak-push");
    case MoveMode::WeakPull:
        return QStringLiteral("weak-pull");
    case MoveMode::Strong:
        return QStringLiteral("strong");
    case MoveMode::Clone:
        return QStringLiteral("clone");
    }
    return QString();
}

std::optional<MoveMode> moveModeFromName(const QString &name)
{
    for (MoveMode m : {MoveMode::WeakPush, MoveMode::WeakPull, MoveMode::Strong, MoveMode::Clone}) {
        if (moveModeName(m) == name)
            return m;
    }
    return std::nullopt;
}

namespace {

/// Runs @p c here to its end; false when cancelled first.
bool runHere(Computation &c, const MoveConfig &config, std::int64_t *ns)
{
    const auto t0 = Clock::now();
    Interpreter(c, config.limits).runToEnd(config.cancelled, config.sliceSteps);
    if (ns)
        *ns = nsSince(t0);
    return c.finished();
}

void takeResult(MoveReport &r, const wire::ResultBody &remote, std::uint32_t unmigratedChecksum)
{
    r.result = remote.result;
    r.stepsTotal = remote.stepsTotal;
    r.stepsAtNode = remote.stepsHere;
    r.nodeRunNs = std::int64_t(remote.runNs);
    if (remote.status != MachineStatus::Halted)
        r.faultMessage = remote.message.isEmpty() ? machineStatusName(remote.status) : remote.message;
    r.equal = remote.status == MachineStatus::Halted && remote.result == r.resultUnmigrated
        && remote.dataChecksum == unmigratedChecksum;
}

} // namespace

MoveReport MoveExperiment::run(const MoveConfig &config, const Computation &program)
{
    MoveReport r;
    r.mode = config.mode;
    auto cancelledNow = [&] { return config.cancelled && config.cancelled(); };
    auto tell = [&](MovePhase phase, const QString &status, const Computation *c = nullptr) {
        if (config.progress)
            config.progress(phase, status, c);
    };

    tell(MovePhase::Unmigrated,
        QStringLiteral("running '%1' here without moving it").arg(program.code.programName()));
    Computation unmigrated = program;
    if (!runHere(unmigrated, config, &r.unmigratedNs)) {
        r.error = QStringLiteral("stopped");
        return r;
    }
    if (unmigrated.state.status != MachineStatus::Halted) {
        r.error = QStringLiteral("the program does not finish here: %1").arg(unmigrated.state.faultMessage);
        return r;
    }
    r.resultUnmigrated = unmigrated.state.result;
    r.stepsUnmigrated = unmigrated.state.steps;
    const std::uint32_t unmigratedChecksum = ImageCodec::dataChecksum(unmigrated.data);
    tell(MovePhase::Unmigrated,
        QStringLiteral("unmigrated: %1 after %2 steps")
            .arg(r.resultUnmigrated.toString())
            .arg(r.stepsUnmigrated),
        &unmigrated);

    MobilityClientOptions options;
    options.host = config.host;
    options.port = config.port;
    options.connectTimeout = config.connectTimeout;
    options.messageTimeout = config.messageTimeout;
    options.resultTimeout = config.resultTimeout;
    options.cancelled = config.cancelled;
    options.limits = config.limits;
    MobilityClient client(options);
    const QString where = QStringLiteral("%1:%2").arg(QString::fromStdString(config.host)).arg(config.port);

    switch (config.mode) {
    case MoveMode::WeakPush: {
        const Computation moved = program;
        tell(MovePhase::Moving, QStringLiteral("shipping code and data to %1").arg(where), &moved);
        const auto t0 = Clock::now();
        const EncodedImage image = ImageCodec::encodeWeak(moved);
        r.serializeNs = nsSince(t0);
        wire::AcceptedBody accepted;
        if (!client.open(wire::Intent::Run, &r.error) || !client.sendImage(image.bytes, &accepted, &r.error))
            break;
        r.moveNs = nsSince(t0);
        r.bytesCode = image.codeBytes;
        r.bytesData = image.dataBytes;
        r.bytesImage = std::uint32_t(image.bytes.size());
        r.nodeDecodeNs = std::int64_t(accepted.decodeNs);
        r.resumedAtNode = accepted.resumed;
        tell(MovePhase::AtNode, QStringLiteral("running from the beginning at %1").arg(where));
        wire::ResultBody remote;
        if (!client.awaitResult(&remote, &r.error))
            break;
        takeResult(r, remote, unmigratedChecksum);
        break;
    }
    case MoveMode::WeakPull: {
        tell(MovePhase::Moving, QStringLiteral("fetching '%1' from %2").arg(config.programName, where));
        const auto t0 = Clock::now();
        std::uint32_t imageBytes = 0;
        if (!client.open(wire::Intent::Fetch, &r.error))
            break;
        auto image = client.fetch(config.programName, &imageBytes, &r.error);
        if (!image)
            break;
        r.moveNs = nsSince(t0);
        r.bytesCode = image->codeBytes;
        r.bytesData = image->dataBytes;
        r.bytesImage = imageBytes;
        Computation fetched = Computation::start(std::move(*image->code), std::move(*image->data));
        for (const auto &input : config.inputs) {
            if (!fetched.data.setGlobal(input.first, input.second)) {
                r.error = QStringLiteral("the fetched program has no global '%1' to set").arg(input.first);
                return r;
            }
        }
        r.codeIdentical = fetched.code == program.code && fetched.data == program.data;
        r.atMove = fetched;
        tell(MovePhase::AtNode, QStringLiteral("the code is here; running it from the beginning"), &fetched);
        if (!runHere(fetched, config, &r.nodeRunNs)) {
            r.error = QStringLiteral("stopped");
            break;
        }
        r.result = fetched.state.result;
        r.stepsTotal = fetched.state.steps;
        if (fetched.state.status != MachineStatus::Halted)
            r.faultMessage = fetched.state.faultMessage;
        r.equal = fetched.state.status == MachineStatus::Halted && r.result == r.resultUnmigrated
            && ImageCodec::dataChecksum(fetched.data) == unmigratedChecksum;
        r.nodeRunNs = 0; // it ran here
        break;
    }
    case MoveMode::Strong:
    case MoveMode::Clone: {
        if (r.stepsUnmigrated < 2) {
            r.error = QStringLiteral("the program ends after %1 step: nothing to stop in the middle of")
                          .arg(r.stepsUnmigrated);
            break;
        }
        const double fraction
            = std::clamp(std::isfinite(config.moveAtFraction) ? config.moveAtFraction : 0.5, 0.0, 1.0);
        const std::uint64_t target = std::clamp<std::uint64_t>(
            std::uint64_t(fraction * double(r.stepsUnmigrated)), 1, r.stepsUnmigrated - 1);
        Computation moving = program;
        tell(MovePhase::RunningHere, QStringLiteral("running here until step %1").arg(target), &moving);
        Interpreter here(moving, config.limits);
        while (!moving.finished() && moving.state.steps < target && !cancelledNow())
            here.run(std::min<std::uint64_t>(config.sliceSteps, target - moving.state.steps));
        if (cancelledNow()) {
            r.error = QStringLiteral("stopped");
            break;
        }
        if (moving.finished()) {
            r.error = QStringLiteral("the computation ended before the move: %1")
                          .arg(machineStatusName(moving.state.status));
            break;
        }
        r.stepsBeforeMove = moving.state.steps;
        tell(MovePhase::Moving,
            QStringLiteral("stopped at step %1 (address %2); moving to %3")
                .arg(r.stepsBeforeMove)
                .arg(moving.state.pc)
                .arg(where),
            &moving);
        // The move: from the stop between two instructions until the node has it running.
        const auto t0 = Clock::now();
        const EncodedImage image = ImageCodec::encodeStrong(moving);
        r.serializeNs = nsSince(t0);
        wire::AcceptedBody accepted;
        const auto intent = config.mode == MoveMode::Strong ? wire::Intent::Migrate : wire::Intent::Clone;
        if (!client.open(intent, &r.error) || !client.sendImage(image.bytes, &accepted, &r.error))
            break;
        r.moveNs = nsSince(t0);
        r.bytesCode = image.codeBytes;
        r.bytesData = image.dataBytes;
        r.bytesExecutionState = image.stateBytes;
        r.bytesImage = std::uint32_t(image.bytes.size());
        r.nodeDecodeNs = std::int64_t(accepted.decodeNs);
        r.resumedAtNode = accepted.resumed && accepted.stepsAtArrival == r.stepsBeforeMove;
        r.atMove = moving;
        tell(MovePhase::AtNode,
            config.mode == MoveMode::Strong
                ? QStringLiteral("going on at %1 from step %2").arg(where).arg(accepted.stepsAtArrival)
                : QStringLiteral("the clone goes on at %1 from step %2; the original goes on here")
                      .arg(where)
                      .arg(accepted.stepsAtArrival));
        if (config.mode == MoveMode::Clone) {
            // The original goes on here while the clone runs at the node.
            if (!runHere(moving, config, nullptr)) {
                r.error = QStringLiteral("stopped");
                break;
            }
            r.resultOriginal = moving.state.result;
            r.originalEqual = moving.state.status == MachineStatus::Halted
                && moving.state.result == r.resultUnmigrated
                && ImageCodec::dataChecksum(moving.data) == unmigratedChecksum;
        }
        wire::ResultBody remote;
        if (!client.awaitResult(&remote, &r.error))
            break;
        takeResult(r, remote, unmigratedChecksum);
        break;
    }
    }
    if (!r.error.isEmpty() && !r.error.startsWith(QLatin1String("stopped")) && !r.error.contains(where))
        r.error = QStringLiteral("%1 (node %2)").arg(r.error, where);
    if (r.error.isEmpty())
        tell(MovePhase::Done,
            QStringLiteral("%1: %2, unmigrated %3: %4")
                .arg(moveModeName(r.mode), r.result.toString(), r.resultUnmigrated.toString(),
                    r.equal ? QStringLiteral("equal") : QStringLiteral("different")));
    return r;
}

} // namespace proclab::mobility
