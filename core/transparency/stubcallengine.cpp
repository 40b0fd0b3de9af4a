#include "stubcallengine.h"

#include "common/stats.h"

#include <QStringList>

#include <chrono>
#include <numeric>

namespace proclab {

std::optional<StubCallConfig> StubCallConfig::fromParams(const ParamValues &v, QString *error)
{
    StubCallConfig c;
    c.a = std::int32_t(v.value(QStringLiteral("a")).toLongLong());
    c.b = std::int32_t(v.value(QStringLiteral("b")).toLongLong());
    c.name = v.value(QStringLiteral("name")).toString().toStdString();
    if (c.name.size() > 64) {
        if (error)
            *error = QStringLiteral("parameter 'name': at most 64 bytes");
        return std::nullopt;
    }
    c.values.clear();
    const QStringList parts
        = v.value(QStringLiteral("values")).toString().split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (parts.size() > 32) {
        if (error)
            *error = QStringLiteral("parameter 'values': at most 32 numbers");
        return std::nullopt;
    }
    for (const QString &p : parts) {
        bool ok = false;
        const double d = p.trimmed().toDouble(&ok);
        if (!ok) {
            if (error)
                *error = QStringLiteral("parameter 'values': '%1' is not a number").arg(p.trimmed());
            return std::nullopt;
        }
        c.values.push_back(d);
    }
    c.repeats = v.value(QStringLiteral("repeats")).toInt();
    return c;
}

StubCallEngine::StubCallEngine()
    : ConfiguredEngine(EngineInfo {QString(kId), QStringLiteral("Access transparency: a generated stub"),
        Provenance::Measured,
        QStringLiteral("Calls through a client stub generated from an IDL to a real server "
                       "on 127.0.0.1, stage by stage, with the marshalled bytes."),
        {QStringLiteral("C4")}, {QString(kStubView)}})
{
}

ParamSchema StubCallEngine::schema() const
{
    return ParamSchema {
        ParamSpec::integer(QStringLiteral("a"), QStringLiteral("a"), 2, -1000000, 1000000, {},
            QStringLiteral("First argument of add(a, b).")),
        ParamSpec::integer(QStringLiteral("b"), QStringLiteral("b"), 3, -1000000, 1000000, {},
            QStringLiteral("Second argument of add(a, b).")),
        ParamSpec::text(QStringLiteral("name"), QStringLiteral("name"), QStringLiteral("Ada"),
            QStringLiteral("Argument of greet(name), at most 64 bytes.")),
        ParamSpec::text(QStringLiteral("values"), QStringLiteral("values"), QStringLiteral("1.5, 2.5, 4"),
            QStringLiteral("Argument of mean(values): up to 32 numbers separated by commas.")),
        ParamSpec::integer(QStringLiteral("repeats"), QStringLiteral("Timed calls"), 200, 1, 5000,
            QStringLiteral("calls"), QStringLiteral("Calls of add() timed after the traced ones.")),
    };
}

std::vector<OutputSpec> StubCallEngine::outputs() const
{
    std::vector<OutputSpec> out {
        {QStringLiteral("calls"), QStringLiteral("calls"), QStringLiteral("calls traced stage by stage")},
        {QStringLiteral("result_add"), QString(), QStringLiteral("what add(a, b) returned through the stub")},
        {QStringLiteral("result_mean"), QString(),
            QStringLiteral("what mean(values) returned through the stub")},
        {QStringLiteral("call_us_median"), QStringLiteral("us"),
            QStringLiteral("measured: median round trip of add() through stub, socket and skeleton")},
        {QStringLiteral("call_us_p90"), QStringLiteral("us"),
            QStringLiteral("measured: 90th percentile of the same")},
        {QStringLiteral("marshal_ns_median"), QStringLiteral("ns"),
            QStringLiteral("measured: median time to marshal add()'s request")},
    };
    for (const QString &m : {QStringLiteral("add"), QStringLiteral("greet"), QStringLiteral("mean")}) {
        out.push_back({QStringLiteral("request_bytes_") + m, QStringLiteral("bytes"),
            QStringLiteral("bytes of the %1() request on the wire (header and arguments)").arg(m)});
        out.push_back({QStringLiteral("reply_bytes_") + m, QStringLiteral("bytes"),
            QStringLiteral("bytes of the %1() reply on the wire").arg(m)});
    }
    return out;
}

void StubCallEngine::run()
{
    const StubCallConfig &cfg = config();
    const IdlInterface &idl = IdlInterface::calculator();
    // The object behind the skeleton: plain local code, unaware of the network.
    RpcServer server(
        idl, [](const IdlMethod &m, const std::vector<RpcValue> &args, RpcValue *result, QString *) {
            if (m.name == QLatin1String("add")) {
                *result = std::int32_t(
                    std::int64_t(std::get<std::int32_t>(args[0])) + std::get<std::int32_t>(args[1]));
            } else if (m.name == QLatin1String("greet")) {
                *result = "Hello, " + std::get<std::string>(args[0]) + "!";
            } else {
                const auto &v = std::get<std::vector<double>>(args[0]);
                *result = v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
            }
            return true;
        });
    auto snap = std::make_shared<StubCallSnapshot>();
    snap->idl = idl.source();
    QString error;
    if (!server.start(&error)) {
        snap->result = makeResult();
        snap->result.error = error;
        publish(snap);
        return;
    }
    snap->port = server.port();
    ClientStub calc(idl, server.port(), std::chrono::milliseconds(5000), [this] { return stopRequested(); });

    struct Planned {
        QString method;
        std::vector<RpcValue> args;
    };
    // add() last: the lesson asks about it, and the view ends on the last call.
    const std::vector<Planned> plan {
        {QStringLiteral("greet"), {cfg.name}},
        {QStringLiteral("mean"), {cfg.values}},
        {QStringLiteral("add"), {cfg.a, cfg.b}},
    };
    Result result = makeResult();
    // One stage per checkpoint: a step (or the pacing of a played run) shows the next stage.
    const auto show = [&](int phase, const QString &status) {
        if (!checkpoint())
            return false;
        snap->phase = phase;
        snap->status = status;
        publish(std::make_shared<StubCallSnapshot>(*snap));
        return pace(0.8);
    };
    bool stopped = false;
    for (std::size_t k = 0; k < plan.size() && !stopped; ++k) {
        const Planned &p = plan[k];
        const IdlMethod *method = idl.find(p.method);
        StubCallView view;
        view.method = p.method;
        QStringList args;
        for (const RpcValue &a : p.args)
            args << rpcValueText(a);
        view.callText = QStringLiteral("calc.%1(%2)").arg(p.method, args.join(QStringLiteral(", ")));
        view.code = StubGenerator::generate(idl, *method);
        snap->calls.push_back(view);
        snap->progress = double(k) / double(plan.size() + 1);
        if (!show(
                StubCallSnapshot::AppCalls, QStringLiteral("the application calls %1").arg(view.callText))) {
            stopped = true;
            break;
        }
        // The real call; the stages below show what it did.
        StubCallTrace trace;
        const auto value = calc.invoke(p.method, p.args, &error, &trace);
        if (!value) {
            result.error = QStringLiteral("%1 failed: %2").arg(view.callText, error);
            stopped = true;
            break;
        }
        StubCallView &cur = snap->calls.back();
        cur.request = trace.request;
        cur.requestFields = trace.requestFields;
        cur.reply = trace.reply;
        cur.roundTripUs = trace.roundTripUs;
        cur.resultText = rpcValueText(*value);
        if (const auto rec = server.lastCall()) {
            cur.replyFields = rec->replyFields;
            QStringList saw;
            for (std::size_t i = 0; i < rec->args.size(); ++i)
                saw << QStringLiteral("%1 = %2").arg(method->params[i].name, rpcValueText(rec->args[i]));
            cur.serverSaw = saw.join(QStringLiteral(", "));
        }
        result.summary.insert(QStringLiteral("request_bytes_") + p.method, int(trace.request.size()));
        result.summary.insert(QStringLiteral("reply_bytes_") + p.method, int(trace.reply.size()));
        if (p.method == QLatin1String("add"))
            result.summary.insert(QStringLiteral("result_add"), std::get<std::int32_t>(*value));
        if (p.method == QLatin1String("mean"))
            result.summary.insert(QStringLiteral("result_mean"), std::get<double>(*value));
        const QString statuses[] = {
            QString(),
            QStringLiteral("the stub marshals the call into %1 bytes").arg(trace.request.size()),
            QStringLiteral("%1 bytes travel to 127.0.0.1:%2").arg(trace.request.size()).arg(server.port()),
            QStringLiteral("the server's skeleton unmarshals: %1").arg(cur.serverSaw),
            QStringLiteral("the object computes %1(...) as a local call").arg(p.method),
            QStringLiteral("the skeleton marshals the reply: %1 bytes").arg(trace.reply.size()),
            QStringLiteral("the stub unmarshals the result"),
            QStringLiteral("the application gets %1, as from a local procedure").arg(cur.resultText),
        };
        for (int phase = StubCallSnapshot::StubMarshals; phase < StubCallSnapshot::kPhases && !stopped;
             ++phase)
            stopped = !show(phase, statuses[phase]);
    }
    // Timed calls of add(): the round trip and the marshalling alone.
    std::vector<double> callUs, marshalNs;
    for (int i = 0; i < cfg.repeats && !stopped && result.error.isEmpty(); ++i) {
        if (i % 64 == 0 && !checkpoint())
            break;
        StubCallTrace trace;
        if (!calc.invoke(QStringLiteral("add"), {cfg.a, std::int32_t(i)}, &error, &trace)) {
            result.error = QStringLiteral("timed call %1 failed: %2").arg(i).arg(error);
            break;
        }
        callUs.push_back(trace.roundTripUs);
        marshalNs.push_back(trace.marshalNs);
    }
    server.stop();
    result.summary.insert(QStringLiteral("calls"), int(snap->calls.size()));
    if (!callUs.empty()) {
        result.summary.insert(QStringLiteral("call_us_median"), median(callUs));
        result.summary.insert(QStringLiteral("call_us_p90"), percentile(callUs, 0.9));
        result.summary.insert(QStringLiteral("marshal_ns_median"), median(marshalNs));
        snap->callUsMedian = median(callUs);
        snap->timedCalls = int(callUs.size());
        Series s;
        s.id = QStringLiteral("call_us");
        s.name = QStringLiteral("round trip of add() (measured)");
        s.xLabel = QStringLiteral("call");
        s.yLabel = QStringLiteral("round trip (us)");
        s.style = Series::Style::Scatter;
        for (std::size_t i = 0; i < callUs.size(); ++i) {
            s.x.push_back(double(i));
            s.y.push_back(callUs[i]);
        }
        result.series.push_back(s);
    }
    result.table.columns = {QStringLiteral("call"), QStringLiteral("result"), QStringLiteral("request_bytes"),
        QStringLiteral("reply_bytes"), QStringLiteral("request_hex")};
    for (const StubCallView &c : snap->calls) {
        QString hex;
        for (std::uint8_t b : c.request)
            hex += QStringLiteral("%1 ").arg(b, 2, 16, QLatin1Char('0'));
        result.table.rows.push_back(
            {c.callText, c.resultText, int(c.request.size()), int(c.reply.size()), hex.trimmed()});
    }
    snap->result = result;
    snap->progress = 1;
    snap->status = stopRequested()
        ? QStringLiteral("stopped")
        : QStringLiteral("%1 timed calls of add(): median %2 us (measured on this machine)")
              .arg(callUs.size())
              .arg(snap->callUsMedian, 0, 'f', 1);
    publish(snap);
}

} // namespace proclab
