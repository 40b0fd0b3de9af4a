// The series the ctxswitch engine builds for its result and its views, on synthetic samples.

#include "ctxswitch/ctxswitchseries.h"

#include "common/stats.h"

#include <QTest>

using namespace proclab;

class TestCtxSwitchSeries : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void resultHistogramCountsEverySample();
    void comparedHistogramsShareTheirBins();
    void comparedHistogramsOfNothing();
    void indirectCurveAndPeak();
};

namespace {

// Samples first, last + step, ... in a scrambled order, with their spread.
CostSample uniformSample(const QString &id, double first, int count, double step)
{
    CostSample s;
    s.id = id;
    s.label = id;
    for (int i = 0; i < count; ++i)
        s.valuesNs.push_back(first + step * double((i * 7) % count));
    s.computeSpread();
    return s;
}

double sum(const std::vector<double> &v)
{
    double total = 0;
    for (double x : v)
        total += x;
    return total;
}

} // namespace

void TestCtxSwitchSeries::resultHistogramCountsEverySample()
{
    const CostSample s = uniformSample(QStringLiteral("thread_switch_pipe"), 1000, 1000, 1);
    const Series h = switchHistogram(s);
    QCOMPARE(h.id, QStringLiteral("thread_switch_pipe"));
    QCOMPARE(h.style, Series::Style::Steps);
    QCOMPARE(int(h.x.size()), 40);
    QCOMPARE(int(h.y.size()), 40);
    // Every sample is counted once: the slowest 1% fall into the last bin.
    QCOMPARE(sum(h.y), 1000.0);
    // Bin centres in microseconds, from the fastest sample up to the 99th percentile.
    QVERIFY(h.x.front() > 1.0 && h.x.front() < 1.02);
    QVERIFY(h.x.back() < percentile(s.valuesNs, 0.99) / 1000.0);
    for (std::size_t i = 1; i < h.x.size(); ++i)
        QVERIFY(h.x[i] > h.x[i - 1]);
    // One value only: a bin one nanosecond wide holds it.
    CostSample one;
    one.id = QStringLiteral("x");
    one.valuesNs = {500, 500, 500};
    one.computeSpread();
    QCOMPARE(sum(switchHistogram(one).y), 3.0);
}

void TestCtxSwitchSeries::comparedHistogramsShareTheirBins()
{
    // Threads from 1000 to 1999 ns, processes from 1500 to 2499 ns, one variant empty.
    std::vector<CostSample> switches {uniformSample(QStringLiteral("thread_switch_pipe"), 1000, 1000, 1),
        uniformSample(QStringLiteral("process_switch_pipe"), 1500, 1000, 1), CostSample {}};
    switches[2].id = QStringLiteral("thread_switch_futex");
    const std::vector<Series> h = comparedSwitchHistograms(switches);
    QCOMPARE(int(h.size()), 2); // the empty variant is left out
    QCOMPARE(h[0].id, QStringLiteral("thread_switch_pipe"));
    QCOMPARE(h[1].id, QStringLiteral("process_switch_pipe"));
    QVERIFY(h[0].x == h[1].x); // common bins: the variants compare
    QCOMPARE(int(h[0].x.size()), 61);
    QCOMPARE(h[0].x.front(), 1.0); // the fastest sample of all, in us
    // The bins end at the larger 98th percentile: 1500 + 0.98 * 999 ns. Counted a second
    // way, the share of each variant's samples below it.
    const double hi = 1500 + 0.98 * 999;
    for (std::size_t k = 0; k < h.size(); ++k) {
        int below = 0;
        for (double v : switches[k].valuesNs)
            below += v < hi ? 1 : 0;
        QVERIFY2(qAbs(sum(h[k].y) - 100.0 * below / 1000.0) < 1e-9, qPrintable(h[k].id));
        QCOMPARE(h[k].y.back(), 0.0); // the bin that starts at the end is always empty
    }
    QCOMPARE(sum(h[0].y), 100.0); // every thread sample is below the process percentile
}

void TestCtxSwitchSeries::comparedHistogramsOfNothing()
{
    QVERIFY(comparedSwitchHistograms({}).empty());
    CostSample flat;
    flat.valuesNs = {700, 700};
    QVERIFY(comparedSwitchHistograms({flat}).empty()); // no width to bin
}

void TestCtxSwitchSeries::indirectCurveAndPeak()
{
    std::vector<IndirectPoint> points;
    for (int i = 0; i < 5; ++i) {
        IndirectPoint p;
        p.workingSetBytes = qint64(4096) << i;
        p.indirectNs = i == 2 || i == 3 ? 9000 : 1000 * i;
        points.push_back(p);
    }
    const Series curve = indirectCostSeries(points);
    QCOMPARE(curve.id, QLatin1String(kIndirectCostSeriesId));
    QCOMPARE(int(curve.x.size()), 5);
    QCOMPARE(curve.x[4], 65536.0);
    QCOMPARE(curve.y[1], 1.0); // microseconds
    QCOMPARE(curve.pointLabels.size(), 5);
    QCOMPARE(curve.pointLabels[0], QStringLiteral("4KiB"));
    const IndirectPoint *peak = largestIndirectCost(points);
    QVERIFY(peak);
    QCOMPARE(peak, &points[2]); // the first of two equal maxima
    QVERIFY(!largestIndirectCost({}));
    QVERIFY(indirectCostSeries({}).x.empty());
}

QTEST_APPLESS_MAIN(TestCtxSwitchSeries)
#include "tst_ctxswitchseries.moc"
