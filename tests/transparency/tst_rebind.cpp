#include "helpermain.h"
#include "rawclient.h"

#include "transparency/clientstub.h"
#include "transparency/counterhelper.h"
#include "transparency/nameserver.h"
#include "transparency/rebindengine.h"
#include "transparency/spawnedhelper.h"
#include "transparency/stubcallengine.h"

#include "engine/registry.h"

#include <QTest>

#include <thread>

using namespace proclab;

class TestRebind : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void stubFollowsAServerThatMoved();
    void helperRefusesMalformedInputThenServes();
    void helperRefusesBadArguments();
    void rebindEngineHidesEveryMove();
    void rebindEngineWithoutMovesNeverRebinds();
    void stubCallEngineShowsRealBytes();
    void stubCallEngineStepsStageByStage();
};

namespace {

constexpr std::chrono::milliseconds kTimeout {3000};

QStringList helperArgs(std::uint16_t nsPort, int value)
{
    return {QString::number(nsPort), QStringLiteral("counter"), QString::number(value), QStringLiteral("60")};
}

} // namespace

void TestRebind::stubFollowsAServerThatMoved()
{
    NameServer names;
    QString error;
    QVERIFY(names.start(&error));
    SpawnedHelper first;
    QVERIFY2(first.start(QString::fromLatin1(CounterHelper::kName), helperArgs(names.port(), 10), &error),
        qPrintable(error));
    const int port1 = names.waitForBinding(QStringLiteral("counter"), -1, std::chrono::seconds(20));
    QVERIFY(port1 > 0);

    // The client: a stub bound by name. This code does not change below.
    ClientStub counter(IdlInterface::counter(), QStringLiteral("counter"), names.port(), kTimeout);
    const auto increment = [&] {
        const auto v = counter.invoke(QStringLiteral("increment"), {std::int32_t(1)}, &error);
        return v ? std::get<std::int32_t>(*v) : -1;
    };
    QCOMPARE(increment(), 11);
    QCOMPARE(increment(), 12);
    QCOMPARE(counter.lookups(), 1);
    const auto pid1 = counter.invoke(QStringLiteral("where"), {}, &error);
    QCOMPARE(std::get<std::int32_t>(*pid1), int(first.pid()));

    // Move: the old process hands over its state and exits; a new process on a new port takes over.
    ClientStub admin(IdlInterface::counter(), std::uint16_t(port1), kTimeout);
    const auto state = admin.invoke(QStringLiteral("retire"), {}, &error);
    QVERIFY2(state, qPrintable(error));
    QCOMPARE(std::get<std::int32_t>(*state), 12);
    QVERIFY(first.waitExit(std::chrono::seconds(10)));
    QCOMPARE(first.exitStatus(), 0);
    SpawnedHelper second;
    QVERIFY(second.start(QString::fromLatin1(CounterHelper::kName), helperArgs(names.port(), 12), &error));
    const int port2 = names.waitForBinding(QStringLiteral("counter"), port1, std::chrono::seconds(20));
    QVERIFY(port2 > 0 && port2 != port1);

    // The same call: the stub finds the old address dead, looks the name up again, rebinds.
    QCOMPARE(increment(), 13);
    QCOMPARE(counter.lookups(), 2);
    QCOMPARE(counter.rebinds(), 1);
    QCOMPARE(counter.failedAttempts(), 1);
    QCOMPARE(int(counter.boundPort()), port2);
    const auto pid2 = counter.invoke(QStringLiteral("where"), {}, &error);
    QCOMPARE(std::get<std::int32_t>(*pid2), int(second.pid()));
    QVERIFY(second.pid() != first.pid());
    // The stub's own record of it, in order: failure, lookup, answer, connect, request, return.
    std::vector<StubEvent::Kind> kinds;
    for (const StubEvent &e : counter.events())
        kinds.push_back(e.kind);
    const std::vector<StubEvent::Kind> tail {StubEvent::Call, StubEvent::Failure, StubEvent::Lookup,
        StubEvent::Bound, StubEvent::Connect, StubEvent::Request, StubEvent::Returned};
    QVERIFY(std::search(kinds.begin(), kinds.end(), tail.begin(), tail.end()) != kinds.end());

    ClientStub admin2(IdlInterface::counter(), std::uint16_t(port2), kTimeout);
    QVERIFY(admin2.invoke(QStringLiteral("retire"), {}, &error));
    QVERIFY(second.waitExit(std::chrono::seconds(10)));
    // Nobody serves the name now: the stub says so instead of hanging.
    QVERIFY(!counter.invoke(QStringLiteral("increment"), {std::int32_t(1)}, &error));
    QVERIFY(!error.isEmpty());
}

void TestRebind::helperRefusesMalformedInputThenServes()
{
    NameServer names;
    QString error;
    QVERIFY(names.start(&error));
    SpawnedHelper server;
    QVERIFY(server.start(QString::fromLatin1(CounterHelper::kName), helperArgs(names.port(), 0), &error));
    const int port = names.waitForBinding(QStringLiteral("counter"), -1, std::chrono::seconds(20));
    QVERIFY(port > 0);
    for (const QByteArray &bad : {QByteArray("hello\n"), QByteArray(40, '\0'),
             QByteArray("PLRP\x01\x00\x00\x09xxxx\x00\x00\x00\x00", 16)}) {
        const auto ex = testing::rawExchange(std::uint16_t(port), bad);
        QVERIFY(ex.connected);
        QVERIFY(ex.closedByServer);
        QVERIFY(ex.received.size() > 16); // an error reply with its reason
        QCOMPARE(int(std::uint8_t(ex.received[5])), int(RpcMessage::Error));
    }
    ClientStub counter(IdlInterface::counter(), std::uint16_t(port), kTimeout);
    const auto v = counter.invoke(QStringLiteral("increment"), {std::int32_t(5)}, &error);
    QVERIFY2(v, qPrintable(error));
    QCOMPARE(std::get<std::int32_t>(*v), 5);
    QVERIFY(counter.invoke(QStringLiteral("retire"), {}, &error));
    QVERIFY(server.waitExit(std::chrono::seconds(10)));
    QCOMPARE(server.exitStatus(), 0);
}

void TestRebind::helperRefusesBadArguments()
{
    SpawnedHelper h;
    QString error;
    QVERIFY(h.start(
        QString::fromLatin1(CounterHelper::kName), {QStringLiteral("99999"), QStringLiteral("x")}, &error));
    QVERIFY(h.waitExit(std::chrono::seconds(10)));
    QCOMPARE(h.exitStatus(), 2);
}

void TestRebind::rebindEngineHidesEveryMove()
{
    auto e = makeEngine<RebindEngine>();
    QString error;
    QVERIFY(e->configure(
        {{QStringLiteral("calls"), 9}, {QStringLiteral("move_every"), 3}, {QStringLiteral("moves"), 2}},
        &error));
    e->setSpeed(0);
    const Result r = runToCompletion(*e, std::chrono::seconds(120));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    for (auto it = r.summary.begin(); it != r.summary.end(); ++it)
        QVERIFY2(outputsContain(e->outputs(), it.key()), qPrintable(it.key()));
    QCOMPARE(r.summary.value(QStringLiteral("calls")).toInt(), 9);
    QCOMPARE(r.summary.value(QStringLiteral("caller_failures")).toInt(), 0);
    QCOMPARE(r.summary.value(QStringLiteral("moves")).toInt(), 2);
    QCOMPARE(r.summary.value(QStringLiteral("servers")).toInt(), 3);
    QCOMPARE(r.summary.value(QStringLiteral("lookups")).toInt(), 3);
    QCOMPARE(r.summary.value(QStringLiteral("rebinds")).toInt(), 2);
    QCOMPARE(r.summary.value(QStringLiteral("failed_attempts")).toInt(), 2);
    QCOMPARE(r.summary.value(QStringLiteral("final_value")).toInt(), 9); // the state moved along
    const auto s = std::dynamic_pointer_cast<const RebindSnapshot>(e->snapshot());
    QVERIFY(s);
    QCOMPARE(int(s->servers.size()), 3);
    QCOMPARE(s->values, (std::vector<int> {1, 2, 3, 4, 5, 6, 7, 8, 9}));
    QCOMPARE(s->rebound, (std::vector<bool> {false, false, false, true, false, false, true, false, false}));
    for (const CounterServerInfo &srv : s->servers)
        QVERIFY(srv.retiredMs >= srv.startedMs);
}

void TestRebind::rebindEngineWithoutMovesNeverRebinds()
{
    auto e = makeEngine<RebindEngine>();
    QVERIFY(e->configure({{QStringLiteral("calls"), 4}, {QStringLiteral("moves"), 0}}));
    e->setSpeed(0);
    const Result r = runToCompletion(*e, std::chrono::seconds(60));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.summary.value(QStringLiteral("lookups")).toInt(), 1);
    QCOMPARE(r.summary.value(QStringLiteral("rebinds")).toInt(), 0);
    QVERIFY(!r.summary.contains(QStringLiteral("rebind_call_ms_median")));
}

void TestRebind::stubCallEngineShowsRealBytes()
{
    auto e = makeEngine<StubCallEngine>();
    QString error;
    QVERIFY(e->configure(
        {{QStringLiteral("name"), QStringLiteral("Grace")},
            {QStringLiteral("values"), QStringLiteral("1, 2, 3, 6")}, {QStringLiteral("repeats"), 20}},
        &error));
    e->setSpeed(0);
    const Result r = runToCompletion(*e, std::chrono::seconds(60));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    for (auto it = r.summary.begin(); it != r.summary.end(); ++it)
        QVERIFY2(outputsContain(e->outputs(), it.key()), qPrintable(it.key()));
    QCOMPARE(r.summary.value(QStringLiteral("request_bytes_add")).toInt(), 16 + 8);
    QCOMPARE(r.summary.value(QStringLiteral("request_bytes_greet")).toInt(), 16 + 4 + 5);
    QCOMPARE(r.summary.value(QStringLiteral("request_bytes_mean")).toInt(), 16 + 4 + 4 * 8);
    QCOMPARE(r.summary.value(QStringLiteral("reply_bytes_greet")).toInt(),
        16 + 4 + int(std::string("Hello, Grace!").size()));
    QCOMPARE(r.summary.value(QStringLiteral("result_add")).toInt(), 5);
    QCOMPARE(r.summary.value(QStringLiteral("result_mean")).toDouble(), 3.0);
    QVERIFY(r.summary.value(QStringLiteral("call_us_median")).toDouble() > 0);
    // A bad list of values is refused when configuring, naming the parameter.
    auto bad = makeEngine<StubCallEngine>();
    QVERIFY(!bad->configure({{QStringLiteral("values"), QStringLiteral("1, two")}}, &error));
    QVERIFY(error.contains(QStringLiteral("'two'")));
}

void TestRebind::stubCallEngineStepsStageByStage()
{
    auto e = makeEngine<StubCallEngine>();
    QVERIFY(e->configure({{QStringLiteral("repeats"), 1}}));
    e->setSpeed(0);
    e->stepOnce();
    const auto phase = [&] {
        const auto s = std::dynamic_pointer_cast<const StubCallSnapshot>(e->snapshot());
        return s ? std::make_pair(int(s->calls.size()), s->phase) : std::make_pair(0, -1);
    };
    // Three calls, eight stages each, one stage per step.
    for (int call = 1; call <= 3; ++call) {
        for (int p = 0; p < StubCallSnapshot::kPhases; ++p) {
            QTRY_COMPARE_WITH_TIMEOUT(phase(), std::make_pair(call, p), 10000);
            e->stepOnce();
        }
    }
    QVERIFY(e->waitFinished(std::chrono::seconds(30)));
    const auto s = std::dynamic_pointer_cast<const StubCallSnapshot>(e->snapshot());
    // add() comes last, so that the view ends on the call the lesson asks about.
    QCOMPARE(s->calls.back().method, QStringLiteral("add"));
    QCOMPARE(s->calls.back().request.size(), std::size_t(24));
    QCOMPARE(s->calls.back().serverSaw, QStringLiteral("a = 2, b = 3"));
}

PROCLAB_TEST_MAIN_WITH_HELPERS(TestRebind)
#include "tst_rebind.moc"
