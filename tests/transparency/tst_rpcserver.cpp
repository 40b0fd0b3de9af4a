#include "rawclient.h"

#include "transparency/clientstub.h"
#include "transparency/nameserver.h"
#include "transparency/rpcserver.h"

#include <QTest>

using namespace proclab;
using proclab::testing::rawExchange;

class TestRpcServer : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void stubCallsTheServer();
    void malformedInputIsRefusedThenGoodCallsServed_data();
    void malformedInputIsRefusedThenGoodCallsServed();
    void stalledClientIsDisconnected();
    void handlerRefusalReachesTheCaller();
    void nameServerRefusesMalformedInput();
    void stubReportsAnUnreachableServer();
};

namespace {

bool calculator(const IdlMethod &m, const std::vector<RpcValue> &args, RpcValue *result, QString *)
{
    if (m.name == QLatin1String("add"))
        *result = std::int32_t(std::get<std::int32_t>(args[0]) + std::get<std::int32_t>(args[1]));
    else if (m.name == QLatin1String("greet"))
        *result = "Hello, " + std::get<std::string>(args[0]);
    else
        *result = 0.0;
    return true;
}

QByteArray bytes(const RpcBytes &b)
{
    return QByteArray(reinterpret_cast<const char *>(b.data()), int(b.size()));
}

RpcBytes call(const QString &method, const std::vector<RpcValue> &args)
{
    RpcBytes out;
    RpcMessage::marshalCall(*IdlInterface::calculator().find(method), 1, args, &out, nullptr, nullptr);
    return out;
}

/// The error text in a reply, empty when it is not an error reply.
QString errorText(const QByteArray &reply)
{
    const auto *d = reinterpret_cast<const std::uint8_t *>(reply.constData());
    const auto h = RpcMessage::parseHeader(d, std::size_t(reply.size()), nullptr);
    if (!h || h->kind != RpcMessage::Error || std::size_t(reply.size()) != 16 + h->payloadBytes)
        return {};
    std::vector<RpcValue> v;
    if (!RpcMessage::unmarshal({IdlType::String}, d + 16, h->payloadBytes, &v, nullptr))
        return {};
    return QString::fromStdString(std::get<std::string>(v[0]));
}

void checkStillServes(std::uint16_t port)
{
    ClientStub stub(IdlInterface::calculator(), port, std::chrono::milliseconds(3000));
    QString error;
    const auto r = stub.invoke(QStringLiteral("add"), {std::int32_t(40), std::int32_t(2)}, &error);
    QVERIFY2(r, qPrintable(error));
    QCOMPARE(std::get<std::int32_t>(*r), 42);
}

} // namespace

void TestRpcServer::stubCallsTheServer()
{
    RpcServer server(IdlInterface::calculator(), calculator);
    QString error;
    QVERIFY(server.start(&error));
    ClientStub stub(IdlInterface::calculator(), server.port(), std::chrono::milliseconds(3000));
    StubCallTrace trace;
    const auto r = stub.invoke(QStringLiteral("greet"), {std::string("Ada")}, &error, &trace);
    QVERIFY2(r, qPrintable(error));
    QCOMPARE(std::get<std::string>(*r), std::string("Hello, Ada"));
    QCOMPARE(trace.request.size(), std::size_t(16 + 4 + 3));
    QCOMPARE(trace.reply.size(), std::size_t(16 + 4 + 10));
    // Many calls over the one connection.
    for (int i = 0; i < 20; ++i)
        QCOMPARE(
            std::get<std::int32_t>(*stub.invoke(QStringLiteral("add"), {i, std::int32_t(1)}, &error)), i + 1);
    QCOMPARE(server.callsServed(), std::int64_t(21));
    const auto last = server.lastCall();
    QVERIFY(last);
    QCOMPARE(last->method, QStringLiteral("add"));
    QCOMPARE(last->request.size(), std::size_t(24));
}

void TestRpcServer::malformedInputIsRefusedThenGoodCallsServed_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("expected");
    RpcBytes add = call(QStringLiteral("add"), {std::int32_t(1), std::int32_t(2)});
    QTest::newRow("garbage") << QByteArray("GET / HTTP/1.1\r\n\r\n") << "bad magic";
    RpcBytes version = add;
    version[4] = 7;
    QTest::newRow("version") << bytes(version) << "version";
    RpcBytes huge = add;
    huge[12] = 0x01; // 16 MiB payload announced
    QTest::newRow("oversized") << bytes(huge) << "larger than";
    RpcBytes method = add;
    method[7] = 99;
    QTest::newRow("unknown method") << bytes(method) << "no method 99";
    RpcBytes reply = add;
    reply[5] = RpcMessage::Reply;
    QTest::newRow("not a call") << bytes(reply) << "calls only";
    // add() with a payload of 12 bytes: one int32 too many.
    RpcBytes longer = add;
    longer[15] = 12;
    longer.insert(longer.end(), {0, 0, 0, 0});
    QTest::newRow("extra argument") << bytes(longer) << "left over";
    // greet() whose string length says more than the payload holds.
    RpcBytes greet = call(QStringLiteral("greet"), {std::string("Ada")});
    greet[19] = 200;
    QTest::newRow("string too short") << bytes(greet) << "ends early";
}

void TestRpcServer::malformedInputIsRefusedThenGoodCallsServed()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, expected);
    RpcServer server(IdlInterface::calculator(), calculator);
    QString error;
    QVERIFY(server.start(&error));
    const auto ex = rawExchange(server.port(), input);
    QVERIFY(ex.connected);
    QVERIFY(ex.closedByServer);
    const QString why = errorText(ex.received);
    QVERIFY2(why.contains(expected), qPrintable(why));
    QCOMPARE(server.messagesRefused(), std::int64_t(1));
    checkStillServes(server.port());
}

void TestRpcServer::stalledClientIsDisconnected()
{
    RpcServer server(IdlInterface::calculator(), calculator);
    server.setIdleTimeout(std::chrono::milliseconds(200));
    QString error;
    QVERIFY(server.start(&error));
    // Half a header, then silence: the server closes the connection by itself.
    const auto ex = rawExchange(server.port(), QByteArray("PLRP\x01", 5), 5000);
    QVERIFY(ex.closedByServer);
    QVERIFY(ex.received.isEmpty());
    // A header announcing 8 bytes of payload, then only 3.
    RpcBytes add = call(QStringLiteral("add"), {std::int32_t(1), std::int32_t(2)});
    add.resize(19);
    QVERIFY(rawExchange(server.port(), bytes(add), 5000).closedByServer);
    checkStillServes(server.port());
}

void TestRpcServer::handlerRefusalReachesTheCaller()
{
    RpcServer server(IdlInterface::calculator(),
        [](const IdlMethod &, const std::vector<RpcValue> &, RpcValue *, QString *error) {
            *error = QStringLiteral("not today");
            return false;
        });
    QString error;
    QVERIFY(server.start(&error));
    ClientStub stub(IdlInterface::calculator(), server.port(), std::chrono::milliseconds(3000));
    QVERIFY(!stub.invoke(QStringLiteral("add"), {std::int32_t(1), std::int32_t(2)}, &error));
    QVERIFY2(error.contains(QStringLiteral("not today")), qPrintable(error));
}

void TestRpcServer::nameServerRefusesMalformedInput()
{
    NameServer names;
    QString error;
    QVERIFY(names.start(&error));
    const auto ex = rawExchange(names.port(), QByteArray(64, '\xff'));
    QVERIFY(ex.closedByServer);
    QVERIFY(errorText(ex.received).contains(QStringLiteral("magic")));
    ClientStub naming(IdlInterface::naming(), names.port(), std::chrono::milliseconds(3000));
    // Bad values are refused by the name server's own checks.
    QVERIFY(!naming.invoke(QStringLiteral("bind"), {std::string("x"), std::int32_t(70000)}, &error));
    QVERIFY(error.contains(QStringLiteral("not a TCP port")));
    QVERIFY(!naming.invoke(QStringLiteral("bind"), {std::string(), std::int32_t(80)}, &error));
    // And good requests are served.
    ClientStub again(IdlInterface::naming(), names.port(), std::chrono::milliseconds(3000));
    QVERIFY(again.invoke(QStringLiteral("bind"), {std::string("printer"), std::int32_t(6310)}, &error));
    const auto port = again.invoke(QStringLiteral("lookup"), {std::string("printer")}, &error);
    QVERIFY2(port, qPrintable(error));
    QCOMPARE(std::get<std::int32_t>(*port), 6310);
    QCOMPARE(
        std::get<std::int32_t>(*again.invoke(QStringLiteral("lookup"), {std::string("nobody")}, &error)), -1);
    QCOMPARE(names.portOf(QStringLiteral("printer")), 6310);
}

void TestRpcServer::stubReportsAnUnreachableServer()
{
    std::uint16_t port = 0;
    {
        RpcServer server(IdlInterface::calculator(), calculator);
        QString error;
        QVERIFY(server.start(&error));
        port = server.port();
    } // stopped: the port refuses connections now
    ClientStub stub(IdlInterface::calculator(), port, std::chrono::milliseconds(2000));
    QString error;
    QVERIFY(!stub.invoke(QStringLiteral("add"), {std::int32_t(1), std::int32_t(2)}, &error));
    QVERIFY2(error.contains(QStringLiteral("cannot connect")), qPrintable(error));
}

QTEST_APPLESS_MAIN(TestRpcServer)
#include "tst_rpcserver.moc"
