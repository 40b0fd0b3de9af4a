// Moves for real over TCP: weak push and pull, strong migration and cloning, to a node
// on a thread of this process and to one in a child process; the protocol's refusals.
#include "mobility/imagecodec.h"
#include "mobility/interpreter.h"
#include "mobility/mobilityclient.h"
#include "mobility/mobilitynode.h"
#include "mobility/mobilitynodeprocess.h"
#include "mobility/moveexperiment.h"
#include "mobilitytestutil.h"

#include "helpermain.h"

#include <QTest>

#include <random>
#include <thread>

#include <cerrno>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace proclab::mobility;
using namespace proclab::mobility::testutil;

class TestMobilityNode : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void weakPushStartsOver();
    void weakPullFetchesTheCode();
    void strongMigrationGoesOn_data();
    void strongMigrationGoesOn();
    void cloneAndOriginalBothFinish();
    void betweenTwoProcesses();
    void protocolRefusals_data();
    void protocolRefusals();
    void unknownIntentAndRepeatedImage();
    void badImagesRefused_data();
    void badImagesRefused();
    void oversizedMessageRefusedUnread();
    void nodeLimitsApply();
    void sessionCap();
    void silentSenderTimesOut();
    void senderLeavingStopsItsComputation();
    void runTimeLimit();
    void adoptedConnection();
    void stopWhileComputing();

private:
    CodeRepository m_repository;
};

namespace {

Value I(std::int64_t v)
{
    return Value::ofInt(v);
}

/// A node on threads of this process, stopped when the test function ends.
struct LocalNode {
    explicit LocalNode(MobilityNodeOptions options = {})
        : node(std::move(options))
    {
        QString error;
        started = node.start(&error);
        if (!started)
            qWarning("%s", qPrintable(error));
    }
    MobilityNode node;
    bool started = false;
};

MoveConfig configFor(MoveMode mode, std::uint16_t port)
{
    MoveConfig c;
    c.mode = mode;
    c.port = port;
    c.sliceSteps = 4096; // many slices, so moves land between arbitrary instructions
    return c;
}

MobilityClientOptions clientFor(std::uint16_t port)
{
    MobilityClientOptions o;
    o.port = port;
    o.messageTimeout = std::chrono::seconds(10);
    return o;
}

/// Reads the next message; returns the node's Error text, or "" when it was not an Error.
QString nextError(MobilityClient &client)
{
    wire::MsgType type {};
    std::vector<std::uint8_t> body;
    QString error;
    if (client.readMessage(&type, &body, std::chrono::seconds(10), &error))
        return QStringLiteral("(no error: got %1)").arg(wire::msgTypeName(std::uint16_t(type)));
    return error;
}

/// Whether a complete, ordinary session still works (the node survived what came before).
bool nodeStillServes(std::uint16_t port)
{
    const MoveReport r
        = MoveExperiment::run(configFor(MoveMode::WeakPush, port), shipped(QStringLiteral("factorial")));
    if (!r.error.isEmpty())
        qWarning("%s", qPrintable(r.error));
    return r.error.isEmpty() && r.equal;
}

} // namespace

void TestMobilityNode::initTestCase()
{
    m_repository.add(
        QStringLiteral("primes"), shipped(QStringLiteral("primes"), {{QStringLiteral("hi"), I(30000)}}));
    m_repository.add(QStringLiteral("sieve"), shipped(QStringLiteral("sieve")));
}

void TestMobilityNode::weakPushStartsOver()
{
    LocalNode n;
    QVERIFY(n.started);
    const Computation program = shipped(QStringLiteral("sieve"));
    const MoveReport r = MoveExperiment::run(configFor(MoveMode::WeakPush, n.node.port()), program);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QVERIFY(r.equal);
    QCOMPARE(r.result, I(2262));
    QCOMPARE(r.resultUnmigrated, I(2262));
    QVERIFY(!r.resumedAtNode); // weak: the node started from the beginning
    QCOMPARE(r.stepsBeforeMove, std::uint64_t(0));
    QCOMPARE(r.stepsAtNode, r.stepsUnmigrated); // ... and ran every step itself
    QCOMPARE(r.bytesExecutionState, std::uint32_t(0));
    QCOMPARE(r.bytesCode, std::uint32_t(ImageCodec::encodeCode(program.code).size()));
    QCOMPARE(r.bytesData, std::uint32_t(ImageCodec::encodeData(program.data).size()));
    QCOMPARE(r.bytesImage, std::uint32_t(ImageCodec::kImageHeaderBytes + r.bytesCode + r.bytesData));
    QVERIFY(r.moveNs > 0);
    QCOMPARE(n.node.counters().results, 1);
}

void TestMobilityNode::weakPullFetchesTheCode()
{
    MobilityNodeOptions options;
    options.repository = m_repository;
    LocalNode n(options);
    QVERIFY(n.started);
    MoveConfig config = configFor(MoveMode::WeakPull, n.node.port());
    config.programName = QStringLiteral("primes");
    const Computation local = shipped(QStringLiteral("primes"), {{QStringLiteral("hi"), I(30000)}});
    const MoveReport r = MoveExperiment::run(config, local);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QVERIFY(r.codeIdentical);
    QVERIFY(r.equal);
    QCOMPARE(r.result, I(3245));
    QCOMPARE(r.bytesExecutionState, std::uint32_t(0));
    QVERIFY(r.atMove && r.atMove->state.steps == 0);
    QCOMPARE(n.node.counters().fetches, 1);
    QCOMPARE(n.node.counters().results, 0); // it ran here, not at the node

    config.programName = QStringLiteral("nonexistent");
    const MoveReport missing = MoveExperiment::run(config, local);
    QVERIFY2(missing.error.contains(QStringLiteral(
                 "no program 'nonexistent' in this node's repository (it has: primes, sieve)")),
        qPrintable(missing.error));
}

void TestMobilityNode::strongMigrationGoesOn_data()
{
    QTest::addColumn<Computation>("program");
    QTest::addColumn<double>("fraction");
    QTest::newRow("primes, early") << shipped(QStringLiteral("primes"), {{QStringLiteral("hi"), I(30000)}})
                                   << 0.1;
    QTest::newRow("primes, half way")
        << shipped(QStringLiteral("primes"), {{QStringLiteral("hi"), I(30000)}}) << 0.5;
    QTest::newRow("integrate") << shipped(QStringLiteral("integrate"), {{QStringLiteral("n"), I(200000)}})
                               << 0.37;
    QTest::newRow("fibonacci, deep in the recursion") << shipped(QStringLiteral("fibonacci")) << 0.61;
    QTest::newRow("sieve, heap half marked") << shipped(QStringLiteral("sieve")) << 0.5;
    QTest::newRow("factorial, one step before the end") << shipped(QStringLiteral("factorial")) << 0.999;
}

void TestMobilityNode::strongMigrationGoesOn()
{
    QFETCH(Computation, program);
    QFETCH(double, fraction);
    LocalNode n;
    QVERIFY(n.started);
    MoveConfig config = configFor(MoveMode::Strong, n.node.port());
    config.moveAtFraction = fraction;
    const MoveReport r = MoveExperiment::run(config, program);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QVERIFY2(
        r.equal, qPrintable(r.result.toString() + QStringLiteral(" vs ") + r.resultUnmigrated.toString()));
    QCOMPARE(r.result, r.resultUnmigrated);
    QVERIFY(r.resumedAtNode);
    QVERIFY(r.stepsBeforeMove > 0);
    // It went on rather than starting over: the steps here and there add up to one run.
    QCOMPARE(r.stepsBeforeMove + r.stepsAtNode, r.stepsUnmigrated);
    QCOMPARE(r.stepsTotal, r.stepsUnmigrated);
    QVERIFY(r.bytesExecutionState > 0);
    QVERIFY(r.atMove);
    QCOMPARE(r.bytesExecutionState, std::uint32_t(ImageCodec::encodeState(r.atMove->state).size()));
    QCOMPARE(r.bytesData, std::uint32_t(ImageCodec::encodeData(r.atMove->data).size()));
}

void TestMobilityNode::cloneAndOriginalBothFinish()
{
    LocalNode n;
    QVERIFY(n.started);
    MoveConfig config = configFor(MoveMode::Clone, n.node.port());
    config.moveAtFraction = 0.4;
    const MoveReport r
        = MoveExperiment::run(config, shipped(QStringLiteral("primes"), {{QStringLiteral("hi"), I(30000)}}));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QVERIFY(r.equal); // the clone at the node
    QVERIFY(r.originalEqual); // the original here
    QCOMPARE(r.result, r.resultOriginal);
    QCOMPARE(r.result, I(3245));
    QVERIFY(r.resumedAtNode);
    QCOMPARE(r.stepsBeforeMove + r.stepsAtNode, r.stepsUnmigrated);
}

void TestMobilityNode::betweenTwoProcesses()
{
    // This test program started again in the mobility-node helper mode: a node in a process of its own.
    MobilityNodeProcess child;
    QString error;
    QVERIFY2(child.start(std::chrono::seconds(20), &error), qPrintable(error));
    QVERIFY(child.pid() != ::getpid());
    const Computation primes = shipped(QStringLiteral("primes"), {{QStringLiteral("hi"), I(30000)}});

    MoveConfig strong = configFor(MoveMode::Strong, child.port());
    strong.moveAtFraction = 0.5;
    const MoveReport s = MoveExperiment::run(strong, primes);
    QVERIFY2(s.error.isEmpty(), qPrintable(s.error));
    QVERIFY(s.equal);
    QCOMPARE(s.stepsBeforeMove + s.stepsAtNode, s.stepsUnmigrated);

    const MoveReport c = MoveExperiment::run(configFor(MoveMode::Clone, child.port()), primes);
    QVERIFY2(c.error.isEmpty(), qPrintable(c.error));
    QVERIFY(c.equal && c.originalEqual);

    const MoveReport push = MoveExperiment::run(configFor(MoveMode::WeakPush, child.port()),
        shipped(QStringLiteral("integrate"), {{QStringLiteral("n"), I(100000)}}));
    QVERIFY2(push.error.isEmpty(), qPrintable(push.error));
    QVERIFY(push.equal);

    MoveConfig pull = configFor(MoveMode::WeakPull, child.port());
    pull.programName = QStringLiteral("sieve"); // the child serves the shipped programs
    const MoveReport p = MoveExperiment::run(pull, shipped(QStringLiteral("sieve")));
    QVERIFY2(p.error.isEmpty(), qPrintable(p.error));
    QVERIFY(p.codeIdentical && p.equal);

    int exitCode = -1;
    const QString log = child.stop(&exitCode).join(QLatin1Char('\n'));
    QCOMPARE(exitCode, 0);
    QVERIFY2(log.contains(QStringLiteral("migrate of 'primes'")), qPrintable(log));
    QVERIFY2(
        log.contains(QStringLiteral("goes on here from step %1").arg(s.stepsBeforeMove)), qPrintable(log));
    QVERIFY2(log.contains(QStringLiteral("clone of 'primes'")), qPrintable(log));
    QVERIFY2(log.contains(QStringLiteral("starts here from the beginning")), qPrintable(log));
    QVERIFY2(log.contains(QStringLiteral("fetched 'sieve'")), qPrintable(log));
    QVERIFY2(log.contains(QStringLiteral("halted with 3245")), qPrintable(log));
    QVERIFY(log.trimmed().endsWith(QStringLiteral("stopped")));
}

void TestMobilityNode::protocolRefusals_data()
{
    QTest::addColumn<int>("intent"); // 0: no Hello first
    QTest::addColumn<int>("type"); // the message sent next; 0: eight bytes of garbage
    QTest::addColumn<QString>("message");
    QTest::newRow("image before hello")
        << 0 << int(wire::MsgType::Image) << "protocol error: Image out of order, expected Hello";
    QTest::newRow("fetch before hello")
        << 0 << int(wire::MsgType::Fetch) << "Fetch out of order, expected Hello";
    QTest::newRow("garbage first") << 0 << 0 << "not a ProcLab mobility message";
    QTest::newRow("hello twice") << int(wire::Intent::Migrate) << int(wire::MsgType::Hello)
                                 << "Hello out of order, expected Image";
    QTest::newRow("fetch in a migration")
        << int(wire::Intent::Migrate) << int(wire::MsgType::Fetch) << "Fetch out of order, expected Image";
    QTest::newRow("image in a fetch session")
        << int(wire::Intent::Fetch) << int(wire::MsgType::Image) << "expected Fetch";
    QTest::newRow("a node's message from the sender")
        << int(wire::Intent::Run) << int(wire::MsgType::Result) << "Result out of order";
    QTest::newRow("garbage after hello") << int(wire::Intent::Clone) << 0 << "not a ProcLab mobility message";
}

void TestMobilityNode::protocolRefusals()
{
    QFETCH(int, intent);
    QFETCH(int, type);
    QFETCH(QString, message);
    LocalNode n;
    QVERIFY(n.started);
    MobilityClient client(clientFor(n.node.port()));
    QString error;
    if (intent == 0)
        QVERIFY2(client.connect(&error), qPrintable(error));
    else
        QVERIFY2(client.open(wire::Intent(intent), &error), qPrintable(error));
    if (type == 0) {
        const std::vector<std::uint8_t> garbage {'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P', '/', '1'};
        QVERIFY2(client.sendRaw(garbage, &error), qPrintable(error));
    } else {
        std::vector<std::uint8_t> body;
        switch (wire::MsgType(type)) {
        case wire::MsgType::Hello:
            body = wire::encodeHello({wire::Intent::Run});
            break;
        case wire::MsgType::Fetch:
            body = wire::encodeText(QStringLiteral("primes"));
            break;
        case wire::MsgType::Image:
            body = ImageCodec::encodeWeak(shipped(QStringLiteral("factorial"))).bytes;
            break;
        default:
            body = wire::encodeResult({});
            break;
        }
        QVERIFY2(client.sendMessage(wire::MsgType(type), body, &error), qPrintable(error));
    }
    const QString refusal = nextError(client);
    QVERIFY2(refusal.startsWith(QStringLiteral("the node refused: ")), qPrintable(refusal));
    QVERIFY2(refusal.contains(message), qPrintable(refusal));
    QCOMPARE(n.node.counters().refused, 1);
    QVERIFY(nodeStillServes(n.node.port()));
}

void TestMobilityNode::unknownIntentAndRepeatedImage()
{
    LocalNode n;
    QVERIFY(n.started);
    QString error;
    {
        MobilityClient client(clientFor(n.node.port()));
        QVERIFY(!client.open(wire::Intent(9), &error));
        QVERIFY2(error.contains(QStringLiteral("unknown intent 9")), qPrintable(error));
    }
    // A second Image while the first computation runs at the node.
    MobilityClient client(clientFor(n.node.port()));
    QVERIFY2(client.open(wire::Intent::Run, &error), qPrintable(error));
    const auto image = ImageCodec::encodeWeak(shipped(QStringLiteral("primes"))).bytes; // seconds of work
    wire::AcceptedBody accepted;
    QVERIFY2(client.sendImage(image, &accepted, &error), qPrintable(error));
    QVERIFY(!accepted.resumed);
    QVERIFY(client.sendMessage(wire::MsgType::Image, image, &error));
    const QString refusal = nextError(client);
    QVERIFY2(refusal.contains(QStringLiteral(
                 "protocol error: Image while the computation runs, expected nothing until the Result")),
        qPrintable(refusal));
    QVERIFY(nodeStillServes(n.node.port()));
    QCOMPARE(
        n.node.counters().results, 1); // only the good session's: the refused one's computation was stopped
}

void TestMobilityNode::badImagesRefused_data()
{
    QTest::addColumn<int>("intent");
    QTest::addColumn<std::vector<std::uint8_t>>("image");
    QTest::addColumn<QString>("message");

    const Computation factorial = shipped(QStringLiteral("factorial"));
    Computation mid = shipped(QStringLiteral("fibonacci"));
    Interpreter(mid).run(500);
    const auto weak = ImageCodec::encodeWeak(factorial).bytes;
    const auto strong = ImageCodec::encodeStrong(mid).bytes;

    QTest::newRow("truncated") << int(wire::Intent::Run)
                               << std::vector<std::uint8_t>(weak.begin(), weak.end() - 10)
                               << "image refused: truncated image";
    auto version = weak;
    version[4] = 2;
    QTest::newRow("wrong version") << int(wire::Intent::Run) << version
                                   << "unsupported image version 2 (this build reads version 1)";
    std::mt19937_64 rng(5);
    std::vector<std::uint8_t> random(64);
    for (auto &b : random)
        b = std::uint8_t(rng());
    QTest::newRow("random bytes") << int(wire::Intent::Migrate) << random << "not a ProcLab mobile image";
    auto corrupt = strong;
    corrupt[corrupt.size() / 2] ^= 0x40;
    QTest::newRow("corrupt") << int(wire::Intent::Migrate) << corrupt << "corrupt image: checksum";
    QTest::newRow("empty") << int(wire::Intent::Run) << std::vector<std::uint8_t>() << "truncated image";
    QTest::newRow("weak push with a state")
        << int(wire::Intent::Run) << strong << "a weak push carries code and data only";
    QTest::newRow("migration without a state")
        << int(wire::Intent::Migrate) << weak << "a migrate needs the execution state";
    QTest::newRow("clone without a state")
        << int(wire::Intent::Clone) << weak << "a clone needs the execution state";
    const Computation done = finished(factorial);
    QTest::newRow("a finished computation")
        << int(wire::Intent::Migrate) << ImageCodec::encodeStrong(done).bytes
        << "the computation has already halted";
    Computation misfit = mid;
    misfit.state.pc += 1;
    QTest::newRow("state that does not fit")
        << int(wire::Intent::Migrate) << ImageCodec::encodeStrong(misfit).bytes
        << "bad execution state: the program counter";
    const auto codeOnly = ImageCodec::encodeImage(&factorial.code, nullptr, nullptr).bytes;
    QTest::newRow("no data segment") << int(wire::Intent::Run) << codeOnly << "it has no data segment";
}

void TestMobilityNode::badImagesRefused()
{
    QFETCH(int, intent);
    QFETCH(std::vector<std::uint8_t>, image);
    QFETCH(QString, message);
    LocalNode n;
    QVERIFY(n.started);
    MobilityClient client(clientFor(n.node.port()));
    QString error;
    QVERIFY2(client.open(wire::Intent(intent), &error), qPrintable(error));
    wire::AcceptedBody accepted;
    QVERIFY(!client.sendImage(image, &accepted, &error));
    QVERIFY2(error.startsWith(QStringLiteral("the node refused: image refused: ")), qPrintable(error));
    QVERIFY2(error.contains(message), qPrintable(error));
    QVERIFY(!error.contains(QLatin1Char('\n')));
    const QStringList log = n.node.takeLog();
    QVERIFY2(log.join(QLatin1Char('\n')).contains(message), qPrintable(log.join(QLatin1Char('\n'))));
    QVERIFY(nodeStillServes(n.node.port()));
}

void TestMobilityNode::oversizedMessageRefusedUnread()
{
    LocalNode n;
    QVERIFY(n.started);
    MobilityClient client(clientFor(n.node.port()));
    QString error;
    QVERIFY2(client.open(wire::Intent::Run, &error), qPrintable(error));
    const auto header = wire::encodeHeader(wire::MsgType::Image, 0xfffffff0u);
    QVERIFY(client.sendRaw(header, &error)); // nothing of the announced 4 GiB follows
    const QString refusal = nextError(client);
    QVERIFY2(refusal.contains(QStringLiteral("refused Image of 4294967280 bytes: the limit is %1")
                                  .arg(wire::maxBodyBytes(wire::MsgType::Image, MachineLimits {}))),
        qPrintable(refusal));
    // Control messages have a small limit of their own.
    MobilityClient second(clientFor(n.node.port()));
    QVERIFY(second.connect(&error));
    QVERIFY(second.sendRaw(wire::encodeHeader(wire::MsgType::Hello, 100000), &error));
    QVERIFY2(nextError(second).contains(QStringLiteral("refused Hello of 100000 bytes: the limit is 4096")),
        qPrintable(error));
    QVERIFY(nodeStillServes(n.node.port()));
}

void TestMobilityNode::nodeLimitsApply()
{
    MobilityNodeOptions options;
    options.limits.maxHeapCells = 100;
    LocalNode n(options);
    QVERIFY(n.started);
    // Weak: the sieve's image is small, but the node's heap limit stops its alloc there.
    const MoveReport weak
        = MoveExperiment::run(configFor(MoveMode::WeakPush, n.node.port()), shipped(QStringLiteral("sieve")));
    QVERIFY2(weak.error.isEmpty(), qPrintable(weak.error));
    QVERIFY(!weak.equal);
    QVERIFY2(
        weak.faultMessage.contains(QStringLiteral("alloc of 20000 cells")), qPrintable(weak.faultMessage));
    // Strong: mid-run the heap is already allocated, so the image itself is over the node's limit.
    MoveConfig strong = configFor(MoveMode::Strong, n.node.port());
    const MoveReport s = MoveExperiment::run(strong, shipped(QStringLiteral("sieve")));
    QVERIFY2(s.error.contains(
                 QStringLiteral("refused data segment: the heap size of 20000 exceeds the limit of 100"))
            || s.error.contains(QStringLiteral("exceeds the limit")),
        qPrintable(s.error));
}

void TestMobilityNode::sessionCap()
{
    MobilityNodeOptions options;
    options.maxSessions = 1;
    LocalNode n(options);
    QVERIFY(n.started);
    QString error;
    auto first = std::make_unique<MobilityClient>(clientFor(n.node.port()));
    QVERIFY2(first->open(wire::Intent::Run, &error), qPrintable(error));
    MobilityClient second(clientFor(n.node.port()));
    QVERIFY(!second.open(wire::Intent::Run, &error));
    QVERIFY2(error.contains(QStringLiteral("busy: this node serves 1 sessions at once")), qPrintable(error));
    QCOMPARE(n.node.counters().refusedBusy, 1);
    first.reset(); // the first sender leaves; its slot frees once the node noticed
    for (int i = 0; i < 200 && n.node.activeSessions() > 0; ++i)
        QTest::qWait(20);
    QCOMPARE(n.node.activeSessions(), 0);
    QVERIFY(nodeStillServes(n.node.port()));
}

void TestMobilityNode::silentSenderTimesOut()
{
    MobilityNodeOptions options;
    options.messageTimeout = std::chrono::milliseconds(200);
    LocalNode n(options);
    QVERIFY(n.started);
    MobilityClient client(clientFor(n.node.port()));
    QString error;
    QVERIFY(client.connect(&error));
    QVERIFY2(nextError(client).contains(QStringLiteral("timed out: no complete Hello within 0.2 s")),
        "no timeout refusal");
    MobilityClient halfway(clientFor(n.node.port()));
    QVERIFY(halfway.open(wire::Intent::Migrate, &error));
    QVERIFY(halfway.sendRaw(wire::encodeHeader(wire::MsgType::Image, 1000), &error)); // the body never comes
    QVERIFY2(nextError(halfway).contains(QStringLiteral("timed out: no complete Image within 0.2 s")),
        "no timeout refusal");
    QVERIFY(nodeStillServes(n.node.port()));
}

void TestMobilityNode::senderLeavingStopsItsComputation()
{
    LocalNode n;
    QVERIFY(n.started);
    {
        MobilityClient client(clientFor(n.node.port()));
        QString error;
        QVERIFY(client.open(wire::Intent::Migrate, &error));
        Computation c = shipped(QStringLiteral("primes")); // seconds of work
        Interpreter(c).run(1000);
        wire::AcceptedBody accepted;
        QVERIFY2(client.sendImage(ImageCodec::encodeStrong(c).bytes, &accepted, &error), qPrintable(error));
        QCOMPARE(accepted.stepsAtArrival, std::uint64_t(1000));
    } // the sender leaves
    QString log;
    for (int i = 0; i < 500 && !log.contains(QStringLiteral("its computation here is stopped")); ++i) {
        log += n.node.takeLog().join(QLatin1Char('\n'));
        QTest::qWait(20);
    }
    QVERIFY2(
        log.contains(QStringLiteral("the sender closed the connection; its computation here is stopped")),
        qPrintable(log));
    QCOMPARE(n.node.counters().results, 0);
    QVERIFY(nodeStillServes(n.node.port()));
}

void TestMobilityNode::runTimeLimit()
{
    MobilityNodeOptions options;
    options.maxRunTime = std::chrono::milliseconds(50);
    options.sliceSteps = 10000;
    LocalNode n(options);
    QVERIFY(n.started);
    MobilityClient client(clientFor(n.node.port()));
    QString error;
    QVERIFY(client.open(wire::Intent::Run, &error));
    wire::AcceptedBody accepted;
    QVERIFY2(
        client.sendImage(ImageCodec::encodeWeak(shipped(QStringLiteral("primes"))).bytes, &accepted, &error),
        qPrintable(error));
    wire::ResultBody result;
    QVERIFY2(client.awaitResult(&result, &error), qPrintable(error));
    QCOMPARE(result.status, MachineStatus::Runnable);
    QVERIFY2(result.message.contains(QStringLiteral("stopped by the node after 0.05 s of computing")),
        qPrintable(result.message));
    QVERIFY(result.stepsHere > 0);
    QCOMPARE(result.stepsTotal, result.stepsHere);
}

void TestMobilityNode::adoptedConnection()
{
    // A host that shares one port between services reads the first bytes and hands the connection over.
    MobilityNodeOptions options;
    options.listen = false; // served only through adopt()
    LocalNode n(options);
    QVERIFY(n.started);
    QCOMPARE(n.node.port(), std::uint16_t(0));
    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    QVERIFY(listener >= 0);
    sockaddr_in a {};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    QVERIFY(::bind(listener, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0);
    QVERIFY(::listen(listener, 4) == 0);
    QVERIFY(::getsockname(listener, reinterpret_cast<sockaddr *>(&a), &len) == 0);
    const std::uint16_t sharedPort = ntohs(a.sin_port);
    bool recognised = false, handedOver = false;
    std::thread host([&] {
        pollfd p {listener, POLLIN, 0};
        if (::poll(&p, 1, 10000) <= 0)
            return;
        const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0)
            return;
        std::uint8_t first[4] = {};
        pollfd q {fd, POLLIN, 0};
        if (::poll(&q, 1, 10000) <= 0 || ::recv(fd, first, 4, MSG_PEEK | MSG_WAITALL) != 4) {
            ::close(fd);
            return;
        }
        recognised = MobilityNode::isMobilityPrefix(first);
        if (recognised)
            handedOver = n.node.adopt(fd);
        else
            ::close(fd);
    });
    const MoveReport r
        = MoveExperiment::run(configFor(MoveMode::Strong, sharedPort), shipped(QStringLiteral("factorial")));
    host.join();
    ::close(listener);
    QVERIFY(recognised);
    QVERIFY(handedOver);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QVERIFY(r.equal);
    QCOMPARE(n.node.counters().sessions, 1);
    // The migration protocol's first message starts with its type (1), not the mobility magic.
    const std::uint8_t migrationHello[4] = {1, 0, 0, 0};
    QVERIFY(!MobilityNode::isMobilityPrefix(migrationHello));
    QVERIFY(!MobilityNode::isMobilityPrefix(std::span<const std::uint8_t>()));
}

void TestMobilityNode::stopWhileComputing()
{
    auto n = std::make_unique<LocalNode>();
    QVERIFY(n->started);
    MobilityClient client(clientFor(n->node.port()));
    QString error;
    QVERIFY(client.open(wire::Intent::Run, &error));
    wire::AcceptedBody accepted;
    QVERIFY2(
        client.sendImage(ImageCodec::encodeWeak(shipped(QStringLiteral("primes"))).bytes, &accepted, &error),
        qPrintable(error));
    n->node.stop(); // returns although a computation was running there
    QCOMPARE(n->node.activeSessions(), 0);
    wire::ResultBody result;
    QVERIFY(!client.awaitResult(&result, &error));
    QVERIFY2(
        error.contains(QStringLiteral("closed the connection")) || error.contains(QStringLiteral("failed")),
        qPrintable(error));
    n.reset();
}

PROCLAB_TEST_MAIN_WITH_HELPERS(TestMobilityNode)
#include "tst_mobilitynode.moc"
