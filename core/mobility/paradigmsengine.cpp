#include "paradigmsengine.h"

#include "assembler.h"
#include "mobilitynodeprocess.h"

namespace proclab {

using namespace mobility;

namespace {

const QStringList kParadigms {QStringLiteral("client-server"), QStringLiteral("remote-evaluation"),
    QStringLiteral("code-on-demand"), QStringLiteral("mobile-agent")};

/// The prime count's size for the real moves: big enough to be a computation, quick enough to animate.
constexpr qint64 kPrimesBelow = 60000;

} // namespace

std::optional<ParadigmsConfig> ParadigmsConfig::fromParams(const ParamValues &values, QString *error)
{
    const int i = int(kParadigms.indexOf(values.value(QStringLiteral("paradigm")).toString()));
    if (i < 0) {
        if (error)
            *error = QStringLiteral("paradigm must be one of %1").arg(kParadigms.join(QStringLiteral(", ")));
        return std::nullopt;
    }
    ParadigmsConfig c;
    c.paradigm = Paradigm(i);
    return c;
}

QString ParadigmsEngine::paradigmId(Paradigm p)
{
    return kParadigms.at(int(p));
}

ParadigmPlacement ParadigmsEngine::placement(Paradigm p, bool after)
{
    // 0 = client (the one that wants the work done), 1 = server; the resource the work needs is where
    // the figure puts it.
    switch (p) {
    case Paradigm::ClientServer:
        return {1, 1, 1}; // the server has the code and the resource and runs it; only a request moves
    case Paradigm::RemoteEvaluation:
        return after ? ParadigmPlacement {1, 1, 1} : ParadigmPlacement {0, -1, 1};
    case Paradigm::CodeOnDemand:
        return after ? ParadigmPlacement {0, 0, 0} : ParadigmPlacement {1, -1, 0};
    case Paradigm::MobileAgent:
        return after ? ParadigmPlacement {1, 1, 1} : ParadigmPlacement {0, 0, 1};
    }
    return {};
}

std::optional<MoveMode> ParadigmsEngine::modeFor(Paradigm p)
{
    switch (p) {
    case Paradigm::ClientServer:
        return std::nullopt;
    case Paradigm::RemoteEvaluation:
        return MoveMode::WeakPush;
    case Paradigm::CodeOnDemand:
        return MoveMode::WeakPull;
    case Paradigm::MobileAgent:
        return MoveMode::Strong;
    }
    return std::nullopt;
}

ParadigmsEngine::ParadigmsEngine()
    : ConfiguredEngine(EngineInfo {QString(kId), QStringLiteral("Code mobility paradigms"),
        Provenance::Diagram,
        QStringLiteral("Client-server, remote evaluation, code on demand and mobile agents: where the code, "
                       "the execution and the resource are before and after, with the three mobile ones "
                       "carried out for real against a node process."),
        {QStringLiteral("M2")}, {QString(kParadigmView)}})
{
}

ParamSchema ParadigmsEngine::schema() const
{
    return ParamSchema {
        ParamSpec::choice(QStringLiteral("paradigm"), QStringLiteral("Paradigm"),
            QStringLiteral("remote-evaluation"), kParadigms,
            QStringLiteral(
                "client-server: the server has the code and runs it; remote-evaluation: the client "
                "sends code to run there; code-on-demand: the client fetches code and runs it; "
                "mobile-agent: code and execution state move on.")),
    };
}

std::vector<OutputSpec> ParadigmsEngine::outputs() const
{
    return {
        {QStringLiteral("code_moves"), QString(), QStringLiteral("1 when the code changes machine, else 0")},
        {QStringLiteral("execution_moves"), QString(),
            QStringLiteral("1 when a started execution (its state) changes machine, else 0")},
        {QStringLiteral("what_moves"), QString(),
            QStringLiteral("0 only a request and a reply, 1 code, 2 code and execution state")},
        {QStringLiteral("code_after"), QString(),
            QStringLiteral("where the code is after: 0 client, 1 server")},
        {QStringLiteral("execution_after"), QString(),
            QStringLiteral("where the work runs after: 0 client, 1 server")},
        {QStringLiteral("bytes_moved"), QStringLiteral("bytes"),
            QStringLiteral("measured: the image that moved (0 for client-server)")},
        {QStringLiteral("bytes_execution_state"), QStringLiteral("bytes"),
            QStringLiteral("measured: of which execution state")},
        {QStringLiteral("move_ms"), QStringLiteral("ms"), QStringLiteral("measured: the time the move took")},
        {QStringLiteral("equal"), QString(),
            QStringLiteral("the moved computation's result equals an unmigrated run's")},
    };
}

void ParadigmsEngine::buildResult(const ParadigmsSnapshot &s, Result *result)
{
    QJsonObject &sum = result->summary;
    sum.insert(QStringLiteral("code_moves"), s.before.code != s.after.code ? 1 : 0);
    sum.insert(QStringLiteral("execution_moves"),
        s.before.execution >= 0 && s.before.execution != s.after.execution ? 1 : 0);
    const bool codeMoves = s.before.code != s.after.code;
    const bool executionMoves = s.before.execution >= 0 && s.before.execution != s.after.execution;
    sum.insert(QStringLiteral("what_moves"), codeMoves ? (executionMoves ? 2 : 1) : 0);
    sum.insert(QStringLiteral("code_after"), s.after.code);
    sum.insert(QStringLiteral("execution_after"), s.after.execution);
    if (s.report) {
        const MoveReport &r = *s.report;
        sum.insert(QStringLiteral("bytes_moved"), double(r.bytesImage));
        sum.insert(QStringLiteral("bytes_execution_state"), double(r.bytesExecutionState));
        sum.insert(QStringLiteral("move_ms"), double(r.moveNs) / 1e6);
        sum.insert(QStringLiteral("equal"), r.equal);
        if (!r.error.isEmpty() && result->error.isEmpty())
            result->error = r.error;
    } else {
        sum.insert(QStringLiteral("bytes_moved"), 0);
        sum.insert(QStringLiteral("bytes_execution_state"), 0);
        sum.insert(QStringLiteral("move_ms"), 0); // nothing moved
    }
}

void ParadigmsEngine::run()
{
    const ParadigmsConfig &c = config();
    auto snap = std::make_shared<ParadigmsSnapshot>();
    snap->paradigm = c.paradigm;
    snap->before = placement(c.paradigm, false);
    snap->after = placement(c.paradigm, true);
    auto publishFrame = [&](int frame, const QString &status) {
        snap->frame = frame;
        snap->status = status;
        snap->progress = frame / 2.0;
        Result r = makeResult();
        buildResult(*snap, &r);
        snap->result = r;
        publish(std::make_shared<ParadigmsSnapshot>(*snap));
    };
    publishFrame(0, QStringLiteral("before: where the code, the execution and the resource are"));
    if (!checkpoint() || !pace(1.0))
        return;

    const auto mode = modeFor(c.paradigm);
    if (!mode) {
        publishFrame(1, QStringLiteral("the client sends a request; the server runs its own code"));
        if (!checkpoint() || !pace(1.0))
            return;
        publishFrame(2, QStringLiteral("after: only the request and the reply travelled"));
        return;
    }
    publishFrame(1, QStringLiteral("moving for real to a node process (%1)").arg(moveModeName(*mode)));
    if (!checkpoint())
        return;
    MoveReport report;
    QString error;
    MachineLimits limits;
    auto program = Assembler::assembleFile(QStringLiteral(":/mobility/programs/primes.pasm"), limits, &error);
    MobilityNodeProcess node;
    if (!program) {
        report.error = QStringLiteral("cannot load the program: %1").arg(error);
    } else if (!node.start(std::chrono::seconds(10), &error)) {
        report.error = QStringLiteral("cannot start a node process: %1").arg(error);
    } else {
        snap->node = QStringLiteral("127.0.0.1:%1 (pid %2)").arg(node.port()).arg(node.pid());
        program->data.setGlobal(QStringLiteral("hi"), Value::ofInt(kPrimesBelow));
        MoveConfig move;
        move.mode = *mode;
        move.port = node.port();
        move.programName = QStringLiteral("primes");
        move.limits = limits;
        move.inputs = {{QStringLiteral("hi"), Value::ofInt(kPrimesBelow)}};
        move.cancelled = [this] { return stopRequested(); };
        report = MoveExperiment::run(move, *program);
        node.stop();
    }
    if (stopRequested())
        return;
    snap->report = report;
    if (!pace(1.0))
        return;
    publishFrame(2, report.error.isEmpty() ? QStringLiteral("after: done") : report.error);
}

} // namespace proclab
