#include "helpermain.h"

#include "serverparts/outofbandclient.h"
#include "serverparts/outofbandexperiment.h"
#include "serverparts/outofbandserver.h"
#include "serverparts/timeline.h"

#include <QTest>

using namespace proclab;

class TestOutOfBand : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void holdResumeCancel_data();
    void holdResumeCancel();
    void statusLinesParse();
    void holdTimesOut();
    void hangUpCancels();
    void stopEndsRunningAndHeldRequests();
    void malformedInputThenGoodRequest();
};

namespace {

constexpr int kTimeoutMs = 10000;

// Index of the first event of @p kind about request @p id (value or detail), from @p from.
int find(const std::vector<TimelineEvent> &events, const QString &actor, const QString &kind,
    const QString &needle, int from = 0)
{
    for (int i = from; i < static_cast<int>(events.size()); ++i)
        if (events[i].actor == actor && events[i].kind == kind && events[i].detail.contains(needle))
            return i;
    return -1;
}

bool readUntil(OutOfBandClient &client, OutOfBandStatus::Kind kind, OutOfBandStatus *out)
{
    QString error;
    for (int i = 0; i < 100000; ++i) {
        if (!client.readStatus(out, kTimeoutMs, &error))
            return false;
        if (out->kind == kind)
            return true;
        if (out->kind != OutOfBandStatus::Progress)
            return false;
    }
    return false;
}

} // namespace

void TestOutOfBand::holdResumeCancel_data()
{
    QTest::addColumn<bool>("tcpUrgentData");
    QTest::newRow("TCP urgent data") << true;
    QTest::newRow("urgent port") << false;
}

void TestOutOfBand::holdResumeCancel()
{
    QFETCH(bool, tcpUrgentData);
    OutOfBandExperimentConfig config;
    config.repetitions = 3;
    config.unitUs = 500;
    config.interruptAfterUnits = 4;
    config.holdMs = 5;
    config.unitsAfterResume = 3;
    config.tcpUrgentData = tcpUrgentData;
    config.urgentPort = !tcpUrgentData;
    OutOfBandExperiment experiment(config);
    const OutOfBandExperimentResult r = experiment.run();
    QVERIFY2(r.ok, qPrintable(r.error));
    QVERIFY(!r.priorityNote.isEmpty());
    QCOMPARE(r.trials.size(), std::size_t(3));
    const UrgentMethod method = tcpUrgentData ? UrgentMethod::TcpUrgentData : UrgentMethod::UrgentPort;
    for (const auto &t : r.trials) {
        QVERIFY(t.ok);
        QCOMPARE(t.method, method);
        QCOMPARE(t.steps.size(), std::size_t(3));
        QCOMPARE(t.steps[0].command, UrgentCommand::Hold);
        QCOMPARE(t.steps[1].command, UrgentCommand::Resume);
        QCOMPARE(t.steps[2].command, UrgentCommand::Cancel);
        for (const auto &s : t.steps) {
            // Causality on one clock: sent, noticed by the urgent thread, acted on by the worker, seen by the
            // client.
            QVERIFY(s.sentNs > 0);
            QVERIFY(s.sentNs <= s.noticedNs);
            QVERIFY(s.noticedNs <= s.effectNs);
            QVERIFY(s.effectNs <= s.ackNs);
        }
        // The hold took effect after the units the client waited for; nothing ran while held.
        QVERIFY(t.steps[0].unit >= config.interruptAfterUnits);
        QCOMPARE(t.steps[1].unit, t.steps[0].unit);
        QVERIFY(t.steps[2].unit >= t.steps[1].unit + config.unitsAfterResume);
        QVERIFY(t.steps[2].unit < config.units);
    }
    // The server's own counters agree with the trials.
    QCOMPARE(r.serverStats.requests, std::int64_t(3));
    QCOMPARE(r.serverStats.holds, std::int64_t(3));
    QCOMPARE(r.serverStats.cancelled, std::int64_t(3));
    QCOMPARE(r.serverStats.completed, std::int64_t(0));
    QCOMPARE(r.serverStats.urgentBytes, tcpUrgentData ? std::int64_t(9) : std::int64_t(0));
    QCOMPARE(r.serverStats.urgentMessages, tcpUrgentData ? std::int64_t(0) : std::int64_t(9));
    // Event order for each request: start, hold sent, noticed, on hold, resume sent,
    // noticed, resumed, cancel sent, noticed, cancelled; no unit while on hold.
    const QString how = urgentMethodName(method);
    for (const auto &t : r.trials) {
        const QString req = QStringLiteral("request %1").arg(t.requestId);
        const auto &ev = r.events;
        const int start
            = find(ev, QStringLiteral("worker"), QStringLiteral("request-start"), req + QLatin1Char(':'));
        const int holdSent = find(ev, QStringLiteral("client"), QStringLiteral("urgent-sent"),
            QStringLiteral("hold for ") + req, start);
        const int holdNoticed = find(ev, QStringLiteral("urgent thread"), QStringLiteral("noticed"),
            QStringLiteral("hold for ") + req + QStringLiteral(" by ") + how, holdSent);
        const int held = find(
            ev, QStringLiteral("worker"), QStringLiteral("on-hold"), req + QLatin1Char(' '), holdNoticed);
        const int resumeSent = find(ev, QStringLiteral("client"), QStringLiteral("urgent-sent"),
            QStringLiteral("resume for ") + req, held);
        const int resumeNoticed = find(ev, QStringLiteral("urgent thread"), QStringLiteral("noticed"),
            QStringLiteral("resume for ") + req, resumeSent);
        const int resumed = find(
            ev, QStringLiteral("worker"), QStringLiteral("resumed"), req + QLatin1Char(' '), resumeNoticed);
        const int cancelSent = find(ev, QStringLiteral("client"), QStringLiteral("urgent-sent"),
            QStringLiteral("cancel for ") + req, resumed);
        const int cancelNoticed = find(ev, QStringLiteral("urgent thread"), QStringLiteral("noticed"),
            QStringLiteral("cancel for ") + req, cancelSent);
        const int cancelled = find(
            ev, QStringLiteral("worker"), QStringLiteral("cancelled"), req + QLatin1Char(' '), cancelNoticed);
        QVERIFY2(start >= 0 && holdSent > start && holdNoticed > holdSent && held > holdNoticed
                && resumeSent > held && resumeNoticed > resumeSent && resumed > resumeNoticed
                && cancelSent > resumed && cancelNoticed > cancelSent && cancelled > cancelNoticed,
            qPrintable(req));
        for (int i = held + 1; i < resumed; ++i)
            QVERIFY(
                !(ev[i].kind == QLatin1String("unit") && ev[i].detail.startsWith(req + QLatin1Char(' '))));
        if (tcpUrgentData) // the urgent byte was read at the mark: nothing in-band was pending before it
            QVERIFY(ev[holdNoticed].detail.contains(QStringLiteral("sockatmark yes")));
    }
    // Latency rows for every command of the method, each from three samples.
    QCOMPARE(r.latency.size(), std::size_t(3));
    for (const auto &row : r.latency) {
        QCOMPARE(row.sendToEffectUs.count, 3);
        QVERIFY(row.sendToNoticeUs.median <= row.sendToEffectUs.max);
        QVERIFY(row.sendToNoticeUs.min >= 0);
    }
}

void TestOutOfBand::statusLinesParse()
{
    const auto held = OutOfBandClient::parseStatus("HELD 12 noticed=100 effect=250");
    QCOMPARE(held.kind, OutOfBandStatus::Held);
    QCOMPARE(held.unit, std::int64_t(12));
    QCOMPARE(held.noticedNs, std::int64_t(100));
    QCOMPARE(held.effectNs, std::int64_t(250));
    QCOMPARE(OutOfBandClient::parseStatus("ACCEPTED 7").requestId, std::uint64_t(7));
    QCOMPARE(OutOfBandClient::parseStatus("DONE x").kind, OutOfBandStatus::Error);
    const auto err = OutOfBandClient::parseStatus("ERROR units must be 1-5");
    QCOMPARE(err.kind, OutOfBandStatus::Error);
    QCOMPARE(err.text, QStringLiteral("units must be 1-5"));
}

void TestOutOfBand::holdTimesOut()
{
    OutOfBandServerConfig config;
    config.holdTimeoutMs = 100;
    OutOfBandServer server(config);
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    OutOfBandClient client;
    QVERIFY(client.connect(server.port(), kTimeoutMs, &error));
    std::uint64_t id = 0;
    QVERIFY2(client.startWork(100000, 200, 0, &id, kTimeoutMs, &error), qPrintable(error));
    std::int64_t sent = 0;
    QVERIFY(client.sendUrgentData(UrgentCommand::Hold, &sent, &error));
    OutOfBandStatus st;
    QVERIFY(readUntil(client, OutOfBandStatus::Held, &st));
    // Nobody resumes it: the server gives up after its hold timeout.
    QVERIFY(readUntil(client, OutOfBandStatus::Cancelled, &st));
    QVERIFY2(st.text.contains(QStringLiteral("on hold longer than 100 ms")), qPrintable(st.text));
    server.stop();
    QCOMPARE(server.stats().cancelled, std::int64_t(1));
}

void TestOutOfBand::hangUpCancels()
{
    Timeline timeline;
    OutOfBandServer server({}, &timeline);
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    {
        OutOfBandClient client;
        QVERIFY(client.connect(server.port(), kTimeoutMs, &error));
        std::uint64_t id = 0;
        QVERIFY2(client.startWork(100000, 200, 0, &id, kTimeoutMs, &error), qPrintable(error));
    } // the client goes away mid-request
    for (int i = 0; i < 1000 && server.stats().cancelled == 0; ++i)
        QTest::qSleep(10);
    QCOMPARE(server.stats().cancelled, std::int64_t(1));
    server.stop();
    const auto events = timeline.events();
    QVERIFY(
        find(events, QStringLiteral("urgent thread"), QStringLiteral("hang-up"), QStringLiteral("request 1"))
        >= 0);
    QVERIFY(find(events, QStringLiteral("worker"), QStringLiteral("cancelled"),
                QStringLiteral("closed the connection"))
        >= 0);
}

void TestOutOfBand::stopEndsRunningAndHeldRequests()
{
    OutOfBandServerConfig config;
    config.holdTimeoutMs = 600000;
    OutOfBandServer server(config);
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    OutOfBandClient running, held;
    std::uint64_t id1 = 0, id2 = 0;
    QVERIFY(running.connect(server.port(), kTimeoutMs, &error));
    QVERIFY(running.startWork(50000, 1000, 0, &id1, kTimeoutMs, &error)); // 50 s of work
    QVERIFY(held.connect(server.port(), kTimeoutMs, &error));
    QVERIFY(held.startWork(50000, 1000, 0, &id2, kTimeoutMs, &error));
    std::string reply;
    std::int64_t sent = 0;
    QVERIFY(OutOfBandClient::sendToUrgentPort(
        server.urgentPort(), UrgentCommand::Hold, id2, &sent, &reply, kTimeoutMs, &error));
    OutOfBandStatus st;
    QVERIFY(readUntil(held, OutOfBandStatus::Held, &st));
    server.stop(); // must not wait for 50 s of work or the hold timeout
    QCOMPARE(server.port(), std::uint16_t(0));
    for (OutOfBandClient *c : {&running, &held}) {
        QVERIFY(readUntil(*c, OutOfBandStatus::Cancelled, &st));
        QVERIFY(st.text.contains(QStringLiteral("server stopping")));
    }
}

void TestOutOfBand::malformedInputThenGoodRequest()
{
    OutOfBandServerConfig config;
    config.maxUnits = 1000;
    OutOfBandServer server(config);
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    // Bad request lines on one connection, each answered with an error.
    {
        OutOfBandClient c;
        QVERIFY(c.connect(server.port(), kTimeoutMs, &error));
        const std::vector<std::pair<std::string, QString>> bad = {
            {"GET / HTTP/1.1\n", QStringLiteral("unknown request 'GET'")},
            {"WORK 0 10\n", QStringLiteral("units must be 1-1000")},
            {"WORK 10 -5\n", QStringLiteral("unitUs must be 0-100000")},
        };
        for (const auto &[line, expected] : bad) {
            QCOMPARE(c.socket().writeAll(line, kTimeoutMs, nullptr, &error), IoStatus::Ok);
            OutOfBandStatus st;
            QVERIFY(c.readStatus(&st, kTimeoutMs, &error));
            QCOMPARE(st.kind, OutOfBandStatus::Error);
            QVERIFY2(st.text.startsWith(expected), qPrintable(st.text));
        }
        QCOMPARE(
            c.socket().writeAll(std::string(1000, 'W') + "\n", kTimeoutMs, nullptr, &error), IoStatus::Ok);
        OutOfBandStatus st;
        QVERIFY(c.readStatus(&st, kTimeoutMs, &error));
        QCOMPARE(st.text, QStringLiteral("request longer than 128 bytes"));
    }
    // Garbage on the urgent port, and a command for a request that does not run.
    for (const std::string &line :
        {std::string("FLY 1"), std::string("HOLD x"), std::string("\x01\x02\x03"), std::string("HOLD 999")}) {
        TcpSocket s = TcpSocket::connectLoopback(server.urgentPort(), kTimeoutMs, nullptr, &error);
        QCOMPARE(s.writeAll(line + "\n", kTimeoutMs, nullptr, &error), IoStatus::Ok);
        std::string reply;
        QCOMPARE(s.readLine(&reply, 512, kTimeoutMs, nullptr, &error), IoStatus::Ok);
        QVERIFY2(reply.rfind("ERROR ", 0) == 0, reply.c_str());
    }
    // An unknown urgent byte is ignored; the request goes on and a good cancel still works.
    OutOfBandClient c;
    QVERIFY(c.connect(server.port(), kTimeoutMs, &error));
    std::uint64_t id = 0;
    QVERIFY(c.startWork(1000, 1000, 1, &id, kTimeoutMs, &error));
    const std::int64_t malformedBefore = server.stats().malformed;
    QVERIFY(c.socket().sendUrgent('Z', &error));
    // TCP keeps one urgent byte at a time: a second one sent before the server read
    // the first would replace it. So wait (bounded) until 'Z' was read and refused.
    for (int i = 0; i < 1000 && server.stats().malformed == malformedBefore; ++i)
        QTest::qSleep(5);
    QCOMPARE(server.stats().malformed, malformedBefore + 1);
    OutOfBandStatus st;
    QVERIFY(c.readStatus(&st, kTimeoutMs, &error));
    QCOMPARE(st.kind, OutOfBandStatus::Progress);
    std::int64_t sent = 0;
    QVERIFY(c.sendUrgentData(UrgentCommand::Cancel, &sent, &error));
    QVERIFY(readUntil(c, OutOfBandStatus::Cancelled, &st));
    // And a good request runs to the end.
    OutOfBandClient good;
    QVERIFY(good.connect(server.port(), kTimeoutMs, &error));
    QVERIFY(good.startWork(3, 100, 0, &id, kTimeoutMs, &error));
    QVERIFY(readUntil(good, OutOfBandStatus::Done, &st));
    QCOMPARE(st.unit, std::int64_t(3));
    server.stop();
    const auto stats = server.stats();
    QCOMPARE(stats.completed, std::int64_t(1));
    QCOMPARE(stats.cancelled, std::int64_t(1));
    QVERIFY(stats.malformed >= 8);
}

PROCLAB_TEST_MAIN_WITH_HELPERS(TestOutOfBand)
#include "tst_outofband.moc"
