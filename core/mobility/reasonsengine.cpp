#include "reasonsengine.h"

#include "assembler.h"
#include "mobilitynodeprocess.h"

namespace proclab {

using namespace mobility;

std::optional<ReasonsConfig> ReasonsConfig::fromParams(const ParamValues &values, QString *error)
{
    Q_UNUSED(error);
    ReasonsConfig c;
    c.hi = values.value(QStringLiteral("primes_below")).toLongLong();
    c.nodeShare = values.value(QStringLiteral("node_share")).toDouble();
    c.clients = values.value(QStringLiteral("clients")).toInt();
    c.rounds = values.value(QStringLiteral("rounds")).toInt();
    return c;
}

ReasonsEngine::ReasonsEngine()
    : ConfiguredEngine(EngineInfo {QString(kId), QStringLiteral("Reasons to move code"), Provenance::Measured,
        QStringLiteral("Load distribution measured (a busy process ships part of its work to an idle node "
                       "process) and federated learning as a model (the code goes to the data)."),
        {QStringLiteral("M1")}, {QString(kReasonsView), QStringLiteral("series")}})
{
}

ParamSchema ReasonsEngine::schema() const
{
    return ParamSchema {
        ParamSpec::integer(QStringLiteral("primes_below"), QStringLiteral("Primes below"), 400000, 10000,
            3000000, {}, QStringLiteral("The busy process counts the primes below this number.")),
        ParamSpec::real(QStringLiteral("node_share"), QStringLiteral("Node's share"), 0.5, 0.0, 0.9,
            QStringLiteral("of the work"),
            QStringLiteral("The estimated share of the work shipped to the idle node (0: none).")),
        ParamSpec::integer(QStringLiteral("clients"), QStringLiteral("Clients"), 4, 1, 16, {},
            QStringLiteral("Federated learning (model): clients that keep their own data.")),
        ParamSpec::integer(QStringLiteral("rounds"), QStringLiteral("Rounds"), 30, 1, 200, {},
            QStringLiteral("Federated learning (model): rounds of local training and averaging.")),
    };
}

std::vector<OutputSpec> ReasonsEngine::outputs() const
{
    return {
        {QStringLiteral("all_here_ms"), QStringLiteral("ms"),
            QStringLiteral("measured: wall time of the whole count in the busy process alone")},
        {QStringLiteral("split_ms"), QStringLiteral("ms"),
            QStringLiteral("measured: wall time with part of the work shipped to the idle node")},
        {QStringLiteral("speedup"), QStringLiteral("x"), QStringLiteral("all_here_ms / split_ms")},
        {QStringLiteral("finished_sooner"), QString(),
            QStringLiteral("1 when the busy process finished sooner with the node's help, else 0")},
        {QStringLiteral("ship_ms"), QStringLiteral("ms"),
            QStringLiteral("measured: shipping the node's part until the node accepted it")},
        {QStringLiteral("primes"), QString(), QStringLiteral("the count of primes (the same both ways)")},
        {QStringLiteral("equal"), QString(), QStringLiteral("the split count equals the count done alone")},
        {QStringLiteral("split_at"), QString(), QStringLiteral("the node counted [split_at, primes_below)")},
        {QStringLiteral("federated_mse"), QString(),
            QStringLiteral("model: test error of the averaged model after the last round")},
        {QStringLiteral("central_mse"), QString(),
            QStringLiteral("model: test error of training on all data in one place")},
        {QStringLiteral("initial_mse"), QString(), QStringLiteral("model: test error before training")},
        {QStringLiteral("bytes_models"), QStringLiteral("bytes"),
            QStringLiteral("model: bytes of models sent down and up over all rounds")},
        {QStringLiteral("bytes_raw_data"), QStringLiteral("bytes"),
            QStringLiteral("model: bytes of the raw data had it been sent to one place")},
    };
}

void ReasonsEngine::buildResult(const ReasonsSnapshot &s, Result *result)
{
    QJsonObject &sum = result->summary;
    if (s.load && s.load->error.isEmpty()) {
        const LoadReport &l = *s.load;
        sum.insert(QStringLiteral("all_here_ms"), double(l.allHereNs) / 1e6);
        sum.insert(QStringLiteral("split_ms"), double(l.splitNs) / 1e6);
        sum.insert(QStringLiteral("speedup"), l.splitNs > 0 ? double(l.allHereNs) / double(l.splitNs) : 0.0);
        sum.insert(QStringLiteral("finished_sooner"), l.splitNs < l.allHereNs ? 1 : 0);
        sum.insert(QStringLiteral("ship_ms"), double(l.moveNs) / 1e6);
        sum.insert(QStringLiteral("primes"), l.resultAllHere.toDouble());
        sum.insert(QStringLiteral("equal"), l.equal);
        sum.insert(QStringLiteral("split_at"), double(l.splitAt));
    } else if (s.load && result->error.isEmpty()) {
        result->error = s.load->error;
    }
    if (s.federated && !s.federated->federatedTestMse.empty()) {
        const FederatedReport &f = *s.federated;
        sum.insert(QStringLiteral("federated_mse"), f.federatedTestMse.back());
        sum.insert(QStringLiteral("central_mse"), f.centralTestMse.back());
        sum.insert(QStringLiteral("initial_mse"), f.initialTestMse);
        sum.insert(QStringLiteral("bytes_models"), double(f.bytesModelTraffic));
        sum.insert(QStringLiteral("bytes_raw_data"), double(f.bytesRawData));
        Series fed, central;
        fed.id = QStringLiteral("federated_mse");
        fed.name = QStringLiteral("federated, data stays with the clients (model)");
        central.id = QStringLiteral("central_mse");
        central.name = QStringLiteral("all data in one place (model)");
        for (Series *ser : {&fed, &central}) {
            ser->xLabel = QStringLiteral("round");
            ser->yLabel = QStringLiteral("test error (MSE, model)");
        }
        for (std::size_t i = 0; i < f.federatedTestMse.size(); ++i) {
            fed.x.push_back(double(i + 1));
            fed.y.push_back(f.federatedTestMse[i]);
            central.x.push_back(double(i + 1));
            central.y.push_back(i < f.centralTestMse.size() ? f.centralTestMse[i] : 0.0);
        }
        result->series = {fed, central};
    }
}

void ReasonsEngine::run()
{
    const ReasonsConfig &c = config();
    auto snap = std::make_shared<ReasonsSnapshot>();
    auto publishNow = [&](const QString &status, double progress) {
        snap->status = status;
        snap->progress = progress;
        Result r = makeResult();
        buildResult(*snap, &r);
        snap->result = r;
        publish(std::make_shared<ReasonsSnapshot>(*snap));
    };
    publishNow(QStringLiteral("starting an idle node process"), 0);
    if (!checkpoint())
        return;

    QString error;
    MachineLimits limits;
    auto program = Assembler::assembleFile(QStringLiteral(":/mobility/programs/primes.pasm"), limits, &error);
    MobilityNodeProcess node;
    LoadReport load;
    if (!program) {
        load.error = QStringLiteral("cannot load the program: %1").arg(error);
    } else if (!node.start(std::chrono::seconds(10), &error)) {
        load.error = QStringLiteral("cannot start a node process: %1").arg(error);
    } else {
        snap->node = QStringLiteral("127.0.0.1:%1 (pid %2)").arg(node.port()).arg(node.pid());
        publishNow(QStringLiteral("counting primes alone, then with the node"), 0.1);
        program->data.setGlobal(QStringLiteral("lo"), Value::ofInt(2));
        program->data.setGlobal(QStringLiteral("hi"), Value::ofInt(c.hi));
        LoadConfig lc;
        lc.port = node.port();
        lc.nodeShare = c.nodeShare;
        lc.limits = limits;
        lc.cancelled = [this] { return stopRequested(); };
        load = LoadDistribution::run(lc, *program);
        node.stop();
    }
    if (stopRequested())
        return;
    snap->load = load;
    publishNow(QStringLiteral("federated learning (model)"), 0.7);
    if (!checkpoint())
        return;
    FederatedConfig fc;
    fc.clients = c.clients;
    fc.rounds = c.rounds;
    snap->federated = FederatedLearning::run(fc);
    publishNow(load.error.isEmpty() ? QStringLiteral("done") : load.error, 1);
}

} // namespace proclab
