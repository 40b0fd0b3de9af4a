// Reasons to move code (M1): load distribution measured against a node, federated learning as a model.
#include "mobility/federatedlearning.h"
#include "mobility/loaddistribution.h"
#include "mobility/mobilitynode.h"
#include "mobilitytestutil.h"

#include <QTest>

using namespace proclab::mobility;
using namespace proclab::mobility::testutil;

class TestMobilityReasons : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void splitPointBalancesWork();
    void loadDistributionGivesTheSameCount();
    void loadDistributionNeedsItsGlobals();
    void federatedLearnsWithoutMovingData();
    void federatedWithOneClientIsCentralised();
    void federatedIsDeterministic();
};

void TestMobilityReasons::splitPointBalancesWork()
{
    QCOMPARE(LoadDistribution::splitPoint(0, 1000, 0.0), std::int64_t(1000));
    QCOMPARE(LoadDistribution::splitPoint(0, 1000, 1.0), std::int64_t(0));
    const std::int64_t half = LoadDistribution::splitPoint(0, 1000000, 0.5);
    // n^1.5 halves at 2^(-2/3) of the range: the upper part is shorter because its numbers cost more.
    QVERIFY(std::abs(half - std::int64_t(1000000 * std::pow(0.5, 2.0 / 3.0))) <= 1);
    QVERIFY(half > 500000);
    QCOMPARE(LoadDistribution::splitPoint(10, 5, 0.5), std::int64_t(10));
}

void TestMobilityReasons::loadDistributionGivesTheSameCount()
{
    MobilityNode node {MobilityNodeOptions {}};
    QString error;
    QVERIFY2(node.start(&error), qPrintable(error));
    LoadConfig config;
    config.port = node.port();
    const Computation primes
        = shipped(QStringLiteral("primes"), {{QStringLiteral("hi"), Value::ofInt(60000)}});
    const LoadReport r = LoadDistribution::run(config, primes);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QVERIFY(r.equal);
    QCOMPARE(r.resultAllHere, Value::ofInt(6057)); // pi(60000)
    QCOMPARE(r.resultSplit, r.resultAllHere);
    QVERIFY(r.splitAt > r.lo && r.splitAt < r.hi);
    QVERIFY(r.stepsHere > 0 && r.stepsAtNode > 0);
    QVERIFY(r.stepsHere < r.stepsAllHere);
    QVERIFY(r.allHereNs > 0 && r.splitNs > 0 && r.nodePartNs > 0);
    QVERIFY(r.splitNs >= r.herePartNs); // the split's wall time includes the part computed here
    QCOMPARE(node.counters().results, 1);
}

void TestMobilityReasons::loadDistributionNeedsItsGlobals()
{
    const LoadReport r = LoadDistribution::run(LoadConfig {}, shipped(QStringLiteral("factorial")));
    QCOMPARE(r.error, QStringLiteral("the program needs integer globals 'lo' and 'hi'"));
}

void TestMobilityReasons::federatedLearnsWithoutMovingData()
{
    FederatedConfig config;
    const FederatedReport r = FederatedLearning::run(config);
    QCOMPARE(int(r.federatedTestMse.size()), config.rounds);
    QCOMPARE(r.samplesTotal, config.clients * config.samplesPerClient);
    const double fed = r.federatedTestMse.back(), central = r.centralTestMse.back();
    // Both learn: far below the zero model, and close to the noise floor no model can beat.
    QVERIFY(fed < r.initialTestMse / 20);
    QVERIFY(central < r.initialTestMse / 20);
    QVERIFY2(fed < 1.5 * r.noiseFloorMse, qPrintable(QString::number(fed)));
    QVERIFY2(central < 1.5 * r.noiseFloorMse, qPrintable(QString::number(central)));
    for (std::size_t j = 0; j < r.trueWeights.size(); ++j)
        QVERIFY(std::abs(r.federatedWeights[j] - r.trueWeights[j]) < 0.2);
    // Only models travelled, and they are much smaller than the data would have been.
    QCOMPARE(
        r.bytesModelTraffic, std::uint64_t(2 * config.rounds * config.clients * 8 * (config.features + 1)));
    QCOMPARE(r.bytesRawData, std::uint64_t(r.samplesTotal * 8 * (config.features + 1)));
}

void TestMobilityReasons::federatedWithOneClientIsCentralised()
{
    // With one client and one local step per round, averaging is the identity: the two runs are the same
    // computation.
    FederatedConfig config;
    config.clients = 1;
    config.localEpochs = 1;
    config.rounds = 25;
    const FederatedReport r = FederatedLearning::run(config);
    QCOMPARE(r.federatedWeights, r.centralWeights);
    QCOMPARE(r.federatedTestMse, r.centralTestMse);
}

void TestMobilityReasons::federatedIsDeterministic()
{
    FederatedConfig config;
    config.seed = 99;
    const FederatedReport a = FederatedLearning::run(config);
    const FederatedReport b = FederatedLearning::run(config);
    QCOMPARE(a.federatedTestMse, b.federatedTestMse);
    config.seed = 100;
    const FederatedReport c = FederatedLearning::run(config);
    QVERIFY(c.trueWeights != a.trueWeights);
}

QTEST_APPLESS_MAIN(TestMobilityReasons)
#include "tst_mobilityreasons.moc"
