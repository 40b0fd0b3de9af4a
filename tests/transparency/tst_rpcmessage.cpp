#include "transparency/idlinterface.h"
#include "transparency/rpcmessage.h"
#include "transparency/stubgenerator.h"

#include <QTest>

using namespace proclab;

class TestRpcMessage : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void builtinInterfacesParse();
    void badIdlIsRefusedWithItsLine_data();
    void badIdlIsRefusedWithItsLine();
    void callSizesFollowTheFormat();
    void marshalledBytesAreBigEndian();
    void fieldsCoverTheMessage();
    void roundTripPreservesValues();
    void wrongArgumentsAreRefused();
    void malformedPayloadsAreRefused_data();
    void malformedPayloadsAreRefused();
    void headerChecks();
    void generatedCodeHasALinePerArgument();
};

void TestRpcMessage::builtinInterfacesParse()
{
    QCOMPARE(IdlInterface::calculator().name(), QStringLiteral("Calculator"));
    QCOMPARE(int(IdlInterface::calculator().methods().size()), 3);
    QCOMPARE(IdlInterface::counter().find(QStringLiteral("retire"))->id, std::uint16_t(4));
    QCOMPARE(IdlInterface::naming().find(QStringLiteral("bind"))->params.size(), std::size_t(2));
    QCOMPARE(
        IdlInterface::calculator().find(QStringLiteral("mean"))->params[0].type, IdlType::DoubleSequence);
}

void TestRpcMessage::badIdlIsRefusedWithItsLine_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    QTest::newRow("no interface") << "int32 f();"
                                  << "line 1";
    QTest::newRow("bad type") << "interface A {\n  float f();\n};"
                              << "line 2";
    QTest::newRow("twice") << "interface A {\n int32 f();\n int32 f();\n};"
                           << "defined twice";
    QTest::newRow("unclosed") << "interface A {\n int32 f();"
                              << "missing";
    QTest::newRow("bad param") << "interface A {\n int32 f(int32);\n};"
                               << "bad parameter";
}

void TestRpcMessage::badIdlIsRefusedWithItsLine()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    QString error;
    QVERIFY(!IdlInterface::parse(text, &error));
    QVERIFY2(error.contains(expected), qPrintable(error));
}

void TestRpcMessage::callSizesFollowTheFormat()
{
    const IdlInterface &calc = IdlInterface::calculator();
    RpcBytes out;
    QString error;
    QVERIFY(RpcMessage::marshalCall(
        *calc.find(QStringLiteral("add")), 1, {std::int32_t(2), std::int32_t(3)}, &out, nullptr, &error));
    QCOMPARE(out.size(), std::size_t(16 + 4 + 4));
    QVERIFY(RpcMessage::marshalCall(
        *calc.find(QStringLiteral("greet")), 1, {std::string("Ada")}, &out, nullptr, &error));
    QCOMPARE(out.size(), std::size_t(16 + 4 + 3));
    QVERIFY(RpcMessage::marshalCall(
        *calc.find(QStringLiteral("mean")), 1, {std::vector<double> {1, 2, 3}}, &out, nullptr, &error));
    QCOMPARE(out.size(), std::size_t(16 + 4 + 3 * 8));
    QCOMPARE(RpcMessage::marshalReply(*calc.find(QStringLiteral("add")), 1, std::int32_t(5)).size(),
        std::size_t(20));
}

void TestRpcMessage::marshalledBytesAreBigEndian()
{
    RpcBytes out;
    QVERIFY(RpcMessage::marshalCall(*IdlInterface::calculator().find(QStringLiteral("add")), 0x01020304,
        {std::int32_t(0x0a0b0c0d), std::int32_t(-1)}, &out, nullptr, nullptr));
    const RpcBytes expected {'P', 'L', 'R', 'P', 1, 0, 0, 1, 1, 2, 3, 4, 0, 0, 0, 8, 0x0a, 0x0b, 0x0c, 0x0d,
        0xff, 0xff, 0xff, 0xff};
    QVERIFY(out == expected);
}

void TestRpcMessage::fieldsCoverTheMessage()
{
    RpcBytes out;
    std::vector<MarshalField> fields;
    QVERIFY(RpcMessage::marshalCall(*IdlInterface::calculator().find(QStringLiteral("greet")), 7,
        {std::string("Bob")}, &out, &fields, nullptr));
    int at = 0;
    for (const MarshalField &f : fields) {
        QCOMPARE(f.offset, at); // contiguous, in order
        at += f.length;
    }
    QCOMPARE(at, int(out.size()));
    QCOMPARE(fields.back().label, QStringLiteral("name = \"Bob\""));
}

void TestRpcMessage::roundTripPreservesValues()
{
    const IdlMethod &mean = *IdlInterface::calculator().find(QStringLiteral("mean"));
    const std::vector<double> v {1.5, -2.25, 1e300, 0};
    RpcBytes out;
    QVERIFY(RpcMessage::marshalCall(mean, 3, {v}, &out, nullptr, nullptr));
    const auto h = RpcMessage::parseHeader(out.data(), out.size(), nullptr);
    QVERIFY(h);
    QCOMPARE(h->payloadBytes, std::uint32_t(out.size() - 16));
    std::vector<RpcValue> back;
    QString error;
    QVERIFY2(
        RpcMessage::unmarshal(RpcMessage::paramTypes(mean), out.data() + 16, out.size() - 16, &back, &error),
        qPrintable(error));
    QVERIFY(std::get<std::vector<double>>(back[0]) == v);
}

void TestRpcMessage::wrongArgumentsAreRefused()
{
    const IdlMethod &add = *IdlInterface::calculator().find(QStringLiteral("add"));
    RpcBytes out;
    QString error;
    QVERIFY(!RpcMessage::marshalCall(add, 1, {std::int32_t(1)}, &out, nullptr, &error));
    QVERIFY(error.contains(QStringLiteral("2 arguments")));
    QVERIFY(!RpcMessage::marshalCall(add, 1, {std::int32_t(1), std::string("x")}, &out, nullptr, &error));
    QVERIFY(error.contains(QStringLiteral("must be int32")));
    const IdlMethod &greet = *IdlInterface::calculator().find(QStringLiteral("greet"));
    QVERIFY(!RpcMessage::marshalCall(greet, 1, {std::string(5000, 'x')}, &out, nullptr, &error));
    QVERIFY(error.contains(QStringLiteral("longer than")));
}

void TestRpcMessage::malformedPayloadsAreRefused_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QString>("expected");
    QTest::newRow("short") << QByteArray("\x00\x00", 2) << "ends early";
    QTest::newRow("length lies") << QByteArray("\x00\x00\x00\x09"
                                               "abc",
        7) << "ends early";
    QTest::newRow("huge length") << QByteArray("\x7f\x00\x00\x00"
                                               "abc",
        7) << "longer than";
    QTest::newRow("left over") << QByteArray("\x00\x00\x00\x01"
                                             "ab",
        6) << "left over";
}

void TestRpcMessage::malformedPayloadsAreRefused()
{
    QFETCH(QByteArray, payload);
    QFETCH(QString, expected);
    std::vector<RpcValue> out;
    QString error;
    QVERIFY(
        !RpcMessage::unmarshal({IdlType::String}, reinterpret_cast<const std::uint8_t *>(payload.constData()),
            std::size_t(payload.size()), &out, &error));
    QVERIFY2(error.contains(expected), qPrintable(error));
}

void TestRpcMessage::headerChecks()
{
    RpcBytes h = RpcMessage::marshalError(1, 2, QStringLiteral("x"));
    QString error;
    QVERIFY(RpcMessage::parseHeader(h.data(), h.size(), &error));
    QVERIFY(!RpcMessage::parseHeader(h.data(), 10, &error));
    RpcBytes bad = h;
    bad[0] = 'X';
    QVERIFY(!RpcMessage::parseHeader(bad.data(), bad.size(), &error));
    QVERIFY(error.contains(QStringLiteral("magic")));
    bad = h;
    bad[4] = 9;
    QVERIFY(!RpcMessage::parseHeader(bad.data(), bad.size(), &error));
    QVERIFY(error.contains(QStringLiteral("version")));
    bad = h;
    bad[12] = 0x10; // 256 MiB payload
    QVERIFY(!RpcMessage::parseHeader(bad.data(), bad.size(), &error));
    QVERIFY(error.contains(QStringLiteral("larger than")));
}

void TestRpcMessage::generatedCodeHasALinePerArgument()
{
    const IdlInterface &calc = IdlInterface::calculator();
    const GeneratedMethodCode add = StubGenerator::generate(calc, *calc.find(QStringLiteral("add")));
    QCOMPARE(add.stubMarshalLast - add.stubMarshalFirst, 2); // the header line, then a and b
    QVERIFY(add.stubLines[add.stubMarshalLast].contains(QStringLiteral("putInt32(b)")));
    QVERIFY(add.skeletonLines[add.skeletonCall].contains(QStringLiteral("object.add(a, b)")));
    QVERIFY(add.stubLines[add.stubUnmarshal].contains(QStringLiteral("getInt32")));
    const QString source = StubGenerator::stubSource(calc);
    QVERIFY(source.contains(QStringLiteral("class CalculatorStub")));
    QVERIFY(source.contains(QStringLiteral("std::string CalculatorStub::greet(const std::string &name)")));
}

QTEST_APPLESS_MAIN(TestRpcMessage)
#include "tst_rpcmessage.moc"
