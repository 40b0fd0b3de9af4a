#include "objectadapter/objectadapter.h"
#include "objectadapter/objectsengine.h"
#include "objectadapter/objectserver.h"

#include "engine/registry.h"

#include "proctasks.h"

#include <QTest>

#include <future>
#include <set>
#include <string>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace proclab;
using proclab::testing::settledTaskCount;
using proclab::testing::taskCount;

namespace {

int connectTo(std::uint16_t port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval tv {5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

/// Reads one line (without the newline); empty when the connection closed or timed out.
std::string readLine(int fd, std::string *pending)
{
    for (;;) {
        const std::size_t eol = pending->find('\n');
        if (eol != std::string::npos) {
            std::string line = pending->substr(0, eol);
            pending->erase(0, eol + 1);
            return line;
        }
        char buf[1024];
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            return {};
        pending->append(buf, std::size_t(n));
    }
}

bool closedByPeer(int fd)
{
    char c;
    return ::recv(fd, &c, 1, 0) == 0;
}

/// The counts a policy implies, computed here by simulating the policy's keying on the plan.
struct HandCount {
    std::int64_t activations = 0, threads = 0, maxCalls = 0;
};

HandCount handCount(const InvocationPlan &plan, ActivationPolicy a, ThreadingPolicy t)
{
    std::map<std::string, std::int64_t> calls; // key of the object that serves each call
    std::int64_t fresh = 0;
    for (int c = 0; c < plan.clients; ++c) {
        for (int i = 0; i < plan.requestsPerClient; ++i) {
            const int o = (c + i) % plan.objects;
            std::string key;
            if (a == ActivationPolicy::PerRequest)
                key = "request " + std::to_string(fresh++);
            else if (a == ActivationPolicy::PerClient)
                key = "client " + std::to_string(c) + " object " + std::to_string(o);
            else
                key = "object " + std::to_string(o);
            ++calls[key];
        }
    }
    HandCount h;
    h.activations = std::int64_t(calls.size());
    for (const auto &kv : calls)
        h.maxCalls = std::max(h.maxCalls, kv.second);
    h.threads = t == ThreadingPolicy::ThreadPerRequest ? plan.totalRequests() : h.activations;
    return h;
}

} // namespace

class TestObjectAdapter : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void forecastMatchesAHandCount();
    void policiesUnderARealRequestStream_data();
    void policiesUnderARealRequestStream();
    void perServerObjectKeepsStateAcrossConcurrentThreads();
    void perClientObjectsAreDroppedWhenTheClientLeaves();
    void serverRefusesBadLinesAndStillServes();
    void engineStopsAtAnyMomentLeavingNoThread();
    void engineDeclaresItsOutputs();
};

void TestObjectAdapter::forecastMatchesAHandCount()
{
    for (int clients : {1, 3, 5}) {
        for (int requests : {1, 2, 7}) {
            for (int objects : {1, 2, 4}) {
                const InvocationPlan plan {clients, requests, objects};
                for (ActivationPolicy a : {ActivationPolicy::PerRequest, ActivationPolicy::PerClient,
                         ActivationPolicy::PerServer}) {
                    for (ThreadingPolicy t :
                        {ThreadingPolicy::ThreadPerObject, ThreadingPolicy::ThreadPerRequest}) {
                        const ActivationForecast f = plan.forecast(a, t);
                        const HandCount h = handCount(plan, a, t);
                        QCOMPARE(f.activations, h.activations);
                        QCOMPARE(f.threads, h.threads);
                        QCOMPARE(f.maxCallsOnOneObject, h.maxCalls);
                    }
                }
            }
        }
    }
    // The slides' case: two objects, per-client activation: one object per client and identity.
    QCOMPARE(InvocationPlan({3, 6, 2})
                 .forecast(ActivationPolicy::PerClient, ThreadingPolicy::ThreadPerObject)
                 .activations,
        6);
    QCOMPARE(InvocationPlan::identity(1), std::string("SimplePrinter2"));
}

void TestObjectAdapter::policiesUnderARealRequestStream_data()
{
    QTest::addColumn<QString>("activation");
    QTest::addColumn<QString>("threading");
    QTest::addColumn<int>("clients");
    QTest::addColumn<int>("requests");
    QTest::addColumn<int>("objects");
    for (const QString &a : activationPolicyIds()) {
        for (const QString &t : threadingPolicyIds()) {
            QTest::newRow(qPrintable(a + "/" + t)) << a << t << 3 << 5 << 2;
            QTest::newRow(qPrintable(a + "/" + t + " wide")) << a << t << 4 << 3 << 4;
        }
    }
}

void TestObjectAdapter::policiesUnderARealRequestStream()
{
    QFETCH(QString, activation);
    QFETCH(QString, threading);
    QFETCH(int, clients);
    QFETCH(int, requests);
    QFETCH(int, objects);
    const int baseThreads = taskCount();
    auto engine = makeEngine<ObjectsEngine>();
    QString error;
    QVERIFY2(
        engine->configure({{QStringLiteral("activation"), activation},
                              {QStringLiteral("threading"), threading}, {QStringLiteral("clients"), clients},
                              {QStringLiteral("requests"), requests}, {QStringLiteral("objects"), objects},
                              {QStringLiteral("service_ms"), 2}, {QStringLiteral("interval_ms"), 0}},
            &error),
        qPrintable(error));
    engine->setSpeed(0);
    const Result r = runToCompletion(*engine, std::chrono::seconds(60));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    const InvocationPlan plan {clients, requests, objects};
    const HandCount h
        = handCount(plan, *activationPolicyFromId(activation), *threadingPolicyFromId(threading));
    const auto num
        = [&](const char *key) { return std::int64_t(r.summary.value(QLatin1String(key)).toDouble()); };
    QCOMPARE(num("errors"), 0);
    QCOMPARE(num("requests"), plan.totalRequests());
    QCOMPARE(num("activations"), h.activations);
    QCOMPARE(num("threads_started"), h.threads);
    QCOMPARE(num("max_calls_on_one_object"), h.maxCalls);
    QCOMPARE(num("deactivations"), num("activations")); // every object dropped by the end
    QCOMPARE(num("activations_expected"), h.activations);
    std::int64_t perObject = 0;
    for (int o = 1; o <= objects; ++o)
        perObject += num(qPrintable(QStringLiteral("activations_object_%1").arg(o)));
    QCOMPARE(perObject, h.activations);
    QVERIFY(num("max_live_threads") >= 1);
    // Thread per request: no more than one call per client is in flight at any moment... plus
    // threads that replied and are ending; thread per object: never more threads than objects.
    if (threading == QLatin1String("per_object"))
        QVERIFY(num("max_live_threads") <= num("max_live_objects"));
    QCOMPARE(settledTaskCount(baseThreads), baseThreads); // every adapter, server and client thread joined
}

void TestObjectAdapter::perServerObjectKeepsStateAcrossConcurrentThreads()
{
    // Eight threads invoke the one per-server object at once with a thread per request: the
    // servant's call counter sees every call exactly once (the adapter serialises it).
    ObjectAdapter adapter(ActivationPolicy::PerServer, ThreadingPolicy::ThreadPerRequest, 2, 1000);
    constexpr int kCallers = 8, kCalls = 25;
    std::vector<std::thread> callers;
    std::atomic<int> replies {0};
    for (int c = 0; c < kCallers; ++c) {
        callers.emplace_back([&, c] {
            for (int i = 0; i < kCalls; ++i) {
                std::promise<std::string> answer;
                std::string error;
                if (adapter.invoke(
                        c, 0, "printString", "x", [&](const std::string &line) { answer.set_value(line); },
                        &error)) {
                    if (answer.get_future().get().rfind("OK Object1 says: x (call ", 0) == 0)
                        replies.fetch_add(1);
                }
            }
        });
    }
    for (auto &t : callers)
        t.join();
    adapter.shutdown();
    const AdapterCounters c = adapter.counters();
    QCOMPARE(replies.load(), kCallers * kCalls);
    QCOMPARE(c.activations, 1);
    QCOMPARE(c.maxCallsOnOneObject, kCallers * kCalls);
    QCOMPARE(c.threadsStarted, kCallers * kCalls);
    QCOMPARE(c.liveThreads, 0);
    QCOMPARE(c.deactivations, 1);
    std::string error;
    QVERIFY(!adapter.invoke(0, 0, "printString", "late", {}, &error));
    QVERIFY(error.find("shut down") != std::string::npos);
    QVERIFY(!adapter.invoke(0, 0, "explode", "x", {}, &error));
}

void TestObjectAdapter::perClientObjectsAreDroppedWhenTheClientLeaves()
{
    ObjectAdapter adapter(ActivationPolicy::PerClient, ThreadingPolicy::ThreadPerObject, 2, 0);
    const auto call = [&](int client, int object) {
        std::promise<std::string> answer;
        std::string error;
        if (!adapter.invoke(
                client, object, "printString", "hi", [&](const std::string &l) { answer.set_value(l); },
                &error))
            return std::string("refused: ") + error;
        return answer.get_future().get();
    };
    QVERIFY(call(1, 0).find("(call 1 on this object)") != std::string::npos);
    QVERIFY(call(1, 0).find("(call 2 on this object)") != std::string::npos); // the same object
    QVERIFY(call(2, 0).find("(call 1 on this object)") != std::string::npos); // client 2 has its own
    QCOMPARE(adapter.counters().activations, 2);
    QCOMPARE(adapter.counters().liveObjects, 2);
    QCOMPARE(adapter.counters().threadsStarted, 2);
    adapter.clientGone(1);
    QCOMPARE(adapter.counters().liveObjects, 1);
    QCOMPARE(adapter.counters().deactivations, 1);
    QTRY_COMPARE(adapter.counters().liveThreads, 1); // its worker ended
    adapter.reap();
    QVERIFY(call(1, 0).find("(call 1 on this object)") != std::string::npos); // a fresh object
    QCOMPARE(adapter.counters().activations, 3);
    adapter.shutdown();
    QCOMPARE(adapter.counters().liveObjects, 0);
    QCOMPARE(adapter.counters().liveThreads, 0);
    QCOMPARE(adapter.counters().deactivations, 3);
}

void TestObjectAdapter::serverRefusesBadLinesAndStillServes()
{
    ObjectAdapter adapter(ActivationPolicy::PerServer, ThreadingPolicy::ThreadPerObject, 2, 0);
    ObjectServer server(adapter);
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    int fd = connectTo(server.port());
    QVERIFY(fd >= 0);
    std::string pending;
    const auto ask = [&](const std::string &line) {
        ::send(fd, line.data(), line.size(), MSG_NOSIGNAL);
        return readLine(fd, &pending);
    };
    QVERIFY(ask("hello\n").rfind("ERR expected", 0) == 0);
    QVERIFY(ask("SimplePrinter9 printString x\n").rfind("ERR no object 'SimplePrinter9'", 0) == 0);
    QVERIFY(ask("SimplePrinter1 launch x\n").rfind("ERR no method 'launch'", 0) == 0);
    QVERIFY(
        ask(std::string("SimplePrinter1 print\x01String x\n")).rfind("ERR the line holds a control byte", 0)
        == 0);
    QVERIFY(ask(std::string("\xff\xfe\x00\x01\n", 5)).rfind("ERR", 0) == 0);
    QVERIFY(ask(" printString x\n").rfind("ERR", 0) == 0);
    QCOMPARE(adapter.counters().activations, 0); // nothing was activated for a bad line
    // A good line on the same connection is still served.
    QCOMPARE(ask("SimplePrinter2 printString Hello World\r\n"),
        std::string("OK Object2 says: Hello World (call 1 on this object)"));
    // A line longer than the limit is refused and the connection closed.
    QVERIFY(ask(std::string(ObjectServer::kMaxLineBytes + 100, 'A') + "\n").rfind("ERR line longer", 0) == 0);
    QVERIFY(closedByPeer(fd));
    ::close(fd);
    // A client that leaves in the middle of a line.
    fd = connectTo(server.port());
    ::send(fd, "SimplePrinter1 print", 20, MSG_NOSIGNAL);
    ::close(fd);
    // New connections are served, and the per-server object kept its state.
    fd = connectTo(server.port());
    pending.clear();
    QCOMPARE(ask("SimplePrinter2 printString again\n"),
        std::string("OK Object2 says: again (call 2 on this object)"));
    ::close(fd);
    QCOMPARE(server.refusedLines(), 7);
    server.stop();
    adapter.shutdown();
    QCOMPARE(adapter.counters().activations, 1);
}

void TestObjectAdapter::engineStopsAtAnyMomentLeavingNoThread()
{
    const int baseThreads = taskCount();
    for (const QString &threading : threadingPolicyIds()) {
        for (int waitMs : {0, 50, 300}) {
            auto engine = makeEngine<ObjectsEngine>();
            QString error;
            QVERIFY(engine->configure({{QStringLiteral("threading"), threading},
                                          {QStringLiteral("activation"), QStringLiteral("per_request")},
                                          {QStringLiteral("clients"), 8}, {QStringLiteral("requests"), 100},
                                          {QStringLiteral("interval_ms"), 20}},
                &error));
            engine->setSpeed(0);
            engine->start();
            QTest::qWait(waitMs);
            engine->stop();
            QVERIFY(engine->state() == RunState::Stopped || engine->state() == RunState::Finished);
            QCOMPARE(settledTaskCount(baseThreads), baseThreads);
            const auto snap = std::dynamic_pointer_cast<const ObjectsSnapshot>(engine->snapshot());
            if (snap && snap->finished) {
                QCOMPARE(snap->counters.liveThreads, 0);
                QCOMPARE(snap->counters.liveObjects, 0);
            }
        }
    }
}

void TestObjectAdapter::engineDeclaresItsOutputs()
{
    auto engine = makeEngine<ObjectsEngine>();
    QString error;
    QVERIFY(engine->configure({{QStringLiteral("interval_ms"), 0}, {QStringLiteral("requests"), 2}}, &error));
    engine->setSpeed(0);
    const Result r = runToCompletion(*engine, std::chrono::seconds(30));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.provenance, Provenance::Measured);
    for (auto it = r.summary.begin(); it != r.summary.end(); ++it)
        QVERIFY2(outputsContain(engine->outputs(), it.key()), qPrintable(it.key()));
    QVERIFY(!engine->configure({{QStringLiteral("activation"), QStringLiteral("per_moon")}}, &error));
    QVERIFY(EngineRegistry::builtin().find(QStringLiteral("objects")));
    QCOMPARE(r.series.size(), std::size_t(2));
}

QTEST_APPLESS_MAIN(TestObjectAdapter)
#include "tst_objectadapter.moc"
