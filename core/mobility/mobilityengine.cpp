#include "mobilityengine.h"

#include "assembler.h"
#include "imagecodec.h"
#include "mobilitynodeprocess.h"

#include "net/timedsocket.h"

#include <cmath>

namespace proclab {

using namespace mobility;

namespace {

const QStringList kModes {QStringLiteral("weak-push"), QStringLiteral("weak-pull"), QStringLiteral("strong"),
    QStringLiteral("clone")};
const QStringList kPrograms {QStringLiteral("primes"), QStringLiteral("integrate"), QStringLiteral("sieve"),
    QStringLiteral("fibonacci"), QStringLiteral("factorial")};

/// A value as JSON: a number when a double holds it exactly, otherwise its exact text.
QJsonValue jsonValue(const Value &v)
{
    if (v.isFloat())
        return std::isfinite(v.asFloat()) ? QJsonValue(v.asFloat()) : QJsonValue(v.toString());
    const std::int64_t i = v.asInt();
    if (i >= -(std::int64_t(1) << 53) && i <= (std::int64_t(1) << 53))
        return QJsonValue(double(i));
    return QJsonValue(v.toString());
}

double ms(std::int64_t ns)
{
    return double(ns) / 1e6;
}

} // namespace

bool MobilityConfig::sizeGlobal(const QString &program, QString *global, qint64 *maximum)
{
    // The largest sizes keep a run of the shipped program under about a minute on a slow
    // machine and inside the machine's limits (the sieve's heap, 64-bit factorials).
    struct Entry {
        const char *program;
        const char *global;
        qint64 maximum;
    };
    static const Entry entries[] = {{"primes", "hi", 5'000'000}, {"integrate", "n", 100'000'000},
        {"sieve", "limit", 1'000'000}, {"fibonacci", "n", 32}, {"factorial", "n", 20}};
    for (const Entry &e : entries) {
        if (program == QLatin1String(e.program)) {
            *global = QLatin1String(e.global);
            *maximum = e.maximum;
            return true;
        }
    }
    return false;
}

std::optional<MobilityConfig> MobilityConfig::fromParams(const ParamValues &values, QString *error)
{
    auto fail = [&](const QString &message) -> std::optional<MobilityConfig> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    MobilityConfig c;
    const auto mode = moveModeFromName(values.value(QStringLiteral("mode")).toString());
    if (!mode)
        return fail(QStringLiteral("mode must be one of %1").arg(kModes.join(QStringLiteral(", "))));
    c.mode = *mode;
    c.program = values.value(QStringLiteral("program")).toString();
    QString global;
    qint64 maximum = 0;
    if (!sizeGlobal(c.program, &global, &maximum))
        return fail(QStringLiteral("program must be one of %1").arg(kPrograms.join(QStringLiteral(", "))));
    c.size = values.value(QStringLiteral("size")).toLongLong();
    if (c.size > maximum)
        return fail(QStringLiteral("size %1 is too large for %2 (its %3 may be at most %4)")
                        .arg(c.size)
                        .arg(c.program, global)
                        .arg(maximum));
    c.moveAt = values.value(QStringLiteral("move_at")).toDouble();
    c.destination = values.value(QStringLiteral("destination")).toString().trimmed();
    if (!c.destination.isEmpty() && !migration::parseHostPort(c.destination, &c.host, &c.port))
        return fail(QStringLiteral("destination \"%1\" is not HOST:PORT").arg(c.destination));
    c.timeout = std::chrono::milliseconds(values.value(QStringLiteral("timeout_s")).toLongLong() * 1000);
    return c;
}

MobilityEngine::MobilityEngine()
    : ConfiguredEngine(EngineInfo {QString(kId), QStringLiteral("Code mobility"), Provenance::Measured,
        QStringLiteral("Moves a running computation of a small abstract machine to another "
                       "process over TCP (weak push or pull, strong migration, cloning) and "
                       "compares its result with an unmigrated run."),
        {QStringLiteral("M2"), QStringLiteral("M3")}, {QString(kInspectorView)}})
{
}

ParamSchema MobilityEngine::schema() const
{
    return ParamSchema {
        ParamSpec::choice(QStringLiteral("mode"), QStringLiteral("Mobility"), QStringLiteral("strong"),
            kModes,
            QStringLiteral(
                "weak-push: code and data go to the node and start over there; weak-pull: the code "
                "is fetched from the node and runs here; strong: the computation stops here and goes "
                "on at the node; clone: a copy goes on at the node while the original goes on here.")),
        ParamSpec::choice(QStringLiteral("program"), QStringLiteral("Program"), QStringLiteral("primes"),
            kPrograms,
            QStringLiteral(
                "The computation: a prime count by trial division, a numeric integral of 4/(1+x^2), "
                "a sieve on the heap, recursive Fibonacci or factorial.")),
        ParamSpec::integer(QStringLiteral("size"), QStringLiteral("Size"), 0, 0, 100'000'000, {},
            QStringLiteral("The program's input: primes below it, intervals, sieve cells, Fibonacci or "
                           "factorial argument. 0 runs the program as shipped.")),
        ParamSpec::real(QStringLiteral("move_at"), QStringLiteral("Move after"), 0.5, 0.0, 1.0,
            QStringLiteral("of the run"),
            QStringLiteral("Strong and clone: the share of the unmigrated run's instructions executed here "
                           "before the computation moves.")),
        ParamSpec::text(QStringLiteral("destination"), QStringLiteral("Destination"), QString(),
            QStringLiteral("Empty: a node process ProcLab starts on this machine. HOST:PORT: a mobility node "
                           "already running there."))
            .withEffect(ParamSpec::Effect::Connects),
        ParamSpec::integer(QStringLiteral("timeout_s"), QStringLiteral("Network timeout"), 10, 1, 300,
            QStringLiteral("s"),
            QStringLiteral("Any reply of the node that takes longer ends the run (the result itself may take "
                           "as long as the computation).")),
    };
}

std::vector<OutputSpec> MobilityEngine::outputs() const
{
    return {
        {QStringLiteral("result"), QString(),
            QStringLiteral("the moved computation's result (exact text when a double cannot hold it)")},
        {QStringLiteral("result_unmigrated"), QString(),
            QStringLiteral("the same program's result run here without moving")},
        {QStringLiteral("equal"), QString(),
            QStringLiteral("true when the results and final data segments are identical")},
        {QStringLiteral("bytes_code"), QStringLiteral("bytes"),
            QStringLiteral("the serialised code segment that moved")},
        {QStringLiteral("bytes_data"), QStringLiteral("bytes"),
            QStringLiteral("the serialised data segment that moved")},
        {QStringLiteral("bytes_execution_state"), QStringLiteral("bytes"),
            QStringLiteral("the serialised execution state that moved (0 for weak mobility)")},
        {QStringLiteral("bytes_image"), QStringLiteral("bytes"),
            QStringLiteral("the whole image with its header")},
        {QStringLiteral("move_ms"), QStringLiteral("ms"),
            QStringLiteral("measured: from the stop (or the request) until the node had it running (or the "
                           "code was here)")},
        {QStringLiteral("serialize_ms"), QStringLiteral("ms"),
            QStringLiteral("part of the move: encoding the image")},
        {QStringLiteral("node_decode_ms"), QStringLiteral("ms"),
            QStringLiteral("part of the move: the node decoding and checking it")},
        {QStringLiteral("unmigrated_ms"), QStringLiteral("ms"),
            QStringLiteral("interpreter time of the unmigrated run")},
        {QStringLiteral("node_run_ms"), QStringLiteral("ms"), QStringLiteral("interpreter time at the node")},
        {QStringLiteral("steps_unmigrated"), QString(), QStringLiteral("instructions of the unmigrated run")},
        {QStringLiteral("steps_before_move"), QString(),
            QStringLiteral("instructions executed here before the move")},
        {QStringLiteral("steps_at_node"), QString(), QStringLiteral("instructions executed at the node")},
        {QStringLiteral("resumed_at_node"), QString(),
            QStringLiteral("true when the node went on from the shipped state, false when it started over")},
        {QStringLiteral("went_on"), QString(),
            QStringLiteral("1 when the node went on from the shipped state, 0 when it started over")},
        {QStringLiteral("results_equal"), QString(),
            QStringLiteral("1 when the moved and unmigrated results are equal, else 0")},
        {QStringLiteral("result_original"), QString(),
            QStringLiteral("clone: the original's result (it went on here)")},
        {QStringLiteral("original_equal"), QString(),
            QStringLiteral("clone: the original's result equals the unmigrated one")},
        {QStringLiteral("code_identical"), QString(),
            QStringLiteral("weak-pull: the fetched code equals the local copy byte for byte")},
    };
}

void MobilityEngine::buildResult(const MoveReport &r, Result *result)
{
    QJsonObject &s = result->summary;
    s.insert(QStringLiteral("result"), jsonValue(r.result));
    s.insert(QStringLiteral("result_unmigrated"), jsonValue(r.resultUnmigrated));
    s.insert(QStringLiteral("equal"), r.equal);
    s.insert(QStringLiteral("bytes_code"), double(r.bytesCode));
    s.insert(QStringLiteral("bytes_data"), double(r.bytesData));
    s.insert(QStringLiteral("bytes_execution_state"), double(r.bytesExecutionState));
    s.insert(QStringLiteral("bytes_image"), double(r.bytesImage));
    s.insert(QStringLiteral("move_ms"), ms(r.moveNs));
    s.insert(QStringLiteral("serialize_ms"), ms(r.serializeNs));
    s.insert(QStringLiteral("node_decode_ms"), ms(r.nodeDecodeNs));
    s.insert(QStringLiteral("unmigrated_ms"), ms(r.unmigratedNs));
    s.insert(QStringLiteral("node_run_ms"), ms(r.nodeRunNs));
    s.insert(QStringLiteral("steps_unmigrated"), double(r.stepsUnmigrated));
    s.insert(QStringLiteral("steps_before_move"), double(r.stepsBeforeMove));
    s.insert(QStringLiteral("steps_at_node"), double(r.stepsAtNode));
    s.insert(QStringLiteral("resumed_at_node"), r.resumedAtNode);
    s.insert(QStringLiteral("went_on"), r.resumedAtNode ? 1 : 0);
    s.insert(QStringLiteral("results_equal"), r.equal ? 1 : 0);
    if (r.mode == MoveMode::Clone) {
        s.insert(QStringLiteral("result_original"), jsonValue(r.resultOriginal));
        s.insert(QStringLiteral("original_equal"), r.originalEqual);
    }
    if (r.mode == MoveMode::WeakPull)
        s.insert(QStringLiteral("code_identical"), r.codeIdentical);
    result->table.columns = QStringList {QStringLiteral("segment"), QStringLiteral("bytes")};
    result->table.rows = {
        {QStringLiteral("code"), r.bytesCode},
        {QStringLiteral("data"), r.bytesData},
        {QStringLiteral("execution state"), r.bytesExecutionState},
        {QStringLiteral("image (with header)"), r.bytesImage},
    };
    if (result->error.isEmpty() && !r.error.isEmpty())
        result->error = r.error;
    if (result->error.isEmpty() && !r.faultMessage.isEmpty())
        result->error = QStringLiteral("the moved computation did not finish: %1").arg(r.faultMessage);
}

void MobilityEngine::publishState(
    MovePhase phase, const QString &status, const Computation *computation, double progress)
{
    auto s = m_last ? std::make_shared<MobilitySnapshot>(*m_last) : std::make_shared<MobilitySnapshot>();
    s->phase = phase;
    s->status = status;
    s->progress = progress;
    // The inspector shows the computation as it moved; the unmigrated run's end is not it.
    if (computation && phase != MovePhase::Unmigrated)
        s->atMove = *computation;
    m_last = s;
    publish(s);
}

void MobilityEngine::run()
{
    const MobilityConfig &c = config();
    m_last.reset();
    Result result = makeResult();
    // A stop is not a failure: the run ends with the result so far and the status "stopped".
    auto finish = [&](const QString &error) {
        const bool stopped = stopRequested();
        result.error = stopped ? QString() : error;
        auto s = m_last ? std::make_shared<MobilitySnapshot>(*m_last) : std::make_shared<MobilitySnapshot>();
        s->phase = MovePhase::Done;
        s->status = stopped ? QStringLiteral("stopped") : error.isEmpty() ? QStringLiteral("done") : error;
        s->progress = 1;
        s->result = result;
        m_last = s;
        publish(s);
    };
    {
        auto first = std::make_shared<MobilitySnapshot>();
        first->mode = moveModeName(c.mode);
        first->program = c.program;
        first->status = QStringLiteral("preparing '%1'").arg(c.program);
        m_last = first;
        publish(first);
    }
    if (!checkpoint())
        return finish(QStringLiteral("stopped"));

    MachineLimits limits;
    QString error;
    auto program = Assembler::assembleFile(
        QStringLiteral(":/mobility/programs/%1.pasm").arg(c.program), limits, &error);
    if (!program)
        return finish(QStringLiteral("cannot load the program: %1").arg(error));
    QString sizeName;
    qint64 maximum = 0;
    MobilityConfig::sizeGlobal(c.program, &sizeName, &maximum);
    QList<QPair<QString, Value>> inputs;
    if (c.size > 0) {
        inputs.append({sizeName, Value::ofInt(c.size)});
        program->data.setGlobal(sizeName, Value::ofInt(c.size));
    }

    MobilityNodeProcess ownNode;
    MoveConfig move;
    move.mode = c.mode;
    move.programName = c.program;
    move.moveAtFraction = c.moveAt;
    move.limits = limits;
    move.connectTimeout = c.timeout;
    move.messageTimeout = c.timeout;
    move.inputs = inputs;
    move.cancelled = [this] { return stopRequested(); };
    if (c.destination.isEmpty()) {
        if (!ownNode.start(c.timeout, &error))
            return finish(QStringLiteral("cannot start a node process: %1").arg(error));
        move.host = "127.0.0.1";
        move.port = ownNode.port();
        // Short, as the other engines' nodes: the diagram's box says it is a node process.
        m_last->node = QStringLiteral("127.0.0.1:%1 (pid %2)").arg(ownNode.port()).arg(ownNode.pid());
    } else {
        move.host = c.host;
        move.port = c.port;
        m_last->node = c.destination;
    }
    move.progress = [this](MovePhase phase, const QString &status, const Computation *computation) {
        const double progress = phase == MovePhase::Unmigrated ? 0.1
            : phase == MovePhase::RunningHere                  ? 0.4
            : phase == MovePhase::Moving                       ? 0.6
            : phase == MovePhase::AtNode                       ? 0.7
                                                               : 1.0;
        publishState(phase, status, computation, progress);
    };

    const MoveReport report = MoveExperiment::run(move, *program);
    QStringList nodeLog;
    if (ownNode.isRunning())
        nodeLog = ownNode.stop();
    m_last->report = report;
    m_last->nodeLog = nodeLog;
    if (!report.atMove && m_last->atMove)
        m_last->report->atMove = m_last->atMove;
    buildResult(report, &result);
    finish(result.error);
}

} // namespace proclab
