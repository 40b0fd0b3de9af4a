// The children's reports: reassembled from pieces of any size, converted to events.

#include "sharedvar/sharedvarreport.h"

#include <QTest>

#include <cstring>
#include <random>

using namespace proclab;

class TestSharedVarReport : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void reassemblesAnySplit();
    void convertsToEvents();
};

void TestSharedVarReport::reassemblesAnySplit()
{
    // A stream of reports cut into random pieces, as a pipe may deliver them.
    std::vector<SharedVarReport> sent;
    for (int i = 0; i < 200; ++i)
        sent.push_back(SharedVarReport {std::int32_t(i % 3), i % 8, 1000000LL * i, 40 + i, 7LL * i});
    QByteArray stream;
    for (const auto &r : sent)
        stream.append(reinterpret_cast<const char *>(&r), sizeof r);
    std::mt19937 rng(5);
    SharedVarReportBuffer buffer;
    std::vector<SharedVarReport> received;
    qsizetype offset = 0;
    while (offset < stream.size()) {
        // Never more than the buffer asks for: the parent reads at most one report at a time.
        const std::size_t want = std::uniform_int_distribution<std::size_t>(1, buffer.spaceLeft())(rng);
        const std::size_t n = std::min<std::size_t>(want, std::size_t(stream.size() - offset));
        std::memcpy(buffer.space(), stream.constData() + offset, n);
        offset += qsizetype(n);
        if (const auto r = buffer.add(n))
            received.push_back(*r);
        QVERIFY(buffer.spaceLeft() >= 1 && buffer.spaceLeft() <= sizeof(SharedVarReport));
    }
    QCOMPARE(received.size(), sent.size());
    for (std::size_t i = 0; i < sent.size(); ++i) {
        QCOMPARE(received[i].kind, sent[i].kind);
        QCOMPARE(received[i].thread, sent[i].thread);
        QCOMPARE(received[i].timeNs, sent[i].timeNs);
        QCOMPARE(received[i].value, sent[i].value);
        QCOMPARE(received[i].sleepNs, sent[i].sleepNs);
    }
}

void TestSharedVarReport::convertsToEvents()
{
    const SharedVarEvent sleep
        = SharedVarReport {SharedVarReport::Sleep, 2, 1500000, 71, 250000000}.toEvent(1);
    QCOMPARE(sleep.kind, SharedVarEvent::Kind::Sleep);
    QCOMPARE(sleep.process, 1);
    QCOMPARE(sleep.thread, 2);
    QCOMPARE(sleep.timeMs, 1.5);
    QCOMPARE(sleep.sleepMs, 250.0);
    const SharedVarEvent wake = SharedVarReport {SharedVarReport::Wake, 0, 2000000, 72, 0}.toEvent(0);
    QCOMPARE(wake.kind, SharedVarEvent::Kind::Wake);
    QCOMPARE(wake.value, qint64(72));
    const SharedVarEvent end = SharedVarReport {SharedVarReport::ProcessEnd, -1, 3000000, 74, 0}.toEvent(3);
    QCOMPARE(end.kind, SharedVarEvent::Kind::ProcessEnd);
    QCOMPARE(end.thread, -1);
    QCOMPARE(end.process, 3);
}

QTEST_APPLESS_MAIN(TestSharedVarReport)
#include "tst_sharedvarreport.moc"
