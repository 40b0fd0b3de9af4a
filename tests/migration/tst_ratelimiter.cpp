// The token bucket that paces the migration link, driven with made-up times.
#include "migration/ratelimiter.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <vector>

using namespace proclab::migration;
using Clock = RateLimiter::Clock;
using std::chrono::nanoseconds;

class TestRateLimiter : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void uncappedNeverWaits();
    void firstWriteGoesAtOnceThenPaysItsDebt();
    void tokensNeverExceedTheBurst();
    void noWindowCarriesMoreThanRateTimesTimePlusBurst();
    void longRunRateIsTheSetRate_data();
    void longRunRateIsTheSetRate();
    void restartForgetsDebt();
};

namespace {

// A sender driven by a random schedule: idle gaps (some far longer than the burst),
// batches of random size, writes that take random time. Returns each write's start and size.
struct Write {
    Clock::time_point start;
    std::uint64_t bytes;
};

std::vector<Write> randomSchedule(RateLimiter &limiter, Clock::time_point t0, unsigned seed, int writes,
    const std::function<void(Clock::time_point)> &afterDecision = {})
{
    std::mt19937_64 rng(seed);
    const nanoseconds gaps[] = {nanoseconds(0), nanoseconds(1000), std::chrono::milliseconds(5),
        std::chrono::milliseconds(50), std::chrono::seconds(2)};
    std::uniform_int_distribution<int> gapPick(0, 4);
    std::uniform_int_distribution<std::uint64_t> size(24, 1 << 20);
    std::uniform_int_distribution<std::int64_t> cost(0, 3'000'000); // up to 3 ms per write
    std::vector<Write> out;
    Clock::time_point now = t0;
    limiter.restart(now);
    for (int i = 0; i < writes; ++i) {
        now += gaps[gapPick(rng)];
        now += limiter.delayBeforeSend(now);
        if (afterDecision)
            afterDecision(now);
        const std::uint64_t bytes = size(rng);
        out.push_back({now, bytes});
        limiter.consume(bytes);
        now += nanoseconds(cost(rng));
    }
    return out;
}

} // namespace

void TestRateLimiter::uncappedNeverWaits()
{
    RateLimiter limiter(0);
    const Clock::time_point t0 {};
    limiter.restart(t0);
    limiter.consume(std::uint64_t(1) << 40);
    QCOMPARE(limiter.delayBeforeSend(t0), nanoseconds(0));
    QCOMPARE(limiter.burstBytes(), 0.0);
    QVERIFY(!limiter.limited());
}

void TestRateLimiter::firstWriteGoesAtOnceThenPaysItsDebt()
{
    // 8 Mbit/s = 1,000,000 bytes/s: a 250,000-byte write is paid off after 250 ms.
    RateLimiter limiter(8e6);
    const Clock::time_point t0 {};
    limiter.restart(t0);
    QCOMPARE(limiter.delayBeforeSend(t0), nanoseconds(0));
    limiter.consume(250000);
    QCOMPARE(limiter.tokensBytes(t0), -250000.0);
    QCOMPARE(limiter.delayBeforeSend(t0), nanoseconds(std::chrono::milliseconds(250)));
    QCOMPARE(limiter.delayBeforeSend(t0 + std::chrono::milliseconds(100)),
        nanoseconds(std::chrono::milliseconds(150)));
    QCOMPARE(limiter.delayBeforeSend(t0 + std::chrono::milliseconds(250)), nanoseconds(0));
    // The burst: 10 ms at 1 MB/s.
    QCOMPARE(limiter.burstBytes(), 10000.0);
}

void TestRateLimiter::tokensNeverExceedTheBurst()
{
    RateLimiter limiter(100e6); // 12.5 MB/s, burst 125,000 bytes
    const double burst = limiter.burstBytes();
    QCOMPARE(burst, 125000.0);
    // At the moment each write goes: some credit at most, no debt left (within 1 byte: the
    // wait is rounded down to whole nanoseconds).
    int checked = 0;
    double most = -1e300, least = 1e300;
    randomSchedule(limiter, Clock::time_point {}, 7, 3000, [&](Clock::time_point now) {
        const double tokens = limiter.tokensBytes(now);
        most = std::max(most, tokens);
        least = std::min(least, tokens);
        ++checked;
    });
    QCOMPARE(checked, 3000);
    QVERIFY2(most <= burst + 1e-6, qPrintable(QString::number(most)));
    QVERIFY2(least >= -1.0, qPrintable(QString::number(least)));
}

void TestRateLimiter::noWindowCarriesMoreThanRateTimesTimePlusBurst()
{
    // The promise of a token bucket: between any two write starts, the writes started
    // carry at most rate x elapsed + burst, however the sender behaves.
    const double bytesPerSec = 100e6 / 8;
    RateLimiter limiter(100e6);
    const std::vector<Write> writes = randomSchedule(limiter, Clock::time_point {}, 11, 1500);
    for (std::size_t i = 0; i < writes.size(); ++i) {
        double carried = 0;
        for (std::size_t j = i + 1; j < writes.size(); ++j) {
            carried += double(writes[j - 1].bytes);
            const double seconds = std::chrono::duration<double>(writes[j].start - writes[i].start).count();
            const double allowed = bytesPerSec * seconds + limiter.burstBytes() + 1.0;
            if (carried > allowed)
                QFAIL(qPrintable(QStringLiteral("writes %1..%2 carried %3 bytes in %4 s, allowed %5")
                                     .arg(i)
                                     .arg(j)
                                     .arg(carried)
                                     .arg(seconds)
                                     .arg(allowed)));
        }
    }
}

void TestRateLimiter::longRunRateIsTheSetRate_data()
{
    QTest::addColumn<double>("bitsPerSec");
    QTest::addColumn<int>("batchBytes");
    QTest::addColumn<int>("writeCostNs");
    QTest::newRow("1 Gbit/s, 1 MiB batches") << 1e9 << (1 << 20) << 200000;
    QTest::newRow("100 Mbit/s, 256 KiB batches") << 100e6 << (256 << 10) << 1000;
    QTest::newRow("10 Mbit/s, 24-byte messages") << 10e6 << 24 << 0;
}

void TestRateLimiter::longRunRateIsTheSetRate()
{
    QFETCH(double, bitsPerSec);
    QFETCH(int, batchBytes);
    QFETCH(int, writeCostNs);
    // A sender with always more to send, on a link faster than the cap.
    RateLimiter limiter(bitsPerSec);
    const Clock::time_point t0 {};
    Clock::time_point now = t0;
    limiter.restart(now);
    const int writes = 5000;
    Clock::time_point lastStart;
    for (int i = 0; i < writes; ++i) {
        now += limiter.delayBeforeSend(now);
        lastStart = now;
        limiter.consume(std::uint64_t(batchBytes));
        now += nanoseconds(writeCostNs);
    }
    // Computed a second way: the bytes before the last write, over the time it took to
    // be allowed to start it.
    const double seconds = std::chrono::duration<double>(lastStart - t0).count();
    const double measuredBitsPerSec = double(writes - 1) * batchBytes * 8 / seconds;
    QVERIFY2(std::abs(measuredBitsPerSec / bitsPerSec - 1) < 1e-6,
        qPrintable(QStringLiteral("%1 bit/s measured, %2 set").arg(measuredBitsPerSec).arg(bitsPerSec)));
}

void TestRateLimiter::restartForgetsDebt()
{
    RateLimiter limiter(8e6);
    const Clock::time_point t0 {};
    limiter.restart(t0);
    limiter.consume(1000000); // a second's worth
    QVERIFY(limiter.delayBeforeSend(t0) > nanoseconds(0));
    limiter.restart(t0);
    QCOMPARE(limiter.delayBeforeSend(t0), nanoseconds(0));
    QCOMPARE(limiter.tokensBytes(t0), 0.0);
}

QTEST_APPLESS_MAIN(TestRateLimiter)
#include "tst_ratelimiter.moc"
