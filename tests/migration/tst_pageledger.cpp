// Page accounting: who was sent how often, post-copy's requests, the grid's states.
#include "migration/migrationsnapshot.h"
#include "migration/pageledger.h"

#include <QTest>

#include <map>
#include <random>

using namespace proclab;
using namespace proclab::migration;

class TestPageLedger : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void resendsCountedOnceEach();
    void randomRoundsMatchASecondCount();
    void sendCountSaturates();
    void demandRequestsNeverSendTwice();
    void gridStates();
    void resetForgets();
};

void TestPageLedger::resendsCountedOnceEach()
{
    PageLedger ledger;
    ledger.reset(100);
    std::vector<std::uint32_t> all(100);
    for (std::uint32_t i = 0; i < 100; ++i)
        all[i] = i;
    ledger.recordSent(all.data(), all.size());
    QCOMPARE(ledger.pagesResent(), qint64(0));
    const std::vector<std::uint32_t> round1 {3, 5, 7};
    ledger.recordSent(round1.data(), round1.size());
    const std::vector<std::uint32_t> round2 {5, 99};
    ledger.recordSent(round2.data(), round2.size());
    QCOMPARE(ledger.pagesResent(), qint64(5));
    QCOMPARE(ledger.sendCount(5), std::uint8_t(3));
    QCOMPARE(ledger.sendCount(3), std::uint8_t(2));
    QCOMPARE(ledger.sendCount(4), std::uint8_t(1));
}

void TestPageLedger::randomRoundsMatchASecondCount()
{
    // Pre-copy-like rounds of random dirty sets; a second count: every send of a page
    // after its first is a re-send.
    constexpr std::size_t pages = 2000;
    PageLedger ledger;
    ledger.reset(pages);
    std::mt19937 rng(3);
    std::map<std::uint32_t, int> sends;
    qint64 total = 0;
    for (int round = 0; round < 40; ++round) {
        std::vector<std::uint32_t> list;
        std::bernoulli_distribution dirty(round == 0 ? 1.0 : 0.05);
        for (std::uint32_t p = 0; p < pages; ++p) {
            if (dirty(rng))
                list.push_back(p);
        }
        ledger.recordSent(list.data(), list.size());
        for (std::uint32_t p : list)
            ++sends[p];
        total += qint64(list.size());
    }
    QCOMPARE(ledger.pagesResent(), total - qint64(sends.size()));
    for (const auto &[page, n] : sends)
        QCOMPARE(int(ledger.sendCount(page)), std::min(n, 255));
}

void TestPageLedger::sendCountSaturates()
{
    PageLedger ledger;
    ledger.reset(2);
    const std::uint32_t page = 1;
    for (int i = 0; i < 300; ++i)
        ledger.recordSent(&page, 1);
    QCOMPARE(ledger.sendCount(1), std::uint8_t(255));
    QCOMPARE(ledger.pagesResent(), qint64(299)); // the count saturates, the re-sends do not
    QCOMPARE(ledger.sendCount(0), std::uint8_t(0));
}

void TestPageLedger::demandRequestsNeverSendTwice()
{
    PageLedger ledger;
    ledger.reset(10);
    QVERIFY(ledger.requestOnDemand(4)); // never sent: goes now
    QVERIFY(ledger.wasFetched(4));
    QVERIFY(!ledger.requestOnDemand(4)); // asked again before it arrived: already on its way
    const std::uint32_t sent = 6;
    ledger.recordSent(&sent, 1);
    QVERIFY(!ledger.requestOnDemand(6)); // pushed already
    QVERIFY(!ledger.wasFetched(6));
    QCOMPARE(ledger.demandFetches(), qint64(1));
    QCOMPARE(ledger.requestsInFlight(), qint64(2));
    QCOMPARE(ledger.pagesResent(), qint64(0));
}

void TestPageLedger::gridStates()
{
    PageLedger ledger;
    ledger.reset(6);
    PageBitmap dirty(6);
    const std::vector<std::uint32_t> once {1, 2, 3};
    const std::vector<std::uint32_t> twice {3};
    ledger.recordSent(once.data(), once.size());
    ledger.recordSent(twice.data(), twice.size());
    dirty.set(2);
    dirty.set(4);
    // On the source: 0 clean, 1 sent, 2 dirty (sent, then written), 3 re-sent, 4 dirty, 5 clean.
    const std::vector<std::uint8_t> source = ledger.states(dirty, false);
    const std::vector<std::uint8_t> expected {std::uint8_t(PageState::Clean), std::uint8_t(PageState::Sent),
        std::uint8_t(PageState::Dirty), std::uint8_t(PageState::Resent), std::uint8_t(PageState::Dirty),
        std::uint8_t(PageState::Clean)};
    QCOMPARE(source, expected);
    // Post-copy on the destination: fetched once it arrived, present, or missing; dirty bits do not matter.
    QVERIFY(ledger.requestOnDemand(5));
    const std::uint32_t five = 5;
    ledger.recordSent(&five, 1);
    QVERIFY(ledger.requestOnDemand(0));
    const std::vector<std::uint8_t> post = ledger.states(dirty, true);
    const std::vector<std::uint8_t> expectedPost {std::uint8_t(PageState::Missing),
        std::uint8_t(PageState::Present), std::uint8_t(PageState::Present), std::uint8_t(PageState::Present),
        std::uint8_t(PageState::Missing), std::uint8_t(PageState::Fetched)};
    QCOMPARE(post, expectedPost);
}

void TestPageLedger::resetForgets()
{
    PageLedger ledger;
    ledger.reset(4);
    const std::uint32_t p = 2;
    ledger.recordSent(&p, 1);
    ledger.recordSent(&p, 1);
    ledger.requestOnDemand(3);
    ledger.reset(8);
    QCOMPARE(ledger.pages(), std::size_t(8));
    QCOMPARE(ledger.pagesResent(), qint64(0));
    QCOMPARE(ledger.demandFetches(), qint64(0));
    QCOMPARE(ledger.requestsInFlight(), qint64(0));
    QVERIFY(!ledger.wasSent(2));
    QVERIFY(!ledger.wasFetched(3));
}

QTEST_APPLESS_MAIN(TestPageLedger)
#include "tst_pageledger.moc"
