#include "objectsengine.h"

#include "objectclients.h"
#include "objectserver.h"

#include <chrono>
#include <memory>

namespace proclab {

std::optional<ObjectsConfig> ObjectsConfig::fromParams(const ParamValues &v, QString *error)
{
    ObjectsConfig c;
    const auto a = activationPolicyFromId(v.value(QStringLiteral("activation")).toString());
    const auto t = threadingPolicyFromId(v.value(QStringLiteral("threading")).toString());
    if (!a || !t) {
        if (error)
            *error = QStringLiteral("unknown activation or threading policy");
        return std::nullopt;
    }
    c.activation = *a;
    c.threading = *t;
    c.plan.clients = v.value(QStringLiteral("clients")).toInt();
    c.plan.requestsPerClient = v.value(QStringLiteral("requests")).toInt();
    c.plan.objects = v.value(QStringLiteral("objects")).toInt();
    c.serviceMs = v.value(QStringLiteral("service_ms")).toInt();
    c.intervalMs = v.value(QStringLiteral("interval_ms")).toInt();
    return c;
}

ObjectsEngine::ObjectsEngine()
    : ConfiguredEngine(
        EngineInfo {QString(kId), QStringLiteral("Object server: activation policies"), Provenance::Measured,
            QStringLiteral("Client threads invoke two objects behind one object adapter over TCP; the "
                           "adapter activates objects per request, per client or once, and runs calls on "
                           "a thread per object or per request. Activations and threads are counted."),
            {QStringLiteral("S5")}, {QString(kAdapterView)}})
{
}

ParamSchema ObjectsEngine::schema() const
{
    return ParamSchema {
        ParamSpec::choice(QStringLiteral("activation"), QStringLiteral("Activation policy"),
            QStringLiteral("per_server"), activationPolicyIds(),
            QStringLiteral("per_request: a new object for every invocation; per_client: one object per "
                           "client and identity; per_server: one object per identity, kept.")),
        ParamSpec::choice(QStringLiteral("threading"), QStringLiteral("Threading policy"),
            QStringLiteral("per_object"), threadingPolicyIds(),
            QStringLiteral("per_object: every object has its own thread; per_request: every invocation "
                           "runs on a new thread.")),
        ParamSpec::integer(QStringLiteral("clients"), QStringLiteral("Clients"), 3, 1, 8,
            QStringLiteral("clients"), QStringLiteral("Client threads, each with its own connection.")),
        ParamSpec::integer(QStringLiteral("requests"), QStringLiteral("Invocations per client"), 6, 1, 100,
            QStringLiteral("calls"), QStringLiteral("Client c's call i goes to object (c + i) mod objects.")),
        ParamSpec::integer(QStringLiteral("objects"), QStringLiteral("Objects"), 2, 1, 4,
            QStringLiteral("objects"),
            QStringLiteral("Objects behind the adapter (SimplePrinter1, SimplePrinter2, ...).")),
        ParamSpec::integer(QStringLiteral("service_ms"), QStringLiteral("Work per call"), 5, 0, 50,
            QStringLiteral("ms"), QStringLiteral("How long an invocation keeps its object busy.")),
        ParamSpec::integer(QStringLiteral("interval_ms"), QStringLiteral("Pause between calls"), 60, 0, 500,
            QStringLiteral("ms"),
            QStringLiteral("Each client waits this long after an answer before its next call.")),
    };
}

std::vector<OutputSpec> ObjectsEngine::outputs() const
{
    return {
        {QStringLiteral("requests"), QStringLiteral("calls"), QStringLiteral("invocations answered OK")},
        {QStringLiteral("errors"), QStringLiteral("calls"), QStringLiteral("invocations that failed")},
        {QStringLiteral("activations"), QStringLiteral("objects"),
            QStringLiteral("objects the adapter created")},
        {QStringLiteral("deactivations"), QStringLiteral("objects"),
            QStringLiteral("objects the adapter dropped")},
        {QStringLiteral("threads_started"), QStringLiteral("threads"),
            QStringLiteral("threads the adapter started to run invocations")},
        {QStringLiteral("max_live_threads"), QStringLiteral("threads"),
            QStringLiteral(
                "the most adapter threads alive at once (a thread per object until its object is dropped)")},
        {QStringLiteral("max_live_objects"), QStringLiteral("objects"),
            QStringLiteral("the most activated objects at once")},
        {QStringLiteral("max_calls_on_one_object"), QStringLiteral("calls"),
            QStringLiteral("the most invocations one activated object served (the state it kept)")},
        {QStringLiteral("activations_expected"), QStringLiteral("objects"),
            QStringLiteral("activations the policy implies for the plan, computed apart")},
        {QStringLiteral("threads_expected"), QStringLiteral("threads"),
            QStringLiteral("threads the policy implies for the plan, computed apart")},
        {QStringLiteral("activations_object_*"), QStringLiteral("objects"),
            QStringLiteral("activations per object (_1, _2, ...)")},
        {QStringLiteral("elapsed_ms"), QStringLiteral("ms"),
            QStringLiteral("time from the first call to the last answer")},
    };
}

void ObjectsEngine::run()
{
    const ObjectsConfig &cfg = config();
    auto snap = std::make_shared<ObjectsSnapshot>();
    snap->activation = cfg.activation;
    snap->threading = cfg.threading;
    snap->plan = cfg.plan;
    snap->expected = cfg.plan.forecast(cfg.activation, cfg.threading);

    ObjectAdapter adapter(cfg.activation, cfg.threading, cfg.plan.objects, cfg.serviceMs * 1000);
    ObjectServer server(adapter);
    QString error;
    if (!server.start(&error)) {
        snap->result = makeResult();
        snap->result.error = error;
        publish(snap);
        return;
    }
    const auto t0 = std::chrono::steady_clock::now();
    ObjectClients clients(cfg.plan, server.port(), cfg.intervalMs);
    clients.start();
    const auto sample = [&] {
        snap->counters = adapter.counters();
        snap->live = adapter.liveObjects();
        snap->history = adapter.history();
        const ClientTotals t = clients.totals();
        snap->replies = t.replies;
        snap->errors = t.errors;
        snap->progress
            = double(t.replies + t.errors) / double(std::max<std::int64_t>(1, cfg.plan.totalRequests()));
    };
    while (!clients.done()) {
        if (!checkpoint() || !sleepFor(std::chrono::milliseconds(40)))
            break;
        sample();
        snap->status = QStringLiteral("%1 of %2 calls; %3 activations, %4 threads")
                           .arg(snap->replies)
                           .arg(cfg.plan.totalRequests())
                           .arg(snap->counters.activations)
                           .arg(snap->counters.threadsStarted);
        publish(std::make_shared<ObjectsSnapshot>(*snap));
    }
    const double elapsedMs
        = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    clients.stop();
    server.stop(); // every connection closed: per-client objects are dropped
    adapter.shutdown();
    sample();
    const ClientTotals totals = clients.totals();
    snap->finished = true;
    snap->progress = 1;
    snap->result = buildResult(*snap);
    snap->result.summary.insert(QStringLiteral("elapsed_ms"), elapsedMs);
    if (!totals.firstError.isEmpty() && !stopRequested())
        snap->status = QStringLiteral("%1 invocations failed; the first: %2")
                           .arg(totals.errors)
                           .arg(totals.firstError);
    else
        snap->status = stopRequested() ? QStringLiteral("stopped")
                                       : QStringLiteral("%1 calls: %2 activations, %3 threads")
                                             .arg(snap->replies)
                                             .arg(snap->counters.activations)
                                             .arg(snap->counters.threadsStarted);
    publish(snap);
}

std::vector<Series> ObjectsEngine::historySeries(const ObjectsSnapshot &s)
{
    Series act, thr;
    act.id = QStringLiteral("activations");
    act.name = QStringLiteral("objects activated");
    thr.id = QStringLiteral("threads");
    thr.name = QStringLiteral("threads started");
    for (Series *x : {&act, &thr}) {
        x->xLabel = QStringLiteral("invocations finished");
        x->yLabel = QStringLiteral("count");
        x->style = Series::Style::Steps;
        x->x.push_back(0);
        x->y.push_back(0);
    }
    for (const AdapterStep &st : s.history) {
        act.x.push_back(double(st.completed));
        act.y.push_back(double(st.activations));
        thr.x.push_back(double(st.completed));
        thr.y.push_back(double(st.threadsStarted));
    }
    return {act, thr};
}

Result ObjectsEngine::buildResult(const ObjectsSnapshot &s) const
{
    Result r = makeResult();
    r.series = historySeries(s);
    const AdapterCounters &c = s.counters;
    r.summary.insert(QStringLiteral("requests"), double(s.replies));
    r.summary.insert(QStringLiteral("errors"), double(s.errors));
    r.summary.insert(QStringLiteral("activations"), double(c.activations));
    r.summary.insert(QStringLiteral("deactivations"), double(c.deactivations));
    r.summary.insert(QStringLiteral("threads_started"), double(c.threadsStarted));
    r.summary.insert(QStringLiteral("max_live_threads"), c.maxLiveThreads);
    r.summary.insert(QStringLiteral("max_live_objects"), c.maxLiveObjects);
    r.summary.insert(QStringLiteral("max_calls_on_one_object"), double(c.maxCallsOnOneObject));
    r.summary.insert(QStringLiteral("activations_expected"), double(s.expected.activations));
    r.summary.insert(QStringLiteral("threads_expected"), double(s.expected.threads));
    for (std::size_t i = 0; i < c.activationsPerObject.size(); ++i)
        r.summary.insert(
            QStringLiteral("activations_object_%1").arg(i + 1), double(c.activationsPerObject[i]));
    r.table.columns = {QStringLiteral("invocation"), QStringLiteral("activations"),
        QStringLiteral("threads_started"), QStringLiteral("live_threads"), QStringLiteral("live_objects")};
    for (const AdapterStep &st : s.history)
        r.table.rows.push_back({qint64(st.completed), qint64(st.activations), qint64(st.threadsStarted),
            st.liveThreads, st.liveObjects});
    return r;
}

} // namespace proclab
